# mi_places.lex: places where people with mental illness or addiction live or are treated, as the
# target of a threat (stigma_frames.rules)
psych hostel
mental health hostel
psych unit
psych ward
mental health unit
mental health ward
mental hospital
psychiatric hospital
psychiatric unit
mental health centre
mental health center
crisis house
halfway house
group home
rehab
rehab centre
methadone clinic
drug clinic
imh
asylum
