/*
 * cache.h: rendered thread pages for anonymous readers, as files nginx
 * serves directly (cache_dir/t/ID.html) while no session cookie is present.
 *
 * Correctness does not depend on each write path remembering to invalidate:
 *  - PostgreSQL triggers bump threads.version and NOTIFY hearth_cache with
 *    the thread id on commit (sql/006_cache.sql);
 *  - the keeper process (a child of the master) LISTENs and unlinks the
 *    file within milliseconds; on start and after losing its connection it
 *    empties the whole cache, and it touches cache_dir/.keeper every 250 ms;
 *  - a worker stores a page only while the keeper is alive, and after
 *    storing re-reads the thread's version: if a write committed since the
 *    version it read before rendering, it removes the file again.
 * The keeper also drops pages older than two minutes, so that "5 minutes
 * ago" on a quiet thread does not freeze.
 * So a cached page lags a commit by the keeper's wake-up time, and since the
 * anonymous view never contains held or hidden posts, neither does a file.
 */
#ifndef HEARTH_CACHE_H
#define HEARTH_CACHE_H

#include <stdbool.h>

#include "conf.h"
#include "db.h"

/* The keeper's main loop; returns the exit status. */
int cache_keeper_main(const conf *c);

/* True when cache_dir is set and the keeper is alive. */
bool cache_enabled(const conf *c);

/* Stores body as the page of thread_id if the thread is still at version. */
void cache_store_thread(const conf *c, db *d, arena *a, long long thread_id, long long version,
                        const char *body, size_t len);

/* Removes every cached page (start-up, lost notifications). */
void cache_purge(const conf *c);

#endif
