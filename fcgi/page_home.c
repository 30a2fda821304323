/*
 * page_home.c: "/", the front door. First the threads still waiting for a
 * first reply (oldest first: who has waited longest is seen first), then the
 * latest threads across categories, then the categories with their counts.
 * Only visible threads are listed (lib/db_home.h), the same for everyone
 * but a member's muted topics.
 * Times are relative ("3 hours ago") with the exact moment in <time>.
 */
#include "db_category.h"
#include "db_home.h"
#include "route.h"
#include "session.h"

static tpl_value *thread_list(arena *a, const struct home_thread *t, size_t n)
{
	tpl_value *list = tpl_list(a);
	for (size_t i = 0; i < n; i++) {
		tpl_value *m = tpl_map(a);
		tpl_set_int(m, "id", t[i].id);
		tpl_set_str(m, "title", t[i].title);
		tpl_set_str(m, "author", t[i].author);
		tpl_set_bool(m, "anonymous", t[i].anonymous);
		tpl_set_str(m, "category_slug", t[i].category_slug);
		tpl_set_str(m, "category_name", t[i].category_name);
		tpl_set_str(m, "replies", t[i].replies > 0 ? page_count(a, t[i].replies, "reply", "replies") :
		            "no replies yet");
		page_set_when(m, a, &t[i].last);
		tpl_value *started = tpl_map(a);
		page_set_when(started, a, &t[i].started);
		tpl_set(m, "started", started);
		tpl_list_push(list, m);
	}
	return list;
}

void page_home(struct hctx *ctx)
{
	struct category *cats;
	struct home_thread *latest, *waiting;
	size_t n, nlatest, nwaiting;
	long long viewer = ctx->req->session ? ctx->req->session->user_id : 0;
	enum db_err err = db_category_list(ctx->db, ctx->arena, &cats, &n);
	if (err == DB_OK)
		err = db_home_unanswered(ctx->db, ctx->arena, viewer, &waiting, &nwaiting);
	if (err == DB_OK)
		err = db_home_latest(ctx->db, ctx->arena, viewer, &latest, &nlatest);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, "Welcome");
	tpl_set_str(d, "feed_url", "/feed.atom");
	tpl_value *list = tpl_list(ctx->arena);
	for (size_t i = 0; i < n; i++) {
		tpl_value *c = tpl_map(ctx->arena);
		tpl_set_str(c, "slug", cats[i].slug);
		tpl_set_str(c, "name", cats[i].name);
		tpl_set_str(c, "description", cats[i].description);
		tpl_set_str(c, "threads", page_count(ctx->arena, cats[i].thread_count, "thread", "threads"));
		tpl_set_str(c, "posts", page_count(ctx->arena, cats[i].post_count, "post", "posts"));
		if (cats[i].last_post_at) {
			struct read_when w = { cats[i].last_post_at, cats[i].last_post_age };
			tpl_value *last = tpl_map(ctx->arena);
			page_set_when(last, ctx->arena, &w);
			tpl_set(c, "last", last);
		}
		tpl_list_push(list, c);
	}
	tpl_set(d, "categories", list);
	if (nwaiting)
		tpl_set(d, "waiting", thread_list(ctx->arena, waiting, nwaiting));
	if (nlatest)
		tpl_set(d, "latest", thread_list(ctx->arena, latest, nlatest));
	page_render(ctx, "home", d);
}
