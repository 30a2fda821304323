/* db_limits.c: see db_limits.h. */
#include "db_limits.h"

#include <stdlib.h>
#include <string.h>

#include "db_user.h"

void limits_handle_digest(const unsigned char key[SERVER_KEY_BYTES], const char *handle, char out[65])
{
	char folded[USER_HANDLE_MAX + 1];
	size_t n = 0;
	/* Handles are ASCII; users_handle_lower compares them with lower(). */
	for (; handle[n] && n < USER_HANDLE_MAX; n++)
		folded[n] = (handle[n] >= 'A' && handle[n] <= 'Z') ? (char)(handle[n] + 32) : handle[n];
	folded[n] = '\0';
	server_key_digest(key, "handle", folded, out);
}

enum db_err db_handle_reserve(db *d, arena *a, const char *digest)
{
	enum db_err err;
	const char *p[] = { digest };
	return db_exec(d, a, DB_HANDLE_RESERVE_ADD, p, &err) ? DB_OK : err;
}

enum db_err db_handle_reserved(db *d, arena *a, const char *digest, int days, bool *reserved)
{
	*reserved = false;
	if (days <= 0)
		return DB_OK;
	enum db_err err;
	const char *p[] = { digest, arena_printf(a, "%d", days) };
	PGresult *r = db_exec(d, a, DB_HANDLE_RESERVED, p, &err);
	if (!r)
		return err;
	*reserved = PQntuples(r) > 0;
	return DB_OK;
}

void limits_addr_digest(const unsigned char key[SERVER_KEY_BYTES], const char *addr, char out[65])
{
	server_key_digest(key, "addr", addr ? addr : "-", out);
}

enum db_err db_registrations_recent(db *d, arena *a, const char *addr_digest, int limit,
                                    long long *count, long long *wait_seconds)
{
	enum db_err err;
	const char *p[] = { addr_digest, arena_printf(a, "%d", limit) };
	PGresult *r = db_exec(d, a, DB_REGISTRATIONS_RECENT, p, &err);
	if (!r)
		return err;
	*count = db_ll(r, 0, 0);
	*wait_seconds = db_ll(r, 0, 1);
	if (*wait_seconds < 1)
		*wait_seconds = 1;
	return DB_OK;
}

enum db_err db_registration_add(db *d, arena *a, const char *addr_digest)
{
	enum db_err err;
	const char *p[] = { addr_digest };
	return db_exec(d, a, DB_REGISTRATION_ADD, p, &err) ? DB_OK : err;
}

/* Seconds until fewer than limit of the posts (ages, newest first) that
 * count are younger than window; 0 when that is already so. */
static long long window_wait(const double *ages, int n, int limit, double window)
{
	if (limit <= 0 || n < limit)
		return 0;
	int seen = 0;
	for (int i = 0; i < n; i++) {
		if (ages[i] >= window)
			break;
		if (++seen == limit) {
			long long w = (long long)(window - ages[i]) + 1;
			return w > 0 ? w : 1;
		}
	}
	return 0;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static int cmp_age(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

enum db_err db_post_rate(db *d, arena *a, long long user_id, enum post_kind kind, int new_days,
                         const struct post_limits *established, const struct post_limits *newcomer,
                         struct post_rate *out)
{
	if ((unsigned)kind >= POST_KIND__MAX)
		abort();
	memset(out, 0, sizeof *out);
	out->allowed = true;
	bool thread = kind == POST_KIND_THREAD;
	int minute = max_int(established->per_minute, newcomer->per_minute);
	int hour = thread ? max_int(established->threads_per_hour, newcomer->threads_per_hour)
	                  : max_int(established->replies_per_hour, newcomer->replies_per_hour);
	/* No limit that could refuse this kind of post: nothing to read (the
	 * test and benchmark set-ups, and forums that set no limits). */
	if (hour <= 0 && minute <= 0)
		return DB_OK;
	enum db_err err;
	const char *p[] = { arena_printf(a, "%lld", user_id), thread ? "t" : "f",
	                    arena_printf(a, "%d", max_int(hour, minute)), arena_printf(a, "%d", minute) };
	PGresult *r = db_exec(d, a, DB_POST_RATE, p, &err);
	if (!r)
		return err;
	int rows = PQntuples(r);
	if (rows == 0)
		return DB_OK;
	out->new_member = new_days > 0 && db_ll(r, 0, 0) < (long long)new_days * 86400;
	const struct post_limits *l = out->new_member ? newcomer : established;
	/* Ages of this kind's posts, and of all posts, newest first. */
	double *same = ARENA_NEW_ARRAY(a, double, (size_t)rows);
	double *all = ARENA_NEW_ARRAY(a, double, (size_t)rows);
	int nsame = 0, nall = 0;
	for (int i = 0; i < rows; i++) {
		if (PQgetisnull(r, i, 1))
			continue;
		double age = strtod(PQgetvalue(r, i, 1), NULL);
		bool is_thread = PQgetvalue(r, i, 2)[0] == 't';
		all[nall++] = age;
		if (is_thread == thread)
			same[nsame++] = age;
	}
	/* The two kinds come one after the other: all posts newest first. */
	qsort(all, (size_t)nall, sizeof *all, cmp_age);
	int per_hour = thread ? l->threads_per_hour : l->replies_per_hour;
	long long wh = window_wait(same, nsame, per_hour, 3600);
	long long wm = window_wait(all, nall, l->per_minute, 60);
	long long w = wh > wm ? wh : wm;
	if (w > 0) {
		out->allowed = false;
		out->wait_seconds = w;
	}
	return DB_OK;
}
