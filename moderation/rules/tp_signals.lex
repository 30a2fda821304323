# tp_signals.lex: what a third party said or did that signals risk now (crisis_grammar5.rules, crisis.gram5.third_now)
said goodbye
say goodbye
posted a goodbye
wrote goodbye
selamat tinggal
thanks for everything
sorry for the trouble
send my things
you were like a son
rather be dead
rather step in front
rather die
wants to disappear
bunuh diri
ayoko na mabuhay
after i'm gone
if i don't come back
won't be around
how to hang
cuts on her
all his guns
pills in his drawer
bought weed killer
knows how to fix this
goodbye
wants to die
