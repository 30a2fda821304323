/*
 * page_metrics.c: GET /metrics, Prometheus text format (version 0.0.4).
 *
 * Only for the addresses in conf metrics_allow (comma-separated, exact
 * text of REMOTE_ADDR as nginx passes it; default 127.0.0.1): anyone else
 * gets the same 404 page as an address that does not exist, so the page
 * does not even tell them it is there.
 *
 * Two kinds of figures, so that every worker answers the same whichever
 * one a scrape reaches:
 *  - process figures from the block the master shares with every worker
 *    (fcgi/counters.h: atomic counters, no lock): requests by route pattern,
 *    method and status class, a latency histogram per route pattern,
 *    worker and keeper restarts, database (re)connections, anonymous pages
 *    rendered, retention sweeps. They start at 0 when the master starts.
 *  - database figures (METRICS_GAUGES in lib/db_sql_feed.def and
 *    METRICS_TIMES in lib/db_sql_ops.def).
 *
 *   hearth_http_requests_total{route,method,status}      counter
 *   hearth_http_request_duration_seconds{route,method}   histogram
 *   hearth_worker_restarts_total, hearth_worker_crashes_total,
 *   hearth_keeper_restarts_total, hearth_database_connects_total,
 *   hearth_database_reconnects_total, hearth_anonymous_pages_rendered_total,
 *   hearth_retention_sweeps_total, hearth_retention_deleted_rows_total
 *   hearth_review_first_action_median_seconds   over the last 24 hours
 *   hearth_thread_first_reply_median_seconds    over the last 24 hours
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
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "counters.h"
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

static void counter(buf *o, const char *name, const char *help, atomic_ullong *v)
{
	buf_printf(o, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
	           atomic_load_explicit(v, memory_order_relaxed));
}

/* The route and method labels of a slot: patterns are fixed text of
 * route.c ([a-z0-9/:._-]), nothing a request sent. */
static void route_labels(buf *o, int slot)
{
	unsigned methods = 0;
	const char *pattern = slot == COUNTERS_UNMATCHED ? NULL : route_slot_pattern(slot, &methods);
	if (!pattern)
		buf_puts(o, "route=\"unmatched\",method=\"any\"");
	else
		buf_printf(o, "route=\"%s\",method=\"%s\"", pattern, (methods & M_POST) ? "POST" : "GET");
}

static void shared_figures(buf *o, struct counters *k)
{
	static const char *const cls[CS__MAX] = { "1xx", "2xx", "3xx", "4xx", "5xx" };
	buf_puts(o, "# HELP hearth_http_requests_total Requests answered by the workers since the master "
	         "started, by route pattern, method and status class.\n"
	         "# TYPE hearth_http_requests_total counter\n");
	for (int slot = 0; slot < COUNTERS_SLOTS; slot++)
		for (int c = 0; c < CS__MAX; c++) {
			unsigned long long n = atomic_load_explicit(&k->route[slot].by_status[c], memory_order_relaxed);
			if (!n)
				continue;
			buf_puts(o, "hearth_http_requests_total{");
			route_labels(o, slot);
			buf_printf(o, ",status=\"%s\"} %llu\n", cls[c], n);
		}
	buf_puts(o, "# HELP hearth_http_request_duration_seconds Time from the request's arrival in a "
	         "worker to its answer sent, by route pattern.\n"
	         "# TYPE hearth_http_request_duration_seconds histogram\n");
	for (int slot = 0; slot < COUNTERS_SLOTS; slot++) {
		struct counters_route *r = &k->route[slot];
		unsigned long long seen[COUNTERS_BUCKETS], total = 0;
		for (int b = 0; b < COUNTERS_BUCKETS; b++)
			total += seen[b] = atomic_load_explicit(&r->bucket[b], memory_order_relaxed);
		if (!total)
			continue;
		unsigned long long cum = 0;
		for (int b = 0; b < COUNTERS_BUCKETS; b++) {
			cum += seen[b];
			buf_puts(o, "hearth_http_request_duration_seconds_bucket{");
			route_labels(o, slot);
			if (b < COUNTERS_BUCKETS - 1)
				buf_printf(o, ",le=\"%.6f\"} %llu\n", (double)counters_bucket_us[b] / 1e6, cum);
			else
				buf_printf(o, ",le=\"+Inf\"} %llu\n", cum);
		}
		buf_puts(o, "hearth_http_request_duration_seconds_sum{");
		route_labels(o, slot);
		buf_printf(o, "} %.6f\n", (double)atomic_load_explicit(&r->sum_us, memory_order_relaxed) / 1e6);
		buf_puts(o, "hearth_http_request_duration_seconds_count{");
		route_labels(o, slot);
		buf_printf(o, "} %llu\n", cum);
	}
	counter(o, "hearth_worker_restarts_total", "Workers replaced after they ended (crash, max_requests).",
	        &k->worker_restarts);
	counter(o, "hearth_worker_crashes_total", "Workers that died by a signal or with a non-zero status.",
	        &k->worker_crashes);
	counter(o, "hearth_keeper_restarts_total", "Cache keepers replaced after they ended.", &k->keeper_restarts);
	counter(o, "hearth_database_connects_total", "Database connections made by workers.", &k->db_connects);
	counter(o, "hearth_database_reconnects_total",
	        "Database connections made by workers after their first (the database went away).",
	        &k->db_reconnects);
	counter(o, "hearth_anonymous_pages_rendered_total",
	        "Thread pages rendered for readers without a session while the page cache is on: the cache's "
	        "misses (its hits are served by nginx and never reach a worker).", &k->anon_renders);
	counter(o, "hearth_retention_sweeps_total", "Retention sweeps run (address_retention_days).",
	        &k->retention_runs);
	counter(o, "hearth_retention_deleted_rows_total",
	        "Rows the retention sweeps deleted (old log-in failures and registrations, expired sessions).",
	        &k->retention_rows);
}

/* Medians over the last day, in seconds; absent (NaN) when nothing to measure. */
static void time_figures(struct hctx *ctx, buf *o)
{
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_METRICS_TIMES, NULL, &err);
	if (!r || PQntuples(r) != 1)
		return;
	gauge(o, "hearth_review_first_action_median_seconds",
	      "Median time from a review item's creation to the first moderator action on it, for items "
	      "created in the last 24 hours and acted on (0 when none).");
	buf_printf(o, "hearth_review_first_action_median_seconds %.3f\n", db_val(r, 0, 0) ? atof(db_val(r, 0, 0)) : 0);
	gauge(o, "hearth_review_first_action_items", "Review items of the last 24 hours acted on (the median's count).");
	buf_printf(o, "hearth_review_first_action_items %lld\n", db_ll(r, 0, 1));
	gauge(o, "hearth_thread_first_reply_median_seconds",
	      "Median time from a thread's opening to its first reply by someone else, for threads opened in "
	      "the last 24 hours that have one (0 when none).");
	buf_printf(o, "hearth_thread_first_reply_median_seconds %.3f\n", db_val(r, 0, 2) ? atof(db_val(r, 0, 2)) : 0);
	gauge(o, "hearth_thread_first_reply_threads", "Threads of the last 24 hours with a reply (the median's count).");
	buf_printf(o, "hearth_thread_first_reply_threads %lld\n", db_ll(r, 0, 3));
	gauge(o, "hearth_thread_unanswered_last_day", "Threads opened in the last 24 hours with no reply yet.");
	buf_printf(o, "hearth_thread_unanswered_last_day %lld\n", db_ll(r, 0, 4));
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

	struct counters *k = counters_get();
	if (k)
		shared_figures(o, k);
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
	time_figures(ctx, o);
}
