# fn_good.lex: a good quality or a place in life denied to a group after {fn_never}
good parents
good students
good people
good teachers
good friends
good in a classroom
any good
be trusted
ever be trusted
fit to
capable of
loving
worth hiring
worth saving
worth the paperwork
be normal
ever be normal
real adults
real men
hold down
have what it takes
a second chance
deserve to be
deserves to be
be managers
be teachers
be parents
have kids
pay on time
a loyal friend
a decent colleague
contributed anything
a single decent thing
a single normal thought
teachin kids
truly happy
really happy
right again
honest
smart
amount to anything
cut out for
handle responsibility
be left alone with
