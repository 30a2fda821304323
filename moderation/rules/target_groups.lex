# target_groups.lex: a group or a place a threat is aimed at (severity 4).
my school
my office
my class
my classmates
my coworkers
my colleagues
the school
school
the mall
the office
the church
the mosque
the temple
everyone at school
everyone at work
all of them
everyone
those people
them all
every one of them
everybody
the whole department
the staff
the ward
the factory
my workplace
my old school
the council
all those
that mosque
that school
