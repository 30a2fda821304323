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
acetaminophen
nurofen
advil
citalopram
escitalopram
lexapro
paroxetine
venlafaxine
effexor
mirtazapine
amitriptyline
duloxetine
cymbalta
bupropion
wellbutrin
trazodone
zopiclone
zolpidem
stilnox          # zolpidem, as sold in Singapore
ambien
diazepam
lorazepam
ativan
clonazepam
klonopin
alprazolam
codeine
tramadol
morphine
oxycodone
fentanyl
olanzapine
risperidone
lamotrigine
pregabalin
lyrica
gabapentin
propranolol
antipsychotic/s
sleeping med/s
sleep med/s
sleeping tab/s
pain pill/s
anxiety med/s
mood stabiliser/s
mood stabilizer/s
