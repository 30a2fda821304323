# fn_cond.lex: a mental illness, addiction or its treatment after "people with", "staff on"
schizophrenia
bipolar
depression
anxiety
an anxiety disorder
bpd
bdp
ocd
adhd
ptsd
psychosis
autism
an eating disorder
eating disorders
a mental illness
mental illness/es
mental health issues
mental problems
a personality disorder
personality disorders
the personality disorder
anorexia
addiction
psych meds
psychiatric meds
meds for anxiety
antidepressants
antipsychotics
a psych diagnosis
anxeity
meds
therapy
