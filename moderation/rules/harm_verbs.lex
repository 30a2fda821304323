# harm_verbs.lex: harming someone else.
kill
murder
shoot
shoot up
stab
strangle
hurt
beat up
bomb
blow up
slaughter
burn
burn down
set fire to
poison
take out
chop
explode
beat to death
run over
massacre
