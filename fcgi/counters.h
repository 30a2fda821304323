/*
 * counters.h: figures the worker processes share (issue 12), for /metrics.
 *
 * The master calls counters_init() once before it forks anything: one
 * fixed-size block (mmap MAP_SHARED | MAP_ANONYMOUS) that every worker and
 * the keeper inherit, so a scrape answered by any worker sees the sum of
 * all of them. Every field is a C11 atomic updated with relaxed
 * fetch-and-add: no lock is ever taken on the request path, a worker that
 * dies mid-request cannot leave anything locked, and the block outlives
 * reloads (SIGHUP) with the master. Counters only grow (Prometheus
 * counters) until the master exits.
 *
 * Before counters_init() (unit tests, fuzz targets, hearthctl) every call
 * is a no-op and counters_get() returns NULL.
 *
 * The block also holds the time of the next retention sweep (retention.h),
 * claimed with a compare-and-swap so that exactly one worker runs it.
 */
#ifndef HEARTH_COUNTERS_H
#define HEARTH_COUNTERS_H

#include <stdatomic.h>
#include <stdbool.h>

/* Route rows counted one by one (fcgi/route.c); a row past this and every
 * request that matched no row are counted in the last slot, "unmatched". */
#define COUNTERS_ROUTES 160
#define COUNTERS_SLOTS (COUNTERS_ROUTES + 1)
#define COUNTERS_UNMATCHED COUNTERS_ROUTES

/* Latency buckets (upper bounds, microseconds): pages are mostly served in
 * well under a millisecond, so the buckets start at 50 us. The last bucket
 * is +Inf. */
#define COUNTERS_BUCKETS 16
extern const long long counters_bucket_us[COUNTERS_BUCKETS - 1];

enum counters_status { CS_1XX, CS_2XX, CS_3XX, CS_4XX, CS_5XX, CS__MAX };

struct counters_route {
	atomic_ullong by_status[CS__MAX];
	atomic_ullong bucket[COUNTERS_BUCKETS];   /* not cumulative: summed when shown */
	atomic_ullong sum_us;
};

struct counters {
	struct counters_route route[COUNTERS_SLOTS];
	atomic_ullong worker_restarts;      /* a worker of the running generation replaced */
	atomic_ullong worker_crashes;       /* ... of which died by a signal or a non-zero status */
	atomic_ullong keeper_restarts;
	atomic_ullong db_connects;          /* successful connections made by workers */
	atomic_ullong db_reconnects;        /* ... after a worker's first one */
	atomic_ullong anon_renders;         /* anonymous thread pages rendered (cache misses) */
	atomic_ullong retention_runs;       /* retention sweeps done */
	atomic_ullong retention_rows;       /* rows they deleted */
	atomic_llong retention_next;        /* realtime seconds of the next sweep (0: at once) */
	atomic_llong started;               /* realtime seconds the master made the block */
};

/* In the master, before the first fork. Returns false (and logs) when the
 * block cannot be made; the server then runs without shared figures. */
bool counters_init(void);

/* NULL before counters_init(). */
struct counters *counters_get(void);

/* One answered request: route slot (COUNTERS_UNMATCHED when none), HTTP
 * status, time taken. */
void counters_request(int slot, int status, double micros);

/* A worker's database connections so far (db_connect_count): adds what is
 * new since *seen to db_connects, and to db_reconnects all but a worker's
 * first. */
void counters_note_connects(unsigned long total, unsigned long *seen);

/* Adds n to a field of counters_get() (checked non-NULL by the caller). */
static inline void counters_add(atomic_ullong *c, unsigned long long n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

#endif
