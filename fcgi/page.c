/* page.c: see page.h. */
#include "page.h"

#include <string.h>

#include "log.h"

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

tpl_value *page_data(struct hctx *ctx, const char *title)
{
	tpl_value *d = tpl_map(ctx->arena);
	tpl_set_str(d, "site_name", ctx->conf->site_name);
	tpl_set_str(d, "title", title);
	return d;
}

void page_render(struct hctx *ctx, const char *name, tpl_value *data)
{
	if (tpl_render_page(ctx->theme, name, data, &ctx->resp->body) != TPL_OK) {
		log_error("template %s is missing from the theme", name);
		buf_clear(&ctx->resp->body);
		ctx->resp->status = 500;
		buf_puts(&ctx->resp->body, "<!DOCTYPE html><title>Error</title><p>The page template is missing.</p>");
		return;
	}
	if (ctx->resp->status == 0)
		ctx->resp->status = 200;
}

void page_error(struct hctx *ctx, int status, const char *title, const char *message)
{
	buf_clear(&ctx->resp->body);
	ctx->resp->status = status;
	tpl_value *d = page_data(ctx, title);
	tpl_set_int(d, "status", status);
	tpl_set_str(d, "message", message);
	page_render(ctx, "error", d);
	if (status == 503)
		resp_header(ctx->resp, "Retry-After", "30");
}

void page_redirect(struct hctx *ctx, const char *path)
{
	if (!path || path[0] != '/' || path[1] == '/' || path[1] == '\\')
		path = "/";
	ctx->resp->status = 303;
	if (!resp_header(ctx->resp, "Location", path))
		resp_header(ctx->resp, "Location", "/");
}
