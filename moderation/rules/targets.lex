# targets.lex: a named person a threat is aimed at (severity 3; 4 with a near time).
my boss
my ex
my dad
my mom
my mum
my teacher
my brother
my sister
my wife
my husband
my neighbour/s
my neighbor/s
my stepdad
that guy
that girl
him
her
my supervisor
my manager
my landlord
my uncle
my stepmom
the man
the guy
them
