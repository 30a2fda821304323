/* page_help.c: /help, the crisis resources, one click from every page.
 * Needs no database: it must work when everything else is down. */
#include "route.h"

void page_help(struct hctx *ctx)
{
	tpl_value *d = page_data(ctx, "Need help now?");
	page_set_crisis(ctx, d);
	page_render(ctx, "help", d);
}

/* /weather: where the quick exit goes by default. A plain page of this site
 * that looks like nothing in particular (no site name, no forum header), so
 * a glance at the screen or a request log says nothing, and no third party
 * learns that someone left in a hurry. Needs no database. */
void page_weather(struct hctx *ctx)
{
	tpl_value *d = tpl_map(ctx->arena);
	resp_header(ctx->resp, "Cache-Control", "no-store");
	page_render(ctx, "weather", d);
}
