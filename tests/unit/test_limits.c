/* test_limits.c: keyed digests of handles and addresses (lib/server_key.h,
 * lib/db_limits.h) and the key file; no database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "db_limits.h"
#include "server_key.h"
#include "tap.h"

static const char *write_file(const char *dir, const char *name, const char *data, size_t len)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		return NULL;
	return path;
}

int main(void)
{
	TAP_OK(auth_init() == 0, "sodium_init");
	unsigned char k1[SERVER_KEY_BYTES], k2[SERVER_KEY_BYTES];
	memset(k1, 1, sizeof k1);
	memset(k2, 2, sizeof k2);
	char a[65], b[65], c[65];

	limits_handle_digest(k1, "Alice_X", a);
	limits_handle_digest(k1, "alice_x", b);
	TAP_STREQ(a, b, "handle_digest_folds_case");
	limits_handle_digest(k1, "alice_y", c);
	TAP_OK(strcmp(a, c) != 0, "handle_digest_differs_per_handle");
	limits_handle_digest(k2, "alice_x", c);
	TAP_OK(strcmp(a, c) != 0, "handle_digest_depends_on_key");
	TAP_OK(strlen(a) == 64 && strspn(a, "0123456789abcdef") == 64, "handle_digest_is_hex");
	limits_addr_digest(k1, "alice_x", c);
	TAP_OK(strcmp(a, c) != 0, "addr_and_handle_digests_do_not_collide");
	limits_addr_digest(k1, NULL, b);
	limits_addr_digest(k1, "-", c);
	TAP_STREQ(b, c, "addr_digest_of_no_address");

	char dir[] = "/tmp/hearth-test-limits-XXXXXX";
	TAP_OK(mkdtemp(dir) != NULL, "mkdtemp");
	enum db_err dberr;
	const char *good = write_file(dir, "good.key", "0123456789abcdef0123456789abcdef0123", 36);
	unsigned char f1[SERVER_KEY_BYTES], f2[SERVER_KEY_BYTES];
	TAP_OK(good && server_key_load(NULL, NULL, good, f1, &dberr) == SERVER_KEY_OK, "key_file_loads");
	TAP_OK(server_key_load(NULL, NULL, good, f2, &dberr) == SERVER_KEY_OK && memcmp(f1, f2, sizeof f1) == 0,
	       "key_file_gives_the_same_key_twice");
	const char *other = write_file(dir, "other.key", "0123456789abcdef0123456789abcdef0124", 36);
	TAP_OK(other && server_key_load(NULL, NULL, other, f2, &dberr) == SERVER_KEY_OK &&
	       memcmp(f1, f2, sizeof f1) != 0, "another_key_file_another_key");
	const char *shortf = write_file(dir, "short.key", "too short", 9);
	TAP_OK(shortf && server_key_load(NULL, NULL, shortf, f2, &dberr) == SERVER_KEY_ERR_FILE,
	       "key_file_under_32_bytes_refused");
	char missing[4200];
	snprintf(missing, sizeof missing, "%s/missing.key", dir);
	TAP_OK(server_key_load(NULL, NULL, missing, f2, &dberr) == SERVER_KEY_ERR_FILE, "missing_key_file_refused");

	snprintf(missing, sizeof missing, "%s/good.key", dir);
	unlink(missing);
	snprintf(missing, sizeof missing, "%s/other.key", dir);
	unlink(missing);
	snprintf(missing, sizeof missing, "%s/short.key", dir);
	unlink(missing);
	rmdir(dir);

	/* A pre-session cookie is echoed into forms only when it is a token. */
	char tok[AUTH_TOKEN_LEN + 1];
	auth_new_token(tok);
	TAP_OK(auth_token_shaped(tok), "new_token_shaped");
	char bad[AUTH_TOKEN_LEN + 1];
	memcpy(bad, tok, sizeof bad);
	bad[AUTH_TOKEN_LEN - 1] = (char)0xff;
	TAP_OK(!auth_token_shaped(bad), "token_with_a_non_ascii_byte_refused");
	bad[AUTH_TOKEN_LEN - 1] = '"';
	TAP_OK(!auth_token_shaped(bad), "token_with_a_quote_refused");
	TAP_OK(!auth_token_shaped("short"), "short_token_refused");
	TAP_OK(!auth_token_shaped(NULL), "no_token_refused");
	return tap_done();
}
