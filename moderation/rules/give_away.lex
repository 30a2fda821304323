# give_away.lex: verbs of handing one's things on (a warning sign when said with a farewell)
give/s/n
gave
giving
giving away
gave away
given away
hand out
handed out
handed over
