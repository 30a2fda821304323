/*
 * page_member.c: "/u/:handle" a member's posts, "/me/replies" replies to my
 * posts. Both newest first, 30 a page, keyset cursor ?before=<time>,<id>.
 * Only posts the asker may see are listed (db_read.h): profiles need a
 * log-in unless the operator made them public (profiles_public), a member
 * can hide their list, and posts with a crisis flag are never listed but to
 * their author and the moderators.
 */
#include "db_read.h"
#include "page_conversation.h"
#include "route.h"
#include "session.h"

/* ?before=: false (and a 400 page) when present and malformed. */
static bool query_before(struct hctx *ctx, struct read_cursor *before, bool *has)
{
	const char *s = req_param(&ctx->req->query, "before");
	*has = s != NULL;
	if (s && !db_read_cursor_parse(ctx->arena, s, before)) {
		page_error(ctx, 400, "That page address is not valid",
		           "The \"before\" part of the address is not one this site made. Start again from the first page.");
		return false;
	}
	return true;
}

static const char *post_mark(enum read_state s)
{
	switch (s) {
	case READ_HELD: return "waiting for a moderator";
	case READ_HIDDEN: return "hidden by a moderator";
	case READ_DELETED: return "deleted";
	case READ_VISIBLE: case READ_STATE__MAX: break;
	}
	return NULL;
}

static tpl_value *post_list(arena *a, const struct read_post_item *items, size_t n)
{
	tpl_value *list = tpl_list(a);
	for (size_t i = 0; i < n; i++) {
		const struct read_post_item *p = &items[i];
		tpl_value *m = tpl_map(a);
		tpl_set_int(m, "id", p->id);
		tpl_set_int(m, "thread_id", p->thread_id);
		tpl_set_str(m, "thread_title", p->thread_title);
		tpl_set_str(m, "author", p->author);
		tpl_set_bool(m, "anonymous", p->anonymous);
		tpl_set_str(m, "excerpt", p->cut ? arena_printf(a, "%s…", p->excerpt) : p->excerpt);
		tpl_set_str(m, "mark", post_mark(p->state));
		tpl_set_str(m, "warning", p->warning);
		tpl_set_str(m, "css", p->state == READ_VISIBLE ? "item" : "item item-marked");
		page_set_when(m, a, &p->created);
		tpl_list_push(list, m);
	}
	return list;
}

/* older_href / first_href for a list at base. */
static void set_pager(struct hctx *ctx, tpl_value *d, const char *base, const struct read_post_item *items,
                      size_t n, bool more, bool paged)
{
	if (more)
		tpl_set_str(d, "older_href", arena_printf(ctx->arena, "%s?before=%s", base,
		            db_read_cursor_format(ctx->arena, &items[n - 1].created, items[n - 1].id)));
	if (paged)
		tpl_set_str(d, "first_href", base);
}

void page_member(struct hctx *ctx)
{
	struct read_viewer v = page_viewer(ctx);
	bool profiles_public = ctx->conf->profiles_public != 0;
	/* Before the look-up, so a stranger does not even learn who is a member. */
	if (!db_read_may_see_profile(profiles_public, &v)) {
		page_redirect(ctx, arena_printf(ctx->arena, "/login?next=/u/%s", ctx->req->slug));
		return;
	}
	struct read_cursor before;
	bool paged;
	if (!query_before(ctx, &before, &paged))
		return;
	struct read_member mem;
	bool found;
	enum db_err err = db_read_member(ctx->db, ctx->arena, ctx->req->slug, &mem, &found);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	if (!found) {
		page_error(ctx, 404, "Member not found", "No member has this name, or their account was closed.");
		return;
	}
	struct read_post_item *items = NULL;
	size_t n = 0;
	bool more = false;
	bool listed = db_read_may_list_posts(&mem, profiles_public, &v);
	if (listed)
		err = db_read_member_posts(ctx->db, ctx->arena, mem.id, paged ? &before : NULL, &v, &items, &n,
		                           &more);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, mem.handle);
	tpl_set_bool(d, "posts_private", !listed);
	tpl_set_bool(d, "posts_hidden_note", listed && mem.posts_hidden);
	tpl_set_bool(d, "own", v.user_id == mem.id);
	tpl_set_bool(d, "away", mem.away);
	if (v.user_id == mem.id)
		page_set_restriction(ctx, d);
	else if (v.moderator)
		tpl_set_str(d, "mod_url", arena_printf(ctx->arena, "/mod/u/%s", mem.handle));
	tpl_value *m = tpl_map(ctx->arena);
	tpl_set_str(m, "handle", mem.handle);
	tpl_set_str(m, "iso", db_read_datetime(ctx->arena, &mem.since));
	tpl_set_str(m, "exact", db_read_exact(ctx->arena, &mem.since));
	tpl_set_str(m, "date", db_read_date(ctx->arena, &mem.since));
	tpl_set(d, "member", m);
	if ((err = conv_member_data(ctx, d, mem.id, mem.handle)) != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	tpl_set(d, "posts", post_list(ctx->arena, items, n));
	set_pager(ctx, d, arena_printf(ctx->arena, "/u/%s", mem.handle), items, n, more, paged);
	page_render(ctx, "member", d);
}

void page_replies_to_me(struct hctx *ctx)
{
	struct read_cursor before;
	bool paged;
	if (!query_before(ctx, &before, &paged))
		return;
	struct read_viewer v = page_viewer(ctx);
	struct read_post_item *items;
	size_t n;
	bool more;
	enum db_err err = db_read_replies_to(ctx->db, ctx->arena, paged ? &before : NULL, &v, &items, &n, &more);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, "Replies to you");
	tpl_set(d, "posts", post_list(ctx->arena, items, n));
	set_pager(ctx, d, "/me/replies", items, n, more, paged);
	page_render(ctx, "replies", d);
}
