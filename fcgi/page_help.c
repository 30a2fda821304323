/* page_help.c: /help, the crisis resources, one click from every page.
 * Needs no database: it must work when everything else is down. */
#include "route.h"

void page_help(struct hctx *ctx)
{
	tpl_value *d = page_data(ctx, "Need help now?");
	page_set_crisis(ctx, d);
	page_render(ctx, "help", d);
}
