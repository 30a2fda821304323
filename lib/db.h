/*
 * db.h: one PostgreSQL connection with every statement of db_sql.def
 * prepared on connect.
 *
 * db_exec() ties its PGresult to the arena (cleared at reset), so callers
 * never PQclear. A statement (or `begin`) that finds the connection dead
 * (PostgreSQL restarted while the worker was idle) reconnects, re-prepares
 * and is sent once more, when no transaction was open; inside a transaction
 * it fails with DB_ERR_DOWN (the page is a 503) and the caller rolls back.
 * When the server stays away the connection is marked down; db_ready()
 * reconnects with exponential back-off (0.1 s to 0.5 s) and callers answer
 * 503 meanwhile. Text parameters and results only.
 */
#ifndef HEARTH_DB_H
#define HEARTH_DB_H

#include <stdbool.h>
#include <libpq-fe.h>

#include "arena.h"

enum db_stmt {
#define DB_STMT(name, nparams, sql) DB_##name,
#include "db_sql.def"
#undef DB_STMT
	DB_STMT__MAX
};

/* DB_ERR_BUSY: the statement lost to another transaction (deadlock, serialization failure,
 * a lock or statement timeout): nothing of the transaction was kept and the same request may
 * succeed if sent again. */
enum db_err { DB_OK = 0, DB_ERR_DOWN, DB_ERR_QUERY, DB_ERR_UNIQUE, DB_ERR_CHECK, DB_ERR_BUSY, DB_ERR__MAX };
const char *db_strerror(enum db_err e);

typedef struct db db;

db *db_new(const char *conninfo);
void db_free(db *d);

/* Connects (or reconnects, honouring back-off) and prepares. */
bool db_ready(db *d);
bool db_is_up(const db *d);
/* Successful connections (first one and reconnections) since db_new. */
unsigned long db_connect_count(const db *d);

/* Runs a prepared statement. Returns a result owned by the arena, or NULL
 * with *err set (DB_ERR_DOWN when the connection broke). params may hold
 * NULL for SQL NULL. */
PGresult *db_exec(db *d, arena *a, enum db_stmt stmt, const char *const *params,
                  enum db_err *err);

/* Transactions: one per write. db_rollback is safe to call after a failure. */
enum db_err db_begin(db *d);
enum db_err db_commit(db *d);
void db_rollback(db *d);

/*
 * Called once at the end of every request, before the arena is reset: it
 * clears a refusal (see db_text), and the connection must be idle, as PostgreSQL ends each unit of work. A
 * transaction left open (a bug in some path) is rolled back and logged as an
 * error naming the last statement; if that fails the connection is dropped
 * and the next request opens a fresh one. Returns what it found.
 */
enum db_end { DB_END_IDLE, DB_END_ROLLED_BACK, DB_END_DROPPED, DB_END__MAX };
enum db_end db_end_request(db *d);

/* The last server message, for logs (never shown to readers). */
const char *db_last_error(const db *d);

/*
 * Read replicas (PostgreSQL streaming replication; README "Scale-out").
 *
 * db_set_replicas() gives a worker's db the replicas' connection strings;
 * each gets a connection of its own, opened when first needed. A request
 * that may read from a replica says so with db_request_replica() (GET and
 * HEAD: fcgi/replica.c); then each statement goes to the replica in use
 * unless
 *  - a transaction is open on the primary, or one was begun in this request
 *    (everything in or after a transaction goes to the primary),
 *  - the statement writes (its SQL inserts, updates, deletes, locks rows or
 *    takes a sequence value: decided once from the registry's text), or a
 *    statement the replica refused as a write (SQLSTATE 25006) was sent
 *    again to the primary: from then on the request stays on the primary,
 *    so it never reads older data after newer,
 *  - db_request_primary() was called (pages stored for other readers),
 *  - no replica is usable: each is checked before use, at most once every
 *    REPLICA_CHECK_INTERVAL (db.c), and left alone for replica_retry_ms
 *    when it is no longer in recovery (promoted) or more than
 *    replica_max_lag_ms behind, and when unreachable for replica_retry_ms
 *    doubling with each failure in a row up to 10 s;
 *  - the member's last write (after_lsn, a WAL position) is not yet
 *    replayed there: one cheap query, only while such a write is pending.
 * A replica that fails in the middle of a request (connection lost, or a
 * recovery conflict cancelled the statement) is left for the primary, where
 * the statement is sent again. db_end_request() forgets the request's choice.
 */
void db_set_replicas(db *d, char *const *conninfos, int n, int max_lag_ms, int retry_ms);
void db_request_replica(db *d, const char *after_lsn);
void db_request_primary(db *d);
/* After the request wrote on the primary (a commit, or a write statement
 * outside a transaction) and replicas are configured: the primary's WAL
 * position now (arena text), to be remembered for the writer; else NULL. */
const char *db_request_write_lsn(db *d, arena *a);
/* For /healthz: how many replicas this db has, and replica i's state now:
 * true when reads may go to it (lag in *lag_ms), else false with the reason
 * in why. A replica set aside after a failure is not tried again before its
 * time (a dead host would block the health check for connect_timeout). */
int db_replica_count(const db *d);
bool db_replica_probe(db *d, int i, double *lag_ms, char *why, size_t why_size);

/* Whether a statement of this request was answered by a replica. */
bool db_request_used_replica(const db *d);
/* Whether statement s writes (the classification above). */
bool db_stmt_writes(enum db_stmt s);

/* The raw connection, for hearthctl's migrations and COPY only. */
PGconn *db_conn(db *d);

/*
 * Typed getters for columns the code needs a value in (NOT NULL columns,
 * counts, ids). A NULL, a missing row or column, or text that is not an
 * integer / boolean is refused instead of crashing on it: an error is
 * logged with the statement's name, the row and the column, a harmless
 * value comes back ("", 0, false), every later statement of the request
 * fails with DB_ERR_QUERY (so nothing is written on the strength of it),
 * and db_refused() tells the request loop to answer with a 500 page.
 * db_end_request() clears the refusal.
 */
const char *db_text(db *d, const PGresult *r, int row, int col);
long long db_int(db *d, const PGresult *r, int row, int col);
bool db_bool(db *d, const PGresult *r, int row, int col);
bool db_refused(const db *d);

/* For columns that may be NULL: the text, or NULL for SQL NULL. */
static inline const char *db_val(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}
/* A nullable integer column: 0 for NULL. */
long long db_ll(const PGresult *r, int row, int col);

#endif
