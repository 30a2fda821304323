# target_places.lex: places named as the target of an attack
school
classroom
office
shopping mall
church
mosque
temple
synagogue
campus
canteen
station
mrt station
mrt
bus interchange
hawker centre
clinic
hospital
factory
gym
party
concert
tuition centre
agency
exam hall
training ground
university
polytechnic
