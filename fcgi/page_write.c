/*
 * page_write.c: starting a thread, replying (and quoting), previewing,
 * editing with revisions, deleting (a tombstone keeps the tree) and the
 * "I hear you" support reaction.
 *
 * Every write is one transaction: the post, its counters, its revision and
 * the moderation flags commit together. A refused form comes back with the
 * member's text in it and a message saying what to change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "db_category.h"
#include "db_post.h"
#include "log.h"
#include "markdown.h"
#include "rate.h"
#include "route.h"
#include "db_care.h"
#include "screen.h"
#include "session.h"
#include "utf8.h"

#define TITLE_MAX 200
#define BODY_MAX 50000

/* The post a write acts on, with its thread. */
struct target {
	long long id, thread_id, user_id, category_id;
	const char *state, *thread_state, *thread_title, *author, *body_md, *body_html;
	const char *pending_body_md, *pending_title;    /* a held edit; NULL: none */
	const char *warning;                            /* content warning; NULL: none */
	int depth, revision;
	bool locked, is_opening;
	bool anonymous;                                 /* author is NULL for anyone */
	bool allow_anonymous;                           /* its category allows anonymous replies */
};

/* Who wrote t, as any reader is told. */
static const char *target_author(const struct target *t, const char *gone)
{
	return t->anonymous ? PAGE_ANON_AUTHOR : t->author ? t->author : gone;
}

enum target_status { TARGET_OK, TARGET_MISSING, TARGET_DB };

static enum target_status load_target(struct hctx *ctx, long long id, struct target *t, enum db_err *err)
{
	/* The one visibility rule (db_read.h): a post or thread the asker may
	 * not see is not there for them at all (a group's: not found). */
	struct read_viewer v = page_viewer(ctx);
	const char *p[] = { arena_printf(ctx->arena, "%lld", id),
	                    v.user_id ? arena_printf(ctx->arena, "%lld", v.user_id) : NULL, v.moderator ? "t" : "f" };
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_POST_FOR_WRITE, p, err);
	if (!r)
		return TARGET_DB;
	if (PQntuples(r) != 1)
		return TARGET_MISSING;
	t->id = db_ll(r, 0, 0);
	t->thread_id = db_ll(r, 0, 1);
	t->user_id = db_ll(r, 0, 2);
	t->state = db_val(r, 0, 3);
	t->body_md = db_val(r, 0, 4);
	t->depth = (int)db_ll(r, 0, 5);
	t->locked = db_val(r, 0, 6)[0] == 't';
	t->thread_state = db_val(r, 0, 7);
	t->thread_title = db_val(r, 0, 8);
	t->category_id = db_ll(r, 0, 9);
	t->author = db_val(r, 0, 10);
	t->revision = (int)db_ll(r, 0, 11);
	t->is_opening = db_val(r, 0, 12)[0] == 't';
	t->body_html = db_val(r, 0, 13);
	long long thread_author = db_ll(r, 0, 14);
	t->pending_body_md = PQgetisnull(r, 0, 15) ? NULL : db_val(r, 0, 15);
	t->pending_title = PQgetisnull(r, 0, 16) ? NULL : db_val(r, 0, 16);
	t->warning = db_val(r, 0, 17);
	t->anonymous = db_bool(ctx->db, r, 0, 18);
	t->allow_anonymous = db_bool(ctx->db, r, 0, 19);
	if (!db_read_may_see_thread(db_read_state(t->thread_state), thread_author, &v) ||
	    !db_read_may_see_post(db_read_state(t->state), t->user_id, &v))
		return TARGET_MISSING;
	return TARGET_OK;
}

/* Loads req->id as a target or answers 404/503 itself. */
static bool target_or_error(struct hctx *ctx, struct target *t)
{
	enum db_err err = DB_OK;
	switch (load_target(ctx, ctx->req->id, t, &err)) {
	case TARGET_OK:
		return true;
	case TARGET_MISSING:
		/* Removed while a reply or an edit was being written: the text
		 * comes back, as it would for a post that never existed. */
		page_refuse(ctx, 404, "Post not found", "There is no post at this address, or it is not public.");
		return false;
	case TARGET_DB:
		page_db_error(ctx, err);
		return false;
	}
	abort();
}

static const char *check_title(const char *title)
{
	size_t len = strlen(title);
	if (len == 0 || page_blank(title))
		return "Please give the thread a title.";
	if (utf8_count(title, len) > TITLE_MAX)
		return "The title is longer than 200 characters. Please shorten it.";
	if (utf8_has_controls(title, len, false))
		return "The title contains control characters or line breaks, which titles cannot hold.";
	return NULL;
}

static const char *check_body(const char *body)
{
	size_t len = strlen(body);
	if (len == 0 || page_blank(body))
		return "The post is empty. Write something, even a few words.";
	if (utf8_count(body, len) > BODY_MAX)
		return "The post is longer than 50,000 characters. Please split it into two posts.";
	if (utf8_has_controls(body, len, true))
		return "The post contains control characters that cannot be stored. Please remove them.";
	return NULL;
}

/* A content warning as typed: NULL when blank (none), else trimmed. The
 * route's form already refused more than CARE_WARNING_MAX characters and
 * control characters. */
static const char *warning_value(arena *a, const char *typed)
{
	if (!typed || page_blank(typed))
		return NULL;
	while (*typed == ' ' || *typed == '\t')
		typed++;
	size_t n = strlen(typed);
	while (n > 0 && (typed[n - 1] == ' ' || typed[n - 1] == '\t'))
		n--;
	return arena_strndup(a, typed, n);
}

/* Runs one statement of a transaction unless an earlier one failed. */
static bool step(struct hctx *ctx, enum db_stmt stmt, const char *const *params, enum db_err *e)
{
	return *e == DB_OK && db_exec(ctx->db, ctx->arena, stmt, params, e) != NULL;
}

/* ---- the compose form, shared by new thread, reply and edit ---- */

struct compose {
	const char *page_title;
	const char *action_url;
	const char *intro;              /* e.g. "Replying to X" */
	bool with_title;
	const char *title, *body;
	const char *warning;            /* content warning, NULL: none */
	const char *preview_html;
	const struct screen_outcome *screened;
	const struct target *parent;    /* shown above a reply */
	const char *delete_url;         /* edit: the delete form's target */
	long long reply_thread;         /* a reply: its thread, for the note for repliers */
	bool anon_offer;                /* the category allows anonymous posts: the checkbox */
	bool anonymous;                 /* the box is ticked */
	bool anon_note;                 /* an edit of one's anonymous post */
};

static void compose_render(struct hctx *ctx, const struct compose *c)
{
	tpl_value *d = page_data(ctx, c->page_title);
	tpl_set_str(d, "action_url", c->action_url);
	tpl_set_str(d, "intro", c->intro);
	tpl_set_bool(d, "with_title", c->with_title);
	tpl_set_str(d, "title_value", c->title);
	tpl_set_str(d, "body_value", c->body);
	tpl_set_str(d, "warning_value", c->warning);
	tpl_set_int(d, "warning_max", CARE_WARNING_MAX);
	tpl_set_str(d, "delete_url", c->delete_url);
	tpl_set_bool(d, "anon_offer", c->anon_offer);
	if (c->anonymous)
		tpl_set_str(d, "anon_checked", "checked");
	tpl_set_bool(d, "anon_note", c->anon_note);
	/* A silenced member learns it before they write, not after. */
	if (!ctx->form_error)
		page_set_restriction(ctx, d);
	if (c->preview_html) {
		tpl_set_str(d, "preview_warning", c->warning);
		tpl_set_html(d, "preview_html", c->preview_html);
		tpl_set_bool(d, "has_preview", true);
	}
	if (c->screened && !c->screened->crisis) {
		screen_set_nudges(ctx, d, c->screened);
		tpl_set_bool(d, "nudge_shown", c->screened->nudge);
	}
	if (c->screened) {
		if (c->screened->crisis) {
			tpl_set_bool(d, "show_crisis", true);
			page_set_crisis(ctx, d);
		}
	}
	if (c->reply_thread) {
		/* A help, not the form: without the database the member still
		 * gets their text back, only without the note. */
		enum db_err err = page_set_guidance(ctx, c->reply_thread, d);
		if (err != DB_OK)
			log_warn("thread %lld: the note for repliers is left out: %s", c->reply_thread,
			         db_last_error(ctx->db));
		tpl_set_bool(d, "guidance_top", true);
	}
	if (c->parent) {
		tpl_value *p = tpl_map(ctx->arena);
		tpl_set_str(p, "author", target_author(c->parent, "deleted member"));
		tpl_set_html(p, "body_html", c->parent->body_html);
		tpl_set_str(p, "warning", c->parent->warning);
		if (c->parent->warning)
			page_set_cw_open(ctx, p);
		tpl_set_int(p, "id", c->parent->id);
		tpl_set(d, "parent", p);
	}
	page_render(ctx, "compose", d);
}

/* Runs the preview/nudge/validation steps shared by every write. Returns
 * true when the caller should store the post; otherwise the form has been
 * rendered (with status and message where something is wrong). */
static bool compose_check(struct hctx *ctx, struct compose *c, struct screen_outcome *so)
{
	const char *why = c->with_title ? check_title(c->title) : NULL;
	if (!why)
		why = check_body(c->body);
	if (why) {
		page_form_error(ctx, 422, why);
		compose_render(ctx, c);
		return false;
	}
	if (!why && c->anonymous && !c->anon_offer) {
		/* The box is not offered here: a forged or stale form. Nothing is
		 * posted under the member's handle instead. */
		page_form_error(ctx, 422, "Anonymous posts are not allowed in this category, so this was not "
		                "posted. Your text is kept below: post it under your handle, or in a category "
		                "that allows anonymous posts.");
		compose_render(ctx, c);
		return false;
	}
	if (ctx->req->session && strcmp(ctx->req->session->status, "silenced") == 0) {
		page_form_error(ctx, 403, page_silenced_text(ctx));
		compose_render(ctx, c);
		return false;
	}
	screen_post(ctx, c->with_title ? c->title : NULL, c->body, so);
	c->screened = so;
	bool preview = strcmp(page_field(ctx, "action"), "preview") == 0;
	/* Someone writing about a crisis is shown the crisis resources, never a
	 * remark about their wording (the flag still reaches the moderators). */
	bool nudge_pending = so->nudge && !so->crisis && strcmp(page_field(ctx, "nudge_ack"), "1") != 0;
	if (preview || nudge_pending) {
		c->preview_html = page_markdown(ctx, c->body);
		if (!c->preview_html) {
			page_error(ctx, 500, "The preview failed", "Please try again.");
			return false;
		}
		compose_render(ctx, c);
		return false;
	}
	return true;
}

/* After a successful write, always a redirect (a reload must never post
 * again): to the post, or to the calm page with the crisis resources and
 * (for a held post or edit) what happens next, /p/ID/posted. */
static void after_write(struct hctx *ctx, long long post_id, const struct screen_outcome *so)
{
	if (!so->crisis && !so->hold)
		page_redirect(ctx, arena_printf(ctx->arena, "/p/%lld", post_id));
	else
		page_redirect(ctx, arena_printf(ctx->arena, "/p/%lld/posted%s", post_id, so->crisis ? "?crisis=1" : ""));
}

void page_posted(struct hctx *ctx)
{
	struct target t;
	if (!target_or_error(ctx, &t))
		return;
	/* Only the author is thanked; to anyone else the page is not there. */
	if (t.user_id != ctx->req->session->user_id) {
		page_error(ctx, 404, "Page not found", "There is nothing at this address.");
		return;
	}
	tpl_value *d = page_data(ctx, "Thank you for sharing");
	tpl_set_str(d, "post_url", arena_printf(ctx->arena, "/p/%lld", t.id));
	tpl_set_bool(d, "held", strcmp(t.state, "held") == 0 || t.pending_body_md);
	tpl_set_bool(d, "held_edit", strcmp(t.state, "held") != 0 && t.pending_body_md);
	if (req_param(&ctx->req->query, "crisis")) {
		tpl_set_bool(d, "show_crisis", true);
		page_set_crisis(ctx, d);
	}
	page_render(ctx, "posted", d);
}

/* A reload or double click sends the same post again: refuse it when the
 * member posted the same text in the same place in the last ten minutes.
 * Returns true when the caller should go on; otherwise the page is done. */
static bool not_a_repeat(struct hctx *ctx, const struct compose *c, long long parent_id)
{
	const char *p[] = { arena_printf(ctx->arena, "%lld", ctx->req->session->user_id), c->body,
	                    parent_id ? arena_printf(ctx->arena, "%lld", parent_id) : NULL,
	                    parent_id ? NULL : c->title };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, parent_id ? DB_POST_RECENT_SAME_REPLY : DB_POST_RECENT_SAME, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return false;
	}
	if (PQntuples(r) == 0)
		return true;
	page_form_error(ctx, 409, arena_printf(ctx->arena, "You posted exactly this a moment ago, so it was not "
	                                       "posted a second time. It is at /p/%s.", db_val(r, 0, 0)));
	compose_render(ctx, c);
	return false;
}

static const char *post_state(const struct screen_outcome *so)
{
	return so->hold ? "held" : "visible";
}

/* ---- new thread ---- */

static void thread_compose(struct hctx *ctx, const struct category *cat, struct compose *c)
{
	c->page_title = "Start a thread";
	c->action_url = arena_printf(ctx->arena, "/c/%s/new", cat->slug);
	c->intro = arena_printf(ctx->arena, "New thread in %s", cat->name);
	c->with_title = true;
	c->title = page_field(ctx, "title");
	c->warning = warning_value(ctx->arena, page_field(ctx, "warning"));
	c->body = page_text_lf(ctx->arena, page_field(ctx, "body"));
	c->anon_offer = cat->allow_anonymous;
	c->anonymous = strcmp(page_field(ctx, "anonymous"), "1") == 0;
}

void page_thread_new_form(struct hctx *ctx)
{
	struct category cat;
	if (!page_category_or_error(ctx, &cat, "There is no category at this address."))
		return;
	struct compose c = { 0 };
	thread_compose(ctx, &cat, &c);
	compose_render(ctx, &c);
}

void page_thread_new_post(struct hctx *ctx)
{
	if (!rate_post_allowed(ctx, POST_KIND_THREAD, page_thread_new_form))
		return;
	struct category cat;
	if (!page_category_or_error(ctx, &cat, "There is no category at this address."))
		return;
	struct compose c = { 0 };
	thread_compose(ctx, &cat, &c);
	struct screen_outcome so;
	if (!compose_check(ctx, &c, &so) || !not_a_repeat(ctx, &c, 0))
		return;
	const char *html = page_markdown(ctx, c.body);
	if (!html) {
		page_error(ctx, 500, "The post could not be prepared", "Please try again.");
		return;
	}
	struct post_write w = { .user_id = ctx->req->session->user_id, .body_md = c.body,
	                        .body_html = html, .state = post_state(&so), .anonymous = c.anonymous };
	long long thread_id, post_id;
	enum db_err e = db_begin(ctx->db);
	if (e == DB_OK)
		e = db_thread_create(ctx->db, ctx->arena, cat.id, c.title, &w, &thread_id, &post_id);
	if (e == DB_OK && c.warning) {
		const char *pw[] = { arena_printf(ctx->arena, "%lld", post_id), c.warning };
		step(ctx, DB_POST_SET_WARNING, pw, &e);
	}
	if (e == DB_OK)
		e = screen_store(ctx, post_id, &so);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		page_form_error(ctx, page_db_transient(e) ? 503 : 422,
		                "The thread could not be saved just now. Your text is kept below; please try again.");
		compose_render(ctx, &c);
		return;
	}
	after_write(ctx, post_id, &so);
}

/* ---- reply and quote ---- */

/* A reply refused after it was written (POST) comes back with its text. */
static bool may_reply(struct hctx *ctx, const struct target *t, const struct compose *c)
{
	const char *title = NULL, *why = NULL;
	if (strcmp(t->state, "visible") != 0 || strcmp(t->thread_state, "visible") != 0) {
		title = "Replies are closed here";
		why = "This post is not open for replies (it was removed or is waiting for a moderator).";
	} else if (t->locked) {
		title = "This thread is locked";
		why = "This thread is closed to new replies: moderators locked it, or it is a group meeting's "
		      "thread, which opens when the meeting starts. You can still read it.";
	}
	if (!why)
		return true;
	if (ctx->req->method == HTTP_POST) {
		/* The text back, and nothing the GET of this page does not show:
		 * the GET answers with the message alone, so neither the post (held,
		 * hidden, in a deleted thread) nor its thread's title comes with it. */
		struct compose bare = *c;
		bare.parent = NULL;
		bare.reply_thread = 0;
		bare.intro = NULL;
		page_form_error(ctx, 403, arena_printf(ctx->arena, "%s Your reply was not posted; its text is "
		                                       "kept below, so you can copy it.", why));
		compose_render(ctx, &bare);
	} else {
		page_error(ctx, 403, title, why);
	}
	return false;
}

static void quote_into(buf *b, const struct target *t)
{
	buf_printf(b, "%s wrote:\n\n", t->anonymous ? "Someone who chose to stay anonymous" :
	           t->author ? t->author : "A deleted member");
	const char *s = t->body_md;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		buf_puts(b, n ? "> " : ">");
		buf_append(b, s, n);
		buf_putc(b, '\n');
		if (!nl)
			break;
		s = nl + 1;
	}
	buf_putc(b, '\n');
}

static void reply_compose(struct hctx *ctx, const struct target *t, struct compose *c)
{
	c->page_title = "Reply";
	c->action_url = arena_printf(ctx->arena, "/p/%lld/reply", t->id);
	c->intro = arena_printf(ctx->arena, "Replying in \"%s\"", t->thread_title);
	c->parent = t;
	c->reply_thread = t->thread_id;
	const char *body = req_param(&ctx->req->form, "body");
	if (!body && ctx->req->method != HTTP_POST && req_param(&ctx->req->query, "quote")) {
		buf q;
		buf_init(&q, ctx->arena, strlen(t->body_md) + 64);
		quote_into(&q, t);
		body = q.data;
	}
	c->body = page_text_lf(ctx->arena, body ? body : "");
	c->warning = warning_value(ctx->arena, page_field(ctx, "warning"));
	c->anon_offer = t->allow_anonymous;
	c->anonymous = strcmp(page_field(ctx, "anonymous"), "1") == 0;
}

void page_reply_form(struct hctx *ctx)
{
	struct target t;
	if (!target_or_error(ctx, &t))
		return;
	struct compose c = { 0 };
	reply_compose(ctx, &t, &c);
	if (!may_reply(ctx, &t, &c))
		return;
	compose_render(ctx, &c);
}

void page_reply_post(struct hctx *ctx)
{
	if (!rate_post_allowed(ctx, POST_KIND_REPLY, page_reply_form))
		return;
	struct target t;
	if (!target_or_error(ctx, &t))
		return;
	struct compose c = { 0 };
	reply_compose(ctx, &t, &c);
	if (!may_reply(ctx, &t, &c))
		return;
	struct screen_outcome so;
	if (!compose_check(ctx, &c, &so) || !not_a_repeat(ctx, &c, t.id))
		return;
	const char *html = page_markdown(ctx, c.body);
	if (!html) {
		page_error(ctx, 500, "The reply could not be prepared", "Please try again.");
		return;
	}
	struct post_write w = { .user_id = ctx->req->session->user_id, .body_md = c.body,
	                        .body_html = html, .state = post_state(&so), .anonymous = c.anonymous };
	long long post_id;
	/* Without matches or a warning the reply is one statement: its own
	 * transaction. */
	bool flags = so.queue || so.title.count || so.body.count;
	bool txn = flags || c.warning;
	enum db_err e = txn ? db_begin(ctx->db) : DB_OK;
	if (e == DB_OK)
		e = db_post_reply(ctx->db, ctx->arena, t.thread_id, t.id, &w, &post_id);
	if (e == DB_OK && c.warning) {
		const char *pw[] = { arena_printf(ctx->arena, "%lld", post_id), c.warning };
		step(ctx, DB_POST_SET_WARNING, pw, &e);
	}
	if (e == DB_OK && flags)
		e = screen_store(ctx, post_id, &so);
	if (e == DB_OK && txn)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		page_form_error(ctx, page_db_transient(e) ? 503 : 422,
		                "The reply could not be saved just now. Your text is kept below; please try again.");
		compose_render(ctx, &c);
		return;
	}
	after_write(ctx, post_id, &so);
}

/* ---- edit and delete ---- */

static bool may_edit(struct hctx *ctx, const struct target *t)
{
	if (t->user_id != ctx->req->session->user_id) {
		page_refuse(ctx, 403, "Not your post", "Only the person who wrote a post can edit or delete it.");
		return false;
	}
	if (strcmp(t->state, "deleted") == 0 || strcmp(t->state, "hidden") == 0) {
		page_refuse(ctx, 403, "This post cannot be changed",
		            "It was deleted, or hidden by a moderator.");
		return false;
	}
	return true;
}

static void edit_compose(struct hctx *ctx, const struct target *t, struct compose *c)
{
	c->page_title = "Edit your post";
	c->action_url = arena_printf(ctx->arena, "/p/%lld/edit", t->id);
	c->intro = arena_printf(ctx->arena, "Editing your post in \"%s\"", t->thread_title);
	c->with_title = t->is_opening;
	c->delete_url = arena_printf(ctx->arena, "/p/%lld/delete", t->id);
	const char *title = req_param(&ctx->req->form, "title");
	const char *body = req_param(&ctx->req->form, "body");
	/* A held edit is what the author last wrote: they go on from it. */
	c->title = title ? title : t->pending_title ? t->pending_title : t->thread_title;
	c->body = page_text_lf(ctx->arena, body ? body : t->pending_body_md ? t->pending_body_md : t->body_md);
	c->warning = ctx->req->method == HTTP_POST ? warning_value(ctx->arena, page_field(ctx, "warning"))
	                                           : t->warning;	c->anon_note = t->anonymous;
}

void page_edit_form(struct hctx *ctx)
{
	struct target t;
	if (!target_or_error(ctx, &t))
		return;
	if (!may_edit(ctx, &t))
		return;
	struct compose c = { 0 };
	edit_compose(ctx, &t, &c);
	compose_render(ctx, &c);
}

void page_edit_post(struct hctx *ctx)
{
	struct target t;
	if (!target_or_error(ctx, &t) || !may_edit(ctx, &t))
		return;
	struct compose c = { 0 };
	edit_compose(ctx, &t, &c);
	struct screen_outcome so;
	if (!compose_check(ctx, &c, &so))
		return;
	const char *html = page_markdown(ctx, c.body);
	if (!html) {
		page_error(ctx, 500, "The edit could not be prepared", "Please try again.");
		return;
	}
	const char *pid = arena_printf(ctx->arena, "%lld", t.id);
	const char *p1[] = { pid };
	const char *p2[] = { pid, c.body, html };
	const char *p3[] = { arena_printf(ctx->arena, "%lld", t.thread_id), c.title };
	const char *p4[] = { pid, c.body, html, t.is_opening ? c.title : NULL };
	const char *pw[] = { pid, c.warning };
	/* An edit that a hold rule matches must not go public: on a post
	 * others can see, it waits for a moderator (post_pending_edits) and
	 * readers keep the last visible text. A post nobody else sees yet
	 * (held) simply takes the new text, still held. */
	bool pending = so.hold && strcmp(t.state, "visible") == 0;
	enum db_err e = db_begin(ctx->db);
	if (pending)
		step(ctx, DB_POST_PENDING_EDIT_SET, p4, &e);
	else if (step(ctx, DB_REVIEW_PENDING_DISCARD, p1, &e) && step(ctx, DB_POST_SAVE_REVISION, p1, &e) &&
	         step(ctx, DB_POST_UPDATE_BODY, p2, &e) && t.is_opening)
		step(ctx, DB_THREAD_SET_TITLE, p3, &e);
	/* A warning is a label for readers, never something to hide: it
	 * changes at once, even while the text of the edit waits. */
	step(ctx, DB_POST_SET_WARNING, pw, &e);
	if (e == DB_OK)
		e = screen_store(ctx, t.id, &so);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		page_form_error(ctx, page_db_transient(e) ? 503 : 422,
		                "The edit could not be saved just now. Your text is kept below; please try again.");
		compose_render(ctx, &c);
		return;
	}
	if (!pending)
		cache_forget_thread(ctx->conf, t.thread_id);
	after_write(ctx, t.id, &so);
}

void page_delete_post(struct hctx *ctx)
{
	struct target t;
	if (!target_or_error(ctx, &t) || !may_edit(ctx, &t))
		return;
	if (strcmp(page_field(ctx, "confirm"), "yes") != 0) {
		page_form_error(ctx, 422, "To delete the post, tick the box that confirms it.");
		page_edit_form(ctx);
		return;
	}
	const char *pid = arena_printf(ctx->arena, "%lld", t.id);
	const char *p[] = { pid };
	enum db_err e = db_begin(ctx->db);
	/* The last text is kept as a revision for the moderators: a deleted
	 * crisis post must still be readable by the people who look out for
	 * its author. */
	if (step(ctx, DB_POST_SAVE_REVISION, p, &e))
		step(ctx, DB_POST_SET_DELETED, p, &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		page_db_error(ctx, e);
		return;
	}
	/* The author's words leave every stored page now, whatever the keeper
	 * is doing (cache.h). */
	cache_forget_thread(ctx->conf, t.thread_id);
	/* /p/ID finds the right page and fold for the tombstone. */
	page_redirect(ctx, arena_printf(ctx->arena, "/p/%lld", t.id));
}

/* ---- support ---- */

void page_support_post(struct hctx *ctx)
{
	struct target t;
	if (!target_or_error(ctx, &t))
		return;
	/* Only a visible post in a visible thread, as "I'm here": a moderator
	 * reads a held or deleted thread, but nobody reacts in one. */
	if (strcmp(t.state, "visible") != 0 || strcmp(t.thread_state, "visible") != 0) {
		page_error(ctx, 403, "Not available", "This post cannot receive reactions.");
		return;
	}
	if (t.user_id == ctx->req->session->user_id) {
		page_error(ctx, 403, "That is your own post", "Support reactions are for other members' posts.");
		return;
	}
	const char *p[] = { arena_printf(ctx->arena, "%lld", t.id),
	                    arena_printf(ctx->arena, "%lld", ctx->req->session->user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_SUPPORT_EXISTS, p, &e);
	if (r)
		r = db_exec(ctx->db, ctx->arena, PQntuples(r) ? DB_SUPPORT_REMOVE : DB_SUPPORT_ADD, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return;
	}
	page_redirect(ctx, arena_printf(ctx->arena, "/p/%lld", t.id));
}

/* ---- "I'm here if you want to talk" ---- */

/* Only on another member's visible post in a visible thread. */
static bool may_offer(struct hctx *ctx, const struct target *t)
{
	if (strcmp(t->state, "visible") != 0 || strcmp(t->thread_state, "visible") != 0 || t->user_id == 0) {
		page_error(ctx, 403, "Not available", "This post cannot receive offers to talk.");
		return false;
	}
	if (t->user_id == ctx->req->session->user_id) {
		page_error(ctx, 403, "That is your own post", "Offers to talk are for other members' posts.");
		return false;
	}
	return true;
}

/* GET /p/:id/here: the offer's form, or once made, what it did. */
void page_here_form(struct hctx *ctx)
{
	struct target t;
	if (!target_or_error(ctx, &t) || !may_offer(ctx, &t))
		return;
	const char *p[] = { arena_printf(ctx->arena, "%lld", t.id),
	                    arena_printf(ctx->arena, "%lld", ctx->req->session->user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_HERE_EXISTS, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return;
	}
	tpl_value *d = page_data(ctx, "I'm here if you want to talk");
	tpl_set_int(d, "post_id", t.id);
	tpl_set_str(d, "author", target_author(&t, "this member"));
	/* The offer names the member: never for an anonymous post. */
	tpl_set_str(d, "author_handle", t.anonymous ? NULL : t.author);
	tpl_set_html(d, "body_html", t.body_html);
	tpl_set_str(d, "warning", t.warning);
	if (t.warning)
		page_set_cw_open(ctx, d);
	tpl_set_str(d, "thread_title", t.thread_title);
	tpl_set_bool(d, "offered", PQntuples(r) > 0);
	page_render(ctx, "here", d);
}

void page_here_post(struct hctx *ctx)
{
	struct target t;
	if (!target_or_error(ctx, &t) || !may_offer(ctx, &t))
		return;
	const char *p[] = { arena_printf(ctx->arena, "%lld", t.id),
	                    arena_printf(ctx->arena, "%lld", ctx->req->session->user_id) };
	enum db_err e;
	/* One statement: the offer and the author's notification together. */
	if (!db_exec(ctx->db, ctx->arena, DB_HERE_ADD, p, &e)) {
		page_db_error(ctx, e);
		return;
	}
	page_redirect(ctx, arena_printf(ctx->arena, "/p/%lld/here", t.id));
}

/* ---- revisions ---- */

void page_revisions(struct hctx *ctx)
{
	struct target t;
	if (!target_or_error(ctx, &t))
		return;
	struct session *s = ctx->req->session;
	if (!s->is_moderator && s->user_id != t.user_id) {
		page_error(ctx, 403, "Moderators only", "Earlier versions of a post are for its author and the moderators.");
		return;
	}
	const char *p[] = { arena_printf(ctx->arena, "%lld", t.id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_REVISIONS_LIST, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return;
	}
	tpl_value *d = page_data(ctx, "Earlier versions");
	tpl_set_int(d, "post_id", t.id);
	tpl_set_str(d, "thread_title", t.thread_title);
	tpl_set_html(d, "current_html", t.body_html);
	tpl_set_int(d, "current_revision", t.revision);
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *rev = tpl_map(ctx->arena);
		tpl_set_int(rev, "revision", db_ll(r, i, 0));
		tpl_set_str(rev, "body_md", db_val(r, i, 1));
		tpl_set_html(rev, "body_html", db_val(r, i, 2));
		tpl_set_str(rev, "title", db_val(r, i, 3));
		tpl_set_str(rev, "written_at", db_val(r, i, 4));
		tpl_list_push(list, rev);
	}
	tpl_set(d, "revisions", list);
	page_render(ctx, "revisions", d);
}
