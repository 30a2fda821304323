/* db_account.c: see db_account.h. */
#include "db_account.h"

#include <stdlib.h>
#include <string.h>

#include "db_conversation.h"
#include "log.h"

static const char *id_str(arena *a, long long id)
{
	return arena_printf(a, "%lld", id);
}

bool account_session_id_valid(const char *id)
{
	if (!id || strlen(id) != ACCOUNT_SESSION_ID_LEN)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

enum db_err db_account_password_hash(db *d, arena *a, long long user_id, bool lock, const char **hash)
{
	enum db_err err;
	const char *params[] = { id_str(a, user_id) };
	PGresult *r = db_exec(d, a, lock ? DB_ACCOUNT_PASSWORD_HASH_LOCK : DB_ACCOUNT_PASSWORD_HASH,
	                      params, &err);
	if (!r)
		return err;
	*hash = PQntuples(r) == 1 ? db_text(d, r, 0, 0) : NULL;
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_account_failures(db *d, arena *a, long long user_id, long long *count)
{
	enum db_err err;
	const char *params[] = { id_str(a, user_id) };
	PGresult *r = db_exec(d, a, DB_ACCOUNT_FAILURES, params, &err);
	if (!r)
		return err;
	*count = db_int(d, r, 0, 0);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_account_failure_add(db *d, arena *a, long long user_id)
{
	enum db_err err;
	const char *params[] = { id_str(a, user_id) };
	return db_exec(d, a, DB_ACCOUNT_FAILURE_ADD, params, &err) ? DB_OK : err;
}

enum db_err db_account_set_password(db *d, arena *a, long long user_id, const char *hash,
                                    const char *keep_digest, long long *ended, bool *found)
{
	enum db_err err;
	const char *uid = id_str(a, user_id);
	const char *p1[] = { uid, hash };
	PGresult *r = db_exec(d, a, DB_ACCOUNT_SET_PASSWORD, p1, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	*ended = 0;
	if (!*found)
		return DB_OK;
	const char *p2[] = { uid, keep_digest };
	r = db_exec(d, a, DB_ACCOUNT_SESSIONS_END_OTHERS, p2, &err);
	if (!r)
		return err;
	*ended = strtoll(PQcmdTuples(r), NULL, 10);
	return DB_OK;
}

enum db_err db_account_sessions(db *d, arena *a, long long user_id, const char *current_digest,
                                struct account_session **out, size_t *count)
{
	enum db_err err;
	const char *params[] = { id_str(a, user_id), current_digest };
	PGresult *r = db_exec(d, a, DB_ACCOUNT_SESSIONS, params, &err);
	if (!r)
		return err;
	int n = PQntuples(r);
	struct account_session *s = ARENA_NEW_ARRAY(a, struct account_session, n > 0 ? (size_t)n : 1);
	for (int i = 0; i < n; i++) {
		s[i].id = db_text(d, r, i, 0);
		s[i].created_at = db_text(d, r, i, 1);
		s[i].created_text = db_text(d, r, i, 2);
		s[i].last_seen = db_text(d, r, i, 3);
		s[i].last_seen_text = db_text(d, r, i, 4);
		s[i].client_hint = db_text(d, r, i, 5);
		s[i].current = db_bool(d, r, i, 6);
	}
	*out = s;
	*count = (size_t)n;
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_account_session_end(db *d, arena *a, long long user_id, const char *id,
                                   const char *current_digest, bool *found, bool *was_current)
{
	*found = *was_current = false;
	if (!account_session_id_valid(id))
		return DB_OK;
	enum db_err err;
	const char *params[] = { id_str(a, user_id), id, current_digest };
	PGresult *r = db_exec(d, a, DB_ACCOUNT_SESSION_END, params, &err);
	if (!r)
		return err;
	/* Two sessions of one member sharing 64 bits of hash would both end:
	 * harmless, and rarer than anything else that can go wrong here. */
	for (int i = 0; i < PQntuples(r); i++) {
		const char *cur = db_val(r, i, 0);
		*found = true;
		if (cur && cur[0] == 't')
			*was_current = true;
	}
	return DB_OK;
}

enum db_err db_account_sessions_end_others(db *d, arena *a, long long user_id,
                                           const char *current_digest, long long *ended)
{
	enum db_err err;
	const char *params[] = { id_str(a, user_id), current_digest };
	PGresult *r = db_exec(d, a, DB_ACCOUNT_SESSIONS_END_OTHERS, params, &err);
	if (!r)
		return err;
	*ended = strtoll(PQcmdTuples(r), NULL, 10);
	return DB_OK;
}

/* ---------------------------------------------------------------- export */

/* A column that holds an integer, or JSON null. */
static void json_col_int(json_writer *w, const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		json_null(w);
	else
		json_int(w, db_ll(r, row, col));
}

static void json_col_str(json_writer *w, const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		json_null(w);
	else
		json_stringn(w, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

static void write_threads(json_writer *w, const PGresult *t)
{
	json_key(w, "threads");
	json_array_begin(w);
	for (int i = 0; i < PQntuples(t); i++) {
		json_object_begin(w);
		json_key(w, "id");
		json_col_int(w, t, i, 0);
		json_key(w, "title");
		json_col_str(w, t, i, 1);
		json_key(w, "category");
		json_col_str(w, t, i, 2);
		json_key(w, "category_slug");
		json_col_str(w, t, i, 3);
		json_key(w, "created_at");
		json_col_str(w, t, i, 4);
		json_key(w, "state");
		json_col_str(w, t, i, 5);
		json_object_end(w);
	}
	json_array_end(w);
}

/* Posts and revisions both come ordered by post id: one merge pass. */
static void write_posts(json_writer *w, const PGresult *p, const PGresult *rev)
{
	int nrev = PQntuples(rev), k = 0;
	json_key(w, "posts");
	json_array_begin(w);
	for (int i = 0; i < PQntuples(p); i++) {
		long long id = db_ll(p, i, 0);
		json_object_begin(w);
		json_key_int(w, "id", id);
		json_key(w, "thread_id");
		json_col_int(w, p, i, 1);
		json_key(w, "thread_title");
		json_col_str(w, p, i, 2);
		json_key(w, "parent_id");
		json_col_int(w, p, i, 3);
		json_key(w, "created_at");
		json_col_str(w, p, i, 4);
		json_key(w, "edited_at");
		json_col_str(w, p, i, 5);
		json_key(w, "state");
		json_col_str(w, p, i, 6);
		json_key(w, "hide_reason");
		json_col_str(w, p, i, 7);
		json_key(w, "body_markdown");
		json_col_str(w, p, i, 8);
		json_key(w, "anonymous");       /* shown to others without the handle (sql/018) */
		json_bool(w, db_val(p, i, 9)[0] == 't');
		json_key(w, "revisions");
		json_array_begin(w);
		while (k < nrev && db_ll(rev, k, 0) < id)
			k++;
		for (; k < nrev && db_ll(rev, k, 0) == id; k++) {
			json_object_begin(w);
			json_key(w, "revision");
			json_col_int(w, rev, k, 1);
			json_key(w, "body_markdown");
			json_col_str(w, rev, k, 2);
			json_key(w, "title");
			json_col_str(w, rev, k, 3);
			json_key(w, "created_at");
			json_col_str(w, rev, k, 4);
			json_object_end(w);
		}
		json_array_end(w);
		json_object_end(w);
	}
	json_array_end(w);
}

enum db_err db_account_export(db *d, arena *a, long long user_id, json_writer *w, bool *found)
{
	*found = false;
	const char *params[] = { id_str(a, user_id) };
	enum db_err err = db_begin(d);
	if (err != DB_OK)
		return err;
	PGresult *member = NULL, *threads = NULL, *posts = NULL, *revs = NULL, *support = NULL, *convs = NULL,
	         *feed_key = NULL;
	if (!db_exec(d, a, DB_ACCOUNT_EXPORT_SNAPSHOT, NULL, &err) ||
	    !(member = db_exec(d, a, DB_ACCOUNT_EXPORT_MEMBER, params, &err)) ||
	    !(threads = db_exec(d, a, DB_ACCOUNT_EXPORT_THREADS, params, &err)) ||
	    !(posts = db_exec(d, a, DB_ACCOUNT_EXPORT_POSTS, params, &err)) ||
	    !(revs = db_exec(d, a, DB_ACCOUNT_EXPORT_REVISIONS, params, &err)) ||
	    !(support = db_exec(d, a, DB_ACCOUNT_EXPORT_SUPPORT, params, &err)) ||
	    !(feed_key = db_exec(d, a, DB_FEED_KEY_EXPORT, params, &err)) ||
	    (err = db_conversation_export_rows(d, a, user_id, &convs)) != DB_OK)
		goto fail;
	if ((err = db_commit(d)) != DB_OK)
		goto fail;
	if (PQntuples(member) != 1)
		return DB_OK;
	*found = true;

	json_object_begin(w);
	json_key_str(w, "format", "hearth-export-1");
	json_key(w, "exported_at");
	json_col_str(w, member, 0, 3);
	json_key(w, "member");
	json_object_begin(w);
	json_key(w, "handle");
	json_col_str(w, member, 0, 0);
	json_key(w, "role");
	json_col_str(w, member, 0, 1);
	json_key(w, "created_at");
	json_col_str(w, member, 0, 2);
	json_object_end(w);
	write_threads(w, threads);
	write_posts(w, posts, revs);
	json_key(w, "support_given");
	json_array_begin(w);
	for (int i = 0; i < PQntuples(support); i++)
		json_col_int(w, support, i, 0);
	json_array_end(w);
	db_conversation_export_write(w, convs);
	/* The private feed key (sql/021_feed_keys.sql): when it was made and
	 * last used; never the key, which only its owner ever had. */
	json_key(w, "feed_key");
	if (PQntuples(feed_key) == 1) {
		json_object_begin(w);
		json_key(w, "created_at");
		json_col_str(w, feed_key, 0, 0);
		json_key(w, "last_used");
		json_col_str(w, feed_key, 0, 1);
		json_object_end(w);
	} else {
		json_null(w);
	}
	json_object_end(w);
	return DB_OK;
fail:
	db_rollback(d);
	return err;
}

/* ---------------------------------------------------------------- deletion */

enum db_err db_account_delete(db *d, arena *a, long long user_id, enum account_posts posts,
                              bool *scrubbed)
{
	static const enum db_stmt delete_posts[] = {
		DB_ACCOUNT_REVISIONS_DELETE, DB_ACCOUNT_REDACTIONS_DELETE, DB_ACCOUNT_POSTS_TOMBSTONE,
		DB_ACCOUNT_THREADS_UNTITLE,
	};
	static const enum db_stmt keep_posts[] = { DB_ACCOUNT_POSTS_DETACH, DB_ACCOUNT_THREADS_DETACH };
	if ((unsigned)posts >= ACCOUNT_POSTS__MAX)
		abort();
	*scrubbed = false;
	enum db_err err;
	const char *params[] = { id_str(a, user_id) };
	if (!db_exec(d, a, DB_ACCOUNT_SUPPORT_WITHDRAW, params, &err))
		return err;
	const enum db_stmt *steps = posts == ACCOUNT_POSTS_DELETE ? delete_posts : keep_posts;
	size_t nsteps = posts == ACCOUNT_POSTS_DELETE ? sizeof delete_posts / sizeof delete_posts[0] :
	                sizeof keep_posts / sizeof keep_posts[0];
	for (size_t i = 0; i < nsteps; i++)
		if (!db_exec(d, a, steps[i], params, &err))
			return err;
	if (!db_exec(d, a, DB_ACCOUNT_SESSIONS_DELETE, params, &err))
		return err;
	/* A failed statement spoils the whole transaction; the savepoint keeps
	 * everything above when the delete is refused. */
	if (!db_exec(d, a, DB_ACCOUNT_SAVEPOINT, NULL, &err))
		return err;
	if (db_exec(d, a, DB_ACCOUNT_USER_DELETE, params, &err))
		return DB_OK;
	if (err == DB_ERR_DOWN)
		return err;
	log_info("account deletion: the users row is still referenced (%s); scrubbing it instead",
	         db_last_error(d));
	if (!db_exec(d, a, DB_ACCOUNT_ROLLBACK_TO_SAVEPOINT, NULL, &err) ||
	    !db_exec(d, a, DB_ACCOUNT_USER_SCRUB, params, &err))
		return err;
	*scrubbed = true;
	return DB_OK;
}
