# dehumanizing_more.lex: predicates that strip people with a diagnosis of trust, worth or a place
# among others ("are violent", "can't be trusted", "should be kept away"); see stigma_lang.rules
violent
weak and lazy
lazy
ticking time bomb/s
time bomb/s
unreliable
can't be trusted
cannot be trusted
never be trusted
shouldn't have kids
should not have kids
shouldn't be allowed out
should not be allowed out
should be sent away
should be kept away
should be removed
should be put away
should be locked away
useless
worthless
leeches
evil
possessed
demons
a threat
killers
criminals
faking it
attention seekers
pathetic
less than human
animals in clothes
broken goods
filth
a burden nobody asked for
spoilt brats
weak trash
freeloaders
should be sterilised
should be sterilized
in cages
beasts
don't belong
belong in a ward
useless bunch
not safe
drain on society
shd all b locked up
should all be locked up
