# high_places.lex: where a person stands before a fall, and platforms and tracks.
roof
rooftop
ledge
top floor
highest floor
hdb block
block
bridge
cliff
balcony
corridor
parapet
railing
mrt platform
train platform
platform
tracks
window
