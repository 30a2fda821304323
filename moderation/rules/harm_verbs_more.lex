# harm_verbs_more.lex: more harm verbs for violence_lang.rules only (kept apart from harm_verbs.lex
# so that the older frames keep a rare prefilter trigger)
whack
slash
torture
hantam          # Malay: hit, beat ("hantam him until he cannot walk")
gun down
