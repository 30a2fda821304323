/*
 * bench_data.c: `hearthctl bench-data --posts N`: a synthetic forum of
 * realistic shape for benchmarks, loaded with COPY in one transaction.
 *
 * Shape: 8 categories; members = posts / 300 (at least 200, at most 5000);
 * threads of 1 to 5,000 posts (most are short, a few are long); replies
 * nested up to 12 deep; Markdown bodies of 50 to 3,000 characters drawn from
 * a pool rendered once; about 1% of posts flagged and queued; a third of
 * the posts heard ("I hear you") by one to three members. A thread's
 * posts are written together so they sit together on disk. Deterministic for
 * a given --seed. Progress on a terminal, quiet otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "auth.h"
#include "bench_data.h"
#include "buf.h"
#include "markdown.h"

#define BODY_POOL 1500
#define MAX_DEPTH 12
#define MAX_THREAD 5000

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

static unsigned long long rng(void)
{
	/* xorshift64*: fast, reproducible; not for anything secret. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static long rnd(long lo, long hi)
{
	return lo + (long)(rng() % (unsigned long long)(hi - lo + 1));
}

static const char *const words[] = {
	"today", "feel", "better", "anxious", "sleep", "walk", "therapy", "friend", "tired", "hope",
	"morning", "work", "breathing", "small", "steps", "thank", "you", "listening", "heavy", "light",
	"week", "again", "trying", "routine", "tea", "music", "helps", "sometimes", "really", "honestly",
	"panic", "calm", "notebook", "appointment", "doctor", "family", "weekend", "rain", "sun", "garden",
	"coffee", "quiet", "noise", "crowd", "bus", "train", "kind", "patient", "progress", "setback",
	"the", "a", "and", "but", "so", "it", "was", "is", "to", "of", "in", "that", "with", "for", "on",
};

static void random_text(buf *b, size_t target)
{
	size_t nwords = sizeof words / sizeof words[0];
	int sentence = 0;
	while (b->len < target) {
		int kind = (int)rnd(0, 19);
		if (kind == 0) {
			buf_puts(b, "- ");
			for (int i = 0; i < 3; i++) {
				buf_puts(b, words[rnd(0, (long)nwords - 1)]);
				buf_putc(b, ' ');
			}
			buf_puts(b, "\n- another point\n\n");
		} else if (kind == 1) {
			buf_puts(b, "> ");
			buf_puts(b, words[rnd(0, (long)nwords - 1)]);
			buf_puts(b, " someone said this once\n\n");
		} else {
			for (int i = 0; i < 12; i++) {
				const char *w = words[rnd(0, (long)nwords - 1)];
				if (rnd(0, 30) == 0) {
					buf_putc(b, '*');
					buf_puts(b, w);
					buf_putc(b, '*');
				} else if (rnd(0, 60) == 0) {
					buf_puts(b, "**");
					buf_puts(b, w);
					buf_puts(b, "**");
				} else {
					buf_puts(b, w);
				}
				buf_putc(b, i == 11 ? '.' : ' ');
			}
			buf_puts(b, ++sentence % 4 == 0 ? "\n\n" : " ");
		}
	}
}

/* COPY text format: backslash, tab, newline and CR escaped. */
static void copy_text(buf *b, const char *s)
{
	size_t run = 0, i = 0;
	for (; s[i]; i++) {
		const char *esc = s[i] == '\\' ? "\\\\" : s[i] == '\t' ? "\\t" : s[i] == '\n' ? "\\n" :
		                  s[i] == '\r' ? "\\r" : NULL;
		if (!esc)
			continue;
		buf_append(b, s + run, i - run);
		buf_puts(b, esc);
		run = i + 1;
	}
	buf_append(b, s + run, i - run);
}

struct pool {
	char *md[BODY_POOL];
	char *md_copy[BODY_POOL];   /* COPY-escaped */
	char *html_copy[BODY_POOL];
};

static int build_pool(struct pool *p, arena *a)
{
	for (int i = 0; i < BODY_POOL; i++) {
		buf b;
		buf_init(&b, a, 3100);
		/* Lengths skew short, as real posts do. */
		long len = rnd(0, 9) < 7 ? rnd(50, 600) : rnd(600, 3000);
		random_text(&b, (size_t)len);
		if (b.len > 3000)
			b.len = 3000, b.data[3000] = '\0';
		char *html;
		size_t hl;
		if (md_render(b.data, b.len, MD_DEFAULT, &html, &hl) != MD_OK)
			return -1;
		buf e1, e2;
		buf_init(&e1, a, b.len + 64);
		copy_text(&e1, b.data);
		buf_init(&e2, a, hl + 64);
		copy_text(&e2, html);
		free(html);
		p->md[i] = b.data;
		p->md_copy[i] = e1.data;
		p->html_copy[i] = e2.data;
	}
	return 0;
}

static int copy_begin(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	int ok = PQresultStatus(r) == PGRES_COPY_IN;
	if (!ok)
		fprintf(stderr, "hearthctl bench-data: %s: %s", sql, PQerrorMessage(conn));
	PQclear(r);
	return ok ? 0 : -1;
}

static int copy_put(PGconn *conn, buf *b)
{
	if (b->len && PQputCopyData(conn, b->data, (int)b->len) != 1) {
		fprintf(stderr, "hearthctl bench-data: COPY: %s", PQerrorMessage(conn));
		return -1;
	}
	buf_clear(b);
	return 0;
}

static int copy_end(PGconn *conn, buf *b)
{
	if (copy_put(conn, b) < 0 || PQputCopyEnd(conn, NULL) != 1)
		return -1;
	PGresult *r = PQgetResult(conn);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "hearthctl bench-data: COPY failed: %s", PQerrorMessage(conn));
	PQclear(r);
	while ((r = PQgetResult(conn)))
		PQclear(r);
	return ok ? 0 : -1;
}

static int exec(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "hearthctl bench-data: %.60s...: %s", sql, PQerrorMessage(conn));
	PQclear(r);
	return ok ? 0 : -1;
}

static void put_time(buf *b, long long epoch)
{
	time_t t = (time_t)epoch;
	struct tm tm;
	gmtime_r(&t, &tm);
	char s[40];
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S+00", &tm);
	buf_puts(b, s);
}

static long thread_size(void)
{
	long k = rnd(0, 99);
	if (k < 55)
		return rnd(1, 10);
	if (k < 85)
		return rnd(10, 60);
	if (k < 97)
		return rnd(60, 400);
	if (k < 99)
		return rnd(400, 1500);
	return rnd(1500, MAX_THREAD);
}

static void progress(const char *what, long done, long total, bool tty)
{
	if (tty)
		fprintf(stderr, "\r%s: %ld / %ld (%ld%%)   ", what, done, total, total ? done * 100 / total : 100);
}

/* Counters, queue items, sequences, sessions for the benchmark's members. */
static int bench_data_finish(PGconn *conn, const char *sessions_file, long long user0, long members,
                             bool tty)
{
	static const char *const steps[] = {
		"alter table posts enable trigger user",
		"alter table threads enable trigger user",
		"update categories c set thread_count = s.threads, post_count = s.posts, last_post_at = s.last "
		"from (select category_id, count(*) threads, sum(post_count) posts, max(last_post_at) last "
		"      from threads group by category_id) s where s.category_id = c.id",
		"insert into review_items (post_id, lane, max_severity) select distinct post_id, 'crisis', 2 "
		"from flags where rule_id = 'bench.synthetic' on conflict do nothing",
		"select setval(pg_get_serial_sequence('users', 'id'), (select max(id) from users))",
		"select setval(pg_get_serial_sequence('threads', 'id'), (select max(id) from threads))",
		"select setval(pg_get_serial_sequence('posts', 'id'), (select max(id) from posts))",
		"select setval(pg_get_serial_sequence('categories', 'id'), (select max(id) from categories))",
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (tty)
			fprintf(stderr, "\rfinishing: step %zu of %zu   ", i + 1, sizeof steps / sizeof steps[0]);
		if (exec(conn, steps[i]) < 0)
			return -1;
	}
	if (tty)
		fputc('\n', stderr);
	if (!sessions_file)
		return 0;
	FILE *f = fopen(sessions_file, "w");
	if (!f) {
		perror(sessions_file);
		return -1;
	}
	arena *a = arena_new(1 << 16);
	buf b;
	buf_init(&b, a, 1 << 16);
	int rc = copy_begin(conn, "copy sessions (token_hash, user_id, csrf_token, expires_at) from stdin");
	long n = members < 200 ? members : 200;
	for (long i = 0; rc == 0 && i < n; i++) {
		char token[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1], digest[65];
		auth_new_token(token);
		auth_new_token(csrf);
		auth_token_digest(token, AUTH_TOKEN_LEN, digest);
		buf_printf(&b, "\\\\x%s\t%lld\t%s\t2100-01-01 00:00:00+00\n", digest, user0 + 1 + i, csrf);
		fprintf(f, "%s\n", token);
	}
	if (rc == 0)
		rc = copy_end(conn, &b);
	fclose(f);
	arena_free(a);
	return rc;
}

int bench_data_load(PGconn *conn, long posts, unsigned long long seed, const char *sessions_file)
{
	bool tty = isatty(STDERR_FILENO);
	rng_state ^= seed * 0x9E3779B97F4A7C15ULL + 1;
	arena *a = arena_new(1 << 20);
	struct pool *pool = ARENA_NEW(a, struct pool);
	int rc = -1;
	long members = posts / 300 < 200 ? 200 : posts / 300 > 5000 ? 5000 : posts / 300;
	char hash[AUTH_HASH_STR_LEN];
	if (auth_hash_password("bench-password-1", 16, hash) < 0 || build_pool(pool, a) < 0)
		goto out;
	if (exec(conn, "begin") < 0 ||
	    exec(conn, "alter table posts disable trigger user") < 0 ||
	    exec(conn, "alter table threads disable trigger user") < 0)
		goto out;
	/* Start after whatever is there. */
	PGresult *r = PQexec(conn, "select coalesce(max(id), 0) from users");
	long long user0 = PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	r = PQexec(conn, "select coalesce(max(id), 0) from threads");
	long long thread0 = PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	r = PQexec(conn, "select coalesce(max(id), 0) from posts");
	long long post0 = PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	r = PQexec(conn, "select coalesce(max(id), 0) from categories");
	long long cat0 = PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);

	buf b;
	buf_init(&b, a, 1 << 20);
	if (copy_begin(conn, "copy categories (id, slug, name, description, position) from stdin") < 0)
		goto out;
	for (int i = 1; i <= 8; i++)
		buf_printf(&b, "%lld\tbench-%lld\tBench category %lld\tSynthetic threads for benchmarks.\t%lld\n",
		           cat0 + i, cat0 + i, cat0 + i, 100 + cat0 + i);
	if (copy_end(conn, &b) < 0)
		goto out;
	if (copy_begin(conn, "copy users (id, handle, password_hash, role) from stdin") < 0)
		goto out;
	for (long i = 1; i <= members; i++)
		buf_printf(&b, "%lld\tbench%lld\t%s\tmember\n", user0 + i, user0 + i, hash);
	if (copy_end(conn, &b) < 0)
		goto out;

	/* Threads first (titles and counts), posts in the same order after. */
	long planned = 0, nthreads = 0;
	long cap = posts / 2 + 16;
	long *sizes = xmalloc((size_t)cap * sizeof *sizes);
	while (planned < posts && nthreads < cap) {
		long n = thread_size();
		if (n > posts - planned)
			n = posts - planned;
		sizes[nthreads++] = n;
		planned += n;
	}
	time_t now = time(NULL);
	long span = 3L * 365 * 86400;       /* three years of activity */
	if (copy_begin(conn, "copy threads (id, category_id, user_id, title, post_count, created_at, "
	                     "last_post_at) from stdin") < 0)
		goto out_sizes;
	for (long t = 0; t < nthreads; t++) {
		long long start = (long long)now - span + (long long)(t * (span / (nthreads + 1)));
		long long last = start + sizes[t] * 600;
		if (last > now)
			last = now;
		buf_printf(&b, "%lld\t%lld\t%lld\tBench thread %lld about %s and %s\t%ld\t",
		           thread0 + t + 1, cat0 + 1 + (long long)(t % 8),
		           user0 + 1 + (long long)rnd(0, members - 1), thread0 + t + 1,
		           words[rnd(0, 49)], words[rnd(0, 49)], sizes[t]);
		put_time(&b, start);
		buf_putc(&b, '\t');
		put_time(&b, last);
		buf_putc(&b, '\n');
		if (b.len > (1 << 19) && copy_put(conn, &b) < 0)
			goto out_sizes;
	}
	if (copy_end(conn, &b) < 0)
		goto out_sizes;

	long long next_post = post0 + 1;
	long done = 0;
	long long *ids = xmalloc(MAX_THREAD * sizeof *ids);
	int *depth = xmalloc(MAX_THREAD * sizeof *depth);
	long *parent = xmalloc(MAX_THREAD * sizeof *parent);
	/* Paths are rebuilt per thread from parent links kept in memory. */
	long long **paths = xmalloc(MAX_THREAD * sizeof *paths);
	buf flags, supports;
	buf_init(&flags, a, 1 << 16);
	buf_init(&supports, a, 1 << 20);
	if (copy_begin(conn, "copy posts (id, thread_id, parent_id, path, user_id, body_md, body_html, "
	                     "created_at, support_count) from stdin") < 0)
		goto out_paths;
	for (long t = 0; t < nthreads; t++) {
		long long tid = thread0 + t + 1;
		long long start = (long long)now - span + (long long)(t * (span / (nthreads + 1)));
		arena *ta = arena_new(1 << 16);
		for (long i = 0; i < sizes[t]; i++) {
			long long id = next_post++;
			long p = -1;
			if (i > 0) {
				/* 40% answer the opening post; others answer a recent post,
				 * which makes the chains of a real discussion. */
				if (rnd(0, 9) < 4)
					p = 0;
				else {
					p = i - 1 - rnd(0, i - 1 < 8 ? i - 1 : 8);
					while (depth[p] >= MAX_DEPTH - 1)
						p = parent[p] >= 0 ? parent[p] : 0;
				}
			}
			ids[i] = id;
			parent[i] = p;
			depth[i] = p < 0 ? 0 : depth[p] + 1;
			paths[i] = arena_alloc(ta, (size_t)(depth[i] + 1) * sizeof(long long));
			if (p >= 0)
				memcpy(paths[i], paths[p], (size_t)depth[i] * sizeof(long long));
			paths[i][depth[i]] = id;
			buf_printf(&b, "%lld\t%lld\t", id, tid);
			if (p < 0)
				buf_puts(&b, "\\N");
			else
				buf_printf(&b, "%lld", ids[p]);
			buf_putc(&b, '\t');
			buf_putc(&b, '{');
			for (int k = 0; k <= depth[i]; k++)
				buf_printf(&b, k ? ",%lld" : "%lld", paths[i][k]);
			buf_putc(&b, '}');
			int body = (int)rnd(0, BODY_POOL - 1);
			buf_printf(&b, "\t%lld\t", user0 + 1 + (long long)rnd(0, members - 1));
			buf_puts(&b, pool->md_copy[body]);
			buf_putc(&b, '\t');
			buf_puts(&b, pool->html_copy[body]);
			long long at = start + i * 600;
			buf_putc(&b, '\t');
			put_time(&b, at > (long long)now ? (long long)now : at);
			/* Heard by 1-3 consecutive members (distinct while members >= 3). */
			long heard = rnd(0, 2) == 0 ? rnd(1, 3) : 0;
			long first = rnd(0, members - 1);
			for (long k = 0; k < heard; k++)
				buf_printf(&supports, "%lld\t%lld\t%lld\n", id,
				           user0 + 1 + (long long)((first + k) % members), tid);
			buf_printf(&b, "\t%ld\n", heard);
			if (rnd(0, 99) == 0)
				buf_printf(&flags, "%lld\tfilter\tbench.synthetic\tcrisis.synthetic\tcrisis\t2\tflag\n", id);
			if (b.len > (1 << 20) && copy_put(conn, &b) < 0) {
				arena_free(ta);
				goto out_paths;
			}
			done++;
		}
		arena_free(ta);
		if ((t & 255) == 0)
			progress("posts", done, posts, tty);
	}
	if (copy_end(conn, &b) < 0)
		goto out_paths;
	progress("posts", done, posts, tty);
	if (tty)
		fputc('\n', stderr);
	if (copy_begin(conn, "copy flags (post_id, source, rule_id, category, top_category, severity, action) "
	                     "from stdin") < 0 || copy_end(conn, &flags) < 0)
		goto out_paths;
	if (copy_begin(conn, "copy post_support (post_id, user_id, thread_id) from stdin") < 0 ||
	    copy_end(conn, &supports) < 0)
		goto out_paths;
	rc = 0;
out_paths:
	free(paths);
	free(ids);
	free(depth);
	free(parent);
out_sizes:
	free(sizes);
	if (rc == 0)
		rc = bench_data_finish(conn, sessions_file, user0, members, tty);
	if (rc == 0)
		rc = exec(conn, "commit");
	else
		exec(conn, "rollback");
out:
	arena_free(a);
	return rc;
}
