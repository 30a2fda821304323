# others_away.lex: a time chosen when nobody will stop or find the writer (crisis_grammar5.rules, crisis.gram5.plan_unseen)
after everyone sleeps
when everyone sleeps
once everyone's asleep
when everyone's asleep
when she's at church
when he's at work
when she's at work
when the kids are at
when they're at
when my housemate is at
when my flatmate is at
my flatmate leaves
my housemate leaves
my wife leaves
when my mother in law has
wife thinks i'm
husband thinks i'm
nobody goes there
nobody comes up here
nobody will find
before the gaffer gets in
before anyone gets in
wala pang nakakaalam
