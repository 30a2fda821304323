/* retention.c: see retention.h. */
#include "retention.h"

#include <stdatomic.h>
#include <time.h>

#include "counters.h"
#include "log.h"

#define RETRY_SECONDS 60

int retention_idle_ms(const conf *c)
{
	int s = c->retention_interval_seconds < RETRY_SECONDS ? c->retention_interval_seconds : RETRY_SECONDS;
	return (s < 1 ? 1 : s) * 1000;
}

void retention_tick(const conf *c, db *d, arena *a)
{
	struct counters *k = counters_get();
	if (!k)
		return;
	long long now = (long long)time(NULL);
	long long due = atomic_load_explicit(&k->retention_next, memory_order_relaxed);
	if (due > now)
		return;
	long long next = now + c->retention_interval_seconds;
	if (!atomic_compare_exchange_strong(&k->retention_next, &due, next))
		return;                 /* another worker took this one */
	long long retry = now + (c->retention_interval_seconds < RETRY_SECONDS ?
	                         c->retention_interval_seconds : RETRY_SECONDS);
	if (!db_ready(d)) {
		atomic_store(&k->retention_next, retry);
		return;
	}
	enum db_err err;
	const char *p[] = { arena_printf(a, "%d", c->address_retention_days) };
	PGresult *r = db_exec(d, a, DB_RETENTION_SWEEP, p, &err);
	if (!r || PQntuples(r) != 1) {
		log_warn("retention sweep failed (%s); trying again in %lld s", db_strerror(r ? DB_ERR_QUERY : err),
		         retry - now);
		atomic_store(&k->retention_next, retry);
		return;
	}
	long long sessions = db_ll(r, 0, 0), failures = db_ll(r, 0, 1), registrations = db_ll(r, 0, 2);
	counters_add(&k->retention_runs, 1);
	counters_add(&k->retention_rows, (unsigned long long)(sessions + failures + registrations));
	if (sessions + failures + registrations > 0)
		log_info("retention: deleted %lld expired sessions and device cookies; %lld log-in failures and %lld registrations "
		         "older than %d days", sessions, failures, registrations, c->address_retention_days);
}
