# right_now.lex: the present moment, as a post from a dangerous place says it.
now
right now
rn
currently
at the moment
as i type
as i write
as we speak
