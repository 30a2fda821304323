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
# round 9: the victim does not come back ("he ain't walking back out"), the next one, the lesson
won't walk out
will not walk out
ain't walking
not walking out
is walking out
won't walk away
not walk away
he'll be next
he will be next
she'll be next
you're next
see how they like it
find out what happens
stop laughing
make them pay
make him pay
make her pay
make them all pay
know what it's like
get what's coming
