# dehumanizing.lex: predicates that deny a group its humanity or call for it to be removed.
scum
a menace
vermin
animals
a drain on society
a burden on society
parasites
subhuman
garbage
trash
freaks
belong in a zoo
belong in cages
should be locked up
should be put down
should be shot
should be gassed
should be sterilized
should all die
should be exterminated
waste of space
not human
dangerous
a danger
is danger
lost causes
monsters
manipulative monsters
a plague
scum of the earth
garbage of society
like animals
like animal
basically animals
should be kicked out
shouldn't be allowed to
should not be allowed to
must stay in hospital forever
should just be locked up
should be lock
let them rot
should pay for their own
a waste of nhs beds
a drain on       # "a drain on the health service", "on the economy", "on taxpayers"
a burden on      # "a burden on taxpayers"
a menace to
dead weight
belong in the zoo
belong in a cage
should be banned
toxic
