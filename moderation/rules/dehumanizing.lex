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
