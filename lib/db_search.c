/* db_search.c: see db_search.h. */
#include "db_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

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
		h->snippet = db_val(r, i, 6);
		h->rank = db_val(r, i, 7);
		h->when.iso = db_val(r, i, 8);
		h->when.age = db_ll(r, i, 9);
		h->anonymous = db_val(r, i, 10)[0] == 't';
	}
	*count = (size_t)n;
	return DB_OK;
}
