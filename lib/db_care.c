/* db_care.c: see db_care.h. */
#include "db_care.h"

#include <string.h>
#include <sodium.h>

#include "auth.h"
#include "buf.h"

static const char *ll(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

enum db_err db_care_settings(db *d, arena *a, long long user_id, struct care_settings *out, bool *found)
{
	enum db_err err;
	const char *p[] = { ll(a, user_id) };
	PGresult *r = db_exec(d, a, DB_CARE_SETTINGS, p, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	*out = (struct care_settings){ 0 };
	if (*found) {
		out->posts_hidden = db_bool(d, r, 0, 0);
		out->cw_always_open = db_bool(d, r, 0, 1);
		out->mute_crisis = db_bool(d, r, 0, 2);
	}
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_care_settings_set(db *d, arena *a, long long user_id, const struct care_settings *s,
                                 bool *found)
{
	enum db_err err;
	const char *p[] = { ll(a, user_id), s->posts_hidden ? "true" : "false",
	                    s->cw_always_open ? "true" : "false", s->mute_crisis ? "true" : "false",
	                    s->muted_slugs ? s->muted_slugs : "" };
	PGresult *r = db_exec(d, a, DB_CARE_SETTINGS_SET, p, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	return DB_OK;
}

enum db_err db_care_muted_here(db *d, arena *a, long long user_id, long long category_id, bool *category,
                               bool *crisis)
{
	enum db_err err;
	const char *p[] = { ll(a, user_id), ll(a, category_id) };
	PGresult *r = db_exec(d, a, DB_CARE_MUTED_HERE, p, &err);
	if (!r)
		return err;
	*category = PQntuples(r) == 1 && db_bool(d, r, 0, 0);
	*crisis = PQntuples(r) == 1 && db_bool(d, r, 0, 1);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_care_mutes(db *d, arena *a, long long user_id, struct care_mute **out, size_t *count)
{
	enum db_err err;
	const char *p[] = { ll(a, user_id) };
	PGresult *r = db_exec(d, a, DB_CARE_MUTES, p, &err);
	if (!r)
		return err;
	int n = PQntuples(r);
	*out = ARENA_NEW_ARRAY(a, struct care_mute, n ? (size_t)n : 1);
	for (int i = 0; i < n; i++) {
		(*out)[i].slug = db_val(r, i, 0);
		(*out)[i].name = db_val(r, i, 1);
		(*out)[i].muted = db_bool(d, r, i, 2);
	}
	*count = (size_t)n;
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

/* No look-alikes (0/O, 1/I/L) and no U: 30 characters, about 4.9 bits each. */
static const char code_alphabet[] = "ABCDEFGHJKMNPQRSTVWXYZ23456789";

const char *care_code_normalize(arena *a, const char *typed)
{
	char out[CARE_CODE_CHARS + 1];
	size_t n = 0;
	for (const char *p = typed; *p; p++) {
		char c = *p;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (!strchr(code_alphabet, c) || c == '\0' || n == CARE_CODE_CHARS)
			return NULL;
		out[n++] = c;
	}
	if (n != CARE_CODE_CHARS)
		return NULL;
	out[n] = '\0';
	return arena_strdup(a, out);
}

static const char *code_hash(arena *a, const char *normalized)
{
	char digest[65];
	auth_token_digest(normalized, strlen(normalized), digest);
	return arena_strdup(a, digest);
}

enum db_err db_care_codes_new(db *d, arena *a, long long user_id, const char *codes[CARE_CODES])
{
	enum db_err err;
	const char *uid = ll(a, user_id);
	const char *p1[] = { uid };
	if (!db_exec(d, a, DB_CARE_CODES_DELETE, p1, &err))
		return err;
	buf hashes;
	buf_init(&hashes, a, CARE_CODES * 66);
	size_t nalpha = sizeof code_alphabet - 1;
	for (int i = 0; i < CARE_CODES; i++) {
		char plain[CARE_CODE_CHARS + 1], shown[CARE_CODE_CHARS + CARE_CODE_CHARS / 4];
		size_t o = 0;
		for (int k = 0; k < CARE_CODE_CHARS; k++) {
			plain[k] = code_alphabet[randombytes_uniform((uint32_t)nalpha)];
			if (k > 0 && k % 4 == 0)
				shown[o++] = '-';
			shown[o++] = plain[k];
		}
		plain[CARE_CODE_CHARS] = '\0';
		shown[o] = '\0';
		codes[i] = arena_strdup(a, shown);
		if (i > 0)
			buf_putc(&hashes, ',');
		buf_puts(&hashes, code_hash(a, plain));
		sodium_memzero(plain, sizeof plain);
	}
	const char *p2[] = { uid, hashes.data };
	return db_exec(d, a, DB_CARE_CODES_ADD, p2, &err) ? DB_OK : err;
}

enum db_err db_care_codes_left(db *d, arena *a, long long user_id, long long *left)
{
	enum db_err err;
	const char *p[] = { ll(a, user_id) };
	PGresult *r = db_exec(d, a, DB_CARE_CODES_LEFT, p, &err);
	if (!r)
		return err;
	*left = db_int(d, r, 0, 0);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_care_code_use(db *d, arena *a, long long user_id, const char *code, bool *ok)
{
	*ok = false;
	const char *norm = care_code_normalize(a, code);
	if (!norm)
		return DB_OK;
	enum db_err err;
	const char *p[] = { ll(a, user_id), code_hash(a, norm) };
	PGresult *r = db_exec(d, a, DB_CARE_CODE_USE, p, &err);
	if (!r)
		return err;
	*ok = PQntuples(r) == 1;
	return DB_OK;
}

enum db_err db_care_sessions_end_all(db *d, arena *a, long long user_id)
{
	enum db_err err;
	const char *p[] = { ll(a, user_id) };
	return db_exec(d, a, DB_CARE_SESSIONS_END_ALL, p, &err) ? DB_OK : err;
}

enum db_err db_care_warning_set(db *d, arena *a, long long post_id, const char *warning,
                                const char **old, long long *author_id, bool *found)
{
	enum db_err err;
	const char *p[] = { ll(a, post_id), warning };
	PGresult *r = db_exec(d, a, DB_CARE_WARNING_SET, p, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	*old = *found ? db_val(r, 0, 0) : NULL;
	*author_id = *found ? db_ll(r, 0, 1) : 0;
	return DB_OK;
}

enum db_err db_care_codes_current(db *d, arena *a, long long user_id, const char *const codes[], size_t n,
                                  bool *current)
{
	*current = false;
	buf hashes;
	buf_init(&hashes, a, n * 66 + 1);
	for (size_t i = 0; i < n; i++) {
		const char *norm = care_code_normalize(a, codes[i]);
		if (!norm)
			return DB_OK;
		if (i)
			buf_putc(&hashes, ',');
		buf_puts(&hashes, code_hash(a, norm));
	}
	enum db_err err;
	const char *p[] = { ll(a, user_id), hashes.data };
	PGresult *r = db_exec(d, a, DB_CARE_CODES_MATCH, p, &err);
	if (!r)
		return err;
	*current = db_int(d, r, 0, 0) == (long long)n;
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}

enum db_err db_care_break_start(db *d, arena *a, long long user_id, int days, const char **until, bool *found)
{
	enum db_err err;
	const char *p[] = { ll(a, user_id), ll(a, days) };
	PGresult *r = db_exec(d, a, DB_CARE_BREAK_START, p, &err);
	if (!r)
		return err;
	*found = PQntuples(r) == 1;
	*until = *found ? db_val(r, 0, 0) : NULL;
	return *found ? db_care_sessions_end_all(d, a, user_id) : DB_OK;
}

enum db_err db_care_break_end(db *d, arena *a, long long user_id, bool *was_away, bool *over)
{
	enum db_err err;
	const char *p[] = { ll(a, user_id) };
	PGresult *r = db_exec(d, a, DB_CARE_BREAK_END, p, &err);
	if (!r)
		return err;
	*was_away = PQntuples(r) == 1;
	*over = *was_away && db_bool(d, r, 0, 0);
	return db_refused(d) ? DB_ERR_QUERY : DB_OK;
}
