# poisons_world.lex: pesticides and household poisons people name for drinking or swallowing
# across West and East Africa, South Asia, the Caribbean and Southeast Asia (crisis_world.rules)
sniper
weedicide
herbicide
insecticide
dettol
harpic
celphos
sulphos
aluminium phosphide
rat bait
ratol
otapiapia
baygon
roundup
glyphosate
dichlorvos
nuvan
furadan
racumin
cattle dip
tick dip
gramazone
grass killer
hair dye
drain cleaner
caustic soda
battery acid
lye
malathion
organophosphate
sodium nitrite
