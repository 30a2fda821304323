/*
 * bench_data.h: the synthetic forum of `hearthctl bench-data`.
 */
#ifndef HEARTH_BENCH_DATA_H
#define HEARTH_BENCH_DATA_H

#include <libpq-fe.h>

/* Where the session cookie tokens go, one a line (NULL: none made).
 * sessions: 200 members with nothing unread; busy_sessions: 200 members
 * with unread notifications, watched threads with new posts and unread
 * conversations (bench_data.c says what exactly). */
struct bench_files {
	const char *sessions;
	const char *busy_sessions;
};

/* Loads about `posts` posts, with the notifications, thread preferences,
 * conversations and messages around them, in one transaction. Returns 0
 * or -1 (with the reason on stderr; nothing is left half-loaded). */
int bench_data_load(PGconn *conn, long posts, unsigned long long seed, const struct bench_files *files);

#endif
