# self_slang.lex: ending one's life said in slang or algospeak (crisis_grammar.rules)
do myself in
do meself in
top myself
top meself
un-alive myself
un-alive meself
kill meself
off meself
end meself
end me
