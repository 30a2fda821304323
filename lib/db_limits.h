/*
 * db_limits.h: limits against abuse, counted in the database: handles of
 * members who left, new accounts per client address, posts per member.
 * Statements: db_sql_abuse.def. Digests come from server_key.h; neither a
 * handle nor an address is stored in clear.
 *
 * Functions that say "in the caller's transaction" run between db_begin()
 * and db_commit(), with the write they guard, so a refused or failed write
 * leaves nothing behind. All return DB_OK or the db_err of the statement.
 */
#ifndef HEARTH_DB_LIMITS_H
#define HEARTH_DB_LIMITS_H

#include <stdbool.h>

#include "db.h"
#include "server_key.h"

/* ---- reserved handles (finding 6 of issue 9) ---- */

/* The keyed digest of a handle as handles compare (ASCII lower case). */
void limits_handle_digest(const unsigned char key[SERVER_KEY_BYTES], const char *handle, char out[65]);

/* In the caller's transaction: keeps the handle from new members (again
 * from now, if it was already kept). */
enum db_err db_handle_reserve(db *d, arena *a, const char *digest);

/* *reserved: a member with this handle left less than days ago. */
enum db_err db_handle_reserved(db *d, arena *a, const char *digest, int days, bool *reserved);

/* ---- registrations per address ---- */

/* The keyed digest of a client address (NULL: "-"). */
void limits_addr_digest(const unsigned char key[SERVER_KEY_BYTES], const char *addr, char out[65]);

/* Accounts made from the address in the last hour, counted up to limit
 * (> 0); when *count reaches limit, *wait_seconds says when one more will
 * be allowed. */
enum db_err db_registrations_recent(db *d, arena *a, const char *addr_digest, int limit,
                                    long long *count, long long *wait_seconds);

/* In the caller's transaction: records one account made from the address
 * (and forgets records older than a day). */
enum db_err db_registration_add(db *d, arena *a, const char *addr_digest);

/* ---- posting rates per member ---- */

enum post_kind { POST_KIND_THREAD, POST_KIND_REPLY, POST_KIND__MAX };

struct post_limits {
	int threads_per_hour, replies_per_hour, per_minute;     /* 0 = no limit */
};

struct post_rate {
	bool allowed;
	bool new_member;                /* the stricter limits applied */
	long long wait_seconds;         /* when !allowed: until one more post is allowed */
};

/* Whether member user_id may post one more of kind now: their posts of the
 * last hour (every state, deleted ones too) against `established`, or
 * against `newcomer` while the account is younger than new_days. An
 * account that is gone is allowed (the write itself will fail). */
enum db_err db_post_rate(db *d, arena *a, long long user_id, enum post_kind kind, int new_days,
                         const struct post_limits *established, const struct post_limits *newcomer,
                         struct post_rate *out);

#endif
