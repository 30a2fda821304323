/*
 * page_health.c: GET /healthz, for load balancers and systemd.
 *
 * 200 "ok" when PostgreSQL answers, the cache keeper is alive (when
 * cache_dir is set: its heartbeat file cache_dir/.keeper is fresh, see
 * cache.h) and the newest migration applied is the newest file in sql_dir.
 * Otherwise 503 with one plain-text line per problem. Never stored by
 * anyone (Cache-Control: no-store; nginx has no cache for it either). The
 * route needs no database, so that a dead database gives this page's
 * plain-text 503 and not the themed one.
 *
 * With database_replica set, one more line per replica after "ok": in use
 * and how far behind, or why reads go to the primary instead. A replica
 * never makes this page 503: reads fall back to the primary.
 */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "cache.h"
#include "migrate.h"
#include "route.h"

void page_health(struct hctx *ctx)
{
	struct response *resp = ctx->resp;
	buf *out = &resp->body;         /* lint: raw-body (plain text, no HTML) */
	bool ok = true;

	if (!db_ready(ctx->db)) {
		buf_puts(out, "database: unreachable\n");
		ok = false;
	} else {
		char latest[256];
		enum db_err err;
		PGresult *r = db_exec(ctx->db, ctx->arena, DB_HEALTH_MIGRATION, NULL, &err);
		if (!r || PQntuples(r) != 1) {
			buf_printf(out, "database: %s\n",
			           err == DB_ERR_DOWN ? "unreachable" : "schema_migrations cannot be read");
			ok = false;
		} else if (migrate_latest_file(ctx->conf->sql_dir, latest, sizeof latest) < 0) {
			buf_printf(out, "migrations: sql_dir %s cannot be read: %s\n",
			           ctx->conf->sql_dir, strerror(errno));
			ok = false;
		} else if (strcmp(latest, PQgetvalue(r, 0, 0)) != 0) {
			const char *applied = PQgetvalue(r, 0, 0);
			buf_printf(out, "migrations: the database is at %s but sql_dir has %s "
			           "(run hearthctl migrate)\n", applied[0] ? applied : "(none)",
			           latest[0] ? latest : "(none)");
			ok = false;
		}
	}
	if (ctx->conf->cache_dir[0] && !cache_enabled(ctx->conf)) {
		buf_puts(out, "keeper: the cache keeper's heartbeat (cache_dir/.keeper) is missing or "
		         "older than 2 s\n");
		ok = false;
	}
	if (ok)
		buf_puts(out, "ok\n");
	/* Replicas are told, not judged: reads fall back to the primary, so
	 * this host still serves when one is down or behind. */
	for (int i = 0; ok && i < db_replica_count(ctx->db); i++) {
		double lag;
		char why[256];
		if (db_replica_probe(ctx->db, i, &lag, why, sizeof why))
			buf_printf(out, "replica %d: ok, %.0f ms behind\n", i + 1, lag);
		else
			buf_printf(out, "replica %d: not used, reads go to the primary: %s\n", i + 1, why);
	}
	resp->status = ok ? 200 : 503;
	resp->content_type = "text/plain; charset=utf-8";
	resp_header(resp, "Cache-Control", "no-store");
}
