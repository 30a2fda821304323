# stash_cues.lex: a means put by, hidden or looked at (crisis_grammar5.rules, crisis.gram5.means_kept)
i know what the jar is for
nobody checks there
no one checks there
backup plan
laid them all out
just looked at them
just looking at them
keep looking at them
keep looking at it
keeps saying soon
been carrying it
been carrying them
hid it under
hidden under
wrapped in a tea towel
under my mattress
under my bunk
put it in my bag
i've held it
figured out the code
i know where he keeps
i know where she keeps
i know where the shells are
