# v9_places.lex: places a threat names that buildings.lex and target_places.lex do not (violence_v9.rules)
place
whole place
lobby
head office
admin building
credit union
bank
branch
plant
mill
barracks
ward
psych ward
mental hospital
halfway house
jobcentre
embassy
consulate
precinct
courthouse
hotel
motel
headquarters
site office
crew room
staff room
staffroom
