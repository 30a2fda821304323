/*
 * page.h: what a handler gets and the helpers every page uses.
 *
 * A handler fills ctx->resp, normally through page_render() (a template with
 * the site-wide values already set) or page_error() (a themed error page).
 * Handlers never write bytes themselves and never free anything: all memory
 * is the request arena's.
 */
#ifndef HEARTH_PAGE_H
#define HEARTH_PAGE_H

#include "conf.h"
#include "db.h"
#include "request.h"
#include "tpl.h"

struct worker;

struct hctx {
	const conf *conf;
	const tpl_theme *theme;
	db *db;
	arena *arena;
	struct request *req;
	struct response *resp;
};

/* A map with the values every page needs (site name, title, user...). */
tpl_value *page_data(struct hctx *ctx, const char *title);

/* Renders template `name` with data as the response body (status 200 unless
 * already set). */
void page_render(struct hctx *ctx, const char *name, tpl_value *data);

/* A themed error page: status, a short title and what to do. */
void page_error(struct hctx *ctx, int status, const char *title, const char *message);

/* A 303 redirect to a local path (must start with '/'). */
void page_redirect(struct hctx *ctx, const char *path);

/* The reason phrase for a status code. */
const char *http_reason(int status);

#endif
