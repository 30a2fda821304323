/*
 * page_auth.c: /register, /login, /logout.
 *
 * Failed log-ins are throttled per handle and per client address (stored
 * only as a hash). Per handle it is a slow-down, not a lock-out: after five
 * failures in 15 minutes one attempt is allowed every few seconds (doubling,
 * at most a minute), so a stranger cannot keep a member out; per address a
 * hard limit stops one machine trying many handles.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db_user.h"
#include "log.h"
#include "route.h"
#include "session.h"
#include "utf8.h"

#define LOGIN_SLOWDOWN_AFTER 5
#define LOGIN_ADDR_LIMIT 30

/* A local path to go back to after log-in, or "/". */
static const char *safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 512)
		return "/";
	for (const char *p = next; *p; p++)
		if ((unsigned char)*p < 0x20)
			return "/";
	return next;
}

static const char *client_hint(const char *ua)
{
	if (!ua)
		return "Unknown browser";
	const char *browser = strstr(ua, "Firefox/") ? "Firefox" : strstr(ua, "Edg/") ? "Edge" :
	                      strstr(ua, "Chrome/") ? "Chrome" : strstr(ua, "Safari/") ? "Safari" :
	                      strstr(ua, "curl/") ? "curl" : "Other browser";
	const char *os = strstr(ua, "Android") ? " on Android" : strstr(ua, "iPhone") ? " on iPhone" :
	                 strstr(ua, "iPad") ? " on iPad" : strstr(ua, "Windows") ? " on Windows" :
	                 strstr(ua, "Mac OS") ? " on macOS" : strstr(ua, "Linux") ? " on Linux" : "";
	static char hint[64];
	snprintf(hint, sizeof hint, "%s%s", browser, os);
	return hint;
}

static void start_session(struct hctx *ctx, long long user_id, const char *next)
{
	const char *token;
	enum db_err e = session_create(ctx->db, ctx->arena, user_id, ctx->conf->session_days,
	                               client_hint(ctx->req->user_agent), &token);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	resp_header(ctx->resp, "Set-Cookie", session_cookie(ctx->arena, SESSION_COOKIE, token,
	                                                    ctx->conf->session_days * 86400,
	                                                    ctx->conf->secure_cookies));
	/* The pre-session token has done its job. */
	resp_header(ctx->resp, "Set-Cookie", session_cookie(ctx->arena, PRESESSION_COOKIE, "", 0,
	                                                    ctx->conf->secure_cookies));
	page_redirect(ctx, safe_next(next));
}

void page_register_form(struct hctx *ctx)
{
	if (ctx->req->session && !ctx->form_error) {
		page_redirect(ctx, "/");
		return;
	}
	tpl_value *d = page_data(ctx, "Join");
	tpl_set_str(d, "csrf", page_csrf(ctx));
	tpl_set_str(d, "handle", page_field(ctx, "handle"));
	page_render(ctx, "register", d);
}

void page_register_post(struct hctx *ctx)
{
	const char *handle = page_field(ctx, "handle");
	size_t plen;
	const char *password = req_param_len(&ctx->req->form, "password", &plen);
	const char *confirm = page_field(ctx, "confirm");
	if (!user_handle_valid(handle)) {
		page_form_error(ctx, 422, "A handle is 3 to 30 characters: letters, digits, _ or -.");
		page_register_form(ctx);
		return;
	}
	if (!password || utf8_count(password, plen) < AUTH_PASSWORD_MIN || plen > AUTH_PASSWORD_MAX) {
		page_form_error(ctx, 422, "Choose a password of at least 10 characters (a few words work well).");
		page_register_form(ctx);
		return;
	}
	if (strcmp(password, confirm) != 0) {
		page_form_error(ctx, 422, "The two passwords are not the same. Please type them again.");
		page_register_form(ctx);
		return;
	}
	char hash[AUTH_HASH_STR_LEN];
	if (auth_hash_password(password, plen, hash) < 0) {
		page_error(ctx, 503, "Busy", "The forum is very busy. Please try again in a minute.");
		return;
	}
	long long id;
	enum db_err e = db_user_create(ctx->db, ctx->arena, handle, hash, "member", &id);
	if (e == DB_ERR_UNIQUE) {
		page_form_error(ctx, 409, "That handle is taken. Try another one.");
		page_register_form(ctx);
		return;
	}
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	start_session(ctx, id, "/");
}

void page_login_form(struct hctx *ctx)
{
	if (ctx->req->session && !ctx->form_error) {
		page_redirect(ctx, "/");
		return;
	}
	tpl_value *d = page_data(ctx, "Log in");
	tpl_set_str(d, "csrf", page_csrf(ctx));
	tpl_set_str(d, "handle", page_field(ctx, "handle"));
	const char *next = req_param(&ctx->req->query, "next");
	if (!next)
		next = req_param(&ctx->req->form, "next");
	tpl_set_str(d, "next", safe_next(next));
	page_render(ctx, "login", d);
}

static void throttle_keys(struct hctx *ctx, const char *handle, const char **hkey, const char **akey)
{
	buf h;
	buf_init(&h, ctx->arena, 40);
	buf_puts(&h, "h:");
	for (const char *p = handle; *p; p++)
		buf_putc(&h, (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p);
	*hkey = h.data;
	const char *addr = ctx->req->client_addr ? ctx->req->client_addr : "-";
	char digest[65];
	auth_token_digest(addr, strlen(addr), digest);
	*akey = arena_printf(ctx->arena, "a:%.32s", digest);
}

void page_login_post(struct hctx *ctx)
{
	const char *handle = page_field(ctx, "handle");
	size_t plen = 0;
	const char *password = req_param_len(&ctx->req->form, "password", &plen);
	if (!user_handle_valid(handle) || !password || plen == 0 || plen > AUTH_PASSWORD_MAX) {
		page_form_error(ctx, 422, "Type your handle and your password.");
		page_login_form(ctx);
		return;
	}
	const char *hkey, *akey;
	throttle_keys(ctx, handle, &hkey, &akey);
	const char *tp[] = { hkey, akey };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_LOGIN_FAILURES, tp, &e);
	if (!r) {
		page_db_error(ctx, e);
		return;
	}
	long long handle_fails = db_ll(r, 0, 0), addr_fails = db_ll(r, 0, 1), since = db_ll(r, 0, 2);
	if (addr_fails >= LOGIN_ADDR_LIMIT) {
		resp_header(ctx->resp, "Retry-After", "900");
		page_form_error(ctx, 429, "Too many log-in attempts from this connection. Please wait 15 minutes.");
		page_login_form(ctx);
		return;
	}
	if (handle_fails >= LOGIN_SLOWDOWN_AFTER) {
		long long shift = handle_fails - LOGIN_SLOWDOWN_AFTER;
		long long wait = shift >= 4 ? 60 : 4LL << shift;
		if (since < wait) {
			resp_header(ctx->resp, "Retry-After", arena_printf(ctx->arena, "%lld", wait - since));
			page_form_error(ctx, 429, arena_printf(ctx->arena,
			                "There were several wrong passwords for this handle. To keep it safe, "
			                "please wait %lld seconds and try again.", wait - since));
			page_login_form(ctx);
			return;
		}
	}
	struct user u;
	bool found;
	e = db_user_by_handle(ctx->db, ctx->arena, handle, &u, &found);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	bool ok = found && strcmp(u.status, "deleted") != 0 && auth_verify_password(u.password_hash, password, plen);
	if (!ok) {
		if (!db_exec(ctx->db, ctx->arena, DB_LOGIN_FAILURE_ADD, tp, &e)) {
			page_db_error(ctx, e);
			return;
		}
		page_form_error(ctx, 403, "That handle and password do not match.");
		page_login_form(ctx);
		return;
	}
	if (strcmp(u.status, "banned") == 0) {
		page_form_error(ctx, 403, "This account has been closed by the moderators.");
		page_login_form(ctx);
		return;
	}
	start_session(ctx, u.id, page_field(ctx, "next"));
}

void page_logout_post(struct hctx *ctx)
{
	enum db_err e = session_delete(ctx->db, ctx->arena, ctx->req->session->token);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	resp_header(ctx->resp, "Set-Cookie", session_cookie(ctx->arena, SESSION_COOKIE, "", 0,
	                                                    ctx->conf->secure_cookies));
	page_redirect(ctx, "/");
}
