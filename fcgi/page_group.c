/*
 * page_group.c: peer groups and their meetings (issue 11, sql/017_groups.sql).
 *
 *   GET  /g                                 the groups the asker may know of
 *   GET  /g/new, POST /g/new                site moderators: create a group
 *   GET  /g/:slug                           a group: description, and for its
 *                                           members its threads and meetings
 *   POST /g/:slug/join | leave              join (open, or invited), ask to
 *                                           join (request), leave / withdraw
 *   POST /g/:slug/accept | invite           facilitators: accept a request,
 *                                           invite a member (by handle)
 *   POST /g/:slug/hide | pin                facilitators: hide a post of the
 *                                           group with a reason (audit log),
 *                                           pin or unpin a thread
 *   POST /g/:slug/meetings                  facilitators: schedule a meeting
 *   GET  /g/:slug/meetings/:id              a meeting: its time in its zone,
 *                                           who comes, its thread
 *   POST /g/:slug/meetings/:id/rsvp         going / not going
 *   GET  /g/:slug/calendar.ics, /g/:slug/meetings/:id/calendar.ics
 *                                           iCalendar (RFC 5545)
 *   GET  /g/:slug/feed.atom                 the group's newest posts (Atom,
 *                                           written by page_feed.c)
 *   GET  /me/calendar.ics                   the meetings of all my groups
 *        These four also take ?key=KEY, a member's private feed key
 *        (sql/021_feed_keys.sql; see "private feed links" below).
 *
 * Who sees what: a listed group's name and description are public; an
 * unlisted group is not there (404) for anyone without a place in it. Its
 * threads, meetings and members are for its active members and the site
 * moderators only; the threads themselves are read through lib/db_read.h,
 * whose statements apply the same rule (GROUP_SPACE_OK). Facilitators
 * (group_members.role) accept, invite and schedule; site moderators may do
 * everything a facilitator may.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db_group.h"
#include "db_post.h"
#include "log.h"
#include "route.h"
#include "screen.h"
#include "session.h"
#include "utf8.h"

#define MEETING_TITLE_MAX 120

struct group {
	long long id;
	const char *slug, *name, *description, *policy;
	bool listed;
	const char *my_status;          /* active, pending, invited; NULL: no place */
	const char *my_role;            /* member, facilitator; NULL: no place */
	long long members;
	long long category_id;
	const char *category_slug;
	bool admitted;                  /* an active member or a site moderator */
	bool facilitator;               /* an active facilitator or a site moderator */
};

static const char *ll(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

static const char *viewer_param(arena *a, const struct read_viewer *v)
{
	return v->user_id ? ll(a, v->user_id) : NULL;
}

static void group_fill(db *d, const PGresult *r, int i, const struct read_viewer *v, struct group *g)
{
	g->id = db_ll(r, i, 0);
	g->slug = db_text(d, r, i, 1);
	g->name = db_text(d, r, i, 2);
	g->description = db_text(d, r, i, 3);
	g->listed = db_bool(d, r, i, 4);
	g->policy = db_text(d, r, i, 5);
	g->my_status = db_val(r, i, 6);
	g->my_role = db_val(r, i, 7);
	g->members = db_ll(r, i, 8);
	g->category_id = db_ll(r, i, 9);
	g->category_slug = db_text(d, r, i, 10);
	bool active = g->my_status && strcmp(g->my_status, "active") == 0;
	g->admitted = v->moderator || active;
	g->facilitator = v->moderator || (active && g->my_role && strcmp(g->my_role, "facilitator") == 0);
}

static void group_missing(struct hctx *ctx)
{
	page_error(ctx, 404, "Group not found",
	           "There is no group at this address that you can see. The groups you may join are at /g.");
}

/* The group of the address for viewer v; otherwise answers itself (404:
 * no group, or an unlisted one they have no place in; 503/500). */
static bool load_group_as(struct hctx *ctx, const struct read_viewer *v, struct group *g)
{
	const char *p[] = { viewer_param(ctx->arena, v), ctx->req->slug };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_GROUP_BY_SLUG, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return false;
	}
	if (PQntuples(r) != 1) {
		group_missing(ctx);
		return false;
	}
	group_fill(ctx->db, r, 0, v, g);
	if (!g->listed && !g->my_status && !v->moderator) {
		group_missing(ctx);
		return false;
	}
	return true;
}

/* The same for the asker (the session, if any). */
static bool load_group(struct hctx *ctx, struct group *g)
{
	struct read_viewer v = page_viewer(ctx);
	return load_group_as(ctx, &v, g);
}

/* The group, for its members only (the same 404 for everyone else). */
static bool load_group_admitted_as(struct hctx *ctx, const struct read_viewer *v, struct group *g)
{
	if (!load_group_as(ctx, v, g))
		return false;
	if (!g->admitted) {
		group_missing(ctx);
		return false;
	}
	return true;
}

static bool load_group_admitted(struct hctx *ctx, struct group *g)
{
	struct read_viewer v = page_viewer(ctx);
	return load_group_admitted_as(ctx, &v, g);
}

static const char *policy_text(const char *policy)
{
	if (strcmp(policy, "open") == 0)
		return "Anyone may join.";
	if (strcmp(policy, "invite") == 0)
		return "Joined by invitation from a facilitator.";
	return "Ask to join; a facilitator accepts.";
}

static tpl_value *group_map(arena *a, const struct group *g)
{
	tpl_value *m = tpl_map(a);
	tpl_set_str(m, "slug", g->slug);
	tpl_set_str(m, "name", g->name);
	tpl_set_str(m, "description", g->description);
	tpl_set_str(m, "policy", policy_text(g->policy));
	tpl_set_bool(m, "unlisted", !g->listed);
	/* Even how many belong is the group's own business. */
	if (g->admitted)
		tpl_set_str(m, "members", page_count(a, g->members, "member", "members"));
	if (g->my_status && strcmp(g->my_status, "active") == 0)
		tpl_set_str(m, "mine", g->my_role && strcmp(g->my_role, "facilitator") == 0 ?
		            "You are a facilitator here" : "You are a member");
	else if (g->my_status && strcmp(g->my_status, "pending") == 0)
		tpl_set_str(m, "mine", "You asked to join");
	else if (g->my_status && strcmp(g->my_status, "invited") == 0)
		tpl_set_str(m, "mine", "You are invited");
	return m;
}

void page_groups(struct hctx *ctx)
{
	struct read_viewer v = page_viewer(ctx);
	const char *p[] = { viewer_param(ctx->arena, &v), v.moderator ? "t" : "f" };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_GROUP_LIST, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, "Peer groups");
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		struct group g;
		group_fill(ctx->db, r, i, &v, &g);
		tpl_list_push(list, group_map(ctx->arena, &g));
	}
	tpl_set(d, "groups", list);
	if (v.moderator)
		tpl_set_bool(d, "may_create", true);
	page_render(ctx, "groups", d);
}

void page_group_new_form(struct hctx *ctx)
{
	tpl_value *d = page_data(ctx, "Create a group");
	tpl_set_str(d, "slug_value", page_field(ctx, "slug"));
	tpl_set_str(d, "name_value", page_field(ctx, "name"));
	tpl_set_str(d, "description_value", page_field(ctx, "description"));
	bool posted = ctx->req->method == HTTP_POST;
	tpl_set_bool(d, "listed", !posted || strcmp(page_field(ctx, "listed"), "yes") == 0);
	const char *join = posted ? page_field(ctx, "join") : "request";
	tpl_value *choices = tpl_list(ctx->arena);
	static const char *const policies[] = { "open", "request", "invite" };
	for (size_t i = 0; i < 3; i++) {
		tpl_value *c = tpl_map(ctx->arena);
		tpl_set_str(c, "value", policies[i]);
		tpl_set_str(c, "id", arena_printf(ctx->arena, "join-%s", policies[i]));
		tpl_set_str(c, "label", policy_text(policies[i]));
		tpl_set_bool(c, "checked", strcmp(join, policies[i]) == 0);
		tpl_list_push(choices, c);
	}
	tpl_set(d, "policies", choices);
	page_render(ctx, "group_new", d);
}

static bool slug_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > GROUP_SLUG_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return strcmp(s, "new") != 0;
}

void page_group_new_post(struct hctx *ctx)
{
	const char *slug = page_field(ctx, "slug"), *name = page_field(ctx, "name");
	const char *description = page_text_lf(ctx->arena, page_field(ctx, "description"));
	const char *join = page_field(ctx, "join");
	const char *why = NULL;
	if (!slug_ok(slug))
		why = "The address is 1 to 40 of a-z, 0-9 and '-', starting with a letter or digit (for example "
		      "evening-circle).";
	else if (page_blank(name))
		why = "Please give the group a name.";
	else if (strcmp(join, "open") != 0 && strcmp(join, "request") != 0 && strcmp(join, "invite") != 0)
		why = "Please choose how people join.";
	if (why) {
		page_form_error(ctx, 422, why);
		page_group_new_form(ctx);
		return;
	}
	long long id = 0;
	enum db_err err = db_begin(ctx->db);
	if (err == DB_OK)
		err = db_group_create(ctx->db, ctx->arena, slug, name, description,
		                      strcmp(page_field(ctx, "listed"), "yes") == 0, join, &id);
	if (err == DB_OK)
		err = db_commit(ctx->db);
	if (err != DB_OK) {
		db_rollback(ctx->db);
		page_form_error(ctx, page_db_transient(err) ? 503 : err == DB_ERR_UNIQUE ? 409 : 422,
		                err == DB_ERR_UNIQUE ? "A group (or category) has that address already. Please choose "
		                "another." : "The group could not be created just now. Please try again.");
		page_group_new_form(ctx);
		return;
	}
	page_redirect(ctx, arena_printf(ctx->arena, "/g/%s", slug));
}

/* ---- meetings as rows ---- */

struct meeting {
	long long id, thread_id;
	const char *title, *tz, *local_start, *local_end, *start_iso, *ics_start, *ics_end, *ics_stamp;
	int minutes;
	bool started, ended;
	const char *my_rsvp;            /* "t", "f" or NULL */
};

static void meeting_fill(db *d, const PGresult *r, int i, struct meeting *m)
{
	m->id = db_ll(r, i, 0);
	m->title = db_text(d, r, i, 1);
	m->tz = db_text(d, r, i, 2);
	m->minutes = (int)db_ll(r, i, 3);
	m->thread_id = db_ll(r, i, 4);
	m->local_start = db_text(d, r, i, 5);
	m->local_end = db_text(d, r, i, 6);
	m->start_iso = db_text(d, r, i, 7);
	m->started = db_bool(d, r, i, 8);
	m->ended = db_bool(d, r, i, 9);
	m->ics_start = db_text(d, r, i, 10);
	m->ics_end = db_text(d, r, i, 11);
	m->ics_stamp = db_text(d, r, i, 12);
	m->my_rsvp = db_val(r, i, 13);
}

static tpl_value *meeting_map(arena *a, const struct group *g, const struct meeting *m)
{
	tpl_value *t = tpl_map(a);
	tpl_set_int(t, "id", m->id);
	tpl_set_str(t, "href", arena_printf(a, "/g/%s/meetings/%lld", g->slug, m->id));
	tpl_set_str(t, "title", m->title);
	tpl_set_str(t, "when", m->local_start);
	tpl_set_str(t, "until", m->local_end);
	tpl_set_str(t, "tz", m->tz);
	tpl_set_str(t, "iso", m->start_iso);
	tpl_set_str(t, "length", page_count(a, m->minutes, "minute", "minutes"));
	tpl_set_str(t, "status", m->ended ? "ended" : m->started ? "happening now" : NULL);
	if (m->my_rsvp)
		tpl_set_str(t, "rsvp", m->my_rsvp[0] == 't' ? "You are going" : "You are not going");
	return t;
}

/* ---- the group page ---- */

static enum db_err group_member_parts(struct hctx *ctx, const struct group *g, tpl_value *d)
{
	struct read_viewer v = page_viewer(ctx);
	struct read_thread_item *items;
	size_t n;
	bool more;
	enum db_err err = db_read_category_threads(ctx->db, ctx->arena, g->category_id, NULL, &v, &items, &n, &more);
	if (err != DB_OK)
		return err;
	tpl_value *threads = tpl_list(ctx->arena);
	for (size_t i = 0; i < n; i++) {
		tpl_value *t = tpl_map(ctx->arena);
		tpl_set_int(t, "id", items[i].id);
		tpl_set_str(t, "title", items[i].title);
		tpl_set_str(t, "author", items[i].author);
		tpl_set_str(t, "replies", page_count(ctx->arena, items[i].replies, "reply", "replies"));
		page_set_when(t, ctx->arena, &items[i].last);
		tpl_list_push(threads, t);
	}
	tpl_set(d, "threads", threads);
	if (more)
		tpl_set_str(d, "older_href", arena_printf(ctx->arena, "/c/%s?before=%s", g->category_slug,
		            db_read_cursor_format(ctx->arena, &items[n - 1].last, items[n - 1].id)));
	tpl_set_str(d, "new_thread_href", arena_printf(ctx->arena, "/c/%s/new", g->category_slug));

	const char *p[] = { ll(ctx->arena, g->id), viewer_param(ctx->arena, &v) };
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MEETING_LIST, p, &err);
	if (!r)
		return err;
	tpl_value *meetings = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		struct meeting m;
		meeting_fill(ctx->db, r, i, &m);
		tpl_list_push(meetings, meeting_map(ctx->arena, g, &m));
	}
	tpl_set(d, "meetings", meetings);

	const char *p1[] = { ll(ctx->arena, g->id) };
	if (!(r = db_exec(ctx->db, ctx->arena, DB_GROUP_MEMBERS, p1, &err)))
		return err;
	tpl_value *members = tpl_list(ctx->arena), *pending = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		const char *status = db_text(ctx->db, r, i, 2);
		tpl_value *m = tpl_map(ctx->arena);
		tpl_set_str(m, "handle", db_text(ctx->db, r, i, 0));
		tpl_set_bool(m, "facilitator", strcmp(db_text(ctx->db, r, i, 1), "facilitator") == 0);
		if (strcmp(status, "active") == 0)
			tpl_list_push(members, m);
		else if (strcmp(status, "pending") == 0 && g->facilitator)
			tpl_list_push(pending, m);
	}
	tpl_set(d, "members", members);
	if (!(r = db_exec(ctx->db, ctx->arena, DB_GROUP_PINS, p1, &err)))
		return err;
	tpl_value *pins = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *t = tpl_map(ctx->arena);
		tpl_set_int(t, "id", db_ll(r, i, 0));
		tpl_set_str(t, "title", db_text(ctx->db, r, i, 1));
		tpl_list_push(pins, t);
	}
	if (tpl_list_len(pins))
		tpl_set(d, "pins", pins);
	if (g->facilitator) {
		tpl_set_str(d, "post_value", page_field(ctx, "post"));
		tpl_set_str(d, "reason_value", page_field(ctx, "reason"));
		tpl_set_str(d, "thread_value", page_field(ctx, "thread"));
		tpl_set_bool(d, "facilitator", true);
		if (tpl_list_len(pending))
			tpl_set(d, "pending", pending);
		tpl_set_str(d, "handle_value", page_field(ctx, "handle"));
		tpl_set_str(d, "title_value", page_field(ctx, "title"));
		tpl_set_str(d, "date_value", page_field(ctx, "date"));
		tpl_set_str(d, "time_value", page_field(ctx, "time"));
		const char *minutes = page_field(ctx, "minutes"), *tz = page_field(ctx, "tz");
		tpl_set_str(d, "minutes_value", *minutes ? minutes : "60");
		tpl_set_str(d, "tz_value", *tz ? tz : ctx->conf->default_timezone);
	}
	tpl_set_str(d, "calendar_href", arena_printf(ctx->arena, "/g/%s/calendar.ics", g->slug));
	/* The feed works with the session; a feed reader or a calendar app
	 * needs a private link (page_account.c, /me/feeds). */
	tpl_set_str(d, "feed_href", arena_printf(ctx->arena, "/g/%s/feed.atom", g->slug));
	tpl_set_str(d, "feed_url", arena_printf(ctx->arena, "/g/%s/feed.atom", g->slug));
	return DB_OK;
}

void page_group(struct hctx *ctx)
{
	struct group g;
	if (!load_group(ctx, &g))
		return;
	tpl_value *d = page_data(ctx, g.name);
	tpl_set(d, "group", group_map(ctx->arena, &g));
	const struct session *s = ctx->req->session;
	if (g.admitted) {
		tpl_set_bool(d, "admitted", true);
		enum db_err err = group_member_parts(ctx, &g, d);
		if (err != DB_OK) {
			page_db_error(ctx, err);
			return;
		}
	}
	/* What the asker may do about their place in it. */
	if (!s)
		tpl_set_str(d, "login_href", arena_printf(ctx->arena, "/login?next=/g/%s", g.slug));
	else if (g.my_status && strcmp(g.my_status, "active") == 0)
		tpl_set_str(d, "leave_label", "Leave the group");
	else if (g.my_status && strcmp(g.my_status, "pending") == 0)
		tpl_set_str(d, "leave_label", "Withdraw my request");
	else if (g.my_status && strcmp(g.my_status, "invited") == 0) {
		tpl_set_str(d, "join_label", "Accept the invitation");
		tpl_set_str(d, "leave_label", "Decline the invitation");
	} else if (strcmp(g.policy, "open") == 0)
		tpl_set_str(d, "join_label", "Join the group");
	else if (strcmp(g.policy, "request") == 0)
		tpl_set_str(d, "join_label", "Ask to join");
	page_render(ctx, "group", d);
}

/* ---- membership ---- */

static void group_redirect(struct hctx *ctx, const struct group *g)
{
	page_redirect(ctx, arena_printf(ctx->arena, "/g/%s", g->slug));
}

void page_group_join_post(struct hctx *ctx)
{
	struct group g;
	if (!load_group(ctx, &g))
		return;
	bool invited = g.my_status && strcmp(g.my_status, "invited") == 0;
	bool active = g.my_status && strcmp(g.my_status, "active") == 0;
	if (active) {
		group_redirect(ctx, &g);
		return;
	}
	const char *status = invited || strcmp(g.policy, "open") == 0 ? "active" :
	                     strcmp(g.policy, "request") == 0 ? "pending" : NULL;
	if (!status) {
		page_error(ctx, 403, "This group is joined by invitation",
		           "A facilitator of the group can invite you. Nothing was changed.");
		return;
	}
	const char *p[] = { ll(ctx->arena, g.id), ll(ctx->arena, ctx->req->session->user_id), status };
	enum db_err err;
	if (!db_exec(ctx->db, ctx->arena, DB_GROUP_JOIN, p, &err)) {
		page_db_error(ctx, err);
		return;
	}
	group_redirect(ctx, &g);
}

void page_group_leave_post(struct hctx *ctx)
{
	struct group g;
	if (!load_group(ctx, &g))
		return;
	const char *p[] = { ll(ctx->arena, g.id), ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err err;
	if (!db_exec(ctx->db, ctx->arena, DB_GROUP_LEAVE, p, &err)) {
		page_db_error(ctx, err);
		return;
	}
	if (g.listed)
		group_redirect(ctx, &g);
	else
		page_redirect(ctx, "/g");
}

/* A facilitator's form: the group for its facilitators only. */
static bool load_group_facilitated(struct hctx *ctx, struct group *g)
{
	if (!load_group_admitted(ctx, g))
		return false;
	if (!g->facilitator) {
		page_error(ctx, 403, "Only the group's facilitators can do this",
		           "Accepting, inviting and scheduling are for the group's facilitators. Nothing was changed.");
		return false;
	}
	return true;
}

static void member_change(struct hctx *ctx, enum db_stmt stmt, const char *none)
{
	struct group g;
	if (!load_group_facilitated(ctx, &g))
		return;
	const char *handle = page_field(ctx, "handle");
	/* GROUP_ACCEPT reads the first two; GROUP_INVITE also who invites. */
	const char *p[] = { ll(ctx->arena, g.id), handle, ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, stmt, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	if (PQntuples(r) != 1) {
		page_form_error(ctx, 422, none);
		page_group(ctx);
		return;
	}
	group_redirect(ctx, &g);
}

void page_group_accept_post(struct hctx *ctx)
{
	member_change(ctx, DB_GROUP_ACCEPT, "There is no request to join from a member with that handle.");
}

void page_group_invite_post(struct hctx *ctx)
{
	member_change(ctx, DB_GROUP_INVITE, "There is no member with that handle. Check the spelling and try again.");
}

/* ---- facilitators: hide and pin ---- */

static bool digits_only(const char *s, size_t n);

/* A number typed in a form: 1 to 18 digits; 0 otherwise. */
static long long form_number(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 18 && digits_only(s, n) ? strtoll(s, NULL, 10) : 0;
}

static bool audit(struct hctx *ctx, const char *action, long long post_id, long long target_id,
                  const char *target_handle, const char *reason, const char *detail, enum db_err *err)
{
	const struct session *s = ctx->req->session;
	const char *p[] = { ll(ctx->arena, s->user_id), s->handle, action,
	                    post_id ? ll(ctx->arena, post_id) : NULL, target_id ? ll(ctx->arena, target_id) : NULL,
	                    target_handle, reason, detail };
	return db_exec(ctx->db, ctx->arena, DB_AUDIT_ADD, p, err) != NULL;
}

void page_group_hide_post(struct hctx *ctx)
{
	struct group g;
	if (!load_group_facilitated(ctx, &g))
		return;
	long long post_id = form_number(page_field(ctx, "post"));
	const char *reason = page_text_lf(ctx->arena, page_field(ctx, "reason"));
	if (page_blank(reason)) {
		page_form_error(ctx, 422, "Please give a reason: the author sees it with their post.");
		page_group(ctx);
		return;
	}
	const char *p[] = { ll(ctx->arena, post_id), ll(ctx->arena, g.id) };
	enum db_err err;
	PGresult *r = post_id ? db_exec(ctx->db, ctx->arena, DB_GROUP_POST, p, &err) : NULL;
	if (post_id && !r) {
		page_db_error(ctx, err);
		return;
	}
	/* The one visibility rule (lib/db_read.h): a facilitator is a member,
	 * not a moderator, so a held post (or one in a held thread) of the
	 * group is not there for them, the same answer as a number never used;
	 * a different one would tell that it exists. */
	struct read_viewer v = page_viewer(ctx);
	if (!r || PQntuples(r) != 1 ||
	    !db_read_may_see_thread(db_read_state(db_text(ctx->db, r, 0, 5)), db_ll(r, 0, 6), &v) ||
	    !db_read_may_see_post(db_read_state(db_text(ctx->db, r, 0, 3)), db_ll(r, 0, 1), &v)) {
		page_form_error(ctx, 422, "There is no post with that number in this group. The number is in "
		                "the post's address (/p/NUMBER).");
		page_group(ctx);
		return;
	}
	if (strcmp(db_text(ctx->db, r, 0, 3), "visible") != 0) {
		page_form_error(ctx, 409, "That post is not visible now (held, hidden or deleted already): nothing "
		                "was changed.");
		page_group(ctx);
		return;
	}
	long long author = db_ll(r, 0, 1);
	const char *handle = db_val(r, 0, 2);
	const char *ps[] = { ll(ctx->arena, post_id), "hidden", reason };
	err = db_begin(ctx->db);
	if (err == DB_OK && db_exec(ctx->db, ctx->arena, DB_REVIEW_POST_SET_STATE, ps, &err) &&
	    audit(ctx, "group hide", post_id, author, handle, reason,
	          arena_printf(ctx->arena, "group %s, as facilitator", g.slug), &err))
		err = db_commit(ctx->db);
	if (err != DB_OK) {
		db_rollback(ctx->db);
		page_form_error(ctx, page_db_transient(err) ? 503 : 422,
		                "The post could not be hidden just now. Your reason is kept below; please try again.");
		page_group(ctx);
		return;
	}
	group_redirect(ctx, &g);
}

void page_group_pin_post(struct hctx *ctx)
{
	struct group g;
	if (!load_group_facilitated(ctx, &g))
		return;
	long long thread_id = form_number(page_field(ctx, "thread"));
	const char *p[] = { ll(ctx->arena, g.id), ll(ctx->arena, thread_id),
	                    ll(ctx->arena, ctx->req->session->user_id),
	                    ctx->req->session->is_moderator ? "t" : "f" };
	enum db_err err = db_begin(ctx->db);
	PGresult *r = err == DB_OK ? db_exec(ctx->db, ctx->arena, DB_GROUP_PIN_TOGGLE, p, &err) : NULL;
	bool unpinned = r && db_ll(r, 0, 0) > 0, pinned = r && db_ll(r, 0, 1) > 0;
	if (r && (pinned || unpinned) &&
	    audit(ctx, pinned ? "group pin" : "group unpin", 0, 0, NULL,
	          arena_printf(ctx->arena, "thread %lld", thread_id),
	          arena_printf(ctx->arena, "group %s, as facilitator", g.slug), &err))
		err = db_commit(ctx->db);
	else if (err == DB_OK)
		err = DB_ERR_CHECK;
	if (err != DB_OK) {
		db_rollback(ctx->db);
		page_form_error(ctx, page_db_transient(err) ? 503 : 422, err == DB_ERR_CHECK ?
		                "There is no thread with that number in this group. The number is in the thread's "
		                "address (/t/NUMBER)." : "The thread could not be pinned just now. Please try again.");
		page_group(ctx);
		return;
	}
	group_redirect(ctx, &g);
}

/* ---- meetings ---- */

static bool digits_only(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "YYYY-MM-DD" with a real day. */
static bool date_ok(const char *s)
{
	static const int days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	char y[5] = { s[0], s[1], s[2], s[3], 0 }, m[3] = { s[5], s[6], 0 }, d[3] = { s[8], s[9], 0 };
	if (!digits_only(y, 4) || !digits_only(m, 2) || !digits_only(d, 2))
		return false;
	int yy = atoi(y), mm = atoi(m), dd = atoi(d);
	if (yy < 2000 || yy > 2999 || mm < 1 || mm > 12 || dd < 1 || dd > days[mm - 1])
		return false;
	bool leap = (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0;
	return !(mm == 2 && dd == 29 && !leap);
}

/* "HH:MM", 24-hour. */
static bool time_ok(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':')
		return false;
	char h[3] = { s[0], s[1], 0 }, m[3] = { s[3], s[4], 0 };
	return digits_only(h, 2) && digits_only(m, 2) && atoi(h) < 24 && atoi(m) < 60;
}

static void meeting_refuse(struct hctx *ctx, int status, const char *why)
{
	page_form_error(ctx, status, why);
	page_group(ctx);
}

void page_meeting_new_post(struct hctx *ctx)
{
	struct group g;
	if (!load_group_facilitated(ctx, &g))
		return;
	const char *title = page_field(ctx, "title"), *date = page_field(ctx, "date"), *time = page_field(ctx, "time");
	const char *minutes_s = page_field(ctx, "minutes"), *tz = page_field(ctx, "tz");
	size_t tlen = strlen(title);
	if (tlen == 0 || page_blank(title)) {
		meeting_refuse(ctx, 422, "Please give the meeting a title.");
		return;
	}
	if (utf8_count(title, tlen) > MEETING_TITLE_MAX) {
		meeting_refuse(ctx, 422, "The meeting's title is longer than 120 characters. Please shorten it.");
		return;
	}
	if (!date_ok(date)) {
		meeting_refuse(ctx, 422, "The date should look like 2026-12-24 (year, month, day).");
		return;
	}
	if (!time_ok(time)) {
		meeting_refuse(ctx, 422, "The start time should look like 19:30 (24-hour clock).");
		return;
	}
	int minutes = digits_only(minutes_s, strlen(minutes_s)) && strlen(minutes_s) <= 4 ? atoi(minutes_s) : 0;
	if (minutes < 5 || minutes > 1440) {
		meeting_refuse(ctx, 422, "The length should be a number of minutes from 5 to 1440.");
		return;
	}
	enum db_err err;
	const char *ptz[] = { tz };
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MEETING_TZ_OK, ptz, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	if (!db_bool(ctx->db, r, 0, 0)) {
		meeting_refuse(ctx, 422, "The time zone is not one this site knows. Use a name such as "
		               "Asia/Singapore or Europe/London.");
		return;
	}
	const char *local = arena_printf(ctx->arena, "%s %s", date, time);
	const char *pw[] = { local, tz };
	if (!(r = db_exec(ctx->db, ctx->arena, DB_MEETING_WHEN, pw, &err))) {
		page_db_error(ctx, err);
		return;
	}
	if (!db_bool(ctx->db, r, 0, 0)) {
		meeting_refuse(ctx, 422, "That time has passed already. Please choose a time in the future.");
		return;
	}
	const char *when = db_text(ctx->db, r, 0, 1);
	const char *body = arena_printf(ctx->arena, "%s, %s (%s), %d minutes.\n\nThis is the meeting's thread: "
	                                "it opens for replies when the meeting starts.", title, when, tz, minutes);
	struct screen_outcome so;
	screen_post(ctx, title, body, &so);
	const char *html = page_markdown(ctx, body);
	if (!html) {
		page_error(ctx, 500, "The meeting could not be prepared", "Please try again.");
		return;
	}
	struct post_write w = { .user_id = ctx->req->session->user_id, .body_md = body, .body_html = html,
	                        .state = so.hold ? "held" : "visible" };
	long long thread_id = 0, post_id = 0, meeting_id = 0;
	err = db_begin(ctx->db);
	if (err == DB_OK)
		err = db_thread_create(ctx->db, ctx->arena, g.category_id, title, &w, &thread_id, &post_id);
	if (err == DB_OK)
		err = screen_store(ctx, post_id, &so);
	if (err == DB_OK) {
		const char *pm[] = { ll(ctx->arena, g.id), title, local, ll(ctx->arena, minutes), tz,
		                     ll(ctx->arena, thread_id), ll(ctx->arena, ctx->req->session->user_id) };
		r = db_exec(ctx->db, ctx->arena, DB_MEETING_CREATE, pm, &err);
		if (r)
			meeting_id = db_ll(r, 0, 0);
	}
	if (err == DB_OK)
		err = db_commit(ctx->db);
	if (err != DB_OK) {
		db_rollback(ctx->db);
		meeting_refuse(ctx, page_db_transient(err) ? 503 : 422,
		               "The meeting could not be saved just now. What you typed is kept below; please try again.");
		return;
	}
	page_redirect(ctx, arena_printf(ctx->arena, "/g/%s/meetings/%lld", g.slug, meeting_id));
}

/* The meeting of the address in group g (for its members); otherwise the
 * page is answered. */
static bool load_meeting_as(struct hctx *ctx, const struct read_viewer *v, const struct group *g,
                            struct meeting *m)
{
	const char *p[] = { ll(ctx->arena, g->id), viewer_param(ctx->arena, v), ll(ctx->arena, ctx->req->id) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MEETING_GET, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return false;
	}
	if (PQntuples(r) != 1) {
		page_error(ctx, 404, "Meeting not found", "There is no meeting at this address in this group.");
		return false;
	}
	meeting_fill(ctx->db, r, 0, m);
	return true;
}

static bool load_meeting(struct hctx *ctx, const struct group *g, struct meeting *m)
{
	struct read_viewer v = page_viewer(ctx);
	return load_meeting_as(ctx, &v, g, m);
}

void page_meeting(struct hctx *ctx)
{
	struct group g;
	struct meeting m;
	if (!load_group_admitted(ctx, &g) || !load_meeting(ctx, &g, &m))
		return;
	const char *p[] = { ll(ctx->arena, m.id) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MEETING_RSVPS, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, m.title);
	tpl_set(d, "group", group_map(ctx->arena, &g));
	tpl_set(d, "meeting", meeting_map(ctx->arena, &g, &m));
	tpl_value *going = tpl_list(ctx->arena), *not_going = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *h = tpl_map(ctx->arena);
		tpl_set_str(h, "handle", db_text(ctx->db, r, i, 0));
		tpl_list_push(db_bool(ctx->db, r, i, 1) ? going : not_going, h);
	}
	tpl_set(d, "going", going);
	tpl_set(d, "not_going", not_going);
	tpl_set_str(d, "going_count", page_count(ctx->arena, (long long)tpl_list_len(going), "person", "people"));
	tpl_set_str(d, "thread_href", arena_printf(ctx->arena, "/t/%lld", m.thread_id));
	tpl_set_bool(d, "thread_open", m.started);
	tpl_set_str(d, "calendar_href", arena_printf(ctx->arena, "/g/%s/meetings/%lld/calendar.ics", g.slug, m.id));
	if (ctx->req->session && !m.ended) {
		tpl_set_str(d, "rsvp_action", arena_printf(ctx->arena, "/g/%s/meetings/%lld/rsvp", g.slug, m.id));
		tpl_set_bool(d, "is_going", m.my_rsvp && m.my_rsvp[0] == 't');
		tpl_set_bool(d, "is_not_going", m.my_rsvp && m.my_rsvp[0] == 'f');
	}
	page_render(ctx, "meeting", d);
}

void page_meeting_rsvp_post(struct hctx *ctx)
{
	struct group g;
	struct meeting m;
	if (!load_group_admitted(ctx, &g) || !load_meeting(ctx, &g, &m))
		return;
	const char *going = page_field(ctx, "going");
	if (strcmp(going, "yes") != 0 && strcmp(going, "no") != 0) {
		page_form_error(ctx, 422, "Please choose going or not going.");
		page_meeting(ctx);
		return;
	}
	if (m.ended) {
		page_form_error(ctx, 409, "This meeting has ended, so it takes no answers any more.");
		page_meeting(ctx);
		return;
	}
	const char *p[] = { ll(ctx->arena, m.id), ll(ctx->arena, ctx->req->session->user_id),
	                    going[0] == 'y' ? "t" : "f" };
	enum db_err err;
	if (!db_exec(ctx->db, ctx->arena, DB_MEETING_RSVP, p, &err)) {
		page_db_error(ctx, err);
		return;
	}
	page_redirect(ctx, arena_printf(ctx->arena, "/g/%s/meetings/%lld", g.slug, m.id));
}

/* ---- iCalendar (RFC 5545) ---- */

/* Appends one content line: TEXT values escaped (backslash, semicolon,
 * comma, newline), folded at 75 octets with CRLF and a space, never inside
 * a UTF-8 sequence (3.1, 3.3.11). */
static void ics_line(buf *b, const char *name, const char *value, bool text)
{
	buf line;
	buf_init(&line, b->arena, 128);
	buf_puts(&line, name);
	buf_putc(&line, ':');
	for (const char *s = value; *s; s++) {
		if (text && (*s == '\\' || *s == ';' || *s == ',')) {
			buf_putc(&line, '\\');
			buf_putc(&line, *s);
		} else if (text && *s == '\n')
			buf_puts(&line, "\\n");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			buf_putc(&line, ' ');
		else
			buf_putc(&line, *s);
	}
	size_t used = 0, limit = 75;
	for (size_t i = 0; i < line.len; ) {
		size_t n = 1;
		unsigned char c = (unsigned char)line.data[i];
		if (c >= 0xf0)
			n = 4;
		else if (c >= 0xe0)
			n = 3;
		else if (c >= 0xc0)
			n = 2;
		if (i + n > line.len)
			n = line.len - i;
		if (used + n > limit) {
			buf_puts(b, "\r\n ");
			used = 1;
		}
		buf_append(b, line.data + i, n);
		used += n;
		i += n;
	}
	buf_puts(b, "\r\n");
}

static const char *site_host(arena *a, const char *base_url)
{
	const char *h = strstr(base_url, "://");
	h = h ? h + 3 : base_url;
	size_t n = strcspn(h, "/:");
	return n ? arena_strndup(a, h, n) : "hearth.invalid";
}

static void ics_event(struct hctx *ctx, buf *b, const struct group *g, const struct meeting *m)
{
	arena *a = ctx->arena;
	const char *url = arena_printf(a, "%s/g/%s/meetings/%lld", ctx->conf->base_url, g->slug, m->id);
	buf_puts(b, "BEGIN:VEVENT\r\n");
	ics_line(b, "UID", arena_printf(a, "meeting-%lld@%s", m->id, site_host(a, ctx->conf->base_url)), false);
	ics_line(b, "DTSTAMP", m->ics_stamp, false);
	ics_line(b, "DTSTART", m->ics_start, false);
	ics_line(b, "DTEND", m->ics_end, false);
	ics_line(b, "SUMMARY", m->title, true);
	ics_line(b, "DESCRIPTION", arena_printf(a, "%s: a meeting of the group %s (time zone %s).\n%s",
	                                        m->title, g->name, m->tz, url), true);
	ics_line(b, "URL", url, false);
	buf_puts(b, "END:VEVENT\r\n");
}

static void ics_send(struct hctx *ctx, buf *b, const char *name)
{
	buf_puts(b, "END:VCALENDAR\r\n");
	struct response *resp = ctx->resp;
	resp->status = 200;
	resp->content_type = "text/calendar; charset=utf-8";
	resp_header(resp, "Content-Disposition", arena_printf(ctx->arena, "inline; filename=\"%s\"", name));
	buf_append(&resp->body, b->data, b->len);       /* lint: raw-body (iCalendar, escaped by ics_line) */
}

static void ics_begin(struct hctx *ctx, buf *b, const char *name)
{
	buf_init(b, ctx->arena, 2048);
	buf_puts(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hearth//Peer groups//EN\r\nCALSCALE:GREGORIAN\r\n");
	ics_line(b, "X-WR-CALNAME", arena_printf(ctx->arena, "%s: %s", ctx->conf->site_name, name), true);
}

/* ---- private feed links (sql/021_feed_keys.sql) ----
 *
 * A feed reader or a calendar app has no session. With ?key=KEY the four
 * read-only addresses below (a group's Atom feed and calendar, a meeting's
 * calendar, the member's own calendar) read as the key's member, and as
 * nothing more: never with a moderator's reach (a leaked key of a moderator
 * must not open every group), never as a session anywhere else (no other
 * handler reads "key"). A wrong or revoked key, or one whose member is
 * banned, deleted or on a break, reads as nobody: the answer is the page a
 * non-member gets, so it tells nothing. Every answer of these addresses,
 * refusals included, is private and never stored (Cache-Control); nginx
 * stores nothing but the anonymous /t/N pages (contrib/nginx/hearth.conf),
 * and the global Referrer-Policy: no-referrer keeps the key out of the
 * Referer of links followed from a feed entry. The log line has no query.
 */

/* Who reads: the key's member, or without a key the session. Returns false
 * when the request is answered (a database error). */
static bool feed_viewer(struct hctx *ctx, struct read_viewer *v)
{
	resp_header(ctx->resp, "Cache-Control", "private, no-store");
	const char *key = req_param(&ctx->req->query, "key");
	if (!key) {
		*v = page_viewer(ctx);
		return true;
	}
	/* The key decides, whatever cookie came along: the same answer for the
	 * same key, and a refusal that is exactly a stranger's. */
	ctx->req->session = NULL;
	*v = (struct read_viewer){ 0, false };
	if (!auth_token_shaped(key))
		return true;
	char digest[65];
	auth_token_digest(key, AUTH_TOKEN_LEN, digest);
	const char *p[] = { digest };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_FEED_KEY_MEMBER, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return false;
	}
	if (PQntuples(r) != 1)
		return true;
	v->user_id = db_ll(r, 0, 0);
	/* last_used for the account page, at most every five minutes. */
	if (db_bool(ctx->db, r, 0, 1) && !db_exec(ctx->db, ctx->arena, DB_FEED_KEY_TOUCH, p, &err)) {
		page_db_error(ctx, err);
		return false;
	}
	return true;
}

void page_group_feed(struct hctx *ctx)
{
	struct read_viewer v;
	struct group g;
	if (!feed_viewer(ctx, &v) || !load_group_admitted_as(ctx, &v, &g))
		return;
	page_feed_group_posts(ctx, g.id, g.slug, g.name, &v);
}

void page_group_calendar(struct hctx *ctx)
{
	struct read_viewer v;
	struct group g;
	if (!feed_viewer(ctx, &v) || !load_group_admitted_as(ctx, &v, &g))
		return;
	const char *p[] = { ll(ctx->arena, g.id), viewer_param(ctx->arena, &v) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MEETING_LIST, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	buf b;
	ics_begin(ctx, &b, g.name);
	for (int i = 0; i < PQntuples(r); i++) {
		struct meeting m;
		meeting_fill(ctx->db, r, i, &m);
		ics_event(ctx, &b, &g, &m);
	}
	ics_send(ctx, &b, arena_printf(ctx->arena, "%s.ics", g.slug));
}

void page_meeting_calendar(struct hctx *ctx)
{
	struct read_viewer v;
	struct group g;
	struct meeting m;
	if (!feed_viewer(ctx, &v) || !load_group_admitted_as(ctx, &v, &g) || !load_meeting_as(ctx, &v, &g, &m))
		return;
	buf b;
	ics_begin(ctx, &b, g.name);
	ics_event(ctx, &b, &g, &m);
	ics_send(ctx, &b, arena_printf(ctx->arena, "meeting-%lld.ics", m.id));
}

#define MY_CALENDAR_PER_GROUP 50

/* /me/calendar.ics: the meetings of every group the reader (key or
 * session) is an active member of; a site moderator's session counts only
 * their own groups too. Nobody: the same 404 as a missing page. */
void page_my_calendar(struct hctx *ctx)
{
	struct read_viewer v;
	if (!feed_viewer(ctx, &v))
		return;
	if (!v.user_id) {
		page_error(ctx, 404, "Calendar not found",
		           "There is no calendar at this address for you. A private calendar link is made on "
		           "your account's \"Private feed links\" page (/me/feeds).");
		return;
	}
	const char *p[] = { ll(ctx->arena, MY_CALENDAR_PER_GROUP), ll(ctx->arena, v.user_id) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MEETING_MINE, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	buf b;
	ics_begin(ctx, &b, "my groups' meetings");
	for (int i = 0; i < PQntuples(r); i++) {
		struct meeting m;
		meeting_fill(ctx->db, r, i, &m);
		struct group g = { .slug = db_text(ctx->db, r, i, 14), .name = db_text(ctx->db, r, i, 15) };
		ics_event(ctx, &b, &g, &m);
	}
	ics_send(ctx, &b, "my-meetings.ics");
}
