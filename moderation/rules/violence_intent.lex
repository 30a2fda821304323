# violence_intent.lex: future and intent markers of threats, US and text-speak forms the older
# intent_verbs.lex lacks (violence_frames.rules)
finna
fixing to
fixin to
boutta
bout to
gon
gunna
