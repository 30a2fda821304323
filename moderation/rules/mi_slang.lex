# mi_slang.lex: mocking names for people with a mental illness that the older slur lists lack
# (stigma_frames.rules); plural or after "a right", "a total", "the rest of the"
fruitcake/s
fruit loop/s
fruitloop/s
loon/s
headcase/s
head case/s
nutjob/s
psycho/s
nutter/s
basket case/s
