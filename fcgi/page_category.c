/*
 * page_category.c: "/c/:slug", a category's threads by last activity, 30 a
 * page. Pages follow a keyset cursor (?before=<last activity>,<thread id>
 * of the last thread shown), so a page costs the same however deep it is
 * and threads that move while someone pages are neither lost nor repeated
 * within the snapshot each page reads.
 */
#include <string.h>

#include "db_care.h"
#include "db_category.h"
#include "db_read.h"
#include "route.h"
#include "session.h"

static const char *replies_text(arena *a, long long n)
{
	if (n <= 0)
		return "no replies yet";
	return n == 1 ? "1 reply" : arena_printf(a, "%lld replies", n);
}

/* A quiet mark for threads not everyone sees. */
static const char *thread_mark(const struct read_thread_item *t, const struct read_viewer *v)
{
	switch (t->state) {
	case READ_HELD: return v->moderator ? "held for review" : "waiting for a moderator";
	case READ_HIDDEN: return "hidden";
	case READ_DELETED: return "deleted";
	case READ_VISIBLE:
		if (t->pinned)
			return t->locked ? "pinned, locked" : "pinned";
		return t->locked ? "locked" : NULL;
	case READ_STATE__MAX: break;
	}
	return NULL;
}

static tpl_value *thread_item(arena *a, const struct read_thread_item *t, const struct read_viewer *v)
{
	tpl_value *m = tpl_map(a);
	tpl_set_int(m, "id", t->id);
	tpl_set_str(m, "title", t->title);
	tpl_set_str(m, "author", t->author);
	tpl_set_bool(m, "anonymous", t->anonymous);
	tpl_set_str(m, "replies", replies_text(a, t->replies));
	tpl_set_str(m, "mark", thread_mark(t, v));
	tpl_set_str(m, "css", t->state != READ_VISIBLE ? "thread thread-marked" :
	            t->pinned ? (t->unread ? "thread thread-pinned thread-unread" : "thread thread-pinned") :
	            t->unread ? "thread thread-unread" : "thread");
	if (t->unread) {
		tpl_set_str(m, "unread", page_count(a, t->unread, "new post", "new posts"));
		tpl_set_int(m, "first_unread", t->first_unread);
	}
	page_set_when(m, a, &t->last);
	return m;
}

void page_category(struct hctx *ctx)
{
	const char *before_s = req_param(&ctx->req->query, "before");
	struct read_cursor before;
	if (before_s && !db_read_cursor_parse(ctx->arena, before_s, &before)) {
		page_error(ctx, 400, "That page address is not valid",
		           "The \"before\" part of the address is not one this site made. "
		           "Start again from the category's first page.");
		return;
	}
	struct category cat;
	if (!page_category_or_error(ctx, &cat,
	                            "There is no category at this address. The list of categories is on the home page."))
		return;
	struct read_viewer v = page_viewer(ctx);
	struct read_thread_item *items;
	size_t n;
	bool more;
	enum db_err err = db_read_category_threads(ctx->db, ctx->arena, cat.id, before_s ? &before : NULL, &v, &items,
	                               &n, &more);
	/* Pinned threads come first, on the first page only (moderator tools,
	 * sql/019_modtools.sql); the pages by activity leave them out. */
	struct read_thread_item *pinned = NULL;
	size_t npinned = 0;
	if (err == DB_OK && !before_s)
		err = db_read_category_pinned(ctx->db, ctx->arena, cat.id, &v, &pinned, &npinned);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	bool muted = false, muted_crisis = false;
	if (v.user_id) {
		err = db_care_muted_here(ctx->db, ctx->arena, v.user_id, cat.id, &muted, &muted_crisis);
		if (err != DB_OK) {
			page_db_error(ctx, err);
			return;
		}
	}
	tpl_value *d = page_data(ctx, cat.name);
	/* Say what the member's own choice leaves out, so an empty list is
	 * never a mystery. */
	if (muted)
		tpl_set_bool(d, "muted_category", true);
	else if (muted_crisis)
		tpl_set_bool(d, "muted_crisis", true);
	/* A group's category (slug "group-" + the group's) has the group's own
	 * feed; the public category feed never lists a group's threads. */
	if (cat.group_id && strncmp(cat.slug, "group-", 6) == 0)
		tpl_set_str(d, "feed_url", arena_printf(ctx->arena, "/g/%s/feed.atom", cat.slug + 6));
	else
		tpl_set_str(d, "feed_url", arena_printf(ctx->arena, "/c/%s/feed.atom", cat.slug));
	tpl_value *c = tpl_map(ctx->arena);
	tpl_set_str(c, "slug", cat.slug);
	tpl_set_str(c, "name", cat.name);
	tpl_set_str(c, "description", cat.description);
	tpl_set(d, "category", c);
	tpl_value *list = tpl_list(ctx->arena);
	for (size_t i = 0; i < npinned; i++)
		tpl_list_push(list, thread_item(ctx->arena, &pinned[i], &v));
	for (size_t i = 0; i < n; i++)
		tpl_list_push(list, thread_item(ctx->arena, &items[i], &v));
	tpl_set(d, "threads", list);
	if (more)
		tpl_set_str(d, "older_href", arena_printf(ctx->arena, "/c/%s?before=%s", cat.slug,
		            db_read_cursor_format(ctx->arena, &items[n - 1].last, items[n - 1].id)));
	if (before_s)
		tpl_set_str(d, "first_href", arena_printf(ctx->arena, "/c/%s", cat.slug));
	page_render(ctx, "category", d);
}
