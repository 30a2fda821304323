/* page.c: see page.h. */
#include "page.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db_care.h"
#include "db_group.h"
#include "log.h"
#include "markdown.h"
#include "route.h"
#include "session.h"

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/* The token for forms: the session's, or before log-in the "hc" cookie's,
 * set on this response when the browser has none yet. */
const char *page_csrf(struct hctx *ctx)
{
	struct request *req = ctx->req;
	if (req->session)
		return req->session->csrf_token;
	const char *hc = req_param(&req->cookies, PRESESSION_COOKIE);
	if (auth_token_shaped(hc))
		return hc;
	if (!req->new_presession) {
		char token[AUTH_TOKEN_LEN + 1];
		auth_new_token(token);
		req->new_presession = arena_strdup(ctx->arena, token);
		resp_header(ctx->resp, "Set-Cookie",
		            session_cookie(ctx->arena, PRESESSION_COOKIE, token, -1, ctx->conf->secure_cookies));
	}
	return req->new_presession;
}

tpl_value *page_data(struct hctx *ctx, const char *title)
{
	tpl_value *d = tpl_map(ctx->arena);
	tpl_set_str(d, "site_name", ctx->conf->site_name);
	tpl_set_str(d, "title", title);
	tpl_set_str(d, "quick_exit_url", ctx->conf->quick_exit_url);
	struct session *s = ctx->req->session;
	if (s) {
		tpl_value *me = tpl_map(ctx->arena);
		tpl_set_int(me, "id", s->user_id);
		tpl_set_str(me, "handle", s->handle);
		tpl_set_bool(me, "is_moderator", s->is_moderator);
		/* Per reader, in layout.html: never in stored parts (skeleton.h). */
		int unread = session_unread(ctx->db, ctx->arena, s);
		tpl_set_int(me, "unread", unread);
		tpl_set_str(me, "unread_text", unread >= 100 ? "99+" : arena_printf(ctx->arena, "%d", unread));
		tpl_set(d, "me", me);
	}
	if (s)
		tpl_set_str(d, "csrf", s->csrf_token);
	if (ctx->form_error)
		tpl_set_str(d, "form_error", ctx->form_error);
	return d;
}

const char *page_field(struct hctx *ctx, const char *name)
{
	const char *v = req_param(&ctx->req->form, name);
	return v ? v : "";
}

struct read_viewer page_viewer(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	return (struct read_viewer){ .user_id = s ? s->user_id : 0, .moderator = s && s->is_moderator };
}

void page_set_when(tpl_value *m, arena *a, const struct read_when *w)
{
	tpl_set_str(m, "iso", db_read_datetime(a, w));
	tpl_set_str(m, "exact", db_read_exact(a, w));
	tpl_set_str(m, "ago", db_read_ago(a, w));
}

const char *page_count(arena *a, long long n, const char *one, const char *many)
{
	return arena_printf(a, "%lld %s", n, n == 1 ? one : many);
}

const char *page_markdown(struct hctx *ctx, const char *md)
{
	char *html;
	size_t len;
	enum md_err e = md_render(md, strlen(md), MD_DEFAULT, &html, &len);
	if (e != MD_OK) {
		log_error("markdown: %s", md_strerror(e));
		return NULL;
	}
	const char *copy = arena_strndup(ctx->arena, html, len);
	free(html);
	return copy;
}

bool page_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

char *page_text_lf(arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			out[o++] = '\n';
			if (s[i + 1] == '\n')
				i++;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

void page_form_error(struct hctx *ctx, int status, const char *message)
{
	ctx->resp->status = status;
	ctx->form_error = message;
	if (status == 503)
		resp_header(ctx->resp, "Retry-After", "30");
}

void page_set_cw_open(struct hctx *ctx, tpl_value *m)
{
	const struct session *s = ctx->req->session;
	struct care_settings cs;
	bool found = false;
	if (s && db_care_settings(ctx->db, ctx->arena, s->user_id, &cs, &found) == DB_OK && found &&
	    cs.cw_always_open)
		tpl_set_str(m, "cw_open", "open");
}

void page_set_crisis(struct hctx *ctx, tpl_value *d)
{
	const struct crisis_list *c = ctx->crisis;
	tpl_value *m = tpl_map(ctx->arena);
	tpl_set_str(m, "region", c->region);
	tpl_set_str(m, "emergency", c->emergency);
	tpl_value *list = tpl_list(ctx->arena);
	for (size_t i = 0; i < c->count; i++) {
		tpl_value *r = tpl_map(ctx->arena);
		tpl_set_str(r, "name", c->items[i].name);
		tpl_set_str(r, "phone", c->items[i].phone);
		tpl_set_str(r, "text", c->items[i].text);
		tpl_set_str(r, "hours", c->items[i].hours);
		tpl_set_str(r, "url", c->items[i].url);
		tpl_set_str(r, "note", c->items[i].note);
		tpl_list_push(list, r);
	}
	tpl_set(m, "resources", list);
	tpl_set(d, "crisis", m);
}

enum db_err page_set_guidance(struct hctx *ctx, long long thread_id, tpl_value *d)
{
	const struct crisis_list *c = ctx->crisis;
	if (!c || c->guidance_count == 0)
		return DB_OK;
	const char *p[] = { arena_printf(ctx->arena, "%lld", thread_id) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_THREAD_HAS_CRISIS, p, &err);
	if (!r)
		return err;
	if (PQntuples(r) != 1 || db_val(r, 0, 0)[0] != 't')
		return DB_OK;
	tpl_value *list = tpl_list(ctx->arena);
	for (size_t i = 0; i < c->guidance_count; i++) {
		tpl_value *m = tpl_map(ctx->arena);
		tpl_set_str(m, "text", c->guidance[i]);
		tpl_list_push(list, m);
	}
	tpl_set(d, "guidance", list);
	return DB_OK;
}

bool page_category_or_error(struct hctx *ctx, struct category *cat, const char *missing)
{
	bool found = false;
	enum db_err err = db_category_by_slug(ctx->db, ctx->arena, ctx->req->slug, cat, &found);
	if (err != DB_OK) {
		page_db_error(ctx, err);
		return false;
	}
	/* A group's category (sql/017_groups.sql) exists only for those the
	 * group admits: the same 404 as no category at all. */
	if (found && cat->group_id) {
		struct read_viewer v = page_viewer(ctx);
		err = db_group_admits(ctx->db, ctx->arena, cat->group_id, &v, &found);
		if (err != DB_OK) {
			page_db_error(ctx, err);
			return false;
		}
	}
	if (!found)
		page_refuse(ctx, 404, "Category not found", missing);
	return found;
}

void page_db_error(struct hctx *ctx, enum db_err err)
{
	bool post = ctx->req->method == HTTP_POST && ctx->form;
	if (err == DB_ERR_DOWN && post) {
		log_warn("503: %s", db_last_error(ctx->db));
		page_refill(ctx, 503, "The forum cannot reach its database just now, so this was not saved. "
		            "Your text is kept below: please send it again in a minute.");
	} else if (err == DB_ERR_DOWN)
		page_error(ctx, 503, "We will be right back",
		           "The forum cannot reach its database just now. Nothing you wrote is lost; "
		           "please try again in a minute.");
	else if (err == DB_ERR_BUSY && post) {
		log_warn("503 (busy): %s", db_last_error(ctx->db));
		page_refill(ctx, 503, "The forum was busy with another change at the same moment, so this "
		            "was not saved. Your text is kept below: please send it again.");
	} else if (err == DB_ERR_BUSY)
		page_error(ctx, 503, "Busy for a moment",
		           "The forum was busy with another change at the same moment. Please try again.");
	else if (post) {
		log_error("500: %s", db_last_error(ctx->db));
		page_refill(ctx, 500, "Something went wrong on our side and this was not saved. Your text "
		            "is kept below: please copy it somewhere safe, and try again; if it keeps "
		            "happening, tell a moderator.");
	} else
		page_error(ctx, 500, "Something went wrong on our side",
		           "The forum could not finish this request. Please try again; if it keeps "
		           "happening, tell a moderator.");
}

/* After rendering into the body: a plain 500 when the template was missing. */
static void rendered(struct hctx *ctx, enum tpl_err e, const char *name)
{
	if (e != TPL_OK) {
		log_error("template %s is missing from the theme", name);
		buf_clear(&ctx->resp->body);
		ctx->resp->status = 500;
		buf_puts(&ctx->resp->body, "<!DOCTYPE html><title>Error</title><p>The page template is missing.</p>");
		return;
	}
	if (ctx->resp->status == 0)
		ctx->resp->status = 200;
}

void page_render(struct hctx *ctx, const char *name, tpl_value *data)
{
	rendered(ctx, tpl_render_page(ctx->theme, name, data, &ctx->resp->body), name);
}

void page_render_layout(struct hctx *ctx, tpl_value *data, const char *content, size_t len)
{
	rendered(ctx, tpl_render_layout(ctx->theme, data, content, len, &ctx->resp->body), "layout");
}

void page_error(struct hctx *ctx, int status, const char *title, const char *message)
{
	if (status >= 500)
		log_warn("%d: %s", status, db_last_error(ctx->db));
	buf_clear(&ctx->resp->body);
	ctx->resp->status = status;
	tpl_value *d = page_data(ctx, title);
	tpl_set_int(d, "status", status);
	tpl_set_str(d, "message", message);
	page_render(ctx, "error", d);
	if (status == 503)
		resp_header(ctx->resp, "Retry-After", "30");
}

/* The token a given-back form carries: the session's; before log-in the
 * "hc" cookie's; when the session could not be looked up (the database is
 * down), the token the browser sent, so that the next try can pass. */
static const char *refill_csrf(struct hctx *ctx)
{
	struct request *req = ctx->req;
	const char *sent = req_param(&req->form, "csrf");
	if (!req->session && req_param(&req->cookies, SESSION_COOKIE) && auth_token_shaped(sent))
		return sent;
	return page_csrf(ctx);
}

void page_refill(struct hctx *ctx, int status, const char *message)
{
	const struct route_form *form = ctx->form;
	if (!form || ctx->req->method != HTTP_POST) {
		page_error(ctx, status, http_reason(status), message);
		return;
	}
	buf_clear(&ctx->resp->body);
	ctx->resp->status = status;
	ctx->form_error = message;
	if (form->form_page && form->form_page_public) {
		form->form_page(ctx);
		if (status == 503)
			resp_header(ctx->resp, "Retry-After", "30");
		return;
	}
	tpl_value *d = page_data(ctx, form->title);
	tpl_set_str(d, "csrf", refill_csrf(ctx));
	tpl_set_str(d, "action_url", ctx->req->path);
	tpl_value *list = tpl_list(ctx->arena);
	for (const struct route_field *f = form->fields; f < form->fields + ROUTE_FIELDS_MAX && f->name; f++) {
		const char *v = req_param(&ctx->req->form, f->name);
		if (f->kind == FIELD_CHOICE && !v)
			continue;
		tpl_value *m = tpl_map(ctx->arena);
		tpl_set_str(m, "name", f->name);
		tpl_set_str(m, "id", arena_printf(ctx->arena, "refill-%s", f->name));
		tpl_set_str(m, "label", f->label ? f->label : f->name);
		tpl_set_bool(m, "hidden", f->kind == FIELD_CHOICE);
		tpl_set_bool(m, "line", f->kind == FIELD_LINE);
		tpl_set_bool(m, "text", f->kind == FIELD_TEXT);
		tpl_set_bool(m, "secret", f->kind == FIELD_SECRET);
		if (f->kind != FIELD_SECRET)
			tpl_set_str(m, "value", f->kind == FIELD_TEXT ? page_text_lf(ctx->arena, v ? v : "") :
			            v ? v : "");
		tpl_list_push(list, m);
	}
	tpl_set(d, "fields", list);
	page_render(ctx, "refill", d);
	if (status == 503)
		resp_header(ctx->resp, "Retry-After", "30");
}

void page_refuse(struct hctx *ctx, int status, const char *title, const char *message)
{
	const struct route_form *form = ctx->form;
	bool typed = false;
	for (const struct route_field *f = form ? form->fields : NULL;
	     f && ctx->req->method == HTTP_POST && f < form->fields + ROUTE_FIELDS_MAX && f->name; f++) {
		const char *v = f->kind == FIELD_TEXT ? req_param(&ctx->req->form, f->name) : NULL;
		if (v && !page_blank(v))
			typed = true;
	}
	if (!typed) {
		page_error(ctx, status, title, message);
		return;
	}
	page_refill(ctx, status, arena_printf(ctx->arena, "%s Nothing was saved; what you wrote is below, "
	                                      "so you can copy it.", message));
}

void page_form_again(struct hctx *ctx, int status, const char *message)
{
	if (!ctx->form || !ctx->form->form_page || ctx->req->method != HTTP_POST) {
		page_refill(ctx, status, message);
		return;
	}
	buf_clear(&ctx->resp->body);
	ctx->resp->status = status;
	ctx->form_error = message;
	ctx->form->form_page(ctx);
}

void page_redirect(struct hctx *ctx, const char *path)
{
	if (!path || path[0] != '/' || path[1] == '/' || path[1] == '\\')
		path = "/";
	ctx->resp->status = 303;
	if (!resp_header(ctx->resp, "Location", path))
		resp_header(ctx->resp, "Location", "/");
}
