# trivia_things.lex: things (and umpires) that people call "bipolar" or "schizophrenic" when they mean
# changeable (stigma_frames.rules)
weather
forecast
sky
climate
british summer
summer
spring
autumn
winter
market
stock market
economy
wifi
internet
printer
laptop
phone
computer
boiler
heating
thermostat
washing machine
engine
sat nav
traffic
ref
referee
umpire
var
team
league
app
website
group chat
prices
my hair
cat
dog
mood ring
hr
management
the company
the council
the government
the system
my boss
the school
board
parole board
committee
panel
admin
the department
