/*
 * hearth-fcgi: the FastCGI program nginx talks to.
 *
 *   hearth-fcgi -c /etc/hearth/hearth.conf
 *
 * The master (supervise.c) binds the socket and keeps the workers alive; each
 * worker serves one request at a time with one arena and one database
 * connection. Template errors stop start-up with file and line.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "arena.h"
#include "auth.h"
#include "cache.h"
#include "conf.h"
#include "counters.h"
#include "db.h"
#include "html.h"
#include "log.h"
#include "mod.h"
#include "page.h"
#include "replica.h"
#include "request.h"
#include "retention.h"
#include "route.h"
#include "session.h"
#include "supervise.h"
#include "tpl.h"

struct worker_state {
	struct worker_state *older;     /* states replaced by reloads, freed at exit */
	const char *conf_path;
	conf conf;
	tpl_theme *theme;
	struct crisis_list crisis;
	mod_ruleset *rules;
};

static volatile sig_atomic_t worker_stopping;

static void worker_on_term(int sig)
{
	(void)sig;
	worker_stopping = 1;
}

static struct worker_state *state_load(const char *conf_path)
{
	char err[1024];
	struct worker_state *s = xmalloc(sizeof *s);
	memset(s, 0, sizeof *s);
	s->conf_path = conf_path;
	if (conf_load(&s->conf, conf_path, err, sizeof err) != CONF_OK) {
		log_error("%s", err);
		goto fail;
	}
	if (tpl_theme_load(s->conf.theme_dir, &s->theme, err, sizeof err) != TPL_OK) {
		log_error("%s", err);
		goto fail;
	}
	if (crisis_load(s->conf.crisis_file, &s->crisis, err, sizeof err) < 0) {
		log_error("%s", err);
		goto fail;
	}
	if (crisis_guidance_load(s->conf.replier_guidance_file, &s->crisis, err, sizeof err) < 0) {
		log_error("%s", err);
		goto fail;
	}
	if (mod_ruleset_load(s->conf.rules_dir, &s->rules, err, sizeof err) != MOD_OK) {
		log_error("moderation rules: %s", err);
		goto fail;
	}
	if (!tpl_has(s->theme, "error") || !tpl_has(s->theme, "layout")) {
		log_error("%s: the theme needs layout.html and error.html", s->conf.theme_dir);
		goto fail;
	}
	return s;
fail:
	crisis_free(&s->crisis);
	mod_ruleset_free(s->rules);
	tpl_theme_free(s->theme);
	conf_free(&s->conf);
	free(s);
	return NULL;
}

static int keeper_main(void *arg)
{
	struct worker_state *ws = arg;
	return cache_keeper_main(&ws->conf, supervise_keeper_beat);
}

/* In the master while no keeper runs: no notification is heard, so no
 * stored page can be trusted (cache.h). */
static void keeper_absent(void *arg)
{
	struct worker_state *ws = arg;
	cache_purge(&ws->conf);
}

static void state_free(struct worker_state *s)
{
	while (s) {
		struct worker_state *older = s->older;
		crisis_free(&s->crisis);
		mod_ruleset_free(s->rules);
		tpl_theme_free(s->theme);
		conf_free(&s->conf);
		free(s);
		s = older;
	}
}

static void *state_reload(void *old)
{
	/* The old state stays in memory (linked from the new one) until exit:
	 * a reload is rare, and the master never serves requests itself. */
	struct worker_state *fresh = state_load(((struct worker_state *)old)->conf_path);
	if (fresh)
		fresh->older = old;
	return fresh;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static const char security_headers[] =
	"Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"Referrer-Policy: no-referrer\r\n"
	"X-Frame-Options: DENY\r\n";

static int read_body(FCGX_Request *fr, struct request *req, struct hctx *ctx)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	long long len = cl && *cl ? strtoll(cl, NULL, 10) : 0;
	if (len < 0 || len > REQ_MAX_BODY) {
		page_error(ctx, 413, "That was too long",
		           "The form was larger than this site accepts. Shorten the text and try again.");
		return -1;
	}
	char *data = arena_alloc(req->arena, (size_t)len + 1);
	int got = len ? FCGX_GetStr(data, (int)len, fr->in) : 0;
	if (got != len) {
		page_error(ctx, 400, "The form did not arrive whole", "Please send it again.");
		return -1;
	}
	data[len] = '\0';
	const char *ct = FCGX_GetParam("CONTENT_TYPE", fr->envp);
	if (len > 0 && (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0)) {
		page_error(ctx, 415, "Unsupported form encoding",
		           "Forms here are sent as application/x-www-form-urlencoded.");
		return -1;
	}
	const char *why = NULL;
	int st = req_parse_form(req->arena, data, (size_t)len, &req->form, &req->form_repaired, &why);
	if (st) {
		page_error(ctx, st, "The form could not be read", why);
		return -1;
	}
	return 0;
}

static void dispatch(FCGX_Request *fr, struct hctx *ctx)
{
	struct request *req = ctx->req;
	if (req->method == HTTP_OTHER) {
		resp_header(ctx->resp, "Allow", "GET, HEAD, POST");
		page_error(ctx, 405, "Method not allowed", "This site answers GET, HEAD and POST only.");
		return;
	}
	if (!req->raw_uri || strlen(req->raw_uri) > REQ_MAX_URI) {
		page_error(ctx, 414, "That address is too long",
		           "Addresses on this site are shorter than 2 KiB. Check the link you followed.");
		return;
	}
	const char *why = NULL;
	int st = req_parse_uri(req->arena, req->raw_uri, &req->path, &req->query, &why);
	if (st) {
		page_error(ctx, st, st == 414 ? "That address is too long" : "That address is not valid", why);
		return;
	}
	unsigned allowed;
	const struct route *r = route_find(req, &allowed);
	ctx->route_slot = route_slot(r);
	if (!r) {
		if (allowed) {
			resp_header(ctx->resp, "Allow", (allowed & M_POST) && (allowed & M_GET) ? "GET, HEAD, POST" :
			            (allowed & M_POST) ? "POST" : "GET, HEAD");
			page_error(ctx, 405, "Method not allowed", "This address does not take that kind of request.");
		} else {
			page_error(ctx, 404, "Page not found",
			           "There is nothing at this address. It may have moved, or the link may be mistyped.");
		}
		return;
	}
	if (req->method == HTTP_POST && read_body(fr, req, ctx) < 0)
		return;
	bool post = req->method == HTTP_POST;
	/* From here on a refused POST gets its form back, rebuilt from what
	 * was sent and nothing else (page_refill): never the route's own form
	 * page, which reads posts that the asker may not be allowed to see. */
	if (post)
		ctx->form = r->form;
	if ((r->needs & NEED_DB) && !db_ready(ctx->db)) {
		page_db_error(ctx, DB_ERR_DOWN);
		return;
	}
	const char *token = req_param(&req->cookies, SESSION_COOKIE);
	if (token && (r->needs & NEED_DB)) {
		/* A member's thread page: the session and the thread in one round trip. */
		PGresult *row = NULL;
		enum db_err e = r->handler == page_thread && !post ?
			session_lookup_thread(ctx->db, ctx->arena, token, req->id, &req->session, &row) :
			session_lookup(ctx->db, ctx->arena, token, !post, &req->session);
		ctx->member_thread = row;
		if (e != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
	}
	if (req->form_repaired) {
		/* Browsers never send this; a broken client or proxy might. The
		 * form comes back with the text (bad bytes shown as U+FFFD). */
		page_refill(ctx, 400, "Part of what was sent is not valid UTF-8 text, so nothing was "
		            "saved. The text is below, with the unreadable bytes marked; please check it "
		            "and send it again.");
		return;
	}
	if ((r->needs & NEED_LOGIN) && !req->session) {
		if (!post) {
			buf next;
			buf_init(&next, ctx->arena, 64);
			buf_puts(&next, "/login?next=");
			html_url_component(&next, req->path, strlen(req->path));
			page_redirect(ctx, next.data);
			return;
		}
		page_refill(ctx, 403, "You are not logged in any more, so this was not sent. Your text is "
		            "below: copy it, log in in another tab, then send it again.");
		return;
	}
	if ((r->needs & NEED_MODERATOR) && !(req->session && req->session->is_moderator)) {
		page_error(ctx, 403, "Moderators only", "This page is for the forum's moderators.");
		return;
	}
	if (post && (r->needs & NEED_CSRF)) {
		const char *expected = req->session ? req->session->csrf_token :
		                       req_param(&req->cookies, PRESESSION_COOKIE);
		if (!session_csrf_ok(expected, req_param(&req->form, "csrf"))) {
			page_refill(ctx, 403, "This form had expired or did not come from this site, so "
			            "nothing was saved. Your text is kept below: please send it again.");
			return;
		}
	}
	if (post) {
		int status;
		const char *wrong = route_form_check(ctx->arena, r->form, &req->form, &status);
		if (wrong) {
			page_form_again(ctx, status, wrong);
			return;
		}
	}
	/* An anonymous reader's first page of a thread may be stored for nginx
	 * to serve; read the thread's version before rendering (see cache.h). */
	if (r->handler == page_thread && !req->session && !token && req->query.count == 0 &&
	    !strchr(req->raw_uri, '?') && cache_enabled(ctx->conf)) {
		/* Stored for every reader: built from the primary, never from a
		 * replica that may not have replayed the last invalidation. */
		db_request_primary(ctx->db);
		const char *params[] = { arena_printf(ctx->arena, "%lld", req->id) };
		enum db_err e;
		PGresult *vr = db_exec(ctx->db, ctx->arena, DB_THREAD_VERSION, params, &e);
		if (vr && PQntuples(vr) == 1) {
			ctx->cache_thread_id = req->id;
			ctx->cache_version = db_ll(vr, 0, 0);
		}
	}
	r->handler(ctx);
}

/* Writes all of iov (n entries; modified) to fd, blocking. */
static bool write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return true;
}

/*
 * Sends parts as FastCGI stdout records straight to the connection.
 * libfcgi's stream cuts its output into 8 KiB records, one write(2) each:
 * eleven for a thread page. Records of up to 64 KiB make it one writev(2).
 * FCGX_Finish_r then ends the stream and the request as usual.
 */
static bool send_stdout(FCGX_Request *fr, const struct iovec *parts, int nparts)
{
	enum { RECORD_MAX = 65528, SLOTS = 32 };
	struct iovec iov[SLOTS];
	FCGI_Header hdrs[SLOTS];
	int niov = 0, nhdr = 0;
	size_t total = 0;
	for (int i = 0; i < nparts; i++)
		total += parts[i].iov_len;
	int p = 0;
	size_t off = 0;                 /* bytes of parts[p] already queued */
	for (size_t done = 0; done < total; ) {
		size_t len = total - done < RECORD_MAX ? total - done : RECORD_MAX;
		if (niov == SLOTS) {
			if (!write_all(fr->ipcFd, iov, niov))
				return false;
			niov = nhdr = 0;
		}
		hdrs[nhdr] = (FCGI_Header){ .version = FCGI_VERSION_1, .type = FCGI_STDOUT,
		                            .requestIdB1 = (unsigned char)(fr->requestId >> 8),
		                            .requestIdB0 = (unsigned char)fr->requestId,
		                            .contentLengthB1 = (unsigned char)(len >> 8),
		                            .contentLengthB0 = (unsigned char)len };
		iov[niov++] = (struct iovec){ .iov_base = &hdrs[nhdr++], .iov_len = FCGI_HEADER_LEN };
		for (size_t need = len; need > 0; ) {
			while (off == parts[p].iov_len) {
				p++;
				off = 0;
			}
			size_t take = parts[p].iov_len - off < need ? parts[p].iov_len - off : need;
			if (niov == SLOTS) {
				if (!write_all(fr->ipcFd, iov, niov))
					return false;
				niov = nhdr = 0;
			}
			iov[niov++] = (struct iovec){ .iov_base = (char *)parts[p].iov_base + off, .iov_len = take };
			off += take;
			need -= take;
		}
		done += len;
	}
	return niov == 0 || write_all(fr->ipcFd, iov, niov);
}

static void send_response(FCGX_Request *fr, struct hctx *ctx)
{
	struct response *resp = ctx->resp;
	if (resp->status == 0)
		resp->status = 200;
	char head[256];
	int n = snprintf(head, sizeof head, "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n",
	                 resp->status, http_reason(resp->status),
	                 resp->content_type ? resp->content_type : "text/html; charset=utf-8", resp->body.len);
	bool body = ctx->req->method != HTTP_HEAD && resp->body.len;
	struct iovec parts[] = {
		{ head, (size_t)n },
		{ (void *)security_headers, sizeof security_headers - 1 },
		{ resp->headers.data, resp->headers.len },
		{ "\r\n", 2 },
		{ resp->body.data, body ? resp->body.len : 0 },
	};
	send_stdout(fr, parts, (int)(sizeof parts / sizeof parts[0]));
}

/*
 * Who may keep this answer. A page drawn for a session (a conversation, the
 * notifications, a thread with the member's held post, a refusal that gives
 * their text back), or one that sets a cookie, is one person's: no cache
 * keeps it, shared or not, nor the browser after Quick exit or log-out. Any
 * other answer is the anonymous reader's, which a cache may keep only if it
 * asks again before each use: a hidden post leaves every page within a
 * second. A handler that chose (the health check, the keyed feeds) is left
 * alone.
 */
static void cache_control(struct hctx *ctx)
{
	struct response *resp = ctx->resp;
	const char *h = resp->headers.len ? resp->headers.data : "";
	if (strstr(h, "Cache-Control:"))
		return;
	bool personal = ctx->req->session || req_param(&ctx->req->cookies, SESSION_COOKIE) ||
	                strstr(h, "Set-Cookie:");
	resp_header(resp, "Cache-Control", personal ? "private, no-store" : "no-cache");
}

static void handle(FCGX_Request *fr, struct worker_state *ws, db *d, arena *a)
{
	double t0 = now_us();
	struct request *req = ARENA_NEW(a, struct request);
	struct response *resp = ARENA_NEW(a, struct response);
	req->arena = a;
	req->method_name = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	req->method = req_method_from(req->method_name);
	req->raw_uri = FCGX_GetParam("REQUEST_URI", fr->envp);
	req->user_agent = FCGX_GetParam("HTTP_USER_AGENT", fr->envp);
	req->client_addr = FCGX_GetParam("REMOTE_ADDR", fr->envp);
	req_parse_cookies(a, FCGX_GetParam("HTTP_COOKIE", fr->envp), &req->cookies);
	buf_init(&resp->headers, a, 256);
	buf_init(&resp->body, a, 128 * 1024);     /* a long thread page fits without regrowing */
	struct hctx ctx = { .conf = &ws->conf, .theme = ws->theme, .db = d, .arena = a,
	                    .req = req, .resp = resp, .crisis = &ws->crisis,
	                    .rules = ws->rules, .route_slot = -1 };
	replica_request_start(&ctx);
	dispatch(fr, &ctx);
	if (db_refused(d)) {
		/* A result lacked a value the code needs (db.c logged which):
		 * whatever the handler made of it is replaced. */
		buf_clear(&resp->headers);
		page_db_error(&ctx, DB_ERR_QUERY);
	}
	replica_request_end(&ctx);
	cache_control(&ctx);
	send_response(fr, &ctx);
	if (ctx.cache_thread_id && resp->status == 200 && !strstr(resp->headers.data, "Set-Cookie"))
		cache_store_thread(&ws->conf, d, a, ctx.cache_thread_id, ctx.cache_version,
		                   resp->body.data, resp->body.len);
	counters_request(ctx.route_slot < 0 ? COUNTERS_UNMATCHED : ctx.route_slot, resp->status, now_us() - t0);
	if (ctx.cache_thread_id && resp->status == 200 && counters_get())
		counters_add(&counters_get()->anon_renders, 1);
	/* The log line names no one: method, path (no query), status, time. */
	char path[96];
	const char *logged = req->raw_uri ? req->raw_uri : "-";
	size_t plen = strcspn(logged, "?");
	snprintf(path, sizeof path, "%.*s%s", (int)(plen > 80 ? 80 : plen), logged, plen > 80 ? "..." : "");
	for (char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	log_info("%s %s %d %.0fus", req->method == HTTP_OTHER ? "OTHER" : req->method_name, path,
	         resp->status, now_us() - t0);
}

/*
 * The worker accepts connections itself so that SIGTERM can only arrive
 * while it waits in ppoll(): a request once accepted is always answered,
 * and an idle worker stops at once. SIGTERM is blocked everywhere else.
 * The accepted socket is handed to libfcgi through FCGX_Request.ipcFd
 * (with keepConnection set so FCGX_Accept_r's opening FCGX_Finish_r does
 * not close it); FCGX_Finish_r closes it after the response, since nginx
 * does not keep FastCGI connections open.
 */
static int worker_main(int listen_fd, void *arg)
{
	struct worker_state *ws = arg;
	struct sigaction sa = { .sa_handler = worker_on_term };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t term, waiting;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &waiting);
	sigdelset(&waiting, SIGTERM);
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		return 1;
	}
	FCGX_Request fr;
	FCGX_InitRequest(&fr, listen_fd, 0);
	db *d = db_new(ws->conf.database);
	db_set_replicas(d, ws->conf.replicas, ws->conf.nreplicas, ws->conf.replica_max_lag_ms,
	                ws->conf.replica_retry_ms);
	(void)db_ready(d);
	/* Keep freed memory in the process: a worker's working set is the
	 * same every request, and giving it back to the kernel each time cost
	 * page faults and brk calls on every page (measured with perf). */
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_TOP_PAD, 4 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
	arena *a = arena_new(256 * 1024);
	long long served = 0;
	unsigned long connects_seen = 0;
	counters_note_connects(db_connect_count(d), &connects_seen);
	while (!worker_stopping) {
		struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
		/* Wakes now and then when idle: the retention sweep (retention.h). */
		int idle_ms = retention_idle_ms(&ws->conf);
		struct timespec idle = { .tv_sec = idle_ms / 1000, .tv_nsec = (idle_ms % 1000) * 1000000L };
		int n = ppoll(&pfd, 1, &idle, &waiting);
		if (n == 0) {
			retention_tick(&ws->conf, d, a);
			counters_note_connects(db_connect_count(d), &connects_seen);
			(void)db_end_request(d);
			arena_reset(a);
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("ppoll: %s", strerror(errno));
			break;
		}
		int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			continue;       /* another worker took it (EAGAIN), or it went away */
		fr.ipcFd = conn;
		fr.keepConnection = 1;
		if (FCGX_Accept_r(&fr) < 0) {
			FCGX_Finish_r(&fr);
			if (fr.ipcFd >= 0) {
				close(fr.ipcFd);
				fr.ipcFd = -1;
			}
			continue;
		}
		handle(&fr, ws, d, a);
		FCGX_Finish_r(&fr);
		retention_tick(&ws->conf, d, a);
		counters_note_connects(db_connect_count(d), &connects_seen);
		(void)db_end_request(d);
		arena_reset(a);
		if (ws->conf.max_requests && ++served >= ws->conf.max_requests)
			break;
	}
	arena_free(a);
	db_free(d);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: hearth-fcgi [-c hearth.conf]\n"
	                "  Serves the forum over FastCGI on the unix socket named by `listen`.\n");
}

int main(int argc, char **argv)
{
	const char *conf_path = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "c:h")) != -1) {
		switch (opt) {
		case 'c': conf_path = optarg; break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	log_init("hearth-fcgi");
	if (auth_init() < 0) {
		log_error("libsodium failed to initialize");
		return 1;
	}
	struct worker_state *ws = state_load(conf_path);
	if (!ws)
		return 1;
	struct supervise_ops ops = { .worker_main = worker_main, .reload = state_reload,
	                             .keeper_main = ws->conf.cache_dir[0] ? keeper_main : NULL,
	                             .keeper_absent = keeper_absent,
	                             .workers = ws->conf.workers };
	struct worker_state *latest = ws;
	(void)counters_init();          /* before any fork: shared by all children */
	int rc = supervise_run(ws->conf.listen, ws->conf.listen_mode, &ops, ws, (void **)&latest);
	state_free(latest);
	return rc;
}
