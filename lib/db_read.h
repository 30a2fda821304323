/*
 * db_read.h: what readers see. Category listings, thread pages (one ordered
 * query per page), permalinks, member pages and "replies to me".
 *
 * Every function takes the asker (struct read_viewer) and applies the
 * visibility rules in SQL, so a row a reader may not see never leaves the
 * database with its text:
 *
 *   thread   visible: everyone; held, hidden: its author and moderators;
 *            deleted: moderators only. A category lists to a member their
 *            own held threads, to moderators held and hidden ones.
 *   post     visible: everyone; held, hidden: body and hide_reason only for
 *            its author and moderators; deleted: never a body (tombstone).
 *
 * The thread page's tree rules (placeholders, folding) are the page's; this
 * module returns rows in path order with what the page needs to decide.
 *
 * All results are arena-owned: strings point into PGresults tied to the
 * arena. Functions return DB_OK or the db_exec error; "not found" is a
 * DB_OK with *found false.
 */
#ifndef HEARTH_DB_READ_H
#define HEARTH_DB_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

#define READ_LIST_PAGE 30       /* threads, member posts, replies a page */
#define READ_PAGE_POSTS 50      /* posts a thread page aims at */
#define READ_PAGE_CAP 300       /* at most this many rows however big a subtree */
#define READ_FOLD_DEPTH 8       /* reply levels shown below a page's root */

enum read_state { READ_VISIBLE, READ_HELD, READ_HIDDEN, READ_DELETED, READ_STATE__MAX };

/* Who asks: user_id 0 is an anonymous reader. */
struct read_viewer {
	long long user_id;
	bool moderator;
};

/* A moment: ISO 8601 UTC (microseconds, as stored) and its age in seconds
 * at query time (negative when the clocks disagree). */
struct read_when {
	const char *iso;
	long long age;
};

/* A keyset position in a newest-first list: (at, id) of the last row shown.
 * Text form "2025-11-26T10:00:00.123456Z,42". */
struct read_cursor {
	const char *at;         /* ISO timestamp, validated */
	long long id;
};

/* Parses a cursor; false when s is malformed (the page answers 400). */
bool db_read_cursor_parse(arena *a, const char *s, struct read_cursor *out);
/* The text form of (when->iso, id) for the next page's link. */
const char *db_read_cursor_format(arena *a, const struct read_when *when, long long id);

/* "just now", "5 minutes ago", "3 hours ago", "2 days ago", then
 * "on 5 Mar 2025"; and the exact form for a title ("2025-03-05 14:03 UTC"). */
const char *db_read_ago(arena *a, const struct read_when *when);
const char *db_read_exact(arena *a, const struct read_when *when);
/* The day: "5 Mar 2025". */
const char *db_read_date(arena *a, const struct read_when *when);
/* The value for <time datetime>: whole seconds ("2025-03-05T14:03:09Z"). */
const char *db_read_datetime(arena *a, const struct read_when *when);

/* ---- category page ---- */

struct read_thread_item {
	long long id;
	const char *title;
	const char *author;             /* NULL: deleted member, or anonymous */
	bool anonymous;                 /* posted anonymously (sql/018): no author for anyone */
	long long replies;
	enum read_state state;
	bool locked;
	struct read_when last;          /* last activity */
	/* For a member, in a thread they track or watch: visible posts by
	 * others since they last read it, and the first of them (0: none). */
	long long unread;
	long long first_unread;
	bool pinned;                    /* from db_read_category_pinned */
};

/* Threads of a category by last activity, newest first, after cursor (NULL:
 * from the start). *more is true when an older page exists. */
enum db_err db_read_category_threads(db *d, arena *a, long long category_id,
                                     const struct read_cursor *before, const struct read_viewer *v,
                                     struct read_thread_item **out, size_t *count, bool *more);

/* The category's pinned threads (sql/019_modtools.sql), newest pin first, at most
 * READ_PINNED_MAX, by the same rules; db_read_category_threads() leaves them out. */
#define READ_PINNED_MAX 20
enum db_err db_read_category_pinned(db *d, arena *a, long long category_id, const struct read_viewer *v,
                                    struct read_thread_item **out, size_t *count);

/* ---- thread page ---- */

struct read_thread {
	long long id;
	const char *title;
	enum read_state state;
	bool locked;
	long long user_id;              /* 0: deleted member */
	long long opening_id;
	const char *category_slug;
	const char *category_name;
};

/* The thread header, whatever its state: the caller applies
 * db_read_thread_visible(). A group's thread (sql/017_groups.sql) is not
 * found unless its group admits v (an active member, or a moderator): the
 * space part of the rule below is applied in the query itself. */
enum db_err db_read_thread(db *d, arena *a, long long id, const struct read_viewer *v,
                           struct read_thread *out, bool *found);
bool db_read_thread_visible(const struct read_thread *t, const struct read_viewer *v);

/*
 * THE visibility rule, for every path that reads one thread or post by id
 * (thread pages, permalinks, write forms and their refusals, reports,
 * revisions): may viewer v learn that it exists and read its text?
 *   thread: visible: everyone; held, hidden: its author and moderators;
 *           deleted: moderators.
 *   post:   visible, deleted (a tombstone, no text): everyone; held,
 *           hidden: its author and moderators.
 * Anything else answers 404, the same as a post that never existed. The
 * list queries (db_sql_read.def) state the same rule in SQL.
 * And the space: a group's threads and posts exist only for the group's
 * active members and the site moderators (GROUP_SPACE_OK in db_sql.def,
 * applied by every statement that reads a thread or post for someone:
 * READ_THREAD, SESSION_THREAD_LOOKUP, POST_FOR_WRITE, the lists; public
 * lists such as the home page, search and feeds leave group threads out).
 */
bool db_read_may_see_thread(enum read_state state, long long author_id, const struct read_viewer *v);
bool db_read_may_see_post(enum read_state state, long long author_id, const struct read_viewer *v);
/* "visible", "held", ... -> the enum; anything unknown reads as deleted. */
enum read_state db_read_state(const char *name);

/* What a member's page of a thread needs beyond the shared parts. */
struct read_member_view {
	long long version;              /* threads.version: changes with every write */
	bool unseen_own;                /* the member has a held or hidden post here */
	bool cw_open;                   /* they open content warnings always */
	long long *supported;           /* posts they said "I hear you" to, ascending */
	size_t nsupported;
	const char *level;              /* thread_prefs: "watch", "track", "mute"; NULL: none */
	bool mark_read;                 /* tracked or watched, with something since they last read it */
	long long first_unread;         /* then: the first visible post by someone else (0: none) */
	bool private_space;             /* a group's thread: never in stored parts (sql/017) */
};

/* Reads the thread and the member's state from a SESSION_THREAD_LOOKUP row
 * (lib/session.h), from column c on. False when there is no such thread. */
bool db_read_thread_member(db *d, arena *a, const PGresult *r, int c, struct read_thread *out,
                           struct read_member_view *mv);

struct read_post {
	long long id;
	long long parent_id;            /* 0 for the opening post */
	int depth;                      /* levels below the page's root (root: 0) */
	long long user_id;              /* 0: deleted member */
	const char *author;             /* NULL: deleted member, or anonymous */
	bool anonymous;                 /* posted anonymously (sql/018): no author for anyone */
	enum read_state state;
	const char *body_html;          /* sanitized; NULL when the asker may not read it */
	const char *hide_reason;        /* NULL unless hidden and the asker may read it */
	struct read_when created;
	bool edited;
	long long support_count;
	bool supported;                 /* the asker said "I hear you" */
	bool folded;                    /* at the fold depth with replies below it */
	const char *warning;            /* content warning, with the body; NULL: none */
};

/* A post's place: the ids from the opening post down to it. */
struct read_path {
	const long long *ids;
	size_t len;
};

/*
 * One page of a (sub)tree: the root post (the last id of root), then the
 * root's replies with their whole subtrees, grouped by the root's direct
 * replies ("groups") whose id is greater than after (0: from the first).
 * A page holds the groups that start within the first READ_PAGE_POSTS rows,
 * or the first group alone when it is bigger (cut at READ_PAGE_CAP rows).
 * Rows come in path order, down to READ_FOLD_DEPTH levels below the root;
 * *more is true when groups follow the page.
 */
enum db_err db_read_posts(db *d, arena *a, long long thread_id, const struct read_path *root,
                          long long after, const struct read_viewer *v,
                          struct read_post **out, size_t *count, bool *more);

/* ---- permalinks ---- */

struct read_location {
	long long post_id;
	long long thread_id;
	struct read_path path;
	enum read_state state;
	long long user_id;              /* the post's author, 0: deleted member */
};

enum db_err db_read_locate(db *d, arena *a, long long post_id, struct read_location *out, bool *found);

/* Where the pages of root show the post at path to viewer v (rows counted
 * as db_read_posts counts them for v), below its direct reply group: *after
 * is the page's "after" (0: the first page); *cut is true when the page
 * stops at READ_PAGE_CAP rows before reaching the post (it is then on the
 * pages of a deeper root). */
enum db_err db_read_place(db *d, arena *a, long long thread_id, const struct read_path *root,
                          const struct read_path *path, const struct read_viewer *v, long long *after,
                          bool *cut);

/* ---- member pages ---- */

struct read_member {
	long long id;
	const char *handle;
	struct read_when since;
	bool posts_hidden;              /* they keep their post list to themselves */
	bool away;                      /* on a break (sql/012_care.sql) */
};

/* Case-insensitive; deleted members are not found. */
enum db_err db_read_member(db *d, arena *a, const char *handle, struct read_member *out, bool *found);

/*
 * Who may see a member's profile and its post list (the operator's
 * profiles_public, the member's own choice):
 *   profile    profiles_public: everyone; otherwise logged-in members only.
 *   post list  as the profile, and when the member hid it, only themselves
 *              and the moderators.
 * Within the list, db_read_member_posts() applies the post rule above and
 * one more: a post with a crisis flag (top category crisis, from the
 * filter or a report) is listed only to its author and the moderators. The
 * post itself stays readable in its thread by the usual rule.
 */
bool db_read_may_see_profile(bool profiles_public, const struct read_viewer *v);
bool db_read_may_list_posts(const struct read_member *m, bool profiles_public, const struct read_viewer *v);

struct read_post_item {
	long long id;
	long long thread_id;
	const char *thread_title;
	const char *author;             /* NULL: deleted member, or anonymous */
	bool anonymous;                 /* posted anonymously (sql/018): no author for anyone */
	const char *excerpt;            /* Markdown source, text: escape it */
	bool cut;                       /* the excerpt is shorter than the post */
	enum read_state state;
	struct read_when created;
	const char *warning;            /* content warning, NULL: none */
};

/* A member's posts the asker may see, newest first, without the posts
 * with a crisis flag unless the asker is their author or a moderator. */
enum db_err db_read_member_posts(db *d, arena *a, long long user_id, const struct read_cursor *before,
                                 const struct read_viewer *v, struct read_post_item **out,
                                 size_t *count, bool *more);

/* Visible replies by others to posts of v->user_id, newest first. */
enum db_err db_read_replies_to(db *d, arena *a, const struct read_cursor *before,
                               const struct read_viewer *v, struct read_post_item **out,
                               size_t *count, bool *more);

#endif
