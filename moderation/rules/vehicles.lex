# vehicles.lex: vehicles a person could drive into people or a building (violence_frames.rules)
car/s
van/s
truck/s
lorry
lorries
ute
suv
pickup
bus
jeep
4x4
