/*
 * db_home.h: the home page's lists across categories. Only threads in the
 * 'visible' state ever leave the database here, whoever asks (a member's
 * own held thread shows in its category, not on the home page). A
 * member's muted topics are left out of both lists (THREAD_MUTED_FOR).
 *
 *   db_home_latest      by last activity, newest first
 *   db_home_unanswered  opening post only, not locked: oldest first, so
 *                       the one waiting longest for a first reply is on top
 *
 * Results are arena-owned (strings point into PGresults tied to the arena);
 * functions return DB_OK or the db_exec error.
 */
#ifndef HEARTH_DB_HOME_H
#define HEARTH_DB_HOME_H

#include <stddef.h>

#include "db.h"
#include "db_read.h"

#define HOME_LIST_MAX 10        /* threads in each list */

struct home_thread {
	long long id;
	const char *title;
	const char *author;             /* NULL: deleted member, or anonymous */
	bool anonymous;                 /* posted anonymously (sql/018) */
	const char *category_slug;
	const char *category_name;
	long long replies;
	struct read_when last;          /* last activity */
	struct read_when started;
};

/* viewer: the member asking (0: anonymous), whose muted topics (a muted
 * category, threads with a crisis flag) are left out. */
enum db_err db_home_latest(db *d, arena *a, long long viewer, struct home_thread **out, size_t *count);
enum db_err db_home_unanswered(db *d, arena *a, long long viewer, struct home_thread **out, size_t *count);

#endif
