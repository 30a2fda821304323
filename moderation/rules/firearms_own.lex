# firearms_own.lex: a gun named plainly, by type, make or job (crisis_grammar.rules)
gun/s
pistol/s
rifle/s
shotgun/s
revolver/s
handgun/s
firearm/s
glock
1911
sidearm
service weapon
duty weapon
12 gauge
