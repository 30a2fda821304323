# farewell_ends.lex: an ending said to the readers (crisis_grammar5.rules, crisis.gram5.farewell_settled)
don't blame yourselves
don't blame yourself
it wasn't your fault
wasn't her fault
wasn't his fault
not their fault
won't see you
take care of each other
take care of yourselves
look after my dog
look after my cat
please pray for me
been a privilege
that's everything
nobody will have to
none of it matters
tell her it wasn't her
tell him it wasn't him
will not see you
