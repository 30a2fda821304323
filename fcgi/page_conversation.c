/*
 * page_conversation.c: private conversations (see page_conversation.h).
 *
 * Who reads what: a conversation is read only by its current members
 * (CONV_GET, and MESSAGE_VISIBLE in every message query); anyone else gets
 * the same 404 as an address that never existed. Moderators read one only
 * through the review item of a reported or flagged message (/mod/m/:id),
 * and each such read is written to the audit log before anything is shown.
 *
 * A block is never revealed (sql/031_block_conversations.sql): in a group,
 * a member whom another blocked writes as anyone does and the blocker reads
 * none of it (BLOCK_HIDES, on every page that shows messages, refusals
 * included); in a one-to-one conversation a block stops the sender with
 * the words "who may message me: nobody" gets, which now stops it too.
 *
 * Every message is screened like a post (fcgi/screen.h): crisis wording
 * shows the writer the crisis resources; method or means detail is held,
 * and the other members see nothing of it until a moderator approves it.
 * Every write is one transaction, then a redirect; every refusal gives the
 * text back with a message saying what to do.
 */
#include "page_conversation.h"

#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "screen.h"
#include "session.h"
#include "utf8.h"

#define MSG_MAX 50000           /* the same limit as a post */
#define GROUP_MAX 8             /* members of a conversation, the starter included */

static const char *ll(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

static const char *PRIVACY_NOTE =
	"Only the members of a conversation read it. Moderators read a conversation only when a message in it "
	"is reported by a member, or flagged by the site's safety filter (for example when it may describe a way "
	"to harm oneself); each time they do, it is written in the moderators' audit log.";

/* Runs one statement of a transaction unless an earlier one failed. */
static bool step(struct hctx *ctx, enum db_stmt stmt, const char *const *params, enum db_err *e)
{
	return *e == DB_OK && db_exec(ctx->db, ctx->arena, stmt, params, e) != NULL;
}

static void not_found(struct hctx *ctx)
{
	page_error(ctx, 404, "Conversation not found",
	           "There is no conversation of yours at this address. Your conversations are listed under "
	           "Messages (/me/messages).");
}

static const char *check_body(const char *body)
{
	size_t len = strlen(body);
	if (len == 0 || page_blank(body))
		return "The message is empty. Write something, even a few words.";
	if (utf8_count(body, len) > MSG_MAX)
		return "The message is longer than 50,000 characters. Please split it into two messages.";
	if (utf8_has_controls(body, len, true))
		return "The message contains control characters that cannot be stored. Please remove them.";
	return NULL;
}

static const char *wait_text(long long seconds)
{
	return seconds <= 60 ? "in a minute" : "in an hour";
}

/* ---------------------------------------------------------------- the compose parts */

struct compose {
	const char *to;                 /* new conversation: the handles as typed */
	const char *body;
	const char *preview_html;
	const struct screen_outcome *screened;
};

static void set_compose(struct hctx *ctx, tpl_value *d, const struct compose *c)
{
	tpl_set_str(d, "to_value", c->to);
	tpl_set_str(d, "body_value", c->body);
	tpl_set_str(d, "privacy_note", PRIVACY_NOTE);
	if (c->preview_html) {
		tpl_set_html(d, "preview_html", c->preview_html);
		tpl_set_bool(d, "has_preview", true);
	}
	if (c->screened && !c->screened->crisis) {
		screen_set_nudges(ctx, d, c->screened);
		tpl_set_bool(d, "nudge_shown", c->screened->nudge);
	}
	if (c->screened && c->screened->crisis) {
		tpl_set_bool(d, "show_crisis", true);
		page_set_crisis(ctx, d);
	}
}

/* The sender's standing against the limits; new: starting a conversation.
 * False: the refusal is set (status and message), the caller renders. */
static bool sender_allowed(struct hctx *ctx, bool new_conv, bool checkin)
{
	struct session *s = ctx->req->session;
	if (strcmp(s->status, "silenced") == 0 && !s->is_moderator) {
		page_form_error(ctx, 403, page_silenced_text(ctx));
		return false;
	}
	const char *p[] = { ll(ctx->arena, s->user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MSG_SENDER, p, &e);
	if (!r || PQntuples(r) != 1) {
		page_form_error(ctx, 503, "This could not be sent just now. Your text is kept below; please try again.");
		return false;
	}
	const conf *c = ctx->conf;
	long long hours = db_ll(r, 0, 0), posts = db_ll(r, 0, 1);
	long long minute = db_ll(r, 0, 2), hour = db_ll(r, 0, 3), today = db_ll(r, 0, 4);
	if (new_conv && !s->is_moderator &&
	    (hours < c->message_min_account_hours || posts < c->message_min_posts)) {
		page_form_error(ctx, 403, arena_printf(ctx->arena,
		                "New accounts can start private conversations once they have taken part in the "
		                "forum for a while (an account at least %d hours old, with at least %d post%s in "
		                "the threads). Nothing was sent; your text is kept below. You can answer "
		                "people in the threads meanwhile, and \"I'm here if you want to talk\" lets "
		                "someone know you are around.", c->message_min_account_hours,
		                c->message_min_posts, c->message_min_posts == 1 ? "" : "s"));
		return false;
	}
	long long wait = 0;
	if (c->message_per_minute && minute >= c->message_per_minute)
		wait = 60;
	else if (c->message_per_hour && hour >= c->message_per_hour)
		wait = 3600;
	else if (new_conv && !checkin && c->conversations_per_day && today >= c->conversations_per_day)
		wait = 86400;
	if (!wait)
		return true;
	resp_header(ctx->resp, "Retry-After", ll(ctx->arena, wait));
	page_form_error(ctx, 429, wait == 86400 ?
	                "You have started many conversations today, so this one was not started. Your text is "
	                "kept below: you can start it tomorrow, or write in a conversation you already have." :
	                arena_printf(ctx->arena, "You have sent a lot of messages in a short time, so this was not "
	                             "sent yet. Your text is kept below: you can send it %s.", wait_text(wait)));
	return false;
}

/* Screening, preview and the nudge: true when the caller should store. */
static bool compose_ready(struct hctx *ctx, struct compose *c, struct screen_outcome *so)
{
	screen_post(ctx, NULL, c->body, so);
	c->screened = so;
	bool preview = strcmp(page_field(ctx, "action"), "preview") == 0;
	bool nudge_pending = so->nudge && !so->crisis && strcmp(page_field(ctx, "nudge_ack"), "1") != 0;
	if (!preview && !nudge_pending)
		return true;
	c->preview_html = page_markdown(ctx, c->body);
	return false;
}

/* Stores the filter's matches and queues the message. */
static void store_screen(struct hctx *ctx, const char *mid, const struct screen_outcome *so, enum db_err *e)
{
	const mod_result *res = &so->body;
	for (size_t i = 0; i < res->count && *e == DB_OK; i++) {
		const mod_match *m = &res->matches[i];
		const char *p[] = { mid, m->rule_id, m->category, m->top, ll(ctx->arena, m->severity),
		                    mod_action_name(m->action), ll(ctx->arena, (long long)m->start),
		                    ll(ctx->arena, (long long)m->end) };
		step(ctx, DB_MSG_FLAG_ADD, p, e);
	}
	if (so->queue) {
		const char *p[] = { mid, so->crisis ? "crisis" : "other", ll(ctx->arena, so->max_severity) };
		step(ctx, DB_MSG_REVIEW_ENQUEUE, p, e);
	}
}

/* Adds the message in the caller's transaction; *mid its id. */
static void add_message(struct hctx *ctx, const char *conv, bool as_mod, const char *body, const char *html,
                        const struct screen_outcome *so, const char **mid, enum db_err *e)
{
	const char *p[] = { conv, ll(ctx->arena, ctx->req->session->user_id), as_mod ? "true" : "false", body, html,
	                    so->hold ? "held" : "visible" };
	PGresult *r = *e == DB_OK ? db_exec(ctx->db, ctx->arena, DB_MSG_ADD, p, e) : NULL;
	if (!r)
		return;
	*mid = arena_strdup(ctx->arena, db_val(r, 0, 0));
	store_screen(ctx, *mid, so, e);
}

static void after_send(struct hctx *ctx, const char *conv, const char *mid, const struct screen_outcome *so)
{
	page_redirect(ctx, arena_printf(ctx->arena, "/m/%s?sent=%s%s#msg-%s", conv, so->hold ? "held" : "1",
	                                so->crisis ? "&crisis=1" : "", mid));
}

/* ---------------------------------------------------------------- /me/messages */

void page_messages(struct hctx *ctx)
{
	const char *p[] = { ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err err;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_CONV_LIST, p, &err);
	if (!r) {
		page_db_error(ctx, err);
		return;
	}
	tpl_value *d = page_data(ctx, "Messages");
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *m = tpl_map(ctx->arena);
		bool unread = db_val(r, i, 5)[0] == 't';
		const char *with = db_val(r, i, 2);
		tpl_set_int(m, "id", db_ll(r, i, 0));
		tpl_set_bool(m, "from_moderators", db_val(r, i, 1)[0] == 't');
		tpl_set_str(m, "with", *with ? with : "nobody else (everyone else left)");
		tpl_set_bool(m, "unread", unread);
		tpl_set_str(m, "css", unread ? "conversation unread" : "conversation");
		struct read_when w = { db_val(r, i, 3), db_ll(r, i, 4) };
		page_set_when(m, ctx->arena, &w);
		tpl_list_push(list, m);
	}
	tpl_set(d, "conversations", list);
	tpl_set_str(d, "privacy_note", PRIVACY_NOTE);
	if (req_param(&ctx->req->query, "left"))
		tpl_set_bool(d, "left", true);
	page_render(ctx, "messages", d);
}

/* ---------------------------------------------------------------- new conversation */

static void new_render(struct hctx *ctx, const struct compose *c)
{
	tpl_value *d = page_data(ctx, "New private conversation");
	set_compose(ctx, d, c);
	tpl_set_int(d, "group_others", GROUP_MAX - 1);
	page_render(ctx, "conversation_new", d);
}

static const char *to_typed(struct hctx *ctx)
{
	const char *to = req_param(&ctx->req->form, "to");
	if (!to && ctx->req->method != HTTP_POST)
		to = req_param(&ctx->req->query, "to");
	return to ? to : "";
}

void page_conv_new_form(struct hctx *ctx)
{
	struct compose c = { .to = to_typed(ctx), .body = page_text_lf(ctx->arena, page_field(ctx, "body")) };
	new_render(ctx, &c);
}

struct recipient {
	long long id;
	const char *handle;
};

/* The one refusal for a member who does not take messages from the sender,
 * whether they chose so (their setting) or blocked them: the same words,
 * so that a block is never revealed. Sets the 403. */
static void not_taking(struct hctx *ctx, const char *handle)
{
	page_form_error(ctx, 403, arena_printf(ctx->arena, "%s is not taking private messages from you "
	                "just now. Nothing was sent; your text is kept below. You can still answer them "
	                "in the threads.", handle));
}

/* The handles typed in "to" (commas or spaces between), as members the
 * sender may write to; false with the refusal set otherwise. A block and a
 * member's choice read the same, so neither is revealed. */
static bool recipients(struct hctx *ctx, const char *to, struct recipient *out, size_t *n)
{
	*n = 0;
	long long me = ctx->req->session->user_id;
	size_t named = 0;
	for (const char *t = to; *t;) {
		t += strspn(t, " ,;\t");
		size_t len = strcspn(t, " ,;\t");
		named += len > 0;
		t += len;
	}
	if (named > GROUP_MAX - 1) {
		page_form_error(ctx, 422, "A conversation can have up to 8 members, you included: please name "
		                "at most 7 others. Nothing was sent; your text is kept below.");
		return false;
	}
	const char *s = to;
	while (*s) {
		s += strspn(s, " ,;\t");
		size_t len = strcspn(s, " ,;\t");
		if (!len)
			break;
		const char *h = arena_strndup(ctx->arena, s, len);
		s += len;
		if (h[0] == '@')
			h++;
		const char *p[] = { h, ll(ctx->arena, me) };
		enum db_err e;
		PGresult *r = strlen(h) <= 30 ? db_exec(ctx->db, ctx->arena, DB_MSG_RECIPIENT, p, &e) : NULL;
		if (strlen(h) <= 30 && !r) {
			page_form_error(ctx, 503, "This could not be sent just now. Your text is kept below; please try again.");
			return false;
		}
		if (!r || PQntuples(r) != 1 || (strcmp(db_val(r, 0, 2), "active") != 0 &&
		    strcmp(db_val(r, 0, 2), "silenced") != 0)) {
			page_form_error(ctx, 422, arena_printf(ctx->arena, "There is no member called \"%s\". Please check "
			                "the name (it is the handle shown on their posts). Nothing was sent; your text "
			                "is kept below.", h));
			return false;
		}
		long long id = db_ll(r, 0, 0);
		const char *handle = db_val(r, 0, 1);
		if (id == me) {
			page_form_error(ctx, 422, "You cannot start a conversation with yourself: please name someone "
			                "else. Nothing was sent; your text is kept below.");
			return false;
		}
		if (db_val(r, 0, 5)[0] == 't') {
			page_form_error(ctx, 403, arena_printf(ctx->arena, "You blocked %s. If you want to write to them, "
			                "unblock them first on their profile page (/u/%s). Nothing was sent; your text is "
			                "kept below.", handle, handle));
			return false;
		}
		const char *from = db_val(r, 0, 3);
		bool blocked_me = db_val(r, 0, 4)[0] == 't';
		bool talked = db_val(r, 0, 6)[0] == 't';
		bool allowed = !blocked_me && (strcmp(from, "everyone") == 0 || (strcmp(from, "talked") == 0 && talked));
		if (!allowed) {
			not_taking(ctx, handle);
			return false;
		}
		bool dup = false;
		for (size_t i = 0; i < *n; i++)
			dup = dup || out[i].id == id;
		if (!dup)
			out[(*n)++] = (struct recipient){ id, handle };
	}
	if (*n == 0) {
		page_form_error(ctx, 422, "Please name who the conversation is with (their handle). Nothing was sent; "
		                "your text is kept below.");
		return false;
	}
	return true;
}

void page_conv_new_post(struct hctx *ctx)
{
	struct compose c = { .to = to_typed(ctx), .body = page_text_lf(ctx->arena, page_field(ctx, "body")) };
	struct recipient to[GROUP_MAX];
	size_t nto = 0;
	const char *why = check_body(c.body);
	if (why) {
		page_form_error(ctx, 422, why);
		new_render(ctx, &c);
		return;
	}
	if (!recipients(ctx, c.to, to, &nto) || !sender_allowed(ctx, true, false)) {
		new_render(ctx, &c);
		return;
	}
	struct screen_outcome so;
	if (!compose_ready(ctx, &c, &so)) {
		new_render(ctx, &c);
		return;
	}
	const char *html = page_markdown(ctx, c.body);
	if (!html) {
		page_form_error(ctx, 500, "The message could not be prepared. Your text is kept below; please try again.");
		new_render(ctx, &c);
		return;
	}
	const char *me = ll(ctx->arena, ctx->req->session->user_id);
	const char *conv = NULL, *mid = NULL;
	enum db_err e = db_begin(ctx->db);
	/* To one person we already talk with: the same conversation goes on. */
	const char *pp[] = { me, ll(ctx->arena, to[0].id) };
	PGresult *pair = nto == 1 && e == DB_OK ? db_exec(ctx->db, ctx->arena, DB_CONV_FIND_PAIR, pp, &e) : NULL;
	if (pair && PQntuples(pair) == 1)
		conv = arena_strdup(ctx->arena, db_val(pair, 0, 0));
	if (!conv) {
		const char *pc[] = { me, "false", NULL };
		PGresult *r = e == DB_OK ? db_exec(ctx->db, ctx->arena, DB_CONV_CREATE, pc, &e) : NULL;
		if (r)
			conv = arena_strdup(ctx->arena, db_val(r, 0, 0));
		const char *pm[] = { conv, me };
		step(ctx, DB_CONV_MEMBER_ADD, pm, &e);
		for (size_t i = 0; i < nto; i++) {
			const char *po[] = { conv, ll(ctx->arena, to[i].id) };
			step(ctx, DB_CONV_MEMBER_ADD, po, &e);
		}
	}
	add_message(ctx, conv, false, c.body, html, &so, &mid, &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		page_form_error(ctx, page_db_transient(e) ? 503 : 422,
		                "The message could not be sent just now. Your text is kept below; please try again.");
		new_render(ctx, &c);
		return;
	}
	after_send(ctx, conv, mid, &so);
}

/* ---------------------------------------------------------------- one conversation */

struct conv {
	long long id;
	bool from_moderators;
	PGresult *members;      /* CONV_OPEN's rows, or NULL: set_conversation reads them */
};

/* The conversation of the address if the asker is in it; else answered. */
static bool conv_or_error(struct hctx *ctx, struct conv *cv)
{
	const char *p[] = { ll(ctx->arena, ctx->req->id), ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_CONV_GET, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return false;
	}
	if (PQntuples(r) != 1) {
		not_found(ctx);
		return false;
	}
	cv->id = db_ll(r, 0, 0);
	cv->from_moderators = db_val(r, 0, 1)[0] == 't';
	cv->members = NULL;
	return true;
}

/* Messages on a page of a conversation: the newest, or those before ?before=ID. */
#define CONV_PAGE 300

/* ?before=ID of an earlier page: the id (0 when absent); -1 when it is not
 * a message id this site could have made. */
static long long before_param(struct hctx *ctx)
{
	const char *v = ctx->req->method == HTTP_GET ? req_param(&ctx->req->query, "before") : NULL;
	if (!v)
		return 0;
	size_t n = strlen(v);
	if (n == 0 || n > 18 || strspn(v, "0123456789") != n || v[0] == '0')
		return -1;
	return strtoll(v, NULL, 10);
}

/* "members": the others, "others" their number; "messages", and the links
 * "earlier_href" (older messages exist) and "newest_href" (this is an
 * earlier page). */
static bool set_conversation(struct hctx *ctx, tpl_value *d, const struct conv *cv, enum db_err *e)
{
	long long me = ctx->req->session->user_id;
	long long before = before_param(ctx);
	if (before < 0)
		before = 0;
	const char *p1[] = { ll(ctx->arena, cv->id) };
	PGresult *mr = cv->members ? cv->members : db_exec(ctx->db, ctx->arena, DB_CONV_MEMBERS, p1, e);
	const char *p2[] = { ll(ctx->arena, cv->id), ll(ctx->arena, me), ll(ctx->arena, before),
	                     ll(ctx->arena, CONV_PAGE + 1) };
	PGresult *r = mr ? db_exec(ctx->db, ctx->arena, DB_CONV_MESSAGES, p2, e) : NULL;
	if (!r)
		return false;
	/* One more than a page: the oldest row only says that earlier ones exist. */
	int first = PQntuples(r) > CONV_PAGE ? 1 : 0;
	if (first)
		tpl_set_str(d, "earlier_href", arena_printf(ctx->arena, "/m/%lld?before=%lld#msg-%lld", cv->id,
		                                            db_ll(r, 1, 0), db_ll(r, 0, 0)));
	if (before)
		tpl_set_str(d, "newest_href", arena_printf(ctx->arena, "/m/%lld", cv->id));
	tpl_value *members = tpl_list(ctx->arena);
	buf with;
	buf_init(&with, ctx->arena, 128);
	buf_puts(&with, "");
	int others = 0;
	for (int i = 0; i < PQntuples(mr); i++) {
		if (db_ll(mr, i, 0) == me)
			continue;
		tpl_value *m = tpl_map(ctx->arena);
		const char *h = db_val(mr, i, 1);
		tpl_set_str(m, "handle", h);
		tpl_set_str(m, "name", h ? h : "a former member");
		tpl_list_push(members, m);
		if (with.len)
			buf_puts(&with, ", ");
		buf_puts(&with, h ? h : "a former member");
		others++;
	}
	tpl_set(d, "members", members);
	tpl_set_int(d, "others", others);
	tpl_set_str(d, "with", others ? with.data : "nobody else: everyone else left");
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = first; i < PQntuples(r); i++) {
		tpl_value *m = tpl_map(ctx->arena);
		long long id = db_ll(r, i, 0);
		const char *state = db_val(r, i, 4);
		bool mine = db_ll(r, i, 1) == me;
		bool as_mod = db_val(r, i, 3)[0] == 't';
		const char *author = db_val(r, i, 2);
		tpl_set_int(m, "id", id);
		tpl_set_str(m, "anchor", arena_printf(ctx->arena, "msg-%lld", id));
		tpl_set_str(m, "author", mine ? "You" : author ? author : "A former member");
		tpl_set_bool(m, "as_moderator", as_mod);
		tpl_set_bool(m, "mine", mine);
		tpl_set_bool(m, "deleted", strcmp(state, "deleted") == 0);
		tpl_set_bool(m, "held", strcmp(state, "held") == 0);
		tpl_set_bool(m, "hidden", strcmp(state, "hidden") == 0);
		tpl_set_str(m, "hide_reason", db_val(r, i, 8));
		tpl_set_str(m, "css", arena_printf(ctx->arena, "message%s%s%s", mine ? " mine" : "",
		                                   as_mod ? " from-moderators" : "",
		                                   strcmp(state, "visible") == 0 ? "" : " marked"));
		if (strcmp(state, "deleted") != 0)
			tpl_set_html(m, "body_html", db_val(r, i, 5));
		tpl_set_bool(m, "reportable", !mine && strcmp(state, "visible") == 0);
		struct read_when w = { db_val(r, i, 6), db_ll(r, i, 7) };
		page_set_when(m, ctx->arena, &w);
		tpl_list_push(list, m);
	}
	tpl_set(d, "messages", list);
	return true;
}

static void conv_render(struct hctx *ctx, const struct conv *cv, const struct compose *c)
{
	tpl_value *d = page_data(ctx, "Private conversation");
	enum db_err e = DB_OK;
	if (!set_conversation(ctx, d, cv, &e)) {
		/* A refused message keeps its text even without the database. */
		if (ctx->form_error) {
			page_refill(ctx, ctx->resp->status, ctx->form_error);
			return;
		}
		page_db_error(ctx, e);
		return;
	}
	tpl_set_int(d, "conv_id", cv->id);
	tpl_set_bool(d, "from_moderators", cv->from_moderators);
	set_compose(ctx, d, c);
	const char *sent = ctx->req->method == HTTP_GET ? req_param(&ctx->req->query, "sent") : NULL;
	if (sent) {
		tpl_set_bool(d, "sent_held", strcmp(sent, "held") == 0);
		tpl_set_bool(d, "sent_ok", strcmp(sent, "held") != 0);
	}
	if (ctx->req->method == HTTP_GET && req_param(&ctx->req->query, "crisis")) {
		tpl_set_bool(d, "show_crisis", true);
		page_set_crisis(ctx, d);
	}
	if (ctx->req->method == HTTP_GET && req_param(&ctx->req->query, "reported"))
		tpl_set_bool(d, "reported", true);
	page_render(ctx, "conversation", d);
}

void page_conv(struct hctx *ctx)
{
	struct conv cv;
	if (ctx->req->method == HTTP_GET && before_param(ctx) >= 0) {
		/* Reading it: found, marked read and its members in one statement. */
		const char *p[] = { ll(ctx->arena, ctx->req->id), ll(ctx->arena, ctx->req->session->user_id) };
		enum db_err e;
		PGresult *r = db_exec(ctx->db, ctx->arena, DB_CONV_OPEN, p, &e);
		if (!r) {
			page_db_error(ctx, e);
			return;
		}
		if (PQntuples(r) < 1) {
			not_found(ctx);
			return;
		}
		cv.id = db_ll(r, 0, 3);
		cv.from_moderators = db_val(r, 0, 4)[0] == 't';
		cv.members = r;
		struct session *s = ctx->req->session;
		if (db_val(r, 0, 5)[0] == 't' && s->unread > 0 && s->unread < 100)
			s->unread--;        /* this page's header counts it read */
	} else {
		if (!conv_or_error(ctx, &cv))
			return;
		if (before_param(ctx) < 0) {
			page_error(ctx, 400, "Not a page of this conversation",
			           "The \"before\" part of the address is not one this site made. "
			           "Open the conversation from your messages.");
			return;
		}
	}
	struct compose c = { .body = page_text_lf(ctx->arena, page_field(ctx, "body")) };
	conv_render(ctx, &cv, &c);
}

void page_conv_post(struct hctx *ctx)
{
	struct conv cv;
	if (!conv_or_error(ctx, &cv))
		return;
	struct compose c = { .body = page_text_lf(ctx->arena, page_field(ctx, "body")) };
	const char *why = check_body(c.body);
	if (why) {
		page_form_error(ctx, 422, why);
		conv_render(ctx, &cv, &c);
		return;
	}
	/* In a one-to-one conversation a block and "nobody" stop the sender
	 * alike; in a group nothing does, and a member who blocked the sender
	 * reads none of it (CONV_STOPPED, BLOCK_HIDES): either way the sender
	 * cannot tell a block from a choice. */
	const char *p[] = { ll(ctx->arena, cv.id), ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err e;
	bool as_mod = cv.from_moderators && ctx->req->session->is_moderator;
	PGresult *b = as_mod ? NULL : db_exec(ctx->db, ctx->arena, DB_CONV_STOPPED, p, &e);
	if (!as_mod && !b) {
		page_form_error(ctx, page_db_transient(e) ? 503 : 500, "This could not be sent just now. Your text is kept "
		                "below; please try again.");
		conv_render(ctx, &cv, &c);
		return;
	}
	if (b && PQntuples(b) > 0) {
		not_taking(ctx, db_val(b, 0, 0));
		conv_render(ctx, &cv, &c);
		return;
	}
	if (!sender_allowed(ctx, false, false)) {
		conv_render(ctx, &cv, &c);
		return;
	}
	struct screen_outcome so;
	if (!compose_ready(ctx, &c, &so)) {
		conv_render(ctx, &cv, &c);
		return;
	}
	const char *pr[] = { ll(ctx->arena, ctx->req->session->user_id), ll(ctx->arena, cv.id), c.body };
	PGresult *rep = db_exec(ctx->db, ctx->arena, DB_MSG_RECENT_SAME, pr, &e);
	if (rep && PQntuples(rep) > 0) {
		page_form_error(ctx, 409, "You sent exactly this a moment ago, so it was not sent a second time.");
		conv_render(ctx, &cv, &c);
		return;
	}
	const char *html = page_markdown(ctx, c.body);
	if (!html) {
		page_form_error(ctx, 500, "The message could not be prepared. Your text is kept below; please try again.");
		conv_render(ctx, &cv, &c);
		return;
	}
	const char *conv = ll(ctx->arena, cv.id), *mid = NULL;
	e = db_begin(ctx->db);
	add_message(ctx, conv, as_mod, c.body, html, &so, &mid, &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		page_form_error(ctx, page_db_transient(e) ? 503 : 422,
		                "The message could not be sent just now. Your text is kept below; please try again.");
		conv_render(ctx, &cv, &c);
		return;
	}
	after_send(ctx, conv, mid, &so);
}

void page_conv_leave_post(struct hctx *ctx)
{
	const char *p[] = { ll(ctx->arena, ctx->req->id), ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_CONV_LEAVE, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return;
	}
	if (PQntuples(r) != 1) {
		not_found(ctx);
		return;
	}
	page_redirect(ctx, "/me/messages?left=1");
}

/* ---------------------------------------------------------------- reports */

static const struct {
	const char *code, *label, *category;
} reasons[] = {
	{ "crisis", "Someone may be at risk", "report.crisis" },
	{ "harassment", "Unwanted, hurtful or harassing", "report.harassment" },
	{ "spam", "Spam or advertising", "report.spam" },
	{ "other", "Something else", "report.other" },
};

/* What a member's report says, in the words they chose it by ("report.spam"
 * is "Spam or advertising"); an unknown category is shown as it is. */
static const char *report_label(const char *category)
{
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (strcmp(category, reasons[i].category) == 0)
			return reasons[i].label;
	return category;
}

struct rmsg {
	long long id, conv_id;
	const char *author, *body_html;
	bool mine;
};

static bool report_target(struct hctx *ctx, struct rmsg *m)
{
	const char *p[] = { ll(ctx->arena, ctx->req->id), ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MSG_FOR_MEMBER, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return false;
	}
	if (PQntuples(r) != 1) {
		page_error(ctx, 404, "Message not found", "There is no message of your conversations at this address.");
		return false;
	}
	m->id = db_ll(r, 0, 0);
	m->conv_id = db_ll(r, 0, 1);
	m->mine = db_ll(r, 0, 2) == ctx->req->session->user_id;
	m->author = db_val(r, 0, 3) ? db_val(r, 0, 3) : "A former member";
	m->body_html = db_val(r, 0, 5);
	return true;
}

void page_msg_report_form(struct hctx *ctx)
{
	struct rmsg m;
	if (!report_target(ctx, &m))
		return;
	tpl_value *d = page_data(ctx, "Report a message");
	tpl_set_str(d, "author", m.author);
	tpl_set_html(d, "body_html", m.body_html);
	tpl_set_str(d, "action_url", arena_printf(ctx->arena, "/msg/%lld/report", m.id));
	tpl_set_str(d, "conv_url", arena_printf(ctx->arena, "/m/%lld", m.conv_id));
	tpl_set_str(d, "details_value", page_field(ctx, "details"));
	const char *chosen = page_field(ctx, "reason");
	tpl_value *list = tpl_list(ctx->arena);
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
		tpl_value *x = tpl_map(ctx->arena);
		tpl_set_str(x, "code", reasons[i].code);
		tpl_set_str(x, "label", reasons[i].label);
		tpl_set_str(x, "input_id", arena_printf(ctx->arena, "reason-%s", reasons[i].code));
		if (strcmp(chosen, reasons[i].code) == 0)
			tpl_set_str(x, "checked", "checked");
		tpl_list_push(list, x);
	}
	tpl_set(d, "reasons", list);
	page_render(ctx, "conversation_report", d);
}

void page_msg_report_post(struct hctx *ctx)
{
	struct rmsg m;
	if (!report_target(ctx, &m))
		return;
	const char *reason = page_field(ctx, "reason");
	const char *category = NULL;
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (strcmp(reason, reasons[i].code) == 0)
			category = reasons[i].category;
	if (!category) {
		page_form_again(ctx, 422, "Please choose what worries you about the message. Nothing was sent.");
		return;
	}
	if (m.mine) {
		page_form_again(ctx, 422, "This is your own message: nothing to report. If you wish you had not "
		                "sent it, you can tell the others in the conversation.");
		return;
	}
	const char *mid = ll(ctx->arena, m.id);
	const char *p[] = { mid, ll(ctx->arena, ctx->req->session->user_id), category, page_field(ctx, "details") };
	const char *q[] = { mid, strcmp(reason, "crisis") == 0 ? "crisis" : "other", "2" };
	enum db_err e = db_begin(ctx->db);
	step(ctx, DB_MSG_REPORT_ADD, p, &e);
	step(ctx, DB_MSG_REVIEW_ENQUEUE, q, &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		page_db_error(ctx, e);
		return;
	}
	page_redirect(ctx, arena_printf(ctx->arena, "/m/%lld?reported=1%s#msg-%lld", m.conv_id,
	                                strcmp(reason, "crisis") == 0 ? "&crisis=1" : "", m.id));
}

/* ---------------------------------------------------------------- blocks and settings */

/* The member of the address: id; false with the page answered. */
static bool member_of_address(struct hctx *ctx, long long *id)
{
	const char *p[] = { ctx->req->slug };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MSG_MEMBER_BY_HANDLE, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return false;
	}
	if (PQntuples(r) != 1 || strcmp(db_val(r, 0, 1), "deleted") == 0) {
		page_error(ctx, 404, "Member not found", "No member has this name, or their account was closed.");
		return false;
	}
	*id = db_ll(r, 0, 0);
	return true;
}

static void block_change(struct hctx *ctx, enum db_stmt stmt, const char *done)
{
	long long id;
	if (!member_of_address(ctx, &id))
		return;
	if (id == ctx->req->session->user_id) {
		page_error(ctx, 422, "That is you", "You cannot block yourself.");
		return;
	}
	const char *p[] = { ll(ctx->arena, ctx->req->session->user_id), ll(ctx->arena, id) };
	enum db_err e;
	if (!db_exec(ctx->db, ctx->arena, stmt, p, &e)) {
		page_db_error(ctx, e);
		return;
	}
	page_redirect(ctx, arena_printf(ctx->arena, "/u/%s?%s=1", ctx->req->slug, done));
}

void page_block_post(struct hctx *ctx)
{
	block_change(ctx, DB_BLOCK_ADD, "blocked");
}

void page_unblock_post(struct hctx *ctx)
{
	block_change(ctx, DB_BLOCK_REMOVE, "unblocked");
}

void page_messages_settings_post(struct hctx *ctx)
{
	const char *from = page_field(ctx, "messages_from");
	if (strcmp(from, "everyone") != 0 && strcmp(from, "talked") != 0 && strcmp(from, "nobody") != 0) {
		page_form_again(ctx, 422, "Please choose who may start a private conversation with you. "
		                "Nothing was changed.");
		return;
	}
	const char *p[] = { ll(ctx->arena, ctx->req->session->user_id), from };
	enum db_err e;
	if (!db_exec(ctx->db, ctx->arena, DB_MESSAGES_FROM_SET, p, &e)) {
		page_db_error(ctx, e);
		return;
	}
	page_redirect(ctx, "/me/settings?saved=1#messages");
}

enum db_err conv_settings_data(struct hctx *ctx, tpl_value *d)
{
	const char *p[] = { ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MESSAGES_FROM_GET, p, &e);
	PGresult *b = r ? db_exec(ctx->db, ctx->arena, DB_BLOCK_LIST, p, &e) : NULL;
	if (!b)
		return e;
	const char *from = PQntuples(r) ? db_val(r, 0, 0) : "everyone";
	if (ctx->form_error && ctx->req->method == HTTP_POST && *page_field(ctx, "messages_from"))
		from = page_field(ctx, "messages_from");
	tpl_set_bool(d, "messages_from_everyone", strcmp(from, "everyone") == 0);
	tpl_set_bool(d, "messages_from_talked", strcmp(from, "talked") == 0);
	tpl_set_bool(d, "messages_from_nobody", strcmp(from, "nobody") == 0);
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(b); i++) {
		if (!db_val(b, i, 0))
			continue;
		tpl_value *m = tpl_map(ctx->arena);
		tpl_set_str(m, "handle", db_val(b, i, 0));
		tpl_list_push(list, m);
	}
	tpl_set(d, "blocked", list);
	return DB_OK;
}

enum db_err conv_member_data(struct hctx *ctx, tpl_value *d, long long user_id, const char *handle)
{
	struct session *s = ctx->req->session;
	if (!s || s->user_id == user_id)
		return DB_OK;
	const char *p[] = { ll(ctx->arena, s->user_id), ll(ctx->arena, user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_BLOCK_EXISTS, p, &e);
	if (!r)
		return e;
	tpl_value *m = tpl_map(ctx->arena);
	tpl_set_str(m, "handle", handle);
	tpl_set_bool(m, "blocked", PQntuples(r) > 0);
	tpl_set_bool(m, "just_blocked", req_param(&ctx->req->query, "blocked") != NULL);
	tpl_set_bool(m, "just_unblocked", req_param(&ctx->req->query, "unblocked") != NULL);
	tpl_set(d, "conv", m);
	return DB_OK;
}

/* ---------------------------------------------------------------- notifications */

enum db_err conv_notify_data(struct hctx *ctx, tpl_value *d)
{
	const char *p[] = { ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_CONV_NOTIFY, p, &e);
	if (!r)
		return e;
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *m = tpl_map(ctx->arena);
		const char *with = db_val(r, i, 1);
		tpl_set_int(m, "id", db_ll(r, i, 0));
		tpl_set_str(m, "with", db_val(r, i, 3)[0] == 't' ? "the moderators" : *with ? with : "a former member");
		long long n = db_ll(r, i, 2);
		tpl_set_str(m, "count", n >= 100 ? "99+ new messages" : page_count(ctx->arena, n, "new message", "new messages"));
		tpl_list_push(list, m);
	}
	tpl_set(d, "conversations", list);
	return DB_OK;
}

enum db_err conv_mark_all_read(struct hctx *ctx)
{
	const char *p[] = { ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err e;
	return db_exec(ctx->db, ctx->arena, DB_CONV_MARK_ALL_READ, p, &e) ? DB_OK : e;
}

/* ---------------------------------------------------------------- moderators */

enum db_err conv_review_queue_data(struct hctx *ctx, tpl_value *d)
{
	const char *p[] = { "50" };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MSG_REVIEW_QUEUE, p, &e);
	if (!r)
		return e;
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(r); i++) {
		tpl_value *m = tpl_map(ctx->arena);
		long long id = db_ll(r, i, 0);
		const char *lane = db_val(r, i, 1);
		tpl_set_int(m, "id", id);
		tpl_set_str(m, "url", arena_printf(ctx->arena, "/mod/m/%lld", id));
		tpl_set_bool(m, "is_crisis", strcmp(lane, "crisis") == 0);
		tpl_set_str(m, "lane", lane);
		tpl_set_int(m, "severity", db_ll(r, i, 2));
		long long secs = db_ll(r, i, 3);
		tpl_set_str(m, "waiting", secs < 3600 ? arena_printf(ctx->arena, "waiting %lld min", secs / 60) :
		            arena_printf(ctx->arena, "waiting %lld h", secs / 3600));
		tpl_set_bool(m, "held", strcmp(db_val(r, i, 4), "held") == 0);
		tpl_set_str(m, "categories", db_val(r, i, 5));
		tpl_set_int(m, "reports", db_ll(r, i, 6));
		tpl_set_str(m, "author", db_val(r, i, 7) ? db_val(r, i, 7) : "a former member");
		tpl_list_push(list, m);
	}
	tpl_set(d, "message_items", list);
	return DB_OK;
}

static bool moderator_only(struct hctx *ctx)
{
	struct session *s = ctx->req->session;
	if (s && s->is_moderator)
		return true;
	page_error(ctx, 403, "Moderators only", ctx->form_error ? ctx->form_error : "This page is for the forum's moderators.");
	return false;
}

static void audit_add(struct hctx *ctx, const char *action, const char *target_id, const char *target,
                      const char *reason, const char *detail, enum db_err *e)
{
	struct session *s = ctx->req->session;
	const char *p[] = { ll(ctx->arena, s->user_id), s->handle, action, NULL, target_id, target, reason, detail };
	step(ctx, DB_AUDIT_ADD, p, e);
}

void page_msg_review(struct hctx *ctx)
{
	if (!moderator_only(ctx))
		return;
	const char *mid = ll(ctx->arena, ctx->req->id);
	const char *p[] = { mid };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_MSG_REVIEW_GET, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return;
	}
	if (PQntuples(r) != 1) {
		page_error(ctx, 404, "Nothing to review here",
		           "No message at this address was reported or flagged. Moderators read private "
		           "conversations only through a reported or flagged message.");
		return;
	}
	const char *conv = arena_strdup(ctx->arena, db_val(r, 0, 1));
	const char *author = db_val(r, 0, 3);
	/* The read is logged before anything is shown: no log, no read. */
	e = DB_OK;
	audit_add(ctx, "read_conversation", db_val(r, 0, 2), author ? author : "a former member",
	          "Read a private conversation through a reported or flagged message",
	          arena_printf(ctx->arena, "message %s in conversation %s", mid, conv), &e);
	if (e != DB_OK) {
		page_db_error(ctx, e);
		return;
	}
	const char *pc[] = { conv };
	PGresult *f = db_exec(ctx->db, ctx->arena, DB_MSG_REVIEW_FLAGS, p, &e);
	PGresult *c = f ? db_exec(ctx->db, ctx->arena, DB_MSG_REVIEW_CONTEXT, pc, &e) : NULL;
	if (!c) {
		page_db_error(ctx, e);
		return;
	}
	tpl_value *d = page_data(ctx, "Review a private message");
	const char *state = db_val(r, 0, 4);
	tpl_set_int(d, "message_id", ctx->req->id);
	tpl_set_str(d, "conv_id", conv);
	tpl_set_str(d, "author", author ? author : "a former member");
	tpl_set_str(d, "state", state);
	tpl_set_bool(d, "held", strcmp(state, "held") == 0);
	tpl_set_bool(d, "hidden", strcmp(state, "hidden") == 0);
	tpl_set_html(d, "body_html", db_val(r, 0, 5));
	tpl_set_str(d, "status", db_val(r, 0, 6));
	tpl_set_bool(d, "resolved", strcmp(db_val(r, 0, 6), "resolved") == 0);
	tpl_set_str(d, "lane", db_val(r, 0, 7));
	tpl_set_int(d, "severity", db_ll(r, 0, 8));
	tpl_set_str(d, "hide_reason", db_val(r, 0, 9));
	tpl_set_str(d, "reason_value", page_field(ctx, "reason"));
	tpl_set_str(d, "done", req_param(&ctx->req->query, "done"));
	tpl_value *flags = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(f); i++) {
		tpl_value *x = tpl_map(ctx->arena);
		bool report = strcmp(db_val(f, i, 0), "report") == 0;
		tpl_set_bool(x, "report", report);
		tpl_set_str(x, "rule_id", db_val(f, i, 1));
		tpl_set_str(x, "category", report ? report_label(db_val(f, i, 2)) : db_val(f, i, 2));
		tpl_set_int(x, "severity", db_ll(f, i, 3));
		tpl_set_str(x, "action", db_val(f, i, 4));
		tpl_set_str(x, "reason", db_val(f, i, 5));
		tpl_set_str(x, "reporter", db_val(f, i, 6));
		tpl_list_push(flags, x);
	}
	tpl_set(d, "flags", flags);
	tpl_value *list = tpl_list(ctx->arena);
	for (int i = 0; i < PQntuples(c); i++) {
		tpl_value *m = tpl_map(ctx->arena);
		long long id = db_ll(c, i, 0);
		const char *st = db_val(c, i, 3);
		tpl_set_int(m, "id", id);
		tpl_set_str(m, "author", db_val(c, i, 1) ? db_val(c, i, 1) : "a former member");
		tpl_set_bool(m, "as_moderator", db_val(c, i, 2)[0] == 't');
		tpl_set_str(m, "state", st);
		tpl_set_bool(m, "marked", strcmp(st, "visible") != 0);
		tpl_set_bool(m, "this", id == ctx->req->id);
		tpl_set_str(m, "css", id == ctx->req->id ? "message reviewed" : "message");
		tpl_set_html(m, "body_html", db_val(c, i, 4));
		struct read_when w = { db_val(c, i, 5), db_ll(c, i, 6) };
		page_set_when(m, ctx->arena, &w);
		tpl_list_push(list, m);
	}
	tpl_set(d, "context", list);
	page_render(ctx, "conversation_review", d);
}

void page_msg_review_action(struct hctx *ctx)
{
	if (!moderator_only(ctx))
		return;
	const char *action = page_field(ctx, "action");
	const char *reason = page_field(ctx, "reason");
	bool approve = strcmp(action, "approve") == 0, hide = strcmp(action, "hide") == 0;
	if (!approve && !hide) {
		page_form_again(ctx, 422, "Please choose approve or hide. Nothing was changed.");
		return;
	}
	if (hide && page_blank(reason)) {
		page_form_again(ctx, 422, "Please give a reason for hiding the message: its writer sees it. "
		                "Nothing was changed.");
		return;
	}
	const char *mid = ll(ctx->arena, ctx->req->id);
	const char *p[] = { mid, approve ? "visible" : "hidden", hide ? reason : NULL,
	                    ll(ctx->arena, ctx->req->session->user_id) };
	enum db_err e = db_begin(ctx->db);
	PGresult *r = e == DB_OK ? db_exec(ctx->db, ctx->arena, DB_MSG_DECIDE, p, &e) : NULL;
	if (r && PQntuples(r) != 1) {
		db_rollback(ctx->db);
		page_error(ctx, 404, "Nothing to review here", "There is no message to decide on at this address.");
		return;
	}
	if (r)
		audit_add(ctx, approve ? "message_approve" : "message_hide", db_val(r, 0, 0), db_val(r, 0, 2),
		          page_blank(reason) ? "Approved a private message" : reason,
		          arena_printf(ctx->arena, "message %s in conversation %s", mid, db_val(r, 0, 1)), &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		page_db_error(ctx, e);
		return;
	}
	page_redirect(ctx, arena_printf(ctx->arena, "/mod?done=%s", approve ? "message_approved" : "message_hidden"));
}

/* ---- a moderators' check-in from a review item: /mod/p/:id/contact ---- */

struct checkin {
	long long post_id, user_id;
	const char *handle;
};

static bool checkin_target(struct hctx *ctx, struct checkin *t)
{
	if (!moderator_only(ctx))
		return false;
	/* $2/$3: the viewer, a moderator (moderator_only), who sees every
	 * group's posts (GROUP_SPACE_OK). */
	const char *p[] = { ll(ctx->arena, ctx->req->id), ll(ctx->arena, ctx->req->session->user_id), "t" };
	enum db_err e;
	PGresult *r = db_exec(ctx->db, ctx->arena, DB_POST_FOR_WRITE, p, &e);
	if (!r) {
		page_db_error(ctx, e);
		return false;
	}
	if (PQntuples(r) == 1 && db_val(r, 0, 18) && db_val(r, 0, 18)[0] == 't') {
		/* A check-in would show its writer's handle without the logged
		 * "Show who wrote this" (page_review_reveal). */
		page_error(ctx, 403, "This post is anonymous",
		           "A check-in conversation would tell you who wrote it, so it is not offered for "
		           "anonymous posts. Reply in the thread: the member sees it there.");
		return false;
	}
	if (PQntuples(r) != 1 || !db_val(r, 0, 2) || !db_val(r, 0, 10)) {
		page_error(ctx, 404, "No member to contact",
		           "There is no post at this address, or its writer's account was closed.");
		return false;
	}
	t->post_id = db_ll(r, 0, 0);
	t->user_id = db_ll(r, 0, 2);
	t->handle = db_val(r, 0, 10);
	if (t->user_id == ctx->req->session->user_id) {
		page_error(ctx, 422, "That is you", "This post is yours: there is nobody to contact.");
		return false;
	}
	return true;
}

static void checkin_render(struct hctx *ctx, const struct checkin *t, const struct compose *c)
{
	tpl_value *d = page_data(ctx, "Contact the member");
	set_compose(ctx, d, c);
	tpl_set_str(d, "handle", t->handle);
	tpl_set_int(d, "post_id", t->post_id);
	page_render(ctx, "conversation_checkin", d);
}

void page_checkin_form(struct hctx *ctx)
{
	struct checkin t;
	if (!checkin_target(ctx, &t))
		return;
	struct compose c = { .body = page_text_lf(ctx->arena, page_field(ctx, "body")) };
	checkin_render(ctx, &t, &c);
}

void page_checkin_post(struct hctx *ctx)
{
	struct checkin t;
	if (!checkin_target(ctx, &t))
		return;
	struct compose c = { .body = page_text_lf(ctx->arena, page_field(ctx, "body")) };
	const char *why = check_body(c.body);
	if (why) {
		page_form_error(ctx, 422, why);
		checkin_render(ctx, &t, &c);
		return;
	}
	if (!sender_allowed(ctx, true, true)) {
		checkin_render(ctx, &t, &c);
		return;
	}
	struct screen_outcome so;
	if (!compose_ready(ctx, &c, &so)) {
		checkin_render(ctx, &t, &c);
		return;
	}
	const char *html = page_markdown(ctx, c.body);
	if (!html) {
		page_form_error(ctx, 500, "The message could not be prepared. Your text is kept below; please try again.");
		checkin_render(ctx, &t, &c);
		return;
	}
	const char *me = ll(ctx->arena, ctx->req->session->user_id), *pid = ll(ctx->arena, t.post_id);
	const char *conv = NULL, *mid = NULL;
	enum db_err e = db_begin(ctx->db);
	const char *pc[] = { me, "true", pid };
	PGresult *r = e == DB_OK ? db_exec(ctx->db, ctx->arena, DB_CONV_CREATE, pc, &e) : NULL;
	if (r)
		conv = arena_strdup(ctx->arena, db_val(r, 0, 0));
	const char *pm[] = { conv, me };
	const char *po[] = { conv, ll(ctx->arena, t.user_id) };
	step(ctx, DB_CONV_MEMBER_ADD, pm, &e);
	step(ctx, DB_CONV_MEMBER_ADD, po, &e);
	add_message(ctx, conv, true, c.body, html, &so, &mid, &e);
	audit_add(ctx, "checkin", ll(ctx->arena, t.user_id), t.handle, "Started a check-in conversation",
	          arena_printf(ctx->arena, "conversation %s about post %s", conv ? conv : "?", pid), &e);
	if (e == DB_OK)
		e = db_commit(ctx->db);
	if (e != DB_OK) {
		db_rollback(ctx->db);
		page_form_error(ctx, page_db_transient(e) ? 503 : 422,
		                "The message could not be sent just now. Your text is kept below; please try again.");
		checkin_render(ctx, &t, &c);
		return;
	}
	after_send(ctx, conv, mid, &so);
}
