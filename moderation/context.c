/*
 * context.c: context modifiers, decided in C on a window of a view around each match.
 *
 * pcre2 10.42 has no variable-length lookbehind, and a rule should not have to spell out "unless
 * 'never' or 'don't' came three words earlier" in every pattern, so cue phrases live in
 * context.lists and are checked here, word by word, only around matches. The file format is in
 * moderation/README.rules.md ("Context lists").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mod_internal.h"

#define SENTENCE_REACH 400      /* bytes searched for a sentence end on either side of a match */
#define WINDOW_WORDS_MAX 256
#define QUOTE_REACH 200         /* bytes searched for an opening or closing quote on the line */

static const char *const list_names[MOD_LIST__MAX] = {
	"negation", "past", "quote", "media", "question", "third_party", "self", "clinical",
	"criticism", "first_person", "clause", "addressee", "counter", "recovery", "current",
	"near_time", "recovered", "relapse", "word_talk", "return", "no_return", "game", "game_real",
	"past_ref", "been_there", "idiom"
};

static const char *const scope_names[MOD_SCOPE__MAX] = {
	"before", "after", "sentence", "match", "start"
};

void mod_lists_free(struct mod_lists *lists)
{
	for (int i = 0; i < MOD_LIST__MAX; i++) {
		free(lists->list[i].cues);
		free(lists->list[i].order);
		lists->list[i] = (struct mod_list){ 0 };
	}
}

/* Number words a cue word <n> stands for, besides digits ("twelve years ago", "a few years back"). */
static const char *const number_words[] = {
	"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
	"twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
	"twenty", "thirty", "forty", "fifty", "few", "several", "many"
};

/* Called for every word of every window: most words are rejected by length and first letter. */
static bool is_number_word(const char *w, size_t len)
{
	if (len < 3 || len > 9 || !strchr("eftnmos", w[0]))
		return false;
	for (size_t i = 0; i < sizeof number_words / sizeof *number_words; i++)
		if (number_words[i][0] == w[0] && strlen(number_words[i]) == len &&
		    memcmp(w, number_words[i], len) == 0)
			return true;
	return false;
}

/* What <n> matches: digits only (12, 2019; not 3am, 30th), or a number word. */
static bool is_number(const char *w, size_t len)
{
	if (len == 0)
		return false;
	if (w[0] >= '0' && w[0] <= '9') {
		for (size_t i = 0; i < len; i++)
			if (w[i] < '0' || w[i] > '9')
				return false;
		return true;
	}
	return is_number_word(w, len);
}

/* All words starting with a digit, the number words and <n> share a bucket, so that a window word
 * "12" finds the cues "<n> years ago" and "2019" alike. Any other word's bucket is a hash of its
 * first two bytes and its length (up to BUCKET_LEN_CAP): a window word "myself" does not try the
 * 63 third-party cues starting "my" (the 50 KB pathological posts of filter_bench spent a fifth
 * of their time on such cues). A cue whose first word matches as a prefix ("schizo*") is in the
 * bucket of every length it can match, in list order like the others: a word's bucket holds the
 * same cues that can match it as before, in the same order, so the first that matches is too. */
#define NUMBER_BUCKET 0u
#define BUCKET_LEN_CAP 8u

static bool number_bucketed(const char *w, size_t len)
{
	return (w[0] >= '0' && w[0] <= '9') || is_number_word(w, len) ||
	       (len == 3 && memcmp(w, "<n>", 3) == 0);
}

static unsigned hashed_bucket(const char *w, size_t len)
{
	unsigned b0 = (unsigned char)w[0], b1 = len > 1 ? (unsigned char)w[1] : 0;
	unsigned l = len < BUCKET_LEN_CAP ? (unsigned)len : BUCKET_LEN_CAP;
	unsigned b = (b0 * 31u + b1 + l * 97u) & (MOD_CUE_BUCKETS - 1);
	return b == NUMBER_BUCKET ? 1u : b;
}

static unsigned word_bucket(const char *w, size_t len)
{
	return number_bucketed(w, len) ? NUMBER_BUCKET : hashed_bucket(w, len);
}

/* For each bucket cue i of list belongs in (see word_bucket): counts it in counts[b + 1] and
 * *entries, or with place, puts it at order[counts[b]++]. */
static void cue_buckets(struct mod_list *list, size_t i, uint16_t *counts, bool place,
                        size_t *entries)
{
	const struct mod_cue *cue = &list->cues[i];
	const char *w = cue->word[0];
	size_t len = cue->wordlen[0], last = len;
	bool prefix = (cue->prefix & 1) && !number_bucketed(w, len);
	if (prefix && last < BUCKET_LEN_CAP)
		last = BUCKET_LEN_CAP;
	unsigned prev = MOD_CUE_BUCKETS;
	for (size_t l = len; l <= last; l++) {
		unsigned b = prefix ? hashed_bucket(w, l) : word_bucket(w, len);
		if (b == prev)          /* (lengths past the cap share one bucket) */
			continue;
		prev = b;
		if (place) {
			list->order[counts[b]++] = (uint16_t)i;
		} else {
			counts[b + 1]++;
			(*entries)++;
		}
	}
}

static enum mod_err index_list(struct mod_list *list)
{
	free(list->order);
	list->order = NULL;
	memset(list->bucket_start, 0, sizeof list->bucket_start);
	if (list->count == 0)
		return MOD_OK;
	size_t entries = 0;
	for (size_t i = 0; i < list->count; i++)
		cue_buckets(list, i, list->bucket_start, false, &entries);
	if (entries > UINT16_MAX)   /* a bucket's count could have wrapped */
		return MOD_ERR_LIMIT;
	for (size_t b = 0; b < MOD_CUE_BUCKETS; b++)
		list->bucket_start[b + 1] += list->bucket_start[b];
	if (!(list->order = malloc(entries * sizeof *list->order)))
		return MOD_ERR_NOMEM;
	uint16_t fill[MOD_CUE_BUCKETS];
	memcpy(fill, list->bucket_start, sizeof fill);
	for (size_t i = 0; i < list->count; i++)
		cue_buckets(list, i, fill, true, &entries);
	return MOD_OK;
}

static bool span_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Splits s[0..n) at blanks: returns the next word and advances *pos. */
static bool next_word(const char *s, size_t n, size_t *pos, const char **w, size_t *wl)
{
	while (*pos < n && (s[*pos] == ' ' || s[*pos] == '\t'))
		(*pos)++;
	if (*pos >= n)
		return false;
	*w = s + *pos;
	size_t start = *pos;
	while (*pos < n && s[*pos] != ' ' && s[*pos] != '\t')
		(*pos)++;
	*wl = *pos - start;
	return true;
}

__attribute__((format(printf, 5, 6)))
static enum mod_err list_fail(char *err, size_t errlen, const char *name, unsigned line,
                              const char *fmt, ...)
{
	if (errlen == 0)
		return MOD_ERR_SYNTAX;
	int n = snprintf(err, errlen, "%s:%u: ", name, line);
	if (n >= 0 && (size_t)n < errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MOD_ERR_SYNTAX;
}

static enum mod_err add_cue(struct mod_list *list, const struct mod_cue *cue)
{
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 32;
		struct mod_cue *c = realloc(list->cues, cap * sizeof *c);
		if (!c)
			return MOD_ERR_NOMEM;
		list->cues = c;
		list->cap = cap;
	}
	list->cues[list->count++] = *cue;
	return MOD_OK;
}

enum mod_err mod_lists_parse(struct mod_lists *lists, struct mod_pool *pool, const char *name,
                             const char *text, size_t len, char *err, size_t errlen)
{
	int current = -1;
	struct mod_cue scope = { .scope = MOD_SCOPE_SENTENCE };
	bool have_scope = false;
	unsigned line = 0;
	size_t total = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + pos;
		size_t n = end - pos;
		pos = end + 1;
		line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n > MOD_LINE_MAX)
			return list_fail(err, errlen, name, line, "line longer than %d bytes", MOD_LINE_MAX);
		size_t p = 0;
		const char *kw;
		size_t kwl;
		if (!next_word(s, n, &p, &kw, &kwl) || kw[0] == '#')
			continue;
		if (span_is(kw, kwl, "list")) {
			const char *w;
			size_t wl;
			if (current >= 0)
				return list_fail(err, errlen, name, line, "list %s has no 'end'",
				                 list_names[current]);
			if (!next_word(s, n, &p, &w, &wl))
				return list_fail(err, errlen, name, line, "'list' needs a name");
			for (int i = 0; i < MOD_LIST__MAX; i++)
				if (span_is(w, wl, list_names[i]))
					current = i;
			if (current < 0)
				return list_fail(err, errlen, name, line, "unknown list '%.*s'",
				                 (int)(wl > 40 ? 40 : wl), w);
			have_scope = current == MOD_LIST_FIRST_PERSON || current == MOD_LIST_CLAUSE;
			scope = (struct mod_cue){ .scope = MOD_SCOPE_SENTENCE };
			continue;
		}
		if (current < 0)
			return list_fail(err, errlen, name, line,
			                 "'%.*s' outside a list block (blocks start with 'list NAME')",
			                 (int)(kwl > 40 ? 40 : kwl), kw);
		if (span_is(kw, kwl, "end")) {
			current = -1;
			continue;
		}
		if (span_is(kw, kwl, "scope")) {
			const char *w;
			size_t wl;
			scope = (struct mod_cue){ 0 };
			if (!next_word(s, n, &p, &w, &wl))
				return list_fail(err, errlen, name, line, "'scope' needs a kind");
			int kind = -1;
			for (int i = 0; i < MOD_SCOPE__MAX; i++)
				if (span_is(w, wl, scope_names[i]))
					kind = i;
			if (kind < 0)
				return list_fail(err, errlen, name, line,
				                 "scope must be before N, after N, sentence, match or start");
			scope.scope = (uint8_t)kind;
			if (kind == MOD_SCOPE_BEFORE || kind == MOD_SCOPE_AFTER) {
				if (!next_word(s, n, &p, &w, &wl) || wl > 2 || w[0] < '0' || w[0] > '9' ||
				    (wl == 2 && (w[1] < '0' || w[1] > '9')))
					return list_fail(err, errlen, name, line,
					                 "scope %s needs a word distance 0..99", scope_names[kind]);
				scope.distance = (uint8_t)(wl == 1 ? w[0] - '0' : (w[0] - '0') * 10 + w[1] - '0');
			}
			if (next_word(s, n, &p, &w, &wl)) {
				if (!span_is(w, wl, "quoted") || next_word(s, n, &p, &w, &wl))
					return list_fail(err, errlen, name, line,
					                 "after the scope only 'quoted' may follow");
				scope.quoted = true;
			}
			have_scope = true;
			continue;
		}
		if (!span_is(kw, kwl, "cue"))
			return list_fail(err, errlen, name, line, "unknown keyword '%.*s' (list, scope, "
			                 "cue, end)", (int)(kwl > 40 ? 40 : kwl), kw);
		if (!have_scope)
			return list_fail(err, errlen, name, line, "cue before any 'scope' line");
		if (++total > 10000 || lists->list[current].count >= UINT16_MAX)
			return list_fail(err, errlen, name, line, "more than 10000 cues");
		struct mod_cue cue = scope;
		const char *w;
		size_t wl;
		while (next_word(s, n, &p, &w, &wl)) {
			if (w[0] == '#')
				break;
			if (cue.nwords == MOD_CUE_WORDS_MAX)
				return list_fail(err, errlen, name, line, "a cue has at most %d words",
				                 MOD_CUE_WORDS_MAX);
			if (wl > 1 && w[wl - 1] == '*') {
				cue.prefix |= (uint8_t)(1u << cue.nwords);
				wl--;
				if (wl < 2)
					return list_fail(err, errlen, name, line,
					                 "a prefix needs at least two letters before '*'");
			}
			if (wl > 64)
				return list_fail(err, errlen, name, line, "cue word longer than 64 bytes");
			if (span_is(w, wl, "<n>"))
				cue.number |= (uint8_t)(1u << cue.nwords);
			for (size_t k = 0; k < wl && !(cue.number & (1u << cue.nwords)); k++)
				if ((w[k] >= 'A' && w[k] <= 'Z') || w[k] == '*' || w[k] == '<' || w[k] == '>')
					return list_fail(err, errlen, name, line,
					                 "cue words are lower case; '*' only ends a word; "
					                 "<n> stands for a number");
			if (!(cue.word[cue.nwords] = mod_pool_strndup(pool, w, wl)))
				return MOD_ERR_NOMEM;
			cue.wordlen[cue.nwords++] = (uint8_t)wl;
		}
		if (cue.nwords == 0)
			return list_fail(err, errlen, name, line, "'cue' needs a phrase");
		if (add_cue(&lists->list[current], &cue))
			return MOD_ERR_NOMEM;
	}
	if (current >= 0)
		return list_fail(err, errlen, name, line, "list %s has no 'end'", list_names[current]);
	for (int i = 0; i < MOD_LIST__MAX; i++) {
		enum mod_err rc = index_list(&lists->list[i]);
		if (rc == MOD_ERR_LIMIT)
			return list_fail(err, errlen, name, 0, "list %s: too many cues ending in '*' "
			                 "(each is indexed once per word length up to %u)",
			                 list_names[i], BUCKET_LEN_CAP);
		if (rc)
			return rc;
	}
	return MOD_OK;
}

/* ---- evaluation ------------------------------------------------------------------------------- */

static bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 || c == '\'';
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void mod_sentence_bounds(const char *text, size_t len, size_t start, size_t end, size_t *s,
                         size_t *e)
{
	size_t lo = start > SENTENCE_REACH ? start - SENTENCE_REACH : 0;
	size_t b = start;
	while (b > lo) {
		char c = text[b - 1];
		if (c == '\n' || ((c == '.' || c == '!' || c == '?') && b < len && is_space((unsigned char)text[b])))
			break;
		b--;
	}
	size_t hi = end + SENTENCE_REACH < len ? end + SENTENCE_REACH : len;
	size_t f = end;
	while (f < hi) {
		char c = text[f];
		if (c == '\n')
			break;
		f++;
		if ((c == '.' || c == '!' || c == '?') && (f == len || is_space((unsigned char)text[f])))
			break;
	}
	/* A bound set by the reach alone can fall inside a UTF-8 sequence: move it to the next
	 * character, so that pcre2 (told the text is valid) never starts or stops mid-character. */
	while (b < start && ((unsigned char)text[b] & 0xC0) == 0x80)
		b++;
	while (f < len && ((unsigned char)text[f] & 0xC0) == 0x80)
		f++;
	*s = b;
	*e = f;
}

struct word {
	size_t start, end;
	unsigned bucket;
	bool break_before;      /* a clause boundary lies between the previous word and this one */
};

struct window {
	const char *text;
	struct word w[WINDOW_WORDS_MAX];
	size_t count;
	size_t m0, m1;          /* words [m0, m1) overlap the match */
	bool quoted;
};

static bool word_matches(const struct window *win, size_t wi, const struct mod_cue *cue, size_t k)
{
	const struct word *w = &win->w[wi];
	size_t wl = w->end - w->start;
	if (cue->number & (1u << k))
		return is_number(win->text + w->start, wl);
	if (cue->prefix & (1u << k))
		return wl >= cue->wordlen[k] &&
		       memcmp(win->text + w->start, cue->word[k], cue->wordlen[k]) == 0;
	return wl == cue->wordlen[k] && memcmp(win->text + w->start, cue->word[k], wl) == 0;
}

static bool cue_at(const struct window *win, size_t j, const struct mod_cue *cue)
{
	if (j + cue->nwords > win->count)
		return false;
	for (size_t k = 0; k < cue->nwords; k++)
		if (!word_matches(win, j + k, cue, k))
			return false;
	return true;
}

/* A clause boundary before any word in (from, to]. */
static bool clause_break_between(const struct window *win, size_t from, size_t to)
{
	for (size_t k = from + 1; k <= to && k < win->count; k++)
		if (win->w[k].break_before)
			return true;
	return false;
}

/* Whether a cue found at word j is where its scope wants it. */
static bool scope_ok(const struct window *win, const struct mod_cue *cue, size_t j)
{
	if (cue->quoted && !win->quoted)
		return false;
	size_t n = cue->nwords;
	switch (cue->scope) {
	case MOD_SCOPE_BEFORE:
		return j + n <= win->m0 && win->m0 - (j + n) <= cue->distance &&
		       !clause_break_between(win, j + n - 1, win->m0);
	case MOD_SCOPE_AFTER:
		return win->m1 > 0 && j >= win->m1 && j - win->m1 <= cue->distance &&
		       !clause_break_between(win, win->m1 - 1, j);
	case MOD_SCOPE_MATCH:
		return j >= win->m0 && j + n <= win->m1;
	case MOD_SCOPE_START:
		return j == 0;
	default:
		return true;
	}
}

/* Cues of list found at word j (any scope); calls back until it returns true. */
static const struct mod_cue *cue_starting_at(const struct window *win, const struct mod_list *list,
                                             size_t j, bool check_scope)
{
	if (!list->order)
		return NULL;
	unsigned b = win->w[j].bucket;
	for (uint16_t k = list->bucket_start[b]; k < list->bucket_start[b + 1]; k++) {
		const struct mod_cue *cue = &list->cues[list->order[k]];
		if (cue_at(win, j, cue) && (!check_scope || scope_ok(win, cue, j)))
			return cue;
	}
	return NULL;
}

static bool any_cue(const struct window *win, const struct mod_list *list)
{
	for (size_t j = 0; j < win->count; j++)
		if (cue_starting_at(win, list, j, true))
			return true;
	return false;
}

static bool word_is(const struct window *win, size_t j, const char *s)
{
	size_t n = strlen(s);
	return win->w[j].end - win->w[j].start == n && memcmp(win->text + win->w[j].start, s, n) == 0;
}

/* Whether words j-2, j-1 are "a b" (b alone when a is NULL) with no clause break before word j. */
static bool words_before(const struct window *win, size_t j, const char *a, const char *b)
{
	if (j < (a ? 2u : 1u) || win->w[j].break_before)
		return false;
	if (!word_is(win, j - 1, b))
		return false;
	return !a || (word_is(win, j - 2, a) && !win->w[j - 1].break_before);
}

static bool word_of_living(const struct window *win, size_t j)
{
	return j < win->count && !win->w[j].break_before &&
	       (word_is(win, j, "live") || word_is(win, j, "living") || word_is(win, j, "alive") ||
	        word_is(win, j, "here"));
}

/* A cue of list current ("want to", "still") takes recovery back, unless it tells the past or
 * living: "used to" or "didn't" right before it ("i used to want to die every day", "i didn't
 * want to die that night"), "you" right before it (the reader's: "that you want to die, because
 * i've been there"), or a word of living right after it with no "don't" or "not" before ("now i
 * just want to live", "i'm still here"; "i don't want to live" stays current). */
static bool any_current_cue(const struct window *win, const struct mod_list *list)
{
	for (size_t j = 0; j < win->count; j++) {
		const struct mod_cue *cue = cue_starting_at(win, list, j, true);
		if (!cue)
			continue;
		if (words_before(win, j, "used", "to") || words_before(win, j, NULL, "didn't") ||
		    words_before(win, j, NULL, "didnt") || words_before(win, j, "did", "not"))
			continue;
		/* "i've been there ... if you want to talk": the reader's wish, not the writer's now */
		if (words_before(win, j, NULL, "you") || words_before(win, j, NULL, "u"))
			continue;
		bool denied = words_before(win, j, NULL, "don't") || words_before(win, j, NULL, "dont") ||
		              words_before(win, j, NULL, "not") || words_before(win, j, NULL, "longer");
		size_t after = j + cue->nwords;
		if (!denied && (word_of_living(win, after) ||
		                (after + 1 < win->count && word_is(win, after, "just") &&
		                 word_of_living(win, after + 1))))
			continue;
		return true;
	}
	return false;
}

/* Any first-person word or phrase inside words [from, to). */
static bool first_person_in(const struct window *win, const struct mod_list *fp, size_t from,
                            size_t to)
{
	for (size_t j = from; j < to && j < win->count; j++) {
		const struct mod_cue *cue = cue_starting_at(win, fp, j, false);
		if (cue && j + cue->nwords <= to)
			return true;
	}
	return false;
}

/* Third party ("my friend wants to die") and addressee ("are you suicidal?") work alike: a cue
 * around the match, unless a first-person word is in the match or between the cue and it. A cue
 * marked quoted ("you wrote \"no more me\"") counts only for a quoted match, and then the
 * first person inside the quotation is the other person's, not the writer's. Returns the cue. */
static const struct mod_cue *other_person(const struct window *win, const struct mod_lists *lists,
                                          enum mod_list_id list)
{
	const struct mod_list *tp = &lists->list[list];
	const struct mod_list *fp = &lists->list[MOD_LIST_FIRST_PERSON];
	bool fp_in_match = first_person_in(win, fp, win->m0, win->m1);
	for (size_t j = 0; j < win->count; j++) {
		const struct mod_cue *cue = cue_starting_at(win, tp, j, true);
		if (!cue)
			continue;
		if (cue->quoted)
			return cue;
		if (fp_in_match)
			continue;
		/* "my friend asked if I ...": a first-person subject after the cue takes it back */
		if (cue->scope == MOD_SCOPE_BEFORE && first_person_in(win, fp, j + cue->nwords, win->m0))
			continue;
		return cue;
	}
	return NULL;
}
void mod_quote_index_free(struct mod_quote_index *qi)
{
	free(qi->pt);
	memset(qi, 0, sizeof *qi);
}

void mod_quote_index_trim(struct mod_quote_index *qi)
{
	if (qi->cap > 256)
		mod_quote_index_free(qi);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One pass over the text: the line facts at every MOD_QI_STEP-th byte. */
static bool quote_index_build(struct mod_quote_index *qi, const char *text, size_t len)
{
	size_t n = len / MOD_QI_STEP + 1;
	if (n > qi->cap) {
		struct mod_qi_point *pt = realloc(qi->pt, n * sizeof *pt);
		if (!pt)
			return false;
		qi->pt = pt;
		qi->cap = n;
	}
	size_t ls = 0, nonblank = 0, dq = 0;
	for (size_t k = 0; k < n; k++) {
		size_t at = k * MOD_QI_STEP;
		qi->pt[k] = (struct mod_qi_point){ (uint32_t)ls, (uint32_t)nonblank, (uint32_t)dq };
		size_t stop = at + MOD_QI_STEP < len ? at + MOD_QI_STEP : len;
		for (size_t i = at; i < stop; i++) {
			char c = text[i];
			if (c == '\n') {
				ls = nonblank = i + 1;
				dq = 0;
				continue;
			}
			if (nonblank == i && is_blank(c))
				nonblank = i + 1;
			dq += c == '"';
		}
	}
	qi->npt = n;
	qi->built = true;
	return true;
}

/* The start of start's line, the first non-blank byte from there (at most start) and the parity of
 * the '"' between: a scan back to the line start, or from the index for a long line. */
static void line_facts(const char *text, size_t len, size_t start, struct mod_quote_index *qi,
                       size_t *ls_out, size_t *p_out, size_t *dq_out)
{
	size_t ls = start, p, dq = 0;
	if (qi && len > MOD_QI_STEP && (qi->built || quote_index_build(qi, text, len))) {
		size_t k = start / MOD_QI_STEP, at = k * MOD_QI_STEP;
		while (ls > at && text[ls - 1] != '\n')
			ls--;
		if (ls == at && k < qi->npt) {
			/* no line break in [at, start): the line began at or before the index point */
			ls = qi->pt[k].line_start;
			p = qi->pt[k].nonblank;
			dq = qi->pt[k].dquotes;
			for (size_t i = at; i < start; i++)
				dq += text[i] == '"';
			while (p < start && is_blank(text[p]))
				p++;
			*ls_out = ls;
			*p_out = p;
			*dq_out = dq;
			return;
		}
	} else {
		while (ls > 0 && text[ls - 1] != '\n')
			ls--;
	}
	p = ls;
	while (p < start && is_blank(text[p]))
		p++;
	for (size_t i = ls; i < start; i++)
		dq += text[i] == '"';
	*ls_out = ls;
	*p_out = p;
	*dq_out = dq;
}

/* Inside "double quotes" on its line, 'single quotes' around it, or a > blockquote line. */
static bool is_quoted(const char *text, size_t len, size_t start, size_t end,
                      struct mod_quote_index *qi)
{
	size_t ls, p, dq;
	line_facts(text, len, start, qi, &ls, &p, &dq);
	if (p < len && text[p] == '>')
		return true;
	if (dq % 2 == 1)
		for (size_t i = end; i < len && text[i] != '\n' && i - end < QUOTE_REACH; i++)
			if (text[i] == '"')
				return true;
	/* single quotes: an opening ' that starts a word, and a closing ' that ends one */
	size_t lo = start > QUOTE_REACH ? start - QUOTE_REACH : 0;
	if (lo < ls)
		lo = ls;
	bool open = false;
	for (size_t i = start; i > lo; i--) {
		size_t q = i - 1;
		if (text[q] != '\'')
			continue;
		bool before_word = q > 0 && is_word_byte((unsigned char)text[q - 1]) && text[q - 1] != '\'';
		bool after_word = q + 1 < len && is_word_byte((unsigned char)text[q + 1]);
		if (before_word && after_word)
			continue;                   /* an apostrophe: don't, i'm */
		open = !before_word && after_word;
		break;
	}
	if (!open)
		return false;
	for (size_t i = end; i < len && text[i] != '\n' && i - end < QUOTE_REACH; i++) {
		if (text[i] != '\'')
			continue;
		bool before_word = i > 0 && is_word_byte((unsigned char)text[i - 1]);
		bool after_word = i + 1 < len && is_word_byte((unsigned char)text[i + 1]) && text[i + 1] != '\'';
		if (before_word && !after_word)
			return true;
	}
	return false;
}

static bool is_clause_punct(char c)
{
	return c == ',' || c == ';' || c == ':' || c == '(' || c == ')' || c == '-';
}

/* quote: whether to find out if the span is quoted (a whole-post scan does not look, and on a
 * long one-line post looking from each sentence would cost time quadratic in its length). */
static void build_window(struct window *win, const struct mod_lists *lists,
                         const struct mod_view *v, size_t start, size_t end,
                         struct mod_quote_index *qi, bool quote)
{
	size_t s, e;
	mod_sentence_bounds(v->text, v->len, start, end, &s, &e);
	win->text = v->text;
	win->count = 0;
	win->m0 = win->m1 = SIZE_MAX;
	bool pending_break = false;
	size_t p = s;
	while (p < e && win->count < WINDOW_WORDS_MAX) {
		unsigned char c = (unsigned char)v->text[p];
		if (!is_word_byte(c) || c == '\'') {
			if (is_clause_punct((char)c))
				pending_break = true;
			p++;
			continue;
		}
		size_t ws = p;
		while (p < e && is_word_byte((unsigned char)v->text[p]))
			p++;
		size_t we = p;
		while (we > ws + 1 && v->text[we - 1] == '\'')
			we--;                       /* a closing quote is not part of the word */
		struct word *w = &win->w[win->count];
		*w = (struct word){ ws, we, word_bucket(v->text + ws, we - ws), pending_break };
		pending_break = false;
		if (win->m0 == SIZE_MAX && we > start)
			win->m0 = win->count;
		if (ws < end)
			win->m1 = win->count + 1;
		win->count++;
	}
	if (win->m0 == SIZE_MAX)
		win->m0 = win->count;
	if (win->m1 == SIZE_MAX || win->m1 < win->m0)
		win->m1 = win->m0;
	/* clause words ("but", "although") break like a comma does */
	const struct mod_list *cl = &lists->list[MOD_LIST_CLAUSE];
	for (size_t j = 0; j < win->count; j++)
		if (cue_starting_at(win, cl, j, false))
			win->w[j].break_before = true;
	win->quoted = quote && is_quoted(v->text, v->len, start, end, qi);
}

/* Whether a question mark ends the quotation the match at end is in: one comes before the
 * closing quote, the end of the line or 80 bytes. */
static bool quoted_question(const char *text, size_t len, size_t end)
{
	for (size_t i = end; i < len && i < end + 80; i++) {
		if (text[i] == '?')
			return true;
		if (text[i] == '"' || text[i] == '\n')
			return false;
	}
	return false;
}

bool mod_context_post_has(const struct mod_lists *lists, const struct mod_view *v, enum mod_list_id id,
                          struct mod_quote_index *qi)
{
	const struct mod_list *list = &lists->list[id];
	if (list->count == 0)
		return false;
	struct window window;
	size_t pos = 0;
	while (pos < v->len) {
		size_t s, e;
		mod_sentence_bounds(v->text, v->len, pos, pos, &s, &e);
		build_window(&window, lists, v, pos, pos, qi, false);
		for (size_t j = 0; j < window.count; j++)
			if (cue_starting_at(&window, list, j, false))
				return true;
		pos = e > pos ? e : pos + 1;
	}
	return false;
}

/* Whether a sentence dates the crisis words of another: it has a cue of list past, and it starts
 * with a cue of list past_ref ("that was 12 years ago") or has a cue of list recovery ("i stopped
 * at 19", "5 years ago i was ..."). "everyone says it gets better" dates nothing. */
static bool dates(const struct mod_lists *lists, const struct window *w, bool after)
{
	if (!any_cue(w, &lists->list[MOD_LIST_PAST]))
		return false;
	return (after && any_cue(w, &lists->list[MOD_LIST_PAST_REF])) ||
	       any_cue(w, &lists->list[MOD_LIST_RECOVERY]);
}

/* Whether a sentence next to [s, e) dates it, in a post told as recovery: one of the two sentences
 * after it ("i took an overdose on my 30th birthday. that was 12 years ago.", "i self harmed for
 * years. i stopped at 19"), or the one before it, but not by past_ref ("5 years ago i was the mum
 * posting at 3am. i took an overdose and ended up in a mother and baby unit."). */
static bool dated_nearby(const struct mod_lists *lists, const struct mod_view *v, size_t s, size_t e)
{
	struct window near;
	if (s > 0) {
		size_t pos = s;
		while (pos > 0 && is_space((unsigned char)v->text[pos - 1]))
			pos--;
		if (pos > 0) {
			build_window(&near, lists, v, pos - 1, pos - 1, NULL, false);
			if (dates(lists, &near, false))
				return true;
		}
	}
	size_t pos = e;
	for (int k = 0; k < 2; k++) {
		while (pos < v->len && is_space((unsigned char)v->text[pos]))
			pos++;
		if (pos >= v->len)
			return false;
		build_window(&near, lists, v, pos, pos, NULL, false);
		if (dates(lists, &near, true))
			return true;
		size_t s2, e2;
		mod_sentence_bounds(v->text, v->len, pos, pos, &s2, &e2);
		pos = e2 > pos ? e2 : pos + 1;
	}
	return false;
}

unsigned mod_context_eval(const struct mod_lists *lists, const struct mod_view *v, size_t start,
                          size_t end, unsigned wanted, struct mod_quote_index *qi,
                          bool post_recovered)
{
	if (!wanted)
		return 0;
	struct window window;
	struct window *win = &window;
	build_window(win, lists, v, start, end, qi, true);
	unsigned fired = 0;
	static const struct { unsigned bit; enum mod_list_id list; } plain[] = {
		{ MOD_CTX_NEGATION, MOD_LIST_NEGATION }, { MOD_CTX_PAST, MOD_LIST_PAST },
		{ MOD_CTX_MEDIA, MOD_LIST_MEDIA }, { MOD_CTX_QUESTION, MOD_LIST_QUESTION },
		{ MOD_CTX_SELF, MOD_LIST_SELF }, { MOD_CTX_CLINICAL, MOD_LIST_CLINICAL },
		{ MOD_CTX_CRITICISM, MOD_LIST_CRITICISM }, { MOD_CTX_WORD, MOD_LIST_WORD_TALK },
	};
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
		if ((wanted & plain[i].bit) && any_cue(win, &lists->list[plain[i].list]))
			fired |= plain[i].bit;
	if ((wanted & MOD_CTX_QUOTE) && (win->quoted || any_cue(win, &lists->list[MOD_LIST_QUOTE])))
		fired |= MOD_CTX_QUOTE;
	if ((wanted & MOD_CTX_THIRD_PARTY) && other_person(win, lists, MOD_LIST_THIRD_PARTY))
		fired |= MOD_CTX_THIRD_PARTY;
	/* quoted second person was said to the writer ("he told me \"go kill yourself\""): not a reply;
	 * but a quoted question ("ask her: \"are you thinking about killing yourself?\"") is one the
	 * writer asks, or teaches others to ask */
	if (wanted & MOD_CTX_ADDRESSEE) {
		const struct mod_cue *cue = other_person(win, lists, MOD_LIST_ADDRESSEE);
		if (cue && (!win->quoted || cue->quoted || quoted_question(v->text, v->len, end)))
			fired |= MOD_CTX_ADDRESSEE;
		/* "I've been where you are, the garage, the car running. please tell someone": a reply
		 * recalls the writer's own past to reach the reader, first person included; not when
		 * the sentence says it is now ("i've been there and i'm back there tonight") */
		else if (any_cue(win, &lists->list[MOD_LIST_BEEN_THERE]) &&
		         !any_current_cue(win, &lists->list[MOD_LIST_CURRENT]) &&
		         !any_cue(win, &lists->list[MOD_LIST_NEAR_TIME]))
			fired |= MOD_CTX_ADDRESSEE;
	}
	if ((wanted & MOD_CTX_RECOVERY) && !any_current_cue(win, &lists->list[MOD_LIST_CURRENT])) {
		bool told = any_cue(win, &lists->list[MOD_LIST_RECOVERY]);
		if (!told && post_recovered) {
			size_t s, e;
			mod_sentence_bounds(v->text, v->len, start, end, &s, &e);
			told = any_cue(win, &lists->list[MOD_LIST_PAST]) || dated_nearby(lists, v, s, e);
		}
		/* "5 years ago i tried to kill myself. it's back again tonight": a relapse anywhere in
		 * the post takes back a recovery told in the match's sentence (post_recovered already
		 * says there is none) */
		if (told && !post_recovered && mod_context_post_has(lists, v, MOD_LIST_RELAPSE, qi))
			told = false;
		if (told)
			fired |= MOD_CTX_RECOVERY;
	}
	if ((wanted & MOD_CTX_GAME) && any_cue(win, &lists->list[MOD_LIST_GAME]) &&
	    !any_cue(win, &lists->list[MOD_LIST_GAME_REAL]))
		fired |= MOD_CTX_GAME;
	if ((wanted & MOD_CTX_COUNTER) && (win->quoted || any_cue(win, &lists->list[MOD_LIST_COUNTER])))
		fired |= MOD_CTX_COUNTER;
	return fired;
}
