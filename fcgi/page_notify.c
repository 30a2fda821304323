/*
 * page_notify.c: "/me/notifications", a member's notifications (replies to
 * their posts, mentions, moderators' decisions on their posts, "I'm here"
 * offers), newest first, 30 a page (?before=ID); and marking them read, one
 * or all (POST with the CSRF token, then a redirect back).
 *
 * The rows are written by the database (sql/013_notifications.sql) in the
 * transaction of the write that causes them. They hold ids only: the
 * post is read here through the visibility rule (NOTIFY_VISIBLE in
 * lib/db_sql.def), so a post the member may not see is never listed.
 */
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "session.h"

#define NOTIFY_PAGE 30

static const char *ll(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

/* What happened, in words, for kind; actor may be NULL (a deleted member). */
static const char *notify_says(arena *a, const char *kind, const char *actor)
{
	const char *who = actor ? actor : "A former member";
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
	if (!r) {
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
		bool cut = db_val(r, i, 11)[0] == 't';
		tpl_set_int(m, "id", id);
		tpl_set_str(m, "kind", kind);
		tpl_set_bool(m, "unread", !read);
		tpl_set_str(m, "css", read ? "notification" : "notification unread");
		tpl_set_str(m, "says", notify_says(ctx->arena, kind, actor));
		tpl_set_str(m, "actor", actor);
		tpl_set_int(m, "post_id", db_ll(r, i, 5));
		tpl_set_int(m, "thread_id", db_ll(r, i, 6));
		tpl_set_str(m, "thread_title", db_val(r, i, 7));
		if (!PQgetisnull(r, i, 9))
			tpl_set_str(m, "hide_reason", db_val(r, i, 9));
		tpl_set_str(m, "excerpt", arena_printf(ctx->arena, "%s%s", db_val(r, i, 10), cut ? "\u2026" : ""));
		tpl_set_str(m, "read_action", arena_printf(ctx->arena, "/me/notifications/%lld/read", id));
		page_set_when(m, ctx->arena, &when);
		tpl_list_push(list, m);
		last = id;
	}
	tpl_set(d, "notifications", list);
	tpl_set_bool(d, "any_unread", s->unread > 0);
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
	if (!db_exec(ctx->db, ctx->arena, DB_NOTIFY_MARK_ALL, p, &err)) {
		page_db_error(ctx, err);
		return;
	}
	page_redirect(ctx, "/me/notifications");
}
