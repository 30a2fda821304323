/*
 * route.h: the route table. Every row states methods, path pattern, handler
 * and what the request needs (database, login, capability, CSRF). The
 * dispatcher checks those before the handler runs.
 */
#ifndef HEARTH_ROUTE_H
#define HEARTH_ROUTE_H

#include "page.h"

typedef void (*handler_fn)(struct hctx *ctx);

enum route_need {
	NEED_DB = 1u << 0,
	NEED_LOGIN = 1u << 1,
	NEED_MODERATOR = 1u << 2,
	NEED_CSRF = 1u << 3,        /* POST only */
};

#define M_GET (1u << HTTP_GET | 1u << HTTP_HEAD)
#define M_POST (1u << HTTP_POST)

struct route {
	unsigned methods;
	const char *pattern;        /* "/t/:id" (digits), "/c/:slug" ([a-z0-9-]) */
	handler_fn handler;
	unsigned needs;
};

/* Finds the route for path. Returns NULL for no match; *allowed gets the
 * methods of a route that matched the path but not the method (for 405). */
const struct route *route_find(struct request *req, unsigned *allowed);

/* Handlers. */
void page_home(struct hctx *ctx);

#endif
