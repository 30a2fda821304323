# heights.lex: a height a person can stand at the edge of (a fall from it kills). Narrower than
# high_places: no platform, window or tracks, which ordinary posts name all the time.
roof/s
rooftop/s
ledge
parapet
railing/s
top floor
highest floor
top level
top deck
multi-storey
multi-storey car park
multistorey
car park roof
carpark roof
tower block
cliff/s
cliff edge
cliff path
viaduct
overpass
flyover
bridge
