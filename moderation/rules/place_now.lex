# place_now.lex: the writer is at a high or deadly place now (crisis_grammar5.rules, crisis.gram5.place_view)
standing on the
standing at the
sitting on the
sitting at the
sat on the
leaning on the
parked on the
stopped on the
up here now
made it up to
top level of
top deck of
top floor of
at the top of
at the edge of
on the edge of
on the roof of
on the rooftop
on the footbridge
on the bridge
on the pier
at the mrt platform
at the platform
down to the train tracks
nasa rooftop
andito ako sa
