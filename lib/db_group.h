/*
 * db_group.h: peer groups (sql/017_groups.sql). A group's threads live in
 * the group's own category and are read through lib/db_read.h, whose
 * statements apply the space rule (GROUP_SPACE_OK, lib/db_sql.def); this
 * module answers the questions the pages ask besides: may this viewer enter
 * this group or this thread's group, and creates groups for hearthctl.
 *
 * Functions return DB_OK or the db_exec error; results are arena-owned.
 */
#ifndef HEARTH_DB_GROUP_H
#define HEARTH_DB_GROUP_H

#include <stdbool.h>

#include "db.h"
#include "db_read.h"

#define GROUP_SLUG_MAX 40
#define GROUP_NAME_MAX 80
#define GROUP_DESCRIPTION_MAX 500

/* Whether group group_id admits v to its contents (an active member, or a
 * site moderator). */
enum db_err db_group_admits(db *d, arena *a, long long group_id, const struct read_viewer *v, bool *ok);
/* The same for thread_id's group; true for a public thread, false for no
 * thread. */
enum db_err db_group_thread_admits(db *d, arena *a, long long thread_id, const struct read_viewer *v,
                                   bool *ok);

/* Creates a group and its category ("group-SLUG"); join_policy is open,
 * request or invite. Two statements: call it inside a transaction. DB_ERR_CHECK-like errors (a slug in use) come back as
 * the db_exec error. */
enum db_err db_group_create(db *d, arena *a, const char *slug, const char *name, const char *description,
                            bool listed, const char *join_policy, long long *id);
/* Adds handle to the group (or changes their place) with role member or
 * facilitator, status active; *found false when there is no such member. */
enum db_err db_group_member_set(db *d, arena *a, long long group_id, const char *handle, const char *role,
                                bool *found);

#endif
