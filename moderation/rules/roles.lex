# roles.lex: people named by their job or role, as targets of a threat (violence_frames.rules); the
# older relations.lex holds family, partners, work and school relations
pastor
priest
vicar
imam
rabbi
minister
bishop
deacon/s
bouncer
recruiter
instructor
sergeant
sarge
encik
platoon commander
commander
officer
lieutenant
corporal
captain
referee
umpire
physio
specialist
consultant
surgeon
psychiatrist
therapist
counsellor
counselor
social worker
caseworker
case manager
team lead
lecturer
professor
dean
judge
lawyer
solicitor
debt collector
bailiff
loan shark
employer
ma'am
boss's son
teammate/s
trainer
nurse
doctor
gp
dentist
landlady
