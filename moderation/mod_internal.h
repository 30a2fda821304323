/*
 * mod_internal.h: what the files of the moderation module share and mod.h does not promise.
 *
 * - Views (normalize.c): normalized copies of a text with a per-byte map back to the original.
 * - Literal extraction (literal.c) and the trigram prefilter (prefilter.c): how one pass over a view
 *   finds which rule patterns are worth running, and where.
 * - Word starts (word_starts.c): where the ASCII words of a view start, for patterns that start at one.
 * - Context lists (context.c): cue phrases and the window checks that use them.
 * - The ruleset (rules.c) and the screening that reads it (screen.c).
 * Everything here is owned by the ruleset or by the one mod_screen() call that made it.
 */
#ifndef HEARTH_MOD_INTERNAL_H
#define HEARTH_MOD_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

#include "mod.h"

/* memcmp(a, b, n) == 0 for the short strings the filter compares (literals, words), without a
 * call: the call costs more than such a comparison. */
static inline bool mod_same_bytes(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* One of 512 bits for the trigram at p: screening rules out a literal whose first trigram's bit
 * a window does not have (the window's bits are hashed the same way, rolling). */
static inline unsigned mod_tri_bit(const unsigned char *p)
{
	return ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 0x9E3779B1u >> 23;
}

/* ---- views ---------------------------------------------------------------------------------- */

/* One view of a text. text is NUL-terminated valid UTF-8. For each byte i of text, src[i] is the
 * offset in the original text of the unit that produced it and srclen[i] that unit's length (a code
 * point, an invalid byte, or a squeezed run), so a view span [s, e) maps to the original span
 * [src[s], src[e-1] + srclen[e-1]). xf[i] holds the MOD_XF_* transforms that produced the byte.
 *
 * identity: the map is the identity (src[i] == i, srclen[i] == 1, xf[i] == 0) and src, srclen and
 * xf are not filled in (pure ASCII text with no emphasis marker removed: the common case). Only the
 * *_into builders leave a view so; read the map through mod_view_src() and friends. */
struct mod_view {
	char *text;
	uint32_t *src;
	uint8_t *srclen;
	uint16_t *xf;
	size_t len, cap;
	size_t mapcap;          /* room in src, srclen and xf */
	unsigned xf_any;        /* OR of all xf[] */
	bool ambiguous;         /* an ambiguous leet character (1 | !) was folded by a guess */
	bool identity;
};

static inline uint32_t mod_view_src(const struct mod_view *v, size_t i)
{
	return v->identity ? (uint32_t)i : v->src[i];
}

static inline unsigned mod_view_srclen(const struct mod_view *v, size_t i)
{
	return v->identity ? 1u : v->srclen[i];
}

static inline unsigned mod_view_xf(const struct mod_view *v, size_t i)
{
	return v->identity ? 0u : v->xf[i];
}

/* Builds the normal view of text[0..len): NFKC, case folding, default ignorables and marks removed,
 * typographic quotes and dashes folded, emphasis markers touching a word removed. Invalid UTF-8
 * bytes become U+FFFD and set *invalid. Returns 0, or -1 when out of memory. The map is always
 * filled in (identity is false). */
int mod_view_normal(struct mod_view *view, const char *text, size_t len, bool *invalid);

/* Builds the de-obfuscated view from a normal view: spaced letters joined, look-alike letters and
 * leetspeak folded, runs of 3+ of one letter squeezed to one. flip_ambiguous reverses every guess
 * made for an ambiguous leet character (i <-> l). Returns 0, or -1 when out of memory. */
int mod_view_deobfuscate(struct mod_view *out, const struct mod_view *normal, bool flip_ambiguous);

/* The same two, reusing the buffers view already holds (a zeroed view, or one built before and
 * not yet freed). mod_view_normal_into may leave an identity view. */
int mod_view_normal_into(struct mod_view *view, const char *text, size_t len, bool *invalid);
int mod_view_deobfuscate_into(struct mod_view *out, const struct mod_view *normal,
                              bool flip_ambiguous);

/* False when the de-obfuscated view of this normal view would be identical to it. */
bool mod_view_needs_deobfuscation(const struct mod_view *normal);

void mod_view_free(struct mod_view *);

struct mod_spelling;

/* Builds the spelling view of a normal view: every whole word the map has ("cannae", "u") replaced
 * by its standard words ("cannot", "you"), each of their bytes mapped to the whole source word
 * with MOD_XF_SPELLING (and the word's emphasis). Returns 1 when built, 0 when the normal view
 * holds no mapped word (out is left as it was: no view to scan), -1 when out of memory. */
int mod_view_spelling_into(struct mod_view *out, const struct mod_view *normal,
                           const struct mod_spelling *sp);

/* ---- literal extraction and prefilter --------------------------------------------------------- */

#define MOD_LITSET_MAX 64
#define MOD_LIT_LEN_MAX 48
#define MOD_LIT_MIN 3           /* shortest literal the trigram prefilter can use */

#define MOD_LIT_EXTRA_MAX 3

struct mod_litgroup {
	size_t count;
	uint8_t len[MOD_LITSET_MAX];
	char lit[MOD_LITSET_MAX][MOD_LIT_LEN_MAX];
};

/* Every match of the pattern contains a member of primary (the prefilter's trigger) and, for a
 * pattern that is a sequence, a member of each extra group too (checked in the window before the
 * pattern runs). */
struct mod_litset {
	struct mod_litgroup primary;
	size_t nextra;
	struct mod_litgroup extra[MOD_LIT_EXTRA_MAX];
	struct mod_litgroup lead;   /* when count > 0: every match starts with a member */
	bool lead_wb;           /* every match starts at a \b, and every lead member with [a-z0-9_] */
};

enum mod_lit_result {
	MOD_LIT_OK,             /* *out holds literals, each at least MOD_LIT_MIN bytes */
	MOD_LIT_NONE,           /* no usable literal: the pattern must be run over the whole view */
	MOD_LIT_UPPERCASE       /* a literal upper-case ASCII letter can never match folded text */
};
enum mod_lit_result mod_literals(const char *pattern, size_t len, struct mod_litset *out,
                                 size_t *bad_offset);

/* How often some member of g turns up in posts, in arbitrary units (a common word: 1000 or more;
 * a set of long distinctive words: a few). Used to choose the trigger and which extra groups the
 * prefilter looks for. */
unsigned mod_litgroup_cost(const struct mod_litgroup *g);

/* Only the upper-case check of mod_literals: true (and *bad_offset) when it would say
 * MOD_LIT_UPPERCASE. */
bool mod_literals_uppercase(const char *pattern, size_t len, size_t *bad_offset);

struct mod_pf_entry {
	uint32_t key;           /* first three bytes of lit */
	uint32_t pattern;       /* index into the ruleset's patterns */
	uint16_t len;
	uint16_t group;         /* 0: the pattern's trigger literals; g > 0: its extra group g - 1 */
	const char *lit;        /* owned by the ruleset's pool */
	uint16_t litidx;        /* its literal among the distinct literals of its slot */
};

/* A distinct literal of a slot: bytes 3..10 as a masked word, so most compare in one step. Its
 * entries are entries[lit_entries[entry_first + k]] for k < entry_count, in entry order. */
struct mod_pf_lit {
	uint64_t tail, mask;
	const char *lit;
	uint16_t len;
	uint32_t entry_first, entry_count;
};

#define MOD_PF_SLOT_LITS 256    /* more distinct literals on one trigram: compared entry by entry */

/* A slot with more distinct literals than this has a fourth-byte index: a position compares
 * only the literals whose fourth byte is the one that follows the trigram there. */
#define MOD_PF_SLOT_INDEXED 8

/* A fourth-byte group of an indexed slot with more literals than this (and at most 255) has a
 * fifth-byte index too ("the " starts some 45 literals: "the bridge", "the rope", ...). */
#define MOD_PF_BUCKET_INDEXED 8

/* fourth: bit (c & 63) set when a literal of the slot has fourth byte c; every bit when one is
 * three bytes long. The slot's literals are ordered: the three-byte ones (n3) first, then by
 * fourth byte, and among those the four-byte ones first, then by fifth byte. by_fourth: when not
 * UINT32_MAX, pf->fourth_start[by_fourth + c] .. [by_fourth + c + 1] are the literals (counted
 * from lit_first) with fourth byte c. The groups of the slot with a fifth-byte index are
 * k = fifth_first .. fifth_first + nfifth - 1: pf->fifth_byte[k] is the group's fourth byte and,
 * counted from the group's start, its four-byte literals are [0, f[0]) and its literals with
 * fifth byte d [f[d], f[d + 1]) (the group's end for d = 255), f = pf->fifth_start + 256 * k. */
struct mod_pf_slot {
	uint32_t key_plus1, first, count, lit_first, nlits, n3, by_fourth;
	uint16_t fifth_first, nfifth;
	uint64_t fourth;
};

/* Trigram index over literals: one pass over a view reports every literal occurrence. */
struct mod_prefilter {
	uint64_t bloom[1024];           /* bit (hash & 0xffff) set when some trigram hashes there */
	struct mod_pf_entry *entries;   /* sorted by key, then pattern */
	size_t nentries, cap;
	struct mod_pf_slot *slots;      /* open addressing, nslots a power of two */
	size_t nslots;
	unsigned slot_shift;            /* slot of a key: its hash >> slot_shift */
	struct mod_pf_lit *lits;        /* distinct literals, slot by slot */
	size_t nlits;
	uint32_t *lit_entries;          /* the entries of each literal (mod_pf_lit) */
	uint16_t *fourth_start;         /* 257 offsets per indexed slot (mod_pf_slot.by_fourth) */
	size_t nfourth;
	uint8_t *fifth_byte;            /* per fourth-byte group with a fifth-byte index: its byte */
	uint8_t *fifth_start;           /* and 256 offsets (mod_pf_slot.fifth_first) */
	size_t nfifth;                  /* such groups */
	uint32_t *full;                 /* patterns without literals: scanned over the whole view */
	size_t nfull, fullcap;
};

int mod_prefilter_add(struct mod_prefilter *, const char *lit, size_t len, uint32_t pattern,
                      unsigned group);
int mod_prefilter_add_full(struct mod_prefilter *, uint32_t pattern);
int mod_prefilter_build(struct mod_prefilter *);
void mod_prefilter_free(struct mod_prefilter *);

/* Calls hit(arg, pattern, group, lit_start, lit_end) for every literal occurrence in
 * text[0..len), in order of lit_start. Stops early when hit returns non-zero and returns that. */
typedef int mod_pf_hit_fn(void *arg, uint32_t pattern, unsigned group, size_t start, size_t end);
int mod_prefilter_scan(const struct mod_prefilter *, const char *text, size_t len,
                       mod_pf_hit_fn *hit, void *arg);

/* ---- word starts ------------------------------------------------------------------------------ */

/* Which bytes of a view start an ASCII word (a byte of [A-Za-z0-9_] not after one), by first
 * byte: a pattern that starts at \b with a word character (lead_wb) can only match there. One
 * bitmap of nwords words per group of mod_word_group() (lead_wb first bytes: [a-z0-9_]): byte i
 * is bit i % 64 of bits[group * nwords + i / 64]; bits past the view's length are 0. Built on first
 * use for a view; whoever reuses it for another view clears built first. */
#define MOD_WORD_GROUPS 37

static inline int mod_word_group(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '0' && c <= '9')
		return 26 + (c - '0');
	return c == '_' ? 36 : -1;
}

struct mod_word_starts {
	uint64_t *bits;
	size_t nwords, cap;     /* cap: words allocated in bits */
	bool built;
};

int mod_word_starts_build(struct mod_word_starts *, const char *text, size_t len); /* -1: no memory */
void mod_word_starts_free(struct mod_word_starts *);
void mod_word_starts_trim(struct mod_word_starts *);    /* frees it when large */

/* ---- context lists ---------------------------------------------------------------------------- */

enum mod_list_id {
	MOD_LIST_NEGATION, MOD_LIST_PAST, MOD_LIST_QUOTE, MOD_LIST_MEDIA, MOD_LIST_QUESTION,
	MOD_LIST_THIRD_PARTY, MOD_LIST_SELF, MOD_LIST_CLINICAL, MOD_LIST_CRITICISM,
	MOD_LIST_FIRST_PERSON,  /* blocks third_party: "my friend asked if I ..." */
	MOD_LIST_CLAUSE,        /* words that end a clause: "but", "although" */
	MOD_LIST_ADDRESSEE,     /* second person: "are you", "yourself" */
	MOD_LIST_COUNTER,       /* counter-speech: "stop calling people" */
	MOD_LIST_RECOVERY,      /* told as recovery: "years ago", "clean for" */
	MOD_LIST_CURRENT,       /* takes recovery back: "again", "still", "tonight" */
	MOD_LIST_NEAR_TIME,     /* whole-post severity: "tonight", "this weekend", "on friday" */
	MOD_LIST_RECOVERED,     /* whole post told as recovery: "i'm ok now", "it gets better" */
	MOD_LIST_RELAPSE,       /* takes the whole-post recovery back: "again", "lately" */
	MOD_LIST_WORD_TALK,     /* context word: talk about a word, "the word", "algorithm" */
	MOD_LIST_RETURN,        /* context return, whole post: "see you all after", "back on the" */
	MOD_LIST_NO_RETURN,     /* takes the return back: "forever", "for good", "the other side" */
	MOD_LIST_GAME,          /* context game: "in the game", "my character", "speedrun" */
	MOD_LIST_GAME_REAL,     /* takes game back: "irl", "real life", "not the game" */
	MOD_LIST_PAST_REF,      /* a later sentence dates an earlier one: "that was 12 years ago" */
	MOD_LIST_BEEN_THERE,    /* a reply recalls the writer's past: "i've been where you are" */
	MOD_LIST_IDIOM,         /* whole post: an idiom of dying, "killing myself laughing": no model crisis */
	MOD_LIST__MAX
};

enum mod_scope { MOD_SCOPE_BEFORE, MOD_SCOPE_AFTER, MOD_SCOPE_SENTENCE, MOD_SCOPE_MATCH,
	MOD_SCOPE_START, MOD_SCOPE__MAX };

#define MOD_CUE_WORDS_MAX 8

struct mod_cue {
	const char *word[MOD_CUE_WORDS_MAX];    /* pool strings; a trailing '*' was cut and sets prefix */
	uint8_t wordlen[MOD_CUE_WORDS_MAX];
	uint8_t prefix;                         /* bit i: word i matches as a prefix */
	uint8_t number;                         /* bit i: word i is <n>, any number (12, twelve) */
	uint8_t nwords;
	uint8_t scope;                          /* enum mod_scope */
	uint8_t distance;                       /* words, for before/after */
	bool quoted;                            /* counts only when the match is quoted */
};

#define MOD_CUE_BUCKETS 256

/* Cues indexed by their first word's first two bytes and length (numbers, and cues starting with
 * <n>, share one bucket; a prefix cue is in the bucket of each length it matches, so order holds
 * more entries than there are cues): a window word only tries the cues of its bucket (built by
 * mod_lists_parse, see word_bucket in context.c). */
struct mod_list {
	struct mod_cue *cues;
	size_t count, cap;
	uint16_t bucket_start[MOD_CUE_BUCKETS + 1];  /* cues of bucket b: order[start[b]..start[b+1]) */
	uint16_t *order;
};

struct mod_lists {
	struct mod_list list[MOD_LIST__MAX];
};

/* Frees the cue arrays (the words live in the ruleset's pool). */
void mod_lists_free(struct mod_lists *);

/* Facts about the line at every MOD_QI_STEP-th byte of a view, so that the quote check of a
 * match on a very long line reads at most MOD_QI_STEP bytes before it instead of the whole line.
 * Built on first use for a view longer than MOD_QI_STEP; whoever reuses it for another view (or
 * another text in the same buffer) clears built first. */
#define MOD_QI_STEP 1024

struct mod_qi_point {
	uint32_t line_start;    /* start of the line holding this byte */
	uint32_t nonblank;      /* first byte of that line that is not a blank, or this byte if none
	                           comes before it */
	uint32_t dquotes;       /* '"' in [line_start, this byte) */
};

struct mod_quote_index {
	struct mod_qi_point *pt;
	size_t npt, cap;
	bool built;
};

void mod_quote_index_free(struct mod_quote_index *);
void mod_quote_index_trim(struct mod_quote_index *);    /* frees it when large */

/* Which of the context bits in wanted fire for view span [start, end). qi may be NULL.
 * post_recovered: the whole post is told as recovery (a cue of list recovered and none of list
 * relapse anywhere in it); then a sentence with a cue of list past and none of list current
 * fires RECOVERY too ("I overdosed in 2019. ... I'm ok now, it gets better"), and so does one
 * dated by a sentence next to it (one of the next two, or the one before) with a cue of list past
 * and one of list recovery ("5 years ago I ...", "I stopped at 19") or, after it only, starting
 * with a cue of list past_ref ("I took an overdose. That was 12 years ago."). */
unsigned mod_context_eval(const struct mod_lists *, const struct mod_view *, size_t start,
                          size_t end, unsigned wanted, struct mod_quote_index *qi,
                          bool post_recovered);

/* Whether a cue of list id occurs anywhere in the view, sentence by sentence (scopes are not
 * checked: any place in a sentence counts). */
bool mod_context_post_has(const struct mod_lists *, const struct mod_view *, enum mod_list_id id,
                          struct mod_quote_index *qi);

/* Sentence around [start, end) in view text: [*s, *e), both on character boundaries. */
void mod_sentence_bounds(const char *text, size_t len, size_t start, size_t end, size_t *s,
                         size_t *e);

/* ---- lexicons (lexicon.c) -------------------------------------------------------------------- */

#define MOD_LEXICONS_MAX 128        /* NAME.lex files per rule directory (a bit each per rule) */
#define MOD_LEX_ENTRIES_MAX 1024
#define MOD_LEX_FORMS_MAX 16        /* an entry and its suffixes */
#define MOD_LEX_NAME_MAX 32

/* A set of lexicons by index (which lexicons a rule's patterns and excepts use). */
struct mod_lexset {
	uint64_t bits[MOD_LEXICONS_MAX / 64];
};

static inline void mod_lexset_add(struct mod_lexset *s, size_t i)
{
	s->bits[i / 64] |= UINT64_C(1) << (i % 64);
}

static inline bool mod_lexset_has(const struct mod_lexset *s, size_t i)
{
	return s->bits[i / 64] >> (i % 64) & 1;
}
#define MOD_FRAME_GAP_DEFAULT 3     /* words allowed between two slots of a frame */
#define MOD_FRAME_GAP_MAX 12

struct mod_lex_entry {
	const char *text;       /* as written: "overdose/s/d" */
	const char *regex;      /* its forms as one pcre2 group */
	uint32_t line;
};

struct mod_lexicon {
	const char *name, *file;
	struct mod_lex_entry *entries;
	size_t nentries;
	const char *alt;        /* every form, longest first: "(?:a|b|...)" */
	size_t altlen;
	const char *alt_factored;   /* the same, as a tree of common prefixes (what pcre2 runs) */
	size_t alt_factored_len;
};

struct mod_ruleset;
/* Reads every NAME.lex of dir (sorted) into rs->lexicons; digest covers their bytes. */
enum mod_err mod_lexicons_load(struct mod_ruleset *, const char *dir, uint64_t *digest, char *err,
                               size_t errlen);
void mod_lexicons_free(struct mod_ruleset *);
const struct mod_lexicon *mod_lexicon_find(const struct mod_ruleset *, const char *name, size_t n,
                                           size_t *index);
/* Replaces every {name} of pat by its lexicon's alternation into *out (malloc'd, NUL-terminated);
 * sets bit i of *used for lexicon i. MOD_ERR_SYNTAX with why for an unknown name. */
enum mod_err mod_lexicon_expand(const struct mod_ruleset *, const char *pat, size_t len,
                                char **out, size_t *outlen, struct mod_lexset *used, char *why,
                                size_t whylen);
/* The same with each lexicon's alt_factored: what is compiled (the prefilter's literals are read
 * from mod_lexicon_expand's text). */
enum mod_err mod_lexicon_expand_factored(const struct mod_ruleset *, const char *pat, size_t len,
                                         char **out, size_t *outlen, struct mod_lexset *used, char *why,
                                         size_t whylen);
/* Compiles a frame ("[gap=N] SLOT SLOT{...}?...") to a pattern (before lexicon expansion). */
enum mod_err mod_frame_compile(const char *spec, size_t len, char **out, size_t *outlen, char *why,
                               size_t whylen);
/* Reports every lexicon entry no test+ example of a rule using its lexicon contains, and every
 * lexicon no rule uses. Returns the number of such problems. */
size_t mod_lexicons_check(const struct mod_ruleset *, mod_report_fn *report, void *arg);

/* rules.c helpers shared with lexicon.c */
enum mod_err mod_read_rule_file(const char *path, size_t max, char **out, size_t *len, char *err,
                                size_t errlen);
uint64_t mod_fnv1a(uint64_t h, const char *s, size_t n);

/* ---- ruleset ---------------------------------------------------------------------------------- */

struct mod_pool;    /* bump allocator owned by the ruleset, freed as a whole */
void *mod_pool_alloc(struct mod_pool *, size_t);
char *mod_pool_strndup(struct mod_pool *, const char *, size_t);

struct mod_pattern {
	pcre2_code *code;
	uint32_t rule;
	uint32_t line;
	uint32_t nlits;             /* 0: no usable literal, run over the whole view */
	const char **lit;           /* pool: required literals for the prefilter */
	const uint8_t *litlen;
	uint32_t nextra;            /* further literal groups: one member of each must be in the window */
	uint8_t extra_skipped;      /* bit g: extra group g holds a common word, which nearly every
	                               window has: the prefilter does not report it, it is not checked */
	struct mod_pattern_group {
		uint32_t count;
		const char **lit;
		const uint8_t *len;
		const uint16_t *tri;    /* mod_tri_bit() of each member's first three bytes;
		                           UINT16_MAX for a shorter member */
	} *extra;
	struct mod_pattern_group lead;  /* when count > 0: every match starts with one of these;
	                                   sorted by first byte */
	uint64_t lead_first[4];     /* bit c: some lead member starts with byte c */
	uint8_t lead_fb[16];        /* those bytes, ascending, when there are at most 16 (nfb > 0) */
	uint8_t nfb;
	/* when nfb > 0, for the members starting with lead_fb[k]: they are lead.lit[lead_fb_member[k]
	 * .. lead_fb_member[k + 1]), and bit (c & 63) of lead_second[k] is set when one of them has
	 * second byte c (all bits when one is a single byte); lead_fb_of[c - '0'] is k + 1 for a first
	 * byte c = lead_fb[k] in ['0', 'z'], else 0 */
	uint8_t lead_fb_member[17];
	uint64_t lead_second[16];
	uint8_t lead_fb_of['z' - '0' + 1];
	/* when lead_indexed: the lead members starting with byte c are lead.lit[lead_start[c] ..
	 * lead_start[c + 1]) (made at load time, so a position compares only those) */
	bool lead_indexed;
	uint8_t lead_start[257];
	bool lead_wb;               /* mod_litset.lead_wb */
	bool jit;                   /* code is JIT-compiled: screen.c calls pcre2_jit_match */
	bool sentence;              /* every match lies within one sentence (sentence_bounded: frames
	                               and most patterns), so it runs on the sentences of its trigger
	                               hits and every extra group is checked there */
	bool lead_at_trigger;       /* every lead member starts with a trigger literal (lit[]), so
	                               every match starts where the prefilter reported one */
};

struct mod_example {
	char *text;             /* with \n unescaped */
	size_t len;
	bool positive;
	uint32_t line;
};

struct mod_rule {
	const char *id, *category, *note, *suggest, *file;
	char top[16];
	int severity;
	enum mod_action action;
	bool view_both;
	unsigned context;
	uint32_t line;
	uint32_t first_pattern, npatterns;
	pcre2_code **excepts;
	size_t nexcepts;
	uint32_t excepts_jit;       /* bit k: excepts[k] is JIT-compiled (pcre2_jit_match runs it) */
	struct mod_example *examples;
	size_t nexamples;
	const char *third_party_category;  /* "TOP.third_party", made at load time */
	const char *addressee_category;    /* "TOP.addressee", made at load time */
	struct mod_lexset lexicons;        /* a pattern or except uses rs->lexicons[i] */
};

/* ---- spelling map (spelling.c) ---------------------------------------------------------------- */

#define MOD_SPELLING_FILE "spelling.map"   /* in the rule directory; optional */
#define MOD_SPELLING_FILE_MAX (128u << 10)
#define MOD_SPELLING_ENTRIES_MAX 2000
#define MOD_SPELLING_VARIANT_MAX 24         /* bytes of a variant (one word) */
#define MOD_SPELLING_STANDARD_MAX 48        /* bytes of its standard words */
#define MOD_SPELLING_WORDS_MAX 4

/* Parses a spelling map (format at the top of spelling.c) from text already read and checked
 * (mod_read_rule_file); path names it in errors ("path:line: what"). */
enum mod_err mod_spelling_parse(const char *path, const char *text, size_t len,
                                struct mod_spelling **out, char *err, size_t errlen);
/* Reads and parses path. */
enum mod_err mod_spelling_load(const char *path, struct mod_spelling **out, char *err,
                               size_t errlen);
void mod_spelling_free(struct mod_spelling *);
size_t mod_spelling_count(const struct mod_spelling *);
/* The standard words ("want to") of variant word[0..n) and their length, or NULL (sp may be NULL). */
const char *mod_spelling_lookup(const struct mod_spelling *, const char *word, size_t n,
                                size_t *stdlen);
/* The same when the caller has the word's FNV-1a hash h already (mod_fnv1a from its offset basis:
 * the text model's word hash). */
const char *mod_spelling_lookup_hashed(const struct mod_spelling *, const char *word, size_t n,
                                       uint64_t h, size_t *stdlen);
/* The first mapped whole word of text[from, len) (from at a word start or between words): its
 * span [*ws, *we) and standard words; false when there is none. */
bool mod_spelling_next(const struct mod_spelling *, const char *text, size_t len, size_t from,
                       size_t *ws, size_t *we, const char **standard, size_t *stdlen);
/* Whether text[s, e) stands as a whole word for the map: the bytes around it (if any) are not a
 * non-ASCII byte, '_', an apostrophe, '*', '@', '#' or '&', nor a '-', '.', '/' or ':' that joins
 * it to another word. The text model asks this before it maps a word. */
bool mod_spelling_whole_word(const char *text, size_t len, size_t s, size_t e);
/* Fails ("path:line: ...") on a variant that a lexicon or a context list of rs reads as it stands
 * while the same lexicon or list does not read its standard words: there the rules need the
 * variant as the word it is ("am", "no"). Where both are read ("u" and "you" in one list) the map
 * agrees with the rules. */
enum mod_err mod_spelling_check_words(const struct mod_spelling *, const mod_ruleset *rs,
                                      const char *path, char *err, size_t errlen);
struct mod_lexicon;
/* Whether a form of an entry of lex holds w[0..n) (words one space apart, no apostrophe) as
 * whole words (the form's apostrophes dropped, hyphens read as spaces); *line is the entry's. */
bool mod_lexicon_reads(const struct mod_lexicon *lex, const char *w, size_t n, uint32_t *line);
/* The FNV-1a hash (mod_fnv1a) of every word of every form of lex (apostrophes dropped, hyphens
 * read as spaces), unsorted, into *out (malloc'd; NULL when none). -1 when out of memory. */
int mod_lexicon_word_hashes(const struct mod_lexicon *lex, uint64_t **out, size_t *count);

/* ---- text model (model.c) ------------------------------------------------------------------- */

#define MOD_MODEL_FILE "text.model"     /* in the rule directory; optional */
#define MOD_MODEL_CATS 3                /* crisis, stigma, violence */
#define MOD_MODEL_FEATURE_MAX 128       /* bytes per feature (one or two words) */
#define MOD_MODEL_FEATURES_MAX 200000

struct mod_model;

/* Loads a model file (format at the top of model.c). On error returns non-OK and writes
 * "file:line: what" into err. */
enum mod_err mod_model_load(const char *path, struct mod_model **out, char *err, size_t errlen);
/* The same over the file's text already read and checked (mod_read_rule_file); path names it in
 * errors. text is not kept. */
enum mod_err mod_model_parse(const char *path, const char *text, size_t len,
                             struct mod_model **out, char *err, size_t errlen);
void mod_model_free(struct mod_model *);
size_t mod_model_features(const struct mod_model *);
const char *mod_model_category(unsigned cat);      /* "crisis", "stigma", "violence"; NULL past */

/* Scores the normal view text[0..len), each word the spelling map sp has (may be NULL) read as
 * its standard words: bit c of *flagged set when category c reaches its
 * threshold; z[c] its log-odds. Returns 0, or -1 when out of memory. */
int mod_model_score(const struct mod_model *, const struct mod_spelling *sp, const char *text,
                    size_t len, unsigned *flagged, double z[MOD_MODEL_CATS]);

struct mod_ruleset {
	struct mod_model *model;            /* DIR/text.model, or NULL */
	struct mod_spelling *spelling;      /* DIR/spelling.map, or NULL */
	struct mod_pool *pool;
	struct mod_rule *rules;
	size_t nrules, rulecap;
	struct mod_pattern *patterns;
	size_t npatterns, patcap;
	struct mod_prefilter pf_normal;     /* every pattern */
	struct mod_prefilter pf_deob;       /* patterns of "view both" rules */
	struct mod_lists lists;
	struct mod_lexicon *lexicons;       /* pool; entries malloc'd */
	size_t nlexicons;
	pcre2_match_context *mctx;
	char version[17];
	uint64_t serial;                    /* unique per loaded ruleset in this process */
};

/* Parses and compiles without running examples (rules.c). */
enum mod_err mod_ruleset_parse(const char *dir, mod_ruleset **out, char *err, size_t errlen);

/* Parses one context.lists text into lists (context.c). name is for messages. */
enum mod_err mod_lists_parse(struct mod_lists *, struct mod_pool *, const char *name,
                             const char *text, size_t len, char *err, size_t errlen);

/* Unescapes the two-character sequence \n into a newline, in place; returns the new length. */
size_t mod_unescape_newlines(char *s, size_t len);

bool mod_result_has_rule(const mod_result *, const char *rule_id);

#endif
