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

enum db_err db_search(db *d, arena *a, const char *query, const struct search_cursor *after,
                      struct search_hit **out, size_t *count, bool *more)
{
	enum db_err err;
	const char *params[] = { query, after ? after->rank : "Infinity",
	                         after ? arena_printf(a, "%lld", after->id) : "9223372036854775807",
	                         arena_printf(a, "%d", SEARCH_PAGE + 1) };
	PGresult *r = db_exec(d, a, DB_SEARCH_POSTS, params, &err);
	if (!r)
		return err;
	int n = PQntuples(r);
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
