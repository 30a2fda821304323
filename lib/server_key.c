/* server_key.c: see server_key.h. */
#include "server_key.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "log.h"

#define KEY_FILE_MAX 4096

const char *server_key_strerror(enum server_key_err e)
{
	static const char *const msg[SERVER_KEY_ERR__MAX] = {
		[SERVER_KEY_OK] = "ok",
		[SERVER_KEY_ERR_DB] = "the key could not be read from the database",
		[SERVER_KEY_ERR_FILE] = "secret_key_file could not be used",
	};
	return (unsigned)e < SERVER_KEY_ERR__MAX ? msg[e] : "unknown error";
}

static enum server_key_err key_from_file(const char *path, unsigned char key[SERVER_KEY_BYTES])
{
	unsigned char data[KEY_FILE_MAX];
	FILE *f = fopen(path, "rb");
	if (!f) {
		log_error("secret_key_file %s: %s", path, strerror(errno));
		return SERVER_KEY_ERR_FILE;
	}
	size_t n = fread(data, 1, sizeof data, f);
	fclose(f);
	if (n < SERVER_KEY_BYTES) {
		log_error("secret_key_file %s: shorter than %d bytes", path, SERVER_KEY_BYTES);
		sodium_memzero(data, sizeof data);
		return SERVER_KEY_ERR_FILE;
	}
	crypto_generichash(key, SERVER_KEY_BYTES, data, n, NULL, 0);
	sodium_memzero(data, sizeof data);
	return SERVER_KEY_OK;
}

enum server_key_err server_key_load(db *d, arena *a, const char *key_file,
                                    unsigned char key[SERVER_KEY_BYTES], enum db_err *dberr)
{
	*dberr = DB_OK;
	if (key_file && key_file[0])
		return key_from_file(key_file, key);
	PGresult *r = db_exec(d, a, DB_SERVER_KEY, NULL, dberr);
	if (!r)
		return SERVER_KEY_ERR_DB;
	const char *hex = PQntuples(r) == 1 ? db_val(r, 0, 0) : NULL;
	size_t len = 0;
	if (!hex || sodium_hex2bin(key, SERVER_KEY_BYTES, hex, strlen(hex), NULL, &len, NULL) != 0 ||
	    len != SERVER_KEY_BYTES) {
		/* A longer key is fine for HMAC, but ours are made 32 bytes long:
		 * anything else means the table was edited by hand. */
		log_error("server_keys: no usable 'hmac' key (run hearthctl migrate)");
		*dberr = DB_ERR_QUERY;
		return SERVER_KEY_ERR_DB;
	}
	return SERVER_KEY_OK;
}

void server_key_digest(const unsigned char key[SERVER_KEY_BYTES], const char *domain, const char *msg,
                       char out[65])
{
	_Static_assert(SERVER_KEY_BYTES == crypto_auth_hmacsha256_KEYBYTES, "key size");
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, key, SERVER_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)domain, strlen(domain));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)":", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof mac);
}
