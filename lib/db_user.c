/* db_user.c: see db_user.h. */
#include "db_user.h"

#include <string.h>

bool user_handle_valid(const char *h)
{
	size_t n = strlen(h);
	if (n < USER_HANDLE_MIN || n > USER_HANDLE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

enum db_err db_user_create(db *d, arena *a, const char *handle, const char *password_hash,
                           const char *role, long long *id)
{
	enum db_err err;
	const char *params[] = { handle, password_hash, role };
	PGresult *r = db_exec(d, a, DB_USER_CREATE, params, &err);
	if (!r)
		return err;
	*id = db_int(d, r, 0, 0);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_user_by_handle(db *d, arena *a, const char *handle, struct user *out, bool *found)
{
	enum db_err err;
	const char *params[] = { handle };
	PGresult *r = db_exec(d, a, DB_USER_BY_HANDLE, params, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	if (*found) {
		out->id = db_int(d, r, 0, 0);
		out->handle = db_text(d, r, 0, 1);
		out->password_hash = db_text(d, r, 0, 2);
		out->role = db_text(d, r, 0, 3);
		out->status = db_text(d, r, 0, 4);
		out->status_until = db_val(r, 0, 5);
	}
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_user_set_role(db *d, arena *a, const char *handle, const char *role, bool *found)
{
	enum db_err err;
	const char *params[] = { handle, role };
	PGresult *r = db_exec(d, a, DB_USER_SET_ROLE, params, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	return DB_OK;
}
