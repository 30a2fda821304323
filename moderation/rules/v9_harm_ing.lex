# v9_harm_ing.lex: a first-person act of harm said as a plan in the progressive ("i'm battering him
# tomorrow", "next time i'm glassing that prick"), used by violence_v9.rules. Not "killing" (an idiom:
# "i'm killing him when he gets home, he ate my chips"), not "shooting" (photographers shoot people).
beating
battering
stabbing
knifing
shanking
strangling
choking
punching
smashing
glassing
bottling
bashing
decking
flooring
clobbering
leathering
thumping
whacking
poisoning
drowning
slapping
kicking
hurting
ending
jumping
