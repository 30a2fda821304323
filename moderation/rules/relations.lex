# relations.lex: a person named by relation, role or a demonstrative, after "my", "that", "the";
# the slot of violence_lang.rules is (?:my|our|that|this|the|his|her)\s+(?:\w+\s+)?{relations}
stepdad
stepfather
stepmom
stepmum
stepmother
stepbrother
stepsister
father
mother
dad
mum
mom
brother
sister
son
daughter
son-in-law
daughter-in-law
father-in-law
mother-in-law
husband
wife
ex
ex-husband
ex-wife
boyfriend
girlfriend
bf
gf
partner
uncle
aunt
cousin
grandpa
grandma
nephew
niece
boss
manager
supervisor
teacher
tutor
principal
coach
classmate/s
coworker/s
colleague/s
roommate/s
flatmate/s
housemate/s
neighbour/s
neighbor/s
landlord
bully
bullies
abuser
rapist
guy
girl
man
woman
kid/s
bitch
bastard
prick
da                     # Scots, Irish, northern English: dad
mam                    # northern English, Irish, Welsh: mum
maw                    # Scots: mum
mammy
mummy
mommy
pops
moms
old man
old lady
auld man               # Scots: father
missus
hubby
wifey
fiance
fiancee
baby mama
baby mother
baby daddy
baby father
babymother
stepson
stepdaughter
stepda
gran
granny
nan
granda
grandad
gaffer                 # UK: boss
headteacher
headmaster
ex-boyfriend
ex-girlfriend
# round 9: plurals and the staff of supported living
teachers
support worker/s
carer/s
social worker/s
