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
