# intent_verbs.lex: wanting, deciding or being about to do something.
want/s/ed
wanna
going to
gonna
gotta
need/s/ed
plan/s/ned
planning
decided
ready to
will
about to
thinking of
thinking about
can't wait to
should just
might just
ll       # the end of "i'll": the apostrophe parts it from "i" as a word of its own
shall
mean to
intend to
imma
finna
wnt
ima
i'ma
