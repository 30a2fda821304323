# fn_hate.lex: the writer's hatred or disgust, said before the group it is aimed at
# ("I can't stand people with schizophrenia", "fuck every addict")
hate
i hate
can't stand
cannot stand
despise
loathe
detest
resent
can't bear
sick of
sick to death of
fed up with
contempt for
disgusted by
repulsed by
nothing but contempt for
nothing revolts me more than
fills me with more rage than
fuck
fuck every
screw
piss off with
