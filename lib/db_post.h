/*
 * db_post.h: threads and posts. Each write function runs inside the
 * caller's transaction (db_begin ... db_commit) when there is more to store
 * with it (moderation flags): the post, the counters and the flags commit
 * together or not at all. db_post_reply is a single statement, so without
 * flags it is atomic on its own.
 */
#ifndef HEARTH_DB_POST_H
#define HEARTH_DB_POST_H

#include "db.h"

struct post_write {
	long long user_id;              /* 0 = none (sample data of a deleted member) */
	const char *body_md;
	const char *body_html;          /* sanitized */
	const char *state;              /* visible | held */
	bool anonymous;                 /* shown as "a member who chose to stay anonymous" */
};

enum db_err db_thread_create(db *d, arena *a, long long category_id, const char *title,
                             const struct post_write *opening, long long *thread_id, long long *post_id);
enum db_err db_post_reply(db *d, arena *a, long long thread_id, long long parent_id,
                          const struct post_write *reply, long long *post_id);

#endif
