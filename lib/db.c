/* db.c: see db.h. */
#include "db.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

struct db_statement {
	const char *name;
	int nparams;
	const char *sql;
};

static const struct db_statement db_statements[DB_STMT__MAX] = {
#define DB_STMT(n, np, s) [DB_##n] = { #n, np, s },
#include "db_sql.def"
#undef DB_STMT
};

enum { DB_RECENT = 32 };

/* A replica's lag is measured at most this often (seconds) per worker. */
#define REPLICA_CHECK_INTERVAL 0.5

struct db {
	char *conninfo;
	PGconn *conn;
	bool up;
	double next_attempt;    /* monotonic seconds */
	double backoff;
	const char *last_stmt;  /* name of the last statement sent, for logs */
	bool refused;           /* a typed getter met a NULL in this request */
	/* The latest results and their statements, newest at (recent_n - 1) %
	 * DB_RECENT: only compared by address, to name a statement in a log. */
	struct { const PGresult *r; enum db_stmt stmt; } recent[DB_RECENT];
	unsigned recent_n;
	char last_error[512];
	unsigned long connects;         /* successful connections so far */
	char last_state[6];     /* SQLSTATE of the last failure ("" when none) */
	const char *label;      /* "database", or "replica N", for logs */
	/* Read replicas (db.h); each a db of its own, without replicas. */
	struct db **replicas;
	int nreplicas, cur;     /* cur: the replica tried first */
	double max_lag_ms, retry_s;
	/* On a replica: when it was last found usable; not used before bad_until. */
	double checked, bad_until;
	int fails;              /* on a replica: connection failures in a row */
	bool usable;            /* on a replica: its state when last logged */
	char aside_why[160];    /* on a replica: why it was last set aside */
	double lag_ms;          /* on a replica: its lag when last measured */
	/* This request (reset by db_end_request). */
	bool req_may_replica, req_decided, req_primary, req_wrote, req_used_replica;
	struct db *req_replica;
	char req_after_lsn[40];
};

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *db_strerror(enum db_err e)
{
	static const char *const msg[DB_ERR__MAX] = {
		[DB_OK] = "ok",
		[DB_ERR_DOWN] = "the database is unreachable",
		[DB_ERR_QUERY] = "query failed",
		[DB_ERR_UNIQUE] = "already exists",
		[DB_ERR_CHECK] = "value refused by the database",
		[DB_ERR_BUSY] = "the database was busy with a conflicting write",
	};
	return (unsigned)e < DB_ERR__MAX ? msg[e] : "unknown error";
}

db *db_new(const char *conninfo)
{
	db *d = xmalloc(sizeof *d);
	memset(d, 0, sizeof *d);
	d->conninfo = xstrdup(conninfo);
	d->backoff = 0.1;
	d->label = "database";
	d->usable = true;
	return d;
}

void db_free(db *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->nreplicas; i++) {
		free((char *)d->replicas[i]->label);
		db_free(d->replicas[i]);
	}
	free(d->replicas);
	if (d->conn)
		PQfinish(d->conn);
	free(d->conninfo);
	free(d);
}

static void set_error(db *d, const char *msg)
{
	snprintf(d->last_error, sizeof d->last_error, "%s", msg ? msg : "");
	size_t n = strlen(d->last_error);
	while (n > 0 && (d->last_error[n - 1] == '\n' || d->last_error[n - 1] == ' '))
		d->last_error[--n] = '\0';
}

/* A worker retries at its next request once the back-off has passed. The
 * back-off doubles from 0.1 s up to 0.5 s: a refused connection costs
 * little, and a short cap lets every worker come back within half a second
 * of the database (issue: "recovers by itself"). */
static void mark_down(db *d)
{
	if (d->up)
		log_warn("%s connection lost: %s", d->label, d->last_error);
	d->up = false;
	d->next_attempt = now_mono() + d->backoff;
	d->backoff = d->backoff * 2 > 0.5 ? 0.5 : d->backoff * 2;
}

static bool prepare_all(db *d)
{
	for (int i = 0; i < DB_STMT__MAX; i++) {
		PGresult *r = PQprepare(d->conn, db_statements[i].name, db_statements[i].sql,
		                        db_statements[i].nparams, NULL);
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok) {
			char msg[400];
			snprintf(msg, sizeof msg, "prepare %s: %s", db_statements[i].name,
			         PQresultErrorMessage(r));
			set_error(d, msg);
		}
		PQclear(r);
		if (!ok)
			return false;
	}
	return true;
}

bool db_ready(db *d)
{
	if (d->up && PQstatus(d->conn) == CONNECTION_OK)
		return true;
	if (d->up)
		mark_down(d);
	if (now_mono() < d->next_attempt)
		return false;
	if (d->conn)
		PQfinish(d->conn);
	d->conn = PQconnectdb(d->conninfo);
	if (PQstatus(d->conn) != CONNECTION_OK) {
		set_error(d, PQerrorMessage(d->conn));
		d->up = true;   /* so mark_down logs the first failure only */
		mark_down(d);
		return false;
	}
	PQsetErrorVerbosity(d->conn, PQERRORS_TERSE);
	if (!prepare_all(d)) {
		log_error("%s", d->last_error);
		PQfinish(d->conn);
		d->conn = NULL;
		d->up = true;
		mark_down(d);
		return false;
	}
	log_info("%s connected", d->label);
	d->connects++;
	d->up = true;
	d->backoff = 0.1;
	return true;
}

bool db_is_up(const db *d)
{
	return d->up;
}

static void clear_result(void *r)
{
	PQclear(r);
}

/*
 * Did this failure come from the connection rather than the statement? The
 * connection is bad; or the server says so (class 08, connection exception;
 * 57P01..57P03, shutdown, crash, cannot connect now); or libpq reports an
 * error without an SQLSTATE, which it does only for its own failures such
 * as "server closed the connection unexpectedly" (after an immediate
 * shutdown PQstatus can still say CONNECTION_OK at that point).
 */
static bool connection_lost(db *d, const PGresult *r)
{
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK)
		return true;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (!state || !*state)
		return true;
	return strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	       strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

static enum db_err classify(db *d, PGresult *r)
{
	if (connection_lost(d, r)) {
		mark_down(d);
		return DB_ERR_DOWN;
	}
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (strcmp(state, "23505") == 0)
		return DB_ERR_UNIQUE;
	if (strcmp(state, "23514") == 0 || strcmp(state, "22001") == 0 || strcmp(state, "22021") == 0)
		return DB_ERR_CHECK;
	/* Deadlock, serialization failure, lock or statement timeout: the transaction is lost as a
	 * whole, and sending the same request again may well succeed. */
	if (strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return DB_ERR_BUSY;
	/* Admin shutdown and friends: the server is going away. */
	if (strncmp(state, "57P", 3) == 0) {
		mark_down(d);
		return DB_ERR_DOWN;
	}
	return DB_ERR_QUERY;
}

/* One statement: a prepared one (sql NULL) or a transaction command. */
static PGresult *send_once(db *d, enum db_stmt stmt, const char *sql, const char *const *params)
{
	if (sql)
		return PQexec(d->conn, sql);
	return PQexecPrepared(d->conn, db_statements[stmt].name, db_statements[stmt].nparams,
	                      params, NULL, NULL, 0);
}

static bool succeeded(const PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

/*
 * Runs one statement. A connection that died since the last statement (a
 * PostgreSQL restart while the worker was idle) is replaced and the
 * statement sent once more, but only when no transaction was open: inside
 * one, the earlier statements are gone with the connection, so the request
 * fails with DB_ERR_DOWN (a 503 page) and the caller rolls back. Returns the
 * result (the caller owns it) or NULL with *err set.
 */
static PGresult *run(db *d, enum db_stmt stmt, const char *sql, const char *const *params,
                     enum db_err *err)
{
	const char *what = sql ? sql : db_statements[stmt].name;
	d->last_state[0] = '\0';
	if (d->refused) {
		/* A result of this request held a NULL where none may be: nothing
		 * more is read or written on the strength of it (see db_text). */
		set_error(d, "statement refused: an earlier result of this request held a NULL "
		             "where none may be");
		*err = DB_ERR_QUERY;
		return NULL;
	}
	if (!d->up || !d->conn) {
		*err = DB_ERR_DOWN;
		return NULL;
	}
	bool idle = PQtransactionStatus(d->conn) == PQTRANS_IDLE;
	d->last_stmt = what;
	PGresult *r = send_once(d, stmt, sql, params);
	if (!succeeded(r) && connection_lost(d, r)) {
		set_error(d, r ? PQresultErrorMessage(r) : PQerrorMessage(d->conn));
		PQclear(r);
		r = NULL;
		if (!idle) {
			log_warn("database connection lost inside a transaction (%s: %s); the request fails",
			         what, d->last_error);
			mark_down(d);
			*err = DB_ERR_DOWN;
			return NULL;
		}
		log_warn("database connection lost (%s: %s); reconnecting to send it once more",
		         what, d->last_error);
		d->up = false;
		d->next_attempt = 0;
		if (!db_ready(d)) {
			*err = DB_ERR_DOWN;
			return NULL;
		}
		r = send_once(d, stmt, sql, params);
	}
	if (succeeded(r)) {
		*err = DB_OK;
		return r;
	}
	set_error(d, r ? PQresultErrorMessage(r) : PQerrorMessage(d->conn));
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	snprintf(d->last_state, sizeof d->last_state, "%s", state ? state : "");
	*err = classify(d, r);
	PQclear(r);
	return NULL;
}

/* ---------------------------------------------------------------- replicas */

/* Whether word w (lower case) occurs in sql as a whole word, any case. */
static bool has_word(const char *sql, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = sql; *p; p++) {
		if (strncasecmp(p, w, n) != 0)
			continue;
		bool before = p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = !(isalnum((unsigned char)p[n]) || p[n] == '_');
		if (before && after)
			return true;
	}
	return false;
}

/* From the statement's text: may it change anything? A false "yes" only
 * sends a read to the primary; a false "no" is caught by the replica
 * (25006, see db_exec) and sent again to the primary. */
static bool sql_writes(const char *sql)
{
	static const char *const words[] = { "insert", "update", "delete", "merge", "truncate",
	                                     "nextval", "setval", "pg_notify", "lock", "share" };
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (has_word(sql, words[i]))
			return true;
	return false;
}

bool db_stmt_writes(enum db_stmt s)
{
	static signed char writes[DB_STMT__MAX];    /* 0 unknown, 1 writes, -1 reads */
	if ((unsigned)s >= DB_STMT__MAX)
		abort();
	if (!writes[s])
		writes[s] = sql_writes(db_statements[s].sql) ? 1 : -1;
	return writes[s] > 0;
}

void db_set_replicas(db *d, char *const *conninfos, int n, int max_lag_ms, int retry_ms)
{
	d->replicas = n > 0 ? xmalloc((size_t)n * sizeof *d->replicas) : NULL;
	for (int i = 0; i < n; i++) {
		db *r = db_new(conninfos[i]);
		char label[32];
		snprintf(label, sizeof label, "replica %d", i + 1);
		r->label = xstrdup(label);
		d->replicas[i] = r;
	}
	d->nreplicas = n;
	/* Spread the workers of a host over the replicas. */
	d->cur = n > 0 ? (int)(getpid() % n) : 0;
	d->max_lag_ms = max_lag_ms;
	d->retry_s = retry_ms / 1000.0;
}

void db_request_replica(db *d, const char *after_lsn)
{
	if (d->nreplicas == 0)
		return;
	d->req_may_replica = true;
	snprintf(d->req_after_lsn, sizeof d->req_after_lsn, "%s", after_lsn ? after_lsn : "");
}

void db_request_primary(db *d)
{
	d->req_primary = true;
}

bool db_request_used_replica(const db *d)
{
	return d->req_used_replica;
}

/* Replica r is not used for retry_s; logged when it was usable. When it
 * cannot be reached the wait doubles with each failure in a row, up to 10 s
 * (or retry_s if longer): connecting to a host that drops packets blocks the
 * request for connect_timeout, and that should not happen every second. */
static void replica_set_aside(db *d, db *r, bool unreachable, const char *why)
{
	if (r->usable)
		log_warn("%s: %s; reads go to the primary (or another replica) until it is tried again",
		         r->label, why);
	r->usable = false;
	snprintf(r->aside_why, sizeof r->aside_why, "%s", why);
	double wait = d->retry_s;
	if (unreachable) {
		r->fails++;
		double cap = d->retry_s > 10 ? d->retry_s : 10;
		for (int i = 1; i < r->fails && wait < cap; i++)
			wait *= 2;
		wait = wait < cap ? wait : cap;
	}
	r->bad_until = now_mono() + wait;
}

/* Runs a replica's own check statement; the result is the caller's. */
static PGresult *replica_query(db *r, enum db_stmt stmt, const char *const *params)
{
	enum db_err e;
	return run(r, stmt, NULL, params, &e);
}

/* Whether replica r may answer now: reachable, in recovery, not too far
 * behind (measured at most every REPLICA_CHECK_INTERVAL). */
static bool replica_healthy(db *d, db *r, double now)
{
	if (!db_ready(r)) {
		replica_set_aside(d, r, true, r->last_error[0] ? r->last_error : "unreachable");
		return false;
	}
	if (now - r->checked < REPLICA_CHECK_INTERVAL)
		return true;
	PGresult *s = replica_query(r, DB_REPLICA_STATUS, NULL);
	if (!s || PQntuples(s) != 1) {
		replica_set_aside(d, r, !db_is_up(r), r->last_error[0] ? r->last_error : "no status");
		PQclear(s);
		return false;
	}
	bool recovering = strcmp(PQgetvalue(s, 0, 0), "t") == 0;
	double lag = strtod(PQgetvalue(s, 0, 1), NULL);
	PQclear(s);
	if (!recovering) {
		replica_set_aside(d, r, false, "not in recovery (promoted?): it no longer follows the primary");
		return false;
	}
	if (lag > d->max_lag_ms) {
		char why[96];
		snprintf(why, sizeof why, "%.0f ms behind (replica_max_lag_ms %.0f)", lag, d->max_lag_ms);
		replica_set_aside(d, r, false, why);
		return false;
	}
	r->lag_ms = lag;
	if (!r->usable)
		log_info("%s: usable again (%.0f ms behind)", r->label, lag);
	r->usable = true;
	r->fails = 0;
	r->checked = now;
	return true;
}

int db_replica_count(const db *d)
{
	return d->nreplicas;
}

bool db_replica_probe(db *d, int i, double *lag_ms, char *why, size_t why_size)
{
	if (i < 0 || i >= d->nreplicas)
		abort();
	db *r = d->replicas[i];
	double now = now_mono();
	*lag_ms = 0;
	if (now < r->bad_until) {
		snprintf(why, why_size, "%s (tried again in %.0f s)", r->aside_why, r->bad_until - now + 0.5);
		return false;
	}
	r->checked = 0;         /* measure now, not from the last check */
	if (!replica_healthy(d, r, now)) {
		snprintf(why, why_size, "%s", r->aside_why);
		return false;
	}
	*lag_ms = r->lag_ms;
	return true;
}

/* The replica this request reads from, or NULL for the primary. */
static db *choose_replica(db *d)
{
	double now = now_mono();
	for (int k = 0; k < d->nreplicas; k++) {
		int i = (d->cur + k) % d->nreplicas;
		db *r = d->replicas[i];
		if (now < r->bad_until || !replica_healthy(d, r, now))
			continue;
		if (d->req_after_lsn[0]) {
			/* The member wrote lately: read here only once it is replayed. */
			const char *p[] = { d->req_after_lsn };
			PGresult *s = replica_query(r, DB_REPLICA_REPLAYED, p);
			bool ok = s && PQntuples(s) == 1;
			bool replayed = ok && strcmp(PQgetvalue(s, 0, 0), "t") == 0;
			PQclear(s);
			if (!ok) {
				replica_set_aside(d, r, !db_is_up(r),
				                  r->last_error[0] ? r->last_error : "no replay position");
				continue;
			}
			if (!replayed)
				continue;
		}
		d->cur = i;
		return r;
	}
	return NULL;
}

/* Where statement stmt of this request goes. */
static db *target_of(db *d, enum db_stmt stmt)
{
	if (!d->req_may_replica || d->req_primary)
		return d;
	if (d->conn && PQtransactionStatus(d->conn) != PQTRANS_IDLE)
		return d;
	if (db_stmt_writes(stmt)) {
		d->req_primary = true;
		return d;
	}
	if (!d->req_decided) {
		d->req_decided = true;
		d->req_replica = choose_replica(d);
	}
	return d->req_replica ? d->req_replica : d;
}

/* Runs stmt on replica r; on a failure that the primary can answer (the
 * replica went away, refused a write, or cancelled the statement for a
 * recovery conflict) the rest of the request goes to the primary. */
static PGresult *run_on_replica(db *d, db *r, enum db_stmt stmt, const char *const *params,
                                enum db_err *err)
{
	PGresult *res = run(r, stmt, NULL, params, err);
	if (res) {
		d->req_used_replica = true;
		return res;
	}
	bool write = strcmp(r->last_state, "25006") == 0;
	bool conflict = strcmp(r->last_state, "40001") == 0 || strcmp(r->last_state, "57014") == 0;
	if (*err != DB_ERR_DOWN && !write && !conflict) {
		set_error(d, r->last_error);
		memcpy(d->last_state, r->last_state, sizeof d->last_state);
		return NULL;
	}
	if (*err == DB_ERR_DOWN)
		replica_set_aside(d, r, true, r->last_error);
	else if (write)
		log_warn("%s writes but is not known to (a replica refused it); sent to the primary",
		         db_statements[stmt].name);
	d->req_primary = true;
	d->req_replica = NULL;
	res = run(d, stmt, NULL, params, err);
	if (res && write)
		d->req_wrote = true;
	return res;
}

PGresult *db_exec(db *d, arena *a, enum db_stmt stmt, const char *const *params, enum db_err *err)
{
	enum db_err dummy;
	if (!err)
		err = &dummy;
	if ((unsigned)stmt >= DB_STMT__MAX)
		abort();
	db *t = d->refused ? d : target_of(d, stmt);
	PGresult *r = t == d ? run(d, stmt, NULL, params, err) : run_on_replica(d, t, stmt, params, err);
	if (r && t == d && d->nreplicas && db_stmt_writes(stmt))
		d->req_wrote = true;
	if (r) {
		arena_on_reset(a, clear_result, r);
		d->recent[d->recent_n++ % DB_RECENT].r = r;
		d->recent[(d->recent_n - 1) % DB_RECENT].stmt = stmt;
	}
	return r;
}

static enum db_err simple(db *d, const char *sql)
{
	enum db_err e;
	PQclear(run(d, DB_STMT__MAX, sql, NULL, &e));
	return e;
}

/* A transaction, and everything after it in the request, is the primary's. */
enum db_err db_begin(db *d)
{
	d->req_primary = true;
	return simple(d, "begin");
}

enum db_err db_commit(db *d)
{
	enum db_err e = simple(d, "commit");
	if (e == DB_OK && d->nreplicas)
		d->req_wrote = true;
	return e;
}

const char *db_request_write_lsn(db *d, arena *a)
{
	if (!d->req_wrote || !d->nreplicas || d->refused)
		return NULL;
	enum db_err e;
	PGresult *r = db_exec(d, a, DB_PRIMARY_WAL_LSN, NULL, &e);
	if (!r || PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
		log_warn("could not read the primary's WAL position after a write (%s): the writer's "
		         "next pages may come from a replica that has not replayed it", d->last_error);
		return NULL;
	}
	return PQgetvalue(r, 0, 0);
}

void db_rollback(db *d)
{
	if (!d->conn || !d->up || PQstatus(d->conn) != CONNECTION_OK ||
	    PQtransactionStatus(d->conn) == PQTRANS_IDLE)
		return;
	PGresult *r = PQexec(d->conn, "rollback");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_error(d, PQresultErrorMessage(r));
		(void)classify(d, r);
	}
	PQclear(r);
}

/* Drops the connection: the next db_ready() opens a fresh one at once. */
static void drop_connection(db *d)
{
	PQfinish(d->conn);
	d->conn = NULL;
	d->up = false;
	d->next_attempt = 0;
}

enum db_end db_end_request(db *d)
{
	d->refused = false;
	d->recent_n = 0;
	if (d->req_replica)
		(void)db_end_request(d->req_replica);
	d->req_may_replica = d->req_decided = d->req_primary = d->req_wrote = false;
	d->req_used_replica = false;
	d->req_replica = NULL;
	d->req_after_lsn[0] = '\0';
	if (!d->conn || !d->up || PQstatus(d->conn) != CONNECTION_OK)
		return DB_END_IDLE;
	PGTransactionStatusType ts = PQtransactionStatus(d->conn);
	if (ts == PQTRANS_IDLE)
		return DB_END_IDLE;
	/* A bug: some path began a transaction and returned without ending it.
	 * Left open, it would hold its locks and fold the next request's
	 * statements into it (a later commit would commit both). */
	log_error("a request ended with a transaction %s (last statement: %s); rolling it back",
	          ts == PQTRANS_INERROR ? "open and failed" : ts == PQTRANS_ACTIVE ? "still running" :
	          "open", d->last_stmt ? d->last_stmt : "none");
	if (ts == PQTRANS_ACTIVE) {
		drop_connection(d);
		return DB_END_DROPPED;
	}
	PGresult *r = PQexec(d->conn, "rollback");
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK &&
	          PQtransactionStatus(d->conn) == PQTRANS_IDLE;
	if (!ok)
		log_error("rollback at the end of a request failed (%s); reconnecting",
		          PQresultErrorMessage(r));
	PQclear(r);
	if (!ok) {
		drop_connection(d);
		return DB_END_DROPPED;
	}
	return DB_END_ROLLED_BACK;
}

const char *db_last_error(const db *d)
{
	return d->last_error;
}

PGconn *db_conn(db *d)
{
	return d->conn;
}

bool db_refused(const db *d)
{
	return d->refused;
}

static const char *statement_of(const db *d, const PGresult *r)
{
	unsigned n = d->recent_n < DB_RECENT ? d->recent_n : DB_RECENT;
	for (unsigned i = 1; i <= n; i++)
		if (d->recent[(d->recent_n - i) % DB_RECENT].r == r)
			return db_statements[d->recent[(d->recent_n - i) % DB_RECENT].stmt].name;
	return "(unknown statement)";
}

static void refuse(db *d, const PGresult *r, int row, int col, const char *what)
{
	const char *name = r && col >= 0 && col < PQnfields(r) ? PQfname(r, col) : NULL;
	log_error("%s: row %d, column %d (%s): %s where the code needs a value; the request fails",
	          statement_of(d, r), row, col, name ? name : "no such column", what);
	d->refused = true;
}

/* The value of a field, or NULL after refusing it (NULL, or no such field). */
static const char *need(db *d, const PGresult *r, int row, int col)
{
	if (!r || row < 0 || row >= PQntuples(r) || col < 0 || col >= PQnfields(r)) {
		refuse(d, r, row, col, "no such field");
		return NULL;
	}
	if (PQgetisnull(r, row, col)) {
		refuse(d, r, row, col, "NULL");
		return NULL;
	}
	return PQgetvalue(r, row, col);
}

const char *db_text(db *d, const PGresult *r, int row, int col)
{
	const char *v = need(d, r, row, col);
	return v ? v : "";
}

long long db_int(db *d, const PGresult *r, int row, int col)
{
	const char *v = need(d, r, row, col);
	if (!v)
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (end == v || *end || errno) {
		refuse(d, r, row, col, "not an integer");
		return 0;
	}
	return n;
}

bool db_bool(db *d, const PGresult *r, int row, int col)
{
	const char *v = need(d, r, row, col);
	if (!v)
		return false;
	if (strcmp(v, "t") != 0 && strcmp(v, "f") != 0) {
		refuse(d, r, row, col, "not a boolean");
		return false;
	}
	return v[0] == 't';
}

long long db_ll(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

unsigned long db_connect_count(const db *d)
{
	return d->connects;
}
