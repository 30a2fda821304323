/*
 * page_feed.c: Atom feeds (RFC 4287): public ones (the anonymous reader's
 * view) and a group's, for its members.
 *
 *   /feed.atom            the newest threads of the whole site
 *   /c/:slug/feed.atom    the newest threads of one category
 *   /t/:id/feed.atom      the newest posts of one thread
 *   /g/:slug/feed.atom    the newest posts of a group (page_feed_group_posts):
 *                         not public; fcgi/page_group.c lets only the group's
 *                         members in, by session or private feed key
 *
 * The first three are public, whoever asks: they show exactly what an anonymous
 * reader may see (lib/db_read.h, stated in SQL in lib/db_sql_feed.def):
 * visible threads and their visible posts, never a held, hidden or deleted
 * text nor a redacted original. A thread an anonymous reader may not see
 * has no feed (404, the same as one that never existed). A post with a
 * content warning shows the warning only, with a link: a feed reader cannot
 * keep it closed as the page does.
 *
 * The document is written here, not by the template engine (which writes
 * XHTML): every text goes through xml_text(), which escapes &, <, > and "
 * and drops the bytes XML 1.0 cannot carry; the sanitized body_html travels
 * as escaped text in <content type="html">. Links are absolute, from
 * base_url.
 */
#include <string.h>

#include "buf.h"
#include "db_category.h"
#include "html.h"
#include "route.h"

#define FEED_THREADS 30         /* entries in a site or category feed */
#define FEED_POSTS 50           /* entries in a thread feed */

/* For when a feed has no entry yet: Atom needs an <updated>. */
#define FEED_EPOCH "1970-01-01T00:00:00Z"

/* s escaped for XML element content or a double-quoted attribute. Control
 * characters other than tab and line feed are dropped (XML 1.0 cannot carry
 * them; the forms refuse them, so only old or imported rows could hold one). */
static void xml_text(buf *out, const char *s)
{
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		default:
			if (*p < 0x20 && *p != '\t' && *p != '\n')
				break;
			buf_putc(out, (char)*p);
		}
	}
}

/* <name>text</name> with text escaped. */
static void xml_elem(buf *out, const char *name, const char *text)
{
	buf_printf(out, "<%s>", name);
	xml_text(out, text);
	buf_printf(out, "</%s>\n", name);
}

/* The HTML of an entry's content: the sanitized body, or for a post with a
 * content warning the warning alone and a link to open the post. */
static const char *entry_html(arena *a, const char *body_html, const char *warning, const char *link)
{
	if (!warning)
		return body_html ? body_html : "";
	buf h;
	buf_init(&h, a, 256);
	buf_puts(&h, "<p>Content warning: ");
	html_text(&h, warning, strlen(warning));
	buf_puts(&h, "</p><p><a href=\"");
	html_attr(&h, link, strlen(link));
	buf_puts(&h, "\">Open the post on the forum to read it.</a></p>");
	buf_putc(&h, '\0');
	return h.data;
}

struct feed {
	struct hctx *ctx;
	buf out;
	const char *base;       /* base_url, no trailing slash */
};

static void feed_begin(struct feed *f, const char *title, const char *self, const char *page,
                       const char *updated)
{
	buf_init(&f->out, f->ctx->arena, 16384);
	f->base = f->ctx->conf->base_url;
	buf *o = &f->out;
	buf_puts(o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	         "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
	const char *self_url = arena_printf(f->ctx->arena, "%s%s", f->base, self);
	xml_elem(o, "id", self_url);
	xml_elem(o, "title", title);
	xml_elem(o, "updated", updated ? updated : FEED_EPOCH);
	buf_puts(o, "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	xml_text(o, self_url);
	buf_puts(o, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	xml_text(o, arena_printf(f->ctx->arena, "%s%s", f->base, page));
	buf_puts(o, "\"/>\n");
	xml_elem(o, "generator", "Hearth");
}

/* One entry; path: the local address it links to (its id too). */
static void feed_entry(struct feed *f, const char *path, const char *title, const char *author,
                       const char *published, const char *updated, const char *body_html,
                       const char *warning, const char *category)
{
	buf *o = &f->out;
	const char *url = arena_printf(f->ctx->arena, "%s%s", f->base, path);
	buf_puts(o, "<entry>\n");
	xml_elem(o, "id", url);
	xml_elem(o, "title", title);
	xml_elem(o, "published", published);
	xml_elem(o, "updated", updated);
	buf_puts(o, "<link rel=\"alternate\" type=\"text/html\" href=\"");
	xml_text(o, url);
	buf_puts(o, "\"/>\n<author>");
	xml_elem(o, "name", author ? author : "deleted member");
	buf_puts(o, "</author>\n");
	if (category) {
		buf_puts(o, "<category term=\"");
		xml_text(o, category);
		buf_puts(o, "\"/>\n");
	}
	buf_puts(o, "<content type=\"html\">");
	xml_text(o, entry_html(f->ctx->arena, body_html, warning, url));
	buf_puts(o, "</content>\n</entry>\n");
}

static void feed_end(struct feed *f)
{
	buf_puts(&f->out, "</feed>\n");
	struct response *resp = f->ctx->resp;
	resp->status = 200;
	resp->content_type = "application/atom+xml; charset=utf-8";
	buf_append(&resp->body, f->out.data, f->out.len);     /* lint: raw-body (Atom, escaped by xml_text) */
}

/* Entries for the rows of FEED_SITE / FEED_CATEGORY (db_sql_feed.def). */
static void thread_entries(struct feed *f, const PGresult *r)
{
	db *d = f->ctx->db;
	for (int i = 0; i < PQntuples(r); i++)
		feed_entry(f, arena_printf(f->ctx->arena, "/t/%lld", db_int(d, r, i, 0)), db_text(d, r, i, 1),
		           db_val(r, i, 9)[0] == 't' ? PAGE_ANON_AUTHOR : db_val(r, i, 2), db_text(d, r, i, 5),
		           db_text(d, r, i, 6), db_val(r, i, 7),
		           db_val(r, i, 8), db_text(d, r, i, 4));
}

/* The newest <updated> of a thread list (rows are newest first by creation,
 * but an edit may make an older one newer). */
static const char *newest(const PGresult *r, int col)
{
	const char *max = NULL;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *v = db_val(r, i, col);
		if (v && (!max || strcmp(v, max) > 0))
			max = v;
	}
	return max;
}

static const char *limit_text(arena *a, int n)
{
	return arena_printf(a, "%d", n);
}

void page_feed_site(struct hctx *ctx)
{
	const char *p[] = { limit_text(ctx->arena, FEED_THREADS) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_FEED_SITE, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	struct feed f = { .ctx = ctx };
	feed_begin(&f, arena_printf(ctx->arena, "%s: new threads", ctx->conf->site_name), "/feed.atom", "/",
	           newest(r, 6));
	thread_entries(&f, r);
	feed_end(&f);
}

void page_feed_category(struct hctx *ctx)
{
	struct category cat;
	if (!page_category_or_error(ctx, &cat, "There is no category at this address, so it has no feed. "
	                            "The list of categories is on the home page."))
		return;
	enum db_err err;
	const char *p[] = { arena_printf(ctx->arena, "%lld", cat.id), limit_text(ctx->arena, FEED_THREADS) };
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_FEED_CATEGORY, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	struct feed f = { .ctx = ctx };
	feed_begin(&f, arena_printf(ctx->arena, "%s: %s", ctx->conf->site_name, cat.name),
	           arena_printf(ctx->arena, "/c/%s/feed.atom", cat.slug),
	           arena_printf(ctx->arena, "/c/%s", cat.slug), newest(r, 6));
	thread_entries(&f, r);
	feed_end(&f);
}

void page_feed_thread(struct hctx *ctx)
{
	struct read_thread th;
	bool found;
	/* A feed is public: the anonymous reader's rule, whoever asks. */
	const struct read_viewer anonymous = { 0, false };
	enum db_err err = db_read_thread(ctx->db, ctx->arena, ctx->req->id, &anonymous, &th, &found);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return;
	}
	if (!found || !db_read_may_see_thread(th.state, th.user_id, &anonymous) || th.state != READ_VISIBLE) {
		page_error(ctx, 404, "Thread not found",
		           "There is no thread at this address that everyone may read, so it has no feed.");
		return;
	}
	const char *p[] = { arena_printf(ctx->arena, "%lld", th.id), limit_text(ctx->arena, FEED_POSTS) };
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_FEED_THREAD_POSTS, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	struct feed f = { .ctx = ctx };
	feed_begin(&f, arena_printf(ctx->arena, "%s: %s", ctx->conf->site_name, th.title),
	           arena_printf(ctx->arena, "/t/%lld/feed.atom", th.id), arena_printf(ctx->arena, "/t/%lld", th.id),
	           newest(r, 3));
	db *d = ctx->db;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *author = db_val(r, i, 7)[0] == 't' ? PAGE_ANON_AUTHOR : db_val(r, i, 1);
		bool opening = db_bool(d, r, i, 6);
		const char *title = opening ? th.title :
		                    arena_printf(ctx->arena, "Reply by %s", author ? author : "a deleted member");
		feed_entry(&f, arena_printf(ctx->arena, "/p/%lld", db_int(d, r, i, 0)), title, author,
		           db_text(d, r, i, 2), db_text(d, r, i, 3), db_text(d, r, i, 4), db_val(r, i, 5), NULL);
	}
	feed_end(&f);
}

/* A group's feed (fcgi/page_group.c decides who may read it: a member, by
 * session or by private feed key): its newest visible posts, the same
 * entries as a thread feed, each titled with its thread. An anonymous
 * author stays anonymous; held, hidden, deleted and redacted posts are not
 * there at all (FEED_GROUP_POSTS). */
void page_feed_group_posts(struct hctx *ctx, long long group_id, const char *slug, const char *name,
                           const struct read_viewer *v)
{
	const char *p[] = { arena_printf(ctx->arena, "%lld", group_id),
	                    v->user_id ? arena_printf(ctx->arena, "%lld", v->user_id) : NULL,
	                    v->moderator ? "t" : "f", limit_text(ctx->arena, FEED_POSTS) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_FEED_GROUP_POSTS, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	/* The feed's own address without the key: a reader that shows it must
	 * not spread the key; the reader keeps the address it was given. */
	struct feed f = { .ctx = ctx };
	feed_begin(&f, arena_printf(ctx->arena, "%s: %s", ctx->conf->site_name, name),
	           arena_printf(ctx->arena, "/g/%s/feed.atom", slug), arena_printf(ctx->arena, "/g/%s", slug),
	           newest(r, 3));
	db *d = ctx->db;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *author = db_val(r, i, 9)[0] == 't' ? PAGE_ANON_AUTHOR : db_val(r, i, 1);
		const char *thread = db_text(d, r, i, 8);
		const char *title = db_bool(d, r, i, 6) ? thread :
		                    arena_printf(ctx->arena, "Reply in %s", thread);
		feed_entry(&f, arena_printf(ctx->arena, "/p/%lld", db_int(d, r, i, 0)), title, author,
		           db_text(d, r, i, 2), db_text(d, r, i, 3), db_text(d, r, i, 4), db_val(r, i, 5), NULL);
	}
	feed_end(&f);
}
