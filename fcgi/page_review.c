/*
 * page_review.c: members' reports, the moderators' review queue, the review
 * page of one post with its actions, and the audit log.
 *
 *   GET/POST /p/:id/report   a member reports a post (a flag of source
 *                            'report'; the post joins the review queue)
 *   GET  /mod                the queue: crisis lane first, then severity,
 *                            then age
 *   GET  /mod/p/:id          one post: matched words highlighted in its
 *                            Markdown source, flags, reports, thread, the
 *                            author's recent posts, notes, redactions
 *   POST /mod/p/:id          one action, with a reason, in one transaction
 *                            together with its audit_log row
 *   GET  /mod/audit          the append-only audit log
 *
 * The dispatcher has already checked log-in, the moderator role and the
 * CSRF token (route.c). Moderators cannot act on their own posts (another
 * moderator has to), nor silence or ban a moderator's account (operators
 * manage roles with hearthctl).
 *
 * Wording stays calm everywhere: a report "lets the moderators know", a
 * post is "waiting for a moderator", never "flagged".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "log.h"
#include "markdown.h"
#include "db_care.h"
#include "page_conversation.h"
#include "db_group.h"
#include "route.h"
#include "session.h"
#include "utf8.h"

#define REASON_MAX 1000         /* characters; the audit_log check says the same */
#define DETAILS_MAX 1000        /* a report's details */
#define NOTE_MAX 2000           /* mod_notes' check */
#define REDACT_MAX 10000        /* the text to remove */
#define QUEUE_PAGE 100
#define QUEUE_PAGES_MAX 1000
#define AUDIT_PAGE 50
#define REDACTED "[removed by a moderator]"

/* ---------------------------------------------------------------- helpers */

static const char *ll(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

/* Runs one statement of a transaction unless an earlier one failed. */
static PGresult *step(struct hctx *ctx, enum db_stmt stmt, const char *const *params, enum db_err *e)
{
	if (*e != DB_OK)
		return NULL;
	return db_exec(ctx->db, ctx->arena, stmt, params, e);
}

/* A positive decimal id from the query string, or 0. */
static long long query_id(struct hctx *ctx, const char *name)
{
	const char *v = req_param(&ctx->req->query, name);
	if (!v || !*v || strlen(v) > 18)
		return 0;
	for (const char *p = v; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return strtoll(v, NULL, 10);
}

/* "12 minutes", "3 hours", "2 days": how long, for people. */
static const char *duration_text(arena *a, long long secs)
{
	if (secs < 60)
		return "less than a minute";
	long long n;
	const char *unit;
	if (secs < 3600) {
		n = secs / 60;
		unit = "minute";
	} else if (secs < 2 * 86400) {
		n = secs / 3600;
		unit = "hour";
	} else {
		n = secs / 86400;
		unit = "day";
	}
	return arena_printf(a, "%lld %s%s", n, unit, n == 1 ? "" : "s");
}

static const char *ago_text(arena *a, long long secs)
{
	return secs < 60 ? "just now" : arena_printf(a, "%s ago", duration_text(a, secs));
}

static const char *state_text(const char *state)
{
	if (!state)
		return "";
	if (strcmp(state, "held") == 0)
		return "waiting for a moderator";
	if (strcmp(state, "hidden") == 0)
		return "hidden by a moderator";
	if (strcmp(state, "deleted") == 0)
		return "deleted by its author";
	return "visible";
}

/* Sets key to the comma-separated words of csv as a list of {name, says},
 * each explained by table (unknown words stand for themselves). */
struct explained {
	const char *name;
	const char *says;
};

static void set_explained(arena *a, tpl_value *m, const char *key, const char *csv,
                          const struct explained *table, size_t n)
{
	tpl_value *list = tpl_list(a);
	const char *s = csv ? csv : "";
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (len) {
			const char *name = arena_strndup(a, s, len);
			const char *says = name;
			for (size_t i = 0; i < n; i++)
				if (strcmp(table[i].name, name) == 0)
					says = table[i].says;
			tpl_value *item = tpl_map(a);
			tpl_set_str(item, "name", name);
			tpl_set_str(item, "says", says);
			tpl_list_push(list, item);
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	tpl_set(m, key, list);
}

/* What each context modifier did (mod.h: crisis-style ones lower the
 * severity one step each; third_party renames the subcategory). */
static const struct explained context_says[] = {
	{ "negation", "negation (\"not\", \"never\") lowered the severity" },
	{ "past", "talk of the past or of recovery lowered the severity" },
	{ "quote", "quotation or reported speech lowered the severity" },
	{ "media", "the title of a book, film or song lowered the severity" },
	{ "question", "a question lowered the severity" },
	{ "third_party", "it is about another person (subcategory third_party)" },
	{ "self", "first-person self-description" },
	{ "clinical", "clinical use" },
	{ "criticism", "criticism that quotes the words" },
};

static const struct explained transform_says[] = {
	{ "emphasis", "Markdown emphasis inside a word was removed" },
	{ "spacing", "spaced-out letters were joined" },
	{ "leet", "digits or symbols stood for letters" },
	{ "homoglyph", "look-alike letters were read as plain letters" },
	{ "squeeze", "repeated letters were squeezed" },
};

/* The dispatcher checks the role before a handler runs, but it also calls a
 * POST row's form handler (page_review_item) for a visitor whose session
 * has gone, before any role check: every moderator page checks again. */
static bool moderator_only(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	if (s && s->is_moderator)
		return true;
	page_error(ctx, 403, "Moderators only", ctx->form_error ? ctx->form_error : "This page is for the forum's moderators.");
	return false;
}

/* ---------------------------------------------------------------- one post */

struct rpost {
	long long id, thread_id, parent_id, user_id;
	const char *state, *hide_reason, *body_md, *body_html;
	const char *title, *thread_state, *cat_slug, *cat_name;
	const char *author, *author_status, *author_role, *author_since;
	long long author_posts;
	bool locked, is_opening, edited;
	const char *created_iso;
	long long age;
	const char *pending_html, *pending_title;   /* a held edit (NULL: none) */
	const char *warning;                        /* content warning (NULL: none) */
	const char *item_status, *item_lane;        /* NULL: never queued */
	int item_severity;
	long long item_age;
	bool anonymous;                             /* sql/018: author shown only when revealed */
	bool revealed;                              /* a moderator's logged "show who wrote this" */
};

enum load_status { LOAD_OK, LOAD_MISSING, LOAD_DB };

static enum load_status load_post(struct hctx *ctx, long long id, struct rpost *p, enum db_err *err)
{
	const char *params[] = { ll(ctx->arena, id) };
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_REVIEW_POST, params, err);
	if (!r)
		return LOAD_DB;
	if (PQntuples(r) != 1)
		return LOAD_MISSING;
	memset(p, 0, sizeof *p);
	p->id = db_ll(r, 0, 0);
	p->thread_id = db_ll(r, 0, 1);
	p->parent_id = db_ll(r, 0, 2);
	p->user_id = db_ll(r, 0, 3);
	p->state = db_val(r, 0, 4);
	p->hide_reason = db_val(r, 0, 5);
	p->body_md = db_val(r, 0, 6);
	p->body_html = db_val(r, 0, 7);
	p->title = db_val(r, 0, 8);
	p->thread_state = db_val(r, 0, 9);
	p->locked = db_val(r, 0, 10)[0] == 't';
	p->cat_slug = db_val(r, 0, 11);
	p->cat_name = db_val(r, 0, 12);
	p->author = db_val(r, 0, 13);
	p->author_status = db_val(r, 0, 14);
	p->author_role = db_val(r, 0, 15);
	p->is_opening = db_val(r, 0, 16)[0] == 't';
	p->created_iso = db_val(r, 0, 17);
	p->age = db_ll(r, 0, 18);
	p->edited = db_val(r, 0, 19)[0] == 't';
	p->item_status = db_val(r, 0, 20);
	p->item_lane = db_val(r, 0, 21);
	p->item_severity = (int)db_ll(r, 0, 22);
	p->item_age = db_ll(r, 0, 23);
	p->author_since = db_val(r, 0, 24);
	p->author_posts = db_ll(r, 0, 25);
	p->pending_html = PQgetisnull(r, 0, 26) ? NULL : db_val(r, 0, 26);
	p->pending_title = PQgetisnull(r, 0, 27) ? NULL : db_val(r, 0, 27);
	p->warning = db_val(r, 0, 28);
	p->anonymous = db_val(r, 0, 29)[0] == 't';
	return LOAD_OK;
}

static bool author_is_moderator(const struct rpost *p)
{
	return p->author_role && (strcmp(p->author_role, "moderator") == 0 || strcmp(p->author_role, "admin") == 0);
}

/* ---------------------------------------------------------------- reports */

enum report_reason { REPORT_CRISIS, REPORT_STIGMA, REPORT_SPAM, REPORT_OTHER, REPORT__MAX };

static const struct {
	const char *code;
	const char *label;
	const char *top;        /* flags.top_category; crisis goes to the crisis lane */
	int severity;
} report_reasons[REPORT__MAX] = {
	[REPORT_CRISIS] = { "crisis", "Someone may be at risk", "crisis", 3 },
	[REPORT_STIGMA] = { "stigma", "Hurtful or stigmatizing", "stigma", 2 },
	[REPORT_SPAM] = { "spam", "Spam or advertising", "report", 1 },
	[REPORT_OTHER] = { "other", "Something else", "report", 1 },
};

/* The label of a report's category ("report.crisis"), or NULL. */
static const char *report_label(const char *category)
{
	if (!category || strncmp(category, "report.", 7) != 0)
		return NULL;
	for (int i = 0; i < REPORT__MAX; i++)
		if (strcmp(category + 7, report_reasons[i].code) == 0)
			return report_reasons[i].label;
	return NULL;
}

/* Loads the reported post, or answers 404 (a post the member cannot see is
 * not there for them) or 403 (their own post) itself. */
static bool report_target(struct hctx *ctx, struct rpost *p)
{
	enum db_err err = DB_OK;
	switch (load_post(ctx, ctx->req->id, p, &err)) {
	case LOAD_OK:
		break;
	case LOAD_DB:
		page_db_error(ctx, err);
		return false;
	case LOAD_MISSING:
		page_error(ctx, 404, "Post not found", "There is no post at this address, or it is not public.");
		return false;
	}
	/* A group's post exists only for those its group admits (db_read.h). */
	struct read_viewer v = page_viewer(ctx);
	bool admitted = false;
	if ((err = db_group_thread_admits(ctx->db, ctx->arena, p->thread_id, &v, &admitted)) != DB_OK) {
		page_db_error(ctx, err);
		return false;
	}
	/* Others' visible posts in visible threads only: a deleted thread is the
	 * moderators' (db_read_may_see_thread), like a held or hidden one. */
	if (!admitted || strcmp(p->state, "visible") != 0 || strcmp(p->thread_state, "visible") != 0) {
		page_error(ctx, 404, "Post not found", "There is no post at this address, or it is not public.");
		return false;
	}
	/* No session: the dispatcher shows the form again to a member whose
	 * session ended, so that the text they typed is not lost. */
	if (ctx->req->session && p->user_id && p->user_id == ctx->req->session->user_id) {
		page_error(ctx, 403, "That is your own post",
		           "You can edit or delete your own posts at any time. If you are having a hard time, "
		           "the help page lists people you can talk to now.");
		return false;
	}
	return true;
}

static void report_render(struct hctx *ctx, const struct rpost *p, int done_reason)
{
	tpl_value *d = page_data(ctx, done_reason >= 0 ? "Thank you for letting us know" : "Report a post");
	tpl_set_int(d, "post_id", p->id);
	tpl_set_str(d, "post_url", arena_printf(ctx->arena, "/p/%lld", p->id));
	tpl_set_str(d, "action_url", arena_printf(ctx->arena, "/p/%lld/report", p->id));
	tpl_set_str(d, "thread_title", p->title);
	tpl_set_str(d, "thread_url", arena_printf(ctx->arena, "/t/%lld", p->thread_id));
	tpl_set_str(d, "author", p->anonymous ? PAGE_ANON_AUTHOR : p->author ? p->author : "a former member");
	tpl_set_html(d, "body_html", p->body_html);
	tpl_set_str(d, "warning", p->warning);
	if (p->warning)
		page_set_cw_open(ctx, d);
	if (done_reason >= 0) {
		tpl_set_bool(d, "done", true);
		if (done_reason == REPORT_CRISIS) {
			tpl_set_bool(d, "show_crisis", true);
			page_set_crisis(ctx, d);
		}
		page_render(ctx, "report", d);
		return;
	}
	const char *chosen = page_field(ctx, "reason");
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < REPORT__MAX; i++) {
		tpl_value *r = tpl_map(ctx->arena);
		tpl_set_str(r, "code", report_reasons[i].code);
		tpl_set_str(r, "label", report_reasons[i].label);
		tpl_set_str(r, "input_id", arena_printf(ctx->arena, "reason-%s", report_reasons[i].code));
		tpl_set_bool(r, "checked", strcmp(chosen, report_reasons[i].code) == 0);
		tpl_list_push(list, r);
	}
	tpl_set(d, "reasons", list);
	tpl_set_str(d, "details_value", page_field(ctx, "details"));
	tpl_set_int(d, "details_max", DETAILS_MAX);
	page_render(ctx, "report", d);
}

void page_report_form(struct hctx *ctx)
{
	struct rpost p;
	if (report_target(ctx, &p))
		report_render(ctx, &p, -1);
}

void page_report_post(struct hctx *ctx)
{
	struct rpost p;
	if (!report_target(ctx, &p))
		return;
	const char *code = page_field(ctx, "reason");
	int reason = -1;
	for (int i = 0; i < REPORT__MAX; i++)
		if (strcmp(code, report_reasons[i].code) == 0)
			reason = i;
	const char *details = page_text_lf(ctx->arena, page_field(ctx, "details"));
	size_t dlen = strlen(details);
	const char *why = NULL;
	if (reason < 0)
		why = "Please choose what worries you about this post.";
	else if (utf8_count(details, dlen) > DETAILS_MAX)
		why = "The details are longer than 1,000 characters. Please shorten them.";
	else if (utf8_has_controls(details, dlen, true))
		why = "The details contain control characters that cannot be stored. Please remove them.";
	if (why) {
		page_form_error(ctx, 422, why);
		report_render(ctx, &p, -1);
		return;
	}
	const char *pid = ll(ctx->arena, p.id);
	const char *severity = ll(ctx->arena, report_reasons[reason].severity);
	const char *p1[] = { pid, arena_printf(ctx->arena, "report.%s", report_reasons[reason].code),
	                     report_reasons[reason].top, severity, ll(ctx->arena, ctx->req->session->user_id),
	                     page_blank(details) ? NULL : details };
	const char *p2[] = { pid, reason == REPORT_CRISIS ? "crisis" : "other", severity };
	enum db_err e = db_begin(ctx->db);
	step(ctx, DB_REPORT_ADD, p1, &e);
	step(ctx, DB_REVIEW_ENQUEUE, p2, &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		log_warn("report of post %lld: %s", p.id, db_last_error(ctx->db));
		page_form_error(ctx, page_db_transient(e) ? 503 : 500,
		                "The report could not be saved just now. What you wrote is kept below; "
		                "please try again in a minute.");
		report_render(ctx, &p, -1);
		return;
	}
	report_render(ctx, &p, reason);
}

/* ---------------------------------------------------------------- the queue */

static const struct {
	const char *action;
	const char *says;
} done_says[] = {
	{ "approve", "The post was approved." },
	{ "hide", "The post was hidden. Its author sees your reason." },
	{ "escalate", "The post was escalated and stays in the queue, marked for a more experienced moderator." },
	{ "redact", "The text was redacted. The original is kept below, for moderators only." },
	{ "note", "Your note was added." },
	{ "silence", "The author is silenced: they can still read, but cannot post." },
	{ "ban", "The author is banned and logged out everywhere." },
	{ "unsilence", "The author can post again." },
	{ "warning", "The content warning was changed. Readers see it before the post." },
	{ "message_approved", "The private message was approved: the other members of its conversation see it now." },
	{ "message_hidden", "The private message was hidden. Its writer sees your reason." },
};

/* The confirmation after an action (?done=ACTION&from=ID), if any. */
static void set_done(struct hctx *ctx, tpl_value *d, bool next)
{
	const char *done = req_param(&ctx->req->query, "done");
	if (!done)
		return;
	for (size_t i = 0; i < sizeof done_says / sizeof done_says[0]; i++) {
		if (strcmp(done, done_says[i].action) != 0)
			continue;
		long long from = query_id(ctx, "from");
		tpl_set_str(d, "done", done_says[i].says);
		if (from) {
			tpl_set_int(d, "done_post", from);
			tpl_set_str(d, "done_url", arena_printf(ctx->arena, "/mod/p/%lld", from));
		}
		tpl_set_bool(d, "done_next", next && from);
		return;
	}
}

void page_review_queue(struct hctx *ctx)
{
	if (!moderator_only(ctx))
		return;
	long long pageno = query_id(ctx, "page");
	if (pageno < 1)
		pageno = 1;
	if (pageno > QUEUE_PAGES_MAX)
		pageno = QUEUE_PAGES_MAX;
	enum db_err err;
	const char *minutes = ll(ctx->arena, ctx->conf->crisis_unanswered_minutes);
	const char *cp[] = { minutes };
	PGresult *c = db_exec(ctx->db, ctx->arena, DB_REVIEW_COUNTS, cp, &err);
	const char *params[] = { ll(ctx->arena, QUEUE_PAGE + 1), ll(ctx->arena, (pageno - 1) * QUEUE_PAGE), minutes };
	PGresult *r = c ? db_exec(ctx->db, ctx->arena, DB_REVIEW_QUEUE, params, &err) : NULL;
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, "Review queue");
	long long crisis = db_ll(c, 0, 0), other = db_ll(c, 0, 1);
	tpl_set_int(d, "count_crisis", crisis);
	tpl_set_int(d, "count_other", other);
	tpl_set_int(d, "count_escalated", db_ll(c, 0, 2));
	tpl_set_int(d, "count_total", crisis + other);
	tpl_set_int(d, "count_unanswered", db_ll(c, 0, 3));
	set_done(ctx, d, false);
	tpl_value *items = tpl_list(ctx->arena);
	int n = PQntuples(r);
	for (int i = 0; i < n && i < QUEUE_PAGE; i++) {
		tpl_value *it = tpl_map(ctx->arena);
		long long id = db_ll(r, i, 0);
		const char *lane = db_val(r, i, 1);
		const char *status = db_val(r, i, 3);
		const char *state = db_val(r, i, 6);
		bool cut = db_val(r, i, 11)[0] == 't';
		tpl_set_int(it, "post_id", id);
		tpl_set_str(it, "url", arena_printf(ctx->arena, "/mod/p/%lld", id));
		tpl_set_str(it, "lane", lane);
		tpl_set_bool(it, "is_crisis", strcmp(lane, "crisis") == 0);
		tpl_set_int(it, "severity", db_ll(r, i, 2));
		tpl_set_str(it, "status", status);
		tpl_set_bool(it, "escalated", strcmp(status, "escalated") == 0);
		tpl_set_str(it, "waiting", arena_printf(ctx->arena, "waiting %s", duration_text(ctx->arena, db_ll(r, i, 4))));
		tpl_set_str(it, "since_iso", db_val(r, i, 5));
		tpl_set_str(it, "state", state);
		tpl_set_str(it, "state_text", state_text(state));
		tpl_set_bool(it, "held", strcmp(state, "held") == 0);
		tpl_set_str(it, "thread_title", db_val(r, i, 8));
		tpl_set_str(it, "thread_url", arena_printf(ctx->arena, "/t/%lld", db_ll(r, i, 7)));
		tpl_set_str(it, "author", db_val(r, i, 16)[0] == 't' ? PAGE_ANON_AUTHOR :
		            db_val(r, i, 9) ? db_val(r, i, 9) : "a former member");
		tpl_set_str(it, "excerpt", arena_printf(ctx->arena, "%s%s", db_val(r, i, 10), cut ? "\u2026" : ""));
		tpl_set_str(it, "categories", db_val(r, i, 12));
		tpl_set_str(it, "rule_ids", db_val(r, i, 13));
		tpl_set_int(it, "reports", db_ll(r, i, 14));
		tpl_set_bool(it, "unanswered", db_val(r, i, 15)[0] == 't');
		tpl_list_push(items, it);
	}
	tpl_set(d, "items", items);
	if ((err = conv_review_queue_data(ctx, d)) != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	if (n > QUEUE_PAGE && pageno < QUEUE_PAGES_MAX)
		tpl_set_str(d, "next_url", arena_printf(ctx->arena, "/mod?page=%lld", pageno + 1));
	if (pageno > 1)
		tpl_set_str(d, "prev_url", pageno == 2 ? "/mod" : arena_printf(ctx->arena, "/mod?page=%lld", pageno - 1));
	tpl_set_bool(d, "has_pager", pageno > 1 || n > QUEUE_PAGE);
	page_render(ctx, "review_queue", d);
}

/* ---------------------------------------------------------------- highlighting */

struct span {
	size_t start, end;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

static bool on_boundary(const char *s, size_t len, size_t off)
{
	return off == len || (off < len && ((unsigned char)s[off] & 0xC0) != 0x80);
}

static bool span_ok(const char *text, size_t len, const struct span *s)
{
	return s->start < s->end && s->end <= len && on_boundary(text, len, s->start) &&
	       on_boundary(text, len, s->end);
}

static void push_segment(arena *a, tpl_value *list, const char *s, size_t n, bool marked)
{
	tpl_value *seg = tpl_map(a);
	tpl_set_strn(seg, "text", s, n);
	tpl_set_bool(seg, "marked", marked);
	tpl_list_push(list, seg);
}

/* Cuts text into segments {text, marked}: spans that overlap or touch are
 * merged; spans outside the text or not on UTF-8 boundaries are skipped
 * (they would cut a character in two). spans is sorted in place. */
static tpl_value *highlight(arena *a, const char *text, struct span *spans, size_t n, size_t *marks)
{
	size_t len = strlen(text);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (span_ok(text, len, &spans[i]))
			spans[k++] = spans[i];
	if (k > 1)
		qsort(spans, k, sizeof *spans, span_cmp);
	tpl_value *list = tpl_list(a);
	size_t pos = 0;
	*marks = 0;
	for (size_t i = 0; i < k;) {
		size_t start = spans[i].start, end = spans[i].end;
		for (i++; i < k && spans[i].start <= end; i++)
			if (spans[i].end > end)
				end = spans[i].end;
		if (start > pos)
			push_segment(a, list, text + pos, start - pos, false);
		push_segment(a, list, text + start, end - start, true);
		(*marks)++;
		pos = end;
	}
	if (pos < len || len == 0)
		push_segment(a, list, text + pos, len - pos, false);
	return list;
}

/* Reads a span from two result columns; false for NULL or negative. */
static bool read_span(const PGresult *r, int row, int c0, struct span *s)
{
	const char *a = db_val(r, row, c0), *b = db_val(r, row, c0 + 1);
	if (!a || !b || a[0] == '-' || b[0] == '-')
		return false;
	s->start = (size_t)strtoull(a, NULL, 10);
	s->end = (size_t)strtoull(b, NULL, 10);
	return true;
}

/* ---------------------------------------------------------------- rule notes */

/* Notes are not stored with a flag: they belong to the rule set, so the
 * review page screens the text again with the loaded rules and takes each
 * rule's note from there (a rule that no longer matches shows none). */
struct notes {
	mod_result body, title;
	bool body_done, title_done;
};

static void notes_free(void *p)
{
	struct notes *n = p;
	if (n->body_done)
		mod_result_free(&n->body);
	if (n->title_done)
		mod_result_free(&n->title);
}

static struct notes *notes_screen(struct hctx *ctx, const struct rpost *p)
{
	struct notes *n = ARENA_NEW(ctx->arena, struct notes);
	if (!ctx->rules)
		return n;
	arena_on_reset(ctx->arena, notes_free, n);
	(void)mod_screen(ctx->rules, p->body_md, strlen(p->body_md), &n->body);
	n->body_done = true;
	if (p->is_opening) {
		(void)mod_screen(ctx->rules, p->title, strlen(p->title), &n->title);
		n->title_done = true;
	}
	return n;
}

static const char *note_in(const mod_result *res, const char *rule_id)
{
	for (size_t i = 0; i < res->count; i++)
		if (res->matches[i].rule_id && strcmp(res->matches[i].rule_id, rule_id) == 0 && res->matches[i].note &&
		    res->matches[i].note[0])
			return res->matches[i].note;
	return NULL;
}

static const char *rule_note(const struct notes *n, const char *rule_id)
{
	if (!n || !rule_id)
		return NULL;
	const char *note = n->body_done ? note_in(&n->body, rule_id) : NULL;
	if (!note && n->title_done)
		note = note_in(&n->title, rule_id);
	return note;
}

/* ---------------------------------------------------------------- one item */

/* Flags and reports, with the highlighted body and title. */
static bool set_flags(struct hctx *ctx, tpl_value *d, const struct rpost *p, enum db_err *err)
{
	const char *params[] = { ll(ctx->arena, p->id) };
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_REVIEW_FLAGS, params, err);
	if (!r)
		return false;
	int n = PQntuples(r);
	struct span *body_spans = ARENA_NEW_ARRAY(ctx->arena, struct span, (size_t)n + 1);
	struct span *title_spans = ARENA_NEW_ARRAY(ctx->arena, struct span, (size_t)n + 1);
	size_t nbody = 0, ntitle = 0;
	size_t body_len = strlen(p->body_md), title_len = strlen(p->title);
	struct notes *notes = NULL;
	tpl_value *flags = tpl_list(ctx->arena), *reports = tpl_list(ctx->arena);
	int earlier = 0;
	for (int i = 0; i < n; i++) {
		const char *source = db_val(r, i, 1);
		const char *field = db_val(r, i, 2);
		bool current = db_val(r, i, 17)[0] == 't';
		tpl_value *f = tpl_map(ctx->arena);
		tpl_set_str(f, "created_iso", db_val(r, i, 15));
		tpl_set_str(f, "ago", ago_text(ctx->arena, db_ll(r, i, 16)));
		if (strcmp(source, "report") == 0) {
			const char *label = report_label(db_val(r, i, 5));
			tpl_set_str(f, "reason", label ? label : db_val(r, i, 5));
			tpl_set_bool(f, "is_crisis", strcmp(db_val(r, i, 6), "crisis") == 0);
			tpl_set_str(f, "details", db_val(r, i, 14));
			tpl_set_str(f, "reporter", db_val(r, i, 13) ? db_val(r, i, 13) : "a former member");
			tpl_set_bool(f, "current", current);
			tpl_list_push(reports, f);
			continue;
		}
		bool is_title = strcmp(field, "title") == 0;
		const char *text = is_title ? p->title : p->body_md;
		size_t text_len = is_title ? title_len : body_len;
		struct span s;
		bool has_span = read_span(r, i, 9, &s);
		bool shown = current && has_span && span_ok(text, text_len, &s);
		if (shown) {
			if (is_title)
				title_spans[ntitle++] = s;
			else
				body_spans[nbody++] = s;
		}
		if (!current)
			earlier++;
		const char *rule_id = db_val(r, i, 3);
		if (!notes && rule_id)
			notes = notes_screen(ctx, p);
		tpl_set_str(f, "rule_id", rule_id ? rule_id : "(no rule)");
		tpl_set_str(f, "ruleset_version", db_val(r, i, 4));
		tpl_set_str(f, "category", db_val(r, i, 5));
		tpl_set_str(f, "top", db_val(r, i, 6));
		tpl_set_bool(f, "is_crisis", strcmp(db_val(r, i, 6), "crisis") == 0);
		tpl_set_int(f, "severity", db_ll(r, i, 7));
		tpl_set_str(f, "action", db_val(r, i, 8));
		tpl_set_str(f, "field", is_title ? "title" : "text");
		tpl_set_bool(f, "current", current);
		if (shown)
			tpl_set_strn(f, "words", text + s.start, s.end - s.start);
		else
			tpl_set_str(f, "words", NULL);
		set_explained(ctx->arena, f, "context", db_val(r, i, 11), context_says,
		              sizeof context_says / sizeof context_says[0]);
		set_explained(ctx->arena, f, "transforms", db_val(r, i, 12), transform_says,
		              sizeof transform_says / sizeof transform_says[0]);
		tpl_set_str(f, "note", rule_note(notes, rule_id));
		tpl_list_push(flags, f);
	}
	tpl_set(d, "flags", flags);
	tpl_set(d, "reports", reports);
	tpl_set_int(d, "flags_earlier", earlier);
	size_t marks;
	tpl_set(d, "body_segments", highlight(ctx->arena, p->body_md, body_spans, nbody, &marks));
	tpl_set_int(d, "body_marks", (long long)marks);
	tpl_set(d, "title_segments", highlight(ctx->arena, p->title, title_spans, ntitle, &marks));
	tpl_set_int(d, "title_marks", (long long)marks);
	return true;
}

static bool set_context(struct hctx *ctx, tpl_value *d, const struct rpost *p, enum db_err *err)
{
	const char *params[] = { ll(ctx->arena, p->id) };
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_REVIEW_CONTEXT, params, err);
	if (!r)
		return false;
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *c = tpl_map(ctx->arena);
		long long id = db_ll(r, i, 0);
		const char *state = db_val(r, i, 2);
		tpl_set_int(c, "id", id);
		tpl_set_str(c, "url", arena_printf(ctx->arena, "/mod/p/%lld", id));
		tpl_set_int(c, "depth", db_ll(r, i, 1));
		tpl_set_str(c, "state", state);
		tpl_set_str(c, "state_text", state_text(state));
		tpl_set_bool(c, "not_visible", strcmp(state, "visible") != 0);
		tpl_set_str(c, "author", db_val(r, i, 9)[0] == 't' ? PAGE_ANON_AUTHOR :
		            db_val(r, i, 3) ? db_val(r, i, 3) : "a former member");
		tpl_set_html(c, "body_html", db_val(r, i, 4));
		tpl_set_str(c, "created_iso", db_val(r, i, 5));
		tpl_set_str(c, "ago", ago_text(ctx->arena, db_ll(r, i, 6)));
		tpl_set_bool(c, "is_parent", db_val(r, i, 7)[0] == 't');
		tpl_set_bool(c, "is_this", db_val(r, i, 8)[0] == 't');
		tpl_list_push(list, c);
	}
	tpl_set(d, "context", list);
	return true;
}

static bool set_author(struct hctx *ctx, tpl_value *d, const struct rpost *p, enum db_err *err)
{
	tpl_value *a = tpl_map(ctx->arena);
	if (p->anonymous && !p->revealed) {
		/* Nothing that tells who: no handle, account or other posts. */
		tpl_set_bool(a, "anonymous", true);
		tpl_set_str(a, "handle", PAGE_ANON_AUTHOR);
		tpl_set_str(a, "reveal_url", arena_printf(ctx->arena, "/mod/p/%lld/reveal", p->id));
		tpl_set(a, "recent", tpl_list(ctx->arena));
		tpl_set(d, "author", a);
		return true;
	}
	tpl_set_bool(a, "revealed", p->revealed);
	tpl_set_str(a, "handle", p->author ? p->author : "a former member");
	tpl_set_bool(a, "exists", p->user_id && p->author);
	/* A check-in is never offered for an anonymous post, revealed or not
	 * (page_checkin_post refuses it). */
	tpl_set_bool(a, "contact", p->user_id && p->author && !p->anonymous);
	tpl_set_str(a, "url", p->author ? arena_printf(ctx->arena, "/u/%s", p->author) : NULL);
	tpl_set_str(a, "mod_url", p->author ? arena_printf(ctx->arena, "/mod/u/%s", p->author) : NULL);
	tpl_set_str(a, "status", p->author_status);
	tpl_set_bool(a, "silenced", p->author_status && strcmp(p->author_status, "silenced") == 0);
	tpl_set_bool(a, "banned", p->author_status && strcmp(p->author_status, "banned") == 0);
	tpl_set_bool(a, "restricted", p->author_status && (strcmp(p->author_status, "silenced") == 0 ||
	                                                    strcmp(p->author_status, "banned") == 0));
	tpl_set_bool(a, "is_moderator", author_is_moderator(p));
	tpl_set_str(a, "since", p->author_since);
	tpl_set_int(a, "posts", p->author_posts);
	tpl_value *recent = tpl_list(ctx->arena);
	if (p->user_id) {
		const char *params[] = { ll(ctx->arena, p->user_id), ll(ctx->arena, p->id) };
		PGresult *r = db_exec(ctx->db, ctx->arena, DB_REVIEW_AUTHOR_RECENT, params, err);
		if (!r)
			return false;
		for (int i = 0; i < PQntuples(r); i++) {
			tpl_value *rp = tpl_map(ctx->arena);
			long long id = db_ll(r, i, 0);
			const char *state = db_val(r, i, 3);
			tpl_set_int(rp, "id", id);
			tpl_set_str(rp, "url", arena_printf(ctx->arena, "/mod/p/%lld", id));
			tpl_set_str(rp, "thread_title", db_val(r, i, 2));
			tpl_set_str(rp, "state", state);
			tpl_set_str(rp, "state_text", state_text(state));
			tpl_set_str(rp, "excerpt", arena_printf(ctx->arena, "%s%s", db_val(r, i, 4),
			                                        db_val(r, i, 5)[0] == 't' ? "\u2026" : ""));
			tpl_set_str(rp, "created_iso", db_val(r, i, 6));
			tpl_set_str(rp, "ago", ago_text(ctx->arena, db_ll(r, i, 7)));
			tpl_list_push(recent, rp);
		}
	}
	tpl_set(a, "recent", recent);
	tpl_set(d, "author", a);
	return true;
}

/* Notes, redactions and earlier actions on the post. */
static bool set_history(struct hctx *ctx, tpl_value *d, const struct rpost *p, enum db_err *err)
{
	const char *params[] = { ll(ctx->arena, p->id) };
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_REVIEW_NOTES, params, err);
	if (!r)
		return false;
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *n = tpl_map(ctx->arena);
		tpl_set_str(n, "note", db_val(r, i, 0));
		tpl_set_str(n, "moderator", db_val(r, i, 1));
		tpl_set_str(n, "at_iso", db_val(r, i, 2));
		tpl_set_str(n, "at", db_val(r, i, 3));
		tpl_list_push(list, n);
	}
	tpl_set(d, "notes", list);

	if (!(r = db_exec(ctx->db, ctx->arena, DB_REVIEW_REDACTIONS, params, err)))
		return false;
	list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *x = tpl_map(ctx->arena);
		tpl_set_str(x, "original_md", db_val(r, i, 0));
		tpl_set_str(x, "reason", db_val(r, i, 1));
		tpl_set_str(x, "moderator", db_val(r, i, 2));
		tpl_set_str(x, "at_iso", db_val(r, i, 3));
		tpl_set_str(x, "at", db_val(r, i, 4));
		tpl_list_push(list, x);
	}
	tpl_set(d, "redactions", list);

	if (!(r = db_exec(ctx->db, ctx->arena, DB_AUDIT_FOR_POST, params, err)))
		return false;
	list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *x = tpl_map(ctx->arena);
		tpl_set_str(x, "at_iso", db_val(r, i, 0));
		tpl_set_str(x, "at", db_val(r, i, 1));
		tpl_set_str(x, "moderator", db_val(r, i, 2));
		tpl_set_str(x, "action", db_val(r, i, 3));
		tpl_set_str(x, "reason", db_val(r, i, 4));
		tpl_set_str(x, "detail", db_val(r, i, 5));
		tpl_list_push(list, x);
	}
	tpl_set(d, "history", list);
	return true;
}

/* The review item; reveal: the caller has logged a "show who wrote this". */
static void review_item(struct hctx *ctx, bool reveal)
{
	if (!moderator_only(ctx))
		return;
	struct rpost p;
	enum db_err err = DB_OK;
	switch (load_post(ctx, ctx->req->id, &p, &err)) {
	case LOAD_OK:
		p.revealed = reveal && p.anonymous;
		break;
	case LOAD_DB:
		page_db_error(ctx, err);
		return;
	case LOAD_MISSING:
		page_error(ctx, 404, "Post not found", "There is no post with this number.");
		return;
	}
	tpl_value *d = page_data(ctx, arena_printf(ctx->arena, "Review post %lld", p.id));
	if (!set_flags(ctx, d, &p, &err) || !set_context(ctx, d, &p, &err) || !set_author(ctx, d, &p, &err) ||
	    !set_history(ctx, d, &p, &err)) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *post = tpl_map(ctx->arena);
	tpl_set_int(post, "id", p.id);
	tpl_set_str(post, "url", arena_printf(ctx->arena, "/p/%lld", p.id));
	tpl_set_str(post, "state", p.state);
	tpl_set_str(post, "state_text", state_text(p.state));
	tpl_set_str(post, "hide_reason", p.hide_reason);
	tpl_set_html(post, "body_html", p.body_html);
	tpl_set_bool(post, "is_opening", p.is_opening);
	tpl_set_bool(post, "edited", p.edited);
	tpl_set_str(post, "created_iso", p.created_iso);
	tpl_set_str(post, "ago", ago_text(ctx->arena, p.age));
	tpl_set_str(post, "thread_title", p.title);
	tpl_set_str(post, "thread_url", arena_printf(ctx->arena, "/t/%lld", p.thread_id));
	tpl_set_str(post, "thread_state", p.thread_state);
	tpl_set_bool(post, "thread_locked", p.locked);
	tpl_set_str(post, "category", p.cat_name);
	tpl_set_str(post, "category_url", arena_printf(ctx->arena, "/c/%s", p.cat_slug));
	tpl_set_str(post, "revisions_url", arena_printf(ctx->arena, "/p/%lld/revisions", p.id));
	if (p.pending_html) {
		tpl_set_html(post, "pending_html", p.pending_html);
		tpl_set_str(post, "pending_title", p.pending_title);
	}
	tpl_set(d, "post", post);
	if (p.item_status) {
		tpl_value *item = tpl_map(ctx->arena);
		tpl_set_str(item, "status", p.item_status);
		tpl_set_bool(item, "waiting", strcmp(p.item_status, "resolved") != 0);
		tpl_set_bool(item, "escalated", strcmp(p.item_status, "escalated") == 0);
		tpl_set_str(item, "lane", p.item_lane);
		tpl_set_bool(item, "is_crisis", strcmp(p.item_lane, "crisis") == 0);
		tpl_set_int(item, "severity", p.item_severity);
		tpl_set_str(item, "waiting_text",
		            arena_printf(ctx->arena, "waiting %s", duration_text(ctx->arena, p.item_age)));
		tpl_set(d, "item", item);
	}
	bool own = p.user_id && p.user_id == ctx->req->session->user_id;
	tpl_set_bool(d, "own_post", own);
	tpl_set_bool(d, "can_act", !own);
	tpl_set_bool(d, "can_restrict", !own && p.user_id && p.author && !author_is_moderator(&p));
	tpl_set_str(d, "action_url", arena_printf(ctx->arena, "/mod/p/%lld", p.id));
	tpl_set_str(d, "reason_value", page_field(ctx, "reason"));
	tpl_set_str(d, "redact_value", page_field(ctx, "redact_from"));
	/* A refused "Show who wrote this" keeps the reason typed. */
	tpl_set_str(d, "reveal_value", page_field(ctx, "reveal_reason"));
	tpl_set_str(post, "warning", p.warning);
	tpl_set_str(d, "warning_value", ctx->req->method == HTTP_POST ? page_field(ctx, "warning") : p.warning);
	tpl_set_int(d, "reason_max", REASON_MAX);
	set_done(ctx, d, true);
	page_render(ctx, "review_item", d);
}

void page_review_item(struct hctx *ctx)
{
	review_item(ctx, false);
}

/*
 * POST /mod/p/:id/reveal: who wrote an anonymous post, for this moderator,
 * this once. The audit entry commits before anything is shown, and the
 * answer is the review item itself (200, not a redirect: a GET must never
 * show the author, and a reload asks again, logged again). The entry names
 * the post, not the member: the audit log is read by every moderator.
 */
void page_review_reveal(struct hctx *ctx)
{
	if (!moderator_only(ctx))
		return;
	struct session *me = ctx->req->session;
	const char *reason = page_text_lf(ctx->arena, page_field(ctx, "reveal_reason"));
	if (page_blank(reason)) {
		page_form_error(ctx, 422, "Say why you need to know who wrote this post: it goes in the audit log.");
		review_item(ctx, false);
		return;
	}
	const char *pid = ll(ctx->arena, ctx->req->id);
	const char *p0[] = { pid };
	enum db_err e = db_begin(ctx->db);
	PGresult *r = step(ctx, DB_ANON_REVEAL, p0, &e);
	if (!r) {
		db_rollback(ctx->db);
		page_db_error(ctx, e);
		return;
	}
	if (PQntuples(r) != 1) {
		db_rollback(ctx->db);
		page_error(ctx, 404, "Not an anonymous post", "There is no anonymous post with this number.");
		return;
	}
	const char *audit[] = {
		ll(ctx->arena, me->user_id), me->handle, "reveal", pid, db_val(r, 0, 1), NULL, reason,
		"showed who wrote this anonymous post",
	};
	step(ctx, DB_AUDIT_ADD, audit, &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		page_db_error(ctx, e);
		return;
	}
	review_item(ctx, true);
}

/* ---------------------------------------------------------------- actions */

enum review_action {
	RA_APPROVE, RA_HIDE, RA_ESCALATE, RA_REDACT, RA_NOTE, RA_SILENCE, RA_BAN, RA_UNSILENCE, RA_WARNING,
	RA__MAX
};

static const struct {
	const char *name;
	bool on_author;         /* acts on the author's account */
	bool moves_on;          /* finishes the item: go to the next one */
} review_actions[RA__MAX] = {
	[RA_APPROVE] = { "approve", false, true },
	[RA_HIDE] = { "hide", false, true },
	[RA_ESCALATE] = { "escalate", false, true },
	[RA_REDACT] = { "redact", false, false },
	[RA_NOTE] = { "note", false, false },
	[RA_SILENCE] = { "silence", true, false },
	[RA_BAN] = { "ban", true, false },
	[RA_UNSILENCE] = { "unsilence", true, false },
	[RA_WARNING] = { "warning", false, false },
};

/* The post as the action's transaction sees it (locked). */
struct locked {
	long long user_id, thread_id;
	const char *state, *body_md, *body_html, *thread_state;
	const char *author, *author_role, *author_status;
	bool is_opening;
	bool anonymous;                 /* the audit entry does not name the author */
};

/* Every occurrence of from in text replaced by REDACTED; *count gets how
 * many. */
static char *redact_text(arena *a, const char *text, const char *from, int *count)
{
	size_t flen = strlen(from);
	buf b;
	buf_init(&b, a, strlen(text) + 64);
	*count = 0;
	const char *s = text, *hit;
	while ((hit = strstr(s, from)) != NULL) {
		buf_append(&b, s, (size_t)(hit - s));
		buf_puts(&b, REDACTED);
		(*count)++;
		s = hit + flen;
	}
	buf_puts(&b, s);
	return b.data;
}

/* A refused action: the review page again, with what was typed. */
static void refuse(struct hctx *ctx, int status, const char *why)
{
	page_form_error(ctx, status, why);
	page_review_item(ctx);
}

static const char *check_reason(const char *reason)
{
	size_t len = strlen(reason);
	if (len == 0 || page_blank(reason))
		return "Every action needs a reason: a few words on why, for the audit log "
		       "(and for the author, when you hide a post).";
	if (utf8_count(reason, len) > REASON_MAX)
		return "The reason is longer than 1,000 characters. Please shorten it.";
	if (utf8_has_controls(reason, len, true))
		return "The reason contains control characters that cannot be stored. Please remove them.";
	return NULL;
}

/* What an action does inside the transaction. Returns 0 when done (*detail
 * set), or an HTTP status with *why for a refusal (the caller rolls back). */
static int act(struct hctx *ctx, enum review_action action, const struct locked *t, const char *reason,
               const char **detail, const char **why, enum db_err *e)
{
	arena *a = ctx->arena;
	const char *pid = ll(a, ctx->req->id);
	const char *me = ll(a, ctx->req->session->user_id);
	const char *uid = t->user_id ? ll(a, t->user_id) : NULL;
	switch (action) {
	case RA_APPROVE: {
		bool changes = strcmp(t->state, "held") == 0 || strcmp(t->state, "hidden") == 0;
		if (changes) {
			const char *p[] = { pid, "visible", NULL };
			step(ctx, DB_REVIEW_POST_SET_STATE, p, e);
		}
		/* A held edit goes public with the approval. */
		const char *pe[] = { pid };
		step(ctx, DB_REVIEW_PENDING_APPLY, pe, e);
		if (t->is_opening) {
			const char *p[] = { ll(a, t->thread_id) };
			step(ctx, DB_REVIEW_THREAD_SHOW, p, e);
		}
		const char *p[] = { pid, me };
		step(ctx, DB_REVIEW_RESOLVE, p, e);
		*detail = changes ? arena_printf(a, "%s \u2192 visible", t->state) : arena_printf(a, "stays %s", t->state);
		return 0;
	}
	case RA_HIDE: {
		if (strcmp(t->state, "deleted") == 0) {
			*why = "Its author has deleted this post, so there is nothing to hide. Approve it to close the item.";
			return 409;
		}
		const char *p[] = { pid, "hidden", reason };
		step(ctx, DB_REVIEW_POST_SET_STATE, p, e);
		const char *pe[] = { pid };
		step(ctx, DB_REVIEW_PENDING_DISCARD, pe, e);
		const char *p2[] = { pid, me };
		step(ctx, DB_REVIEW_RESOLVE, p2, e);
		*detail = arena_printf(a, "%s \u2192 hidden", t->state);
		return 0;
	}
	case RA_ESCALATE: {
		const char *p[] = { pid };
		step(ctx, DB_REVIEW_ESCALATE, p, e);
		*detail = "escalated";
		return 0;
	}
	case RA_REDACT: {
		const char *from = page_text_lf(a, page_field(ctx, "redact_from"));
		size_t flen = strlen(from);
		if (flen == 0 || page_blank(from)) {
			*why = "To redact, copy the exact words to remove from the Markdown source into "
			       "\"Text to remove\".";
			return 422;
		}
		if (utf8_count(from, flen) > REDACT_MAX) {
			*why = "The text to remove is longer than 10,000 characters. To take down the whole "
			       "post, hide it instead.";
			return 422;
		}
		if (!strstr(t->body_md, from)) {
			*why = "The text to remove does not occur in the post's Markdown source. Copy it exactly "
			       "from the source shown on this page (spaces and line breaks count).";
			return 422;
		}
		int count;
		const char *md = redact_text(a, t->body_md, from, &count);
		const char *html = page_markdown(ctx, md);
		if (!html) {
			*why = "The redacted text could not be prepared. Nothing was changed; please try again.";
			return 500;
		}
		const char *p1[] = { pid, reason, me };
		PGresult *r = step(ctx, DB_REVIEW_REDACTION_ADD, p1, e);
		const char *p2[] = { pid, md, html };
		step(ctx, DB_REVIEW_POST_SET_BODY, p2, e);
		/* The removed words stay out of the audit log, which nobody can
		 * ever edit: the redaction row (deleted with the post) keeps them. */
		*detail = arena_printf(a, "redaction %s: %zu characters removed in %d place%s",
		                       r && PQntuples(r) ? db_val(r, 0, 0) : "?", utf8_count(from, flen), count,
		                       count == 1 ? "" : "s");
		return 0;
	}
	case RA_NOTE: {
		const char *note = page_text_lf(a, page_field(ctx, "note"));
		if (!*note || page_blank(note))
			note = reason;
		size_t nlen = strlen(note);
		if (utf8_count(note, nlen) > NOTE_MAX || utf8_has_controls(note, nlen, true)) {
			*why = "The note is longer than 2,000 characters or holds control characters.";
			return 422;
		}
		const char *p[] = { pid, me, note };
		PGresult *r = step(ctx, DB_REVIEW_NOTE_ADD, p, e);
		*detail = arena_printf(a, "note %s", r && PQntuples(r) ? db_val(r, 0, 0) : "?");
		return 0;
	}
	case RA_SILENCE:
	case RA_BAN:
	case RA_UNSILENCE: {
		if (!uid || !t->author || strcmp(t->author_status, "deleted") == 0) {
			*why = "The author of this post has deleted their account.";
			return 409;
		}
		if (strcmp(t->author_role, "moderator") == 0 || strcmp(t->author_role, "admin") == 0) {
			*why = "The author is a moderator. Moderators' accounts are managed by the site's "
			       "operators; talk to them.";
			return 403;
		}
		const char *to = action == RA_SILENCE ? "silenced" : action == RA_BAN ? "banned" : "active";
		if (strcmp(t->author_status, to) == 0) {
			*why = action == RA_UNSILENCE ? "The author's account is neither silenced nor banned." :
			       action == RA_SILENCE ? "The author is already silenced." : "The author is already banned.";
			return 409;
		}
		const char *p[] = { uid, to };
		step(ctx, DB_REVIEW_USER_SET_STATUS, p, e);
		if (action == RA_BAN) {
			const char *p2[] = { uid };
			step(ctx, DB_REVIEW_USER_SESSIONS_END, p2, e);
		}
		*detail = arena_printf(a, "%s \u2192 %s", t->author_status, to);
		return 0;
	}
	case RA_WARNING: {
		/* Blank clears it; the route's form refused over CARE_WARNING_MAX
		 * characters and control characters. */
		const char *typed = page_field(ctx, "warning");
		const char *warning = page_blank(typed) ? NULL : typed;
		const char *old = NULL;
		long long author = 0;
		bool found = false;
		if (*e == DB_OK)
			*e = db_care_warning_set(ctx->db, a, ctx->req->id, warning, &old, &author, &found);
		if (*e == DB_OK && old && warning && strcmp(old, warning) == 0) {
			*why = "The post already has this content warning. Type a different one, or clear the "
			       "field to remove it.";
			return 409;
		}
		if (*e == DB_OK && !old && !warning) {
			*why = "The post has no content warning to remove. Type one in \"Content warning\".";
			return 422;
		}
		*detail = arena_printf(a, "content warning: %s%s%s \u2192 %s%s%s", old ? "\u201c" : "",
		                       old ? old : "none", old ? "\u201d" : "", warning ? "\u201c" : "",
		                       warning ? warning : "none", warning ? "\u201d" : "");
		return 0;
	}
	case RA__MAX:
		break;
	}
	abort();
}

void page_review_action(struct hctx *ctx)
{
	if (!moderator_only(ctx))
		return;
	struct session *me = ctx->req->session;
	const char *name = page_field(ctx, "action");
	int action = -1;
	for (int i = 0; i < RA__MAX; i++)
		if (strcmp(name, review_actions[i].name) == 0)
			action = i;
	if (action < 0) {
		refuse(ctx, 422, "Choose one of the actions below.");
		return;
	}
	const char *reason = page_text_lf(ctx->arena, page_field(ctx, "reason"));
	const char *why = check_reason(reason);
	if (why) {
		refuse(ctx, 422, why);
		return;
	}

	const char *pid = ll(ctx->arena, ctx->req->id);
	const char *p0[] = { pid };
	enum db_err e = db_begin(ctx->db);
	PGresult *r = step(ctx, DB_REVIEW_POST_LOCK, p0, &e);
	if (!r) {
		db_rollback(ctx->db);
		page_db_error(ctx, e);
		return;
	}
	if (PQntuples(r) != 1) {
		db_rollback(ctx->db);
		page_error(ctx, 404, "Post not found", "There is no post with this number.");
		return;
	}
	struct locked t = {
		.user_id = db_ll(r, 0, 0), .state = db_val(r, 0, 1), .body_md = db_val(r, 0, 2),
		.body_html = db_val(r, 0, 3), .is_opening = db_val(r, 0, 4)[0] == 't',
		.thread_id = db_ll(r, 0, 5), .thread_state = db_val(r, 0, 6), .author = db_val(r, 0, 7),
		.author_role = db_val(r, 0, 8), .author_status = db_val(r, 0, 9),
		.anonymous = db_val(r, 0, 10)[0] == 't',
	};
	if (t.user_id && t.user_id == me->user_id) {
		db_rollback(ctx->db);
		page_error(ctx, 403, "This is your own post",
		           "Moderators do not review their own posts: another moderator will look at it.");
		return;
	}
	const char *detail = "";
	why = NULL;
	int status = act(ctx, (enum review_action)action, &t, reason, &detail, &why, &e);
	if (status) {
		db_rollback(ctx->db);
		refuse(ctx, status, why);
		return;
	}
	bool on_author = review_actions[action].on_author;
	const char *audit[] = {
		ll(ctx->arena, me->user_id), me->handle, review_actions[action].name, pid,
		t.user_id ? ll(ctx->arena, t.user_id) : NULL, t.anonymous ? NULL : t.author, reason,
		on_author ? arena_printf(ctx->arena, "account: %s", detail) : detail,
	};
	step(ctx, DB_AUDIT_ADD, audit, &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		log_warn("moderator action %s on post %s: %s", review_actions[action].name, pid,
		         db_last_error(ctx->db));
		refuse(ctx, page_db_transient(e) ? 503 : 500,
		       "The action could not be saved just now, so nothing changed. Your reason is kept below; "
		       "please try again.");
		return;
	}
	/* Committed: the thread's stored pages go now, not when the cache
	 * keeper gets to it (it may be stopped or dead; cache.h). */
	cache_forget_thread(ctx->conf, t.thread_id);

	const char *done = review_actions[action].name;
	if (!review_actions[action].moves_on) {
		page_redirect(ctx, arena_printf(ctx->arena, "/mod/p/%s?done=%s", pid, done));
		return;
	}
	/* The action is committed: if the next item cannot be read, the queue
	 * itself is the next best place. */
	enum db_err ne;
	PGresult *next = db_exec(ctx->db, ctx->arena, DB_REVIEW_NEXT, p0, &ne);
	if (next && PQntuples(next) == 1)
		page_redirect(ctx, arena_printf(ctx->arena, "/mod/p/%s?done=%s&from=%s", db_val(next, 0, 0), done, pid));
	else
		page_redirect(ctx, arena_printf(ctx->arena, "/mod?done=%s&from=%s", done, pid));
}

/* ---------------------------------------------------------------- audit log */

static const struct explained action_says[] = {
	{ "approve", "approved" },
	{ "hide", "hid" },
	{ "escalate", "escalated" },
	{ "redact", "redacted" },
	{ "note", "added a note to" },
	{ "silence", "silenced" },
	{ "ban", "banned" },
	{ "unsilence", "lifted the silence or ban of" },
	{ "warning", "changed the content warning of" },
	{ "reveal", "showed who wrote (anonymous)" },
	/* page_modtools.c */
	{ "lock", "locked" },
	{ "unlock", "unlocked" },
	{ "pin", "pinned" },
	{ "unpin", "unpinned" },
	{ "move", "moved" },
	{ "read_conversation", "read the private conversation (reported or flagged message) of" },
	{ "message_approve", "approved a private message of" },
	{ "message_hide", "hid a private message of" },
	{ "checkin", "started a check-in conversation with" },
};

void page_audit_log(struct hctx *ctx)
{
	if (!moderator_only(ctx))
		return;
	long long before = query_id(ctx, "before");
	const char *params[] = { before ? ll(ctx->arena, before) : NULL, ll(ctx->arena, AUDIT_PAGE + 1) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_AUDIT_LIST, params, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, "Audit log");
	tpl_value *list = tpl_list(ctx->arena);
	int n = PQntuples(r);
	long long last = 0;
	for (int i = 0; i < n && i < AUDIT_PAGE; i++) {
		tpl_value *x = tpl_map(ctx->arena);
		const char *action = db_val(r, i, 4);
		const char *says = action;
		for (size_t k = 0; k < sizeof action_says / sizeof action_says[0]; k++)
			if (strcmp(action_says[k].name, action) == 0)
				says = action_says[k].says;
		last = db_ll(r, i, 0);
		tpl_set_int(x, "id", last);
		tpl_set_str(x, "at_iso", db_val(r, i, 1));
		tpl_set_str(x, "at", db_val(r, i, 2));
		tpl_set_str(x, "moderator", db_val(r, i, 3));
		tpl_set_str(x, "action", action);
		tpl_set_str(x, "action_text", says);
		if (db_val(r, i, 5)) {
			tpl_set_int(x, "post_id", db_ll(r, i, 5));
			tpl_set_str(x, "post_url", arena_printf(ctx->arena, "/mod/p/%lld", db_ll(r, i, 5)));
		} else {
			tpl_set_str(x, "post_id", NULL);
			tpl_set_str(x, "post_url", NULL);
		}
		if (db_val(r, i, 10)) {
			tpl_set_int(x, "thread_id", db_ll(r, i, 10));
			tpl_set_str(x, "thread_url", arena_printf(ctx->arena, "/mod/t/%lld", db_ll(r, i, 10)));
		} else {
			tpl_set_str(x, "thread_id", NULL);
			tpl_set_str(x, "thread_url", NULL);
		}
		/* A member's own moderation page (page_modtools.c). */
		tpl_set_str(x, "target_url", db_val(r, i, 6) && db_val(r, i, 7) ?
		            arena_printf(ctx->arena, "/mod/u/%s", db_val(r, i, 7)) : NULL);
		tpl_set_str(x, "target", db_val(r, i, 7));
		tpl_set_str(x, "reason", db_val(r, i, 8));
		tpl_set_str(x, "detail", db_val(r, i, 9));
		tpl_list_push(list, x);
	}
	tpl_set(d, "entries", list);
	if (n > AUDIT_PAGE)
		tpl_set_str(d, "older_url", arena_printf(ctx->arena, "/mod/audit?before=%lld", last));
	if (before)
		tpl_set_str(d, "newest_url", "/mod/audit");
	tpl_set_bool(d, "has_pager", before || n > AUDIT_PAGE);
	page_render(ctx, "audit_log", d);
}
