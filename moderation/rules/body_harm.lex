# body_harm.lex: body parts named in a threat to break or smash them (violence_more.rules).
face
head
skull
leg/s
arm/s
hand/s
finger/s
neck
jaw
teeth
nose
knee/s
kneecaps
rib/s
bone/s
spine
throat
heid                   # Scots: head
coupon                 # Scots: face
puss                   # Irish: face
gob
napper
noggin
bonce
kisser
