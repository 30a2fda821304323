# medicines_more.lex: more medicines by brand or class (antidepressants, sleeping pills, benzodiazepines,
# opioids, antipsychotics, Singapore brands); apart from medicines.lex so each stays one prefilter
# literal group (at most 64 forms)
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
