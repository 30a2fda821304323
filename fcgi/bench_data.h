/*
 * bench_data.h: the synthetic forum of `hearthctl bench-data`.
 */
#ifndef HEARTH_BENCH_DATA_H
#define HEARTH_BENCH_DATA_H

#include <libpq-fe.h>

/* Loads about `posts` posts in one transaction. When sessions_file is set,
 * writes one session cookie token per line for up to 200 members. Returns 0
 * or -1 (with the reason on stderr; nothing is left half-loaded). */
int bench_data_load(PGconn *conn, long posts, unsigned long long seed, const char *sessions_file);

#endif
