# dehumanizing_pred.lex: what a group is called or told when it is written off (stigma_words.rules).
# Verb forms that {dehumanizing} has only in one person ("belong in a zoo") and more nouns.
belongs in a zoo
belong in a cage
belongs in a cage
belong in cages
belongs in cages
belong in an asylum
belongs in an asylum
belong behind bars
belongs behind bars
belong locked up
belongs locked up
parasite/s
leech/es
freeloader/s
scrounger/s
criminals-in-waiting
beast/s
a drain
a menace
a plague on
a danger to
a disease
rabid dogs
wild animals
should be caged
should be put away
should be locked up
should be put in
shouldn't be allowed
should not be allowed
don't belong
do not belong
not safe
useless bunch
liar/s
thief
thieves
selfish
weak people
made their choice
don't deserve
should be locked away
shouldn't come
should not come
like broken
litter
shouldn't breed
should not breed
shouldn't reproduce
should be euthanized
should be euthanised
should be culled
need to be culled
should be hanged
deserve to die
deserve to suffer
a cancer
a cancer on society
degenerate/s
savages
creatures
defective
inferior
a waste of oxygen
wastes of oxygen
a blight
spongers
unfit to be parents
unfit parents
should be isolated
should be kept away from
no place in society
weak
robots
need to toughen up
need to man up
need to grow up
should snap out of it
should get over it
deserve what they get
snowflakes
annoying and weird
creepy
weirdos
