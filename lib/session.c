/* session.c: see session.h. */
#include "session.h"

#include <string.h>

#include "auth.h"

/* The session of SESSION_LOOKUP's columns in row 0 of r (NULL when there
 * is no row); touches last_seen when it is old. */
static enum db_err session_from_row(db *d, arena *a, PGresult *r, const char *token,
                                    const char *digest, struct session **out)
{
	if (PQntuples(r) != 1)
		return DB_OK;
	struct session *s = ARENA_NEW(a, struct session);
	s->user_id = db_int(d, r, 0, 0);
	s->handle = db_text(d, r, 0, 1);
	s->role = db_text(d, r, 0, 2);
	s->status = db_text(d, r, 0, 3);
	s->csrf_token = db_text(d, r, 0, 4);
	bool stale = db_bool(d, r, 0, 5);
	s->unread = (int)db_int(d, r, 0, 6);
	if (db_refused(d))
		return DB_ERR_QUERY;
	s->token = arena_strdup(a, token);
	s->is_moderator = strcmp(s->role, "moderator") == 0 || strcmp(s->role, "admin") == 0;
	const char *params[] = { digest };
	enum db_err err;
	if (stale && !db_exec(d, a, DB_SESSION_TOUCH, params, &err))
		return err;
	*out = s;
	return DB_OK;
}

enum db_err session_lookup(db *d, arena *a, const char *token, bool count, struct session **out)
{
	*out = NULL;
	if (!auth_token_shaped(token))
		return DB_OK;
	char digest[65];
	auth_token_digest(token, AUTH_TOKEN_LEN, digest);
	const char *params[] = { digest };
	enum db_err err;
	PGresult *r = db_exec(d, a, count ? DB_SESSION_LOOKUP : DB_SESSION_LOOKUP_UNCOUNTED, params, &err);
	if (!r)
		return err;
	return session_from_row(d, a, r, token, digest, out);
}

int session_unread(db *d, arena *a, struct session *s)
{
	if (s->unread >= 0)
		return s->unread;
	s->unread = 0;
	if (!db_is_up(d))
		return 0;
	const char *params[] = { arena_printf(a, "%lld", s->user_id) };
	enum db_err err;
	PGresult *r = db_exec(d, a, DB_SESSION_UNREAD, params, &err);
	if (r && PQntuples(r) == 1) {
		int n = (int)db_int(d, r, 0, 0);
		if (!db_refused(d))
			s->unread = n;
	}
	return s->unread;
}

enum db_err session_lookup_thread(db *d, arena *a, const char *token, long long thread_id,
                                  struct session **out, PGresult **row)
{
	*out = NULL;
	*row = NULL;
	if (!auth_token_shaped(token))
		return DB_OK;
	char digest[65];
	auth_token_digest(token, AUTH_TOKEN_LEN, digest);
	const char *params[] = { digest, arena_printf(a, "%lld", thread_id) };
	enum db_err err;
	PGresult *r = db_exec(d, a, DB_SESSION_THREAD_LOOKUP, params, &err);
	if (!r)
		return err;
	err = session_from_row(d, a, r, token, digest, out);
	if (err == DB_OK && *out)
		*row = r;
	return err;
}

enum db_err session_create(db *d, arena *a, long long user_id, int days, const char *client_hint,
                           const char **token)
{
	char raw[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1], digest[65];
	auth_new_token(raw);
	auth_new_token(csrf);
	auth_token_digest(raw, AUTH_TOKEN_LEN, digest);
	const char *params[] = { digest, arena_printf(a, "%lld", user_id), csrf,
	                         arena_printf(a, "%d", days), client_hint ? client_hint : "" };
	enum db_err err;
	if (!db_exec(d, a, DB_SESSION_CREATE, params, &err))
		return err;
	*token = arena_strdup(a, raw);
	return DB_OK;
}

enum db_err session_delete(db *d, arena *a, const char *token)
{
	char digest[65];
	auth_token_digest(token, strlen(token), digest);
	const char *params[] = { digest };
	enum db_err err;
	return db_exec(d, a, DB_SESSION_DELETE, params, &err) ? DB_OK : err;
}

const char *session_cookie(arena *a, const char *name, const char *value, int max_age, bool secure)
{
	if (max_age < 0)
		return arena_printf(a, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", name, value,
		                    secure ? "; Secure" : "");
	return arena_printf(a, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", name, value, max_age,
	                    secure ? "; Secure" : "");
}

bool session_csrf_ok(const char *expected, const char *submitted)
{
	if (!expected || !submitted)
		return false;
	size_t n = strlen(expected);
	return n >= 20 && strlen(submitted) == n && auth_equal(expected, submitted, n);
}
