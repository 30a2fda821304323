/*
 * page_metrics.c: GET /metrics, Prometheus text format (version 0.0.4).
 *
 * Only for the addresses in conf metrics_allow (comma-separated, exact
 * text of REMOTE_ADDR as nginx passes it; default 127.0.0.1): anyone else
 * gets the same 404 page as an address that does not exist, so the page
 * does not even tell them it is there.
 *
 * Every figure comes from the database (one statement, METRICS_GAUGES in
 * lib/db_sql_feed.def), so every worker answers the same whichever one a
 * scrape reaches. Requests by status, latency and worker restarts are not
 * here: they are counted per worker and this file may not touch the
 * dispatcher (main.c) or the supervisor, and a per-worker counter read by
 * whichever worker answers would be wrong. nginx's own log or exporter can
 * give those meanwhile.
 *
 *   hearth_database_up                         1 or 0 (then nothing else)
 *   hearth_review_queue_items{lane,status}     open and escalated items
 *   hearth_review_crisis_oldest_seconds        oldest open crisis item (0: none)
 *   hearth_review_crisis_waiting               crisis-lane items, open or escalated
 *   hearth_crisis_unanswered_posts             crisis posts with no reply for
 *                                              crisis_unanswered_minutes
 *   hearth_posts_last_minute{kind}             threads and replies written
 *
 * Never stored by anyone (Cache-Control: no-store). Numbers only: no text
 * of any post or member ever appears here.
 */
#include <string.h>

#include "buf.h"
#include "route.h"

/* Whether addr is one of the comma-separated list (spaces around items
 * ignored; an empty item matches nothing). */
static bool addr_allowed(const char *list, const char *addr)
{
	if (!list || !addr || !addr[0])
		return false;
	size_t alen = strlen(addr);
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *start = p;
		while (*p && *p != ',')
			p++;
		const char *end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - start) == alen && memcmp(start, addr, alen) == 0)
			return true;
	}
	return false;
}

static void gauge(buf *o, const char *name, const char *help)
{
	buf_printf(o, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

void page_metrics(struct hctx *ctx)
{
	if (!addr_allowed(ctx->conf->metrics_allow, ctx->req->client_addr)) {
		page_error(ctx, 404, "Page not found",
		           "There is nothing at this address. It may have moved, or the link may be mistyped.");
		return;
	}
	struct response *resp = ctx->resp;
	buf *o = &resp->body;           /* lint: raw-body (Prometheus text: numbers and fixed names only) */
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp_header(resp, "Cache-Control", "no-store");

	PGresult *r = NULL;
	enum db_err err = DB_OK;
	if (db_ready(ctx->db)) {
		const char *p[] = { arena_printf(ctx->arena, "%d", ctx->conf->crisis_unanswered_minutes) };
		r = db_exec(ctx->db, ctx->arena, DB_METRICS_GAUGES, p, &err);
	}
	gauge(o, "hearth_database_up", "1 when PostgreSQL answered this scrape's query, else 0.");
	if (!r || PQntuples(r) != 1) {
		buf_puts(o, "hearth_database_up 0\n");
		return;
	}
	buf_puts(o, "hearth_database_up 1\n");
	db *d = ctx->db;
	gauge(o, "hearth_review_queue_items", "Review items waiting, by lane and status.");
	static const char *const cells[4][2] = {
		{ "crisis", "open" }, { "crisis", "escalated" }, { "other", "open" }, { "other", "escalated" },
	};
	for (int i = 0; i < 4; i++)
		buf_printf(o, "hearth_review_queue_items{lane=\"%s\",status=\"%s\"} %lld\n", cells[i][0],
		           cells[i][1], db_int(d, r, 0, i));
	gauge(o, "hearth_review_crisis_waiting", "Crisis-lane review items open or escalated.");
	buf_printf(o, "hearth_review_crisis_waiting %lld\n", db_int(d, r, 0, 0) + db_int(d, r, 0, 1));
	gauge(o, "hearth_review_crisis_oldest_seconds",
	      "Age of the oldest open or escalated crisis-lane review item, 0 when there is none.");
	long long oldest = db_ll(r, 0, 4);
	buf_printf(o, "hearth_review_crisis_oldest_seconds %lld\n", oldest > 0 ? oldest : 0);
	gauge(o, "hearth_crisis_unanswered_posts",
	      "Visible crisis-flagged posts with no reply from anyone else for crisis_unanswered_minutes.");
	buf_printf(o, "hearth_crisis_unanswered_posts %lld\n", db_int(d, r, 0, 5));
	gauge(o, "hearth_posts_last_minute", "Posts written in the last 60 seconds, any state, by kind.");
	buf_printf(o, "hearth_posts_last_minute{kind=\"thread\"} %lld\n", db_int(d, r, 0, 6));
	buf_printf(o, "hearth_posts_last_minute{kind=\"reply\"} %lld\n", db_int(d, r, 0, 7));
}
