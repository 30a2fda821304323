# violence_intent.lex: future and intent markers of threats, US and text-speak forms the older
# intent_verbs.lex lacks (violence_frames.rules)
finna
tryna
trynna
lemme
trying to             # the spelling map's standard words of tryna
let me                 # ... of lemme
fixing to
fixin to
boutta
bout to
gon
gunna
gan te                 # Geordie: going to
mi a go                # Jamaican: I am going to
mi ago
me a go
mi gwine
me gwine
ah go                  # Trinidadian, Bajan, Guyanese: I am going to
gine                   # Bajan, Guyanese: going to
guh
