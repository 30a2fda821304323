# first_person.lex: the writer as the subject of a frame ("i", "im", "me").
# Apostrophes are optional ("i'm" also matches "im").
i
i'm
i've
i'd
me
