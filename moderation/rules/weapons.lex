# weapons.lex: weapons in threats against others.
gun/s
pistol
rifle
shotgun
knife
knives
machete
bomb/s
axe
bat
parang           # a machete (Malay, Singapore)
cleaver
hammer
