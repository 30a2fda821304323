# target_places.lex: places named as the target of an attack
school
class
classroom
office
mall
church
mosque
temple
synagogue
campus
canteen
station
mrt station
mrt
train
bus
bus interchange
hawker centre
clinic
hospital
ward
factory
gym
party
concert
sch
poly
uni
tuition centre
agency
exam hall
training ground
