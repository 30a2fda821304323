# fn_grp.lex: a group of people named by a mental illness or an addiction, as a plural noun
# (round 7, stigma functional tests). Used by stigma_fn.rules with a negative predicate.
schizophrenics
schizos
bipolars
bi polars
depressives
depresives
addicts
junkies
juunkies
smackheads
crackheads
druggies
alcoholics
anorexics
self-harmers
psychos
psycos
nutters
crazies
loonies
lunatics
maniacs
mental patients
psych patients
psych ward patients
psychiatric patients
psychiatric inpatients
the mentally ill
the mentaly ill
anxiety sufferers
ocd sufferers
the bpd crowd
the eating disorder crowd
