# harm_acts.lex: verbs of hurting a person, besides {harm_verbs} and {harm_verbs_more}
# (violence_more.rules: always with a person as object and a first-person intent before them).
punch
smash
knife
glass
choke
throttle
suffocate
drown
slit
gut
maim
cripple
batter
shank
butcher
knock out
poisoning
pukul
tumbuk
bunuh
tikam
