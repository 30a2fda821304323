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
 *
 * Around the posts, what members have (issue 11's benchmarks): a "reply"
 * notification for every reply to someone else's post, and "here" ones
 * (with their post_here rows) on one post in 40; thread_prefs "track" for
 * every thread a member posted in; conversations and messages (one message
 * per 10 posts, at least 3,000: nine in ten conversations between two
 * members, the others three to five; 2 to 150 messages each, short bodies
 * mostly). The sessions of --sessions (members 1-200 of this load) have
 * nothing unread: every notification, tracked thread and conversation of
 * theirs is read, and they watch nothing. Those of --busy-sessions
 * (members 201-400) have: their 12 newest notifications unread, 15 watched
 * threads (10 with new posts), a fifth of their tracked threads with new
 * posts, and unread messages in the two conversations each starts (of
 * 3 to 6 messages; they may be in others too).
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

/* Members 1-200 of a load are the plain ones (--sessions), 201-400 the busy
 * ones (--busy-sessions). */
#define PLAIN_MEMBERS 200
#define BUSY_MEMBERS 200
#define BUSY_UNREAD_NOTIFICATIONS 12
#define BUSY_WATCHES 15
#define BUSY_CONVERSATIONS 2

static bool is_busy(long m)
{
	return m >= PLAIN_MEMBERS && m < PLAIN_MEMBERS + BUSY_MEMBERS;
}

static void progress(const char *what, long done, long total, bool tty)
{
	if (tty)
		fprintf(stderr, "\r%s: %ld / %ld (%ld%%)   ", what, done, total, total ? done * 100 / total : 100);
}

/* One session per member first+1 .. first+n, tokens one a line in `file`. */
static int write_sessions(PGconn *conn, const char *file, long long first, long n)
{
	FILE *f = fopen(file, "w");
	if (!f) {
		perror(file);
		return -1;
	}
	arena *a = arena_new(1 << 16);
	buf b;
	buf_init(&b, a, 1 << 16);
	int rc = copy_begin(conn, "copy sessions (token_hash, user_id, csrf_token, expires_at) from stdin");
	for (long i = 0; rc == 0 && i < n; i++) {
		char token[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1], digest[65];
		auth_new_token(token);
		auth_new_token(csrf);
		auth_token_digest(token, AUTH_TOKEN_LEN, digest);
		buf_printf(&b, "\\\\x%s\t%lld\t%s\t2100-01-01 00:00:00+00\n", digest, first + 1 + i, csrf);
		fprintf(f, "%s\n", token);
	}
	if (rc == 0)
		rc = copy_end(conn, &b);
	if (fclose(f) != 0 && rc == 0) {
		perror(file);
		rc = -1;
	}
	arena_free(a);
	return rc;
}

/* Counters, queue items, sequences, what the busy members have unread,
 * sessions for the benchmark's members. */
static int bench_data_finish(PGconn *conn, const struct bench_files *files, long long user0,
                             long members, bool tty)
{
	char unread[512], watch[1024];
	long long b0 = user0 + PLAIN_MEMBERS + 1, b1 = user0 + PLAIN_MEMBERS + BUSY_MEMBERS;
	/* The busy members' newest notifications unread. */
	snprintf(unread, sizeof unread,
	         "update notifications set read_at = null where id in (select id from ("
	         "select id, row_number() over (partition by user_id order by created_at desc, id desc) rn "
	         "from notifications where user_id between %lld and %lld) x where rn <= %d)",
	         b0, b1, BUSY_UNREAD_NOTIFICATIONS);
	/* Their watches (bench_watch, filled by bench_data_load): two in three
	 * with posts since they read them. */
	snprintf(watch, sizeof watch,
	         "insert into thread_prefs (user_id, thread_id, level, read_at) "
	         "select distinct on (w.user_id, w.thread_id) w.user_id, w.thread_id, 'watch', "
	         "  case when w.unread then t.last_post_at - interval '2 hours' else t.last_post_at end "
	         "from bench_watch w join threads t on t.id = w.thread_id "
	         "on conflict (user_id, thread_id) do update set level = 'watch', read_at = excluded.read_at");
	const char *const steps[] = {
		"alter table posts enable trigger user",
		"alter table threads enable trigger user",
		"alter table notifications enable trigger user",
		"alter table conversations enable trigger user",
		"alter table conversation_members enable trigger user",
		"alter table messages enable trigger user",
		/* What the triggers of sql/028 and sql/031 keep, once for the whole load. */
		"update conversations c set is_group = true "
		"where (select count(*) from conversation_members cm where cm.conversation_id = c.id) >= 3",
		"update conversation_members cm set new_at = hearth_conversation_new_at(cm.conversation_id, cm.user_id)",
		"update categories c set thread_count = s.threads, post_count = s.posts, last_post_at = s.last "
		"from (select category_id, count(*) threads, sum(post_count) posts, max(last_post_at) last "
		"      from threads group by category_id) s where s.category_id = c.id",
		"insert into review_items (post_id, lane, max_severity) select distinct post_id, 'crisis', 2 "
		"from flags where rule_id = 'bench.synthetic' on conflict do nothing",
		members > PLAIN_MEMBERS ? unread : "select 1",
		watch,
		"drop table bench_watch",
		"select setval(pg_get_serial_sequence('users', 'id'), (select max(id) from users))",
		"select setval(pg_get_serial_sequence('threads', 'id'), (select max(id) from threads))",
		"select setval(pg_get_serial_sequence('posts', 'id'), (select max(id) from posts))",
		"select setval(pg_get_serial_sequence('categories', 'id'), (select max(id) from categories))",
		"select setval(pg_get_serial_sequence('conversations', 'id'), "
		"  greatest(1, (select max(id) from conversations)))",
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (tty)
			fprintf(stderr, "\rfinishing: step %zu of %zu   ", i + 1, sizeof steps / sizeof steps[0]);
		if (exec(conn, steps[i]) < 0)
			return -1;
	}
	if (tty)
		fputc('\n', stderr);
	long plain = members < PLAIN_MEMBERS ? members : PLAIN_MEMBERS;
	long busy = members - plain < BUSY_MEMBERS ? members - plain : BUSY_MEMBERS;
	if (files->sessions && write_sessions(conn, files->sessions, user0, plain) < 0)
		return -1;
	if (files->busy_sessions && write_sessions(conn, files->busy_sessions, user0 + plain, busy) < 0)
		return -1;
	return 0;
}

/* Conversations and their messages: about `nmsg` messages among `members`
 * members (0-based indexes; the busy ones start BUSY_CONVERSATIONS each).
 * A busy member has read up to three messages before the last; everyone
 * else has read all. Planned first (the conversations are copied before
 * the messages that reference them), bodies drawn when copied. */
struct conv_plan {
	long who[5];
	int nm;
	long len;
	long long start, last, read_busy;
};

static int load_conversations(PGconn *conn, const struct pool *pool, long nmsg, long long user0,
                              long members, time_t now, long span, bool tty)
{
	PGresult *r = PQexec(conn, "select coalesce(max(id), 0) from conversations");
	long long conv0 = PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	arena *a = arena_new(1 << 20);
	buf b;
	buf_init(&b, a, 1 << 20);
	int rc = -1;
	long nbusy = members > PLAIN_MEMBERS ? (members - PLAIN_MEMBERS < BUSY_MEMBERS ?
	                                        members - PLAIN_MEMBERS : BUSY_MEMBERS) : 0;
	struct conv_plan *cv = xmalloc((size_t)(nmsg / 2 + 1) * sizeof *cv);
	long long *msg_at = xmalloc((size_t)(nmsg + 2) * sizeof *msg_at);
	long *msg_by = xmalloc((size_t)(nmsg + 2) * sizeof *msg_by);
	long nconv = 0, done = 0;
	while (done < nmsg) {
		struct conv_plan *c = &cv[nconv];
		c->nm = rnd(0, 9) < 9 ? 2 : (int)rnd(3, 5);
		if (c->nm > members)
			c->nm = (int)members;
		for (int k = 0; k < c->nm; k++) {
			long m;
			bool again;
			do {
				m = k == 0 && nconv < nbusy * BUSY_CONVERSATIONS ? PLAIN_MEMBERS + nconv % nbusy :
				    rnd(0, members - 1);
				again = false;
				for (int j = 0; j < k; j++)
					again = again || c->who[j] == m;
			} while (again);
			c->who[k] = m;
		}
		bool busy_starts = nconv < nbusy * BUSY_CONVERSATIONS;
		c->len = busy_starts ? rnd(3, 6) :
		         rnd(0, 9) < 6 ? rnd(2, 10) : rnd(0, 3) < 3 ? rnd(10, 40) : rnd(40, 150);
		if (c->len > nmsg - done)
			c->len = nmsg - done;
		long long at = (long long)now - rnd(3600, span);
		c->start = c->read_busy = at;
		for (long i = 0; i < c->len; i++) {
			if (i > 0)
				at += rnd(600, 6 * 3600);
			if (at > (long long)now)
				at = (long long)now;
			if (i + 3 == c->len)
				c->read_busy = at;
			msg_at[done + i] = at;
			msg_by[done + i] = c->who[rnd(0, c->nm - 1)];
		}
		/* The conversations the busy members start end with a message
		 * from someone else: unread for them. */
		if (busy_starts && c->nm > 1 && c->len > 0)
			msg_by[done + c->len - 1] = c->who[1];
		c->last = at;
		done += c->len;
		nconv++;
	}
	if (copy_begin(conn, "copy conversations (id, created_by, created_at, last_message_at) from stdin") < 0)
		goto out;
	for (long i = 0; i < nconv; i++) {
		buf_printf(&b, "%lld\t%lld\t", conv0 + i + 1, user0 + 1 + (long long)cv[i].who[0]);
		put_time(&b, cv[i].start);
		buf_putc(&b, '\t');
		put_time(&b, cv[i].last);
		buf_putc(&b, '\n');
	}
	if (copy_end(conn, &b) < 0)
		goto out;
	if (copy_begin(conn, "copy conversation_members (conversation_id, user_id, joined_at, read_at) "
	                     "from stdin") < 0)
		goto out;
	for (long i = 0; i < nconv; i++) {
		for (int k = 0; k < cv[i].nm; k++) {
			bool busy = is_busy(cv[i].who[k]);
			buf_printf(&b, "%lld\t%lld\t", conv0 + i + 1, user0 + 1 + (long long)cv[i].who[k]);
			put_time(&b, cv[i].start);
			buf_putc(&b, '\t');
			/* A busy member of a short conversation has read none of it. */
			put_time(&b, !busy ? cv[i].last : cv[i].len > 3 ? cv[i].read_busy : cv[i].start - 1);
			buf_putc(&b, '\n');
		}
	}
	if (copy_end(conn, &b) < 0)
		goto out;
	if (copy_begin(conn, "copy messages (conversation_id, author_id, body_md, body_html, state, "
	                     "created_at, visible_at) from stdin") < 0)
		goto out;
	long m = 0;
	for (long i = 0; i < nconv; i++) {
		for (long k = 0; k < cv[i].len; k++, m++) {
			/* Messages are shorter than posts: a second draw when long. */
			int body = (int)rnd(0, BODY_POOL - 1);
			if (strlen(pool->md[body]) > 600)
				body = (int)rnd(0, BODY_POOL - 1);
			buf_printf(&b, "%lld\t%lld\t", conv0 + i + 1, user0 + 1 + (long long)msg_by[m]);
			buf_puts(&b, pool->md_copy[body]);
			buf_putc(&b, '\t');
			buf_puts(&b, pool->html_copy[body]);
			buf_puts(&b, "\tvisible\t");
			put_time(&b, msg_at[m]);
			buf_putc(&b, '\t');
			put_time(&b, msg_at[m]);
			buf_putc(&b, '\n');
			if (b.len > (1 << 20) && copy_put(conn, &b) < 0)
				goto out;
		}
		if ((i & 255) == 0)
			progress("messages", m, nmsg, tty);
	}
	if (copy_end(conn, &b) < 0)
		goto out;
	progress("messages", m, nmsg, tty);
	if (tty)
		fputc('\n', stderr);
	rc = 0;
out:
	free(cv);
	free(msg_at);
	free(msg_by);
	arena_free(a);
	return rc;
}

int bench_data_load(PGconn *conn, long posts, unsigned long long seed, const struct bench_files *files)
{
	bool tty = isatty(STDERR_FILENO);
	rng_state ^= seed * 0x9E3779B97F4A7C15ULL + 1;
	arena *a = arena_new(1 << 20);
	struct pool *pool = ARENA_NEW(a, struct pool);
	int rc = -1;
	/* At least the plain and the busy members. */
	long members = posts / 300 < PLAIN_MEMBERS + BUSY_MEMBERS ? PLAIN_MEMBERS + BUSY_MEMBERS :
	               posts / 300 > 5000 ? 5000 : posts / 300;
	char hash[AUTH_HASH_STR_LEN];
	if (auth_hash_password("bench-password-1", 16, hash) < 0 || build_pool(pool, a) < 0)
		goto out;
	if (exec(conn, "begin") < 0 ||
	    exec(conn, "alter table posts disable trigger user") < 0 ||
	    exec(conn, "alter table threads disable trigger user") < 0 ||
	    exec(conn, "alter table notifications disable trigger user") < 0 ||
	    exec(conn, "alter table conversations disable trigger user") < 0 ||
	    exec(conn, "alter table conversation_members disable trigger user") < 0 ||
	    exec(conn, "alter table messages disable trigger user") < 0 ||
	    exec(conn, "create temp table bench_watch (user_id bigint, thread_id bigint, unread boolean)") < 0)
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
	long *author = xmalloc(MAX_THREAD * sizeof *author);
	/* Per member: the thread it last posted in (t + 1) and when; the
	 * thread's posters in `posters`. */
	long *seen_in = xmalloc((size_t)members * sizeof *seen_in);
	long long *seen_at = xmalloc((size_t)members * sizeof *seen_at);
	long *posters = xmalloc(MAX_THREAD * sizeof *posters);
	memset(seen_in, 0, (size_t)members * sizeof *seen_in);
	buf flags, supports, notes, heres, prefs;
	buf_init(&flags, a, 1 << 16);
	buf_init(&supports, a, 1 << 20);
	buf_init(&notes, a, 1 << 20);
	buf_init(&heres, a, 1 << 16);
	buf_init(&prefs, a, 1 << 20);
	if (copy_begin(conn, "copy posts (id, thread_id, parent_id, path, user_id, body_md, body_html, "
	                     "created_at, support_count) from stdin") < 0)
		goto out_paths;
	for (long t = 0; t < nthreads; t++) {
		long long tid = thread0 + t + 1;
		long long start = (long long)now - span + (long long)(t * (span / (nthreads + 1)));
		arena *ta = arena_new(1 << 16);
		long nposters = 0;
		long long last_at = start;
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
			long by = rnd(0, members - 1);
			author[i] = by;
			buf_printf(&b, "\t%lld\t", user0 + 1 + (long long)by);
			buf_puts(&b, pool->md_copy[body]);
			buf_putc(&b, '\t');
			buf_puts(&b, pool->html_copy[body]);
			long long at = start + i * 600;
			if (at > (long long)now)
				at = (long long)now;
			last_at = at;
			buf_putc(&b, '\t');
			put_time(&b, at);
			/* What the trigger would have written: the parent's author is
			 * told of the reply (read an hour later; the busy members'
			 * newest are made unread at the end), and the poster tracks
			 * the thread. */
			if (p >= 0 && author[p] != by) {
				buf_printf(&notes, "%lld\treply\t%lld\t%lld\t", user0 + 1 + (long long)author[p], id,
				           user0 + 1 + (long long)by);
				put_time(&notes, at);
				buf_putc(&notes, '\t');
				put_time(&notes, at + 3600);
				buf_putc(&notes, '\n');
			}
			if (i > 0 && rnd(0, 39) == 0) {
				long here = rnd(0, members - 1);
				if (here != by) {
					buf_printf(&heres, "%lld\t%lld\t", id, user0 + 1 + (long long)here);
					put_time(&heres, at + 60);
					buf_putc(&heres, '\n');
					buf_printf(&notes, "%lld\there\t%lld\t%lld\t", user0 + 1 + (long long)by, id,
					           user0 + 1 + (long long)here);
					put_time(&notes, at + 60);
					buf_putc(&notes, '\t');
					put_time(&notes, at + 3600);
					buf_putc(&notes, '\n');
				}
			}
			if (seen_in[by] != t + 1) {
				seen_in[by] = t + 1;
				posters[nposters++] = by;
			}
			seen_at[by] = at;
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
		/* Tracked by its posters: read (a busy member: one in five not
		 * since their last post). */
		for (long k = 0; k < nposters; k++) {
			long m = posters[k];
			long long read = is_busy(m) && rnd(0, 4) == 0 ? seen_at[m] : last_at;
			buf_printf(&prefs, "%lld\t%lld\ttrack\t", user0 + 1 + (long long)m, tid);
			put_time(&prefs, read);
			buf_putc(&prefs, '\n');
		}
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
	if (copy_begin(conn, "copy notifications (user_id, kind, post_id, actor_id, created_at, read_at) "
	                     "from stdin") < 0 || copy_end(conn, &notes) < 0)
		goto out_paths;
	if (copy_begin(conn, "copy post_here (post_id, user_id, created_at) from stdin") < 0 ||
	    copy_end(conn, &heres) < 0)
		goto out_paths;
	if (copy_begin(conn, "copy thread_prefs (user_id, thread_id, level, read_at) from stdin") < 0 ||
	    copy_end(conn, &prefs) < 0)
		goto out_paths;
	/* The busy members' watches: BUSY_WATCHES random threads each, two in
	 * three with posts since they read them (bench_data_finish). */
	for (long m = PLAIN_MEMBERS; m < members && m < PLAIN_MEMBERS + BUSY_MEMBERS; m++)
		for (int k = 0; k < BUSY_WATCHES; k++)
			buf_printf(&b, "%lld\t%lld\t%s\n", user0 + 1 + (long long)m,
			           thread0 + 1 + (long long)rnd(0, nthreads - 1), k % 3 ? "t" : "f");
	if (copy_begin(conn, "copy bench_watch (user_id, thread_id, unread) from stdin") < 0 ||
	    copy_end(conn, &b) < 0)
		goto out_paths;
	if (load_conversations(conn, pool, posts / 10 < 3000 ? 3000 : posts / 10, user0, members, now, span,
	                       tty) < 0)
		goto out_paths;
	rc = 0;
out_paths:
	free(author);
	free(seen_in);
	free(seen_at);
	free(posters);
	free(paths);
	free(ids);
	free(depth);
	free(parent);
out_sizes:
	free(sizes);
	if (rc == 0)
		rc = bench_data_finish(conn, files, user0, members, tty);
	if (rc == 0)
		rc = exec(conn, "commit");
	else
		exec(conn, "rollback");
out:
	arena_free(a);
	return rc;
}
