# violence_intent.lex: future and intent markers of threats, US and text-speak forms the older
# intent_verbs.lex lacks (violence_frames.rules)
finna
fixing to
fixin to
boutta
bout to
gon
gunna
gonnae                 # Scots: going to
gonny
gaunae
goin tae
gaun tae
gan te                 # Geordie: going to
gannin te
mi a go                # Jamaican: I am going to
mi ago
me a go
mi gwine
me gwine
mi wi
ah go                  # Trinidadian, Bajan, Guyanese: I am going to
ah goin
tryna
trynna
lemme
gine                   # Bajan, Guyanese: going to
guh
