# harm_ing.lex: harm verbs as gerunds, after "picturing", "thinking about", "planning" (violence_frames.rules)
killing
stabbing
shooting
strangling
murdering
hurting
poisoning
beating up
beating
choking
smothering
drowning
running over
knifing
bashing
slashing
