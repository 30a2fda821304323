# farewell_acts.lex: affairs settled before going (crisis_grammar5.rules, crisis.gram5.farewell_settled)
gave away
given away
rehomed
signed over
cancelled my phone
cancelled the lease
paid back
paid every bill
deleted my socials
deleted all my socials
deleted my insta
left my journal
wrote a note
wrote a letter
storage unit
key is under
password is in
you were the only
you made the last
