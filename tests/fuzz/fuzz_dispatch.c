/*
 * fuzz_dispatch.c: libFuzzer target for the whole request path. Each input
 * becomes a FastCGI request (BEGIN_REQUEST, PARAMS, STDIN records) written
 * into a socketpair; hearth-fcgi's own handle() accepts it with libfcgi,
 * dispatches it to the handlers against a real database, and answers on
 * the socket, exactly as a worker does behind nginx. The answer is then
 * checked: beyond crashes and sanitizer reports it aborts when
 *   - the FastCGI stream is malformed or does not end with END_REQUEST;
 *   - the status line, a header line or Content-Length is malformed, or a
 *     header is missing (Content-Type, Content-Security-Policy);
 *   - the status is 500, or 503 while the database answers (the only
 *     documented 5xx is the database being down);
 *   - a refusal (4xx) has no page, or a redirect leaves the site;
 *   - an HTML page is not valid UTF-8 or not well-formed: its elements do
 *     not nest, an attribute value is unquoted, a '<' or '&' in text is not
 *     escaped, or it holds a script/style/frame element or an on...
 *     attribute (none is in the theme: that is text that escaped its
 *     escaping).
 *
 * Input: four lines then the body, "METHOD\nURI\nCOOKIE\nCONTENT-TYPE\nBODY".
 * In any part, @MEMBER@ and @MOD@ become "hs=<session>" of the member
 * fuzzmember or the moderator fuzzmod (logged in at start-up through the
 * dispatcher itself), @PRE@ becomes "hc=<pre-session token>", and @CSRF@
 * the CSRF token that goes with the cookie line. At start-up fuzzmember
 * starts thread 1 (post 1) in the category "general", fuzzmod replies
 * (post 2), and fuzzmember starts thread 2 (post 3), so seeds can address
 * them.
 *
 * Needs HEARTH_FUZZ_CONF (a hearth.conf; tests/fuzz/dispatch_db.sh makes
 * one) and HEARTH_FUZZ_PASSWORD (the two accounts' password). Build and run:
 * tests/fuzz/build.sh --run 10 --only dispatch.
 *
 * fcgi/main.c is compiled into this file (its main() renamed) so that its
 * static handle() and dispatch() are called as they are, unchanged.
 */
#define main hearth_fcgi_main
#include "../../fcgi/main.c"
#undef main

#include <ctype.h>
#include <pthread.h>
#include <strings.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "utf8.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct account {
	const char *handle;
	char cookie[256];       /* "hs=TOKEN" */
	char csrf[256];
};

static struct worker_state *fz_ws;
static db *fz_db;
static arena *fz_arena;
static const char *fz_password;
static struct account fz_member = { "fuzzmember", "", "" };
static struct account fz_mod = { "fuzzmod", "", "" };
static const char fz_pre_token[] = "fuzzpresessiontoken0123456789abcdef";
static const char fz_pre_cookie[] = "hc=fuzzpresessiontoken0123456789abcdef";

/* One request as sent and its answer, for the checks and for reports. */
struct exchange {
	const char *method, *uri, *cookie, *ctype;
	const char *body;
	size_t body_len;
	/* the answer */
	char *raw;              /* every byte read back from the socket */
	size_t raw_len;
	char *out;              /* the FCGI_STDOUT stream */
	size_t out_len;
	int status;
	const char *head_end;   /* the blank line that ends the headers */
	const char *page;       /* the body */
	size_t page_len;
};

static void fz_die(const struct exchange *x, const char *what)
{
	fprintf(stderr, "fuzz_dispatch: %s\n  request: %s %s\n  cookie: %s\n  content-type: %s\n"
	        "  body (%zu bytes): %.*s\n", what, x->method, x->uri, x->cookie, x->ctype, x->body_len,
	        (int)(x->body_len > 600 ? 600 : x->body_len), x->body);
	if (x->out)
		fprintf(stderr, "  answer (%zu bytes):\n%.*s\n", x->out_len,
		        (int)(x->out_len > 3000 ? 3000 : x->out_len), x->out);
	abort();
}

/* ---- the FastCGI request, as nginx would send it */

struct bytes {
	char *p;
	size_t len, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put_record(struct bytes *b, int type, const char *p, size_t n)
{
	do {
		size_t len = n > 65535 ? 65535 : n;
		FCGI_Header h = { .version = FCGI_VERSION_1, .type = (unsigned char)type,
		                  .requestIdB1 = 0, .requestIdB0 = 1,
		                  .contentLengthB1 = (unsigned char)(len >> 8),
		                  .contentLengthB0 = (unsigned char)len };
		put(b, &h, sizeof h);
		put(b, p, len);
		p += len;
		n -= len;
	} while (n > 0);
}

static void put_len(struct bytes *b, size_t n)
{
	if (n < 128) {
		unsigned char c = (unsigned char)n;
		put(b, &c, 1);
	} else {
		unsigned char c[4] = { (unsigned char)((n >> 24) | 0x80), (unsigned char)(n >> 16),
		                       (unsigned char)(n >> 8), (unsigned char)n };
		put(b, c, 4);
	}
}

static void put_param(struct bytes *b, const char *name, const char *value)
{
	put_len(b, strlen(name));
	put_len(b, strlen(value));
	put(b, name, strlen(name));
	put(b, value, strlen(value));
}

/* ---- the answer, read by a thread while the worker writes it */

struct reader {
	int fd;
	struct bytes got;
};

static void *read_all(void *arg)
{
	struct reader *r = arg;
	char chunk[65536];
	ssize_t n;
	while ((n = read(r->fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		put(&r->got, chunk, (size_t)n);
	}
	close(r->fd);   /* libfcgi's close waits for this (OS_Close) */
	return NULL;
}

/* Sends x through handle() and fills in x->raw. */
static void exchange_run(struct exchange *x)
{
	struct bytes req = { 0 }, params = { 0 };
	FCGI_BeginRequestRecord begin = {
		.header = { .version = FCGI_VERSION_1, .type = FCGI_BEGIN_REQUEST, .requestIdB0 = 1,
		            .contentLengthB0 = sizeof(FCGI_BeginRequestBody) },
		.body = { .roleB0 = FCGI_RESPONDER, .flags = 0 },   /* no keep-alive: closed after */
	};
	char cl[32];
	snprintf(cl, sizeof cl, "%zu", x->body_len);
	put(&req, &begin, sizeof begin);
	put_param(&params, "REQUEST_METHOD", x->method);
	put_param(&params, "REQUEST_URI", x->uri);
	put_param(&params, "SERVER_PROTOCOL", "HTTP/1.1");
	put_param(&params, "REMOTE_ADDR", "127.0.0.1");
	put_param(&params, "HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64) fuzz_dispatch");
	if (x->cookie[0])
		put_param(&params, "HTTP_COOKIE", x->cookie);
	if (x->ctype[0])
		put_param(&params, "CONTENT_TYPE", x->ctype);
	put_param(&params, "CONTENT_LENGTH", cl);
	put_record(&req, FCGI_PARAMS, params.p, params.len);
	put_record(&req, FCGI_PARAMS, "", 0);
	if (x->body_len)
		put_record(&req, FCGI_STDIN, x->body, x->body_len);
	put_record(&req, FCGI_STDIN, "", 0);
	free(params.p);

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	/* The request is at most a few tens of KiB: it fits in the socket buffer. */
	if (!write_all(sv[0], &(struct iovec){ req.p, req.len }, 1))
		fz_die(x, "could not write the request into the socket");
	free(req.p);
	struct reader rd = { .fd = sv[0] };
	pthread_t th;
	if (pthread_create(&th, NULL, read_all, &rd) != 0)
		abort();

	FCGX_Request fr;
	FCGX_InitRequest(&fr, -1, 0);   /* no listening socket: never accept() */
	fr.ipcFd = sv[1];
	fr.keepConnection = 1;          /* as worker_main: the opening finish keeps it */
	if (FCGX_Accept_r(&fr) < 0)
		fz_die(x, "libfcgi refused the request (FCGX_Accept_r)");
	handle(&fr, fz_ws, fz_db, fz_arena);
	FCGX_Finish_r(&fr);
	if (fr.ipcFd >= 0)
		close(fr.ipcFd);
	(void)db_end_request(fz_db);
	arena_reset(fz_arena);
	pthread_join(th, NULL);
	x->raw = rd.got.p;
	x->raw_len = rd.got.len;
}

/* ---- the checks */

static const char *header(const struct exchange *x, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = x->out; p && p < x->head_end; p = strstr(p, "\r\n") + 2)
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return p + n + 2;
	return NULL;
}

static bool db_answers(void)
{
	return PQping(fz_ws->conf.database) == PQPING_OK;
}

/* Why the HTML page p is not well-formed (as Hearth serializes it: HTML
 * void elements, every attribute value quoted), or NULL. */
static const char *html_wrong(const char *p, size_t n)
{
	static const char *const voids[] = { "area", "base", "br", "col", "embed", "hr", "img", "input",
	                                     "link", "meta", "source", "track", "wbr" };
	char stack[64][16];
	int depth = 0;
	bool theme_script_seen = false;
	const char *end = p + n;
	while (p < end) {
		if (*p == '&') {
			const char *q = p + 1;
			if (q < end && *q == '#') {
				q++;
				bool hex = q < end && (*q == 'x' || *q == 'X');
				q += hex;
				const char *d = q;
				while (q < end && (hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q)))
					q++;
				if (q == d)
					return "a bare '&' in the page";
			} else {
				const char *d = q;
				while (q < end && isalnum((unsigned char)*q))
					q++;
				if (q == d)
					return "a bare '&' in the page";
			}
			if (q >= end || *q != ';')
				return "a character reference without ';'";
			p = q + 1;
			continue;
		}
		if (*p != '<') {
			p++;
			continue;
		}
		if ((size_t)(end - p) >= 4 && memcmp(p, "<!--", 4) == 0) {
			const char *c = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
			if (!c)
				return "an unclosed comment";
			p = c + 3;
			continue;
		}
		/* The theme's one script: the quick exit's own file, once a page,
		 * exactly as layout.html writes it. Any other script element came
		 * from somebody's text. */
		static const char theme_script[] = "<script src=\"/static/quick-exit.js\" defer=\"defer\"></script>";
		if (!theme_script_seen && (size_t)(end - p) >= sizeof theme_script - 1 &&
		    memcmp(p, theme_script, sizeof theme_script - 1) == 0) {
			theme_script_seen = true;
			p += sizeof theme_script - 1;
			continue;
		}
		if (p + 1 < end && p[1] == '!') {
			const char *c = memchr(p, '>', (size_t)(end - p));
			if (!c)
				return "an unclosed <!...>";
			p = c + 1;
			continue;
		}
		bool closing = p + 1 < end && p[1] == '/';
		const char *q = p + 1 + closing, *name = q;
		while (q < end && (isalnum((unsigned char)*q) || *q == '-'))
			q++;
		size_t nlen = (size_t)(q - name);
		if (nlen == 0 || nlen >= sizeof stack[0] || !isalpha((unsigned char)*name))
			return "a bare '<' in the page";
		if (closing) {
			if (q >= end || *q != '>')
				return "a malformed end tag";
			if (depth == 0 || strlen(stack[depth - 1]) != nlen ||
			    strncasecmp(stack[depth - 1], name, nlen) != 0)
				return "an end tag that does not match the open element";
			depth--;
			p = q + 1;
			continue;
		}
		/* Attributes: name, or name="value" / name='value'. */
		bool self_closed = false;
		for (;;) {
			while (q < end && isspace((unsigned char)*q))
				q++;
			if (q >= end)
				return "a tag cut off at the end of the page";
			if (*q == '>')
				break;
			if (*q == '/' && q + 1 < end && q[1] == '>') {
				self_closed = true;
				q++;
				break;
			}
			const char *an = q;
			while (q < end && !isspace((unsigned char)*q) && *q != '=' && *q != '>' && *q != '/' &&
			       *q != '"' && *q != '\'' && *q != '<')
				q++;
			if (q == an)
				return "a malformed attribute";
			if (q - an > 2 && strncasecmp(an, "on", 2) == 0)
				return "an event-handler attribute (on...) on the page";
			if (q < end && *q == '=') {
				q++;
				if (q >= end || (*q != '"' && *q != '\''))
					return "an unquoted attribute value";
				const char *c = memchr(q + 1, *q, (size_t)(end - q - 1));
				if (!c)
					return "an attribute value that is not closed";
				if (memchr(q + 1, '<', (size_t)(c - q - 1)))
					return "a '<' inside an attribute value";
				q = c + 1;
				if (q < end && !isspace((unsigned char)*q) && *q != '>' && *q != '/')
					return "attributes run together";
			}
		}
		/* The theme has no script, style, frame or plug-in element: one on
		 * a page came from somebody's text. */
		static const char *const never[] = { "script", "style", "iframe", "object", "embed", "svg",
		                                     "math", "base", "frame", "frameset", "applet" };
		for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
			if (strlen(never[i]) == nlen && strncasecmp(never[i], name, nlen) == 0)
				return "a script, style, frame or plug-in element on the page";
		bool is_void = false;
		for (size_t i = 0; i < sizeof voids / sizeof voids[0]; i++)
			is_void |= strlen(voids[i]) == nlen && strncasecmp(voids[i], name, nlen) == 0;
		if (!is_void && !self_closed) {
			if (depth == (int)(sizeof stack / sizeof stack[0]))
				return "elements nested over 64 deep";
			memcpy(stack[depth], name, nlen);
			stack[depth][nlen] = '\0';
			depth++;
		}
		p = q + 1;
	}
	return depth ? "an element left open at the end of the page" : NULL;
}

static void exchange_check(struct exchange *x)
{
	struct bytes out = { 0 };
	bool ended = false;
	/* Records: STDOUT (and STDERR) for request 1, then END_REQUEST. */
	for (size_t off = 0; off < x->raw_len; ) {
		if (x->raw_len - off < FCGI_HEADER_LEN || ended)
			fz_die(x, "bytes after END_REQUEST or a cut record");
		const FCGI_Header *h = (const FCGI_Header *)(x->raw + off);
		size_t len = (size_t)h->contentLengthB1 << 8 | h->contentLengthB0;
		size_t total = FCGI_HEADER_LEN + len + h->paddingLength;
		if (h->version != FCGI_VERSION_1 || h->requestIdB1 != 0 || h->requestIdB0 != 1 ||
		    x->raw_len - off < total)
			fz_die(x, "a malformed FastCGI record");
		const char *content = x->raw + off + FCGI_HEADER_LEN;
		if (h->type == FCGI_STDOUT)
			put(&out, content, len);
		else if (h->type == FCGI_END_REQUEST) {
			const FCGI_EndRequestBody *e = (const FCGI_EndRequestBody *)content;
			if (len != sizeof *e || e->protocolStatus != FCGI_REQUEST_COMPLETE || e->appStatusB0 != 0)
				fz_die(x, "END_REQUEST is not a completed request");
			ended = true;
		} else if (h->type != FCGI_STDERR)
			fz_die(x, "an unexpected FastCGI record type");
		off += total;
	}
	if (!ended)
		fz_die(x, "no END_REQUEST record");
	put(&out, "", 1);
	x->out = out.p;
	x->out_len = out.len - 1;

	/* "Status: NNN Reason" */
	int st = 0, used = 0;
	if (sscanf(x->out, "Status: %3d %n", &st, &used) != 1 || used == 0 || st < 200 || st > 599)
		fz_die(x, "no valid Status line first");
	x->status = st;
	x->head_end = strstr(x->out, "\r\n\r\n");
	if (!x->head_end)
		fz_die(x, "the headers do not end with a blank line");
	for (const char *p = x->out; p < x->head_end + 2; ) {
		const char *eol = strstr(p, "\r\n");
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon || colon == p || colon[1] != ' ')
			fz_die(x, "a header line is not \"Name: value\"");
		for (const char *q = p; q < colon; q++)
			if (!(isalnum((unsigned char)*q) || *q == '-'))
				fz_die(x, "a header name holds a character outside [A-Za-z0-9-]");
		for (const char *q = colon + 2; q < eol; q++)
			if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f)
				fz_die(x, "a header value holds a control character");
		p = eol + 2;
	}
	x->page = x->head_end + 4;
	x->page_len = x->out_len - (size_t)(x->page - x->out);
	const char *ct = header(x, "Content-Type"), *len = header(x, "Content-Length");
	if (!ct || !len)
		fz_die(x, "Content-Type or Content-Length is missing");
	if (!header(x, "Content-Security-Policy"))
		fz_die(x, "the Content-Security-Policy header is missing");
	bool head = strcmp(x->method, "HEAD") == 0;
	if (strtoull(len, NULL, 10) != x->page_len && !(head && x->page_len == 0))
		fz_die(x, "Content-Length disagrees with the body");

	/* Statuses: no 500 ever; 503 only while the database is down. */
	if (st == 500)
		fz_die(x, "status 500: a request the forum could not handle");
	if (st == 503 && db_answers())
		fz_die(x, "status 503 while the database answers");
	if (st >= 400 && !head && x->page_len == 0)
		fz_die(x, "a refusal without a page that says what was wrong");
	if (st >= 300 && st < 400) {
		const char *loc = header(x, "Location");
		if (!loc || loc[0] != '/' || loc[1] == '/' || loc[1] == '\\')
			fz_die(x, "a redirect without a Location on this site");
	}
	if (strncmp(ct, "text/html", 9) == 0 && x->page_len) {
		if (!utf8_valid(x->page, x->page_len))
			fz_die(x, "the page is not valid UTF-8");
		const char *why = html_wrong(x->page, x->page_len);
		if (why)
			fz_die(x, why);
	}
}

/* ---- inputs */

/* s with every placeholder replaced (malloc'd). */
static char *expand(const char *s, size_t n, const struct account *who, size_t *out_len)
{
	static const char *const names[] = { "@MEMBER@", "@MOD@", "@PRE@", "@CSRF@" };
	const char *values[] = { fz_member.cookie, fz_mod.cookie, fz_pre_cookie,
	                         who ? who->csrf : fz_pre_token };
	struct bytes b = { 0 };
	for (size_t i = 0; i < n; ) {
		size_t k = 0;
		for (; k < 4; k++)
			if (n - i >= strlen(names[k]) && memcmp(s + i, names[k], strlen(names[k])) == 0)
				break;
		if (k < 4) {
			put(&b, values[k], strlen(values[k]));
			i += strlen(names[k]);
		} else {
			put(&b, s + i, 1);
			i++;
		}
	}
	put(&b, "", 1);
	*out_len = b.len - 1;
	return b.p;
}

static void request(struct exchange *x, const char *method, const char *uri, const char *cookie,
                    const char *body)
{
	memset(x, 0, sizeof *x);
	x->method = method;
	x->uri = uri;
	x->cookie = cookie;
	x->ctype = body ? "application/x-www-form-urlencoded" : "";
	x->body = body ? body : "";
	x->body_len = strlen(x->body);
	exchange_run(x);
	exchange_check(x);
}

static void exchange_free(struct exchange *x)
{
	free(x->raw);
	free(x->out);
}

/* Copies the value after "NAME=" in a Set-Cookie header of x into out. */
static bool set_cookie(const struct exchange *x, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	for (const char *p = x->out; p && p < x->head_end; p = strstr(p, "\r\n") + 2)
		if (strncmp(p, "Set-Cookie: ", 12) == 0 && strncmp(p + 12, name, n) == 0 && p[12 + n] == '=') {
			size_t len = strcspn(p + 12, ";\r");
			if (len >= size || len == n + 1)
				return false;
			memcpy(out, p + 12, len);
			out[len] = '\0';
			return true;
		}
	return false;
}

/* Logs who in through POST /login and reads their CSRF token from a form. */
static bool login(struct account *who)
{
	struct exchange x;
	char body[512];
	snprintf(body, sizeof body, "csrf=%s&handle=%s&password=%s&next=%%2F", fz_pre_token,
	         who->handle, fz_password);
	request(&x, "POST", "/login", fz_pre_cookie, body);
	bool ok = x.status == 303 || x.status == 302;
	ok = ok && set_cookie(&x, SESSION_COOKIE, who->cookie, sizeof who->cookie);
	exchange_free(&x);
	if (!ok) {
		fprintf(stderr, "fuzz_dispatch: %s could not log in (status %d)\n", who->handle, x.status);
		who->cookie[0] = who->csrf[0] = '\0';
		return false;
	}
	request(&x, "GET", "/c/general/new", who->cookie, NULL);
	const char *f = x.page ? strstr(x.page, "name=\"csrf\"") : NULL;
	const char *v = f ? strstr(f, "value=\"") : NULL;
	size_t n = v ? strcspn(v + 7, "\"") : 0;
	ok = v && n > 0 && n < sizeof who->csrf;
	if (ok) {
		memcpy(who->csrf, v + 7, n);
		who->csrf[n] = '\0';
	}
	exchange_free(&x);
	if (!ok)
		fprintf(stderr, "fuzz_dispatch: no CSRF token on %s's form\n", who->handle);
	return ok;
}

/* True when who's session still works (it may have been ended by an input). */
static bool logged_in(const struct account *who)
{
	struct exchange x;
	request(&x, "GET", "/me/sessions", who->cookie, NULL);
	bool ok = x.status == 200;
	exchange_free(&x);
	return ok;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *conf = getenv("HEARTH_FUZZ_CONF");
	fz_password = getenv("HEARTH_FUZZ_PASSWORD");
	if (!fz_password)
		fz_password = "fuzz-password-only-for-a-throwaway-db";
	if (!conf) {
		fprintf(stderr, "fuzz_dispatch: set HEARTH_FUZZ_CONF to a hearth.conf with a test database "
		        "(tests/fuzz/build.sh --run does)\n");
		exit(2);
	}
	log_init("fuzz_dispatch");
	signal(SIGPIPE, SIG_IGN);
	if (auth_init() < 0 || FCGX_Init() != 0)
		abort();
	fz_ws = state_load(conf);
	if (!fz_ws)
		exit(2);
	fz_db = db_new(fz_ws->conf.database);
	if (!db_ready(fz_db)) {
		fprintf(stderr, "fuzz_dispatch: the database in %s does not answer\n", conf);
		exit(2);
	}
	fz_arena = arena_new(256 * 1024);
	if (!login(&fz_member) || !login(&fz_mod))
		exit(2);
	/* Thread 1 (post 1) by the member, post 2 by the moderator, thread 2
	 * (post 3) by the member. */
	struct exchange x;
	char body[512];
	snprintf(body, sizeof body, "csrf=%s&title=A+first+thread&body=Hello%%2C+this+is+the+first+post.",
	         fz_member.csrf);
	request(&x, "POST", "/c/general/new", fz_member.cookie, body);
	exchange_free(&x);
	snprintf(body, sizeof body, "csrf=%s&body=Welcome%%2C+glad+you+are+here.", fz_mod.csrf);
	request(&x, "POST", "/p/1/reply", fz_mod.cookie, body);
	exchange_free(&x);
	snprintf(body, sizeof body, "csrf=%s&title=Another+thread&body=Something+to+hide+or+delete.",
	         fz_member.csrf);
	request(&x, "POST", "/c/general/new", fz_member.cookie, body);
	exchange_free(&x);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	const char *part[4];
	size_t plen[4];
	for (int i = 0; i < 4; i++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			return 0;
		part[i] = s;
		plen[i] = (size_t)(nl - s);
		s = nl + 1;
	}
	if (plen[0] == 0 || plen[0] > 16)
		return 0;
	const struct account *who = memmem(part[2], plen[2], "@MOD@", 5) ? &fz_mod :
	                            memmem(part[2], plen[2], "@MEMBER@", 8) ? &fz_member : NULL;
	size_t n;
	char *method = expand(part[0], plen[0], who, &n);
	char *uri = expand(part[1], plen[1], who, &n);
	char *cookie = expand(part[2], plen[2], who, &n);
	char *ctype = expand(part[3], plen[3], who, &n);
	size_t body_len;
	char *body = expand(s, (size_t)(end - s), who, &body_len);
	struct exchange x = { .method = method, .uri = uri, .cookie = cookie, .ctype = ctype,
	                      .body = body, .body_len = body_len };
	exchange_run(&x);
	exchange_check(&x);
	exchange_free(&x);
	/* An input may have ended a session (log out, end a session). */
	if (strcmp(method, "POST") == 0 && (strstr(uri, "logout") || strstr(uri, "session"))) {
		if (!logged_in(&fz_member))
			login(&fz_member);
		if (!logged_in(&fz_mod))
			login(&fz_mod);
	}
	free(method);
	free(uri);
	free(cookie);
	free(ctype);
	free(body);
	return 0;
}
