# dehum_extra.lex: what hostile posts say people with a mental illness are or should be, beyond the
# older dehumanizing lists (stigma_frames.rules)
poison
poisonous
a liability
liabilities
time bombs
all snap
snap eventually
wild animals
basically animals
a waste of money
a waste of taxpayers money
a joke
a disgrace
an embarrassment
should be rounded up
should be sectioned
should be sacked
should be fired
shouldn't be hired
should not be hired
shouldn't be employed
unemployable
should have to tell
should have to declare
should have to register
should be registered
should be on a register
get them off
should be kept off
should be banned from
don't deserve
