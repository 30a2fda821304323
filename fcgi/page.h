/*
 * page.h: what a handler gets and the helpers every page uses.
 *
 * A handler fills ctx->resp, normally through page_render() (a template with
 * the site-wide values already set) or page_error() (a themed error page).
 * Handlers never write bytes themselves and never free anything: all memory
 * is the request arena's.
 */
#ifndef HEARTH_PAGE_H
#define HEARTH_PAGE_H

#include "conf.h"
#include "crisis.h"
#include "db.h"
#include "db_category.h"
#include "db_read.h"
#include "mod.h"
#include "request.h"
#include "tpl.h"

/* Who wrote an anonymous post, as every reader is told (sql/018_anonymous.sql). */
#define PAGE_ANON_AUTHOR "a member who chose to stay anonymous"

struct worker;
struct route_form;

struct hctx {
	const conf *conf;
	const tpl_theme *theme;
	db *db;
	arena *arena;
	struct request *req;
	struct response *resp;
	const struct crisis_list *crisis;
	const mod_ruleset *rules;
	/* Set before a form handler runs again after a refused POST: what was
	 * wrong, shown at the top of the form (the status is already set). */
	const char *form_error;
	/* Set by the dispatcher for a member's thread page: the session look-up
	 * row with the thread (session_lookup_thread). */
	const PGresult *member_thread;
	/* Set by the dispatcher for a POST: the route's declared form, which
	 * page_refill() gives back when the request is refused. */
	const struct route_form *form;
	/* Set by the dispatcher when this page may be stored for nginx. */
	long long cache_thread_id;
	long long cache_version;
	/* Set by the dispatcher: the matched route row (route_slot), -1 none. */
	int route_slot;
};

/*
 * A map with the values every page needs:
 *   site_name, title, me (map: id, handle, is_moderator, unread (count of
 *   unread notifications) and unread_text ("3", "99+"); missing when
 *   anonymous), csrf (for a member: the token forms carry in their hidden
 *   "csrf" field; anonymous form pages set it with page_csrf), form_error.
 */
tpl_value *page_data(struct hctx *ctx, const char *title);

/* The CSRF token for a form: the session's, or before log-in the "hc"
 * cookie's (set on this response when the browser has none). Only pages with
 * a form for anonymous visitors call it, so other pages set no cookie. */
const char *page_csrf(struct hctx *ctx);

/* Who is reading, for the visibility rules of lib/db_read.h. */
struct read_viewer page_viewer(struct hctx *ctx);

/* Sets iso, exact and ago (relative) of a time in m. */
void page_set_when(tpl_value *m, arena *a, const struct read_when *w);

/* A count with its noun, singular or plural as English wants: "0 threads",
 * "1 thread", "2 threads" (arena-owned). */
const char *page_count(arena *a, long long n, const char *one, const char *many);

/* Markdown to sanitized HTML (lib/markdown.h), copied into the arena; NULL
 * (and a log line) on failure. */
const char *page_markdown(struct hctx *ctx, const char *md);

/* True when s is empty or only spaces, tabs and line breaks. */
bool page_blank(const char *s);

/* s with CRLF and lone CR turned into LF (browsers send CRLF from a
 * textarea; posts are stored with LF), in the arena. */
char *page_text_lf(arena *a, const char *s);

/* The value of form field name as typed, or "" (never NULL). */
const char *page_field(struct hctx *ctx, const char *name);

/* Marks the request as a refused form: status and message; the caller then
 * renders its form (with page_field values, so nothing typed is lost). */
void page_form_error(struct hctx *ctx, int status, const char *message);

/* Gives a refused POST's form back: a page rebuilt from the submitted fields
 * ONLY (ctx->form's declarations; passwords never echoed), with status, the
 * message and a button that sends it again to the same address. Reads
 * nothing from the database, so it cannot show anything the asker may not
 * see. Without a declared form (a GET, or a row without one) it is a plain
 * error page with the message. */
void page_refill(struct hctx *ctx, int status, const char *message);

/* A POST its handler refuses with a plain error page (no post, no category
 * at this address, not theirs to change): when the asker typed something in
 * a text field of the route's form, the page is page_refill()'s instead,
 * with status, message and their text, so that nothing written is lost. It
 * reads nothing, so a thing the asker may not see and one that never
 * existed still get the same answer. Otherwise page_error(). */
void page_refuse(struct hctx *ctx, int status, const char *title, const char *message);

/* Once the asker passed the route's checks: the route's form page again
 * with status and message (ctx->form->form_page), or page_refill(). */
void page_form_again(struct hctx *ctx, int status, const char *message);

/* Sets "cw_open" in m to "open" when the member asking opens content
 * warnings always (/me/settings), for a page that quotes a post under its
 * warning. Unset (closed) for a visitor, and when the setting cannot be
 * read: the warning stays in front of the text. */
void page_set_cw_open(struct hctx *ctx, tpl_value *m);
/* Sets "crisis" in d: region, emergency and the list of resources, for the
 * crisis_panel fragment. */
void page_set_crisis(struct hctx *ctx, tpl_value *d);
/* Sets "guidance" in d (paragraphs {text} of the note for repliers, for
 * the reply_guidance fragment) when thread thread_id has a visible post
 * with a crisis flag (THREAD_HAS_CRISIS). It depends on the thread only,
 * never on the reader: it belongs in shared renders. Returns the db_exec
 * error, DB_OK otherwise. */
enum db_err page_set_guidance(struct hctx *ctx, long long thread_id, tpl_value *d);

/* The category of the address (req->slug) into *cat; otherwise answers
 * itself: 503/500 on a database error, 404 with `missing` (what to do) when
 * there is none. */
bool page_category_or_error(struct hctx *ctx, struct category *cat, const char *missing);

/* Maps a database error to 503 (down) or 500, with a calm themed page; a
 * refused POST gets its form back with the text (page_refill). */
void page_db_error(struct hctx *ctx, enum db_err err);
/* True for a failure that sending the same request again may cure (the database was unreachable,
 * or busy with a conflicting write): answered with 503, the form's text kept. */
static inline bool page_db_transient(enum db_err err)
{
	return err == DB_ERR_DOWN || err == DB_ERR_BUSY;
}

/* Renders template `name` with data as the response body (status 200 unless
 * already set). */
void page_render(struct hctx *ctx, const char *name, tpl_value *data);

/* Renders layout.html around content (a page body from stored parts, see
 * fcgi/skeleton.h) with data as the response body (status 200). */
void page_render_layout(struct hctx *ctx, tpl_value *data, const char *content, size_t len);

/* Moderator tools (page_modtools.c). What a silenced member is told when a
 * post, reply, edit or message is refused: that posting is paused, until
 * when, and that their text is kept. */
const char *page_silenced_text(struct hctx *ctx);
/* Sets "restriction" in d (the member's own page) when the asker is
 * silenced: that posting is paused and until when. */
void page_set_restriction(struct hctx *ctx, tpl_value *d);
/* Sets "mod_thread" in d (mod_thread.html: lock, move, pin) when the asker is
 * a moderator; a database error only leaves it out. */
void page_mod_thread_panel(struct hctx *ctx, long long thread_id, tpl_value *d);

/* A themed error page: status, a short title and what to do. */
void page_error(struct hctx *ctx, int status, const char *title, const char *message);

/* A 303 redirect to a local path (must start with '/'). */
void page_redirect(struct hctx *ctx, const char *path);

/* The reason phrase for a status code. */
const char *http_reason(int status);

#endif
