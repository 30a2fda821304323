/*
 * db_device.h: log-in device cookies, after OWASP's "Slow Down Online
 * Guessing Attacks with Device Cookies".
 *
 * A browser that logged in to an account gets a random token (cookie
 * DEVICE_COOKIE, a year) naming that account; the database keeps only its
 * SHA-256 (auth_token_digest). When that browser logs in to that account
 * again, it has its own allowance of wrong passwords (DEVICE_LOGIN_TRIES a
 * quarter of an hour) and is not held back by the lock-out of its address
 * or the slow-down of its handle, which are for unknown browsers; its wrong
 * passwords count against it alone. Strings are arena-owned.
 */
#ifndef HEARTH_DB_DEVICE_H
#define HEARTH_DB_DEVICE_H

#include <stdbool.h>

#include "db.h"

#define DEVICE_COOKIE "hd"
#define DEVICE_COOKIE_DAYS 365
#define DEVICE_LOGIN_TRIES 10

struct device {
	const char *digest;             /* 64 hex: the token's SHA-256 */
	long long user_id;              /* the account it names */
	long long failures;             /* wrong passwords with it, last 15 minutes */
};

/* Looks up a cookie's token. *found is false for no token, an unknown or an
 * expired one. */
enum db_err db_device_lookup(db *d, arena *a, const char *token, struct device *out, bool *found);

/* Makes a device token for user_id; *token gets the cookie value. */
enum db_err db_device_create(db *d, arena *a, long long user_id, const char **token);

/* Marks a device as used now (its year starts again). */
enum db_err db_device_touch(db *d, arena *a, const struct device *dev);

/* Records a wrong password typed with this device (on its own, never in a
 * transaction that rolls back). */
enum db_err db_device_failure_add(db *d, arena *a, const struct device *dev);

#endif
