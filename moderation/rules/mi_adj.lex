# mi_adj.lex: diagnoses used as adjectives for things and behaviour (stigma_frames.rules)
bipolar
schizophrenic
schizo
psychotic
ocd
autistic
adhd
manic
multiple personality
split personality
