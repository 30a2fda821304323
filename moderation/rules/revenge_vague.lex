# revenge_vague.lex: a vague doom for a target (violence_frames2.rules, violence.frame2.doom_means)
going to pay
will pay
they'll pay
regret it
all be sorry
find out what
make them feel
make sure nobody
nobody there forgets
won't see christmas
won't see wednesday
will not see christmas
get them back
get back at
one by one
put him in the ground
finish him
end him
settle it
he's done
won't forget
