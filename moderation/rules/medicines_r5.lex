# medicines_r5.lex: medicines and household poisons named in the round-5 voices, for lethality
# questions (crisis_grammar2.rules); the older lists are full (64 forms per literal group)
co-codamol
paracetamol
tylenol
oxycodone
amitriptyline
propranolol
potassium
sleeping tablet/s
sleeping pill/s
painkiller/s
heart pill/s
adderall
methadone
insulin
laxative/s
caffeine pill/s
panadol
