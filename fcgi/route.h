/*
 * route.h: the route table. Every row states methods, path pattern, handler
 * and what the request needs (database, login, capability, CSRF). The
 * dispatcher (main.c) checks those before the handler runs:
 *
 *  - NEED_LOGIN without a session: GET redirects to /login?next=..., POST
 *    gets 403 with its form shown again (text kept) by the row's `form`.
 *  - NEED_MODERATOR without the role: 403.
 *  - NEED_CSRF on POST with a missing or wrong token: 403, and the row's
 *    `form` handler renders the form again from req->form, so nothing the
 *    member typed is lost and the POST handler never runs.
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
	const char *pattern;        /* "/t/:id" digits, "/c/:slug" [a-z0-9_-], "/u/:handle" [A-Za-z0-9_-] */
	handler_fn handler;
	unsigned needs;
	handler_fn form;            /* POST rows: renders the form again (403, 4xx) */
};

/* Finds the route for path. Returns NULL for no match; *allowed gets the
 * methods of a route that matched the path but not the method (for 405). */
const struct route *route_find(struct request *req, unsigned *allowed);

/* page_home.c */
void page_home(struct hctx *ctx);
/* page_category.c, page_thread.c, page_member.c: reading */
void page_category(struct hctx *ctx);
void page_thread(struct hctx *ctx);
void page_permalink(struct hctx *ctx);
void page_subthread(struct hctx *ctx);
void page_member(struct hctx *ctx);
void page_replies_to_me(struct hctx *ctx);
/* page_auth.c: registration, log-in, log-out */
void page_register_form(struct hctx *ctx);
void page_register_post(struct hctx *ctx);
void page_login_form(struct hctx *ctx);
void page_login_post(struct hctx *ctx);
void page_logout_post(struct hctx *ctx);
/* page_account.c: password, sessions, export, deletion */
void page_password_form(struct hctx *ctx);
void page_password_post(struct hctx *ctx);
void page_sessions(struct hctx *ctx);
void page_sessions_end_post(struct hctx *ctx);
void page_export(struct hctx *ctx);
void page_delete_account_form(struct hctx *ctx);
void page_delete_account_post(struct hctx *ctx);
/* page_write.c: new thread, reply, edit, delete, support */
void page_thread_new_form(struct hctx *ctx);
void page_thread_new_post(struct hctx *ctx);
void page_reply_form(struct hctx *ctx);
void page_reply_post(struct hctx *ctx);
void page_edit_form(struct hctx *ctx);
void page_edit_post(struct hctx *ctx);
void page_delete_post(struct hctx *ctx);
void page_support_post(struct hctx *ctx);
void page_revisions(struct hctx *ctx);
/* page_review.c: reports, the review queue, moderator actions, audit log */
void page_report_form(struct hctx *ctx);
void page_report_post(struct hctx *ctx);
void page_review_queue(struct hctx *ctx);
void page_review_item(struct hctx *ctx);
void page_review_action(struct hctx *ctx);
void page_audit_log(struct hctx *ctx);
/* page_help.c */
void page_help(struct hctx *ctx);
/* page_search.c: GET /search?q= */
void page_search(struct hctx *ctx);
/* page_health.c: GET /healthz (needs no database: it reports on it) */
void page_health(struct hctx *ctx);

#endif
