/*
 * model.c: the optional linear text model of a rule directory (DIR/text.model), an extra signal
 * next to the rules. Written by moderation/model_train --write; the experiment and its figures are
 * in moderation/MODEL.md.
 *
 * File format (UTF-8 text, one item per line, '#' comments and blank lines ignored):
 *
 *   threshold CAT P          the model flags CAT when its probability is >= P (0 < P < 1)
 *   bias CAT B               the intercept of CAT's logistic regression
 *   w CAT WEIGHT FEATURE     FEATURE is one word or two words separated by one space
 *
 * CAT is crisis, stigma or violence. Words are those of the filter's normal view: maximal runs of
 * bytes [a-z0-9] and non-ASCII bytes (other than the separators U+0085, U+2028, U+2029), an
 * apostrophe right after a word byte dropped ("don't" is "dont"); a word the rule directory's
 * spelling.map has is read as its standard words, apostrophes dropped ("cannae" is "can't" read
 * as "cant", "wantae" is "want" and "to"), when it stands as a whole word there
 * (mod_spelling_whole_word: not "u" of "u-turn" or "s-u-i-c-i-d-e"). A post's features are its words
 * and adjacent pairs of words, each counted once. Score of CAT: z = bias + (sum of the weights of
 * CAT's features present) / sqrt(number of CAT's features present); flagged when
 * 1 / (1 + exp(-z)) >= P. One hash lookup per word and per pair: linear in the text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mod_internal.h"

static const char *const model_cats[MOD_MODEL_CATS] = { "crisis", "stigma", "violence" };

struct model_entry {
	uint64_t hash;
	uint32_t off;           /* feature bytes in pool */
	uint16_t len;
	uint8_t mask;           /* bit c: weight[c] was given */
	float weight[MOD_MODEL_CATS];
};

struct mod_model {
	char *pool;
	size_t poollen;
	struct model_entry *slots;      /* open addressing, nslots a power of two; len 0 = empty */
	uint64_t *bloom;                /* bit (hash >> 40) & bloom_mask set for every feature */
	size_t bloom_mask;
	size_t nslots, nentries;
	double bias[MOD_MODEL_CATS];
	double zmin[MOD_MODEL_CATS];    /* logit of the threshold */
	uint8_t has_bias, has_threshold;
};

const char *mod_model_category(unsigned cat)
{
	return cat < MOD_MODEL_CATS ? model_cats[cat] : NULL;
}

static uint64_t fnv_bytes(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#define FNV_START 0xcbf29ce484222325ull

/* The two bits of libm the model needs, so the library does not link against it. */
static double square_root(double x)     /* x >= 1 */
{
	double r = 1.0;
	while (r * r < x)
		r *= 2.0;
	for (int i = 0; i < 8; i++)
		r = 0.5 * (r + x / r);
	return r;
}

static double natural_log(double x)     /* x > 0 */
{
	double k = 0.0;
	while (x > 2.0) {
		x /= 2.0;
		k += 1.0;
	}
	while (x < 1.0) {
		x *= 2.0;
		k -= 1.0;
	}
	double y = (x - 1.0) / (x + 1.0), y2 = y * y, term = y, sum = 0.0;
	for (int i = 1; i < 60; i += 2) {   /* 2 atanh(y), |y| <= 1/3 */
		sum += term / i;
		term *= y2;
	}
	return 2.0 * sum + k * 0.69314718055994530942;
}

__attribute__((format(printf, 5, 6)))
static enum mod_err model_fail(char *err, size_t errlen, const char *path, unsigned line,
                               const char *fmt, ...)
{
	if (errlen == 0)
		return MOD_ERR_SYNTAX;
	int n = snprintf(err, errlen, "%s:%u: ", path, line);
	if (n < 0 || (size_t)n >= errlen)
		return MOD_ERR_SYNTAX;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return MOD_ERR_SYNTAX;
}

static int cat_index(const char *s, size_t n)
{
	for (int c = 0; c < MOD_MODEL_CATS; c++)
		if (strlen(model_cats[c]) == n && memcmp(model_cats[c], s, n) == 0)
			return c;
	return -1;
}

static inline bool word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Non-ASCII characters the tokenizer treats as space (Python's str.isspace() among those the
 * normal view keeps): U+0085, U+2028, U+2029. Returns their length at s, or 0. */
static size_t unicode_space(const unsigned char *s, size_t n)
{
	if (n >= 2 && s[0] == 0xC2 && s[1] == 0x85)
		return 2;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9))
		return 3;
	return 0;
}

/* A feature is one word or two words with one space: no other byte. */
static bool feature_ok(const char *s, size_t n)
{
	size_t spaces = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ') {
			if (++spaces > 1 || i == 0 || i + 1 == n)
				return false;
		} else if (!word_byte(c) || unicode_space((const unsigned char *)s + i, n - i)) {
			return false;
		}
	}
	return n > 0;
}

static bool parse_double(const char *s, size_t n, double *out)
{
	char buf[64];
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (errno || *end || v != v || v > 1e300 || v < -1e300)
		return false;
	*out = v;
	return true;
}

/* Hash of a feature: FNV-1a of a word; a pair's from its two words' hashes. */
static inline uint64_t pair_hash(uint64_t a, uint64_t b)
{
	uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 29);
}

static uint64_t feature_hash(const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);
	if (!sp)
		return fnv_bytes(FNV_START, s, n);
	size_t a = (size_t)(sp - s);
	return pair_hash(fnv_bytes(FNV_START, s, a), fnv_bytes(FNV_START, sp + 1, n - a - 1));
}

static inline bool maybe_present(const struct mod_model *m, uint64_t h)
{
	size_t b = (h >> 40) & m->bloom_mask;
	return m->bloom[b >> 6] >> (b & 63) & 1;
}

static struct model_entry *slot_for(const struct mod_model *m, uint64_t hash, const char *a,
                                    size_t alen, const char *b, size_t blen)
{
	size_t mask = m->nslots - 1;
	size_t total = b ? alen + 1 + blen : alen;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct model_entry *e = &m->slots[i];
		if (!e->len)
			return e;
		if (e->hash != hash || e->len != total)
			continue;
		const char *f = m->pool + e->off;
		if (mod_same_bytes(f, a, alen) &&
		    (!b || (f[alen] == ' ' && mod_same_bytes(f + alen + 1, b, blen))))
			return e;
	}
}

/* Splits a line into at most n fields at single spaces; the last field takes the rest. */
static size_t split(const char *line, size_t len, const char **f, size_t *fl, size_t n)
{
	size_t k = 0, i = 0;
	while (k < n && i <= len) {
		size_t j = i;
		if (k + 1 < n)
			while (j < len && line[j] != ' ')
				j++;
		else
			j = len;
		f[k] = line + i;
		fl[k] = j - i;
		k++;
		i = j + 1;
	}
	return k;
}

enum mod_err mod_model_load(const char *path, struct mod_model **out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len;
	*out = NULL;
	enum mod_err rc = mod_read_rule_file(path, MOD_MODEL_FILE_MAX, &text, &len, err, errlen);
	if (rc)
		return rc;
	rc = mod_model_parse(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

enum mod_err mod_model_parse(const char *path, const char *text, size_t len,
                             struct mod_model **out, char *err, size_t errlen)
{
	enum mod_err rc = MOD_OK;
	*out = NULL;
	struct mod_model *m = calloc(1, sizeof *m);
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	size_t nslots = 16;
	while (nslots < 2 * lines)
		nslots *= 2;
	if (!m || !(m->slots = calloc(nslots, sizeof *m->slots)) || !(m->pool = malloc(len + 1))) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	m->nslots = nslots;
	/* two bits per table slot (16 KB for the 25,000 features of the default model, small enough
	 * for the first-level cache): most absent pairs are rejected without touching the table */
	m->bloom_mask = nslots * 2 - 1;
	if (!(m->bloom = calloc(nslots / 32 + 1, sizeof *m->bloom))) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	unsigned lineno = 0;
	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		pos += ll + 1;
		lineno++;
		if (ll && line[ll - 1] == '\r')
			ll--;
		if (ll == 0 || line[0] == '#')
			continue;
		if (ll > MOD_LINE_MAX) {
			rc = model_fail(err, errlen, path, lineno, "line longer than %d bytes", MOD_LINE_MAX);
			goto fail;
		}
		const char *f[4];
		size_t fl[4];
		size_t nf = split(line, ll, f, fl, 4);
		bool is_w = fl[0] == 1 && f[0][0] == 'w';
		bool is_bias = fl[0] == 4 && memcmp(f[0], "bias", 4) == 0;
		bool is_thr = fl[0] == 9 && memcmp(f[0], "threshold", 9) == 0;
		if (!is_w && !is_bias && !is_thr) {
			rc = model_fail(err, errlen, path, lineno,
			                "unknown line '%.*s' (expected threshold, bias or w)",
			                (int)(fl[0] > 40 ? 40 : fl[0]), f[0]);
			goto fail;
		}
		if (is_w ? nf < 4 : nf != 3) {
			rc = model_fail(err, errlen, path, lineno, "%s: wrong number of fields",
			                is_w ? "w CAT WEIGHT FEATURE" : is_bias ? "bias CAT B" :
			                "threshold CAT P");
			goto fail;
		}
		int cat = cat_index(f[1], fl[1]);
		if (cat < 0) {
			rc = model_fail(err, errlen, path, lineno,
			                "unknown category '%.*s' (crisis, stigma or violence)",
			                (int)(fl[1] > 40 ? 40 : fl[1]), f[1]);
			goto fail;
		}
		double v;
		if (!parse_double(f[2], fl[2], &v) || v > 1e4 || v < -1e4) {
			rc = model_fail(err, errlen, path, lineno, "'%.*s' is not a number (|x| <= 10000)",
			                (int)(fl[2] > 40 ? 40 : fl[2]), f[2]);
			goto fail;
		}
		if (is_thr) {
			if (!(v > 0.0 && v < 1.0)) {
				rc = model_fail(err, errlen, path, lineno, "threshold must be between 0 and 1");
				goto fail;
			}
			m->zmin[cat] = natural_log(v / (1.0 - v));
			m->has_threshold |= 1u << cat;
			continue;
		}
		if (is_bias) {
			m->bias[cat] = v;
			m->has_bias |= 1u << cat;
			continue;
		}
		if (fl[3] > MOD_MODEL_FEATURE_MAX || !feature_ok(f[3], fl[3])) {
			rc = model_fail(err, errlen, path, lineno,
			                "feature must be one or two words of [a-z0-9] or non-ASCII letters, "
			                "at most %d bytes", MOD_MODEL_FEATURE_MAX);
			goto fail;
		}
		uint64_t h = feature_hash(f[3], fl[3]);
		struct model_entry *e = slot_for(m, h, f[3], fl[3], NULL, 0);
		if (e->len) {
			if (e->mask & (1u << cat)) {
				rc = model_fail(err, errlen, path, lineno, "feature '%.*s' given twice for %s",
				                (int)fl[3], f[3], model_cats[cat]);
				goto fail;
			}
		} else {
			if (m->nentries >= MOD_MODEL_FEATURES_MAX) {
				rc = model_fail(err, errlen, path, lineno, "more than %d features",
				                MOD_MODEL_FEATURES_MAX);
				rc = MOD_ERR_LIMIT;
				goto fail;
			}
			memcpy(m->pool + m->poollen, f[3], fl[3]);
			e->hash = h;
			size_t bit = (h >> 40) & m->bloom_mask;   /* as maybe_present() reads it */
			m->bloom[bit >> 6] |= 1ull << (bit & 63);
			e->off = (uint32_t)m->poollen;
			e->len = (uint16_t)fl[3];
			m->poollen += fl[3];
			m->nentries++;
		}
		e->weight[cat] = (float)v;
		e->mask |= (uint8_t)(1u << cat);
	}
	for (int c = 0; c < MOD_MODEL_CATS; c++) {
		bool used = (m->has_bias | m->has_threshold) & (1u << c);
		for (size_t i = 0; i < m->nslots && !used; i++)
			used = m->slots[i].mask & (1u << c);
		if (used && (!(m->has_bias & (1u << c)) || !(m->has_threshold & (1u << c)))) {
			rc = model_fail(err, errlen, path, lineno + 1, "(end of file) category %s needs a "
			                "bias line and a threshold line", model_cats[c]);
			goto fail;
		}
	}
	*out = m;
	return MOD_OK;
fail:
	if (rc == MOD_ERR_NOMEM && errlen)
		snprintf(err, errlen, "%s: out of memory", path);
	mod_model_free(m);
	return rc;
}

void mod_model_free(struct mod_model *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m->bloom);
	free(m->pool);
	free(m);
}

size_t mod_model_features(const struct mod_model *m)
{
	return m ? m->nentries : 0;
}

struct score_acc {
	double sum[MOD_MODEL_CATS];
	unsigned n[MOD_MODEL_CATS];
	const struct model_entry **seen;   /* hit entries, for counting each once */
	size_t nseen, capseen;
	bool nomem;
};

#define SEEN_SMALL 256     /* slots of the set on the stack; a post hitting more grows it */

static inline size_t seen_slot(const struct model_entry *e, size_t mask)
{
	return ((uintptr_t)e >> 4) & mask;
}

/* Doubles the set of entries hit (into the heap). */
__attribute__((noinline))
static bool seen_grow(struct score_acc *acc, const struct model_entry **small)
{
	size_t cap = acc->capseen * 2;
	const struct model_entry **g = calloc(cap, sizeof *g);
	if (!g) {
		acc->nomem = true;
		return false;
	}
	for (size_t k = 0; k < acc->capseen; k++) {
		const struct model_entry *e = acc->seen[k];
		if (!e)
			continue;
		size_t i = seen_slot(e, cap - 1);
		while (g[i])
			i = (i + 1) & (cap - 1);
		g[i] = e;
	}
	if (acc->seen != small)
		free(acc->seen);
	acc->seen = g;
	acc->capseen = cap;
	return true;
}

static inline void hit(struct score_acc *acc, const struct model_entry *e,
                       const struct model_entry **small)
{
	/* A post's features are a set: an entry already seen adds nothing (an open-addressing set
	 * of the entries hit, at most half full, grown as hits come: linear in the text). */
	size_t mask = acc->capseen - 1;
	size_t i = seen_slot(e, mask);
	for (; acc->seen[i]; i = (i + 1) & mask)
		if (acc->seen[i] == e)
			return;
	if (2 * (acc->nseen + 1) > acc->capseen) {
		if (!seen_grow(acc, small))
			return;
		mask = acc->capseen - 1;
		for (i = seen_slot(e, mask); acc->seen[i]; i = (i + 1) & mask)
			;
	}
	acc->seen[i] = e;
	acc->nseen++;
	for (int c = 0; c < MOD_MODEL_CATS; c++)
		if (e->mask & (1u << c)) {
			acc->sum[c] += e->weight[c];
			acc->n[c]++;
		}
}

/* The features of one word: the word, and the pair it makes with the word before. */
struct word_state {
	const char *prev;
	size_t prevlen;
	uint64_t prevhash;
};

static void add_word(const struct mod_model *m, struct score_acc *acc,
                     const struct model_entry **small, struct word_state *ws, const char *word,
                     size_t wl, uint64_t h)
{
	const struct model_entry *e;
	if (maybe_present(m, h) && (e = slot_for(m, h, word, wl, NULL, 0))->len)
		hit(acc, e, small);
	if (ws->prev && ws->prevlen + 1 + wl <= MOD_MODEL_FEATURE_MAX) {
		uint64_t bh = pair_hash(ws->prevhash, h);
		if (maybe_present(m, bh) && (e = slot_for(m, bh, ws->prev, ws->prevlen, word, wl))->len)
			hit(acc, e, small);
	}
	ws->prev = word;
	ws->prevlen = wl;
	ws->prevhash = h;
}

int mod_model_score(const struct mod_model *m, const struct mod_spelling *sp, const char *text,
                    size_t len, unsigned *flagged, double z[MOD_MODEL_CATS])
{
	*flagged = 0;
	struct score_acc acc = { .nseen = 0 };
	/* at most one word per 2 bytes and as many pairs: len + 2 entries (the standard words of a
	 * mapped word can make more: the set grows then) */
	size_t most = len + 2 < m->nentries ? len + 2 : m->nentries;
	size_t cap = 16;
	while (cap < 2 * most && cap < SEEN_SMALL)
		cap *= 2;
	const struct model_entry *small[SEEN_SMALL];
	memset(small, 0, cap * sizeof *small);
	acc.seen = small;
	acc.capseen = cap;
	/* A word is read where it stands; one with an apostrophe is copied without it into buf, and
	 * so is each standard word of a mapped one (the word before must stay readable). */
	char buf[2][MOD_MODEL_FEATURE_MAX + 1];
	int cur = 0;
	struct word_state ws = { NULL, 0, 0 };
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		if (c < 0x80 ? !word_byte(c) : unicode_space(s + i, len - i) > 0) {
			i += c < 0x80 ? 1 : unicode_space(s + i, len - i);
			continue;
		}
		/* one word: word bytes, an apostrophe after a word byte dropped */
		size_t start = i, wl = 0;
		uint64_t h = FNV_START;
		bool apostrophe = false;
		while (i < len) {
			c = s[i];
			if (c == '\'') {
				apostrophe = true;
				i++;
				continue;
			}
			if (c < 0x80 ? !word_byte(c) : unicode_space(s + i, len - i) > 0)
				break;
			h = (h ^ c) * 0x100000001b3ull;
			wl++;
			i++;
		}
		if (wl > MOD_MODEL_FEATURE_MAX) {  /* no feature holds it; it still separates its
		                                      neighbours */
			ws.prev = NULL;
			continue;
		}
		const char *word = (const char *)s + start;
		if (apostrophe) {
			char *w = buf[cur];
			cur = !cur;
			for (size_t k = start, n = 0; k < i; k++)
				if (s[k] != '\'')
					w[n++] = (char)s[k];
			word = w;
		}
		size_t stdlen;
		const char *standard = sp ? mod_spelling_lookup_hashed(sp, word, wl, h, &stdlen) : NULL;
		if (standard && !mod_spelling_whole_word(text, len, start, i))
			standard = NULL;        /* "s-u-i-c-i-d-e", "u.s.": not the word */
		if (!standard) {
			add_word(m, &acc, small, &ws, word, wl, h);
			continue;
		}
		/* a mapped word: its standard words, apostrophes dropped ("i'm" is "im") */
		for (size_t k = 0; k < stdlen;) {
			char *w = buf[cur];
			cur = !cur;
			size_t n = 0;
			uint64_t sh = FNV_START;
			for (; k < stdlen && standard[k] != ' '; k++)
				if (standard[k] != '\'') {
					w[n++] = standard[k];
					sh = (sh ^ (unsigned char)standard[k]) * 0x100000001b3ull;
				}
			k++;
			add_word(m, &acc, small, &ws, w, n, sh);
		}
	}
	if (acc.nomem) {
		if (acc.seen != small)
			free(acc.seen);
		return -1;
	}
	for (int c = 0; c < MOD_MODEL_CATS; c++) {
		if (!((m->has_bias & m->has_threshold) & (1u << c))) {
			z[c] = -1e300;
			continue;
		}
		z[c] = m->bias[c] + (acc.n[c] ? acc.sum[c] / square_root((double)acc.n[c]) : 0.0);
		if (z[c] >= m->zmin[c])
			*flagged |= 1u << c;
	}
	if (acc.seen != small)
		free(acc.seen);
	return 0;
}
