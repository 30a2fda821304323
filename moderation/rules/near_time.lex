# near_time.lex: time words that make intent urgent (intent + near time is severity 4).
tonight
today
tomorrow
right now
this weekend
this week
this evening
after tonight
before morning
in an hour
soon
later tonight
once everyone's asleep
