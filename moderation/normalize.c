/*
 * normalize.c: the views the filter matches against, each with a byte map back to the original.
 *
 * Normalization goes code point by code point (utf8proc_decompose_char, then composition of that one
 * code point's decomposition), which is NFKC for everything but compositions across code points;
 * those only matter for combining marks, which are stripped anyway. Going one code point at a time
 * is what keeps the map exact. Pure ASCII takes a fast path: NFKC is the identity there and case
 * folding is tolower.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mod_internal.h"
#include "utf8.h"

/* Longest NFKC expansion of one code point is 18 code points (U+FDFA): 72 bytes of UTF-8. */
#define CP_EXPANSION_MAX 32
#define CP_BYTES_MAX (CP_EXPANSION_MAX * 4)

void mod_view_free(struct mod_view *v)
{
	free(v->text);
	free(v->src);
	free(v->srclen);
	free(v->xf);
	memset(v, 0, sizeof *v);
}

static size_t grown_cap(size_t cap, size_t need)
{
	if (cap < 64)
		cap = 64;
	while (cap < need)
		cap *= 2;
	return cap;
}

static int map_reserve(struct mod_view *v, size_t need)
{
	if (need <= v->mapcap)
		return 0;
	size_t cap = grown_cap(v->mapcap, need);
	uint32_t *src = realloc(v->src, cap * sizeof *src);
	if (!src)
		return -1;
	v->src = src;
	uint8_t *srclen = realloc(v->srclen, cap);
	if (!srclen)
		return -1;
	v->srclen = srclen;
	uint16_t *xf = realloc(v->xf, cap * sizeof *xf);
	if (!xf)
		return -1;
	v->xf = xf;
	v->mapcap = cap;
	return 0;
}

/* Room for extra more bytes and the NUL; the map too unless the view is an identity. */
static int view_reserve(struct mod_view *v, size_t extra)
{
	size_t need = v->len + extra + 1;
	if (need > v->cap) {
		size_t cap = grown_cap(v->cap, need);
		char *text = realloc(v->text, cap);
		if (!text)
			return -1;
		v->text = text;
		v->cap = cap;
	}
	return v->identity ? 0 : map_reserve(v, v->cap);
}

/* Fills in the identity map of the bytes so far: the view stops being an identity. */
static int view_materialize(struct mod_view *v)
{
	if (!v->identity)
		return 0;
	if (map_reserve(v, v->cap) < 0)
		return -1;
	for (size_t i = 0; i < v->len; i++)
		v->src[i] = (uint32_t)i;
	memset(v->srclen, 1, v->len);
	memset(v->xf, 0, v->len * sizeof *v->xf);
	v->identity = false;
	return 0;
}

/* Caller has reserved the room and, for a byte that breaks the identity, materialized the map. */
static inline void view_put(struct mod_view *v, unsigned char c, uint32_t src, unsigned srclen,
                            unsigned xf)
{
	size_t i = v->len++;
	v->text[i] = (char)c;
	if (v->identity)
		return;
	v->src[i] = src;
	v->srclen[i] = (uint8_t)(srclen > 255 ? 255 : srclen);
	v->xf[i] = (uint16_t)xf;
	v->xf_any |= xf;
}

/* Appends normal-view bytes [from, to) of n to d with their map. */
static int view_copy(struct mod_view *d, const struct mod_view *n, size_t from, size_t to)
{
	size_t k = to - from;
	if (view_reserve(d, k) < 0)
		return -1;
	memcpy(d->text + d->len, n->text + from, k);
	if (n->identity) {
		for (size_t i = 0; i < k; i++)
			d->src[d->len + i] = (uint32_t)(from + i);
		memset(d->srclen + d->len, 1, k);
		memset(d->xf + d->len, 0, k * sizeof *d->xf);
	} else {
		memcpy(d->src + d->len, n->src + from, k * sizeof *d->src);
		memcpy(d->srclen + d->len, n->srclen + from, k);
		memcpy(d->xf + d->len, n->xf + from, k * sizeof *d->xf);
		unsigned any = 0;
		for (size_t i = from; i < to; i++)
			any |= n->xf[i];
		d->xf_any |= any;
	}
	d->len += k;
	return 0;
}

#define SWAR_ONES 0x0101010101010101ull
#define SWAR_HIGH 0x8080808080808080ull

/* Whether any byte of x is c (exact for bytes below 0x80, which is all the caller passes). */
/* Empties derived view d for a new post whose normal view is n, with room for n and a little
 * more (a derived view rarely grows much). */
static int view_begin(struct mod_view *d, const struct mod_view *n)
{
	d->len = 0;
	d->xf_any = 0;
	d->ambiguous = false;
	d->identity = false;
	return view_reserve(d, n->len + 16);
}

static inline bool swar_has(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (SWAR_ONES * c);
	return ((y - SWAR_ONES) & ~y & SWAR_HIGH) != 0;
}

static inline bool is_emphasis(unsigned char c)
{
	return c == '*' || c == '_' || c == '~';
}

/* A byte that belongs to a word for emphasis purposes: ASCII alphanumerics and any non-ASCII byte
 * (letters of other scripts; punctuation outside ASCII is rare next to emphasis markers). */
static inline bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Whether the emphasis run [i, j) inside a word is a mask ("k*ll", "s**cide"): one to three
 * asterisks with no other emphasis marker in the same word, so nothing pairs with it (Markdown
 * emphasis inside a word, "kil**l**", "my*self*", comes in pairs). */
static bool is_mask_run(const unsigned char *in, size_t len, size_t i, size_t j)
{
	if (j - i > 3)
		return false;
	for (size_t k = i; k < j; k++)
		if (in[k] != '*')
			return false;
	size_t k = j;
	while (k < len && is_word_byte(in[k]))
		k++;
	if (k < len && is_emphasis(in[k]))
		return false;
	k = i;
	while (k > 0 && is_word_byte(in[k - 1]))
		k--;
	return !(k > 0 && is_emphasis(in[k - 1]));
}

/* Punctuation that phones and word processors substitute for ASCII; the lists and rules are written
 * with ASCII quotes and hyphens. Returns the ASCII replacement or 0. */
static unsigned char fold_punct(int32_t cp)
{
	switch (cp) {
	case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x02BC: case 0xFF07:
		return '\'';
	case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x00AB: case 0x00BB:
	case 0xFF02:
		return '"';
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
		return '-';
	default:
		return 0;
	}
}

int mod_view_normal_into(struct mod_view *v, const char *text, size_t len, bool *invalid)
{
	const unsigned char *in = (const unsigned char *)text;
	unsigned pending_xf = 0;
	v->len = 0;
	v->xf_any = 0;
	v->ambiguous = false;
	v->identity = true;
	*invalid = false;
	if (view_reserve(v, len + 16) < 0)
		return -1;
	/* Fast path: plain ASCII maps byte for byte (the view stays an identity), eight bytes at a
	 * time while none is non-ASCII or an emphasis marker. */
	size_t i = 0;
	while (i + 8 <= len) {
		uint64_t x;
		memcpy(&x, in + i, 8);
		if ((x & SWAR_HIGH) || swar_has(x, '*') || swar_has(x, '_') || swar_has(x, '~'))
			break;
		/* 'A'..'Z' get 0x20: a byte >= 'A' overflows into bit 7 when 0x80 - 'A' is added, a
		 * byte > 'Z' when 0x80 - 'Z' - 1 is; no byte carries into the next (all are < 0x80) */
		uint64_t ge_a = x + SWAR_ONES * (0x80 - 'A');
		uint64_t gt_z = x + SWAR_ONES * (0x80 - 'Z' - 1);
		x |= (ge_a & ~gt_z & SWAR_HIGH) >> 2;
		memcpy(v->text + i, &x, 8);
		i += 8;
	}
	while (i < len) {
		unsigned char c = in[i];
		if (c >= 0x80 || is_emphasis(c))
			break;
		v->text[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
		i++;
	}
	v->len = i;
	while (i < len) {
		unsigned char c = in[i];
		if (c < 0x80) {
			if (is_emphasis(c)) {
				size_t j = i;
				while (j < len && is_emphasis(in[j]))
					j++;
				bool word_before = v->len > 0 &&
				                   is_word_byte((unsigned char)v->text[v->len - 1]);
				bool word_after = j < len && is_word_byte(in[j]);
				if (word_before && word_after && is_mask_run(in, len, i, j)) {
					/* "k*ll": asterisks standing for letters stay, for the
					 * de-obfuscated view to fill in */
					if (view_reserve(v, j - i) < 0)
						return -1;
					for (; i < j; i++)
						view_put(v, in[i], (uint32_t)i, 1, 0);
					continue;
				}
				if (word_before || word_after) {
					if (view_materialize(v) < 0)
						return -1;
					if (word_before && word_after)
						pending_xf |= MOD_XF_EMPHASIS;
					i = j;
					continue;
				}
				if (view_reserve(v, j - i) < 0)
					return -1;
				for (; i < j; i++)
					view_put(v, in[i], (uint32_t)i, 1, 0);
				continue;
			}
			/* a run of plain ASCII: one byte each, the pending transform on the first */
			size_t j = i + 1;
			while (j < len && in[j] < 0x80 && !is_emphasis(in[j]))
				j++;
			if (view_reserve(v, j - i) < 0)
				return -1;
			view_put(v, (c >= 'A' && c <= 'Z') ? c + 32 : c, (uint32_t)i, 1, pending_xf);
			pending_xf = 0;
			size_t o = v->len;
			for (size_t k = i + 1; k < j; k++, o++) {
				unsigned char b = in[k];
				v->text[o] = (char)((b >= 'A' && b <= 'Z') ? b + 32 : b);
			}
			if (!v->identity) {
				for (size_t k = i + 1, m = v->len; k < j; k++, m++)
					v->src[m] = (uint32_t)k;
				memset(v->srclen + v->len, 1, j - i - 1);
				memset(v->xf + v->len, 0, (j - i - 1) * sizeof *v->xf);
			}
			v->len = o;
			i = j;
			continue;
		}
		if (view_materialize(v) < 0 || view_reserve(v, CP_BYTES_MAX) < 0)
			return -1;
		size_t n = utf8_seq_len(in + i, len - i);
		if (n == 0) {
			*invalid = true;
			view_put(v, 0xEF, (uint32_t)i, 1, pending_xf);
			view_put(v, 0xBF, (uint32_t)i, 1, pending_xf);
			view_put(v, 0xBD, (uint32_t)i, 1, pending_xf);
			pending_xf = 0;
			i++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_iterate(in + i, (utf8proc_ssize_t)n, &cp);
		unsigned char ascii = fold_punct(cp);
		if (ascii) {
			view_put(v, ascii, (uint32_t)i, (unsigned)n, pending_xf);
			pending_xf = 0;
			i += n;
			continue;
		}
		utf8proc_int32_t buf[CP_EXPANSION_MAX];
		int boundclass = 0;
		utf8proc_ssize_t count = utf8proc_decompose_char(cp, buf, CP_EXPANSION_MAX,
			UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE |
			UTF8PROC_STRIPMARK, &boundclass);
		if (count < 0 || count > CP_EXPANSION_MAX) {
			count = 1;          /* cannot happen for valid code points; keep the character */
			buf[0] = cp;
		} else if (count > 1) {
			count = utf8proc_normalize_utf32(buf, count, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
			if (count < 0) {
				count = 1;
				buf[0] = cp;
			}
		}
		for (utf8proc_ssize_t k = 0; k < count; k++) {
			utf8proc_uint8_t enc[4];
			utf8proc_ssize_t el = utf8proc_encode_char(buf[k], enc);
			for (utf8proc_ssize_t b = 0; b < el; b++) {
				view_put(v, enc[b], (uint32_t)i, (unsigned)n, pending_xf);
				pending_xf = 0;
			}
		}
		i += n;
	}
	v->text[v->len] = '\0';
	return 0;
}

int mod_view_normal(struct mod_view *v, const char *text, size_t len, bool *invalid)
{
	memset(v, 0, sizeof *v);
	if (mod_view_normal_into(v, text, len, invalid) < 0 || view_materialize(v) < 0)
		return -1;
	return 0;
}

/* ---- de-obfuscated view ------------------------------------------------------------------------ */

/* One character of a token being de-obfuscated. */
struct tchar {
	int32_t cp;
	uint32_t npos;          /* byte offset in the normal view */
	uint8_t nbytes;         /* its length there */
	uint16_t xf;
	bool ambiguous;         /* an ambiguous leet character, folded by guess */
};

#define TOKEN_MAX 128

static inline int32_t decode_at(const struct mod_view *n, size_t pos, size_t *bytes)
{
	unsigned char c = (unsigned char)n->text[pos];
	if (c < 0x80) {
		*bytes = 1;
		return c;
	}
	utf8proc_int32_t cp;
	utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)n->text + pos,
	                                      (utf8proc_ssize_t)(n->len - pos), &cp);
	if (r <= 0) {
		*bytes = 1;
		return 0xFFFD;
	}
	*bytes = (size_t)r;
	return cp;
}

static bool is_letter(int32_t cp)
{
	if (cp < 0x80)
		return cp >= 'a' && cp <= 'z';
	utf8proc_category_t cat = utf8proc_category(cp);
	return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

static bool is_digit(int32_t cp)
{
	return cp >= '0' && cp <= '9';
}

static bool is_leet_symbol(int32_t cp)
{
	return cp == '$' || cp == '@' || cp == '!' || cp == '|';
}

/* Latin look-alike for a (case-folded) Cyrillic, Greek, Armenian or IPA letter, or 0. */
static char homoglyph(int32_t cp)
{
	switch (cp) {
	case 0x0430: return 'a'; case 0x0435: return 'e'; case 0x0456: return 'i';
	case 0x0458: return 'j'; case 0x043A: return 'k'; case 0x043C: return 'm';
	case 0x043E: return 'o'; case 0x0440: return 'p'; case 0x0441: return 'c';
	case 0x0443: return 'y'; case 0x0445: return 'x'; case 0x0455: return 's';
	case 0x0501: return 'd'; case 0x04BB: return 'h'; case 0x04CF: return 'l';
	case 0x051B: return 'q'; case 0x051D: return 'w'; case 0x0454: return 'e';
	case 0x0491: return 'r';
	case 0x03B1: return 'a'; case 0x03B5: return 'e'; case 0x03B9: return 'i';
	case 0x03BA: return 'k'; case 0x03BD: return 'v'; case 0x03BF: return 'o';
	case 0x03C1: return 'p'; case 0x03C4: return 't'; case 0x03C5: return 'u';
	case 0x03C7: return 'x'; case 0x03F2: return 'c'; case 0x03F3: return 'j';
	case 0x03B3: return 'y'; case 0x03C9: return 'w'; case 0x03B7: return 'n';
	case 0x03BC: return 'u';
	case 0x0585: return 'o'; case 0x057D: return 'u'; case 0x0570: return 'h';
	case 0x0261: return 'g'; case 0x0131: return 'i'; case 0x0269: return 'i';
	case 0x0251: return 'a'; case 0x0432: return 'b';
	default: return 0;
	}
}

static bool is_vowel(int32_t cp)
{
	return cp == 'a' || cp == 'e' || cp == 'i' || cp == 'o' || cp == 'u' || cp == 'y';
}

/* Letter for an unambiguous leet character, or 0. */
static char leet_plain(int32_t cp)
{
	switch (cp) {
	case '0': return 'o'; case '3': return 'e'; case '4': return 'a'; case '5': return 's';
	case '7': return 't'; case '8': return 'b'; case '9': return 'g'; case '$': return 's';
	case '@': return 'a';
	default: return 0;
	}
}

static bool leet_ambiguous(int32_t cp)
{
	return cp == '1' || cp == '|' || cp == '!';
}

/* Tokens like "10mg", "3am", "2nd", "covid19" are numbers with units or names with numbers, not
 * leetspeak: a run of 2+ digits at either end, or one leading digit followed by a common suffix. */
static bool token_is_number_word(const struct tchar *t, size_t n)
{
	static const char *const suffixes[] = {
		"st", "nd", "rd", "th", "am", "pm", "s", "k", "m", "x", "h", "g", "mg", "ml", "kg", "lb",
		"lbs", "min", "mins", "hr", "hrs", "yr", "yrs", "yo", "d", "w", "ish", "mcg", "ug", "cm",
		"km", "mm", "ft", "gb", "mb", "kb", "p", "v", "b", "x" };
	size_t lead = 0, trail = 0;
	while (lead < n && is_digit(t[lead].cp))
		lead++;
	while (trail < n && is_digit(t[n - 1 - trail].cp))
		trail++;
	/* one letter and then only letter-like digits, in a short word: "d13" is "die", while "b12",
	 * "g20" and "a380" keep a digit no one writes for a letter */
	if (lead == 0 && n <= 4 && trail == n - 1 && trail >= 2) {
		bool all_leet = true;
		for (size_t k = 1; k < n; k++)
			all_leet &= leet_plain(t[k].cp) || leet_ambiguous(t[k].cp);
		if (all_leet)
			return false;
	}
	if (lead >= 2 || trail >= 2)
		return true;
	if (lead == 1) {
		size_t rest = n - 1;
		for (size_t s = 0; s < sizeof suffixes / sizeof *suffixes; s++) {
			if (strlen(suffixes[s]) != rest)
				continue;
			size_t k = 0;
			while (k < rest && t[1 + k].cp == suffixes[s][k])
				k++;
			if (k == rest)
				return true;
		}
	}
	return false;
}

/* ---- words the de-obfuscated view restores ---------------------------------------------------- */

/* Words people mask ("k*ll"), split ("su-i-cide") or space out ("a l o o n y"), and the short
 * words spaced-out phrases are made of ("i w a n t t o d i e"). Sorted (strcmp order). A masked
 * or split token becomes one of these only when it fits one exactly; a spaced-out run is cut into
 * these only when all of it is made of them. */
static const char *const deob_words[] = {
	"a", "about", "after", "again", "alive", "all", "alone", "am", "an", "and", "anymore", "anyone",
	"at", "be", "bleed", "bleeding", "blood", "body", "bridge", "but", "bye", "can", "cant", "cut",
	"cuts", "cutting", "dead", "death", "did", "die", "died", "dies", "do", "done", "dont", "drown",
	"dying", "else", "end", "ending", "everyone", "for", "forever", "freak", "going", "gone",
	"gonna", "goodbye", "gun", "hang", "hanged", "hanging", "hate", "he", "her", "herself", "him",
	"himself", "his", "hurt", "hurting", "i", "i'm", "im", "in", "is", "it", "jump", "jumping",
	"just", "kill", "killed", "killing", "kms", "knife", "kys", "let", "life", "like", "loon",
	"loony", "lunatic", "maniac", "me", "mental", "mentally", "mong", "more", "my", "myself", "need",
	"no", "noose", "not", "now", "nut", "nutcase", "nutjob", "nutter", "od", "of", "off", "on",
	"over", "overdose", "pill", "pills", "please", "poison", "psycho", "psychotic", "retard",
	"retarded", "rope", "schizo", "self", "shoot", "should", "slit", "so", "stab", "suicidal",
	"suicide", "tablets", "the", "them", "themselves", "there", "they", "this", "to", "today",
	"tomorrow", "tonight", "unalive", "wanna", "want", "wants", "was", "will", "wish", "with",
	"wrist", "wrists", "you", "your", "yourself",
};

#define DEOB_WORD_MAX 16

static int deob_word_cmp(const void *key, const void *elem)
{
	const char *k = key;
	return strcmp(k, *(const char *const *)elem);
}

/* Whether w[0, len) (ASCII lower case) is one of deob_words. */
static bool deob_word(const char *w, size_t len)
{
	char buf[DEOB_WORD_MAX + 1];
	if (len == 0 || len > DEOB_WORD_MAX)
		return false;
	memcpy(buf, w, len);
	buf[len] = '\0';
	return bsearch(buf, deob_words, sizeof deob_words / sizeof *deob_words, sizeof *deob_words,
	               deob_word_cmp) != NULL;
}

/* The word of deob_words that pattern[0, len) fits, '*' standing for any one letter; NULL when
 * none does. */
static const char *deob_word_fitting(const char *pattern, size_t len)
{
	for (size_t i = 0; i < sizeof deob_words / sizeof *deob_words; i++) {
		const char *w = deob_words[i];
		if (strlen(w) != len)
			continue;
		size_t k = 0;
		while (k < len && (pattern[k] == w[k] || (pattern[k] == '*' && w[k] >= 'a' && w[k] <= 'z')))
			k++;
		if (k == len)
			return w;
	}
	return NULL;
}

static inline bool ascii_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static inline bool ascii_alnum(unsigned char c)
{
	return ascii_lower(c) || (c >= '0' && c <= '9');
}

/* A masked or split word at pos of the normal view: letters and '*' in pieces joined by single
 * '-' or '.' ("k*ll", "s**cide", "su-i-cide", "ha.ng.ing"), with at least one mask or joint and
 * a letter first, that fits a word of deob_words. Appends the word to d and returns where the
 * token ends, or 0 (nothing appended) when there is none. */
static size_t masked_word(struct mod_view *d, const struct mod_view *n, size_t pos)
{
	const unsigned char *t = (const unsigned char *)n->text;
	char pat[DEOB_WORD_MAX];
	uint32_t at[DEOB_WORD_MAX];
	size_t len = 0, p = pos, masks = 0, joints = 0;
	if (!ascii_lower(t[pos]) || (pos > 0 && (ascii_alnum(t[pos - 1]) || t[pos - 1] == '*')))
		return 0;
	while (p < n->len) {
		unsigned char c = t[p];
		if (ascii_lower(c) || c == '*') {
			if (len == DEOB_WORD_MAX)
				return 0;
			masks += c == '*';
			at[len] = (uint32_t)p;
			pat[len++] = (char)c;
			p++;
		} else if ((c == '-' || c == '.') && p + 1 < n->len && len > 0 &&
		           (ascii_lower(t[p + 1]) || t[p + 1] == '*') && pat[len - 1] != '*') {
			joints++;
			p++;
		} else {
			break;
		}
	}
	if ((masks == 0 && joints == 0) || (p < n->len && (t[p] >= 0x80 || (t[p] >= '0' && t[p] <= '9') ||
	                                                   is_leet_symbol(t[p]))))
		return 0;
	const char *w = masks ? deob_word_fitting(pat, len) : deob_word(pat, len) ? pat : NULL;
	if (!w || view_reserve(d, len) < 0)
		return 0;
	for (size_t k = 0; k < len; k++) {
		unsigned xf = mod_view_xf(n, at[k]) | (pat[k] == '*' ? MOD_XF_MASK : 0) |
		              (joints ? MOD_XF_SPLIT : 0);
		view_put(d, (unsigned char)w[k], mod_view_src(n, at[k]), mod_view_srclen(n, at[k]), xf);
	}
	return p;
}

/* The word an emoji stands for, or NULL. A coffin is "kill" before a reflexive pronoun ("going to
 * ⚰️ myself"), else "dead" like a skull. */
static const char *emoji_word(int32_t cp, const struct mod_view *n, size_t after)
{
	switch (cp) {
	case 0x1F480: case 0x2620:                  /* skull, skull and crossbones */
		return "dead";
	case 0x26B0: {                              /* coffin */
		while (after < n->len && n->text[after] == ' ')
			after++;
		static const char *const reflexive[] = { "myself", "herself", "himself", "themselves",
		                                         "yourself", "my self" };
		for (size_t i = 0; i < sizeof reflexive / sizeof *reflexive; i++)
			if (strncmp(n->text + after, reflexive[i], strlen(reflexive[i])) == 0)
				return "kill";
		return "dead";
	}
	case 0x1F52A: case 0x1F5E1:                 /* hocho, dagger */
		return "knife";
	case 0x1FAA2:                               /* knot */
		return "rope";
	case 0x1F48A:                               /* pill */
		return "pills";
	case 0x1F52B:                               /* pistol */
		return "gun";
	case 0x1FA78:                               /* drop of blood */
		return "blood";
	case 0x1FA92:                               /* razor */
		return "razor";
	case 0x1FAA6:                               /* headstone */
		return "grave";
	case 0x1FAC0:                               /* anatomical heart */
		return "heart";
	default:
		return NULL;
	}
}

/* An emoji standing for a word at pos (a run of the same one counts once): appends the word to d,
 * a space on either side where it would touch a word, and returns where the run ends; 0 when
 * there is no such emoji. */
static size_t emoji_at(struct mod_view *d, const struct mod_view *n, size_t pos)
{
	size_t bytes;
	int32_t cp = decode_at(n, pos, &bytes);
	size_t end = pos + bytes;
	/* the same emoji again, with or without spaces between */
	for (;;) {
		size_t q = end, nb;
		while (q < n->len && n->text[q] == ' ')
			q++;
		if (q >= n->len || (unsigned char)n->text[q] < 0x80 || decode_at(n, q, &nb) != cp)
			break;
		end = q + nb;
	}
	const char *w = emoji_word(cp, n, end);
	if (!w)
		return 0;
	size_t wl = strlen(w);
	if (view_reserve(d, wl + 2) < 0)
		return 0;
	uint32_t src = mod_view_src(n, pos);
	uint32_t srclen = mod_view_src(n, end - 1) + mod_view_srclen(n, end - 1) - src;
	if (d->len > 0 && ascii_alnum((unsigned char)d->text[d->len - 1]))
		view_put(d, ' ', src, srclen, MOD_XF_EMOJI);
	for (size_t k = 0; k < wl; k++)
		view_put(d, (unsigned char)w[k], src, srclen, MOD_XF_EMOJI);
	if (end < n->len && ascii_alnum((unsigned char)n->text[end]))
		view_put(d, ' ', src, srclen, MOD_XF_EMOJI);
	return end;
}

/* Whether the character at pos is an emoji that stands for a word. */
static bool is_word_emoji(const struct mod_view *n, size_t pos)
{
	size_t bytes = 0;
	int32_t cp = decode_at(n, pos, &bytes);
	return emoji_word(cp, n, pos + bytes) != NULL;
}

/* Whether a masked or split word may start at pos: a letter at a word start, and after its
 * letters a '*', or a '-' or '.' before a letter or '*'. */
static bool masked_candidate(const struct mod_view *n, size_t pos)
{
	const unsigned char *t = (const unsigned char *)n->text;
	if (!ascii_lower(t[pos]) || (pos > 0 && ascii_alnum(t[pos - 1])))
		return false;
	size_t q = pos + 1;
	while (q < n->len && ascii_lower(t[q]))
		q++;
	if (q + 1 >= n->len)
		return false;
	return t[q] == '*' || ((t[q] == '-' || t[q] == '.') && (ascii_lower(t[q + 1]) || t[q + 1] == '*'));
}

/* Cuts the letters t[0, count) of one spaced-out word into words of deob_words, fewest first:
 * "aloony" is "a loony", "iwanttodie" "i want to die". Fills cut[k] (a word ends after t[k]) and
 * returns true when all of it is made of two or more such words. */
static bool segment_spaced(const struct tchar *t, size_t count, bool *cut)
{
	char s[TOKEN_MAX];
	unsigned best[TOKEN_MAX + 1];
	uint8_t from[TOKEN_MAX + 1];
	if (count < 3 || count > TOKEN_MAX)
		return false;
	for (size_t k = 0; k < count; k++) {
		if (!ascii_lower((unsigned char)(t[k].cp < 0x80 ? t[k].cp : 0)))
			return false;
		s[k] = (char)t[k].cp;
	}
	if (deob_word(s, count))
		return false;
	best[0] = 0;
	for (size_t i = 1; i <= count; i++) {
		best[i] = UINT32_MAX;
		for (size_t l = 1; l <= i && l <= DEOB_WORD_MAX; l++)
			if (best[i - l] != UINT32_MAX && best[i - l] + 1 < best[i] && deob_word(s + i - l, l)) {
				best[i] = best[i - l] + 1;
				from[i] = (uint8_t)l;
			}
	}
	if (best[count] == UINT32_MAX || best[count] < 2)
		return false;
	memset(cut, 0, count * sizeof *cut);
	for (size_t i = count; i > 0; i -= from[i])
		if (i < count)
			cut[i - 1] = true;
	return true;
}

static int emit_tchar(struct mod_view *d, const struct mod_view *n, const struct tchar *tc,
                      size_t span_end_npos)
{
	if (view_reserve(d, 4) < 0)
		return -1;
	uint32_t src = mod_view_src(n, tc->npos);
	unsigned srclen = mod_view_srclen(n, tc->npos);
	if (span_end_npos > tc->npos) {
		/* a squeezed run: cover the original up to the end of the run's last character */
		size_t last = span_end_npos - 1;
		uint32_t end = mod_view_src(n, last) + mod_view_srclen(n, last);
		if (end > src)
			srclen = end - src;
	}
	if (tc->cp < 0x80) {
		view_put(d, (unsigned char)tc->cp, src, srclen, tc->xf);
	} else {
		for (size_t b = 0; b < tc->nbytes; b++)
			view_put(d, (unsigned char)n->text[tc->npos + b], src, srclen, tc->xf);
	}
	return 0;
}

/* Folds look-alikes and leetspeak in one token, squeezes letter runs, and appends it to d. */
static int emit_token(struct mod_view *d, const struct mod_view *n, struct tchar *t, size_t count,
                      bool flip_ambiguous)
{
	size_t ascii_letters = 0, other_letters = 0, confusable = 0, leet = 0;
	for (size_t k = 0; k < count; k++) {
		int32_t cp = t[k].cp;
		if (cp >= 'a' && cp <= 'z')
			ascii_letters++;
		else if (cp >= 0x80 && is_letter(cp)) {
			other_letters++;
			if (homoglyph(cp))
				confusable++;
		} else if (leet_plain(cp) || leet_ambiguous(cp))
			leet++;
	}
	/* Homoglyphs: in a word that mixes scripts, or one made only of look-alikes ("суісіdе"). A
	 * Russian or Greek word has letters without a Latin twin and stays as it is. */
	if (confusable > 0 && (ascii_letters > 0 || confusable == other_letters)) {
		for (size_t k = 0; k < count; k++) {
			char h = t[k].cp >= 0x80 ? homoglyph(t[k].cp) : 0;
			if (h) {
				t[k].cp = h;
				t[k].xf |= MOD_XF_HOMOGLYPH;
				ascii_letters++;
			}
		}
	}
	if (leet > 0 && ascii_letters > 0 && !token_is_number_word(t, count)) {
		for (size_t k = 0; k < count; k++) {
			int32_t cp = t[k].cp;
			char plain = leet_plain(cp);
			if (plain) {
				t[k].cp = plain;
				t[k].xf |= MOD_XF_LEET;
				continue;
			}
			if (!leet_ambiguous(cp))
				continue;
			/* 1, | and ! read as i or l. Guess: doubled means l (ki11), word-initial before a
			 * vowel means l (1ife), after e before a consonant means l (se1f), else i (k1ll). */
			bool doubled = (k > 0 && leet_ambiguous(t[k - 1].cp)) ||
			               (k + 1 < count && leet_ambiguous(t[k + 1].cp));
			int32_t next = k + 1 < count ? t[k + 1].cp : 0;
			int32_t prev = k > 0 ? t[k - 1].cp : 0;
			bool ell = doubled || (k == 0 && is_vowel(next)) ||
			           (prev == 'e' && !is_vowel(next));
			if (flip_ambiguous)
				ell = !ell;
			t[k].cp = ell ? 'l' : 'i';
			t[k].xf |= MOD_XF_LEET;
			t[k].ambiguous = true;
			d->ambiguous = true;
		}
	}
	size_t k = 0;
	while (k < count) {
		size_t run = 1;
		if (t[k].cp < 0x80 && is_letter(t[k].cp))
			while (k + run < count && t[k + run].cp == t[k].cp)
				run++;
		if (run >= 3) {
			t[k].xf |= MOD_XF_SQUEEZE;
			const struct tchar *last = &t[k + run - 1];
			if (emit_tchar(d, n, &t[k], last->npos + last->nbytes) < 0)
				return -1;
		} else {
			for (size_t r = 0; r < run; r++)
				if (emit_tchar(d, n, &t[k + r], 0) < 0)
					return -1;
		}
		k += run;
	}
	return 0;
}

/* A character that can be part of a token at pos: letters and digits always, leet symbols only
 * before a letter or digit (so "help!" keeps its "!" outside the word). */
static bool token_char_at(const struct mod_view *n, size_t pos, int32_t *cp_out, size_t *bytes)
{
	int32_t cp = decode_at(n, pos, bytes);
	*cp_out = cp;
	if (is_letter(cp) || is_digit(cp))
		return true;
	if (is_leet_symbol(cp) && pos + *bytes < n->len) {
		size_t nb;
		int32_t next = decode_at(n, pos + *bytes, &nb);
		return is_letter(next) || is_digit(next);
	}
	return false;
}

static bool is_spacing_separator(unsigned char c)
{
	return c == '.' || c == '-' || c == ',' || c == '/' || c == '+' || c == '*' || c == '_' ||
	       c == '~' || c == '\'' || c == ':' || c == '=' || c == '^';
}

/* Length of the gap at pos that may sit between spaced-out letters: up to 3 spaces, or one
 * separator character with up to one space on either side. 0 when there is none. */
static size_t spacing_gap(const struct mod_view *n, size_t pos, bool *has_space, bool *has_sep)
{
	size_t p = pos, spaces = 0, seps = 0;
	while (p < n->len && p - pos < 5) {
		unsigned char c = (unsigned char)n->text[p];
		if (c == ' ' || c == '\t')
			spaces++;
		else if (is_spacing_separator(c) && seps == 0)
			seps++;
		else
			break;
		p++;
	}
	if (p == pos || spaces > 3 || (seps && spaces > 2))
		return 0;
	*has_space = spaces > 0;
	*has_sep = seps > 0;
	return p - pos;
}

/* Collects a run of single characters separated by gaps ("k i l l", "s.u.i.c.i.d.e") starting at
 * pos. Returns the number of characters (0 unless at least 3, at least one of them a letter); fills
 * t and the positions where a word boundary (a wider gap than the run's narrowest) was seen. */
static size_t spaced_run(const struct mod_view *n, size_t pos, struct tchar *t, size_t *end,
                         bool *boundary_after)
{
	size_t count = 0, letters = 0, min_gap = SIZE_MAX;
	size_t gaps[TOKEN_MAX];
	bool gap_space[TOKEN_MAX];
	int kind = 0;               /* 1: letters apart by spaces, 2: by punctuation ("s.u.i") */
	size_t p = pos;
	while (count < TOKEN_MAX) {
		int32_t cp;
		size_t bytes;
		if (p >= n->len || !token_char_at(n, p, &cp, &bytes))
			break;
		/* exactly one character: the next must not continue the word */
		size_t after = p + bytes;
		if (after < n->len) {
			int32_t next_cp;
			size_t nb;
			if (token_char_at(n, after, &next_cp, &nb))
				break;
		}
		t[count] = (struct tchar){ .cp = cp, .npos = (uint32_t)p, .nbytes = (uint8_t)bytes,
		                           .xf = (uint16_t)mod_view_xf(n, p) };
		if (is_letter(cp))
			letters++;
		count++;
		bool has_space = false, has_sep = false;
		size_t gap = spacing_gap(n, after, &has_space, &has_sep);
		if (gap && !kind)
			kind = has_sep ? 2 : 1;
		/* A run keeps one style; a punctuation-spaced run may hold plain spaces between words */
		if (gap == 0 || (kind == 1 && has_sep)) {
			p = after;
			gaps[count - 1] = 0;
			break;
		}
		gaps[count - 1] = gap;
		gap_space[count - 1] = has_space;
		p = after + gap;
	}
	if (count < 3 || letters == 0)
		return 0;
	/* The run ends after its last character; a trailing gap is not part of it. */
	size_t last_end = t[count - 1].npos + t[count - 1].nbytes;
	for (size_t k = 0; k + 1 < count; k++)
		if (gaps[k] < min_gap)
			min_gap = gaps[k];
	for (size_t k = 0; k + 1 < count; k++)
		boundary_after[k] = kind == 2 ? (gap_space[k] && !is_spacing_separator(
		                                 (unsigned char)n->text[t[k].npos + t[k].nbytes]) &&
		                                 !is_spacing_separator((unsigned char)n->text[t[k + 1].npos - 1]))
		                              : gaps[k] > min_gap;
	boundary_after[count - 1] = false;
	*end = last_end;
	return count;
}

static inline bool is_leet_symbol_byte(unsigned char c)
{
	return c == '$' || c == '@' || c == '!' || c == '|';
}

int mod_view_deobfuscate_into(struct mod_view *d, const struct mod_view *n, bool flip_ambiguous)
{
	struct tchar t[TOKEN_MAX];
	bool boundary[TOKEN_MAX], cut[TOKEN_MAX];
	const unsigned char *text = (const unsigned char *)n->text;
	if (view_begin(d, n) < 0)
		return -1;
	/* Bytes that come out as they went in are not appended one by one: [copy_from, pos) is
	 * copied in one go before anything else is appended, and at the end. */
	size_t copy_from = 0;
	size_t pos = 0;
	while (pos < n->len) {
		int32_t cp;
		size_t bytes;
		unsigned char c = text[pos];
		/* Fast paths, each doing exactly what the general code below would. ASCII that can
		 * never be part of a token is copied as it is. */
		if (c < 0x80 && !(c >= 'a' && c <= 'z') && !is_digit(c) && !is_leet_symbol_byte(c)) {
			pos++;
			while (pos < n->len && text[pos] < 0x80 && !(text[pos] >= 'a' && text[pos] <= 'z') &&
			       !is_digit(text[pos]) && !is_leet_symbol_byte(text[pos]))
				pos++;
			continue;
		}
		/* An emoji standing for a word; a masked or split word ("k*ll", "su-i-cide"). */
		if (c >= 0x80 ? is_word_emoji(n, pos) : masked_candidate(n, pos)) {
			if (copy_from < pos && view_copy(d, n, copy_from, pos) < 0)
				return -1;
			copy_from = pos;
			size_t end = c >= 0x80 ? emoji_at(d, n, pos) : masked_word(d, n, pos);
			if (end) {
				pos = copy_from = end;
				continue;
			}
		}
		/* A word of 2..TOKEN_MAX ASCII letters ended by ASCII that cannot continue it, with no
		 * run of three of one letter: no spaced run starts here (the next character continues
		 * the word), nothing folds and nothing squeezes, so it is copied as it is. */
		if (c >= 'a' && c <= 'z') {
			size_t q = pos + 1, stop = n->len - pos > TOKEN_MAX ? pos + TOKEN_MAX + 1 : n->len;
			bool run3 = false;
			while (q < stop && text[q] >= 'a' && text[q] <= 'z') {
				if (q >= pos + 2 && text[q] == text[q - 1] && text[q] == text[q - 2]) {
					run3 = true;
					break;
				}
				q++;
			}
			if (!run3 && q - pos >= 2 && q - pos <= TOKEN_MAX &&
			    (q == n->len || (text[q] < 0x80 && !is_digit(text[q]) &&
			                     !is_leet_symbol_byte(text[q])))) {
				pos = q;
				continue;
			}
		}
		if (!token_char_at(n, pos, &cp, &bytes)) {
			pos += bytes;
			continue;
		}
		if (copy_from < pos && view_copy(d, n, copy_from, pos) < 0)
			return -1;
		size_t run_end;
		size_t run = spaced_run(n, pos, t, &run_end, boundary);
		if (run) {
			/* Emit word by word: a wider gap inside the run is a word boundary. */
			/* "a l o o n y", "i w a n t t o d i e": the words it is made of */
			size_t word_start = 0;
			for (size_t k = 0; k < run; k++) {
				if (!boundary[k] && k + 1 < run)
					continue;
				if (segment_spaced(t + word_start, k + 1 - word_start, cut))
					for (size_t w = word_start; w < k; w++)
						boundary[w] = cut[w - word_start];
				word_start = k + 1;
			}
			word_start = 0;
			for (size_t k = 0; k < run; k++) {
				t[k].xf |= MOD_XF_SPACING;
				if (boundary[k] || k + 1 == run) {
					if (emit_token(d, n, t + word_start, k + 1 - word_start,
					               flip_ambiguous) < 0)
						return -1;
					if (k + 1 < run) {
						size_t gap_pos = t[k].npos + t[k].nbytes;
						if (view_reserve(d, 1) < 0)
							return -1;
						view_put(d, ' ', mod_view_src(n, gap_pos),
						         mod_view_srclen(n, gap_pos), MOD_XF_SPACING);
					}
					word_start = k + 1;
				}
			}
			pos = copy_from = run_end;
			continue;
		}
		/* An ordinary token. Longer than TOKEN_MAX: emitted in TOKEN_MAX slices, which only
		 * weakens squeezing and folding on absurdly long "words". */
		size_t count = 0;
		while (pos < n->len && count < TOKEN_MAX && token_char_at(n, pos, &cp, &bytes)) {
			t[count++] = (struct tchar){ .cp = cp, .npos = (uint32_t)pos,
			                             .nbytes = (uint8_t)bytes,
			                             .xf = (uint16_t)mod_view_xf(n, pos) };
			pos += bytes;
		}
		if (emit_token(d, n, t, count, flip_ambiguous) < 0)
			return -1;
		copy_from = pos;
	}
	if (copy_from < pos && view_copy(d, n, copy_from, pos) < 0)
		return -1;
	d->text[d->len] = '\0';
	return 0;
}

int mod_view_deobfuscate(struct mod_view *d, const struct mod_view *n, bool flip_ambiguous)
{
	memset(d, 0, sizeof *d);
	return mod_view_deobfuscate_into(d, n, flip_ambiguous);
}

/* Classes for mod_view_needs_deobfuscation(). */
#define NEED_LETTER 1u          /* a-z */
#define NEED_DIGIT 2u           /* 0-9 */
#define NEED_SYMBOL 4u          /* a leet symbol: $ @ ! | */

static inline unsigned need_class(unsigned char c)
{
	return (unsigned char)(c - 'a') < 26 ? NEED_LETTER : (unsigned char)(c - '0') < 10 ? NEED_DIGIT :
	       is_leet_symbol_byte(c) ? NEED_SYMBOL : 0;
}

/* Runs of single-character tokens: the last one seen and how many came in a row. */
struct single_run {
	size_t last;
	unsigned count;
};

/* A single-character token at i: true when it is the third in a row, each within five bytes of
 * separators (no token) after the one before. */
static bool single_token(struct single_run *run, const unsigned char *t, size_t i)
{
	bool chained = run->count > 0 && i - run->last <= 6;
	for (size_t k = run->last + 1; chained && k < i; k++)
		chained = !(need_class(t[k]) & (NEED_LETTER | NEED_DIGIT));
	run->count = chained ? run->count + 1 : 1;
	run->last = i;
	return run->count >= 3;
}

/* The byte-by-byte test of [from, to). */
static bool needs_deobfuscation_at(const unsigned char *t, size_t len, size_t from, size_t to,
                                   struct single_run *run)
{
	for (size_t i = from; i < to; i++) {
		unsigned char c = t[i];
		if (c >= 0x80)
			return true;
		unsigned cls = need_class(c), prev = i > 0 ? need_class(t[i - 1]) : 0;
		if ((cls == NEED_LETTER && (prev & (NEED_DIGIT | NEED_SYMBOL))) ||
		    ((cls & (NEED_DIGIT | NEED_SYMBOL)) && prev == NEED_LETTER))
			return true;
		if (cls == NEED_LETTER && i >= 2 && t[i - 1] == c && t[i - 2] == c)
			return true;
		bool token = cls & (NEED_LETTER | NEED_DIGIT);
		bool next_token = i + 1 < len && (need_class(t[i + 1]) & (NEED_LETTER | NEED_DIGIT));
		if (token && !(prev & (NEED_LETTER | NEED_DIGIT)) && !next_token &&
		    single_token(run, t, i))
			return true;
	}
	return false;
}

#ifdef __SSE2__
/* Bytes of x in [lo, hi] (as unsigned). */
static inline __m128i in_range(__m128i x, unsigned char lo, unsigned char hi)
{
	__m128i y = _mm_xor_si128(_mm_sub_epi8(x, _mm_set1_epi8((char)lo)), _mm_set1_epi8((char)0x80));
	return _mm_cmpgt_epi8(_mm_set1_epi8((char)(hi - lo - 127)), y);
}

static inline __m128i loadu(const unsigned char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline __m128i digit_or_symbol(__m128i x)
{
	__m128i sym = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('$')),
	                                        _mm_cmpeq_epi8(x, _mm_set1_epi8('@'))),
	                           _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('!')),
	                                        _mm_cmpeq_epi8(x, _mm_set1_epi8('|'))));
	return _mm_or_si128(in_range(x, '0', '9'), sym);
}
#endif

/* Cheap test on a normal view: could the de-obfuscated view differ from it at all? It differs only
 * where there is a non-ASCII byte, a masked or split word, a digit or leet symbol touching a letter, a run of 3+ of one
 * letter, or 3+ one-character tokens in a row (tokens: runs of letters or digits; in a row: at
 * most five bytes apart). Ordinary posts skip building it. Every condition is local, so with SSE2
 * sixteen positions are tested at once (reading one byte past each block: at most the NUL). */
/* Whether some c in t[0, len) joins two parts of a word: a letter (or '*') on both sides
 * ("k*ll", "un-alive", "suic.ide", "su-i-cide"). One joint is enough: the de-obfuscated view joins
 * a word split once, and a test that asked for a second joint missed "kni.fe" and "mysel-f" unless
 * something else in the post built the view. A hyphenated word ("well-known") builds the view for
 * nothing but costs only that. */
static bool has_joint(const unsigned char *t, size_t len, unsigned char c)
{
	const unsigned char *p = t, *end = t + len;
	while ((p = memchr(p, c, (size_t)(end - p))) != NULL) {
		size_t i = (size_t)(p - t);
		p++;
		if (i > 0 && i + 1 < len && (ascii_lower(t[i - 1]) || t[i - 1] == '*') &&
		    (ascii_lower(t[i + 1]) || t[i + 1] == '*'))
			return true;
	}
	return false;
}

bool mod_view_needs_deobfuscation(const struct mod_view *n)
{
	const unsigned char *t = (const unsigned char *)n->text;
	struct single_run run = { 0, 0 };
	size_t i = 0;
	if (has_joint(t, n->len, '*') || has_joint(t, n->len, '-') || has_joint(t, n->len, '.'))
		return true;
#ifdef __SSE2__
	if (n->len >= 2) {
		if (needs_deobfuscation_at(t, n->len, 0, 2, &run))
			return true;
		for (i = 2; i + 16 <= n->len; i += 16) {
			__m128i x = loadu(t + i), p1 = loadu(t + i - 1), p2 = loadu(t + i - 2);
			__m128i letter = in_range(x, 'a', 'z'), prev_letter = in_range(p1, 'a', 'z');
			__m128i ds = digit_or_symbol(x), prev_ds = digit_or_symbol(p1);
			__m128i adjacent = _mm_or_si128(_mm_and_si128(letter, prev_ds),
			                                _mm_and_si128(ds, prev_letter));
			__m128i run3 = _mm_and_si128(letter, _mm_and_si128(_mm_cmpeq_epi8(x, p1),
			                                                   _mm_cmpeq_epi8(x, p2)));
			if (_mm_movemask_epi8(_mm_or_si128(x, _mm_or_si128(adjacent, run3))))
				return true;
			/* single-character tokens: rare, checked one by one */
			__m128i token = _mm_or_si128(letter, in_range(x, '0', '9'));
			__m128i prev_token = _mm_or_si128(prev_letter, in_range(p1, '0', '9'));
			__m128i n1 = loadu(t + i + 1);
			__m128i next_token = _mm_or_si128(in_range(n1, 'a', 'z'), in_range(n1, '0', '9'));
			unsigned single = (unsigned)_mm_movemask_epi8(
				_mm_andnot_si128(_mm_or_si128(prev_token, next_token), token));
			for (; single; single &= single - 1)
				if (single_token(&run, t, i + (size_t)__builtin_ctz(single)))
					return true;
		}
	}
#endif
	return needs_deobfuscation_at(t, n->len, i, n->len, &run);
}

/* ---- spelling view ----------------------------------------------------------------------------- */

int mod_view_spelling_into(struct mod_view *d, const struct mod_view *n, const struct mod_spelling *sp)
{
	size_t ws, we, stdlen;
	const char *standard;
	if (!sp || !mod_spelling_next(sp, n->text, n->len, 0, &ws, &we, &standard, &stdlen))
		return 0;
	if (view_begin(d, n) < 0)
		return -1;
	size_t copy_from = 0;
	do {
		if (view_copy(d, n, copy_from, ws) < 0 || view_reserve(d, stdlen) < 0)
			return -1;
		/* every byte of the standard words stands for the whole source word */
		uint32_t osrc = mod_view_src(n, ws);
		size_t oend = mod_view_src(n, we - 1) + mod_view_srclen(n, we - 1);
		unsigned xf = MOD_XF_SPELLING;
		for (size_t k = ws; k < we; k++)
			xf |= mod_view_xf(n, k);
		for (size_t k = 0; k < stdlen; k++)
			view_put(d, (unsigned char)standard[k], osrc, (unsigned)(oend - osrc), xf);
		copy_from = we;
	} while (mod_spelling_next(sp, n->text, n->len, we, &ws, &we, &standard, &stdlen));
	if (view_copy(d, n, copy_from, n->len) < 0)
		return -1;
	d->text[d->len] = '\0';
	return 1;
}
