# fn_attr.lex: a negative attribute given to a whole group after "are", "r", "is" ("people with
# ADHD are stupid and useless"); stigma_fn.rules requires the copula and excepts negation
lazy
lazzy
stupid
useless
manipulative
manipulator/s
manipulater/s
liar/s
lyars
lyers
selfish
vain
weak
pathetic
coward/s
exhausting
insufferable
unbearable
annoying
boring
the most boring
thick
feral
fragile
soft
unreliable
unrelyable
unstable
unpredictable
dangerous
dangerus
a nightmare
the worst
a liability
poison
filthy
whiny
gutless
losers
broken losers
brats
spoilt
spoilt brats
drama queens
attention seekers
attention seeking
just seeking attention
faking it
putting it on
junk
thieves
theives
little shits
shits
twats
bastards
bitches
crazy bastards
selfish cowards
zombies
walking zombies
reptiles
livestock
cattle
feral dogs
rabid dogs
sick dogs
vermin
parasites
parasits
human garbage
defective
defective units
defective creatures
not real people
aren't real people
not humans
barely human
more animal than man
empty shells
scum
freaks
freeks
ticking time bombs
time bombs
evil
attention seeker
beyond saving
beyond help
a lost cause
a waste of money
self-obsessed
obsessed with themselves
all the same
whatever happens to them
every bad thing
what they get
to rot
fake
disgusting
gross
revolting
vile
repulsive
creepy
irritating
toxic
