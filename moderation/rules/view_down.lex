# view_down.lex: how the drop or the water looks from there (crisis_grammar5.rules, crisis.gram5.place_view)
long way down
so far down
way down
look tiny
looks tiny
waist high
climbed over
harness is off
water looks
water's black
so dark tonight
really dark tonight
not getting on it
step forward
walk in
i'm waiting
over the rail
taken off my shoes
took off my shoes
storeys
floors
metres
kita ko
ang dali lang
