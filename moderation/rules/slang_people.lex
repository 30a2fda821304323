# slang_people.lex: words for a man, a woman or an enemy in the Englishes of the UK and Ireland,
# the US, the Caribbean and South Africa, named as the object of a threat (violence_slang.rules).
bloke
fella
geezer
lad/s
cunt/s
wanker/s
twat/s
dickhead/s
bellend/s
tosser/s
scumbag/s
scrote/s
gobshite/s
eejit
yute/s
bwoy
bwai
gyal
oke/s                  # South African: man
mofo/s
motherfucker/s
opp/s                  # drill: enemy
snitch
nonce
paedo
pedo
dude
roadman
wasteman
ned                    # Scots
gadgie                 # Geordie, Scots: man
boy/s
boi
sumbitch               # US South: son of a bitch
son of a bitch
grass
tout                   # Irish: an informer
