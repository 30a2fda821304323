/*
 * route.h: the route table. Every row states methods, path pattern, handler
 * and what the request needs (database, login, capability, CSRF). The
 * dispatcher (main.c) checks those before the handler runs:
 *
 *  - NEED_LOGIN without a session: GET redirects to /login?next=..., POST
 *    gets 403 with its form given back (text kept).
 *  - NEED_MODERATOR without the role: 403.
 *  - NEED_CSRF on POST with a missing or wrong token: 403, form given back.
 *  - A POST row declares its form (struct route_form): every field it takes,
 *    its kind, its maximum length in characters and whether it is required.
 *    Once the checks above pass, the dispatcher checks the submitted form
 *    against it before the handler runs (422 on a field too long or with
 *    control characters, 400 on a required one missing) and answers on the
 *    route's form page with the message.
 *
 * "Given back" means route_refill() in main.c: a page rebuilt from the
 * submitted form ONLY (the declared fields, passwords never echoed), with
 * the message and a button to send it again. It reads nothing from the
 * database, so a refused request never shows anything the asker may not
 * see: the refusal paths (not logged in, bad token, invalid UTF-8, a field
 * too long, the database down) cannot leak a held or hidden post.
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

enum field_kind {
	FIELD_LINE,                 /* one line of text: no control characters, no line breaks */
	FIELD_TEXT,                 /* text with line breaks and tabs, no other control characters */
	FIELD_SECRET,               /* a password: checked for length only, never given back */
	FIELD_CHOICE,               /* a short token (button value, checkbox, id): given back hidden */
	FIELD_KIND__MAX
};

struct route_field {
	const char *name;
	enum field_kind kind;
	unsigned max_chars;
	bool required;              /* missing from the form: 422 */
	const char *label;          /* "Your post": shown on the refill page and in messages */
};

#define ROUTE_FIELDS_MAX 6

struct route_form {
	const char *title;          /* heading of the page that gives a refused form back */
	struct route_field fields[ROUTE_FIELDS_MAX];  /* ends at the first without a name */
	/* The route's GET form page. A field the declarations refuse (checked
	 * once the asker is logged in and the token is right, so they may see
	 * what the page shows, as with a GET) comes back on it with the message. */
	handler_fn form_page;
	/* The form page shows nothing but the submitted fields and the asker's
	 * own session (log-in, registration, account deletion): it may also give
	 * back a form refused before those checks. Never true for a page that
	 * reads anything by the id in the address. */
	bool form_page_public;
};

struct route {
	unsigned methods;
	const char *pattern;        /* "/t/:id" digits, "/c/:slug" [a-z0-9_-], "/u/:handle" [A-Za-z0-9_-] */
	handler_fn handler;
	unsigned needs;
	const struct route_form *form;  /* POST rows: the fields the handler takes */
};

/* Checks req->form against form's declarations. NULL when it is fine;
 * otherwise what is wrong, in words for the member (arena-owned), with
 * *status 400 (a required field missing: no browser sends that) or 422 (too
 * long, control characters). */
const char *route_form_check(arena *a, const struct route_form *form, const struct params *fields,
                             int *status);

/* Finds the route for path. Returns NULL for no match; *allowed gets the
 * methods of a route that matched the path but not the method (for 405). */
const struct route *route_find(struct request *req, unsigned *allowed);

/* The row's index in the route table (-1 for NULL), and back: the pattern
 * and methods of row slot, NULL past the last row (counters.h). */
int route_slot(const struct route *r);
const char *route_slot_pattern(int slot, unsigned *methods);

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
void page_settings_form(struct hctx *ctx);
void page_settings_post(struct hctx *ctx);
void page_recovery_form(struct hctx *ctx);
void page_recovery_post(struct hctx *ctx);
/* After new recovery codes were committed: a redirect to the page that
 * shows them once (/me/recovery/codes), carrying them in a short-lived
 * HttpOnly cookie, so the server never keeps them in clear and the form
 * still answers with a redirect. welcome: after registration. */
void page_codes_redirect(struct hctx *ctx, const char *const codes[], size_t n, bool welcome);
void page_recovery_codes(struct hctx *ctx);
/* Take a break: the form, the pause (signed out everywhere), the page that
 * says goodbye (no session left), the page that says welcome back. */
void page_break_form(struct hctx *ctx);
void page_break_post(struct hctx *ctx);
void page_break_started(struct hctx *ctx);
void page_welcome_back(struct hctx *ctx);
/* page_auth.c: "forgot your password": a handle and a recovery code */
void page_forgot_form(struct hctx *ctx);
void page_forgot_post(struct hctx *ctx);
/* page_help.c: the quick exit's neutral page (conf quick_exit_url) */
void page_weather(struct hctx *ctx);
/* page_write.c: new thread, reply, edit, delete, support */
void page_thread_new_form(struct hctx *ctx);
void page_thread_new_post(struct hctx *ctx);
void page_reply_form(struct hctx *ctx);
void page_reply_post(struct hctx *ctx);
void page_edit_form(struct hctx *ctx);
void page_edit_post(struct hctx *ctx);
void page_delete_post(struct hctx *ctx);
void page_support_post(struct hctx *ctx);
void page_here_form(struct hctx *ctx);
void page_here_post(struct hctx *ctx);
void page_revisions(struct hctx *ctx);
void page_posted(struct hctx *ctx);
/* page_review.c: reports, the review queue, moderator actions, audit log */
void page_report_form(struct hctx *ctx);
void page_report_post(struct hctx *ctx);
void page_review_queue(struct hctx *ctx);
void page_review_item(struct hctx *ctx);
void page_review_action(struct hctx *ctx);
void page_review_reveal(struct hctx *ctx);
void page_audit_log(struct hctx *ctx);
/* page_modtools.c: silence and ban a member for a time; lock, move, pin a thread */
void page_mod_member(struct hctx *ctx);
void page_mod_member_post(struct hctx *ctx);
void page_mod_thread(struct hctx *ctx);
void page_mod_thread_post(struct hctx *ctx);
/* page_notify.c: notifications, marking them read */
void page_notifications(struct hctx *ctx);
void page_notification_read_post(struct hctx *ctx);
void page_notifications_read_all_post(struct hctx *ctx);
void page_follow_form(struct hctx *ctx);
void page_follow_post(struct hctx *ctx);
/* page_help.c */
void page_help(struct hctx *ctx);
/* page_search.c: GET /search?q= */
void page_search(struct hctx *ctx);
/* page_health.c: GET /healthz (needs no database: it reports on it) */
void page_health(struct hctx *ctx);
/* page_feed.c: Atom feeds of the site, a category, a thread (public: the
 * anonymous reader's view, whoever asks) */
void page_feed_site(struct hctx *ctx);
void page_feed_category(struct hctx *ctx);
void page_feed_thread(struct hctx *ctx);
/* The Atom document of group group_id's newest posts as viewer v reads
 * them; the caller (page_group_feed) checked that v may. */
void page_feed_group_posts(struct hctx *ctx, long long group_id, const char *slug, const char *name,
                           const struct read_viewer *v);
/* page_metrics.c: GET /metrics for the addresses in metrics_allow (others:
 * 404); needs no database: it reports on it */
void page_metrics(struct hctx *ctx);
/* page_group.c: peer groups and their meetings (sql/017_groups.sql) */
void page_groups(struct hctx *ctx);
void page_group_new_form(struct hctx *ctx);
void page_group_new_post(struct hctx *ctx);
void page_group(struct hctx *ctx);
void page_group_join_post(struct hctx *ctx);
void page_group_leave_post(struct hctx *ctx);
void page_group_accept_post(struct hctx *ctx);
void page_group_invite_post(struct hctx *ctx);
void page_group_hide_post(struct hctx *ctx);
void page_group_pin_post(struct hctx *ctx);
void page_group_calendar(struct hctx *ctx);
void page_meeting(struct hctx *ctx);
void page_meeting_new_post(struct hctx *ctx);
void page_meeting_rsvp_post(struct hctx *ctx);
void page_meeting_calendar(struct hctx *ctx);
/* Private feed links (sql/021_feed_keys.sql): these and the two calendars
 * above also read with ?key=KEY. */
void page_group_feed(struct hctx *ctx);
void page_my_calendar(struct hctx *ctx);
/* page_account.c: the private feed key, made, shown once, revoked */
void page_feed_keys(struct hctx *ctx);
void page_feed_keys_post(struct hctx *ctx);
void page_feed_key_shown(struct hctx *ctx);

#endif
