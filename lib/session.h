/*
 * session.h: who is asking, and whether their form is genuine.
 *
 * A member's session is a random token in the HttpOnly cookie "hs"; the
 * database keeps only its SHA-256. Every session has its own CSRF token,
 * which forms carry in the hidden field "csrf". Before log-in, the cookie
 * "hc" (random, HttpOnly) plays that role for the log-in and registration
 * forms (double submit). Strings are arena-owned.
 */
#ifndef HEARTH_SESSION_H
#define HEARTH_SESSION_H

#include <stdbool.h>

#include "db.h"

#define SESSION_COOKIE "hs"
#define PRESESSION_COOKIE "hc"

struct session {
	long long user_id;
	const char *handle;
	const char *role;               /* member | moderator | admin */
	const char *status;             /* active | silenced */
	const char *csrf_token;
	const char *token;              /* the cookie value, for log-out */
	bool is_moderator;              /* role moderator or admin */
	int unread;                     /* unread notifications they may see, at most 100;
	                                   -1: not counted yet (session_unread) */
};

/* Looks the cookie token up. *out is NULL when there is no valid session.
 * With `count`, the unread count comes in the same statement (no second
 * round trip); without, it is left at -1 and counted by session_unread()
 * only if a page is shown: a POST answered with a redirect (a reply, a
 * "mark read") never shows it, and counting was a third of what
 * PostgreSQL spent on a reply by a member with 100 unread notifications. */
enum db_err session_lookup(db *d, arena *a, const char *token, bool count, struct session **out);

/* s->unread, counted now if the look-up left it out (-1): always from the
 * database as it is at this point of the request, never a remembered
 * figure. 0 when it cannot be counted (the database is away: the page
 * shows no count rather than a wrong one). */
int session_unread(db *d, arena *a, struct session *s);

/*
 * session_lookup() for a member's thread page: one statement returns the
 * session and, from column SESSION_COLUMNS on, the thread and the member's
 * own state in it (db_read_thread_member() reads them). *row is NULL when
 * there is no session.
 */
#define SESSION_COLUMNS 7
enum db_err session_lookup_thread(db *d, arena *a, const char *token, long long thread_id,
                                  struct session **out, PGresult **row);

/* Creates a session; *token gets the cookie value (arena-owned). */
enum db_err session_create(db *d, arena *a, long long user_id, int days, const char *client_hint,
                           const char **token);
enum db_err session_delete(db *d, arena *a, const char *token);

/* A Set-Cookie value for name=value (HttpOnly, SameSite=Lax, Path=/, Secure
 * when secure). max_age < 0: a session cookie; 0: delete it. */
const char *session_cookie(arena *a, const char *name, const char *value, int max_age, bool secure);

/* Constant-time check of a submitted CSRF token against the expected one. */
bool session_csrf_ok(const char *expected, const char *submitted);

#endif
