/*
 * retention.h: what Hearth keeps about client addresses, and for how long
 * (issue 13).
 *
 * Addresses are only ever used for throttling (log-in attempts,
 * registrations), and only as keyed digests (HMAC-SHA256 with the server
 * key, lib/server_key.h): login_failures keys "a:<digest>" and
 * registrations.addr_digest. Those rows, every other log-in failure, and
 * sessions past their expiry are deleted by a sweep that runs every
 * retention_interval_seconds (default 3600) and deletes rows older than
 * address_retention_days (default 7).
 *
 * The sweep runs in whichever worker first sees it due, after a request or
 * when idle (workers wake at least once a minute): the time of the next
 * sweep lives in the shared block of counters.h and is claimed with a
 * compare-and-swap, so exactly one worker runs each sweep and no lock is
 * taken. Without the shared block (fuzz targets) it never runs.
 */
#ifndef HEARTH_RETENTION_H
#define HEARTH_RETENTION_H

#include "conf.h"
#include "db.h"

/* Runs the sweep when it is due; uses a (the caller resets it after) and
 * leaves the connection idle. A failure is logged and retried within a
 * minute. */
void retention_tick(const conf *c, db *d, arena *a);

/* Most seconds an idle worker may sleep so that a due sweep is not late. */
int retention_idle_ms(const conf *c);

#endif
