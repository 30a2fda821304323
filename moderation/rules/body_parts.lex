# body_parts.lex: where self-harm is done (with "my", "his", "her" before them in rules).
arm/s
forearm/s
wrist/s
thigh/s
leg/s
hand/s
skin
head
knuckles
stomach
fist/s
