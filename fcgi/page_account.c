/*
 * page_account.c: the member's own account.
 *
 *   GET/POST /me/password        change the password; ends every other session
 *   GET      /me/sessions        "my sessions", each with a form to end it
 *   POST     /me/sessions/end    session=ID (a public id) or session=others
 *   GET      /me/export          my profile and all my posts, one JSON download
 *   GET/POST /me/delete          delete my account: my posts deleted or kept
 *   GET/POST /me/settings        privacy and reading: post list hidden,
 *                                content warnings always open
 *   GET/POST /me/recovery        how many recovery codes are left; new ones
 *                                (with the password)
 *   GET      /me/recovery/codes  new codes, shown once (from a cookie that
 *                                this page clears; see page_codes_redirect)
 *   GET/POST /me/break           take a break: paused for a chosen time,
 *                                signed out everywhere; GET /break says
 *                                goodbye, GET /welcome-back hello again
 *   GET/POST /me/feeds           the private feed key: when made, last
 *                                used; make a new one, revoke it
 *   GET      /me/feeds/key       a new key, shown once (as recovery codes)
 *
 * The dispatcher has checked login and CSRF before a POST handler runs, so
 * ctx->req->session is set there. The form handlers also render a refused
 * POST again (ctx->form_error and the status already set), possibly for a
 * visitor whose session has expired: they cope with no session.
 *
 * Passwords typed here are never written back into a form. Wrong ones count
 * against the member (not the handle: see db_sql_member.def), so a stolen
 * session cookie does not buy unlimited guesses at the password.
 */
#include <string.h>
#include <sodium.h>

#include "auth.h"
#include "db_account.h"
#include "db_care.h"
#include "db_conversation.h"
#include "page_conversation.h"
#include "db_limits.h"
#include "json.h"
#include "route.h"
#include "session.h"
#include "utf8.h"

/* SHA-256 of this request's session token, as the sessions table keys it. */
static void current_digest(struct hctx *ctx, char out[65])
{
	const char *token = ctx->req->session->token;
	auth_token_digest(token, strlen(token), out);
}

static void clear_session_cookie(struct hctx *ctx)
{
	resp_header(ctx->resp, "Set-Cookie",
	            session_cookie(ctx->arena, SESSION_COOKIE, "", 0, ctx->conf->secure_cookies));
}

/* Refuses (429, with the form) when the member has mistyped their password
 * too often lately. Returns false when the request is answered. */
static bool password_tries_left(struct hctx *ctx, void (*form)(struct hctx *))
{
	long long fails;
	enum db_err e = db_account_failures(ctx->db, ctx->arena, ctx->req->session->user_id, &fails);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return false;
	}
	if (fails < ACCOUNT_PASSWORD_TRIES)
		return true;
	resp_header(ctx->resp, "Retry-After", "900");
	page_form_error(ctx, 429, "Your password was mistyped several times, so this page is resting for "
	                "15 minutes to keep your account safe. Nothing was changed.");
	form(ctx);
	return false;
}

/* Records a wrong password (on its own, outside any transaction) and shows
 * the form again. */
static void wrong_password(struct hctx *ctx, const char *message, void (*form)(struct hctx *))
{
	enum db_err e = db_account_failure_add(ctx->db, ctx->arena, ctx->req->session->user_id);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	page_form_error(ctx, 422, message);
	form(ctx);
}

/* ---------------------------------------------------------------- password */

static void render_password(struct hctx *ctx, bool done, long long ended)
{
	tpl_value *d = page_data(ctx, done ? "Password changed" : "Change your password");
	tpl_set_bool(d, "done", done);
	if (done && ended > 0)
		tpl_set_str(d, "ended_text", ended == 1 ?
		            "Your one other session was logged out." :
		            arena_printf(ctx->arena, "Your %lld other sessions were logged out.", ended));
	page_render(ctx, "password", d);
}

void page_password_form(struct hctx *ctx)
{
	render_password(ctx, false, 0);
}

void page_password_post(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	size_t clen = 0, nlen = 0, flen = 0;
	const char *current = req_param_len(&ctx->req->form, "current", &clen);
	const char *fresh = req_param_len(&ctx->req->form, "new", &nlen);
	const char *confirm = req_param_len(&ctx->req->form, "confirm", &flen);
	if (!current || !fresh || !confirm || clen == 0 || nlen == 0) {
		page_form_error(ctx, 400, "Please fill in your current password and the new one twice.");
		page_password_form(ctx);
		return;
	}
	if (utf8_count(fresh, nlen) < AUTH_PASSWORD_MIN) {
		page_form_error(ctx, 422, "The new password is too short: it needs at least 10 characters. "
		                "A few words strung together work well.");
		page_password_form(ctx);
		return;
	}
	/* The log-in form takes at most AUTH_PASSWORD_MAX bytes: a longer
	 * password would lock its owner out. */
	if (nlen > AUTH_PASSWORD_MAX) {
		page_form_error(ctx, 422, "The new password is too long: at most 1024 characters "
		                "(accented letters and emoji count as more than one).");
		page_password_form(ctx);
		return;
	}
	if (nlen != flen || strcmp(fresh, confirm) != 0) {
		page_form_error(ctx, 422, "The new password and its confirmation are not the same. "
		                "Please type them again.");
		page_password_form(ctx);
		return;
	}
	if (nlen == clen && strcmp(fresh, current) == 0) {
		page_form_error(ctx, 422, "The new password is the same as the current one. "
		                "Please choose a different one.");
		page_password_form(ctx);
		return;
	}
	if (!password_tries_left(ctx, page_password_form))
		return;
	const char *hash;
	enum db_err e = db_account_password_hash(ctx->db, ctx->arena, s->user_id, false, &hash);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	if (!hash || clen > AUTH_PASSWORD_MAX || !auth_verify_password(hash, current, clen)) {
		wrong_password(ctx, "That is not your current password. Nothing was changed.",
		               page_password_form);
		return;
	}
	char new_hash[AUTH_HASH_STR_LEN];
	if (auth_hash_password(fresh, nlen, new_hash) < 0) {
		page_error(ctx, 503, "Busy", "The forum is very busy. Please try again in a minute.");
		return;
	}
	char digest[65];
	current_digest(ctx, digest);
	long long ended = 0;
	bool found = false;
	if ((e = db_begin(ctx->db)) != DB_OK ||
	    (e = db_account_set_password(ctx->db, ctx->arena, s->user_id, new_hash, digest, &ended,
	                                 &found)) != DB_OK ||
	    (e = db_commit(ctx->db)) != DB_OK) {
		db_rollback(ctx->db);
		page_db_error(ctx, e);
		return;
	}
	if (!found) {
		page_error(ctx, 404, "Account not found", "This account no longer exists.");
		return;
	}
	render_password(ctx, true, ended);
}

/* ---------------------------------------------------------------- sessions */

void page_sessions(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	tpl_value *d = page_data(ctx, "Your sessions");
	if (s) {
		char digest[65];
		current_digest(ctx, digest);
		struct account_session *list;
		size_t n;
		enum db_err e = db_account_sessions(ctx->db, ctx->arena, s->user_id, digest, &list, &n);
		if (e != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
		tpl_value *items = tpl_list(ctx->arena);
		bool others = false;
		for (size_t i = 0; i < n; i++) {
			tpl_value *m = tpl_map(ctx->arena);
			tpl_set_str(m, "id", list[i].id);
			tpl_set_str(m, "created_at", list[i].created_at);
			tpl_set_str(m, "created_text", list[i].created_text);
			tpl_set_str(m, "last_seen", list[i].last_seen);
			tpl_set_str(m, "last_seen_text", list[i].last_seen_text);
			tpl_set_str(m, "client_hint", list[i].client_hint && *list[i].client_hint ?
			                              list[i].client_hint : "Unknown browser");
			tpl_set_bool(m, "current", list[i].current);
			others = others || !list[i].current;
			tpl_list_push(items, m);
		}
		tpl_set(d, "sessions", items);
		tpl_set_bool(d, "others", others);
	}
	page_set_restriction(ctx, d);
	page_render(ctx, "sessions", d);
}

void page_sessions_end_post(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	const char *which = page_field(ctx, "session");
	char digest[65];
	current_digest(ctx, digest);
	enum db_err e;
	if (strcmp(which, "others") == 0) {
		long long ended;
		e = db_account_sessions_end_others(ctx->db, ctx->arena, s->user_id, digest, &ended);
		if (e != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
		page_redirect(ctx, "/me/sessions");
		return;
	}
	if (!account_session_id_valid(which)) {
		page_form_error(ctx, 400, "Choose a session to end from the list below.");
		page_sessions(ctx);
		return;
	}
	bool found, was_current;
	e = db_account_session_end(ctx->db, ctx->arena, s->user_id, which, digest, &found, &was_current);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	if (!found) {
		page_form_error(ctx, 404, "That session had already ended. Your sessions now are below.");
		page_sessions(ctx);
		return;
	}
	if (was_current) {
		/* Logged out here: /me/sessions would only ask to log in again. */
		clear_session_cookie(ctx);
		page_redirect(ctx, "/");
		return;
	}
	page_redirect(ctx, "/me/sessions");
}

/* ---------------------------------------------------------------- export */

void page_export(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	/* Not HTML: the handler writes the body itself, through the JSON
	 * writer, which escapes every string. Page handlers write HTML only
	 * through templates. */
	buf *out = &ctx->resp->body;          /* lint: raw-body */
	buf_clear(out);
	json_writer w;
	json_init(&w, out);
	bool found;
	enum db_err e = db_account_export(ctx->db, ctx->arena, s->user_id, &w, &found);
	if (e != DB_OK) {
		page_db_error(ctx, e);          /* clears the partial document */
		return;
	}
	if (!found) {
		page_error(ctx, 404, "Account not found", "This account no longer exists.");
		return;
	}
	buf_putc(out, '\n');
	ctx->resp->status = 200;
	ctx->resp->content_type = "application/json; charset=utf-8";
	/* Handles are [A-Za-z0-9_-]: nothing to quote in the file name. */
	resp_header(ctx->resp, "Content-Disposition",
	            arena_printf(ctx->arena, "attachment; filename=\"hearth-export-%s.json\"", s->handle));
	resp_header(ctx->resp, "Cache-Control", "no-store");
}

/* ---------------------------------------------------------------- deletion */

static void render_delete(struct hctx *ctx, bool gone)
{
	tpl_value *d = page_data(ctx, gone ? "Your account is deleted" : "Delete my account");
	tpl_set_bool(d, "gone", gone);
	if (!gone) {
		const char *posts = page_field(ctx, "posts");
		tpl_set_bool(d, "posts_delete", strcmp(posts, "delete") == 0);
		tpl_set_bool(d, "posts_keep", strcmp(posts, "keep") == 0);
		tpl_set_bool(d, "confirm_checked", strcmp(page_field(ctx, "confirm"), "yes") == 0);
	}
	page_render(ctx, "delete_account", d);
}

void page_delete_account_form(struct hctx *ctx)
{
	render_delete(ctx, false);
}

void page_delete_account_post(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	const char *choice = page_field(ctx, "posts");
	enum account_posts posts;
	if (strcmp(choice, "delete") == 0) {
		posts = ACCOUNT_POSTS_DELETE;
	} else if (strcmp(choice, "keep") == 0) {
		posts = ACCOUNT_POSTS_KEEP;
	} else {
		page_form_error(ctx, 422, "Please choose what should happen to your posts. Nothing was deleted.");
		page_delete_account_form(ctx);
		return;
	}
	size_t plen = 0;
	const char *password = req_param_len(&ctx->req->form, "password", &plen);
	if (!password || plen == 0) {
		page_form_error(ctx, 422, "Please type your password to confirm. Nothing was deleted.");
		page_delete_account_form(ctx);
		return;
	}
	if (strcmp(page_field(ctx, "confirm"), "yes") != 0) {
		page_form_error(ctx, 422, "Please tick the box to confirm that you want your account deleted. "
		                "Nothing was deleted.");
		page_delete_account_form(ctx);
		return;
	}
	if (!password_tries_left(ctx, page_delete_account_form))
		return;

	/* The handle stays reserved (as a keyed digest) for handle_reserve_days:
	 * nobody can take the name the community knew. */
	unsigned char key[SERVER_KEY_BYTES];
	char handle_digest[65];
	enum db_err e = DB_OK;
	if (server_key_load(ctx->db, ctx->arena, ctx->conf->secret_key_file, key, &e) != SERVER_KEY_OK) {
		page_db_error(ctx, e == DB_OK ? DB_ERR_QUERY : e);
		return;
	}
	limits_handle_digest(key, s->handle, handle_digest);
	sodium_memzero(key, sizeof key);

	/* One transaction: the users row is locked while the password is
	 * checked, and everything below commits together or not at all. */
	e = db_begin(ctx->db);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	const char *hash;
	if ((e = db_account_password_hash(ctx->db, ctx->arena, s->user_id, true, &hash)) != DB_OK)
		goto fail;
	if (!hash) {
		db_rollback(ctx->db);
		page_error(ctx, 404, "Account not found", "This account no longer exists.");
		return;
	}
	if (plen > AUTH_PASSWORD_MAX || !auth_verify_password(hash, password, plen)) {
		db_rollback(ctx->db);
		wrong_password(ctx, "That is not your password. Nothing was deleted.", page_delete_account_form);
		return;
	}
	bool scrubbed;
	/* The private feed key goes too, also when the users row is only
	 * scrubbed (the cascade would not remove it then). */
	const char *pk[] = { arena_printf(ctx->arena, "%lld", s->user_id) };
	if (!db_exec(ctx->db, ctx->arena, DB_FEED_KEY_DELETE, pk, &e))
		goto fail;
	if ((ctx->conf->handle_reserve_days > 0 &&
	     (e = db_handle_reserve(ctx->db, ctx->arena, handle_digest)) != DB_OK) ||
	    (e = db_conversation_account_delete(ctx->db, ctx->arena, s->user_id,
	                                        posts == ACCOUNT_POSTS_DELETE)) != DB_OK ||
	    (e = db_account_delete(ctx->db, ctx->arena, s->user_id, posts, &scrubbed)) != DB_OK ||
	    (e = db_commit(ctx->db)) != DB_OK)
		goto fail;

	clear_session_cookie(ctx);
	/* The page that says goodbye is no longer anyone's. */
	ctx->req->session = NULL;
	ctx->form_error = NULL;
	ctx->resp->status = 200;
	render_delete(ctx, true);
	return;
fail:
	db_rollback(ctx->db);
	page_db_error(ctx, e);
}

/* ---------------------------------------------------------------- settings */

/* Whether the POSTed form mutes the category slug. */
static bool mute_sent(struct hctx *ctx, const char *slug)
{
	const struct params *f = &ctx->req->form;
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->items[i].name, "mute") == 0 && strcmp(f->items[i].value, slug) == 0)
			return true;
	return false;
}

/* The muted categories of the POSTed form as "a,b,...", or NULL when one
 * of them cannot be a category's slug (what categories.slug allows). */
static const char *mutes_sent(struct hctx *ctx)
{
	const struct params *f = &ctx->req->form;
	buf b;
	buf_init(&b, ctx->arena, 256);
	buf_puts(&b, "");
	for (size_t i = 0; i < f->count; i++) {
		if (strcmp(f->items[i].name, "mute") != 0)
			continue;
		const char *v = f->items[i].value;
		size_t n = strlen(v);
		if (n == 0 || n > 48 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
			return NULL;
		if (b.len)
			buf_putc(&b, ',');
		buf_append(&b, v, n);
	}
	return b.data;
}

void page_settings_form(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	tpl_value *d = page_data(ctx, "Privacy and reading");
	if (s) {
		struct care_settings cs;
		bool found;
		enum db_err e = db_care_settings(ctx->db, ctx->arena, s->user_id, &cs, &found);
		if (e != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
		struct care_mute *mutes;
		size_t nmutes;
		e = db_care_mutes(ctx->db, ctx->arena, s->user_id, &mutes, &nmutes);
		if (e != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
		/* A refused form shows what was sent, not what is stored. */
		bool sent = ctx->form_error && ctx->req->method == HTTP_POST;
		if (sent) {
			cs.posts_hidden = *page_field(ctx, "posts_hidden") != '\0';
			cs.cw_always_open = *page_field(ctx, "cw_open") != '\0';
			cs.mute_crisis = *page_field(ctx, "mute_crisis") != '\0';
		}
		tpl_set_bool(d, "posts_hidden", cs.posts_hidden);
		tpl_set_bool(d, "cw_open", cs.cw_always_open);
		tpl_set_bool(d, "mute_crisis", cs.mute_crisis);
		tpl_value *list = tpl_list(ctx->arena);
		for (size_t i = 0; i < nmutes; i++) {
			tpl_value *m = tpl_map(ctx->arena);
			tpl_set_str(m, "slug", mutes[i].slug);
			tpl_set_str(m, "name", mutes[i].name);
			tpl_set_str(m, "input_id", arena_printf(ctx->arena, "mute-%s", mutes[i].slug));
			tpl_set_bool(m, "muted", sent ? mute_sent(ctx, mutes[i].slug) : mutes[i].muted);
			tpl_list_push(list, m);
		}
		tpl_set(d, "categories", list);
		if ((e = conv_settings_data(ctx, d)) != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
	}
	tpl_set_bool(d, "saved", req_param(&ctx->req->query, "saved") != NULL);
	page_render(ctx, "settings", d);
}

void page_settings_post(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	struct care_settings cs = {
		.posts_hidden = strcmp(page_field(ctx, "posts_hidden"), "1") == 0,
		.cw_always_open = strcmp(page_field(ctx, "cw_open"), "1") == 0,
		.mute_crisis = strcmp(page_field(ctx, "mute_crisis"), "1") == 0,
		.muted_slugs = mutes_sent(ctx),
	};
	if (!cs.muted_slugs) {
		page_form_error(ctx, 422, "One of the muted categories is not a category of this forum, so "
		                "nothing was saved. Please choose from the list again.");
		page_settings_form(ctx);
		return;
	}
	bool found;
	enum db_err e = db_care_settings_set(ctx->db, ctx->arena, s->user_id, &cs, &found);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	if (!found) {
		page_error(ctx, 404, "Account not found", "This account no longer exists.");
		return;
	}
	page_redirect(ctx, "/me/settings?saved=1");
}

/* ---------------------------------------------------------------- recovery codes */

#define CODES_COOKIE "hr"
#define CODES_COOKIE_SECONDS 600

void page_codes_redirect(struct hctx *ctx, const char *const codes[], size_t n, bool welcome)
{
	buf b;
	buf_init(&b, ctx->arena, n * 24);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&b, '.');
		buf_puts(&b, codes[i]);
	}
	resp_header(ctx->resp, "Set-Cookie", session_cookie(ctx->arena, CODES_COOKIE, b.data, CODES_COOKIE_SECONDS,
	                                                    ctx->conf->secure_cookies));
	page_redirect(ctx, welcome ? "/me/recovery/codes?welcome=1" : "/me/recovery/codes");
}

/* GET /me/recovery/codes: the codes of the cookie, once, when they are the
 * member's current ones; the cookie is cleared by the same answer. */
void page_recovery_codes(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	const char *raw = req_param(&ctx->req->cookies, CODES_COOKIE);
	const char *codes[CARE_CODES];
	size_t n = 0;
	if (raw && strlen(raw) < CARE_CODES * 24) {
		char *copy = arena_strdup(ctx->arena, raw), *save = NULL;
		for (char *tok = strtok_r(copy, ".", &save); tok && n < CARE_CODES; tok = strtok_r(NULL, ".", &save))
			codes[n++] = tok;
	}
	bool current = false;
	if (n == CARE_CODES) {
		enum db_err e = db_care_codes_current(ctx->db, ctx->arena, s->user_id, codes, n, &current);
		if (e != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
	}
	if (raw)
		resp_header(ctx->resp, "Set-Cookie", session_cookie(ctx->arena, CODES_COOKIE, "", 0,
		                                                    ctx->conf->secure_cookies));
	resp_header(ctx->resp, "Cache-Control", "no-store");
	bool welcome = req_param(&ctx->req->query, "welcome") != NULL;
	tpl_value *d = page_data(ctx, welcome ? "Welcome: your recovery codes" : "Your recovery codes");
	tpl_set_bool(d, "welcome", welcome);
	if (current) {
		tpl_value *list = tpl_list(ctx->arena);
		for (size_t i = 0; i < n; i++) {
			tpl_value *m = tpl_map(ctx->arena);
			tpl_set_str(m, "code", codes[i]);
			tpl_list_push(list, m);
		}
		tpl_set(d, "codes", list);
	}
	page_render(ctx, "recovery_codes", d);
}

void page_recovery_form(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	tpl_value *d = page_data(ctx, "Recovery codes");
	if (s) {
		long long left;
		enum db_err e = db_care_codes_left(ctx->db, ctx->arena, s->user_id, &left);
		if (e != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
		tpl_set_int(d, "left", left);
		tpl_set_str(d, "left_text", page_count(ctx->arena, left, "recovery code", "recovery codes"));
		tpl_set_bool(d, "none_left", left == 0);
	}
	tpl_set_bool(d, "used", req_param(&ctx->req->query, "used") != NULL);
	page_render(ctx, "recovery", d);
}

void page_recovery_post(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	size_t plen = 0;
	const char *password = req_param_len(&ctx->req->form, "password", &plen);
	if (!password || plen == 0) {
		page_form_error(ctx, 400, "Please type your password to make new recovery codes.");
		page_recovery_form(ctx);
		return;
	}
	if (!password_tries_left(ctx, page_recovery_form))
		return;
	const char *hash;
	enum db_err e = db_account_password_hash(ctx->db, ctx->arena, s->user_id, false, &hash);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	if (!hash || plen > AUTH_PASSWORD_MAX || !auth_verify_password(hash, password, plen)) {
		wrong_password(ctx, "That is not your password. Your recovery codes were not changed.",
		               page_recovery_form);
		return;
	}
	const char *codes[CARE_CODES];
	if ((e = db_begin(ctx->db)) != DB_OK ||
	    (e = db_care_codes_new(ctx->db, ctx->arena, s->user_id, codes)) != DB_OK ||
	    (e = db_commit(ctx->db)) != DB_OK) {
		db_rollback(ctx->db);
		page_db_error(ctx, e);
		return;
	}
	page_codes_redirect(ctx, codes, CARE_CODES, false);
}

/* ---------------------------------------------------------------- take a break */

static const struct {
	int days;
	const char *label;
} break_lengths[] = {
	{ 1, "A day" }, { 3, "Three days" }, { 7, "A week" }, { 14, "Two weeks" },
	{ 30, "A month" }, { 92, "Three months" },
};

void page_break_form(struct hctx *ctx)
{
	tpl_value *d = page_data(ctx, "Take a break");
	const char *chosen = page_field(ctx, "days");
	tpl_value *list = tpl_list(ctx->arena);
	for (size_t i = 0; i < sizeof break_lengths / sizeof break_lengths[0]; i++) {
		tpl_value *m = tpl_map(ctx->arena);
		const char *v = arena_printf(ctx->arena, "%d", break_lengths[i].days);
		tpl_set_str(m, "value", v);
		tpl_set_str(m, "id", arena_printf(ctx->arena, "days-%d", break_lengths[i].days));
		tpl_set_str(m, "label", break_lengths[i].label);
		if (strcmp(chosen, v) == 0 || (!*chosen && break_lengths[i].days == 7))
			tpl_set_str(m, "checked", "checked");
		tpl_list_push(list, m);
	}
	tpl_set(d, "lengths", list);
	page_render(ctx, "break", d);
}

void page_break_post(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	const char *typed = page_field(ctx, "days");
	int days = 0;
	for (size_t i = 0; i < sizeof break_lengths / sizeof break_lengths[0]; i++)
		if (strcmp(typed, arena_printf(ctx->arena, "%d", break_lengths[i].days)) == 0)
			days = break_lengths[i].days;
	if (days < CARE_BREAK_MIN_DAYS || days > CARE_BREAK_MAX_DAYS) {
		page_form_error(ctx, 422, "Choose how long your break lasts: from a day to three months.");
		page_break_form(ctx);
		return;
	}
	if (strcmp(page_field(ctx, "confirm"), "yes") != 0) {
		page_form_error(ctx, 422, "Tick \"Yes, pause my account\" to start your break. Nothing was changed.");
		page_break_form(ctx);
		return;
	}
	const char *until = NULL;
	bool found = false;
	enum db_err e;
	if ((e = db_begin(ctx->db)) != DB_OK ||
	    (e = db_care_break_start(ctx->db, ctx->arena, s->user_id, days, &until, &found)) != DB_OK ||
	    (e = db_commit(ctx->db)) != DB_OK) {
		db_rollback(ctx->db);
		page_db_error(ctx, e);
		return;
	}
	if (!found) {
		page_error(ctx, 404, "Account not found", "This account no longer exists.");
		return;
	}
	clear_session_cookie(ctx);
	page_redirect(ctx, arena_printf(ctx->arena, "/break?until=%s", until));
}

/* The goodbye page: no session any more; the date comes from the address
 * (only shown back, as text, when it has the form of a date). */
void page_break_started(struct hctx *ctx)
{
	const char *until = req_param(&ctx->req->query, "until");
	bool date = until && strlen(until) == 10 && strspn(until, "0123456789-") == 10;
	tpl_value *d = page_data(ctx, "Enjoy your break");
	tpl_set_str(d, "until", date ? until : NULL);
	page_render(ctx, "break_started", d);
}

void page_welcome_back(struct hctx *ctx)
{
	tpl_value *d = page_data(ctx, "Welcome back");
	tpl_set_bool(d, "early", req_param(&ctx->req->query, "early") != NULL);
	page_render(ctx, "welcome_back", d);
}

/* ---------------------------------------------------------------- private feed links */

/*
 * GET/POST /me/feeds, GET /me/feeds/key (sql/021_feed_keys.sql): one
 * private key per member for feed readers and calendar apps, which have no
 * session (fcgi/page_group.c reads with it). Made or replaced, and revoked,
 * by a POST; the key itself is shown once, on /me/feeds/key, from a cookie
 * that page clears (as page_codes_redirect does for recovery codes): the
 * database keeps only its SHA-256 and cannot show it again.
 */
#define FEED_KEY_COOKIE "hf"
#define FEED_KEY_COOKIE_SECONDS 600

/* The addresses a key reads, for each of the member's groups and their
 * own calendar: key NULL gives them with the words YOUR-KEY (never the
 * key: the page with the key is shown once). */
static enum db_err feed_key_links(struct hctx *ctx, tpl_value *d, const char *key)
{
	const char *p[] = { arena_printf(ctx->arena, "%lld", ctx->req->session->user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_FEED_KEY_GROUPS, p, &e);
	if (!r)
		return e;
	const char *base = ctx->conf->base_url, *k = key ? key : "YOUR-KEY";
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		const char *slug = db_text(ctx->db, r, i, 0);
		tpl_value *m = tpl_map(ctx->arena);
		tpl_set_str(m, "name", db_text(ctx->db, r, i, 1));
		tpl_set_str(m, "feed", arena_printf(ctx->arena, "%s/g/%s/feed.atom?key=%s", base, slug, k));
		tpl_set_str(m, "calendar", arena_printf(ctx->arena, "%s/g/%s/calendar.ics?key=%s", base, slug, k));
		tpl_list_push(list, m);
	}
	tpl_set(d, "groups", list);
	tpl_set_str(d, "my_calendar", arena_printf(ctx->arena, "%s/me/calendar.ics?key=%s", base, k));
	return DB_OK;
}

void page_feed_keys(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	tpl_value *d = page_data(ctx, "Private feed links");
	if (s) {
		const char *p[] = { arena_printf(ctx->arena, "%lld", s->user_id) };
		enum db_err e;
		PGresult *r = db_exec(ctx->db, ctx->arena, DB_FEED_KEY_INFO, p, &e);
		if (!r || (e = feed_key_links(ctx, d, NULL)) != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
		if (PQntuples(r) == 1) {
			tpl_set_bool(d, "has_key", true);
			tpl_set_str(d, "created_at", db_text(ctx->db, r, 0, 0));
			tpl_set_str(d, "created_text", db_text(ctx->db, r, 0, 1));
			tpl_set_str(d, "last_used", db_val(r, 0, 2));
			tpl_set_str(d, "last_used_text", db_val(r, 0, 3));
		}
	}
	tpl_set_bool(d, "revoked", req_param(&ctx->req->query, "revoked") != NULL);
	page_render(ctx, "feed_keys", d);
}

void page_feed_keys_post(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	const char *action = page_field(ctx, "action");
	const char *uid = arena_printf(ctx->arena, "%lld", s->user_id);
	enum db_err e;
	if (strcmp(action, "revoke") == 0) {
		const char *p[] = { uid };
		if (!db_exec(ctx->db, ctx->arena, DB_FEED_KEY_DELETE, p, &e)) {
			page_db_error(ctx, e);
			return;
		}
		page_redirect(ctx, "/me/feeds?revoked=1");
		return;
	}
	if (strcmp(action, "new") != 0) {
		page_form_error(ctx, 422, "Please choose one of the buttons: make a key, or revoke it. "
		                "Nothing was changed.");
		page_feed_keys(ctx);
		return;
	}
	/* 32 random bytes, as a session token; only the digest is stored. */
	char key[AUTH_TOKEN_LEN + 1], digest[65];
	auth_new_token(key);
	auth_token_digest(key, AUTH_TOKEN_LEN, digest);
	const char *p[] = { uid, digest };
	if (!db_exec(ctx->db, ctx->arena, DB_FEED_KEY_SET, p, &e)) {
		sodium_memzero(key, sizeof key);
		page_db_error(ctx, e);
		return;
	}
	resp_header(ctx->resp, "Set-Cookie", session_cookie(ctx->arena, FEED_KEY_COOKIE, key, FEED_KEY_COOKIE_SECONDS,
	                                                    ctx->conf->secure_cookies));
	sodium_memzero(key, sizeof key);
	page_redirect(ctx, "/me/feeds/key");
}

/* GET /me/feeds/key: the key of the cookie, once, when it is the member's
 * current one; the cookie is cleared by the same answer. */
void page_feed_key_shown(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	const char *raw = req_param(&ctx->req->cookies, FEED_KEY_COOKIE);
	bool current = false;
	if (auth_token_shaped(raw)) {
		char digest[65];
		auth_token_digest(raw, AUTH_TOKEN_LEN, digest);
		const char *p[] = { arena_printf(ctx->arena, "%lld", s->user_id), digest };
		enum db_err e;
		PGresult *r = db_exec(ctx->db, ctx->arena, DB_FEED_KEY_CURRENT, p, &e);
		if (!r) {
			page_db_error(ctx, e);
			return;
		}
		current = db_bool(ctx->db, r, 0, 0);
	}
	if (raw)
		resp_header(ctx->resp, "Set-Cookie", session_cookie(ctx->arena, FEED_KEY_COOKIE, "", 0,
		                                                    ctx->conf->secure_cookies));
	resp_header(ctx->resp, "Cache-Control", "no-store");
	tpl_value *d = page_data(ctx, "Your private feed key");
	if (current) {
		enum db_err e = feed_key_links(ctx, d, raw);
		if (e != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
		tpl_set_str(d, "key", raw);
	}
	page_render(ctx, "feed_key_shown", d);
}
