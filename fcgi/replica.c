/* replica.c: see replica.h. */
#include "replica.h"

#include <string.h>

#include "request.h"
#include "session.h"

/* "X/Y", each 1 to 8 hex digits: what pg_current_wal_lsn() prints. */
static bool is_lsn(const char *v)
{
	size_t a = strspn(v, "0123456789ABCDEFabcdef");
	if (a < 1 || a > 8 || v[a] != '/')
		return false;
	size_t b = strspn(v + a + 1, "0123456789ABCDEFabcdef");
	return b >= 1 && b <= 8 && v[a + 1 + b] == '\0';
}

int replica_cookie_seconds(const conf *c)
{
	return 30 + 2 * (c->replica_max_lag_ms / 1000);
}

void replica_request_start(struct hctx *ctx)
{
	if (ctx->conf->nreplicas == 0)
		return;
	enum http_method m = ctx->req->method;
	if (m != HTTP_GET && m != HTTP_HEAD)
		return;
	const char *lsn = req_param(&ctx->req->cookies, REPLICA_WAL_COOKIE);
	db_request_replica(ctx->db, lsn && is_lsn(lsn) ? lsn : NULL);
}

void replica_request_end(struct hctx *ctx)
{
	const char *lsn = db_request_write_lsn(ctx->db, ctx->arena);
	if (!lsn || !is_lsn(lsn))
		return;
	resp_header(ctx->resp, "Set-Cookie",
	            session_cookie(ctx->arena, REPLICA_WAL_COOKIE, lsn, replica_cookie_seconds(ctx->conf),
	                           ctx->conf->secure_cookies));
}
