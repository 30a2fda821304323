# mi_people.lex: people named by a mental-illness slur or label, as a group (stigma_words.rules).
# The older list {mi_identity} keeps the plain identities; these are the words of contempt.
madm/an/en
madwom/an/en
maniac/s
lunatic/s
nutter/s
crazies
loony
loonies
psycho/s
schizo/s
mental case/s
nutcase/s
crackhead/s
druggie/s
junkie/s
depressive/s
addict/s
drug user/s
methhead/s
tweaker/s
alcoholic/s
self harmer/s
autist/s
aspie/s
retard/s
borderlines
psychotics
psychopath/s
sociopath/s
manic depressive/s
anorexic/s
bulimic/s
