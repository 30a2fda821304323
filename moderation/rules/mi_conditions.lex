# mi_conditions.lex: mental illnesses and conditions, as named after "suffers from".
depression
depresion
schizophrenia
bipolar
bipolar disorder
autism
ptsd
anxiety
ocd
adhd
alcoholism
addiction
anorexia
bulimia
mental illness
personality disorder
bpd
psychosis
dementia
