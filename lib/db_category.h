/*
 * db_category.h: categories. Results are arena-owned.
 */
#ifndef HEARTH_DB_CATEGORY_H
#define HEARTH_DB_CATEGORY_H

#include <stddef.h>

#include "db.h"

struct category {
	long long id;
	const char *slug;
	const char *name;
	const char *description;
	long long thread_count;
	long long post_count;
	const char *last_post_at;       /* ISO 8601 UTC or NULL */
	long long last_post_age;        /* seconds since then (db_category_list only) */
	bool allow_anonymous;           /* members may post anonymously (db_category_by_slug only) */
	long long group_id;             /* a group's own category (sql/017); 0: public (by_slug only) */
};

enum db_err db_category_list(db *d, arena *a, struct category **out, size_t *count);
enum db_err db_category_by_slug(db *d, arena *a, const char *slug, struct category *out, bool *found);
enum db_err db_category_add(db *d, arena *a, const char *slug, const char *name,
                            const char *description, long long *id);

/* hearthctl category anonymous SLUG on|off. *found: there is such a category. */
enum db_err db_category_set_anonymous(db *d, arena *a, const char *slug, bool allow, bool *found);

#endif
