/*
 * spelling.c: the spelling map of a rule directory (DIR/spelling.map), which reads dialect,
 * text-speak and common misspellings as standard English before the rules and the text model do.
 *
 * File format (UTF-8 text, one entry a line; blank lines and lines starting with '#' ignored):
 *
 *   VARIANT<TAB>STANDARD WORDS
 *
 * VARIANT is one whole word as the normal view holds it: lower-case ASCII letters and digits, at
 * least one letter, at most MOD_SPELLING_VARIANT_MAX bytes ("cannae", "2moro"). STANDARD WORDS are
 * one to MOD_SPELLING_WORDS_MAX words of lower-case ASCII letters and apostrophes separated by one
 * space ("cannot", "want to", "i'm going to"). Errors name the file and line: a duplicate variant,
 * a variant that is also a standard word of the map, bad characters, too long, too many entries,
 * and (checked by mod_spelling_check_words once the rules are read) a variant that a lexicon or a
 * context list reads as it stands: the rules need that word, so the map must not rewrite it.
 *
 * The screening side: mod_spelling_next() finds the mapped words of a normal view (whole words:
 * not touching a letter, a digit, '_', an apostrophe, '*', '@', '#', '&' or a non-ASCII byte, nor
 * a '-', '.', '/' or ':' that joins it to another word: "u-turn", "u.s.", "w/e" stay), and
 * mod_view_spelling_into() (normalize.c) builds the spelling view from them. The text model maps
 * its own tokens with mod_spelling_lookup() (model.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mod_internal.h"

#define STR_(x) #x
#define MOD_STR(x) STR_(x)

#define BLOOM_BITS 32768
#define FNV_START 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

struct spelling_entry {
	char variant[MOD_SPELLING_VARIANT_MAX + 1];
	char standard[MOD_SPELLING_STANDARD_MAX + 1];
	uint8_t vlen, slen;
	uint32_t line;
};

struct mod_spelling {
	struct spelling_entry *entries;
	size_t count;
	uint32_t *slots;        /* entry index + 1, 0 empty; open addressing, nslots a power of two */
	size_t nslots;
	/* bit (h >> 40) % BLOOM_BITS set for the FNV-1a hash h of every variant: a word of a post is
	 * hashed as it is scanned, and nearly every word stops at this bit */
	uint64_t bloom[BLOOM_BITS / 64];
};

static inline bool alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static uint64_t word_hash(const char *s, size_t n)
{
	return mod_fnv1a(FNV_START, s, n);
}

static inline bool bloom_has(const struct mod_spelling *sp, uint64_t h)
{
	unsigned b = (unsigned)(h >> 40) % BLOOM_BITS;
	return sp->bloom[b / 64] >> (b % 64) & 1;
}

__attribute__((format(printf, 5, 6)))
static enum mod_err sp_fail(char *err, size_t errlen, const char *path, unsigned line,
                            const char *fmt, ...)
{
	if (errlen == 0)
		return MOD_ERR_SYNTAX;
	int n = line ? snprintf(err, errlen, "%s:%u: ", path, line) : snprintf(err, errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= errlen)
		return MOD_ERR_SYNTAX;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return MOD_ERR_SYNTAX;
}

/* The entry of word w[0..n) whose FNV-1a hash is h, or NULL. */
static const struct spelling_entry *find(const struct mod_spelling *sp, const char *w, size_t n,
                                         uint64_t h)
{
	if (!sp || sp->nslots == 0 || !bloom_has(sp, h))
		return NULL;
	size_t mask = sp->nslots - 1;
	for (size_t i = h & mask; sp->slots[i]; i = (i + 1) & mask) {
		const struct spelling_entry *e = &sp->entries[sp->slots[i] - 1];
		if (e->vlen == n && mod_same_bytes(e->variant, w, n))
			return e;
	}
	return NULL;
}

const char *mod_spelling_lookup(const struct mod_spelling *sp, const char *word, size_t n,
                                size_t *stdlen)
{
	if (!sp || n == 0 || n > MOD_SPELLING_VARIANT_MAX)
		return NULL;
	const struct spelling_entry *e = find(sp, word, n, word_hash(word, n));
	if (!e)
		return NULL;
	*stdlen = e->slen;
	return e->standard;
}

const char *mod_spelling_lookup_hashed(const struct mod_spelling *sp, const char *word, size_t n,
                                       uint64_t h, size_t *stdlen)
{
	if (!sp || n == 0 || n > MOD_SPELLING_VARIANT_MAX)
		return NULL;
	const struct spelling_entry *e = find(sp, word, n, h);
	if (!e)
		return NULL;
	*stdlen = e->slen;
	return e->standard;
}

size_t mod_spelling_count(const struct mod_spelling *sp)
{
	return sp ? sp->count : 0;
}

void mod_spelling_free(struct mod_spelling *sp)
{
	if (!sp)
		return;
	free(sp->entries);
	free(sp->slots);
	free(sp);
}

/* What is wrong with a variant, or NULL. */
static const char *variant_problem(const char *s, size_t n)
{
	if (n == 0)
		return "empty variant";
	if (n > MOD_SPELLING_VARIANT_MAX)
		return "variant longer than " MOD_STR(MOD_SPELLING_VARIANT_MAX) " bytes";
	bool letter = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			return "upper-case letter in the variant (text is case-folded: write lower case)";
		if (c == ' ')
			return "the variant is one word (no spaces)";
		if (!alnum(c))
			return "the variant holds a character other than a-z and 0-9 (one whole word)";
		letter |= c >= 'a' && c <= 'z';
	}
	return letter ? NULL : "the variant has no letter (a number is not a spelling)";
}

/* What is wrong with the standard words, or NULL. */
static const char *standard_problem(const char *s, size_t n)
{
	if (n == 0)
		return "no standard words after the tab";
	if (n > MOD_SPELLING_STANDARD_MAX)
		return "standard words longer than " MOD_STR(MOD_SPELLING_STANDARD_MAX) " bytes";
	size_t words = 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			return "upper-case letter in the standard words (write lower case)";
		if (c == '\t')
			return "a second tab (one VARIANT<TAB>STANDARD WORDS a line)";
		if (c == ' ') {
			if (i == 0 || i + 1 == n || s[i - 1] == ' ')
				return "standard words are separated by one space, none before or after";
			words++;
		} else if (!(c >= 'a' && c <= 'z') && c != '\'')
			return "the standard words hold a character other than a-z, an apostrophe and a space";
	}
	if (words > MOD_SPELLING_WORDS_MAX)
		return "more than " MOD_STR(MOD_SPELLING_WORDS_MAX) " standard words";
	return NULL;
}

static bool build_index(struct mod_spelling *sp)
{
	size_t n = 16;
	while (n < sp->count * 2)
		n *= 2;
	sp->slots = calloc(n, sizeof *sp->slots);
	if (!sp->slots)
		return false;
	sp->nslots = n;
	for (size_t k = 0; k < sp->count; k++) {
		const struct spelling_entry *e = &sp->entries[k];
		size_t i = word_hash(e->variant, e->vlen) & (n - 1);
		/* (the bloom bit of the same hash is set below) */
		while (sp->slots[i])
			i = (i + 1) & (n - 1);
		sp->slots[i] = (uint32_t)(k + 1);
		unsigned b = (unsigned)(word_hash(e->variant, e->vlen) >> 40) % BLOOM_BITS;
		sp->bloom[b / 64] |= 1ull << (b % 64);
	}
	return true;
}

enum mod_err mod_spelling_parse(const char *path, const char *text, size_t len,
                                struct mod_spelling **out, char *err, size_t errlen)
{
	enum mod_err rc;
	*out = NULL;
	struct mod_spelling *sp = calloc(1, sizeof *sp);
	size_t cap = 0;
	if (!sp)
		return MOD_ERR_NOMEM;
	if (len > MOD_SPELLING_FILE_MAX) {
		rc = sp_fail(err, errlen, path, 0, "file larger than %u bytes", MOD_SPELLING_FILE_MAX);
		goto fail;
	}
	unsigned line = 0;
	for (size_t pos = 0; pos < len;) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		pos += n + (nl != NULL);
		line++;
		if (n && l[n - 1] == '\r')
			n--;
		if (n == 0 || l[0] == '#')
			continue;
		if (memchr(l, '\0', n)) {
			rc = sp_fail(err, errlen, path, line, "NUL byte");
			goto fail;
		}
		const char *tab = memchr(l, '\t', n);
		if (!tab) {
			rc = sp_fail(err, errlen, path, line, "expected VARIANT<TAB>STANDARD WORDS");
			goto fail;
		}
		size_t vn = (size_t)(tab - l), sn = n - vn - 1;
		const char *why = variant_problem(l, vn);
		if (!why)
			why = standard_problem(tab + 1, sn);
		if (why) {
			rc = sp_fail(err, errlen, path, line, "%s", why);
			goto fail;
		}
		if (sp->count == MOD_SPELLING_ENTRIES_MAX) {
			rc = sp_fail(err, errlen, path, line, "more than %d entries",
			             MOD_SPELLING_ENTRIES_MAX);
			goto fail;
		}
		for (size_t k = 0; k < sp->count; k++)
			if (sp->entries[k].vlen == vn && memcmp(sp->entries[k].variant, l, vn) == 0) {
				rc = sp_fail(err, errlen, path, line, "duplicate variant '%.*s' (first on "
				             "line %u)", (int)vn, l, sp->entries[k].line);
				goto fail;
			}
		if (sp->count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct spelling_entry *g = realloc(sp->entries, ncap * sizeof *g);
			if (!g) {
				rc = MOD_ERR_NOMEM;
				goto fail;
			}
			sp->entries = g;
			cap = ncap;
		}
		struct spelling_entry *e = &sp->entries[sp->count++];
		memset(e, 0, sizeof *e);
		memcpy(e->variant, l, vn);
		memcpy(e->standard, tab + 1, sn);
		e->vlen = (uint8_t)vn;
		e->slen = (uint8_t)sn;
		e->line = line;
	}
	/* The map is applied once: a standard word that is itself a variant would be read one way
	 * here and another way where it is written out. */
	for (size_t k = 0; k < sp->count; k++) {
		const struct spelling_entry *e = &sp->entries[k];
		for (size_t i = 0; i < e->slen;) {
			size_t j = i;
			while (j < e->slen && e->standard[j] != ' ')
				j++;
			for (size_t v = 0; v < sp->count; v++)
				if (sp->entries[v].vlen == j - i &&
				    memcmp(sp->entries[v].variant, e->standard + i, j - i) == 0) {
					rc = sp_fail(err, errlen, path, e->line, "standard word '%.*s' is a "
					             "variant itself (line %u): the map is applied once, "
					             "write its standard words here", (int)(j - i),
					             e->standard + i, sp->entries[v].line);
					goto fail;
				}
			i = j + 1;
		}
	}
	if (!build_index(sp)) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	*out = sp;
	return MOD_OK;
fail:
	mod_spelling_free(sp);
	return rc;
}

enum mod_err mod_spelling_load(const char *path, struct mod_spelling **out, char *err,
                               size_t errlen)
{
	char *text;
	size_t len;
	*out = NULL;
	enum mod_err rc = mod_read_rule_file(path, MOD_SPELLING_FILE_MAX, &text, &len, err, errlen);
	if (rc)
		return rc;
	rc = mod_spelling_parse(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

/* Whether cue word w (apostrophes dropped, as the variant would be written) is v. */
static bool same_word_no_apostrophe(const char *w, size_t wn, const char *v, size_t vn)
{
	size_t k = 0;
	for (size_t i = 0; i < wn; i++) {
		if (w[i] == '\'')
			continue;
		if (k == vn || w[i] != v[k])
			return false;
		k++;
	}
	return k == vn;
}

static const char *const list_names[MOD_LIST__MAX] = {
	"negation", "past", "quote", "media", "question", "third_party", "self", "clinical",
	"criticism", "first_person", "clause", "addressee", "counter", "recovery", "current",
	"near_time", "recovered", "relapse", "word_talk", "return", "no_return", "game",
	"game_real", "past_ref", "been_there", "idiom" };

/* Whether cue holds words[0..n) (one or more words one space apart, no apostrophe) as
 * consecutive words (the cue's apostrophes dropped). */
static bool cue_holds(const struct mod_cue *cue, const char *words, size_t n)
{
	for (unsigned first = 0; first < cue->nwords; first++) {
		size_t i = 0;
		unsigned w = first;
		for (; w < cue->nwords && i < n; w++) {
			if ((cue->prefix | cue->number) >> w & 1)
				break;
			size_t j = i;
			while (j < n && words[j] != ' ')
				j++;
			if (!same_word_no_apostrophe(cue->word[w], cue->wordlen[w], words + i, j - i))
				break;
			i = j < n ? j + 1 : j;
		}
		if (i >= n && w > first)
			return true;
	}
	return false;
}

/* The standard words without apostrophes, as a lexicon form or a cue is compared. */
static size_t without_apostrophes(const char *s, size_t n, char *out)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\'')
			out[m++] = s[i];
	return m;
}

static int hash_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

enum mod_err mod_spelling_check_words(const struct mod_spelling *sp, const mod_ruleset *rs,
                                      const char *path, char *err, size_t errlen)
{
	if (!sp)
		return MOD_OK;
	/* the words of each lexicon, hashed and sorted: most variants are in none, found so */
	uint64_t **words = calloc(rs->nlexicons + 1, sizeof *words);
	size_t *nwords = calloc(rs->nlexicons + 1, sizeof *nwords);
	enum mod_err rc = MOD_OK;
	if (!words || !nwords) {
		rc = MOD_ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < rs->nlexicons; i++) {
		if (mod_lexicon_word_hashes(&rs->lexicons[i], &words[i], &nwords[i]) < 0) {
			rc = MOD_ERR_NOMEM;
			goto done;
		}
		if (nwords[i])
			qsort(words[i], nwords[i], sizeof *words[i], hash_cmp);
	}
	for (size_t k = 0; k < sp->count && rc == MOD_OK; k++) {
		const struct spelling_entry *e = &sp->entries[k];
		char plain[MOD_SPELLING_STANDARD_MAX + 1];
		size_t plen = without_apostrophes(e->standard, e->slen, plain);
		uint64_t vh = word_hash(e->variant, e->vlen);
		for (size_t i = 0; i < rs->nlexicons && rc == MOD_OK; i++) {
			const struct mod_lexicon *lex = &rs->lexicons[i];
			uint32_t line, sline;
			if (!nwords[i] || !bsearch(&vh, words[i], nwords[i], sizeof vh, hash_cmp))
				continue;
			if (mod_lexicon_reads(lex, e->variant, e->vlen, &line) &&
			    !mod_lexicon_reads(lex, plain, plen, &sline))
				rc = sp_fail(err, errlen, path, e->line, "variant '%s' is a word the rules "
				             "read as it stands (%s:%u), and that lexicon does not read "
				             "'%s': leave it out of the map", e->variant, lex->file, line,
				             e->standard);
		}
		for (int id = 0; id < MOD_LIST__MAX && rc == MOD_OK; id++) {
			const struct mod_list *list = &rs->lists.list[id];
			bool variant = false, standard = false;
			for (size_t c = 0; c < list->count && !variant; c++)
				variant = cue_holds(&list->cues[c], e->variant, e->vlen);
			for (size_t c = 0; variant && c < list->count && !standard; c++)
				standard = cue_holds(&list->cues[c], plain, plen);
			if (variant && !standard)
				rc = sp_fail(err, errlen, path, e->line, "variant '%s' is a word the rules "
				             "read as it stands (a cue of context list %s, which has no cue "
				             "'%s'): leave it out of the map", e->variant, list_names[id],
				             e->standard);
		}
	}
done:
	for (size_t i = 0; words && i < rs->nlexicons; i++)
		free(words[i]);
	free(words);
	free(nwords);
	return rc;
}

/* Whether the byte before a word (at p, the word starting at p + 1) lets it be a whole word:
 * dir -1 looks at the byte before that, +1 after. */
static inline bool boundary_ok(const unsigned char *t, size_t len, size_t p, int dir)
{
	unsigned char c = t[p];
	if (c >= 0x80 || c == '_' || c == '\'' || c == '*' || c == '@' || c == '#' || c == '&')
		return false;
	if (c == '-' || c == '.' || c == '/' || c == ':') {
		if (dir < 0)
			return !(p > 0 && alnum(t[p - 1]));
		return !(p + 1 < len && alnum(t[p + 1]));
	}
	return true;
}

bool mod_spelling_whole_word(const char *text, size_t len, size_t s, size_t e)
{
	const unsigned char *t = (const unsigned char *)text;
	return (s == 0 || boundary_ok(t, len, s - 1, -1)) && (e >= len || boundary_ok(t, len, e, 1));
}

bool mod_spelling_next(const struct mod_spelling *sp, const char *text, size_t len, size_t from,
                       size_t *ws, size_t *we, const char **standard, size_t *stdlen)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t i = from;
	if (i > 0 && i < len && alnum(t[i - 1]))        /* from fell inside a word: skip its rest */
		while (i < len && alnum(t[i]))
			i++;
	while (i < len) {
		/* to the next word start; the word is hashed as it is read */
		while (i < len && !alnum(t[i]))
			i++;
		if (i >= len)
			return false;
		size_t s = i;
		uint64_t h = FNV_START;
		while (i < len && alnum(t[i]))
			h = (h ^ t[i++]) * FNV_PRIME;
		size_t n = i - s;
		if (n > MOD_SPELLING_VARIANT_MAX || !bloom_has(sp, h))
			continue;
		if ((s > 0 && !boundary_ok(t, len, s - 1, -1)) || (i < len && !boundary_ok(t, len, i, 1)))
			continue;
		const struct spelling_entry *e = find(sp, text + s, n, h);
		if (!e)
			continue;
		*ws = s;
		*we = i;
		*standard = e->standard;
		*stdlen = e->slen;
		return true;
	}
	return false;
}
