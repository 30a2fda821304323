# places_now.lex: where a person can stand above a drop, by water or by a train line
# (crisis_grammar.rules: "I'm on the X" together with what pulls them there)
roof/s
rooftop
ledge
parapet
railing/s
bridge
footbridge
overpass
flyover
viaduct
pier
sea wall
cliff/s
platform
tracks
level crossing
balcony
stairwell
multi storey
helipad
overlook
top floor
car park
carpark
window
grave
multistorey
landing
scaffolding
corridor
