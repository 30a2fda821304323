/*
 * db_search.h: full-text search over posts and thread titles with
 * PostgreSQL's text search (sql/011_home_search.sql): websearch syntax
 * ("exact phrase", -word, or), best match first, keyset pages.
 *
 * Only visible posts in visible threads are ever returned, whoever asks:
 * held, hidden and deleted posts never leave the database, and redacted
 * words are gone from the indexed text. Snippets are ts_headline() output
 * with each hit between SEARCH_MARK_START and SEARCH_MARK_END (control
 * characters, never in a post); the page escapes every piece.
 *
 * Results are arena-owned; functions return DB_OK or the db_exec error.
 */
#ifndef HEARTH_DB_SEARCH_H
#define HEARTH_DB_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "db_read.h"

#define SEARCH_PAGE 20
#define SEARCH_QUERY_MAX 200    /* characters of a query */
#define SEARCH_MARK_START '\001'
#define SEARCH_MARK_END '\002'

/* Where the next page starts: the rank (PostgreSQL's real, as text) and
 * post id of the last result shown. Text form "0.0607927,42". */
struct search_cursor {
	const char *rank;
	long long id;
};

struct search_hit {
	long long post_id;
	long long thread_id;
	const char *title;
	const char *category_slug;
	const char *category_name;
	const char *author;             /* NULL: deleted member, or anonymous */
	bool anonymous;                 /* posted anonymously (sql/018) */
	const char *snippet;            /* with SEARCH_MARK_START / _END around hits; NULL with a warning */
	const char *warning;            /* the post's content warning, NULL: none. Then the
	                                 * result shows it in place of any of the text. */
	const char *rank;
	struct read_when when;          /* when the post was written */
};

/* False when s is not a cursor (the page answers 400). */
bool db_search_cursor_parse(arena *a, const char *s, struct search_cursor *out);
const char *db_search_cursor_format(arena *a, const struct search_hit *last);

/* What narrows a search; zero/NULL members mean "any". Dates are
 * "YYYY-MM-DD" (UTC days, validated by the caller): posts written on or
 * after from, and before the day after to. member_id filters by author;
 * the viewer then decides whether that author's crisis-flagged posts are
 * listed (only to themselves and moderators, as on their page). */
struct search_filter {
	long long category_id;
	long long member_id;
	const char *from;               /* first day, or NULL */
	const char *to_next;            /* the day after the last, or NULL */
	int window;                     /* rank the newest this many matches (0: 300) */
	struct read_viewer viewer;
};

/* Results for query after cursor (NULL: from the best). *more is true when
 * another page exists; *window_full when older matches exist that were not
 * ranked (more than f->window posts or titles match). f may be NULL: no
 * filter. */
enum db_err db_search(db *d, arena *a, const char *query, const struct search_cursor *after,
                      const struct search_filter *f, struct search_hit **out, size_t *count, bool *more,
                      bool *window_full);

/* The snippet of a post for a query: 30 words of body from 8 before the
 * first word that is a form of one of stems (the query's
 * words as PostgreSQL's english stemmer spells them, space-separated; NULL
 * or "": none), each such word between SEARCH_MARK_START and _END; the
 * post's first words when none is. Arena-owned. */
const char *db_search_snippet(arena *a, const char *body, const char *stems);

/* Whether s is a real day "YYYY-MM-DD" from 1970 to 9998; then *next gets
 * the following day in the same form (arena-owned). */
bool db_search_day_parse(arena *a, const char *s, const char **next);

#endif
