/* db_conversation.c: see db_conversation.h. */
#include "db_conversation.h"

#include <string.h>

static const char *id_str(arena *a, long long id)
{
	return arena_printf(a, "%lld", id);
}

enum db_err db_conversation_export_rows(db *d, arena *a, long long user_id, PGresult **out)
{
	const char *p[] = { id_str(a, user_id) };
	enum db_err err = DB_OK;
	*out = db_exec(d, a, DB_CONV_EXPORT, p, &err);
	return *out ? DB_OK : err;
}

static void str_or_null(json_writer *w, const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	if (v)
		json_string(w, v);
	else
		json_null(w);
}

void db_conversation_export_write(json_writer *w, const PGresult *r)
{
	json_key(w, "conversations");
	json_array_begin(w);
	int n = PQntuples(r);
	const char *open = NULL;
	for (int i = 0; i < n; i++) {
		const char *conv = PQgetvalue(r, i, 0);
		if (!open || strcmp(open, conv) != 0) {
			if (open) {
				json_array_end(w);
				json_object_end(w);
			}
			open = conv;
			json_object_begin(w);
			json_key_int(w, "id", db_ll(r, i, 0));
			json_key(w, "messages");
			json_array_begin(w);
		}
		bool mine = PQgetvalue(r, i, 3)[0] == 't';
		json_object_begin(w);
		json_key_int(w, "id", db_ll(r, i, 1));
		json_key(w, "from");
		if (mine)
			json_string(w, "me");
		else if (db_val(r, i, 2))
			json_string(w, db_val(r, i, 2));
		else
			json_string(w, "a former member");
		json_key(w, "from_moderators");
		json_bool(w, PQgetvalue(r, i, 4)[0] == 't');
		json_key(w, "state");
		str_or_null(w, r, i, 5);
		json_key(w, "created_at");
		str_or_null(w, r, i, 6);
		json_key(w, "body_markdown");
		str_or_null(w, r, i, 7);
		json_object_end(w);
	}
	if (open) {
		json_array_end(w);
		json_object_end(w);
	}
	json_array_end(w);
}

enum db_err db_conversation_account_delete(db *d, arena *a, long long user_id, bool tombstone)
{
	const char *p[] = { id_str(a, user_id) };
	enum db_err err = DB_OK;
	if (tombstone && !db_exec(d, a, DB_CONV_ACCOUNT_TOMBSTONE, p, &err))
		return err;
	if (!db_exec(d, a, DB_CONV_ACCOUNT_LEAVE, p, &err))
		return err;
	return DB_OK;
}
