/*
 * hearthctl: the operator's command line.
 *
 *   hearthctl [-c hearth.conf] COMMAND ...
 *
 * Commands that touch the database connect with the configuration's
 * `database`; `rules check` and `screen` need none.
 */
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "auth.h"
#include "bench_data.h"
#include "conf.h"
#include "db.h"
#include "db_category.h"
#include "db_group.h"
#include "db_post.h"
#include "db_user.h"
#include "log.h"
#include "markdown.h"
#include "mod.h"
#include "migrate.h"
#include "tpl.h"
#include "cli.h"
#include "utf8.h"

struct ctl {
	conf conf;
	db *db;
	arena *arena;
};

static int usage(FILE *f)
{
	fprintf(f,
	        "usage: hearthctl [-c hearth.conf] COMMAND\n"
	        "  migrate                          apply the schema migrations in sql_dir\n"
	        "  create-admin HANDLE [--password-stdin]\n"
	        "                                   create an administrator (prints a new password)\n"
	        "  user set-role HANDLE member|moderator|admin\n"
	        "  category add SLUG NAME [DESCRIPTION]\n"
	        "  category list\n"
	        "  category anonymous SLUG on|off   (members may post anonymously there)\n"
	        "  group add SLUG NAME [DESCRIPTION] [--unlisted] [--join open|request|invite]\n"
	        "  group member SLUG HANDLE [member|facilitator]\n"
	        "  sample-data                      load sample categories, members and threads\n"
	        "  rules check [--rules DIR]        compile the moderation rules and run their examples\n"
	        "  screen [--rules DIR]             screen one post per line of stdin\n"
	        "  rules backtest --rules DIR [--current DIR] [--examples N]\n"
	        "                                   screen every stored post with the rules in DIR and\n"
	        "                                   print what would change against the running rules\n"
	        "  bench-data --posts N [--seed S] [--sessions FILE] [--busy-sessions FILE]\n"
	        "                                   add a synthetic forum of about N posts (COPY);\n"
	        "                                   sessions of members with nothing unread, and of\n"
	        "                                   members with unread notifications and messages\n"
	        "  render-errors DIR                write nginx's error pages (413, 50x) from the theme\n"
	        "  test-end-request                 (tests) the end-of-request rollback, three cases\n");
	return f == stderr ? 2 : 0;
}

static int connect_db(struct ctl *c)
{
	c->db = db_new(c->conf.database);
	if (!db_ready(c->db)) {
		fprintf(stderr, "hearthctl: cannot connect to the database (%s): %s\n"
		                "  check `database` in hearth.conf or HEARTH_DATABASE\n",
		        c->conf.database, db_last_error(c->db));
		return -1;
	}
	return 0;
}

static int cmd_migrate(struct ctl *c)
{
	db *d = db_new(c->conf.database);
	PGconn *conn = PQconnectdb(c->conf.database);
	int rc = 1;
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "hearthctl: cannot connect to the database (%s): %s", c->conf.database,
		        PQerrorMessage(conn));
		goto out;
	}
	PGresult *r = PQexec(conn, "set client_min_messages = warning");
	PQclear(r);
	char err[1024];
	int applied = 0;
	if (migrate_apply(conn, c->conf.sql_dir, isatty(STDOUT_FILENO), &applied, err, sizeof err) < 0) {
		fprintf(stderr, "hearthctl migrate: %s\n", err);
		goto out;
	}
	printf(applied ? "%d migration(s) applied\n" : "schema up to date, nothing to apply\n", applied);
	rc = 0;
out:
	PQfinish(conn);
	db_free(d);
	return rc;
}

static int read_password_stdin(char *out, size_t outlen)
{
	if (!fgets(out, (int)outlen, stdin)) {
		fprintf(stderr, "hearthctl: no password on standard input\n");
		return -1;
	}
	out[strcspn(out, "\r\n")] = '\0';
	size_t n = strlen(out);
	if (n < AUTH_PASSWORD_MIN || n > AUTH_PASSWORD_MAX || !utf8_valid(out, n)) {
		fprintf(stderr, "hearthctl: the password must be %d to %d characters of UTF-8 text\n",
		        AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
		return -1;
	}
	return 0;
}

static int create_user(struct ctl *c, const char *handle, const char *password, const char *role)
{
	char hash[AUTH_HASH_STR_LEN];
	if (auth_hash_password(password, strlen(password), hash) < 0) {
		fprintf(stderr, "hearthctl: hashing the password failed (out of memory?)\n");
		return -1;
	}
	long long id;
	enum db_err e = db_user_create(c->db, c->arena, handle, hash, role, &id);
	if (e == DB_ERR_UNIQUE) {
		fprintf(stderr, "hearthctl: the handle \"%s\" is taken\n", handle);
		return -1;
	}
	if (e != DB_OK) {
		fprintf(stderr, "hearthctl: creating %s: %s\n", handle, db_last_error(c->db));
		return -1;
	}
	return 0;
}

static int cmd_create_admin(struct ctl *c, int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	const char *handle = argv[1];
	bool from_stdin = argc > 2 && strcmp(argv[2], "--password-stdin") == 0;
	if (!user_handle_valid(handle)) {
		fprintf(stderr, "hearthctl: a handle is 3 to 30 letters, digits, '_' or '-'\n");
		return 1;
	}
	char password[AUTH_PASSWORD_MAX + 2];
	if (from_stdin) {
		if (read_password_stdin(password, sizeof password) < 0)
			return 1;
	} else {
		auth_new_password(password);
	}
	if (connect_db(c) < 0 || create_user(c, handle, password, "admin") < 0)
		return 1;
	printf("created administrator %s\n", handle);
	if (!from_stdin)
		printf("password: %s\n", password);
	return 0;
}

static int cmd_user(struct ctl *c, int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[1], "set-role") != 0)
		return usage(stderr);
	const char *role = argv[3];
	if (strcmp(role, "member") && strcmp(role, "moderator") && strcmp(role, "admin")) {
		fprintf(stderr, "hearthctl: the role is member, moderator or admin\n");
		return 1;
	}
	bool found;
	if (connect_db(c) < 0)
		return 1;
	if (db_user_set_role(c->db, c->arena, argv[2], role, &found) != DB_OK) {
		fprintf(stderr, "hearthctl: %s\n", db_last_error(c->db));
		return 1;
	}
	if (!found) {
		fprintf(stderr, "hearthctl: no member is called %s\n", argv[2]);
		return 1;
	}
	printf("%s is now %s\n", argv[2], role);
	return 0;
}

static int cmd_category(struct ctl *c, int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (connect_db(c) < 0)
		return 1;
	if (strcmp(argv[1], "list") == 0) {
		struct category *cats;
		size_t n;
		if (db_category_list(c->db, c->arena, &cats, &n) != DB_OK) {
			fprintf(stderr, "hearthctl: %s\n", db_last_error(c->db));
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			printf("%s\t%s\t%lld threads\t%lld posts%s\n", cats[i].slug, cats[i].name,
			       cats[i].thread_count, cats[i].post_count,
			       cats[i].allow_anonymous ? "\tanonymous posts allowed" : "");
		return 0;
	}
	if (strcmp(argv[1], "add") == 0 && argc >= 4) {
		const char *desc = argc > 4 ? argv[4] : "";
		long long id;
		enum db_err e = db_category_add(c->db, c->arena, argv[2], argv[3], desc, &id);
		if (e == DB_ERR_UNIQUE) {
			fprintf(stderr, "hearthctl: a category with slug \"%s\" exists already\n", argv[2]);
			return 1;
		}
		if (e == DB_ERR_CHECK) {
			fprintf(stderr, "hearthctl: the slug is 1 to 48 of a-z, 0-9 and '-' (starting with a "
			                "letter or digit), the name 1 to 80 characters, the description at most 500\n");
			return 1;
		}
		if (e != DB_OK) {
			fprintf(stderr, "hearthctl: %s\n", db_last_error(c->db));
			return 1;
		}
		printf("added category %s (id %lld)\n", argv[2], id);
		return 0;
	}
	if (strcmp(argv[1], "anonymous") == 0 && argc == 4 &&
	    (strcmp(argv[3], "on") == 0 || strcmp(argv[3], "off") == 0)) {
		bool allow = strcmp(argv[3], "on") == 0, found;
		if (db_category_set_anonymous(c->db, c->arena, argv[2], allow, &found) != DB_OK) {
			fprintf(stderr, "hearthctl: %s\n", db_last_error(c->db));
			return 1;
		}
		if (!found) {
			fprintf(stderr, "hearthctl: there is no category with slug \"%s\"\n", argv[2]);
			return 1;
		}
		printf("category %s: anonymous posts %s\n", argv[2], allow ? "allowed" : "not allowed");
		return 0;
	}
	return usage(stderr);
}

/* ---- rules backtest ---- */

#define BACKTEST_BATCH 500
#define BACKTEST_EXCERPT 80

/* One post's outcome under a rule set: its top-level categories ("crisis,stigma"), rule ids and
 * highest severity. */
struct outcome {
	char cats[128];
	char rules[512];
	int severity;
};

static void outcome_of(const mod_result *res, struct outcome *o)
{
	size_t cl = 0, rl = 0;
	o->cats[0] = o->rules[0] = '\0';
	o->severity = res->max_severity;
	for (size_t i = 0; i < res->count; i++) {
		const mod_match *m = &res->matches[i];
		if (!strstr(o->cats, m->top) && cl + strlen(m->top) + 2 < sizeof o->cats)
			cl += (size_t)snprintf(o->cats + cl, sizeof o->cats - cl, "%s%s", cl ? "," : "", m->top);
		if (!strstr(o->rules, m->rule_id) && rl + strlen(m->rule_id) + 2 < sizeof o->rules)
			rl += (size_t)snprintf(o->rules + rl, sizeof o->rules - rl, "%s%s", rl ? "," : "",
			                       m->rule_id);
	}
}

/* The start of a post on one line: whitespace runs as one space, at most BACKTEST_EXCERPT bytes,
 * cut on a character boundary. */
static void excerpt(const char *body, char *out, size_t outlen)
{
	size_t o = 0;
	bool space = false;
	for (const char *p = body; *p && o + 5 < outlen && o < BACKTEST_EXCERPT; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = false;
		out[o++] = *p;
	}
	while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
		o--;                        /* a cut character */
	if (o > 0 && (unsigned char)out[o - 1] >= 0xC0)
		o--;
	out[o] = '\0';
}

struct change_list {
	const char *title;
	long long count;
	char **lines;               /* the first N, arena strings */
};

static void note_change(struct ctl *c, struct change_list *l, int examples, long long id,
                        const struct outcome *was, const struct outcome *now, const char *body)
{
	if (l->count++ >= examples)
		return;
	char ex[BACKTEST_EXCERPT + 8];
	excerpt(body, ex, sizeof ex);
	l->lines[l->count - 1] = arena_printf(c->arena, "  post %lld: %s %d (%s) -> %s %d (%s): %s", id,
		was->cats[0] ? was->cats : "-", was->severity, was->rules[0] ? was->rules : "-",
		now->cats[0] ? now->cats : "-", now->severity, now->rules[0] ? now->rules : "-", ex);
}

static int cmd_rules_backtest(struct ctl *c, int argc, char **argv)
{
	const char *candidate_dir = NULL, *current_dir = c->conf.rules_dir;
	int examples = 10;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			candidate_dir = argv[++i];
		else if (strcmp(argv[i], "--current") == 0 && i + 1 < argc)
			current_dir = argv[++i];
		else if (strcmp(argv[i], "--examples") == 0 && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || n < 0 || n > 1000) {
				fprintf(stderr, "hearthctl: --examples takes a number from 0 to 1000\n");
				return 2;
			}
			examples = (int)n;
		} else {
			fprintf(stderr, "hearthctl: rules backtest: unknown argument '%s'\n", argv[i]);
			return usage(stderr);
		}
	}
	if (!candidate_dir) {
		fprintf(stderr, "hearthctl: rules backtest needs --rules DIR (the rule set to try)\n");
		return 2;
	}
	if (!current_dir || !*current_dir) {
		fprintf(stderr, "hearthctl: no running rule set: set rules_dir in hearth.conf or give "
		                "--current DIR\n");
		return 2;
	}
	char err[1024];
	mod_ruleset *current = NULL, *candidate = NULL;
	int rc = 1;
	if (mod_ruleset_load(current_dir, &current, err, sizeof err) != MOD_OK) {
		fprintf(stderr, "hearthctl: running rules (%s): %s\n", current_dir, err);
		goto fail;
	}
	if (mod_ruleset_load(candidate_dir, &candidate, err, sizeof err) != MOD_OK) {
		fprintf(stderr, "hearthctl: candidate rules (%s): %s\n", candidate_dir, err);
		goto fail;
	}
	if (connect_db(c) < 0)
		goto fail;
	struct change_list lists[3] = {
		{ "newly flagged", 0, NULL }, { "no longer flagged", 0, NULL }, { "severity moved", 0, NULL },
	};
	for (size_t k = 0; k < 3; k++)
		lists[k].lines = arena_zalloc(c->arena, (size_t)(examples ? examples : 1) * sizeof (char *));
	long long screened = 0, up = 0, down = 0, last = 0, review = 0;
	for (;;) {
		char after[24], limit[16];
		snprintf(after, sizeof after, "%lld", last);
		snprintf(limit, sizeof limit, "%d", BACKTEST_BATCH);
		const char *params[] = { after, limit };
		enum db_err e;
		PGresult *r = db_exec(c->db, c->arena, DB_BACKTEST_POSTS, params, &e);
		if (!r) {
			fprintf(stderr, "hearthctl: %s\n", db_last_error(c->db));
			goto fail;
		}
		int n = PQntuples(r);
		for (int row = 0; row < n; row++) {
			long long id = db_int(c->db, r, row, 0);
			const char *body = db_text(c->db, r, row, 1);
			mod_result a, b;
			mod_screen(current, body, strlen(body), &a);
			mod_screen(candidate, body, strlen(body), &b);
			struct outcome was, now;
			outcome_of(&a, &was);
			outcome_of(&b, &now);
			review += b.needs_review;
			if (a.count == 0 && b.count > 0)
				note_change(c, &lists[0], examples, id, &was, &now, body);
			else if (a.count > 0 && b.count == 0)
				note_change(c, &lists[1], examples, id, &was, &now, body);
			else if (a.count > 0 && a.max_severity != b.max_severity) {
				note_change(c, &lists[2], examples, id, &was, &now, body);
				if (b.max_severity > a.max_severity)
					up++;
				else
					down++;
			}
			mod_result_free(&a);
			mod_result_free(&b);
			screened++;
			last = id;
		}
		if (db_refused(c->db)) {
			fprintf(stderr, "hearthctl: the database returned a value that cannot be read\n");
			goto fail;
		}
		if (n < BACKTEST_BATCH)
			break;
	}
	printf("backtest: %lld posts screened\n", screened);
	printf("running rules:   %s (%zu rules)\n", current_dir, mod_ruleset_count(current));
	printf("candidate rules: %s (%zu rules)\n", candidate_dir, mod_ruleset_count(candidate));
	printf("newly flagged: %lld\n", lists[0].count);
	printf("no longer flagged: %lld\n", lists[1].count);
	printf("severity moved: %lld (up %lld, down %lld)\n", lists[2].count, up, down);
	if (review)
		printf("sent to review by a filter limit under the candidate rules: %lld\n", review);
	for (size_t k = 0; k < 3; k++) {
		if (!lists[k].count || !examples)
			continue;
		long long shown = lists[k].count < examples ? lists[k].count : examples;
		printf("\n%s (first %lld of %lld):\n", lists[k].title, shown, lists[k].count);
		for (long long i = 0; i < shown; i++)
			printf("%s\n", lists[k].lines[i]);
	}
	rc = 0;
fail:
	mod_ruleset_free(current);
	mod_ruleset_free(candidate);
	return rc;
}

/* ---- peer groups (sql/017_groups.sql) ---- */

static long long group_id_by_slug(struct ctl *c, const char *slug)
{
	enum db_err e;
	const char *p[] = { NULL, slug };
	PGresult *r = db_exec(c->db, c->arena, DB_GROUP_BY_SLUG, p, &e);
	return r && PQntuples(r) == 1 ? db_ll(r, 0, 0) : 0;
}

static int group_error(struct ctl *c, enum db_err e, const char *slug)
{
	if (e == DB_ERR_UNIQUE)
		fprintf(stderr, "hearthctl: a group or category with slug \"%s\" exists already\n", slug);
	else if (e == DB_ERR_CHECK)
		fprintf(stderr, "hearthctl: the slug is 1 to 40 of a-z, 0-9 and '-' (starting with a letter or "
		                "digit), the name 1 to 80 characters, the description at most 500\n");
	else
		fprintf(stderr, "hearthctl: %s\n", db_last_error(c->db));
	return 1;
}

static int cmd_group(struct ctl *c, int argc, char **argv)
{
	if (argc < 4)
		return usage(stderr);
	if (connect_db(c) < 0)
		return 1;
	if (strcmp(argv[1], "add") == 0) {
		const char *desc = "", *join = "request";
		bool listed = true;
		for (int i = 4; i < argc; i++) {
			if (strcmp(argv[i], "--unlisted") == 0)
				listed = false;
			else if (strcmp(argv[i], "--join") == 0 && i + 1 < argc)
				join = argv[++i];
			else if (argv[i][0] != '-' && i == 4)
				desc = argv[i];
			else
				return usage(stderr);
		}
		if (strcmp(join, "open") != 0 && strcmp(join, "request") != 0 && strcmp(join, "invite") != 0)
			return usage(stderr);
		long long id = 0;
		enum db_err e = db_begin(c->db);
		if (e == DB_OK)
			e = db_group_create(c->db, c->arena, argv[2], argv[3], desc, listed, join, &id);
		if (e == DB_OK)
			e = db_commit(c->db);
		if (e != DB_OK) {
			db_rollback(c->db);
			return group_error(c, e, argv[2]);
		}
		printf("added group %s (id %lld, %s, joined: %s)\n", argv[2], id, listed ? "listed" : "unlisted", join);
		return 0;
	}
	if (strcmp(argv[1], "member") == 0) {
		const char *role = argc > 4 ? argv[4] : "member";
		if (strcmp(role, "member") != 0 && strcmp(role, "facilitator") != 0)
			return usage(stderr);
		long long id = group_id_by_slug(c, argv[2]);
		if (!id) {
			fprintf(stderr, "hearthctl: no group with slug \"%s\"\n", argv[2]);
			return 1;
		}
		bool found = false;
		enum db_err e = db_group_member_set(c->db, c->arena, id, argv[3], role, &found);
		if (e != DB_OK)
			return group_error(c, e, argv[2]);
		if (!found) {
			fprintf(stderr, "hearthctl: no member with handle \"%s\"\n", argv[3]);
			return 1;
		}
		printf("%s is now a %s of %s\n", argv[3], role, argv[2]);
		return 0;
	}
	return usage(stderr);
}

/* The demo's group: one listed, open group with a facilitator, a member, a
 * thread and a meeting the day after tomorrow at 19:30 in the site's zone. */
static enum db_err sample_group(struct ctl *c, const long long *member_ids)
{
	long long gid = 0, tid, pid;
	enum db_err e = db_group_create(c->db, c->arena, "evening-circle", "Evening circle",
	                                "A small group that meets online in the evening to check in with each "
	                                "other: how the day went, what helped, what is coming.", true, "open", &gid);
	if (e != DB_OK)
		return e;
	bool found;
	if ((e = db_group_member_set(c->db, c->arena, gid, "quiet_owl", "facilitator", &found)) != DB_OK ||
	    (e = db_group_member_set(c->db, c->arena, gid, "river_stone", "member", &found)) != DB_OK)
		return e;
	const char *pg[] = { NULL, "evening-circle" };
	PGresult *r = db_exec(c->db, c->arena, DB_GROUP_BY_SLUG, pg, &e);
	if (!r)
		return e;
	long long cat = db_ll(r, 0, 9);
	const char *tz = c->conf.default_timezone;
	const char *pt[] = { tz };
	if (!(r = db_exec(c->db, c->arena, DB_MEETING_SAMPLE_LOCAL, pt, &e)))
		return e;
	const char *local = db_val(r, 0, 0), *when = db_val(r, 0, 1);
	struct { const char *title, *body; int author; } posts[] = {
		{ "Welcome to the evening circle", "Hi all, and welcome. This is our group's own space: only "
		  "members read it. Say hello when you feel like it, no pressure.", 2 },
		{ "Weekly check-in", NULL, 2 },
	};
	posts[1].body = arena_printf(c->arena, "Weekly check-in, %s (%s), 60 minutes.\n\nThis is the meeting's "
	                             "thread: it opens for replies when the meeting starts.", when, tz);
	for (int i = 0; i < 2; i++) {
		char *html;
		size_t html_len;
		if (md_render(posts[i].body, strlen(posts[i].body), MD_DEFAULT, &html, &html_len) != MD_OK)
			return DB_ERR_QUERY;
		struct post_write w = { .user_id = member_ids[posts[i].author], .body_md = posts[i].body,
		                        .body_html = arena_strdup(c->arena, html), .state = "visible" };
		free(html);
		if ((e = db_thread_create(c->db, c->arena, cat, posts[i].title, &w, &tid, &pid)) != DB_OK)
			return e;
	}
	const char *pm[] = { arena_printf(c->arena, "%lld", gid), "Weekly check-in", local, "60", tz,
	                     arena_printf(c->arena, "%lld", tid),
	                     arena_printf(c->arena, "%lld", member_ids[2]) };
	return db_exec(c->db, c->arena, DB_MEETING_CREATE, pm, &e) ? DB_OK : e;
}

/* ---- sample content ---- */

struct sample_post {
	int parent;                     /* index in the thread's list, -1 for the opening post */
	int author;
	const char *body;
};

struct sample_thread {
	int category;
	const char *title;
	struct sample_post posts[12];
};

static const char *const sample_members[] = { "river_stone", "maple-leaf", "quiet_owl", "sunrise_k" };

static const struct { const char *slug, *name, *description; } sample_categories[] = {
	{ "introductions", "Introductions", "Say hello, share as much or as little as you like." },
	{ "anxiety", "Anxiety and panic", "Worry, panic attacks, social anxiety and what helps." },
	{ "low-mood", "Low mood and depression", "For the heavy days, and the slightly lighter ones." },
	{ "coping", "Coping skills", "Grounding, routines, sleep, and the small things that work." },
	{ "off-topic", "Off-topic", "Hobbies, pets, music, good news: a breather." },
};

static const struct sample_thread sample_threads[] = {
	{ 0, "Hi everyone, first post here", {
		{ -1, 0, "Hi all. I've been reading for a few weeks and finally made an account.\n\n"
		          "I'm *not* great at this, but I'm here." },
		{ 0, 1, "Welcome! Reading for a while first is what most of us did. Glad you're here." },
		{ 1, 0, "Thank you, that actually helps to hear." },
		{ 2, 2, "Same here. It took me **months** to post anything." },
		{ 0, 3, "Welcome :) The coping skills category has some good threads to start with." },
		{ -2, 0, NULL } } },
	{ 1, "Panic attacks on the bus: what helps you?", {
		{ -1, 2, "I get panic attacks on crowded buses. My heart races and I feel I have to get off.\n\n"
		          "What do you do in the moment?" },
		{ 0, 1, "Grounding helps me: 5 things I can see, 4 I can touch, 3 I can hear...\n\n"
		         "> 5 things I can see\n\nIt sounds silly but it works for me." },
		{ 1, 2, "Not silly at all. Do you do it with your eyes open?" },
		{ 2, 1, "Yes, eyes open, and I count them under my breath." },
		{ 3, 3, "I do the same and add slow breathing: in for 4, out for 6." },
		{ 0, 0, "Headphones with a familiar podcast. It gives my brain something else." },
		{ -2, 0, NULL } } },
	{ 2, "The heavy days", {
		{ -1, 3, "Today is one of those days where getting out of bed felt like a mountain.\n\n"
		          "Not looking for advice, just wanted to say it somewhere." },
		{ 0, 1, "I hear you. Saying it somewhere counts for something." },
		{ 0, 2, "Sending you a quiet nod. Some days the mountain is the whole job." },
		{ 2, 3, "Thank you. That made me smile a bit." },
		{ -2, 0, NULL } } },
	{ 3, "Small routines that actually stuck", {
		{ -1, 1, "Share one small routine that stuck for you. Mine:\n\n"
		          "1. Glass of water before coffee\n2. Open the curtains\n3. Two minutes outside" },
		{ 0, 0, "Making the bed. Tiny, but it's a finished thing before 9am." },
		{ 1, 2, "Yes! A *finished thing* is exactly it." },
		{ 0, 3, "Writing three lines in a notebook before sleep." },
		{ -2, 0, NULL } } },
	{ 4, "What are you listening to this week?", {
		{ -1, 0, "Something calm please, I'm building a playlist for bad nights." },
		{ 0, 2, "Lots of ambient piano here. Very helpful for bad nights." },
		{ -2, 0, NULL } } },
};

static int cmd_sample_data(struct ctl *c)
{
	if (connect_db(c) < 0)
		return 1;
	enum db_err e;
	PGresult *r = db_exec(c->db, c->arena, DB_THREAD_COUNT_ALL, NULL, &e);
	if (!r) {
		fprintf(stderr, "hearthctl: %s (did you run hearthctl migrate?)\n", db_last_error(c->db));
		return 1;
	}
	if (db_ll(r, 0, 0) > 0) {
		printf("the forum has content already; sample data not loaded\n");
		return 0;
	}
	long long cat_ids[sizeof sample_categories / sizeof sample_categories[0]];
	long long member_ids[sizeof sample_members / sizeof sample_members[0]];
	char moderator_password[24];
	auth_new_password(moderator_password);
	if (db_begin(c->db) != DB_OK)
		goto fail;
	for (size_t i = 0; i < sizeof sample_categories / sizeof sample_categories[0]; i++) {
		bool found;
		struct category existing;
		if (db_category_by_slug(c->db, c->arena, sample_categories[i].slug, &existing, &found) != DB_OK)
			goto fail;
		if (found)
			cat_ids[i] = existing.id;
		else if (db_category_add(c->db, c->arena, sample_categories[i].slug, sample_categories[i].name,
		                         sample_categories[i].description, &cat_ids[i]) != DB_OK)
			goto fail;
	}
	/* The demo shows anonymous posts (sql/018) where people most often
	 * want them: the heavy days. */
	bool anon_found;
	if (db_category_set_anonymous(c->db, c->arena, "low-mood", true, &anon_found) != DB_OK)
		goto fail;
	for (size_t i = 0; i < sizeof sample_members / sizeof sample_members[0]; i++) {
		char pw[24], hash[AUTH_HASH_STR_LEN];
		auth_new_password(pw);      /* sample members cannot log in: nobody knows this */
		if (auth_hash_password(pw, strlen(pw), hash) < 0 ||
		    db_user_create(c->db, c->arena, sample_members[i], hash, "member", &member_ids[i]) != DB_OK)
			goto fail;
	}
	if (create_user(c, "moderator", moderator_password, "moderator") < 0)
		goto fail;
	for (size_t t = 0; t < sizeof sample_threads / sizeof sample_threads[0]; t++) {
		const struct sample_thread *st = &sample_threads[t];
		long long post_ids[12], thread_id = 0;
		for (int p = 0; p < 12 && st->posts[p].parent != -2; p++) {
			const struct sample_post *sp = &st->posts[p];
			char *html;
			size_t html_len;
			if (md_render(sp->body, strlen(sp->body), MD_DEFAULT, &html, &html_len) != MD_OK)
				goto fail;
			struct post_write w = { .user_id = member_ids[sp->author], .body_md = sp->body,
			                        .body_html = arena_strdup(c->arena, html), .state = "visible" };
			free(html);
			if (sp->parent < 0)
				e = db_thread_create(c->db, c->arena, cat_ids[st->category], st->title, &w,
				                     &thread_id, &post_ids[p]);
			else
				e = db_post_reply(c->db, c->arena, thread_id, post_ids[sp->parent], &w, &post_ids[p]);
			if (e != DB_OK)
				goto fail;
		}
	}
	if (sample_group(c, member_ids) != DB_OK)
		goto fail;
	if (db_commit(c->db) != DB_OK)
		goto fail;
	printf("loaded %zu categories, %zu members and %zu threads, and the group evening-circle\n",
	       sizeof sample_categories / sizeof sample_categories[0],
	       sizeof sample_members / sizeof sample_members[0],
	       sizeof sample_threads / sizeof sample_threads[0]);
	printf("moderator account: moderator\npassword: %s\n", moderator_password);
	return 0;
fail:
	fprintf(stderr, "hearthctl sample-data: %s\n", db_last_error(c->db));
	db_rollback(c->db);
	return 1;
}

static int cmd_bench_data(struct ctl *c, int argc, char **argv)
{
	long posts = 0;
	unsigned long long seed = 1;
	struct bench_files files = { NULL, NULL };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--posts") == 0 && i + 1 < argc)
			posts = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--sessions") == 0 && i + 1 < argc)
			files.sessions = argv[++i];
		else if (strcmp(argv[i], "--busy-sessions") == 0 && i + 1 < argc)
			files.busy_sessions = argv[++i];
		else
			return usage(stderr);
	}
	if (posts < 1 || posts > 100000000) {
		fprintf(stderr, "hearthctl bench-data: --posts takes a number from 1 to 100000000\n");
		return 2;
	}
	PGconn *conn = PQconnectdb(c->conf.database);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "hearthctl: cannot connect to the database: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 1;
	}
	int rc = bench_data_load(conn, posts, seed, &files);
	if (rc == 0) {
		PGresult *r = PQexec(conn, "analyze");
		PQclear(r);
		printf("loaded about %ld posts\n", posts);
	}
	PQfinish(conn);
	return rc == 0 ? 0 : 1;
}

/*
 * render-errors DIR: the pages nginx shows for the errors it makes itself
 * (hearth-fcgi not running, too slow, a body over client_max_body_size),
 * rendered once from the theme's error template with the same data as
 * page_error() gives it, so that they look like every other page. nginx's
 * error_page points at them (contrib/nginx/hearth.conf, @ERRORS@). Run it
 * again after changing the theme or site_name.
 */
static const struct {
	int status;
	const char *title, *message;
} nginx_errors[] = {
	{ 413, "That was too long",
	  "What you sent is larger than this site accepts, so it was not saved. Go back in your "
	  "browser: your text is usually still in the form. Shorten it or split it into two posts, "
	  "then send it again." },
	{ 500, "Something went wrong on our side",
	  "The forum could not answer just now. If you were sending a post, go back in your browser, "
	  "copy your text somewhere safe, and try again in a minute." },
	{ 502, "We will be right back",
	  "The forum is not answering just now. If you were sending a post, go back in your browser, "
	  "copy your text somewhere safe, and try again in a minute." },
	{ 503, "We will be right back",
	  "The forum is not answering just now. If you were sending a post, go back in your browser, "
	  "copy your text somewhere safe, and try again in a minute." },
	{ 504, "That took too long",
	  "The forum did not answer in time. If you were sending a post, it may or may not have been "
	  "saved: look for it before sending it again, and keep a copy of your text." },
};

static int cmd_render_errors(struct ctl *c, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hearthctl render-errors DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	char err[1024];
	tpl_theme *theme = NULL;
	if (tpl_theme_load(c->conf.theme_dir, &theme, err, sizeof err) != TPL_OK) {
		fprintf(stderr, "hearthctl: %s\n", err);
		return 1;
	}
	int rc = 1;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "hearthctl: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < sizeof nginx_errors / sizeof nginx_errors[0]; i++) {
		tpl_value *d = tpl_map(c->arena);
		tpl_set_str(d, "site_name", c->conf.site_name);
		tpl_set_str(d, "quick_exit_url", c->conf.quick_exit_url);
		tpl_set_str(d, "title", nginx_errors[i].title);
		tpl_set_int(d, "status", nginx_errors[i].status);
		tpl_set_str(d, "message", nginx_errors[i].message);
		buf page;
		buf_init(&page, c->arena, 8192);
		enum tpl_err e = tpl_render_page(theme, "error", d, &page);
		if (e != TPL_OK) {
			fprintf(stderr, "hearthctl: %s: the error template did not render (%s)\n",
			        c->conf.theme_dir, tpl_strerror(e));
			goto out;
		}
		/* Written aside and renamed: nginx never serves half a page. */
		char *path = arena_printf(c->arena, "%s/%d.html", dir, nginx_errors[i].status);
		char *tmp = arena_printf(c->arena, "%s.tmp", path);
		FILE *f = fopen(tmp, "w");
		bool ok = f && fwrite(page.data, 1, page.len, f) == page.len;
		if (f && fclose(f) != 0)
			ok = false;
		if (!ok || rename(tmp, path) < 0) {
			fprintf(stderr, "hearthctl: %s: %s\n", path, strerror(errno));
			unlink(tmp);
			goto out;
		}
		chmod(path, 0644);
		printf("%s\n", path);
	}
	rc = 0;
out:
	tpl_theme_free(theme);
	return rc;
}

/*
 * test-end-request: db_end_request() against the real database, for the
 * integration tests (no path of hearth-fcgi leaves a transaction open on
 * purpose, and none may be added just to test this). Three cases: an open
 * transaction, a failed one, none; prints one line each with what
 * db_end_request found and whether the connection is idle after it.
 */
static int cmd_test_end_request(struct ctl *c)
{
	static const char *const found[DB_END__MAX] = {
		[DB_END_IDLE] = "idle", [DB_END_ROLLED_BACK] = "rolled back", [DB_END_DROPPED] = "dropped",
	};
	if (connect_db(c) < 0)
		return 1;
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		const char *name = i == 0 ? "open" : i == 1 ? "failed" : "none";
		enum db_err e = DB_OK;
		if (i < 2)
			e = db_begin(c->db);
		if (e == DB_OK)
			(void)db_exec(c->db, c->arena, DB_CATEGORY_LIST, NULL, &e);
		if (e == DB_OK && i == 1) {
			/* A slug the table's check refuses: the transaction fails. */
			const char *p[] = { "Not a slug!", "x", "" };
			(void)db_exec(c->db, c->arena, DB_CATEGORY_ADD, p, &e);
			e = e == DB_ERR_CHECK ? DB_OK : DB_ERR_QUERY;
		}
		if (e != DB_OK) {
			fprintf(stderr, "hearthctl: test-end-request %s: %s\n", name, db_last_error(c->db));
			return 1;
		}
		enum db_end end = db_end_request(c->db);
		bool idle = db_conn(c->db) && PQtransactionStatus(db_conn(c->db)) == PQTRANS_IDLE;
		printf("%s: %s, %s\n", name, found[end], idle ? "idle" : "not idle");
		if (!idle)
			rc = 1;
		arena_reset(c->arena);
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *conf_path = NULL;
	int i = 1;
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		conf_path = argv[2];
		i = 3;
	}
	if (i >= argc)
		return usage(stderr);
	if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "help") == 0)
		return usage(stdout);
	log_init("hearthctl");
	argc -= i;
	argv += i;
	/* The filter commands need no configuration or database. */
	if (strcmp(argv[0], "screen") == 0)
		return mod_cli_screen(argc, argv);
	if (strcmp(argv[0], "rules") == 0 && argc > 1 && strcmp(argv[1], "check") == 0)
		return mod_cli_rules_check(argc - 1, argv + 1);

	struct ctl c = { 0 };
	char err[1024];
	if (auth_init() < 0) {
		fprintf(stderr, "hearthctl: libsodium failed to initialize\n");
		return 1;
	}
	if (conf_load(&c.conf, conf_path, err, sizeof err) != CONF_OK) {
		fprintf(stderr, "hearthctl: %s\n", err);
		return 1;
	}
	c.arena = arena_new(64 * 1024);
	int rc;
	if (strcmp(argv[0], "migrate") == 0)
		rc = cmd_migrate(&c);
	else if (strcmp(argv[0], "create-admin") == 0)
		rc = cmd_create_admin(&c, argc, argv);
	else if (strcmp(argv[0], "user") == 0)
		rc = cmd_user(&c, argc, argv);
	else if (strcmp(argv[0], "category") == 0)
		rc = cmd_category(&c, argc, argv);
	else if (strcmp(argv[0], "group") == 0)
		rc = cmd_group(&c, argc, argv);
	else if (strcmp(argv[0], "sample-data") == 0)
		rc = cmd_sample_data(&c);
	else if (strcmp(argv[0], "bench-data") == 0)
		rc = cmd_bench_data(&c, argc, argv);
	else if (strcmp(argv[0], "render-errors") == 0)
		rc = cmd_render_errors(&c, argc, argv);
	else if (strcmp(argv[0], "test-end-request") == 0)
		rc = cmd_test_end_request(&c);
	else if (strcmp(argv[0], "rules") == 0 && argc > 1 && strcmp(argv[1], "backtest") == 0)
		rc = cmd_rules_backtest(&c, argc, argv);
	else
		rc = usage(stderr);
	arena_free(c.arena);
	db_free(c.db);
	conf_free(&c.conf);
	return rc;
}
