/* screen.c: see screen.h. */
#include "screen.h"

#include <string.h>

#include "log.h"

static void free_result(void *p)
{
	mod_result_free(p);
}

static void run(struct hctx *ctx, const char *text, mod_result *res, struct screen_outcome *out)
{
	memset(res, 0, sizeof *res);
	if (!text)
		return;
	/* The result lives in the arena, not in the caller's (stack) outcome,
	 * so the cleanup at reset frees what mod_screen allocated. */
	mod_result *owned = ARENA_NEW(ctx->arena, mod_result);
	enum mod_err e = mod_screen(ctx->rules, text, strlen(text), owned);
	arena_on_reset(ctx->arena, free_result, owned);
	*res = *owned;
	if (e != MOD_OK)
		log_warn("moderation filter: %s (post sent to review)", mod_strerror(e));
	for (size_t i = 0; i < res->count; i++) {
		const mod_match *m = &res->matches[i];
		if (strcmp(m->top, "crisis") == 0)
			out->crisis = true;
		if (m->action == MOD_HOLD)
			out->hold = true;
		if (m->action == MOD_NUDGE)
			out->nudge = true;
		/* Every match reaches a person: a nudged post that was sent as it
		 * is still goes to the queue, at its (low) severity. */
		out->queue = true;
		if (m->severity > out->max_severity)
			out->max_severity = m->severity;
	}
	if (res->needs_review || e != MOD_OK)
		out->queue = true;
}

void screen_post(struct hctx *ctx, const char *title, const char *body, struct screen_outcome *out)
{
	memset(out, 0, sizeof *out);
	out->title_text = title;
	out->body_text = body;
	run(ctx, title, &out->title, out);
	run(ctx, body, &out->body, out);
}

static const char *bits_csv(arena *a, unsigned bits, const char *(*name)(unsigned))
{
	buf b;
	buf_init(&b, a, 64);
	for (unsigned bit = 1; bit; bit <<= 1) {
		if (!(bits & bit) || !name(bit))
			continue;
		if (b.len)
			buf_putc(&b, ',');
		buf_puts(&b, name(bit));
	}
	return b.data;
}

static enum db_err store_field(struct hctx *ctx, const char *post_id, const char *field, const mod_result *res)
{
	enum db_err err = DB_OK;
	for (size_t i = 0; i < res->count; i++) {
		const mod_match *m = &res->matches[i];
		const char *p[] = {
			post_id, field, m->rule_id, mod_ruleset_version(ctx->rules), m->category, m->top,
			arena_printf(ctx->arena, "%d", m->severity), mod_action_name(m->action),
			arena_printf(ctx->arena, "%zu", m->start), arena_printf(ctx->arena, "%zu", m->end),
			bits_csv(ctx->arena, m->context, mod_ctx_name),
			bits_csv(ctx->arena, m->transforms, mod_xform_name),
		};
		if (!db_exec(ctx->db, ctx->arena, DB_FLAG_ADD, p, &err))
			return err;
	}
	return DB_OK;
}

enum db_err screen_store(struct hctx *ctx, long long post_id, const struct screen_outcome *out)
{
	const char *pid = arena_printf(ctx->arena, "%lld", post_id);
	enum db_err err = store_field(ctx, pid, "title", &out->title);
	if (err == DB_OK)
		err = store_field(ctx, pid, "body", &out->body);
	if (err != DB_OK || !out->queue)
		return err;
	const char *p[] = { pid, out->crisis ? "crisis" : "other",
	                    arena_printf(ctx->arena, "%d", out->max_severity) };
	return db_exec(ctx->db, ctx->arena, DB_REVIEW_ENQUEUE, p, &err) ? DB_OK : err;
}

static void add_nudges(struct hctx *ctx, tpl_value *list, const char *text, const mod_result *res)
{
	for (size_t i = 0; i < res->count; i++) {
		const mod_match *m = &res->matches[i];
		if (m->action != MOD_NUDGE || m->end <= m->start)
			continue;
		tpl_value *n = tpl_map(ctx->arena);
		tpl_set_strn(n, "words", text + m->start, m->end - m->start);
		tpl_set_str(n, "suggestion", m->suggestion);
		tpl_set_str(n, "note", m->note);
		tpl_list_push(list, n);
	}
}

void screen_set_nudges(struct hctx *ctx, tpl_value *d, const struct screen_outcome *out)
{
	tpl_value *list = tpl_list(ctx->arena);
	if (out->title_text)
		add_nudges(ctx, list, out->title_text, &out->title);
	if (out->body_text)
		add_nudges(ctx, list, out->body_text, &out->body);
	tpl_set(d, "nudges", list);
}
