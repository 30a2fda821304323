# cs_ms_me.lex: Malay/Indonesian first-person subject words ("aku", "saya", "gue")
aku
saya
gue
gua
ak
sy
