# ammo.lex: ammunition, only after a verb of keeping or using it on someone (violence_frames.rules)
rounds
bullets
ammo
shells
cartridges
