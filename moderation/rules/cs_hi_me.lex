# cs_hi_me.lex: Hindi/Urdu first-person subject words in Roman script ("main", "mujhe")
main
mai
mujhe
mujhko
muje
mjhe
hume
humein
