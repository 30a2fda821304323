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
# round 9: a weapon or fuel already to hand, a knowledge of the target's place or habits
got a knife
got the knife
got my knife
knife in my bag
knife in the car
knife in the glovebox
blade in my bag
got the bat
bat by the door
knife by the door
can of petrol
can of gas
gas can/s
jerry can/s
petrol in the boot
petrol in the van
petrol in the car
i know which
his shift pattern
her new address
their real names
know their names
know who every one
