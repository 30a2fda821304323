# help_refused.lex: the asker refuses help in advance (crisis_grammar5.rules, crisis.gram5.lethal_refuse)
not a lecture
don't lecture me
dont lecture
no lectures
don't reply with hotline
dont reply with hotlines
don't send me hotlines
no hotline numbers
no hotlines
not a story
asking for me
please honest
serious asking
seryoso ako
want to be sure
