# person_roles.lex: people named by their role in a threat against one person (violence_more.rules).
driver
bus driver
guard
security guard
cashier
bouncer
ref
referee
officer
conductor
shopkeeper
counsellor
therapist
social worker
priest
pastor
imam
judge
lawyer
councillor
politician
foreman
headteacher
headmaster
lecturer
professor
