/* db_device.c: see db_device.h. */
#include "db_device.h"

#include <string.h>

#include "auth.h"

/* The login_failures key of a device: "d:" and half its digest, like the
 * "a:" keys of addresses. */
static const char *failure_key(arena *a, const char *digest)
{
	return arena_printf(a, "d:%.32s", digest);
}

enum db_err db_device_lookup(db *d, arena *a, const char *token, struct device *out, bool *found)
{
	*found = false;
	memset(out, 0, sizeof *out);
	if (!auth_token_shaped(token))
		return DB_OK;
	char *digest = arena_alloc(a, 65);
	auth_token_digest(token, AUTH_TOKEN_LEN, digest);
	enum db_err err;
	const char *p[] = { digest, failure_key(a, digest) };
	PGresult *r = db_exec(d, a, DB_DEVICE_LOOKUP, p, &err);
	if (!r)
		return err;
	if (PQntuples(r) != 1)
		return DB_OK;
	out->digest = digest;
	out->user_id = db_ll(r, 0, 0);
	out->failures = db_ll(r, 0, 1);
	*found = true;
	return DB_OK;
}

enum db_err db_device_create(db *d, arena *a, long long user_id, const char **token)
{
	char *t = arena_alloc(a, AUTH_TOKEN_LEN + 1);
	auth_new_token(t);
	char digest[65];
	auth_token_digest(t, AUTH_TOKEN_LEN, digest);
	enum db_err err;
	const char *p[] = { digest, arena_printf(a, "%lld", user_id) };
	if (!db_exec(d, a, DB_DEVICE_CREATE, p, &err))
		return err;
	*token = t;
	return DB_OK;
}

enum db_err db_device_touch(db *d, arena *a, const struct device *dev)
{
	enum db_err err;
	const char *p[] = { dev->digest };
	return db_exec(d, a, DB_DEVICE_TOUCH, p, &err) ? DB_OK : err;
}

enum db_err db_device_failure_add(db *d, arena *a, const struct device *dev)
{
	enum db_err err;
	const char *p[] = { failure_key(a, dev->digest) };
	return db_exec(d, a, DB_DEVICE_FAILURE_ADD, p, &err) ? DB_OK : err;
}
