# poisons.lex: household poisons a person may say they will drink (crisis_grammar2.rules)
bleach
clorox
floor cleaner
toilet cleaner
weed killer
weedkiller
antifreeze
paraquat
pesticide
rat poison
kerosene
phenyl
paint thinner
gramoxone
