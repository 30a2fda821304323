/* db_post.c: see db_post.h. */
#include "db_post.h"

#include <stdio.h>
#include <string.h>

static const char *ll(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

enum db_err db_thread_create(db *d, arena *a, long long category_id, const char *title,
                             const struct post_write *opening, long long *thread_id, long long *post_id)
{
	enum db_err err;
	const char *uid = opening->user_id ? ll(a, opening->user_id) : NULL;
	/* A held opening post holds its thread: not even the title is public
	 * until a moderator approves it. */
	const char *anon = opening->anonymous ? "true" : "false";
	const char *p1[] = { ll(a, category_id), uid, title, opening->state, anon };
	PGresult *r = db_exec(d, a, DB_THREAD_CREATE, p1, &err);
	if (!r)
		return err;
	*thread_id = db_int(d, r, 0, 0);
	const char *p2[] = { ll(a, *thread_id), uid, opening->body_md, opening->body_html, opening->state, anon };
	r = db_exec(d, a, DB_POST_CREATE_OPENING, p2, &err);
	if (!r)
		return err;
	*post_id = db_int(d, r, 0, 0);
	/* The opening post counts once: the thread starts at post_count 1. A
	 * held thread counts for nobody until a moderator approves it
	 * (sql/029_held_counts.sql). */
	if (strcmp(opening->state, "held") == 0)
		return DB_OK;
	const char *p3[] = { ll(a, category_id), "1" };
	return db_exec(d, a, DB_CATEGORY_BUMP, p3, &err) ? DB_OK : err;
}

enum db_err db_post_reply(db *d, arena *a, long long thread_id, long long parent_id,
                          const struct post_write *reply, long long *post_id)
{
	enum db_err err;
	const char *uid = reply->user_id ? ll(a, reply->user_id) : NULL;
	const char *p[] = { ll(a, thread_id), ll(a, parent_id), uid, reply->body_md, reply->body_html,
	                    reply->state, reply->anonymous ? "true" : "false" };
	PGresult *r = db_exec(d, a, DB_POST_CREATE_REPLY, p, &err);
	if (!r)
		return err;
	if (PQntuples(r) != 1)
		return DB_ERR_CHECK;    /* parent not in this thread */
	*post_id = db_int(d, r, 0, 0);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}
