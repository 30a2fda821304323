# doom_words.lex: what a target "is going to" get, in a threat said about them (violence_frames.rules)
pay
pay for it
pay for this
pay for what they did
pay for what he did
pay for what she did
get it
get what's coming
get what it deserves
get what they deserve
get what he deserves
get what she deserves
burn
bleed
regret it
regret
be a bloodbath
b a bloodbath
