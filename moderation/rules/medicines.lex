# medicines.lex: medicines named by brand or class, as in an overdose.
paracetamol
panadol
tylenol
ibuprofen
aspirin
sertraline
fluoxetine
prozac
zoloft
ssri/s
antidepressant/s
sleeping pill/s
sleeping tablet/s
painkiller/s
insulin
xanax
valium
lithium
seroquel
quetiapine
benzo/s
opioid/s
oxy/s
