/*
 * db_account.h: a member's own account: password, "my sessions", the data
 * export and the account deletion. Statements: db_sql_member.def.
 *
 * Results are arena-owned. Functions that say "in the caller's transaction"
 * run between db_begin() and db_commit(); on any error the caller calls
 * db_rollback() and nothing of the write remains. The others run alone.
 *
 * A session is named to its owner by a public id: the first 16 hex digits of
 * its token's SHA-256. The database holds only that hash, and the id cannot
 * be turned back into a token, so showing it on "my sessions" gives nothing
 * away; every function that takes an id also takes the owner, so an id never
 * reaches someone else's session.
 */
#ifndef HEARTH_DB_ACCOUNT_H
#define HEARTH_DB_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "json.h"

#define ACCOUNT_SESSION_ID_LEN 16
/* Wrong passwords re-typed on the account pages, per member, per 15 minutes. */
#define ACCOUNT_PASSWORD_TRIES 5

struct account_session {
	const char *id;                 /* public id, ACCOUNT_SESSION_ID_LEN hex digits */
	const char *created_at;         /* ISO 8601 UTC */
	const char *created_text;       /* "2024-05-01 14:03 UTC" */
	const char *last_seen;
	const char *last_seen_text;
	const char *client_hint;        /* browser family, may be "" */
	bool current;                   /* the session of this request */
};

enum account_posts {
	ACCOUNT_POSTS_DELETE,           /* tombstones: text, revisions, redacted originals
	                                   and thread titles gone */
	ACCOUNT_POSTS_KEEP,             /* kept under "deleted member" (no author) */
	ACCOUNT_POSTS__MAX
};

/* True when id looks like a public session id (16 lowercase hex digits). */
bool account_session_id_valid(const char *id);

/* The member's password hash; *hash is NULL when the account is gone.
 * With lock, the row stays locked until the caller's transaction ends. */
enum db_err db_account_password_hash(db *d, arena *a, long long user_id, bool lock, const char **hash);

/* Wrong passwords typed on the account pages in the last 15 minutes, and
 * recording one (on its own, never inside a transaction that rolls back). */
enum db_err db_account_failures(db *d, arena *a, long long user_id, long long *count);
enum db_err db_account_failure_add(db *d, arena *a, long long user_id);

/* In the caller's transaction: sets the new hash and ends every session of
 * the member but the one whose token digest (64 hex) is keep_digest.
 * *ended gets how many were ended; *found is false when the account is gone. */
enum db_err db_account_set_password(db *d, arena *a, long long user_id, const char *hash,
                                    const char *keep_digest, long long *ended, bool *found);

/* The member's live sessions, the current one (current_digest) first, then
 * by last activity. */
enum db_err db_account_sessions(db *d, arena *a, long long user_id, const char *current_digest,
                                struct account_session **out, size_t *count);

/* Ends the member's session with public id `id`. *found is false when there
 * is none (already ended, or not theirs: the caller cannot tell which, nor
 * can anyone else); *was_current says it was the caller's own. */
enum db_err db_account_session_end(db *d, arena *a, long long user_id, const char *id,
                                   const char *current_digest, bool *found, bool *was_current);

/* Ends every session of the member but current_digest's. */
enum db_err db_account_sessions_end_others(db *d, arena *a, long long user_id,
                                           const char *current_digest, long long *ended);

/*
 * Writes the member's export with w, one JSON object (format
 * "hearth-export-1"): exported_at, member {handle, role, created_at},
 * threads [{id, title, category, category_slug, created_at, state}],
 * posts [{id, thread_id, thread_title, parent_id, created_at, edited_at,
 * state, hide_reason, body_markdown, revisions [{revision, body_markdown,
 * title, created_at}]}], support_given [post ids], conversations, feed_key {created_at,
 * last_used} or null (never the key). Times are ISO 8601 UTC.
 * Reads one consistent snapshot in its own read-only transaction. On error
 * the writer holds a partial document: the caller discards the buf.
 * *found is false (and nothing is written) when the account is gone.
 */
enum db_err db_account_export(db *d, arena *a, long long user_id, json_writer *w, bool *found);

/*
 * In the caller's transaction: removes the member. Their support reactions
 * are withdrawn (the counts follow), their posts become tombstones or lose
 * their author as `posts` says, their sessions end and their users row is
 * deleted. When a row elsewhere refuses that delete (a foreign key), the row
 * is scrubbed instead: a random handle (so the old one can be registered
 * again), no password, status 'deleted'; *scrubbed tells which happened.
 */
enum db_err db_account_delete(db *d, arena *a, long long user_id, enum account_posts posts,
                              bool *scrubbed);

#endif
