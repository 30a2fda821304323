/*
 * page_search.c: GET /search, full-text search over posts and thread titles
 * (lib/db_search.h), best match first, 20 a page on a keyset cursor.
 *
 *   q      the words; PostgreSQL's websearch syntax: "exact phrase", -word, or
 *   c      a category's slug (any when empty)
 *   by     a member's handle (any when empty): only where their page would
 *          list their posts (profiles_public, their own choice), and their
 *          crisis-flagged posts only to themselves and moderators, as there
 *   from, to   days YYYY-MM-DD (UTC), both included
 *   after  the keyset cursor of the next page (made by this page)
 *
 * Every value is checked before any search runs; a bad one is answered 400
 * (malformed), 403 (not allowed) or 404 (no such category or member) on the
 * search page itself, with what was typed kept in the form and a sentence
 * saying what to change. Only visible posts of visible threads are found.
 * Snippets come back with marked hits; each piece is escaped by the
 * template (the hits in <mark>), so nothing in a post becomes markup.
 */
#include <string.h>

#include "db_category.h"
#include "db_search.h"
#include "db_user.h"
#include "html.h"
#include "route.h"
#include "utf8.h"

/* What the form holds: each value as typed ("" when absent). */
struct search_form {
	const char *q, *c, *by, *from, *to;
};

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

static const char *param(struct hctx *ctx, const char *name)
{
	const char *v = req_param(&ctx->req->query, name);
	return v ? v : "";
}

/* The page with the form filled in as typed; the category list is best
 * effort (a page about a database error has been rendered otherwise). */
static tpl_value *form_data(struct hctx *ctx, const struct search_form *f)
{
	tpl_value *d = page_data(ctx, f->q[0] ? arena_printf(ctx->arena, "Search: %s", f->q) : "Search");
	tpl_set_str(d, "search_q", f->q);
	tpl_set_str(d, "search_by", f->by);
	tpl_set_str(d, "search_from", f->from);
	tpl_set_str(d, "search_to", f->to);
	tpl_set_bool(d, "filtered", f->c[0] || f->by[0] || f->from[0] || f->to[0]);
	struct category *cats;
	size_t n;
	if (db_category_list(ctx->db, ctx->arena, &cats, &n) == DB_OK) {
		tpl_value *list = tpl_list(ctx->arena);
		for (size_t i = 0; i < n; i++) {
			tpl_value *m = tpl_map(ctx->arena);
			tpl_set_str(m, "slug", cats[i].slug);
			tpl_set_str(m, "name", cats[i].name);
			tpl_set_bool(m, "selected", strcmp(cats[i].slug, f->c) == 0);
			tpl_list_push(list, m);
		}
		tpl_set(d, "categories", list);
	}
	return d;
}

static void refuse(struct hctx *ctx, const struct search_form *f, int status, const char *problem)
{
	tpl_value *d = form_data(ctx, f);
	tpl_set_str(d, "problem", problem);
	ctx->resp->status = status;
	page_render(ctx, "search", d);
}

static bool slug_shaped(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 48 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n && s[0] != '-';
}

/* Checks the filters and fills sf; false when the answer (a refusal or an
 * error page) is set. */
static bool filters(struct hctx *ctx, const struct search_form *f, struct search_filter *sf)
{
	memset(sf, 0, sizeof *sf);
	sf->viewer = page_viewer(ctx);
	arena *a = ctx->arena;
	enum db_err err;
	const char *to_next = NULL;
	if (f->from[0] && !db_search_day_parse(a, f->from, &to_next)) {
		refuse(ctx, f, 400, "\"From\" must be a day written like 2026-01-31 (year, month, day). "
		       "Change it or leave it empty.");
		return false;
	}
	if (f->from[0])
		sf->from = f->from;
	if (f->to[0] && !db_search_day_parse(a, f->to, &sf->to_next)) {
		refuse(ctx, f, 400, "\"To\" must be a day written like 2026-01-31 (year, month, day). "
		       "Change it or leave it empty.");
		return false;
	}
	if (f->from[0] && f->to[0] && strcmp(f->from, f->to) > 0) {
		refuse(ctx, f, 400, "\"From\" is after \"To\": no post can be written between them. "
		       "Swap the two days.");
		return false;
	}
	if (f->c[0]) {
		if (!slug_shaped(f->c)) {
			refuse(ctx, f, 400, "That category is not one of this forum's. Choose one from the list.");
			return false;
		}
		struct category cat;
		bool found;
		if ((err = db_category_by_slug(ctx->db, a, f->c, &cat, &found)) != DB_OK) {
			page_db_error(ctx, err);
			return false;
		}
		/* A group's own category is never searched (a group is read from its
		 * page): the same answer as no category, so that an unlisted group's
		 * slug tells nobody that it exists. */
		if (!found || cat.group_id) {
			refuse(ctx, f, 404, "There is no such category. Choose one from the list.");
			return false;
		}
		sf->category_id = cat.id;
	}
	if (f->by[0]) {
		if (!user_handle_valid(f->by)) {
			refuse(ctx, f, 400, "A member's name is 3 to 30 letters, digits, \"_\" or \"-\". "
			       "Check the name, or leave it empty.");
			return false;
		}
		bool profiles_public = ctx->conf->profiles_public != 0;
		/* Before the look-up, so a stranger does not learn who is a member. */
		if (!db_read_may_see_profile(profiles_public, &sf->viewer)) {
			refuse(ctx, f, 403, "Searching one member's posts is for logged-in members, as members' "
			       "pages are. Log in, or leave the member empty.");
			return false;
		}
		struct read_member mem;
		bool found;
		if ((err = db_read_member(ctx->db, a, f->by, &mem, &found)) != DB_OK) {
			page_db_error(ctx, err);
			return false;
		}
		if (!found) {
			refuse(ctx, f, 404, "No member has this name, or their account was closed. "
			       "Check the name, or leave it empty.");
			return false;
		}
		if (!db_read_may_list_posts(&mem, profiles_public, &sf->viewer)) {
			refuse(ctx, f, 403, "This member keeps their posts to themselves, so a search cannot list "
			       "them either. Leave the member empty to search everyone's posts.");
			return false;
		}
		sf->member_id = mem.id;
	}
	return true;
}

/* "&c=...&by=..." for the filters set, URL-encoded. */
static const char *filter_query(arena *a, const struct search_form *f)
{
	buf b;
	buf_init(&b, a, 128);
	const char *names[] = { "c", "by", "from", "to" };
	const char *values[] = { f->c, f->by, f->from, f->to };
	for (int i = 0; i < 4; i++) {
		if (!values[i][0])
			continue;
		buf_printf(&b, "&%s=", names[i]);
		html_url_component(&b, values[i], strlen(values[i]));
	}
	return b.data ? b.data : "";
}

void page_search(struct hctx *ctx)
{
	struct search_form f = { param(ctx, "q"), param(ctx, "c"), param(ctx, "by"), param(ctx, "from"),
	                         param(ctx, "to") };
	const char *q = f.q;
	size_t qlen = strlen(q);
	if (utf8_count(q, qlen) > SEARCH_QUERY_MAX) {
		refuse(ctx, &f, 400, arena_printf(ctx->arena, "That search is %zu characters long; a search "
		       "can be up to %d. Try fewer words.", utf8_count(q, qlen), SEARCH_QUERY_MAX));
		return;
	}
	const char *typed[] = { f.q, f.c, f.by, f.from, f.to };
	for (int i = 0; i < 5; i++)
		if (utf8_has_controls(typed[i], strlen(typed[i]), false) || strlen(typed[i]) > SEARCH_QUERY_MAX * 4) {
			/* Nothing of it goes back into the form: it is not what a person typed. */
			struct search_form blank = { "", "", "", "", "" };
			refuse(ctx, &blank, 400, "That search holds invisible control characters or is far too long; "
			       "please type it again.");
			return;
		}
	const char *after_s = req_param(&ctx->req->query, "after");
	struct search_cursor after;
	if (after_s && !db_search_cursor_parse(ctx->arena, after_s, &after)) {
		refuse(ctx, &f, 400, "The \"after\" part of the address is not one this site made. "
		       "Search again from the first page.");
		return;
	}
	struct search_filter sf;
	if (!filters(ctx, &f, &sf))
		return;
	if (page_blank(q)) {
		tpl_value *d = form_data(ctx, &f);
		if (f.c[0] || f.by[0] || f.from[0] || f.to[0])
			tpl_set_str(d, "hint", "Type a few words to look for: the filters narrow a search down.");
		page_render(ctx, "search", d);
		return;
	}
	struct search_hit *hits;
	size_t n;
	bool more, window_full;
	sf.window = ctx->conf->search_window;
	enum db_err err = db_search(ctx->db, ctx->arena, q, after_s ? &after : NULL, &sf, &hits, &n, &more,
	                            &window_full);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = form_data(ctx, &f);
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
		if (hits[i].warning)
			tpl_set_str(m, "warning", hits[i].warning);
		else
			tpl_set(m, "snippet", snippet_parts(ctx->arena, hits[i].snippet));
		page_set_when(m, ctx->arena, &hits[i].when);
		tpl_list_push(list, m);
	}
	if (n)
		tpl_set(d, "results", list);
	if (window_full && !more)
		tpl_set_str(d, "window_note", arena_printf(ctx->arena, "These are the best matches among the "
		            "newest %d posts that contain these words. To look further back, choose a category, "
		            "a member or dates.", sf.window));
	buf qs;
	buf_init(&qs, ctx->arena, 64 + qlen * 3);
	html_url_component(&qs, q, qlen);
	const char *fq = filter_query(ctx->arena, &f);
	if (more)
		tpl_set_str(d, "next_href", arena_printf(ctx->arena, "/search?q=%s%s&after=%s", qs.data, fq,
		                                         db_search_cursor_format(ctx->arena, &hits[n - 1])));
	if (after_s)
		tpl_set_str(d, "first_href", arena_printf(ctx->arena, "/search?q=%s%s", qs.data, fq));
	page_render(ctx, "search", d);
}
