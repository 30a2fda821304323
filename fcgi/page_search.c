/*
 * page_search.c: GET /search?q=words[&after=rank,id], full-text search over
 * posts and thread titles (lib/db_search.h), best match first, 20 a page on
 * a keyset cursor. The query keeps PostgreSQL's websearch syntax: "exact
 * phrase", -word, or. Only visible posts of visible threads are found.
 * Snippets come back with marked hits; each piece is escaped by the
 * template (the hits in <mark>), so nothing in a post becomes markup.
 */
#include <string.h>

#include "db_search.h"
#include "html.h"
#include "route.h"
#include "utf8.h"

/* The snippet as a list of {text, hit} pieces for the template. */
static tpl_value *snippet_parts(arena *a, const char *s)
{
	tpl_value *list = tpl_list(a);
	bool hit = false;
	while (s && *s) {
		size_t n = strcspn(s, "\001\002");
		if (n) {
			tpl_value *m = tpl_map(a);
			tpl_set_str(m, "text", arena_strndup(a, s, n));
			tpl_set_bool(m, "hit", hit);
			tpl_list_push(list, m);
		}
		s += n;
		if (*s) {
			hit = *s == SEARCH_MARK_START;
			s++;
		}
	}
	return list;
}

static void render(struct hctx *ctx, const char *q, int status, const char *problem)
{
	tpl_value *d = page_data(ctx, q[0] ? arena_printf(ctx->arena, "Search: %s", q) : "Search");
	tpl_set_str(d, "search_q", q);
	if (problem)
		tpl_set_str(d, "problem", problem);
	ctx->resp->status = status;
	page_render(ctx, "search", d);
}

void page_search(struct hctx *ctx)
{
	const char *q = req_param(&ctx->req->query, "q");
	q = q ? q : "";
	size_t qlen = strlen(q);
	if (utf8_count(q, qlen) > SEARCH_QUERY_MAX) {
		render(ctx, q, 400, arena_printf(ctx->arena, "That search is %zu characters long; a search "
		       "can be up to %d. Try fewer words.", utf8_count(q, qlen), SEARCH_QUERY_MAX));
		return;
	}
	if (utf8_has_controls(q, qlen, false)) {
		render(ctx, q, 400, "That search holds invisible control characters; please type it again.");
		return;
	}
	const char *after_s = req_param(&ctx->req->query, "after");
	struct search_cursor after;
	if (after_s && !db_search_cursor_parse(ctx->arena, after_s, &after)) {
		render(ctx, q, 400, "The \"after\" part of the address is not one this site made. "
		       "Search again from the first page.");
		return;
	}
	if (page_blank(q)) {
		render(ctx, "", 200, NULL);
		return;
	}
	struct search_hit *hits;
	size_t n;
	bool more;
	enum db_err err = db_search(ctx->db, ctx->arena, q, after_s ? &after : NULL, &hits, &n, &more);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, arena_printf(ctx->arena, "Search: %s", q));
	tpl_set_str(d, "search_q", q);
	tpl_set_bool(d, "searched", true);
	tpl_value *list = tpl_list(ctx->arena);
	for (size_t i = 0; i < n; i++) {
		tpl_value *m = tpl_map(ctx->arena);
		tpl_set_int(m, "post_id", hits[i].post_id);
		tpl_set_int(m, "thread_id", hits[i].thread_id);
		tpl_set_str(m, "title", hits[i].title);
		tpl_set_str(m, "category_slug", hits[i].category_slug);
		tpl_set_str(m, "category_name", hits[i].category_name);
		tpl_set_str(m, "author", hits[i].author);
		tpl_set_bool(m, "anonymous", hits[i].anonymous);
		tpl_set(m, "snippet", snippet_parts(ctx->arena, hits[i].snippet));
		page_set_when(m, ctx->arena, &hits[i].when);
		tpl_list_push(list, m);
	}
	if (n)
		tpl_set(d, "results", list);
	buf qs;
	buf_init(&qs, ctx->arena, 64 + qlen * 3);
	html_url_component(&qs, q, qlen);
	if (more)
		tpl_set_str(d, "next_href", arena_printf(ctx->arena, "/search?q=%s&after=%s", qs.data,
		                                         db_search_cursor_format(ctx->arena, &hits[n - 1])));
	if (after_s)
		tpl_set_str(d, "first_href", arena_printf(ctx->arena, "/search?q=%s", qs.data));
	page_render(ctx, "search", d);
}
