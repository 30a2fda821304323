# grievances.lex: what someone did to the writer, said before a threat (violence_frames.rules)
ruined my
humiliated me
humiliates me
fired me
sacked me
rejected me
laughed at me
bullied me
abused me
hurt my
took my
stole my
betrayed me
groped
raped me
assaulted me
beat me up
outed me
expelled me
kicked me out
threw me out
demoted me
passed me over
for what he did
for what she did
for what they did
