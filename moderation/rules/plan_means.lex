# plan_means.lex: what the writer takes or where they go for it (crisis_grammar5.rules, crisis.gram5.plan_unseen)
rope
charcoal
rifle
shotgun
the pills
blade
insulin
the tape
the cliffs
the water tower
wrote the letter
written a note
written the letter
leaving a note
won't be coming back
take everything
