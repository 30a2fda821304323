/*
 * page_auth.c: /register, /login, /logout.
 *
 * Failed log-ins are throttled per handle and per client address (stored
 * only as a hash). Per handle it is a slow-down, not a lock-out: after five
 * failures in 15 minutes one attempt is allowed every few seconds (doubling,
 * at most a minute), so a stranger cannot keep a member out; per address a
 * hard limit stops one machine trying many handles. Both are for unknown
 * browsers only: a browser that logged in to the account before carries a
 * device cookie (lib/db_device.h) and keeps its own allowance, so one
 * address behind a shared NAT cannot lock every member of it out.
 *
 * Registration is one transaction: the per-address rate
 * (registrations_per_hour), the handles of members who left
 * (handle_reserve_days, lib/db_limits.h), the new account and its ten
 * recovery codes (lib/db_care.h), which the next page shows once
 * (page_codes_redirect in page_account.c).
 *
 * /forgot takes a handle, a recovery code and a new password, under the
 * same throttling as log-in (a wrong code counts as a wrong password for
 * the handle, the address or the known browser); a good one is used up,
 * sets the password and ends every session, in one transaction.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "auth.h"
#include "db_account.h"
#include "db_care.h"
#include "db_device.h"
#include "db_limits.h"
#include "db_user.h"
#include "log.h"
#include "route.h"
#include "session.h"
#include "utf8.h"

#define LOGIN_SLOWDOWN_AFTER 5
#define LOGIN_ADDR_LIMIT 30

#define RESERVED_HANDLE_MESSAGE "This name was used by a member who left; please choose another."

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

/* Logged in: the session and a device cookie naming the account (a new one
 * unless dev is this browser's valid one for it). False after an error page. */
static bool open_session(struct hctx *ctx, long long user_id, const struct device *dev)
{
	const char *token, *device_token = NULL;
	enum db_err e = session_create(ctx->db, ctx->arena, user_id, ctx->conf->session_days,
	                               client_hint(ctx->req->user_agent), &token);
	if (e == DB_OK)
		e = dev ? db_device_touch(ctx->db, ctx->arena, dev) :
		          db_device_create(ctx->db, ctx->arena, user_id, &device_token);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return false;
	}
	if (device_token)
		resp_header(ctx->resp, "Set-Cookie", session_cookie(ctx->arena, DEVICE_COOKIE, device_token,
		                                                    DEVICE_COOKIE_DAYS * 86400,
		                                                    ctx->conf->secure_cookies));
	resp_header(ctx->resp, "Set-Cookie", session_cookie(ctx->arena, SESSION_COOKIE, token,
	                                                    ctx->conf->session_days * 86400,
	                                                    ctx->conf->secure_cookies));
	/* The pre-session token has done its job. */
	resp_header(ctx->resp, "Set-Cookie", session_cookie(ctx->arena, PRESESSION_COOKIE, "", 0,
	                                                    ctx->conf->secure_cookies));
	return true;
}

/* open_session(), then the way on. */
static void start_session(struct hctx *ctx, long long user_id, const struct device *dev, const char *next)
{
	if (open_session(ctx, user_id, dev))
		page_redirect(ctx, safe_next(next));
}

/* One transaction: the address's rate, the reserved handles, the account
 * and the record of it. Returns true with *id; else the answer is set:
 * *refused says the caller shows the form again (status and message set),
 * otherwise an error page was rendered. */
static bool create_account(struct hctx *ctx, const char *handle, const char *hash, long long *id,
                           const char *codes[CARE_CODES], bool *refused)
{
	unsigned char key[SERVER_KEY_BYTES];
	enum db_err e = DB_OK;
	if (server_key_load(ctx->db, ctx->arena, ctx->conf->secret_key_file, key, &e) != SERVER_KEY_OK) {
		page_db_error(ctx, e == DB_OK ? DB_ERR_QUERY : e);
		return false;
	}
	char handle_digest[65], addr_digest[65];
	limits_handle_digest(key, handle, handle_digest);
	limits_addr_digest(key, ctx->req->client_addr, addr_digest);
	sodium_memzero(key, sizeof key);

	int limit = ctx->conf->registrations_per_hour;
	long long made = 0, wait = 0;
	bool reserved = false;
	const char *lock[] = { addr_digest };
	if ((e = db_begin(ctx->db)) != DB_OK)
		goto fail;
	/* Two registrations from one address at once count one after the other. */
	if (limit > 0 && (!db_exec(ctx->db, ctx->arena, DB_REGISTRATION_LOCK, lock, &e) ||
	                  (e = db_registrations_recent(ctx->db, ctx->arena, addr_digest, limit, &made,
	                                               &wait)) != DB_OK))
		goto fail;
	if (limit > 0 && made >= limit) {
		db_rollback(ctx->db);
		long long minutes = (wait + 59) / 60;
		resp_header(ctx->resp, "Retry-After", arena_printf(ctx->arena, "%lld", wait));
		page_form_error(ctx, 429, arena_printf(ctx->arena,
		                "Several accounts were made from this connection in the last hour, so no more "
		                "can be made from it for now. Please try again in %lld minute%s.",
		                minutes, minutes == 1 ? "" : "s"));
		*refused = true;
		return false;
	}
	if ((e = db_handle_reserved(ctx->db, ctx->arena, handle_digest, ctx->conf->handle_reserve_days,
	                            &reserved)) != DB_OK)
		goto fail;
	if (reserved) {
		db_rollback(ctx->db);
		page_form_error(ctx, 409, RESERVED_HANDLE_MESSAGE);
		*refused = true;
		return false;
	}
	e = db_user_create(ctx->db, ctx->arena, handle, hash, "member", id);
	if (e == DB_ERR_UNIQUE) {
		db_rollback(ctx->db);
		page_form_error(ctx, 409, "That handle is taken. Try another one.");
		*refused = true;
		return false;
	}
	if (e != DB_OK || (e = db_registration_add(ctx->db, ctx->arena, addr_digest)) != DB_OK ||
	    (e = db_care_codes_new(ctx->db, ctx->arena, *id, codes)) != DB_OK ||
	    (e = db_commit(ctx->db)) != DB_OK)
		goto fail;
	return true;
fail:
	db_rollback(ctx->db);
	page_db_error(ctx, e);
	return false;
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
	bool refused = false;
	const char *codes[CARE_CODES];
	if (!create_account(ctx, handle, hash, &id, codes, &refused)) {
		if (refused)
			page_register_form(ctx);
		return;
	}
	if (open_session(ctx, id, NULL))
		page_codes_redirect(ctx, codes, CARE_CODES, true);
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

/* The address's key is its keyed digest (HMAC with the server key, as for
 * registrations): a plain hash of an IPv4 address is reversed by trying
 * all four billion. False: the key could not be read (*e says why). */
static bool throttle_keys(struct hctx *ctx, const char *handle, const char **hkey, const char **akey,
                          enum db_err *e)
{
	buf h;
	buf_init(&h, ctx->arena, 40);
	buf_puts(&h, "h:");
	for (const char *p = handle; *p; p++)
		buf_putc(&h, (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p);
	*hkey = h.data;
	unsigned char key[SERVER_KEY_BYTES];
	if (server_key_load(ctx->db, ctx->arena, ctx->conf->secret_key_file, key, e) != SERVER_KEY_OK) {
		if (*e == DB_OK)
			*e = DB_ERR_QUERY;
		return false;
	}
	char digest[65];
	limits_addr_digest(key, ctx->req->client_addr, digest);
	sodium_memzero(key, sizeof key);
	*akey = arena_printf(ctx->arena, "a:%.32s", digest);
	return true;
}

/* The address lock-out and the handle slow-down, for a browser that is not
 * a known device of the account. Returns false when the answer (429) is set. */
static bool unknown_browser_may_try(struct hctx *ctx, long long handle_fails, long long addr_fails,
                                    long long since)
{
	if (addr_fails >= LOGIN_ADDR_LIMIT) {
		resp_header(ctx->resp, "Retry-After", "900");
		page_form_error(ctx, 429, "Too many log-in attempts from this connection. Please wait 15 minutes. "
		                "(A browser you have logged in with before can still log in.)");
		return false;
	}
	if (handle_fails >= LOGIN_SLOWDOWN_AFTER) {
		long long shift = handle_fails - LOGIN_SLOWDOWN_AFTER;
		long long wait = shift >= 4 ? 60 : 4LL << shift;
		if (since < wait) {
			resp_header(ctx->resp, "Retry-After", arena_printf(ctx->arena, "%lld", wait - since));
			page_form_error(ctx, 429, arena_printf(ctx->arena,
			                "There were several wrong passwords for this handle. To keep it safe, "
			                "please wait %lld seconds and try again.", wait - since));
			return false;
		}
	}
	return true;
}

/* One attempt at an account by its handle: a log-in, or a recovery code. */
struct attempt {
	struct user u;
	bool found;
	bool known_device;      /* the browser's device cookie names this account */
	struct device dev;
	const char *keys[2];    /* the handle's and the address's throttle keys */
};

enum attempt_gate {
	ATTEMPT_GO,             /* may try */
	ATTEMPT_DEVICE_LOCKED,  /* a known device out of tries: the caller answers 429 (Retry-After set) */
	ATTEMPT_REFUSED,        /* status and message set: the caller renders its form */
	ATTEMPT_DB,             /* the error page is done */
};

/* Loads the account and the browser's device cookie and applies the
 * allowances: a known device has its own; any other browser meets the
 * address lock-out and the handle slow-down. */
static enum attempt_gate attempt_open(struct hctx *ctx, const char *handle, struct attempt *a)
{
	bool has_device;
	enum db_err e = db_user_by_handle(ctx->db, ctx->arena, handle, &a->u, &a->found);
	if (e == DB_OK)
		e = db_device_lookup(ctx->db, ctx->arena, req_param(&ctx->req->cookies, DEVICE_COOKIE), &a->dev,
		                     &has_device);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return ATTEMPT_DB;
	}
	/* A device cookie counts only for the account it names. */
	a->known_device = has_device && a->found && a->dev.user_id == a->u.id;
	if (!throttle_keys(ctx, handle, &a->keys[0], &a->keys[1], &e)) {
		page_db_error(ctx, e);
		return ATTEMPT_DB;
	}
	if (a->known_device) {
		if (a->dev.failures < DEVICE_LOGIN_TRIES)
			return ATTEMPT_GO;
		resp_header(ctx->resp, "Retry-After", "900");
		return ATTEMPT_DEVICE_LOCKED;
	}
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_LOGIN_FAILURES, a->keys, &e);
	if (!r) {
		page_db_error(ctx, e);
		return ATTEMPT_DB;
	}
	return unknown_browser_may_try(ctx, db_ll(r, 0, 0), db_ll(r, 0, 1), db_ll(r, 0, 2)) ? ATTEMPT_GO :
	       ATTEMPT_REFUSED;
}

/* A wrong password or code: a known device's count against it alone (they
 * neither slow the handle down nor lock the address out); any other
 * browser's against the handle and the address. */
static enum db_err attempt_failed(struct hctx *ctx, struct attempt *a)
{
	enum db_err e = DB_OK;
	if (a->known_device)
		return db_device_failure_add(ctx->db, ctx->arena, &a->dev);
	return db_exec(ctx->db, ctx->arena, DB_LOGIN_FAILURE_ADD, a->keys, &e) ? DB_OK : e;
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
	struct attempt a;
	switch (attempt_open(ctx, handle, &a)) {
	case ATTEMPT_GO:
		break;
	case ATTEMPT_DEVICE_LOCKED:
		page_form_error(ctx, 429, "There were too many wrong passwords from this browser. "
		                "Please wait 15 minutes and try again.");
		page_login_form(ctx);
		return;
	case ATTEMPT_REFUSED:
		page_login_form(ctx);
		return;
	case ATTEMPT_DB:
		return;
	}
	const struct user u = a.u;
	enum db_err e;
	if (!a.found || strcmp(u.status, "deleted") == 0 || !auth_verify_password(u.password_hash, password, plen)) {
		if ((e = attempt_failed(ctx, &a)) != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
		page_form_error(ctx, 403, "That handle and password do not match.");
		page_login_form(ctx);
		return;
	}
	/* Said only to someone who knows the password: nobody else learns
	 * that the account is banned. */
	if (strcmp(u.status, "banned") == 0) {
		page_form_error(ctx, 403, u.status_until ?
		                arena_printf(ctx->arena, "The moderators have paused this account until %s. "
		                             "You can log in again from then on.", u.status_until) :
		                "The moderators have paused this account until they lift it. If you think "
		                "this is a mistake, the site's operators can help.");
		page_login_form(ctx);
		return;
	}
	/* Logging in ends a break, over or not: a kind word first. */
	bool was_away = false, over = false;
	if ((e = db_care_break_end(ctx->db, ctx->arena, u.id, &was_away, &over)) != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	start_session(ctx, u.id, a.known_device ? &a.dev : NULL,
	              was_away ? (over ? "/welcome-back" : "/welcome-back?early=1") : page_field(ctx, "next"));
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

/* ---------------------------------------------------------------- forgot */

void page_forgot_form(struct hctx *ctx)
{
	if (ctx->req->session && !ctx->form_error) {
		page_redirect(ctx, "/me/password");
		return;
	}
	tpl_value *d = page_data(ctx, "Forgot your password");
	tpl_set_str(d, "csrf", page_csrf(ctx));
	tpl_set_str(d, "handle", page_field(ctx, "handle"));
	page_render(ctx, "forgot", d);
}

static void forgot_again(struct hctx *ctx, int status, const char *message)
{
	page_form_error(ctx, status, message);
	page_forgot_form(ctx);
}

void page_forgot_post(struct hctx *ctx)
{
	const char *handle = page_field(ctx, "handle");
	const char *code = page_field(ctx, "code");
	size_t nlen = 0, flen = 0;
	const char *fresh = req_param_len(&ctx->req->form, "new", &nlen);
	const char *confirm = req_param_len(&ctx->req->form, "confirm", &flen);
	if (!user_handle_valid(handle) || !*code) {
		forgot_again(ctx, 422, "Type your handle and one of your recovery codes.");
		return;
	}
	if (!fresh || utf8_count(fresh, nlen) < AUTH_PASSWORD_MIN || nlen > AUTH_PASSWORD_MAX) {
		forgot_again(ctx, 422, "Choose a new password of at least 10 characters (a few words work well).");
		return;
	}
	if (!confirm || nlen != flen || strcmp(fresh, confirm) != 0) {
		forgot_again(ctx, 422, "The new password and its confirmation are not the same. Please type them again.");
		return;
	}
	/* The same allowances as log-in. */
	struct attempt a;
	switch (attempt_open(ctx, handle, &a)) {
	case ATTEMPT_GO:
		break;
	case ATTEMPT_DEVICE_LOCKED:
		forgot_again(ctx, 429, "There were too many wrong attempts from this browser. "
		             "Please wait 15 minutes and try again.");
		return;
	case ATTEMPT_REFUSED:
		page_forgot_form(ctx);
		return;
	case ATTEMPT_DB:
		return;
	}
	const struct user u = a.u;
	enum db_err e;
	bool usable = a.found && strcmp(u.status, "deleted") != 0 && strcmp(u.status, "banned") != 0;
	char hash[AUTH_HASH_STR_LEN];
	if (usable && auth_hash_password(fresh, nlen, hash) < 0) {
		page_error(ctx, 503, "Busy", "The forum is very busy. Please try again in a minute.");
		return;
	}
	bool ok = false;
	long long ended = 0;
	bool still = false;
	if (usable) {
		if ((e = db_begin(ctx->db)) != DB_OK ||
		    (e = db_care_code_use(ctx->db, ctx->arena, u.id, code, &ok)) != DB_OK)
			goto fail;
		if (ok && ((e = db_account_set_password(ctx->db, ctx->arena, u.id, hash, "", &ended, &still)) != DB_OK ||
		           (e = db_care_sessions_end_all(ctx->db, ctx->arena, u.id)) != DB_OK))
			goto fail;
		if ((e = ok ? db_commit(ctx->db) : (db_rollback(ctx->db), DB_OK)) != DB_OK)
			goto fail;
	}
	if (!ok || !still) {
		if ((e = attempt_failed(ctx, &a)) != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
		forgot_again(ctx, 403, "That handle and recovery code do not match, or the code was used "
		             "already. Each code works once; check for a typing mistake and try another.");
		return;
	}
	if (open_session(ctx, u.id, a.known_device ? &a.dev : NULL))
		page_redirect(ctx, "/me/recovery?used=1");
	return;
fail:
	db_rollback(ctx->db);
	page_db_error(ctx, e);
}
