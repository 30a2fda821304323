# tp_urgent.lex: an urgent worry about the third party now (crisis_grammar5.rules, crisis.gram5.third_now)
not answering
isn't answering
hasn't answered
phone is off
phone is here
door is locked
locked herself
locked himself
who do i call
who to call
scared she means
scared he means
scared for him
scared for her
scared she'll
scared he'll
wasn't laughing
think he's serious
think she's serious
check on her
check on him
call the police
call polis
call security
rung the police
called the police
told the guard
think he serious
hindi na sumasagot
sino tatawagan
scared about tonight
how do i contact
