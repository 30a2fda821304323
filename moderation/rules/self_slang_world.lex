# self_slang_world.lex: ending one's own life in the slang of Englishes beyond the standard
# (UK/Irish/Australian "neck myself", Yorkshire "mesen", Caribbean "tek mi own life", online
# "self-delete"); read with an intent or attempt word (crisis_world.rules, crisis.world.slang)
neck myself
neck meself
neck mesen
rope myself
string myself up
string meself up
hang meself
hang mesen
kill mesen
top mesen
do mesen in
do away with myself
self-delete
self-unalive
kill mi self
kill miself
tek mi own life
tek my own life
take mi own life
tek mi life
end mi life
end it aw
finish myself off
finish meself off
roping myself
kill mehself
hang mehself
slit me wrists
slash me wrists
slash my wrists
gas myself
gas meself
poison meself
cap myself
cap meself
do away with meself
kill mesel
top mesel
hang mesel
do mesel in
end mesel
