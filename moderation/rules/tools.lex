# tools.lex: work tools used as weapons in threats (violence_more.rules).
spanner
wrench
box cutter
boxcutter
stanley knife
nail gun
forklift
screwdriver
grinder
chisel
pickaxe
shovel
scissors
cutter
metal bar
plank
pipe
