/*
 * db_user.h: members. Results are arena-owned.
 */
#ifndef HEARTH_DB_USER_H
#define HEARTH_DB_USER_H

#include <stdbool.h>

#include "db.h"

#define USER_HANDLE_MIN 3
#define USER_HANDLE_MAX 30

struct user {
	long long id;
	const char *handle;
	const char *password_hash;
	const char *role;               /* member | moderator | admin */
	const char *status;             /* active | silenced | banned | deleted, as of now */
	const char *status_until;       /* when a silence or ban ends, for people; NULL: no end set */
};

/* A handle of 3 to 30 letters, digits, '_' or '-'. */
bool user_handle_valid(const char *handle);

enum db_err db_user_create(db *d, arena *a, const char *handle, const char *password_hash,
                           const char *role, long long *id);
enum db_err db_user_by_handle(db *d, arena *a, const char *handle, struct user *out, bool *found);
enum db_err db_user_set_role(db *d, arena *a, const char *handle, const char *role, bool *found);

#endif
