/*
 * page_modtools.c: the moderator tools of issue 13, each a plain form with a
 * reason, each committed together with its audit_log row (/mod/audit).
 *
 *   GET  /mod/u/:handle   a member's account: status, earlier actions, and
 *                         the forms to silence or ban them for a chosen time
 *                         (an hour, a day, a week, a month, until lifted)
 *                         or to lift it early
 *   POST /mod/u/:handle   one of those actions
 *   GET  /mod/t/:id       a thread: lock, move, pin, with earlier actions
 *                         (the thread page shows the same forms to
 *                         moderators, mod_thread.html)
 *   POST /mod/t/:id       lock | unlock | pin | unpin | move
 *
 * A silence or ban ends by itself: users.status_until holds when, and every
 * check reads the status through user_status_now() (sql/019_modtools.sql),
 * so nothing has to run at that moment. A silenced member reads but cannot
 * post, reply or edit (page_silenced_text says until when); a banned member's
 * sessions end at once and the session look-up and the log-in refuse them
 * until the ban ends.
 *
 * The dispatcher has checked log-in, the moderator role and the CSRF token
 * (route.c); a form handler runs again after a refused POST, maybe for a
 * visitor whose session has gone, so every page here checks the role again.
 * Moderators cannot silence or ban themselves or another moderator
 * (operators manage roles with hearthctl), as on the review page.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "log.h"
#include "route.h"
#include "session.h"
#include "utf8.h"

#define REASON_MAX 1000         /* characters; the audit_log check says the same */

static const char *ll(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

/* Runs one statement of a transaction unless an earlier one failed. */
static PGresult *step(struct hctx *ctx, enum db_stmt stmt, const char *const *params, enum db_err *e)
{
	if (*e != DB_OK)
		return NULL;
	return db_exec(ctx->db, ctx->arena, stmt, params, e);
}

static bool moderator_only(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	if (s && s->is_moderator)
		return true;
	page_error(ctx, 403, "Moderators only",
	           ctx->form_error ? ctx->form_error : "This page is for the forum's moderators.");
	return false;
}

static const char *check_reason(const char *reason)
{
	size_t len = strlen(reason);
	if (len == 0 || page_blank(reason))
		return "Every action needs a reason: a few words on why, for the audit log.";
	if (utf8_count(reason, len) > REASON_MAX)
		return "The reason is longer than 1,000 characters. Please shorten it.";
	if (utf8_has_controls(reason, len, true))
		return "The reason contains control characters that cannot be stored. Please remove them.";
	return NULL;
}

/* The action's name from the form, or -1. */
static int choose(const char *name, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

/* Adds one action's audit row (thread_id, post_id, target: 0 for none). */
static void audit(struct hctx *ctx, const char *action, long long post_id, long long thread_id,
                  long long target_id, const char *target, const char *reason, const char *detail,
                  enum db_err *e)
{
	arena *a = ctx->arena;
	const struct session *me = ctx->req->session;
	const char *p[] = { ll(a, me->user_id), me->handle, action, post_id ? ll(a, post_id) : NULL,
	                    target_id ? ll(a, target_id) : NULL, target, reason, detail,
	                    thread_id ? ll(a, thread_id) : NULL };
	step(ctx, DB_MODTOOLS_AUDIT_ADD, p, e);
}

/* A list of earlier actions ({at_iso, at, moderator, action, reason, detail}). */
static tpl_value *history(struct hctx *ctx, PGresult *r)
{
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *h = tpl_map(ctx->arena);
		tpl_set_str(h, "at_iso", db_val(r, i, 0));
		tpl_set_str(h, "at", db_val(r, i, 1));
		tpl_set_str(h, "moderator", db_val(r, i, 2));
		tpl_set_str(h, "action", db_val(r, i, 3));
		tpl_set_str(h, "reason", db_val(r, i, 4));
		tpl_set_str(h, "detail", db_val(r, i, 5));
		tpl_list_push(list, h);
	}
	return list;
}

/* ---------------------------------------------------------------- members */

enum length { LEN_HOUR, LEN_DAY, LEN_WEEK, LEN_MONTH, LEN_EVER, LEN__MAX };

static const struct {
	const char *code;
	const char *label;
	const char *interval;   /* for SQL; NULL: until lifted */
} lengths[LEN__MAX] = {
	[LEN_HOUR] = { "hour", "An hour", "1 hour" },
	[LEN_DAY] = { "day", "A day", "1 day" },
	[LEN_WEEK] = { "week", "A week", "7 days" },
	[LEN_MONTH] = { "month", "A month", "1 month" },
	[LEN_EVER] = { "ever", "Until a moderator lifts it", NULL },
};

enum member_action { MA_SILENCE, MA_BAN, MA_LIFT, MA__MAX };

/* The audit log's names: the review page's (page_review.c) for the same acts. */
static const char *const member_actions[MA__MAX] = { "silence", "ban", "unsilence" };

static const struct {
	const char *action;
	const char *says;
} member_done[] = {
	{ "silence", "The member is silenced: they can read, but cannot post, reply or edit until it ends." },
	{ "ban", "The member is banned and logged out everywhere until it ends." },
	{ "unsilence", "The silence or ban is lifted: the member can take part again." },
};

struct member {
	long long id;
	const char *handle, *role, *status, *until;
};

static bool is_moderator_role(const char *role)
{
	return strcmp(role, "moderator") == 0 || strcmp(role, "admin") == 0;
}

/* "silenced until 3 Dec 2026, 18:00 UTC", "banned until lifted", "active". */
static const char *status_text(arena *a, const char *status, const char *until)
{
	if (strcmp(status, "silenced") != 0 && strcmp(status, "banned") != 0)
		return status;
	return until ? arena_printf(a, "%s until %s", status, until) : arena_printf(a, "%s until lifted", status);
}

void page_mod_member(struct hctx *ctx)
{
	if (!moderator_only(ctx))
		return;
	const char *p[] = { ctx->req->slug };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MODTOOLS_MEMBER, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return;
	}
	if (PQntuples(r) != 1) {
		page_error(ctx, 404, "Member not found", "No member has this name, or their account was closed.");
		return;
	}
	struct member m = { .id = db_ll(r, 0, 0), .handle = db_val(r, 0, 1), .role = db_val(r, 0, 2),
	                    .status = db_val(r, 0, 3), .until = db_val(r, 0, 4) };
	const char *hp[] = { ll(ctx->arena, m.id) };
	PGresult *h = db_exec(ctx->db, ctx->arena, DB_MODTOOLS_MEMBER_HISTORY, hp, &e);
	if (!h) {
		page_db_error(ctx, e);
		return;
	}
	tpl_value *d = page_data(ctx, arena_printf(ctx->arena, "Moderate %s", m.handle));
	tpl_value *mm = tpl_map(ctx->arena);
	tpl_set_str(mm, "handle", m.handle);
	tpl_set_str(mm, "since", db_val(r, 0, 5));
	tpl_set_int(mm, "posts", db_ll(r, 0, 6));
	tpl_set_str(mm, "status_text", status_text(ctx->arena, m.status, m.until));
	bool restricted = strcmp(m.status, "silenced") == 0 || strcmp(m.status, "banned") == 0;
	tpl_set_bool(mm, "restricted", restricted);
	tpl_set_bool(mm, "is_moderator", is_moderator_role(m.role));
	tpl_set(d, "member", mm);
	bool own = m.id == ctx->req->session->user_id;
	tpl_set_bool(d, "own", own);
	tpl_set_bool(d, "can_act", !own && !is_moderator_role(m.role));
	tpl_set_str(d, "action_url", arena_printf(ctx->arena, "/mod/u/%s", m.handle));
	tpl_set_str(d, "reason_value", page_field(ctx, "reason"));
	tpl_set_int(d, "reason_max", REASON_MAX);
	const char *chosen = page_field(ctx, "for");
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < LEN__MAX; i++) {
		tpl_value *x = tpl_map(ctx->arena);
		tpl_set_str(x, "code", lengths[i].code);
		tpl_set_str(x, "label", lengths[i].label);
		tpl_set_str(x, "input_id", arena_printf(ctx->arena, "for-%s", lengths[i].code));
		tpl_set_bool(x, "checked", *chosen ? strcmp(chosen, lengths[i].code) == 0 : i == LEN_DAY);
		tpl_list_push(list, x);
	}
	tpl_set(d, "lengths", list);
	tpl_set(d, "history", history(ctx, h));
	const char *done = req_param(&ctx->req->query, "done");
	for (size_t i = 0; done && i < sizeof member_done / sizeof member_done[0]; i++)
		if (strcmp(done, member_done[i].action) == 0)
			tpl_set_str(d, "done", member_done[i].says);
	page_render(ctx, "mod_member", d);
}

static void member_refuse(struct hctx *ctx, int status, const char *why)
{
	page_form_error(ctx, status, why);
	page_mod_member(ctx);
}

void page_mod_member_post(struct hctx *ctx)
{
	if (!moderator_only(ctx))
		return;
	int action = choose(page_field(ctx, "action"), member_actions, MA__MAX);
	if (action < 0) {
		member_refuse(ctx, 422, "Choose one of the actions below.");
		return;
	}
	int len = -1;
	for (int i = 0; i < LEN__MAX; i++)
		if (strcmp(page_field(ctx, "for"), lengths[i].code) == 0)
			len = i;
	if (action != MA_LIFT && len < 0) {
		member_refuse(ctx, 422, "Choose for how long: an hour, a day, a week, a month, or until a "
		              "moderator lifts it.");
		return;
	}
	const char *reason = page_text_lf(ctx->arena, page_field(ctx, "reason"));
	const char *why = check_reason(reason);
	if (why) {
		member_refuse(ctx, 422, why);
		return;
	}
	arena *a = ctx->arena;
	const char *p0[] = { ctx->req->slug };
	enum db_err e = db_begin(ctx->db);
	PGresult *r = step(ctx, DB_MODTOOLS_MEMBER_LOCK, p0, &e);
	if (!r) {
		db_rollback(ctx->db);
		page_db_error(ctx, e);
		return;
	}
	if (PQntuples(r) != 1) {
		db_rollback(ctx->db);
		page_error(ctx, 404, "Member not found", "No member has this name, or their account was closed.");
		return;
	}
	struct member m = { .id = db_ll(r, 0, 0), .handle = db_val(r, 0, 1), .role = db_val(r, 0, 2),
	                    .status = db_val(r, 0, 3), .until = db_val(r, 0, 4) };
	int status = 0;
	if (m.id == ctx->req->session->user_id) {
		status = 403;
		why = "Moderators do not act on their own account.";
	} else if (is_moderator_role(m.role)) {
		status = 403;
		why = "This member is a moderator. Moderators' accounts are managed by the site's operators; "
		      "talk to them.";
	} else if (action == MA_LIFT && strcmp(m.status, "active") == 0) {
		status = 409;
		why = "This member is neither silenced nor banned, so there is nothing to lift.";
	}
	if (status) {
		db_rollback(ctx->db);
		member_refuse(ctx, status, why);
		return;
	}
	const char *to = action == MA_SILENCE ? "silenced" : action == MA_BAN ? "banned" : "active";
	const char *uid = ll(a, m.id);
	const char *p1[] = { uid, to, action == MA_LIFT ? NULL : lengths[len].interval };
	PGresult *u = step(ctx, DB_MODTOOLS_MEMBER_SET, p1, &e);
	if (action == MA_BAN) {
		/* Signed out everywhere, now. */
		const char *p2[] = { uid };
		step(ctx, DB_REVIEW_USER_SESSIONS_END, p2, &e);
	}
	const char *until = u && PQntuples(u) == 1 ? db_val(u, 0, 0) : NULL;
	const char *detail = arena_printf(a, "account: %s \u2192 %s", status_text(a, m.status, m.until),
	                                  status_text(a, to, until));
	audit(ctx, member_actions[action], 0, 0, m.id, m.handle, reason, detail, &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		log_warn("moderator action %s on member %lld: %s", member_actions[action], m.id, db_last_error(ctx->db));
		member_refuse(ctx, page_db_transient(e) ? 503 : 500,
		              "The action could not be saved just now, so nothing changed. Your reason is kept "
		              "below; please try again.");
		return;
	}
	page_redirect(ctx, arena_printf(a, "/mod/u/%s?done=%s", m.handle, member_actions[action]));
}

/* ---------------------------------------------------------------- the member's own view */

const char *page_silenced_text(struct hctx *ctx)
{
	const struct session *s = ctx->req->session;
	const char *until = NULL;
	if (s) {
		const char *p[] = { ll(ctx->arena, s->user_id) };
		enum db_err e;
		PGresult *r = db_exec(ctx->db, ctx->arena, DB_MODTOOLS_MY_STATUS, p, &e);
		if (r && PQntuples(r) == 1)
			until = db_val(r, 0, 1);
	}
	return until ? arena_printf(ctx->arena, "A moderator has paused posting for your account until %s. "
	                            "You can still read everything. Your text is kept below, so you can "
	                            "copy it and post it then.", until) :
	       "A moderator has paused posting for your account for now. You can still read everything. "
	       "Your text is kept below, so you can copy it and post it later.";
}

void page_set_restriction(struct hctx *ctx, tpl_value *d)
{
	const struct session *s = ctx->req->session;
	if (!s || strcmp(s->status, "silenced") != 0)
		return;
	const char *p[] = { ll(ctx->arena, s->user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MODTOOLS_MY_STATUS, p, &e);
	const char *until = r && PQntuples(r) == 1 ? db_val(r, 0, 1) : NULL;
	tpl_set_str(d, "restriction", until ?
	            arena_printf(ctx->arena, "A moderator has paused posting for your account until %s. You can "
	                         "read everything as usual; from then on you can post, reply and edit again.", until) :
	            "A moderator has paused posting for your account for now. You can read everything as "
	            "usual; a moderator will lift the pause.");
}

/* ---------------------------------------------------------------- threads */

enum thread_action { TA_LOCK, TA_UNLOCK, TA_PIN, TA_UNPIN, TA_MOVE, TA__MAX };

static const char *const thread_actions[TA__MAX] = { "lock", "unlock", "pin", "unpin", "move" };

static const struct {
	const char *action;
	const char *says;
} thread_done[] = {
	{ "lock", "The thread is locked: members can read it, but not reply." },
	{ "unlock", "The thread is open for replies again." },
	{ "pin", "The thread is pinned: it comes first on its category's page." },
	{ "unpin", "The thread is no longer pinned." },
	{ "move", "The thread was moved." },
};

struct mthread {
	long long id, category_id, post_count;
	const char *title, *state, *category_slug, *category_name;
	bool locked, pinned;
};

/* Sets "mod_thread" in d: what mod_thread.html needs (the forms, the
 * categories to move to, the confirmation of ?done=). */
static enum db_err thread_panel(struct hctx *ctx, const struct mthread *t, tpl_value *d)
{
	struct category *cats;
	size_t n;
	enum db_err e = db_category_list(ctx->db, ctx->arena, &cats, &n);
	if (e != DB_OK)
		return e;
	tpl_value *m = tpl_map(ctx->arena);
	tpl_set_int(m, "id", t->id);
	tpl_set_str(m, "action_url", arena_printf(ctx->arena, "/mod/t/%lld", t->id));
	tpl_set_bool(m, "locked", t->locked);
	tpl_set_bool(m, "pinned", t->pinned);
	tpl_set_str(m, "reason_value", page_field(ctx, "reason"));
	const char *chosen = page_field(ctx, "category");
	tpl_value *list = tpl_list(ctx->arena);
	for (size_t i = 0; i < n; i++) {
		if (cats[i].id == t->category_id)
			continue;
		tpl_value *c = tpl_map(ctx->arena);
		tpl_set_str(c, "slug", cats[i].slug);
		tpl_set_str(c, "name", cats[i].name);
		tpl_set_bool(c, "selected", strcmp(chosen, cats[i].slug) == 0);
		tpl_list_push(list, c);
	}
	tpl_set(m, "categories", list);
	tpl_set_bool(m, "can_move", n > 1);
	const char *done = req_param(&ctx->req->query, "done");
	for (size_t i = 0; done && i < sizeof thread_done / sizeof thread_done[0]; i++)
		if (strcmp(done, thread_done[i].action) == 0)
			tpl_set_str(m, "done", thread_done[i].says);
	tpl_set(d, "mod_thread", m);
	return DB_OK;
}

static enum db_err load_thread(struct hctx *ctx, enum db_stmt stmt, long long id, struct mthread *t, bool *found)
{
	const char *p[] = { ll(ctx->arena, id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, stmt, p, &e);
	if (!r)
		return e;
	*found = PQntuples(r) == 1;
	if (!*found)
		return DB_OK;
	*t = (struct mthread){
		.id = db_ll(r, 0, 0), .title = db_val(r, 0, 1), .state = db_val(r, 0, 2),
		.locked = db_val(r, 0, 3)[0] == 't', .pinned = db_val(r, 0, 4)[0] == 't',
		.category_id = db_ll(r, 0, 5), .category_slug = db_val(r, 0, 6), .category_name = db_val(r, 0, 7),
	};
	return DB_OK;
}

void page_mod_thread_panel(struct hctx *ctx, long long thread_id, tpl_value *d)
{
	const struct session *s = ctx->req->session;
	if (!s || !s->is_moderator)
		return;
	struct mthread t;
	bool found = false;
	enum db_err e = load_thread(ctx, DB_MODTOOLS_THREAD, thread_id, &t, &found);
	if (e == DB_OK && found)
		e = thread_panel(ctx, &t, d);
	/* A help for the moderator, not the page: without it the thread
	 * still shows, and /mod/t/ID has the same forms. */
	if (e != DB_OK)
		log_warn("thread %lld: the moderator forms are left out: %s", thread_id, db_last_error(ctx->db));
}

void page_mod_thread(struct hctx *ctx)
{
	if (!moderator_only(ctx))
		return;
	struct mthread t;
	bool found;
	enum db_err e = load_thread(ctx, DB_MODTOOLS_THREAD, ctx->req->id, &t, &found);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	if (!found) {
		page_error(ctx, 404, "Thread not found", "There is no thread with this number.");
		return;
	}
	const char *p[] = { ll(ctx->arena, ctx->req->id) };
	PGresult *h = db_exec(ctx->db, ctx->arena, DB_MODTOOLS_THREAD_HISTORY, p, &e);
	tpl_value *d = page_data(ctx, arena_printf(ctx->arena, "Moderate \u201c%s\u201d", t.title));
	if (h)
		e = thread_panel(ctx, &t, d);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	tpl_value *m = tpl_map(ctx->arena);
	tpl_set_int(m, "id", t.id);
	tpl_set_str(m, "title", t.title);
	tpl_set_str(m, "state", t.state);
	tpl_set_str(m, "category_slug", t.category_slug);
	tpl_set_str(m, "category_name", t.category_name);
	tpl_set(d, "thread", m);
	tpl_set(d, "history", history(ctx, h));
	page_render(ctx, "mod_thread_page", d);
}

static void thread_refuse(struct hctx *ctx, int status, const char *why)
{
	page_form_error(ctx, status, why);
	page_mod_thread(ctx);
}

void page_mod_thread_post(struct hctx *ctx)
{
	if (!moderator_only(ctx))
		return;
	int action = choose(page_field(ctx, "action"), thread_actions, TA__MAX);
	if (action < 0) {
		thread_refuse(ctx, 422, "Choose one of the actions below.");
		return;
	}
	const char *reason = page_text_lf(ctx->arena, page_field(ctx, "reason"));
	const char *why = check_reason(reason);
	if (why) {
		thread_refuse(ctx, 422, why);
		return;
	}
	struct category to = { 0 };
	if (action == TA_MOVE) {
		bool found = false;
		const char *slug = page_field(ctx, "category");
		enum db_err e = *slug ? db_category_by_slug(ctx->db, ctx->arena, slug, &to, &found) : DB_OK;
		if (e != DB_OK) {
			page_db_error(ctx, e);
			return;
		}
		if (!found) {
			thread_refuse(ctx, 422, "Choose the category to move the thread to.");
			return;
		}
		if (to.group_id) {
			/* A group's space is for its members (sql/017): a public
			 * thread moved in, or a group's thread moved out, would
			 * change who may read it. */
			thread_refuse(ctx, 422, "That category belongs to a peer group: threads cannot be moved "
			              "into a group's space. Choose a public category.");
			return;
		}
	}
	arena *a = ctx->arena;
	enum db_err e = db_begin(ctx->db);
	struct mthread t;
	bool found = false;
	if (e == DB_OK)
		e = load_thread(ctx, DB_MODTOOLS_THREAD_LOCK, ctx->req->id, &t, &found);
	if (e != DB_OK || !found) {
		db_rollback(ctx->db);
		if (e != DB_OK)
			page_db_error(ctx, e);
		else
			page_error(ctx, 404, "Thread not found", "There is no thread with this number.");
		return;
	}
	int status = 0;
	const char *detail = NULL;
	const char *tid = ll(a, t.id);
	switch ((enum thread_action)action) {
	case TA_LOCK:
	case TA_UNLOCK: {
		bool lock = action == TA_LOCK;
		if (t.locked == lock) {
			status = 409;
			why = lock ? "The thread is already locked." : "The thread is not locked.";
			break;
		}
		const char *p[] = { tid, lock ? "true" : "false" };
		step(ctx, DB_MODTOOLS_THREAD_SET_LOCKED, p, &e);
		detail = lock ? "open \u2192 locked" : "locked \u2192 open";
		break;
	}
	case TA_PIN:
	case TA_UNPIN: {
		bool pin = action == TA_PIN;
		if (t.pinned == pin) {
			status = 409;
			why = pin ? "The thread is already pinned." : "The thread is not pinned.";
			break;
		}
		const char *p[] = { tid, pin ? "true" : "false" };
		step(ctx, DB_MODTOOLS_THREAD_SET_PINNED, p, &e);
		detail = arena_printf(a, "pinned in %s", t.category_name);
		if (!pin)
			detail = arena_printf(a, "no longer pinned in %s", t.category_name);
		break;
	}
	case TA_MOVE: {
		if (to.id == t.category_id) {
			status = 409;
			why = "The thread is already in this category. Choose another one.";
			break;
		}
		const char *p[] = { tid, ll(a, to.id), ll(a, t.category_id) };
		PGresult *r = step(ctx, DB_MODTOOLS_THREAD_MOVE, p, &e);
		if (r && PQntuples(r) != 1) {
			/* Not moved: a group's thread (MODTOOLS_THREAD_MOVE). */
			status = 422;
			why = "This thread belongs to a peer group's space and stays there: moving it out "
			      "would show it to people outside the group.";
		}
		detail = arena_printf(a, "%s \u2192 %s", t.category_name, to.name);
		break;
	}
	case TA__MAX:
		abort();
	}
	if (status) {
		db_rollback(ctx->db);
		thread_refuse(ctx, status, why);
		return;
	}
	audit(ctx, thread_actions[action], 0, t.id, 0, NULL, reason,
	      arena_printf(a, "thread \u201c%s\u201d: %s", t.title, detail), &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		log_warn("moderator action %s on thread %lld: %s", thread_actions[action], t.id, db_last_error(ctx->db));
		thread_refuse(ctx, page_db_transient(e) ? 503 : 500,
		              "The action could not be saved just now, so nothing changed. Your reason is kept "
		              "below; please try again.");
		return;
	}
	/* Committed: the stored pages of the thread go now, not when the
	 * cache keeper gets to it (cache.h). */
	cache_forget_thread(ctx->conf, t.id);
	page_redirect(ctx, arena_printf(a, "/t/%lld?done=%s#moderate", t.id, thread_actions[action]));
}
