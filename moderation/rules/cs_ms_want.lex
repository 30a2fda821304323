# cs_ms_want.lex: Malay/Indonesian desire and intent words before the verb ("nak", "pengen")
nak
mahu
mau
pengen
pingin
ingin
nk
rasa nak
rasa macam nak
teringin nak
nak je
