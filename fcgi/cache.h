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
 *  - a worker stores a page only while the keeper is alive (.keeper touched
 *    within the last second), and after storing re-reads the thread's
 *    version: if a write committed since the version it read before
 *    rendering, it removes the file again;
 *  - the keeper beats to the master (supervise_keeper_beat, every 250 ms,
 *    also while it connects or purges); the master kills one silent for a
 *    second (stopped, stuck), empties the cache itself (cache_purge) while
 *    no keeper runs, and starts a new one, which empties it again;
 *  - a moderator's action, once committed, removes the thread's files
 *    itself (cache_forget_thread), so hiding or redacting a post does not
 *    wait for the keeper at all.
 * The keeper also drops pages older than two minutes, so that "5 minutes
 * ago" on a quiet thread does not freeze.
 * With read replicas (database_replica, lib/db.h) the keeper still LISTENs
 * on `database`, the primary (a replica never delivers notifications), and
 * a page that may be stored is built from the primary only (main.c calls
 * db_request_primary() before reading its version): a worker reading from
 * a replica that had not replayed a change could otherwise store the old
 * page just after the keeper forgot it. Members' skeletons may be built
 * from a replica: each is keyed by the thread version read before its posts
 * on the same replica, so it is never older than its key.
 * So a cached page lags a commit by the keeper's wake-up time, at most
 * about 1.5 s when the keeper stops or dies, and since the anonymous view
 * never contains held or hidden posts, neither does a file.
 */
#ifndef HEARTH_CACHE_H
#define HEARTH_CACHE_H

#include <stdbool.h>

#include "conf.h"
#include "db.h"

/* The keeper's main loop; returns the exit status. It calls beat() at
 * least every 250 ms while it runs (see supervise.h). */
int cache_keeper_main(const conf *c, void (*beat)(void));

/* True when cache_dir is set and the keeper is alive (touched .keeper
 * within the last second). */
bool cache_enabled(const conf *c);

/* Stores body as the page of thread_id if the thread is still at version. */
void cache_store_thread(const conf *c, db *d, arena *a, long long thread_id, long long version,
                        const char *body, size_t len);

/* Removes every cached page (start-up, lost notifications, no keeper). */
void cache_purge(const conf *c);

/* Removes the stored pages of thread_id: the anonymous page (t/ID.html) and
 * the members' skeletons (m/ID-*). Call it after a commit that hides or
 * changes what the thread shows, so that no keeper is needed for it to go.
 * Does nothing when cache_dir is unset; a file it cannot remove is logged. */
void cache_forget_thread(const conf *c, long long thread_id);

#endif
