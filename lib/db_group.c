/* db_group.c: see db_group.h. */
#include "db_group.h"

#include <stdio.h>

static const char *ll(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

static enum db_err admits(db *d, arena *a, enum db_stmt stmt, long long id, const struct read_viewer *v,
                          bool *ok)
{
	enum db_err err;
	const char *p[] = { ll(a, id), v->user_id ? ll(a, v->user_id) : NULL, v->moderator ? "t" : "f" };
	PGresult *r = db_exec(d, a, stmt, p, &err);
	if (!r)
		return err;
	const char *val = PQntuples(r) == 1 ? db_val(r, 0, 0) : NULL;
	*ok = val && val[0] == 't';
	return DB_OK;
}

enum db_err db_group_admits(db *d, arena *a, long long group_id, const struct read_viewer *v, bool *ok)
{
	return admits(d, a, DB_GROUP_ADMITS, group_id, v, ok);
}

enum db_err db_group_thread_admits(db *d, arena *a, long long thread_id, const struct read_viewer *v, bool *ok)
{
	return admits(d, a, DB_GROUP_THREAD_ADMITS, thread_id, v, ok);
}

enum db_err db_group_create(db *d, arena *a, const char *slug, const char *name, const char *description,
                            bool listed, const char *join_policy, long long *id)
{
	enum db_err err;
	const char *p[] = { slug, name, description, listed ? "t" : "f", join_policy };
	PGresult *r = db_exec(d, a, DB_GROUP_CREATE, p, &err);
	if (!r)
		return err;
	*id = PQntuples(r) == 1 ? db_ll(r, 0, 0) : 0;
	const char *p2[] = { ll(a, *id) };
	return db_exec(d, a, DB_GROUP_CATEGORY_OWN, p2, &err) ? DB_OK : err;
}

enum db_err db_group_member_set(db *d, arena *a, long long group_id, const char *handle, const char *role,
                                bool *found)
{
	enum db_err err;
	const char *p[] = { ll(a, group_id), handle, role, "active" };
	PGresult *r = db_exec(d, a, DB_GROUP_MEMBER_SET, p, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	return DB_OK;
}
