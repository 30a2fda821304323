# possessions.lex: what a person gives away before a farewell
things
stuff
belongings
possessions
clothes
books
guitar
console
games
collection
savings
jewellery
jewelry
plants
switch
ps5
xbox
hoodies
skins
watch
ring
wedding ring
bike
laptop
cat
dog
