# v9_roles.lex: people and bodies by their role, whom an insult about medication is aimed at
# ("did the ref forget his lithium", "the council must have skipped their meds"): stigma_v9.rules
ref
referee
umpire
linesman
var
boss
manager/s
management
board
committee
council
councillor/s
government
minister/s
politician/s
mp
president
prime minister
landlord
letting agent
hr
admin/s
mod/s
moderator/s
reviewer
examiner
teacher
coach
driver
dispatcher
company
bank
airline
