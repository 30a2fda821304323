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
