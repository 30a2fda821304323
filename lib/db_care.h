/*
 * db_care.h: care and privacy for members (issue 13): their own settings
 * (post list hidden, content warnings always open), recovery codes, a
 * moderator's content warning on a post. Statements: db_sql_care.def;
 * tables: sql/012_care.sql.
 *
 * Functions return DB_OK or the db_exec error; "in the caller's
 * transaction" means between db_begin() and db_commit(), the caller rolls
 * back on error. Results are arena-owned.
 *
 * Recovery codes: CARE_CODES codes of CARE_CODE_CHARS characters from an
 * alphabet without look-alikes (no 0/O, 1/I/L), about 78 bits each, shown
 * as XXXX-XXXX-XXXX-XXXX. Only the SHA-256 of the normalized code (upper
 * case, dashes and spaces dropped) is stored; a code works once.
 */
#ifndef HEARTH_DB_CARE_H
#define HEARTH_DB_CARE_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

#define CARE_CODES 10
#define CARE_CODE_CHARS 16
#define CARE_WARNING_MAX 100            /* characters of a content warning */

struct care_settings {
	bool posts_hidden;              /* the profile's post list is theirs alone */
	bool cw_always_open;            /* content warnings open by themselves */
	bool mute_crisis;               /* threads with a crisis flag left out of their lists */
	/* db_care_settings_set only: slugs of the categories muted ("a,b";
	 * "" or NULL: none). */
	const char *muted_slugs;
};

/* A category as the settings page shows it, with whether the member mutes it. */
struct care_mute {
	const char *slug, *name;
	bool muted;
};

/* *found is false when the account is gone. */
enum db_err db_care_settings(db *d, arena *a, long long user_id, struct care_settings *out, bool *found);
enum db_err db_care_settings_set(db *d, arena *a, long long user_id, const struct care_settings *s,
                                 bool *found);
/* Whether the member mutes category category_id (*category) and threads
 * with a crisis flag (*crisis); both false for a gone account. */
enum db_err db_care_muted_here(db *d, arena *a, long long user_id, long long category_id, bool *category,
                               bool *crisis);
/* Every category in the home page's order with the member's mute. */
enum db_err db_care_mutes(db *d, arena *a, long long user_id, struct care_mute **out, size_t *count);

/* In the caller's transaction: replaces the member's codes with CARE_CODES
 * new ones; codes[i] gets each, formatted (arena-owned), to show once. */
enum db_err db_care_codes_new(db *d, arena *a, long long user_id, const char *codes[CARE_CODES]);
/* *current is true when the n typed codes are all unused codes of the member. */
enum db_err db_care_codes_current(db *d, arena *a, long long user_id, const char *const codes[], size_t n,
                                  bool *current);
enum db_err db_care_codes_left(db *d, arena *a, long long user_id, long long *left);
/* In the caller's transaction: uses code (as typed) of the member; *ok is
 * false when it is not one of theirs (or was used). */
enum db_err db_care_code_use(db *d, arena *a, long long user_id, const char *code, bool *ok);
/* The normalized form of a typed code, or NULL when it cannot be one. */
const char *care_code_normalize(arena *a, const char *typed);

/* In the caller's transaction: ends every session of the member. */
enum db_err db_care_sessions_end_all(db *d, arena *a, long long user_id);

/* In the caller's transaction: a moderator sets (warning non-NULL) or
 * clears a post's content warning. *old gets the previous one (NULL:
 * none); *found is false when there is no such post. */
enum db_err db_care_warning_set(db *d, arena *a, long long post_id, const char *warning,
                                const char **old, long long *author_id, bool *found);

/* Breaks: a member pauses their account for CARE_BREAK_MIN_DAYS to
 * CARE_BREAK_MAX_DAYS days; their profile shows them as away meanwhile. */
#define CARE_BREAK_MIN_DAYS 1
#define CARE_BREAK_MAX_DAYS 92

/* In the caller's transaction: starts a break of days and ends every
 * session; *until gets the last day ("2026-12-24"). */
enum db_err db_care_break_start(db *d, arena *a, long long user_id, int days, const char **until, bool *found);
/* At log-in: ends the member's break if they were on one (*was_away), and
 * says whether it had run its course (*over) or they came back early. */
enum db_err db_care_break_end(db *d, arena *a, long long user_id, bool *was_away, bool *over);

#endif
