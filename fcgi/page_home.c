/* page_home.c: "/" lists the categories with their counts. */
#include "db_category.h"
#include "route.h"

void page_home(struct hctx *ctx)
{
	struct category *cats;
	size_t n;
	enum db_err err = db_category_list(ctx->db, ctx->arena, &cats, &n);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, "Welcome");
	tpl_value *list = tpl_list(ctx->arena);
	for (size_t i = 0; i < n; i++) {
		tpl_value *c = tpl_map(ctx->arena);
		tpl_set_str(c, "slug", cats[i].slug);
		tpl_set_str(c, "name", cats[i].name);
		tpl_set_str(c, "description", cats[i].description);
		tpl_set_int(c, "thread_count", cats[i].thread_count);
		tpl_set_int(c, "post_count", cats[i].post_count);
		tpl_set_str(c, "last_post_at", cats[i].last_post_at);
		tpl_list_push(list, c);
	}
	tpl_set(d, "categories", list);
	page_render(ctx, "home", d);
}
