# sh_verbs.lex: ways of hurting one's own body.
cut/s/ting
make cuts on
burn/s/ed/t/ing
scratch/es/ed/ing
hit/s/ting
struck
bang/s/ed/ing
punch/es/ed/ing
carve/d/s
carving
stab/bed/bing
slam/med/ming
