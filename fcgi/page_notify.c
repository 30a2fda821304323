/*
 * page_notify.c: "/me/notifications", a member's notifications (replies to
 * their posts, mentions, moderators' decisions on their posts, "I'm here"
 * offers), newest first, 30 a page (?before=ID), with the watched threads
 * that have new posts above them; marking them read, one or all (POST with
 * the CSRF token, then a redirect back); and "/t/:id/follow", a member's
 * level for one thread (watch, track, normal, mute).
 *
 * The rows are written by the database (sql/013_notifications.sql) in the
 * transaction of the write that causes them. They hold ids only: the
 * post is read here through the visibility rule (NOTIFY_VISIBLE in
 * lib/db_sql.def), so a post the member may not see is never listed.
 */
#include <stdlib.h>
#include <string.h>

#include "page_conversation.h"
#include "route.h"
#include "session.h"

#define NOTIFY_PAGE 30
/* Characters of a post shown in its notification. */
#define NOTIFY_EXCERPT 160


static tpl_value *watched_new(struct hctx *ctx, enum db_err *err);

static const char *ll(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

/* The excerpt of a post: its first NOTIFY_EXCERPT characters (UTF-8) with
 * every run of white space (space, tab, line breaks, form feed, vertical
 * tab) made one space, as regexp_replace(body, '\s+', ' ', 'g') did in SQL.
 * `s` is the post's first 480 characters (NOTIFY_LIST): a post whose
 * opening is almost all white space shows a shorter excerpt. */
static const char *notify_excerpt(arena *a, const char *s, bool *cut)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	int chars = 0;
	bool space = false;
	for (size_t i = 0; i < n && chars < NOTIFY_EXCERPT; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			if (!space) {
				out[o++] = ' ';
				chars++;
				space = true;
			}
			continue;
		}
		space = false;
		out[o++] = (char)c;
		/* A continuation byte is part of the character before it. */
		while (i + 1 < n && ((unsigned char)s[i + 1] & 0xC0) == 0x80)
			out[o++] = s[++i];
		chars++;
	}
	out[o] = '\0';
	/* Longer than the excerpt: more than NOTIFY_EXCERPT characters before
	 * white space was collapsed (480 of them say so as well as the whole
	 * post would). */
	size_t all = 0;
	for (size_t i = 0; i < n; i++)
		all += ((unsigned char)s[i] & 0xC0) != 0x80;
	*cut = all > NOTIFY_EXCERPT;
	return out;
}

/* What happened, in words, for kind; actor may be NULL (a deleted member). */
static const char *notify_says(arena *a, const char *kind, const char *actor, bool anonymous)
{
	const char *who = anonymous ? "A member who chose to stay anonymous" : actor ? actor : "A former member";
	if (strcmp(kind, "reply") == 0)
		return arena_printf(a, "%s replied to your post", who);
	if (strcmp(kind, "mention") == 0)
		return arena_printf(a, "%s mentioned you", who);
	if (strcmp(kind, "here") == 0)
		return arena_printf(a, "%s is here if you want to talk", who);
	if (strcmp(kind, "approved") == 0)
		return "A moderator approved your post: it is visible now";
	if (strcmp(kind, "hidden") == 0)
		return "A moderator hid your post";
	if (strcmp(kind, "meeting") == 0)
		return "Reminder: a group meeting you are going to starts soon";
	return "Something happened";
}

void page_notifications(struct hctx *ctx)
{
	const char *before = req_param(&ctx->req->query, "before");
	char *end = NULL;
	long long before_id = before ? strtoll(before, &end, 10) : 0;
	if (before && (end == before || *end != '\0' || before_id <= 0)) {
		page_error(ctx, 400, "That page address is not valid",
		           "The \"before\" part of the address is not one this site made. Start again from the first page.");
		return;
	}
	struct session *s = ctx->req->session;
	const char *p[] = { ll(ctx->arena, s->user_id), before ? ll(ctx->arena, before_id) : NULL,
	                    ll(ctx->arena, NOTIFY_PAGE + 1) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_NOTIFY_LIST, p, &err);
	tpl_value *watched = r && !before ? watched_new(ctx, &err) : NULL;
	if (!r || (!before && !watched)) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, "Notifications");
	tpl_value *list = tpl_list(ctx->arena);
	int n = PQntuples(r);
	long long last = 0;
	for (int i = 0; i < n && i < NOTIFY_PAGE; i++) {
		tpl_value *m = tpl_map(ctx->arena);
		long long id = db_ll(r, i, 0);
		const char *kind = db_val(r, i, 1);
		bool read = db_val(r, i, 2)[0] == 't';
		struct read_when when = { db_val(r, i, 3), db_ll(r, i, 4) };
		const char *actor = PQgetisnull(r, i, 8) ? NULL : db_val(r, i, 8);
		tpl_set_int(m, "id", id);
		tpl_set_str(m, "kind", kind);
		tpl_set_bool(m, "unread", !read);
		tpl_set_str(m, "css", read ? "notification" : "notification unread");
		tpl_set_str(m, "says", notify_says(ctx->arena, kind, actor, db_val(r, i, 11)[0] == 't'));
		tpl_set_str(m, "actor", actor);
		tpl_set_int(m, "post_id", db_ll(r, i, 5));
		tpl_set_int(m, "thread_id", db_ll(r, i, 6));
		tpl_set_str(m, "thread_title", db_val(r, i, 7));
		if (!PQgetisnull(r, i, 9))
			tpl_set_str(m, "hide_reason", db_val(r, i, 9));
		const char *warning = db_val(r, i, 12);
		if (warning) {
			/* As everywhere a post is listed: the warning, not the text. */
			tpl_set_str(m, "warning", warning);
		} else {
			bool cut;
			const char *excerpt = notify_excerpt(ctx->arena, db_text(ctx->db, r, i, 10), &cut);
			tpl_set_str(m, "excerpt", arena_printf(ctx->arena, "%s%s", excerpt, cut ? "\u2026" : ""));
		}
		tpl_set_str(m, "read_action", arena_printf(ctx->arena, "/me/notifications/%lld/read", id));
		page_set_when(m, ctx->arena, &when);
		tpl_list_push(list, m);
		last = id;
	}
	tpl_set(d, "notifications", list);
	if (watched)
		tpl_set(d, "watched", watched);
	if (!before && (err = conv_notify_data(ctx, d)) != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	tpl_set_bool(d, "any_unread", session_unread(ctx->db, ctx->arena, s) > 0);
	if (n > NOTIFY_PAGE)
		tpl_set_str(d, "older_href", arena_printf(ctx->arena, "/me/notifications?before=%lld", last));
	if (before)
		tpl_set_str(d, "first_href", "/me/notifications");
	page_render(ctx, "notifications", d);
}

void page_notification_read_post(struct hctx *ctx)
{
	const char *p[] = { ll(ctx->arena, ctx->req->id), ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_NOTIFY_MARK_READ, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	if (PQntuples(r) != 1) {
		page_error(ctx, 404, "Notification not found", "There is no notification of yours at this address.");
		return;
	}
	page_redirect(ctx, "/me/notifications");
}

void page_notifications_read_all_post(struct hctx *ctx)
{
	const char *p[] = { ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err err;
	if (!db_exec(ctx->db, ctx->arena, DB_NOTIFY_MARK_ALL, p, &err) || (err = conv_mark_all_read(ctx)) != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	page_redirect(ctx, "/me/notifications");
}

/* ---- watch / track / mute, per thread: /t/:id/follow ---- */

static const struct {
	const char *level;              /* thread_prefs.level; "normal": no row */
	const char *label;
	const char *hint;
} follow_levels[] = {
	{ "watch", "Watching", "New posts in this thread are listed in your notifications and counted at the top of every page." },
	{ "track", "Tracking", "The thread shows how many posts are new since you last read it, and offers to jump to the first one. (The default for threads you post in.)" },
	{ "normal", "Normal", "You are told only of replies to your posts and mentions of you." },
	{ "mute", "Muted", "Nothing from this thread reaches your notifications, not even replies to you. Moderators' decisions on your own posts still do." },
};

/* The thread of the address, if the member may see it; otherwise the page
 * is answered (404 or the database's error). */
static bool follow_thread(struct hctx *ctx, struct read_thread *th)
{
	bool found = false;
	struct read_viewer v = page_viewer(ctx);
	enum db_err err = db_read_thread(ctx->db, ctx->arena, ctx->req->id, &v, th, &found);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return false;
	}
	if (!found || !db_read_thread_visible(th, &v)) {
		page_error(ctx, 404, "Thread not found", "There is no thread at this address, or it is not public.");
		return false;
	}
	return true;
}

void page_follow_form(struct hctx *ctx)
{
	struct read_thread th;
	if (!follow_thread(ctx, &th))
		return;
	const char *p[] = { ll(ctx->arena, ctx->req->session->user_id), ll(ctx->arena, th.id) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_THREAD_PREF_GET, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	const char *level = PQntuples(r) ? db_val(r, 0, 0) : "normal";
	tpl_value *d = page_data(ctx, "Notifications for this thread");
	tpl_set_int(d, "thread_id", th.id);
	tpl_set_str(d, "thread_title", th.title);
	tpl_value *list = tpl_list(ctx->arena);
	for (size_t i = 0; i < sizeof follow_levels / sizeof follow_levels[0]; i++) {
		tpl_value *m = tpl_map(ctx->arena);
		tpl_set_str(m, "level", follow_levels[i].level);
		tpl_set_str(m, "id", arena_printf(ctx->arena, "follow-%s", follow_levels[i].level));
		tpl_set_str(m, "label", follow_levels[i].label);
		tpl_set_str(m, "hint", follow_levels[i].hint);
		if (strcmp(level, follow_levels[i].level) == 0) {
			tpl_set_str(m, "checked", "checked");
			tpl_set_str(d, "current", follow_levels[i].label);
		}
		tpl_list_push(list, m);
	}
	tpl_set(d, "levels", list);
	if (req_param(&ctx->req->query, "saved"))
		tpl_set_bool(d, "saved", true);
	page_render(ctx, "follow", d);
}

void page_follow_post(struct hctx *ctx)
{
	struct read_thread th;
	if (!follow_thread(ctx, &th))
		return;
	const char *level = page_field(ctx, "level");
	bool known = false;
	for (size_t i = 0; i < sizeof follow_levels / sizeof follow_levels[0]; i++)
		known = known || strcmp(level, follow_levels[i].level) == 0;
	if (!known) {
		page_form_again(ctx, 422, "Please choose one of the four options.");
		return;
	}
	const char *p[] = { ll(ctx->arena, ctx->req->session->user_id), ll(ctx->arena, th.id), level };
	enum db_err err;
	bool normal = strcmp(level, "normal") == 0;
	if (!db_exec(ctx->db, ctx->arena, normal ? DB_THREAD_PREF_CLEAR : DB_THREAD_PREF_SET, p, &err)) {
		page_db_error(ctx, err);
		return;
	}
	page_redirect(ctx, arena_printf(ctx->arena, "/t/%lld/follow?saved=1", th.id));
}

/* Watched threads with something new, for the notifications page: $1 member. */
static tpl_value *watched_new(struct hctx *ctx, enum db_err *err)
{
	const char *p[] = { ll(ctx->arena, ctx->req->session->user_id) };
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_NOTIFY_WATCHED, p, err);
	if (!r)
		return NULL;
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *m = tpl_map(ctx->arena);
		tpl_set_int(m, "thread_id", db_ll(r, i, 0));
		tpl_set_str(m, "title", db_val(r, i, 1));
		long long n = db_ll(r, i, 2);
		tpl_set_str(m, "count", n >= 100 ? "99+ new posts" : page_count(ctx->arena, n, "new post", "new posts"));
		tpl_set_int(m, "first", db_ll(r, i, 3));
		tpl_list_push(list, m);
	}
	return list;
}
