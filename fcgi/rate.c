/* rate.c: see rate.h. */
#include "rate.h"

#include <string.h>

#include "session.h"

static const char *wait_text(arena *a, long long seconds)
{
	if (seconds <= 60)
		return "in a minute";
	long long minutes = (seconds + 59) / 60;    /* at least 2 */
	return arena_printf(a, "in %lld minutes", minutes);
}

bool rate_post_allowed(struct hctx *ctx, enum post_kind kind, handler_fn form)
{
	const conf *c = ctx->conf;
	struct session *s = ctx->req->session;
	if (!s || strcmp(page_field(ctx, "action"), "preview") == 0)
		return true;
	const struct post_limits established = {
		.threads_per_hour = c->post_threads_per_hour,
		.replies_per_hour = c->post_replies_per_hour,
		.per_minute = c->post_per_minute,
	};
	const struct post_limits newcomer = {
		.threads_per_hour = c->new_member_threads_per_hour,
		.replies_per_hour = c->new_member_replies_per_hour,
		.per_minute = c->new_member_per_minute,
	};
	struct post_rate rate;
	enum db_err e = db_post_rate(ctx->db, ctx->arena, s->user_id, kind, c->new_member_days, &established,
	                             &newcomer, &rate);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return false;
	}
	if (rate.allowed)
		return true;
	resp_header(ctx->resp, "Retry-After", arena_printf(ctx->arena, "%lld", rate.wait_seconds));
	page_form_error(ctx, 429, arena_printf(ctx->arena,
	                "You have posted a lot in a short time, so this was not posted yet. Your text is kept "
	                "below: you can post it %s.%s If you need someone to talk to right now, "
	                "\"Need help now?\" at the top of the page lists people you can reach at once.",
	                wait_text(ctx->arena, rate.wait_seconds),
	                rate.new_member ? " New accounts have lower limits for their first days; they "
	                                  "keep the forum safe from spam." : ""));
	form(ctx);
	return false;
}
