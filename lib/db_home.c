/* db_home.c: see db_home.h. */
#include "db_home.h"

#include "arena.h"

static enum db_err list(db *d, arena *a, enum db_stmt stmt, long long viewer, struct home_thread **out,
                        size_t *count)
{
	enum db_err err;
	const char *params[] = { arena_printf(a, "%d", HOME_LIST_MAX), viewer ? arena_printf(a, "%lld", viewer) : NULL };
	PGresult *r = db_exec(d, a, stmt, params, &err);
	if (!r)
		return err;
	int n = PQntuples(r);
	*out = ARENA_NEW_ARRAY(a, struct home_thread, n ? (size_t)n : 1);
	for (int i = 0; i < n; i++) {
		struct home_thread *t = &(*out)[i];
		t->id = db_ll(r, i, 0);
		t->title = db_val(r, i, 1);
		t->author = db_val(r, i, 2);
		t->category_slug = db_val(r, i, 3);
		t->category_name = db_val(r, i, 4);
		t->replies = db_ll(r, i, 5);
		t->last.iso = db_val(r, i, 6);
		t->last.age = db_ll(r, i, 7);
		t->started.iso = db_val(r, i, 8);
		t->started.age = db_ll(r, i, 9);
		t->anonymous = db_val(r, i, 10)[0] == 't';
	}
	*count = (size_t)n;
	return DB_OK;
}

enum db_err db_home_latest(db *d, arena *a, long long viewer, struct home_thread **out, size_t *count)
{
	return list(d, a, DB_HOME_LATEST, viewer, out, count);
}

enum db_err db_home_unanswered(db *d, arena *a, long long viewer, struct home_thread **out, size_t *count)
{
	return list(d, a, DB_HOME_UNANSWERED, viewer, out, count);
}
