# harm_slang.lex: verbs of hitting, stabbing, shooting or killing a person in the Englishes of the
# UK and Ireland, the US, South Africa, Australia and New Zealand, the Caribbean, Malaysia and
# online slang (violence_slang.rules). Only verbs whose object is a person: the words that also
# take things ("flog", "burst", "smoke", "ice", "bottle", "cap", "waste") are in the rule's
# him-only pattern, not here.
lamp
leather
panel                  # Scots: beat up
chib                   # Scots: slash with a blade
malky                  # Scots: slash (rhyming slang, Malcolm Fraser = razor)
plunge                 # Scots: stab
bray                   # Geordie, Yorkshire: beat
twat
thump
clobber
wallop
headbutt
merk                   # drill, US: kill
murk
duppy                  # Jamaican, UK: kill (make a ghost of)
cheff                  # UK drill: stab
whup
whoop
stomp
snot                   # Australian: punch
juk                    # Jamaican, Trinidadian: stab
jook
buss                   # Jamaican: shoot, burst
cutlass                # Caribbean: chop with a cutlass
planass                # Caribbean: beat with the flat of a cutlass
tump                   # Trinidadian: punch
moer                   # South African: beat up
klap                   # South African: hit
donner                 # South African: beat up
bliksem                # South African: hit
belasah                # Malay: beat up
bantai                 # Malay: beat up, slaughter
hentam                 # Malay: hit
lempang                # Malay: slap
terajang               # Malay: kick
unalive                # online: kill
shiv
king hit               # Australian: punch from behind
coward punch
kneecap                # Northern Irish: shoot in the knees
stripe                 # Scots: slash the face
pistol whip
thrash                 # South Asian English: beat
