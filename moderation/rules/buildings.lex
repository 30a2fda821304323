# buildings.lex: places people threaten to burn, bomb or shoot up, besides {target_places} (violence_more.rules).
warehouse
depot
coffeeshop
shop
store
building
house
flat
hostel
nursery
centre
center
town hall
job centre
restaurant
pub
bar
library
court
police station
council office/s
social services
leisure centre
gaff                   # UK, Irish: a home
chapel
kirk                   # Scots: a church
gurdwara
mandir
masjid
madrassa
nightclub
bookies
chippy
dole office
high school
sixth form
