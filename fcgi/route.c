/* route.c: see route.h. */
#include "route.h"

#include <stdlib.h>
#include <string.h>

#define DB NEED_DB
#define LOGIN (NEED_DB | NEED_LOGIN)
#define WRITE (NEED_DB | NEED_LOGIN | NEED_CSRF)
#define MOD (NEED_DB | NEED_LOGIN | NEED_MODERATOR)

static const struct route routes[] = {
	{ M_GET,  "/",                  page_home,                DB, NULL },
	{ M_GET,  "/help",              page_help,                0, NULL },
	{ M_GET,  "/healthz",           page_health,              0, NULL },
	{ M_GET,  "/search",            page_search,              DB, NULL },
	{ M_GET,  "/c/:slug",           page_category,            DB, NULL },
	{ M_GET,  "/t/:id",             page_thread,              DB, NULL },
	{ M_GET,  "/p/:id",             page_permalink,           DB, NULL },
	{ M_GET,  "/p/:id/thread",      page_subthread,           DB, NULL },
	{ M_GET,  "/u/:handle",         page_member,              DB, NULL },
	{ M_GET,  "/me/replies",        page_replies_to_me,       LOGIN, NULL },

	{ M_GET,  "/register",          page_register_form,       DB, NULL },
	{ M_POST, "/register",          page_register_post,       NEED_DB | NEED_CSRF, page_register_form },
	{ M_GET,  "/login",             page_login_form,          DB, NULL },
	{ M_POST, "/login",             page_login_post,          NEED_DB | NEED_CSRF, page_login_form },
	{ M_POST, "/logout",            page_logout_post,         WRITE, page_sessions },

	{ M_GET,  "/me/password",       page_password_form,       LOGIN, NULL },
	{ M_POST, "/me/password",       page_password_post,       WRITE, page_password_form },
	{ M_GET,  "/me/sessions",       page_sessions,            LOGIN, NULL },
	{ M_POST, "/me/sessions/end",   page_sessions_end_post,   WRITE, page_sessions },
	{ M_GET,  "/me/export",         page_export,              LOGIN, NULL },
	{ M_GET,  "/me/delete",         page_delete_account_form, LOGIN, NULL },
	{ M_POST, "/me/delete",         page_delete_account_post, WRITE, page_delete_account_form },

	{ M_GET,  "/c/:slug/new",       page_thread_new_form,     LOGIN, NULL },
	{ M_POST, "/c/:slug/new",       page_thread_new_post,     WRITE, page_thread_new_form },
	{ M_GET,  "/p/:id/reply",       page_reply_form,          LOGIN, NULL },
	{ M_POST, "/p/:id/reply",       page_reply_post,          WRITE, page_reply_form },
	{ M_GET,  "/p/:id/edit",        page_edit_form,           LOGIN, NULL },
	{ M_POST, "/p/:id/edit",        page_edit_post,           WRITE, page_edit_form },
	{ M_POST, "/p/:id/delete",      page_delete_post,         WRITE, page_edit_form },
	{ M_POST, "/p/:id/support",     page_support_post,        WRITE, page_permalink },
	{ M_GET,  "/p/:id/revisions",   page_revisions,           LOGIN, NULL },
	{ M_GET,  "/p/:id/report",      page_report_form,         LOGIN, NULL },
	{ M_POST, "/p/:id/report",      page_report_post,         WRITE, page_report_form },

	{ M_GET,  "/mod",               page_review_queue,        MOD, NULL },
	{ M_GET,  "/mod/p/:id",         page_review_item,         MOD, NULL },
	{ M_POST, "/mod/p/:id",         page_review_action,       WRITE | NEED_MODERATOR, page_review_item },
	{ M_GET,  "/mod/audit",         page_audit_log,           MOD, NULL },
};

enum seg_kind { SEG_ID, SEG_SLUG, SEG_HANDLE };

static bool seg_ok(enum seg_kind kind, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool digit = c >= '0' && c <= '9';
		bool lower = c >= 'a' && c <= 'z';
		bool upper = c >= 'A' && c <= 'Z';
		bool ok = kind == SEG_ID ? digit :
		          kind == SEG_SLUG ? (digit || lower || c == '-' || c == '_') :
		          (digit || lower || upper || c == '-' || c == '_');
		if (!ok)
			return false;
	}
	return true;
}

/* Matches one pattern; fills req->id / req->slug. */
static bool match(const char *pattern, const char *path, struct request *req)
{
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == ':') {
			const char *name = p + 1;
			const char *pend = strchr(name, '/');
			size_t nlen = pend ? (size_t)(pend - name) : strlen(name);
			const char *send = strchr(s, '/');
			size_t slen = send ? (size_t)(send - s) : strlen(s);
			enum seg_kind kind = strncmp(name, "id", nlen) == 0 && nlen == 2 ? SEG_ID :
			                     strncmp(name, "handle", nlen) == 0 && nlen == 6 ? SEG_HANDLE : SEG_SLUG;
			if (slen == 0 || slen > (kind == SEG_ID ? 18 : 64) || !seg_ok(kind, s, slen))
				return false;
			if (kind == SEG_ID)
				req->id = strtoll(s, NULL, 10);
			else
				req->slug = arena_strndup(req->arena, s, slen);
			p = name + nlen;
			s += slen;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

const struct route *route_find(struct request *req, unsigned *allowed)
{
	*allowed = 0;
	const struct route *found = NULL;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (!match(routes[i].pattern, req->path, req))
			continue;
		*allowed |= routes[i].methods;
		if (!found && (routes[i].methods & (1u << req->method)))
			found = &routes[i];
	}
	/* A later non-matching row may have overwritten id/slug: match again. */
	if (found)
		match(found->pattern, req->path, req);
	return found;
}
