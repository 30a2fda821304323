# threat_means.lex: a means or a knowledge of the target that makes a threat real (violence_frames2.rules)
i know where he
i know where she
i know where they
got his address
looked up her address
have their address
know his routine
know their rota
i know when the
layout in my head
access card
gun ready
knife is ready
knife under my pillow
hunting knife
dad's gun
my own weapon
petrol in the garage
can of diesel
bought a knife
angle grinder
pipe wrench
parang
bolo
i have a plan
a way to do it
