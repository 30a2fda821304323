/* db_search.c: see db_search.h. */
#include "db_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

bool db_search_cursor_parse(arena *a, const char *s, struct search_cursor *out)
{
	const char *comma = strchr(s, ',');
	if (!comma || comma == s || comma - s > 32)
		return false;
	char *rank = arena_strndup(a, s, (size_t)(comma - s));
	char *end;
	double r = strtod(rank, &end);
	if (*end || !isfinite(r) || r < 0 || strspn(rank, "0123456789.e-+") != strlen(rank))
		return false;
	const char *id = comma + 1;
	if (!*id || strlen(id) > 18 || strspn(id, "0123456789") != strlen(id))
		return false;
	out->rank = rank;
	out->id = strtoll(id, NULL, 10);
	return true;
}

const char *db_search_cursor_format(arena *a, const struct search_hit *last)
{
	return arena_printf(a, "%s,%lld", last->rank, last->post_id);
}

bool db_search_day_parse(arena *a, const char *s, const char **next)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = atoi(s), m = atoi(s + 5), day = atoi(s + 8);
	if (y < 1970 || y > 9998 || m < 1 || m > 12 || day < 1)
		return false;
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int last = mdays[m - 1] + (m == 2 && leap);
	if (day > last)
		return false;
	if (++day > last) {
		day = 1;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	*next = arena_printf(a, "%04d-%02d-%02d", y, m, day);
	return true;
}

/* A byte of a word: ASCII letters and digits, and every byte of a UTF-8
 * sequence (PostgreSQL's parser splits words at spaces and punctuation). */
static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static unsigned char lower_ascii(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Whether the letters of a word after its stem (lowercase) are one of the
 * English endings the stemmer takes off. */
static bool stem_ending(const char *w, size_t n, const char *const *endings)
{
	char e[8];
	if (n >= sizeof e)
		return false;
	for (size_t i = 0; i < n; i++)
		e[i] = (char)lower_ascii((unsigned char)w[i]);
	e[n] = '\0';
	for (const char *const *x = endings; *x; x++)
		if (strcmp(e, *x) == 0)
			return true;
	return false;
}

/* Whether a word of the post is a form of the stem s (lowercase, from
 * PostgreSQL's english stemmer): the stem and one of the endings it takes
 * off (walk-ing, appoint-ments, stop-ping, fil-l), or the stem with its
 * last letter spelled as the stemmer does not: a final y becomes i (famili:
 * family, families), a final e goes before -ing (hope: hoping). A word
 * that merely starts with the stem ("gardenwort" for "garden") is none.
 * Only ASCII letters are lowercased here: "École" is not marked for 'écol'. */
static bool stem_hit(const char *w, size_t wn, const char *s, size_t sn)
{
	static const char *const endings[] = {
		"", "s", "es", "e", "ed", "d", "ing", "ings", "er", "ers", "est", "ly", "y", "ies", "ied",
		"ness", "ment", "ments", "al", "ally", "ful", "ion", "ions", "ation", "ations", "ity", "ive",
		"able", "ism", "ist", "ists", NULL
	};
	static const char *const doubled[] = { "", "ing", "ed", "er", "ers", "est", NULL };
	static const char *const after_y[] = { "", "s", NULL };
	static const char *const after_e[] = { "ng", "ngs", NULL };
	if (sn == 0 || wn < sn)
		return false;
	size_t i = 0;
	while (i < sn && lower_ascii((unsigned char)w[i]) == (unsigned char)s[i])
		i++;
	if (i == sn)
		return stem_ending(w + sn, wn - sn, endings) ||
		       (wn > sn && lower_ascii((unsigned char)w[sn]) == (unsigned char)s[sn - 1] &&
		        stem_ending(w + sn + 1, wn - sn - 1, doubled));
	if (i + 1 == sn && sn > 2) {
		unsigned char c = lower_ascii((unsigned char)w[i]);
		if (s[i] == 'i' && c == 'y')
			return stem_ending(w + sn, wn - sn, after_y);
		if (s[i] == 'e' && c == 'i')
			return stem_ending(w + sn, wn - sn, after_e);
	}
	return false;
}

#define SNIPPET_STEMS 16
#define SNIPPET_WORDS 30        /* words shown */
#define SNIPPET_BEFORE 8        /* of them before the first hit */

struct stems {
	const char *s[SNIPPET_STEMS];
	size_t n[SNIPPET_STEMS];
	int count;
};

static bool is_hit(const struct stems *st, const char *w, size_t wn)
{
	for (int i = 0; i < st->count; i++)
		if (stem_hit(w, wn, st->s[i], st->n[i]))
			return true;
	return false;
}

/* The next word of s at or after *pos: its start and length; false at the end. */
static bool next_word(const char *s, size_t *pos, size_t *start, size_t *len)
{
	size_t i = *pos;
	while (s[i] && !word_byte((unsigned char)s[i]))
		i++;
	if (!s[i])
		return false;
	size_t j = i;
	while (s[j] && word_byte((unsigned char)s[j]))
		j++;
	*start = i;
	*len = j - i;
	*pos = j;
	return true;
}

const char *db_search_snippet(arena *a, const char *body, const char *stems)
{
	struct stems st = { .count = 0 };
	for (const char *p = stems ? stems : ""; *p && st.count < SNIPPET_STEMS;) {
		size_t n = strcspn(p, " ");
		if (n) {
			st.s[st.count] = p;
			st.n[st.count++] = n;
		}
		p += n + (p[n] == ' ');
	}
	/* The first hit's word number, then SNIPPET_WORDS words from a few before it. */
	size_t pos = 0, start, len, k = 0, first = 0;
	while (st.count && next_word(body, &pos, &start, &len)) {
		if (is_hit(&st, body + start, len)) {
			first = k;
			break;
		}
		k++;
	}
	size_t from = first > SNIPPET_BEFORE ? first - SNIPPET_BEFORE : 0;
	buf b;
	buf_init(&b, a, 256);
	pos = 0;
	k = 0;
	size_t end = 0;
	bool begun = false;
	while (k < from + SNIPPET_WORDS && next_word(body, &pos, &start, &len)) {
		if (k++ < from)
			continue;
		if (begun)
			buf_append(&b, body + end, start - end);     /* the spaces and punctuation between */
		begun = true;
		if (is_hit(&st, body + start, len)) {
			buf_putc(&b, SEARCH_MARK_START);
			buf_append(&b, body + start, len);
			buf_putc(&b, SEARCH_MARK_END);
		} else {
			buf_append(&b, body + start, len);
		}
		end = start + len;
	}
	/* Punctuation closing the last word (a full stop, a quote) stays with it. */
	size_t tail = 0;
	while (begun && tail < 4 && body[end + tail] && !word_byte((unsigned char)body[end + tail]) &&
	       !strchr(" \t\r\n", body[end + tail]))
		tail++;
	if (tail)
		buf_append(&b, body + end, tail);
	return b.data;
}

enum db_err db_search(db *d, arena *a, const char *query, const struct search_cursor *after,
                      const struct search_filter *f, struct search_hit **out, size_t *count, bool *more,
                      bool *window_full)
{
	enum db_err err;
	const char *params[] = { query, after ? after->rank : "Infinity",
	                         after ? arena_printf(a, "%lld", after->id) : "9223372036854775807",
	                         arena_printf(a, "%d", SEARCH_PAGE + 1),
	                         arena_printf(a, "%lld", f ? f->category_id : 0),
	                         arena_printf(a, "%lld", f ? f->member_id : 0),
	                         arena_printf(a, "%lld", f ? f->viewer.user_id : 0),
	                         f && f->viewer.moderator ? "true" : "false",
	                         f && f->from ? f->from : "-infinity",
	                         f && f->to_next ? f->to_next : "infinity",
	                         arena_printf(a, "%d", f && f->window > 0 ? f->window : 300) };
	PGresult *r = db_exec(d, a, DB_SEARCH_POSTS, params, &err);
	if (!r)
		return err;
	int n = PQntuples(r);
	*window_full = n > 0 && db_val(r, 0, 11)[0] == 't';
	*more = n > SEARCH_PAGE;
	if (*more)
		n = SEARCH_PAGE;
	*out = ARENA_NEW_ARRAY(a, struct search_hit, n ? (size_t)n : 1);
	for (int i = 0; i < n; i++) {
		struct search_hit *h = &(*out)[i];
		h->post_id = db_ll(r, i, 0);
		h->thread_id = db_ll(r, i, 1);
		h->title = db_val(r, i, 2);
		h->category_slug = db_val(r, i, 3);
		h->category_name = db_val(r, i, 4);
		h->author = db_val(r, i, 5);
		h->warning = db_val(r, i, 13);
		h->snippet = h->warning ? NULL : db_search_snippet(a, db_text(d, r, i, 6), db_val(r, 0, 12));
		h->rank = db_val(r, i, 7);
		h->when.iso = db_val(r, i, 8);
		h->when.age = db_ll(r, i, 9);
		h->anonymous = db_val(r, i, 10)[0] == 't';
	}
	*count = (size_t)n;
	return DB_OK;
}
