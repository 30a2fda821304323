/* db_category.c: see db_category.h. */
#include <stdbool.h>

#include "db_category.h"

static void fill(db *d, const PGresult *r, int row, struct category *c)
{
	c->id = db_int(d, r, row, 0);
	c->slug = db_text(d, r, row, 1);
	c->name = db_text(d, r, row, 2);
	c->description = db_text(d, r, row, 3);
	c->thread_count = db_int(d, r, row, 4);
	c->post_count = db_int(d, r, row, 5);
	c->last_post_at = PQnfields(r) > 6 ? db_val(r, row, 6) : NULL;
	c->last_post_age = PQnfields(r) > 7 && c->last_post_at ? db_ll(r, row, 7) : 0;
	c->allow_anonymous = PQnfields(r) > 8 && db_bool(d, r, row, 8);
	c->group_id = 0;
}

enum db_err db_category_list(db *d, arena *a, struct category **out, size_t *count)
{
	enum db_err err;
	PGresult *r = db_exec(d, a, DB_CATEGORY_LIST, NULL, &err);
	if (!r)
		return err;
	int n = PQntuples(r);
	*out = ARENA_NEW_ARRAY(a, struct category, n ? (size_t)n : 1);
	for (int i = 0; i < n; i++)
		fill(d, r, i, &(*out)[i]);
	*count = (size_t)n;
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_category_by_slug(db *d, arena *a, const char *slug, struct category *out, bool *found)
{
	enum db_err err;
	const char *params[] = { slug };
	PGresult *r = db_exec(d, a, DB_CATEGORY_BY_SLUG, params, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	if (*found) {
		fill(d, r, 0, out);
		out->last_post_at = NULL;
		out->group_id = db_ll(r, 0, 9);     /* NULL: 0, a public category */
	}
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_category_add(db *d, arena *a, const char *slug, const char *name,
                            const char *description, long long *id)
{
	enum db_err err;
	const char *params[] = { slug, name, description };
	PGresult *r = db_exec(d, a, DB_CATEGORY_ADD, params, &err);
	if (!r)
		return err;
	*id = db_int(d, r, 0, 0);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_category_set_anonymous(db *d, arena *a, const char *slug, bool allow, bool *found)
{
	enum db_err err;
	const char *params[] = { slug, allow ? "true" : "false" };
	PGresult *r = db_exec(d, a, DB_CATEGORY_SET_ANONYMOUS, params, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}
