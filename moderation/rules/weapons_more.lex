# weapons_more.lex: what people carry to hurt someone, besides {weapons} (violence_more.rules).
cricket bat/s
baseball bat/s
kitchen knife
carving knife
chopper/s
crowbar/s
spade
steel pipe/s
iron rod/s
brick/s
petrol
lighter fluid
kerosene
acid
molotov/s
golf club
chib/s                 # Scots: a blade
shiv/s
skeng/s                # Jamaican, UK: a gun or a knife
zombie knife
rambo knife
knuckle duster/s
brass knuckles
sawn-off
choppa/s               # US: a rifle
desi katta             # South Asia: a home-made pistol
tamancha
cosh
flick knife
switchblade/s
