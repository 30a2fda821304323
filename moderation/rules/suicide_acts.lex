# suicide_acts.lex: ways of naming the act of suicide itself (not the feeling).
kill myself
end it all
end my life
die
hang myself
overdose
ctb
unalive myself
off myself
go through with it
take my own life
slit my wrists
shoot myself
stop existing
finish my life
end my story
end myself
kill my self
do suicide
