# commit_cues.lex: the writer binding themself to a threat said about someone else ("he's going to
# pay. i'll make sure of it"), for violence_frames.rules
i'll make sure
i will make sure
i mean it
i swear
i'll be the one
i will be the one
i'm bringing
i'm going there
i'm going round
i'll do it myself
i'll do it
i will do it
it's gonna be me
its gonna b me
it's going to be me
it'll be me
watch me
mark my words
