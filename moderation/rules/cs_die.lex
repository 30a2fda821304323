# cs_die.lex: dying, as the spelling map reads the Hindi/Urdu verb ("marna" -> "to die") and the
# forms it leaves out ("mar jaun"); read before a verb-final modal ("chahta hoon", "hai")
mar jaun
mar jaaun
mar jaau
mar jaon
mar jaye
mar jaaye
mar jau
mar jaana
mar jana
