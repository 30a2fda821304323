# means.lex: things named as the means of a suicide attempt.
pill/s
tablet/s
meds
rope
noose
charcoal
gun
blade/s
razor/s
knife
bleach
poison
