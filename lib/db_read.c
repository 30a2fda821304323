/* db_read.c: see db_read.h. */
#include "db_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define KEYSET_START_AT "infinity"
#define KEYSET_START_ID "9223372036854775807"

static const char *const state_names[READ_STATE__MAX] = {
	[READ_VISIBLE] = "visible",
	[READ_HELD] = "held",
	[READ_HIDDEN] = "hidden",
	[READ_DELETED] = "deleted",
};

/* An unknown state reads as the most restrictive one. */
static enum read_state state_from(const char *s)
{
	for (int i = 0; i < READ_STATE__MAX; i++)
		if (s && strcmp(s, state_names[i]) == 0)
			return (enum read_state)i;
	return READ_DELETED;
}

static bool flag(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v && v[0] == 't';
}

static const char *ll(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

static const char *viewer_id(arena *a, const struct read_viewer *v)
{
	return v->user_id ? ll(a, v->user_id) : NULL;
}

static const char *viewer_mod(const struct read_viewer *v)
{
	return v->moderator ? "t" : "f";
}

static void when_fill(const PGresult *r, int row, int col, struct read_when *w)
{
	w->iso = db_val(r, row, col);
	w->age = db_ll(r, row, col + 1);
}

/* ---- cursors and times ---- */

static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* "YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z": strict, so PostgreSQL never sees a value
 * it would refuse. Returns the length used, or 0. */
static size_t iso_parse(const char *s)
{
	int y, mo, d, h, mi, se;
	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59)
		return 0;
	size_t n = 19;
	if (s[n] == '.') {
		size_t f = 0;
		while (f < 6 && s[n + 1 + f] >= '0' && s[n + 1 + f] <= '9')
			f++;
		if (f == 0)
			return 0;
		n += 1 + f;
	}
	return s[n] == 'Z' ? n + 1 : 0;
}

bool db_read_cursor_parse(arena *a, const char *s, struct read_cursor *out)
{
	if (!s)
		return false;
	size_t n = iso_parse(s);
	if (n == 0 || s[n] != ',')
		return false;
	const char *id = s + n + 1;
	size_t idlen = strlen(id);
	if (idlen == 0 || idlen > 18 || strspn(id, "0123456789") != idlen)
		return false;
	out->at = arena_strndup(a, s, n);
	out->id = strtoll(id, NULL, 10);
	return true;
}

const char *db_read_cursor_format(arena *a, const struct read_when *when, long long id)
{
	return arena_printf(a, "%s,%lld", when->iso ? when->iso : "", id);
}

const char *db_read_date(arena *a, const struct read_when *when)
{
	static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		"Sep", "Oct", "Nov", "Dec" };
	int y, mo, d;
	const char *iso = when->iso;
	if (!iso || !iso_parse(iso) || !digits(iso, 4, &y) || !digits(iso + 5, 2, &mo) ||
	    !digits(iso + 8, 2, &d))
		return "";
	return arena_printf(a, "%d %s %d", d, months[mo - 1], y);
}

const char *db_read_ago(arena *a, const struct read_when *when)
{
	long long s = when->age;
	if (s < 60)
		return "just now";
	if (s < 3600)
		return s < 120 ? "1 minute ago" : arena_printf(a, "%lld minutes ago", s / 60);
	if (s < 86400)
		return s < 7200 ? "1 hour ago" : arena_printf(a, "%lld hours ago", s / 3600);
	if (s < 30 * 86400)
		return s < 2 * 86400 ? "1 day ago" : arena_printf(a, "%lld days ago", s / 86400);
	return arena_printf(a, "on %s", db_read_date(a, when));
}

const char *db_read_exact(arena *a, const struct read_when *when)
{
	if (!when->iso || !iso_parse(when->iso))
		return "";
	return arena_printf(a, "%.10s %.5s UTC", when->iso, when->iso + 11);
}

const char *db_read_datetime(arena *a, const struct read_when *when)
{
	if (!when->iso || !iso_parse(when->iso))
		return "";
	return arena_printf(a, "%.19sZ", when->iso);
}

/* ---- paths ---- */

static const char *path_text(arena *a, const struct read_path *p)
{
	buf b;
	buf_init(&b, a, 16 + p->len * 12);
	buf_putc(&b, '{');
	for (size_t i = 0; i < p->len; i++)
		buf_printf(&b, i ? ",%lld" : "%lld", p->ids[i]);
	buf_putc(&b, '}');
	return b.data;
}

/* PostgreSQL's text form of a bigint[]: "{1,2,3}". */
static bool path_parse(arena *a, const char *s, struct read_path *out)
{
	if (!s || *s != '{')
		return false;
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	long long *ids = ARENA_NEW_ARRAY(a, long long, n);
	size_t len = 0;
	const char *p = s + 1;
	while (*p && *p != '}') {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p || len == n)
			return false;
		ids[len++] = v;
		p = *end == ',' ? end + 1 : end;
	}
	out->ids = ids;
	out->len = len;
	return len > 0;
}

/* ---- category page ---- */

static enum db_err thread_items(db *d, arena *a, const PGresult *r, int n, bool pinned,
                                struct read_thread_item **out, size_t *count);

enum db_err db_read_category_threads(db *d, arena *a, long long category_id,
                                     const struct read_cursor *before, const struct read_viewer *v,
                                     struct read_thread_item **out, size_t *count, bool *more)
{
	enum db_err err;
	const char *params[] = { ll(a, category_id), before ? before->at : KEYSET_START_AT,
	                         before ? ll(a, before->id) : KEYSET_START_ID, viewer_id(a, v), viewer_mod(v),
	                         ll(a, READ_LIST_PAGE + 1) };
	PGresult *r = db_exec(d, a, DB_READ_CATEGORY_THREADS, params, &err);
	if (!r)
		return err;
	int n = PQntuples(r);
	*more = n > READ_LIST_PAGE;
	if (*more)
		n = READ_LIST_PAGE;
	return thread_items(d, a, r, n, false, out, count);
}

enum db_err db_read_category_pinned(db *d, arena *a, long long category_id, const struct read_viewer *v,
                                    struct read_thread_item **out, size_t *count)
{
	enum db_err err;
	const char *params[] = { ll(a, category_id), viewer_id(a, v), viewer_mod(v), ll(a, READ_PINNED_MAX) };
	PGresult *r = db_exec(d, a, DB_READ_CATEGORY_PINNED, params, &err);
	if (!r)
		return err;
	return thread_items(d, a, r, PQntuples(r), true, out, count);
}

/* The first n rows of READ_CATEGORY_THREADS's columns (READ_CATEGORY_PINNED has the same). */
static enum db_err thread_items(db *d, arena *a, const PGresult *r, int n, bool pinned,
                                struct read_thread_item **out, size_t *count)
{
	*out = ARENA_NEW_ARRAY(a, struct read_thread_item, n ? (size_t)n : 1);
	for (int i = 0; i < n; i++) {
		struct read_thread_item *t = &(*out)[i];
		t->id = db_int(d, r, i, 0);
		t->title = db_text(d, r, i, 1);
		t->author = db_val(r, i, 2);     /* NULL: a deleted member, or anonymous */
		/* Required: a statement without the column would sign every
		 * anonymous thread with its author's handle (READ_CATEGORY_PINNED
		 * did). */
		t->anonymous = db_bool(d, r, i, 10);
		t->replies = db_int(d, r, i, 3);
		t->state = state_from(db_text(d, r, i, 4));
		t->locked = flag(r, i, 5);
		when_fill(r, i, 6, &t->last);
		t->unread = PQgetisnull(r, i, 8) ? 0 : db_int(d, r, i, 8);
		t->first_unread = PQgetisnull(r, i, 9) ? 0 : db_int(d, r, i, 9);
		t->pinned = pinned;
	}
	*count = (size_t)n;
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

/* ---- thread page ---- */

/* READ_THREAD's columns, from column c on (SESSION_THREAD_LOOKUP has the
 * same after the session's). */
static bool thread_fill(db *d, const PGresult *r, int c, struct read_thread *out)
{
	if (PQntuples(r) != 1 || !db_val(r, 0, c + 7))
		return false;
	out->id = db_int(d, r, 0, c);
	out->title = db_text(d, r, 0, c + 1);
	out->state = state_from(db_text(d, r, 0, c + 2));
	out->locked = db_bool(d, r, 0, c + 3);
	out->user_id = db_ll(r, 0, c + 4);      /* NULL: the author's account is gone */
	out->category_slug = db_text(d, r, 0, c + 5);
	out->category_name = db_text(d, r, 0, c + 6);
	out->opening_id = db_int(d, r, 0, c + 7);
	return true;
}

enum db_err db_read_thread(db *d, arena *a, long long id, const struct read_viewer *v,
                           struct read_thread *out, bool *found)
{
	enum db_err err;
	const char *params[] = { ll(a, id), viewer_id(a, v), viewer_mod(v) };
	PGresult *r = db_exec(d, a, DB_READ_THREAD, params, &err);
	if (!r)
		return err;
	*found = thread_fill(d, r, 0, out);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

bool db_read_thread_member(db *d, arena *a, const PGresult *r, int c, struct read_thread *out,
                           struct read_member_view *mv)
{
	if (!thread_fill(d, r, c, out))
		return false;
	mv->version = db_int(d, r, 0, c + 8);
	mv->unseen_own = db_bool(d, r, 0, c + 9);
	mv->cw_open = db_bool(d, r, 0, c + 13);
	mv->private_space = db_bool(d, r, 0, c + 14);
	mv->nsupported = 0;
	mv->supported = NULL;
	mv->level = PQgetisnull(r, 0, c + 11) ? NULL : db_val(r, 0, c + 11);
	mv->mark_read = !PQgetisnull(r, 0, c + 12);
	mv->first_unread = mv->mark_read ? db_int(d, r, 0, c + 12) : 0;
	const char *list = db_val(r, 0, c + 10);
	if (!list)
		return true;
	size_t n = 1;
	for (const char *p = list; *p; p++)
		n += *p == ',';
	mv->supported = ARENA_NEW_ARRAY(a, long long, n);
	for (const char *p = list; *p; ) {
		char *end;
		mv->supported[mv->nsupported++] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end + strlen(end);
	}
	return true;
}

bool db_read_may_see_thread(enum read_state state, long long author_id, const struct read_viewer *v)
{
	switch (state) {
	case READ_VISIBLE:
		return true;
	case READ_HELD:
	case READ_HIDDEN:
		return v->moderator || (v->user_id && v->user_id == author_id);
	case READ_DELETED:
		return v->moderator;
	case READ_STATE__MAX:
		break;
	}
	abort();
}

bool db_read_may_see_post(enum read_state state, long long author_id, const struct read_viewer *v)
{
	switch (state) {
	case READ_VISIBLE:
	case READ_DELETED:
		return true;
	case READ_HELD:
	case READ_HIDDEN:
		return v->moderator || (v->user_id && v->user_id == author_id);
	case READ_STATE__MAX:
		break;
	}
	abort();
}

enum read_state db_read_state(const char *name)
{
	return state_from(name);
}

bool db_read_thread_visible(const struct read_thread *t, const struct read_viewer *v)
{
	return db_read_may_see_thread(t->state, t->user_id, v);
}

enum db_err db_read_posts(db *d, arena *a, long long thread_id, const struct read_path *root,
                          long long after, const struct read_viewer *v,
                          struct read_post **out, size_t *count, bool *more)
{
	enum db_err err;
	const char *params[] = { ll(a, thread_id), path_text(a, root), ll(a, after), viewer_id(a, v),
	                         viewer_mod(v), ll(a, READ_FOLD_DEPTH), ll(a, READ_PAGE_POSTS),
	                         ll(a, READ_PAGE_CAP) };
	PGresult *r = db_exec(d, a, DB_READ_POSTS, params, &err);
	if (!r)
		return err;
	int n = PQntuples(r);
	*more = n > 0 && flag(r, 0, 14);
	*out = ARENA_NEW_ARRAY(a, struct read_post, n ? (size_t)n : 1);
	for (int i = 0; i < n; i++) {
		struct read_post *p = &(*out)[i];
		p->id = db_int(d, r, i, 0);
		p->parent_id = db_ll(r, i, 1);           /* NULL: the opening post */
		p->depth = (int)db_int(d, r, i, 2);
		p->user_id = db_ll(r, i, 3);
		p->author = db_val(r, i, 4);
		p->state = state_from(db_text(d, r, i, 5));
		p->body_html = db_val(r, i, 6);          /* NULL: not for this reader */
		p->hide_reason = db_val(r, i, 7);
		when_fill(r, i, 8, &p->created);
		p->edited = flag(r, i, 10);
		p->support_count = db_int(d, r, i, 11);
		p->supported = flag(r, i, 12);
		p->folded = flag(r, i, 13);
		p->warning = db_val(r, i, 15);          /* NULL: none, or not for this reader */
		p->anonymous = flag(r, i, 16);
	}
	*count = (size_t)n;
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

/* ---- permalinks ---- */

enum db_err db_read_locate(db *d, arena *a, long long post_id, struct read_location *out, bool *found)
{
	enum db_err err;
	const char *params[] = { ll(a, post_id) };
	PGresult *r = db_exec(d, a, DB_READ_LOCATE, params, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1 && path_parse(a, db_val(r, 0, 2), &out->path);
	if (!*found)
		return DB_OK;
	out->post_id = db_int(d, r, 0, 0);
	out->thread_id = db_int(d, r, 0, 1);
	out->state = state_from(db_text(d, r, 0, 3));
	out->user_id = db_ll(r, 0, 4);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_read_place(db *d, arena *a, long long thread_id, const struct read_path *root,
                          const struct read_path *path, const struct read_viewer *v, long long *after,
                          bool *cut)
{
	if (root->len >= path->len)
		abort();
	enum db_err err;
	long long group = path->ids[root->len];
	const char *params[] = { ll(a, thread_id), path_text(a, root), ll(a, group), path_text(a, path),
	                         ll(a, READ_FOLD_DEPTH), ll(a, READ_PAGE_POSTS), ll(a, READ_PAGE_CAP),
	                         viewer_id(a, v), viewer_mod(v) };
	PGresult *r = db_exec(d, a, DB_READ_PLACE, params, &err);
	if (!r)
		return err;
	*after = flag(r, 0, 0) ? 0 : group - 1;
	/* The root is the page's first row. */
	*cut = db_int(d, r, 0, 1) + 1 >= READ_PAGE_CAP;
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

/* ---- member pages ---- */

enum db_err db_read_member(db *d, arena *a, const char *handle, struct read_member *out, bool *found)
{
	enum db_err err;
	const char *params[] = { handle };
	PGresult *r = db_exec(d, a, DB_READ_MEMBER, params, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	if (!*found)
		return DB_OK;
	out->id = db_int(d, r, 0, 0);
	out->handle = db_text(d, r, 0, 1);
	when_fill(r, 0, 2, &out->since);
	out->posts_hidden = db_bool(d, r, 0, 4);
	out->away = db_bool(d, r, 0, 5);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

bool db_read_may_see_profile(bool profiles_public, const struct read_viewer *v)
{
	return profiles_public || v->user_id != 0;
}

bool db_read_may_list_posts(const struct read_member *m, bool profiles_public, const struct read_viewer *v)
{
	if (!db_read_may_see_profile(profiles_public, v))
		return false;
	return !m->posts_hidden || v->user_id == m->id || v->moderator;
}

static void post_items(db *d, const PGresult *r, arena *a, struct read_post_item **out, size_t *count,
                       bool *more)
{
	int n = PQntuples(r);
	*more = n > READ_LIST_PAGE;
	if (*more)
		n = READ_LIST_PAGE;
	*out = ARENA_NEW_ARRAY(a, struct read_post_item, n ? (size_t)n : 1);
	for (int i = 0; i < n; i++) {
		struct read_post_item *p = &(*out)[i];
		p->id = db_int(d, r, i, 0);
		p->thread_id = db_int(d, r, i, 1);
		p->thread_title = db_text(d, r, i, 2);
		p->author = db_val(r, i, 3);
		p->excerpt = db_val(r, i, 4);
		p->cut = flag(r, i, 5);
		p->state = state_from(db_text(d, r, i, 6));
		when_fill(r, i, 7, &p->created);
		p->warning = db_val(r, i, 9);
		p->anonymous = flag(r, i, 10);
	}
	*count = (size_t)n;
}

enum db_err db_read_member_posts(db *d, arena *a, long long user_id, const struct read_cursor *before,
                                 const struct read_viewer *v, struct read_post_item **out,
                                 size_t *count, bool *more)
{
	enum db_err err;
	const char *params[] = { ll(a, user_id), before ? before->at : KEYSET_START_AT,
	                         before ? ll(a, before->id) : KEYSET_START_ID, viewer_id(a, v), viewer_mod(v),
	                         ll(a, READ_LIST_PAGE + 1) };
	PGresult *r = db_exec(d, a, DB_READ_MEMBER_POSTS, params, &err);
	if (!r)
		return err;
	post_items(d, r, a, out, count, more);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_read_replies_to(db *d, arena *a, const struct read_cursor *before,
                               const struct read_viewer *v, struct read_post_item **out,
                               size_t *count, bool *more)
{
	enum db_err err;
	const char *params[] = { ll(a, v->user_id), before ? before->at : KEYSET_START_AT,
	                         before ? ll(a, before->id) : KEYSET_START_ID, viewer_mod(v),
	                         ll(a, READ_LIST_PAGE + 1) };
	PGresult *r = db_exec(d, a, DB_READ_REPLIES_TO, params, &err);
	if (!r)
		return err;
	post_items(d, r, a, out, count, more);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}
