/* route.c: see route.h. */
#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page_conversation.h"
#include "utf8.h"

#define DB NEED_DB
#define LOGIN (NEED_DB | NEED_LOGIN)
#define WRITE (NEED_DB | NEED_LOGIN | NEED_CSRF)
#define MOD (NEED_DB | NEED_LOGIN | NEED_MODERATOR)

/* ---- the forms POST rows take (see route.h) ---- */

#define NO_FIELDS { NULL, FIELD_LINE, 0, false, NULL }

#define POST_FIELDS(title_required)                                                   \
	{ "title", FIELD_LINE, 200, title_required, "The title" },                    \
	{ "warning", FIELD_LINE, 100, false, "The content warning" },                 \
	{ "body", FIELD_TEXT, 50000, true, "Your post" },                             \
	{ "action", FIELD_CHOICE, 16, false, NULL },                                  \
	{ "nudge_ack", FIELD_CHOICE, 4, false, NULL }

static const struct route_form form_register = { "Join", {
	{ "handle", FIELD_LINE, 64, true, "The handle" },
	{ "password", FIELD_SECRET, 4096, true, "Password" },
	{ "confirm", FIELD_SECRET, 4096, false, "Password again" },
}, page_register_form, true };
static const struct route_form form_login = { "Log in", {
	{ "handle", FIELD_LINE, 64, true, "The handle" },
	{ "password", FIELD_SECRET, 4096, true, "Password" },
	{ "next", FIELD_CHOICE, 512, false, NULL },
}, page_login_form, true };
static const struct route_form form_logout = { "Log out", { NO_FIELDS }, NULL, false };
static const struct route_form form_password = { "Change your password", {
	{ "current", FIELD_SECRET, 4096, true, "Current password" },
	{ "new", FIELD_SECRET, 4096, true, "New password" },
	{ "confirm", FIELD_SECRET, 4096, true, "New password again" },
}, page_password_form, true };
static const struct route_form form_session_end = { "End a session", {
	{ "session", FIELD_CHOICE, 64, true, NULL },
}, page_sessions, false };
static const struct route_form form_delete_account = { "Delete my account", {
	{ "password", FIELD_SECRET, 4096, false, "Password" },
	{ "posts", FIELD_CHOICE, 16, false, NULL },
	{ "confirm", FIELD_CHOICE, 8, false, NULL },
}, page_delete_account_form, true };
static const struct route_form form_settings = { "Privacy and reading", {
	{ "posts_hidden", FIELD_CHOICE, 1, false, NULL },
	{ "cw_open", FIELD_CHOICE, 1, false, NULL },
	{ "mute_crisis", FIELD_CHOICE, 1, false, NULL },
	/* A muted category's slug, once per muted category (the handler
	 * checks every one; this row checks the first). */
	{ "mute", FIELD_CHOICE, 48, false, "A muted category" },
}, page_settings_form, false };
static const struct route_form form_recovery = { "New recovery codes", {
	{ "password", FIELD_SECRET, 4096, true, "Password" },
}, page_recovery_form, false };
static const struct route_form form_break = { "Take a break", {
	{ "days", FIELD_CHOICE, 3, true, NULL },
	{ "confirm", FIELD_CHOICE, 8, false, NULL },
}, page_break_form, false };
static const struct route_form form_forgot = { "Forgot your password", {
	{ "handle", FIELD_LINE, 64, true, "The handle" },
	{ "code", FIELD_SECRET, 64, true, "Recovery code" },
	{ "new", FIELD_SECRET, 4096, true, "New password" },
	{ "confirm", FIELD_SECRET, 4096, true, "New password again" },
}, page_forgot_form, true };
static const struct route_form form_thread_new = { "Start a thread", { POST_FIELDS(true),
	{ "anonymous", FIELD_CHOICE, 1, false, NULL },  /* sql/018_anonymous.sql */
}, page_thread_new_form, false };
static const struct route_form form_reply = { "Reply", {
	{ "anonymous", FIELD_CHOICE, 1, false, NULL },
	{ "warning", FIELD_LINE, 100, false, "The content warning" },
	{ "body", FIELD_TEXT, 50000, true, "Your post" },
	{ "action", FIELD_CHOICE, 16, false, NULL },
	{ "nudge_ack", FIELD_CHOICE, 4, false, NULL },
}, page_reply_form, false };
static const struct route_form form_edit = { "Edit your post", { POST_FIELDS(false) }, page_edit_form, false };
static const struct route_form form_delete = { "Delete your post", {
	{ "confirm", FIELD_CHOICE, 8, false, NULL },
}, NULL, false };
static const struct route_form form_support = { "I hear you", { NO_FIELDS }, NULL, false };
static const struct route_form form_here = { "I'm here if you want to talk", { NO_FIELDS }, NULL, false };
static const struct route_form form_follow = { "Notifications for this thread", {
	{ "level", FIELD_CHOICE, 16, true, NULL },
}, page_follow_form, false };
static const struct route_form form_notify_read = { "Mark as read", { NO_FIELDS }, NULL, false };
static const struct route_form form_report = { "Report a post", {
	{ "reason", FIELD_CHOICE, 32, false, NULL },
	{ "details", FIELD_TEXT, 1000, false, "Anything the moderators should know" },
}, page_report_form, false };
static const struct route_form form_review = { "Moderator action", {
	{ "action", FIELD_CHOICE, 32, true, NULL },
	{ "reason", FIELD_TEXT, 1000, false, "Reason" },
	{ "redact_from", FIELD_TEXT, 10000, false, "Text to remove" },
	{ "note", FIELD_TEXT, 2000, false, "Note" },
	{ "warning", FIELD_LINE, 100, false, "Content warning" },
}, page_review_item, false };
static const struct route_form form_reveal = { "Show who wrote this", {
	{ "reveal_reason", FIELD_TEXT, 1000, true, "Why you need to know who wrote it" },
}, page_review_item, false };
static const struct route_form form_mod_member = { "Moderate a member", {
	{ "action", FIELD_CHOICE, 16, true, NULL },
	{ "for", FIELD_CHOICE, 8, false, NULL },
	{ "reason", FIELD_TEXT, 1000, false, "Reason" },
}, page_mod_member, false };
static const struct route_form form_mod_thread = { "Moderate a thread", {
	{ "action", FIELD_CHOICE, 16, true, NULL },
	{ "reason", FIELD_TEXT, 1000, false, "Reason" },
	{ "category", FIELD_CHOICE, 48, false, NULL },
}, page_mod_thread, false };

/* Private conversations (fcgi/page_conversation.c). */
#define MESSAGE_FIELDS                                                                \
	{ "body", FIELD_TEXT, 50000, true, "Your message" },                          \
	{ "action", FIELD_CHOICE, 16, false, NULL },                                  \
	{ "nudge_ack", FIELD_CHOICE, 4, false, NULL }
static const struct route_form form_conv_new = { "New private conversation", {
	{ "to", FIELD_LINE, 300, true, "Who the conversation is with" },
	MESSAGE_FIELDS,
}, page_conv_new_form, false };
static const struct route_form form_conv_send = { "Send a message", { MESSAGE_FIELDS }, page_conv, false };
static const struct route_form form_conv_leave = { "Leave the conversation", { NO_FIELDS }, NULL, false };
static const struct route_form form_msg_report = { "Report a message", {
	{ "reason", FIELD_CHOICE, 32, false, NULL },
	{ "details", FIELD_TEXT, 1000, false, "Anything the moderators should know" },
}, page_msg_report_form, false };
static const struct route_form form_block = { "Block or unblock a member", { NO_FIELDS }, NULL, false };
static const struct route_form form_messages_from = { "Who may message you", {
	{ "messages_from", FIELD_CHOICE, 16, true, "Who may message you" },
}, page_settings_form, false };
static const struct route_form form_msg_review = { "Moderator action on a message", {
	{ "action", FIELD_CHOICE, 32, true, NULL },
	{ "reason", FIELD_TEXT, 1000, false, "Reason" },
}, page_msg_review, false };
static const struct route_form form_checkin = { "Contact the member", { MESSAGE_FIELDS }, page_checkin_form, false };
static const struct route_form form_group_new = { "Create a group", {
	{ "slug", FIELD_LINE, 40, true, "The address" },
	{ "name", FIELD_LINE, 80, true, "The name" },
	{ "description", FIELD_TEXT, 500, false, "The description" },
	{ "listed", FIELD_CHOICE, 3, false, NULL },
	{ "join", FIELD_CHOICE, 8, true, NULL },
}, page_group_new_form, false };
static const struct route_form form_group_join = { "Join the group", { NO_FIELDS }, NULL, false };
static const struct route_form form_group_member = { "A group's member", {
	{ "handle", FIELD_LINE, 64, true, "The member's handle" },
}, page_group, false };
static const struct route_form form_group_hide = { "Hide a post of the group", {
	{ "post", FIELD_LINE, 18, true, "The post's number" },
	{ "reason", FIELD_TEXT, 1000, true, "The reason" },
}, page_group, false };
static const struct route_form form_group_pin = { "Pin a thread of the group", {
	{ "thread", FIELD_LINE, 18, true, "The thread's number" },
}, page_group, false };
static const struct route_form form_meeting_new = { "Schedule a meeting", {
	{ "title", FIELD_LINE, 120, true, "The meeting's title" },
	{ "date", FIELD_LINE, 10, true, "The date" },
	{ "time", FIELD_LINE, 5, true, "The start time" },
	{ "minutes", FIELD_LINE, 4, true, "The length in minutes" },
	{ "tz", FIELD_LINE, 64, true, "The time zone" },
}, page_group, false };
static const struct route_form form_feed_key = { "Private feed links", {
	{ "action", FIELD_CHOICE, 8, true, NULL },
}, page_feed_keys, false };
static const struct route_form form_meeting_rsvp = { "Will you come?", {
	{ "going", FIELD_CHOICE, 3, true, NULL },
}, page_meeting, false };

static const struct route routes[] = {
	{ M_GET,  "/",                  page_home,                DB, NULL },
	{ M_GET,  "/help",              page_help,                0, NULL },
	{ M_GET,  "/weather",           page_weather,             0, NULL },
	{ M_GET,  "/healthz",           page_health,              0, NULL },
	{ M_GET,  "/metrics",           page_metrics,             0, NULL },
	{ M_GET,  "/search",            page_search,              DB, NULL },
	{ M_GET,  "/feed.atom",         page_feed_site,           DB, NULL },
	{ M_GET,  "/c/:slug/feed.atom", page_feed_category,       DB, NULL },
	{ M_GET,  "/t/:id/feed.atom",   page_feed_thread,         DB, NULL },
	{ M_GET,  "/c/:slug",           page_category,            DB, NULL },
	{ M_GET,  "/t/:id",             page_thread,              DB, NULL },
	{ M_GET,  "/t/:id/follow",      page_follow_form,         LOGIN, NULL },
	{ M_POST, "/t/:id/follow",      page_follow_post,         WRITE, &form_follow },
	{ M_GET,  "/p/:id",             page_permalink,           DB, NULL },
	{ M_GET,  "/p/:id/thread",      page_subthread,           DB, NULL },
	{ M_GET,  "/u/:handle",         page_member,              DB, NULL },
	{ M_GET,  "/me/replies",        page_replies_to_me,       LOGIN, NULL },
	{ M_GET,  "/me/notifications",  page_notifications,       LOGIN, NULL },
	{ M_POST, "/me/notifications/:id/read", page_notification_read_post, WRITE, &form_notify_read },
	{ M_POST, "/me/notifications/read-all", page_notifications_read_all_post, WRITE, &form_notify_read },

	{ M_GET,  "/register",          page_register_form,       DB, NULL },
	{ M_POST, "/register",          page_register_post,       NEED_DB | NEED_CSRF, &form_register },
	{ M_GET,  "/login",             page_login_form,          DB, NULL },
	{ M_POST, "/login",             page_login_post,          NEED_DB | NEED_CSRF, &form_login },
	{ M_POST, "/logout",            page_logout_post,         WRITE, &form_logout },
	{ M_GET,  "/forgot",            page_forgot_form,         DB, NULL },
	{ M_POST, "/forgot",            page_forgot_post,         NEED_DB | NEED_CSRF, &form_forgot },

	{ M_GET,  "/me/password",       page_password_form,       LOGIN, NULL },
	{ M_POST, "/me/password",       page_password_post,       WRITE, &form_password },
	{ M_GET,  "/me/sessions",       page_sessions,            LOGIN, NULL },
	{ M_POST, "/me/sessions/end",   page_sessions_end_post,   WRITE, &form_session_end },
	{ M_GET,  "/me/export",         page_export,              LOGIN, NULL },
	{ M_GET,  "/me/delete",         page_delete_account_form, LOGIN, NULL },
	{ M_POST, "/me/delete",         page_delete_account_post, WRITE, &form_delete_account },
	{ M_GET,  "/me/settings",       page_settings_form,       LOGIN, NULL },
	{ M_POST, "/me/settings",       page_settings_post,       WRITE, &form_settings },
	{ M_GET,  "/me/recovery",       page_recovery_form,       LOGIN, NULL },
	{ M_POST, "/me/recovery",       page_recovery_post,       WRITE, &form_recovery },
	{ M_GET,  "/me/recovery/codes", page_recovery_codes,      LOGIN, NULL },
	{ M_GET,  "/me/break",          page_break_form,          LOGIN, NULL },
	{ M_POST, "/me/break",          page_break_post,          WRITE, &form_break },
	{ M_GET,  "/break",             page_break_started,       0, NULL },
	{ M_GET,  "/welcome-back",      page_welcome_back,        LOGIN, NULL },

	{ M_GET,  "/c/:slug/new",       page_thread_new_form,     LOGIN, NULL },
	{ M_POST, "/c/:slug/new",       page_thread_new_post,     WRITE, &form_thread_new },
	{ M_GET,  "/p/:id/reply",       page_reply_form,          LOGIN, NULL },
	{ M_POST, "/p/:id/reply",       page_reply_post,          WRITE, &form_reply },
	{ M_GET,  "/p/:id/edit",        page_edit_form,           LOGIN, NULL },
	{ M_POST, "/p/:id/edit",        page_edit_post,           WRITE, &form_edit },
	{ M_POST, "/p/:id/delete",      page_delete_post,         WRITE, &form_delete },
	{ M_POST, "/p/:id/support",     page_support_post,        WRITE, &form_support },
	{ M_GET,  "/p/:id/here",        page_here_form,           LOGIN, NULL },
	{ M_POST, "/p/:id/here",        page_here_post,           WRITE, &form_here },
	{ M_GET,  "/p/:id/revisions",   page_revisions,           LOGIN, NULL },
	{ M_GET,  "/p/:id/posted",      page_posted,              LOGIN, NULL },
	{ M_GET,  "/p/:id/report",      page_report_form,         LOGIN, NULL },
	{ M_POST, "/p/:id/report",      page_report_post,         WRITE, &form_report },

	{ M_GET,  "/mod",               page_review_queue,        MOD, NULL },
	{ M_GET,  "/mod/p/:id",         page_review_item,         MOD, NULL },
	{ M_POST, "/mod/p/:id",         page_review_action,       WRITE | NEED_MODERATOR, &form_review },
	{ M_POST, "/mod/p/:id/reveal",  page_review_reveal,       WRITE | NEED_MODERATOR, &form_reveal },
	{ M_GET,  "/mod/audit",         page_audit_log,           MOD, NULL },
	{ M_GET,  "/mod/u/:handle",     page_mod_member,          MOD, NULL },
	{ M_POST, "/mod/u/:handle",     page_mod_member_post,     WRITE | NEED_MODERATOR, &form_mod_member },
	{ M_GET,  "/mod/t/:id",         page_mod_thread,          MOD, NULL },
	{ M_POST, "/mod/t/:id",         page_mod_thread_post,     WRITE | NEED_MODERATOR, &form_mod_thread },

	{ M_GET,  "/me/messages",       page_messages,            LOGIN, NULL },
	{ M_POST, "/me/settings/messages", page_messages_settings_post, WRITE, &form_messages_from },
	{ M_GET,  "/m/new",             page_conv_new_form,       LOGIN, NULL },
	{ M_POST, "/m/new",             page_conv_new_post,       WRITE, &form_conv_new },
	{ M_GET,  "/m/:id",             page_conv,                LOGIN, NULL },
	{ M_POST, "/m/:id",             page_conv_post,           WRITE, &form_conv_send },
	{ M_POST, "/m/:id/leave",       page_conv_leave_post,     WRITE, &form_conv_leave },
	{ M_GET,  "/msg/:id/report",    page_msg_report_form,     LOGIN, NULL },
	{ M_POST, "/msg/:id/report",    page_msg_report_post,     WRITE, &form_msg_report },
	{ M_POST, "/u/:handle/block",   page_block_post,          WRITE, &form_block },
	{ M_POST, "/u/:handle/unblock", page_unblock_post,        WRITE, &form_block },
	{ M_GET,  "/mod/m/:id",         page_msg_review,          MOD, NULL },
	{ M_POST, "/mod/m/:id",         page_msg_review_action,   WRITE | NEED_MODERATOR, &form_msg_review },
	{ M_GET,  "/mod/p/:id/contact", page_checkin_form,        MOD, NULL },
	{ M_POST, "/mod/p/:id/contact", page_checkin_post,        WRITE | NEED_MODERATOR, &form_checkin },

	{ M_GET,  "/g",                 page_groups,              DB, NULL },
	{ M_GET,  "/g/new",             page_group_new_form,      MOD, NULL },
	{ M_POST, "/g/new",             page_group_new_post,      WRITE | NEED_MODERATOR, &form_group_new },
	{ M_GET,  "/g/:slug",           page_group,               DB, NULL },
	{ M_GET,  "/g/:slug/calendar.ics", page_group_calendar,   DB, NULL },
	{ M_POST, "/g/:slug/join",      page_group_join_post,     WRITE, &form_group_join },
	{ M_POST, "/g/:slug/leave",     page_group_leave_post,    WRITE, &form_group_join },
	{ M_POST, "/g/:slug/accept",    page_group_accept_post,   WRITE, &form_group_member },
	{ M_POST, "/g/:slug/invite",    page_group_invite_post,   WRITE, &form_group_member },
	{ M_POST, "/g/:slug/hide",      page_group_hide_post,     WRITE, &form_group_hide },
	{ M_POST, "/g/:slug/pin",       page_group_pin_post,      WRITE, &form_group_pin },
	{ M_POST, "/g/:slug/meetings",  page_meeting_new_post,    WRITE, &form_meeting_new },
	{ M_GET,  "/g/:slug/meetings/:id", page_meeting,          DB, NULL },
	{ M_POST, "/g/:slug/meetings/:id/rsvp", page_meeting_rsvp_post, WRITE, &form_meeting_rsvp },
	{ M_GET,  "/g/:slug/meetings/:id/calendar.ics", page_meeting_calendar, DB, NULL },
	/* Private feed links (sql/021_feed_keys.sql): the feed and the
	 * calendars read with ?key=KEY, without a session. */
	{ M_GET,  "/g/:slug/feed.atom", page_group_feed,          DB, NULL },
	{ M_GET,  "/me/calendar.ics",   page_my_calendar,         DB, NULL },
	{ M_GET,  "/me/feeds",          page_feed_keys,           LOGIN, NULL },
	{ M_POST, "/me/feeds",          page_feed_keys_post,      WRITE, &form_feed_key },
	{ M_GET,  "/me/feeds/key",      page_feed_key_shown,      LOGIN, NULL },
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

int route_slot(const struct route *r)
{
	return r ? (int)(r - routes) : -1;
}

const char *route_slot_pattern(int slot, unsigned *methods)
{
	if (slot < 0 || (size_t)slot >= sizeof routes / sizeof routes[0])
		return NULL;
	*methods = routes[slot].methods;
	return routes[slot].pattern;
}

/* 50000 -> "50,000". */
static const char *thousands(arena *a, unsigned n)
{
	return n >= 1000 ? arena_printf(a, "%u,%03u", n / 1000, n % 1000) : arena_printf(a, "%u", n);
}

const char *route_form_check(arena *a, const struct route_form *form, const struct params *fields, int *status)
{
	*status = 422;
	if (!form)
		return NULL;
	for (const struct route_field *f = form->fields; f < form->fields + ROUTE_FIELDS_MAX && f->name; f++) {
		size_t len = 0;
		const char *v = req_param_len(fields, f->name, &len);
		const char *label = f->label ? f->label : "A choice on the form";
		if (!v) {
			if (f->required) {
				*status = 400;
				return arena_printf(a, "%s was missing from the form, so nothing was saved. "
				                    "Please fill in every field and send it again.", label);
			}
			continue;
		}
		if (utf8_count(v, len) > f->max_chars)
			return arena_printf(a, "%s is longer than %s characters. Please shorten it.", label,
			                    thousands(a, f->max_chars));
		if ((f->kind == FIELD_LINE || f->kind == FIELD_CHOICE) && utf8_has_controls(v, len, false))
			return arena_printf(a, "%s contains control characters or line breaks, which it cannot "
			                    "hold. Please remove them.", label);
		if (f->kind == FIELD_TEXT && utf8_has_controls(v, len, true))
			return arena_printf(a, "%s contains control characters that cannot be stored. "
			                    "Please remove them.", label);
	}
	return NULL;
}
