# mi_identity.lex: people named by a mental illness or by a label for it (a group).
mentally ill people
the mentally ill
people with mental illness
people with schizophrenia
people with bipolar
schizophrenic/s
schizo/s
bipolar people
depressed people
autistic people
psychos
crazy people
mental patients
mental cases
the insane
people with depression
addicts
drug addicts
junkies
crackheads
people with bpd
people with personality disorders
personality disorders
loonies
mental sick people
schizofrenic people
all the people from imh
these people
autistic         # "autistic players are a menace": an identity word before any noun
bpd              # "people w bpd r toxic"
mentally ill
psychiatric patients
psych patients
