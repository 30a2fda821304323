# weapons_improv.lex: everyday objects named as the means of a threat (violence_frames.rules)
jack handle
car jack handle
tyre iron
tire iron
wrench
spanner
screwdriver
box cutter/s
stanley knife
hockey stick
chain
metal pipe
lead pipe
iron bar
metal bar
