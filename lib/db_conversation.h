/*
 * db_conversation.h: private conversations in a member's export and in the
 * deletion of their account (sql/016_conversations.sql). The pages of
 * fcgi/page_conversation.c run their statements (lib/db_sql_conversation.def)
 * through db_exec directly.
 *
 * Results belong to the arena; nothing here frees. Errors are db_err.
 */
#ifndef HEARTH_DB_CONVERSATION_H
#define HEARTH_DB_CONVERSATION_H

#include <stdbool.h>

#include "db.h"
#include "json.h"

/* The messages member user_id may read or wrote (CONV_EXPORT), run inside
 * the export's snapshot transaction; *out is the arena's. */
enum db_err db_conversation_export_rows(db *d, arena *a, long long user_id, PGresult **out);

/* Writes "conversations": [{id, messages: [...]}] from those rows. */
void db_conversation_export_write(json_writer *w, const PGresult *rows);

/*
 * Inside the account deletion's transaction, before the users row goes:
 * the member leaves every conversation (the others keep theirs) and their
 * blocks go; with tombstone (they chose to delete their posts) their
 * messages become "removed by its writer" tombstones. Kept messages show
 * "a former member" as their writer (messages.author_id is set null).
 */
enum db_err db_conversation_account_delete(db *d, arena *a, long long user_id, bool tombstone);

#endif
