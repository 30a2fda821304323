# firearms.lex: guns and blades as people name them (make, calibre, slang), for threats said with
# a weapon (violence_frames.rules). The general words are in weapons.lex and weapons_more.lex.
12 gauge
12 gauge shotgun
ar-15
ak-47
glock
revolver
handgun
308
30-06
9mm
blade/s
shank
hunting knife
hunting rifle
deer rifle
crossbow
baseball bat
cricket bat
sar21
sar 21
bayonet
live rounds
