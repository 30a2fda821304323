/* auth.c: see auth.h. */
#include "auth.h"

#include <string.h>
#include <sodium.h>

#define AUTH_OPSLIMIT 2
#define AUTH_MEMLIMIT (19u * 1024u * 1024u)

int auth_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int auth_hash_password(const char *password, size_t len, char out[AUTH_HASH_STR_LEN])
{
	_Static_assert(AUTH_HASH_STR_LEN == crypto_pwhash_STRBYTES, "hash buffer size");
	return crypto_pwhash_str_alg(out, password, len, AUTH_OPSLIMIT, AUTH_MEMLIMIT,
	                             crypto_pwhash_ALG_ARGON2ID13) == 0 ? 0 : -1;
}

bool auth_verify_password(const char *hash, const char *password, size_t len)
{
	return crypto_pwhash_str_verify(hash, password, len) == 0;
}

void auth_new_token(char out[AUTH_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

bool auth_token_shaped(const char *s)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	return s && strlen(s) == AUTH_TOKEN_LEN && strspn(s, alphabet) == AUTH_TOKEN_LEN;
}

void auth_token_digest(const char *token, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, len);
	sodium_bin2hex(out, 65, h, sizeof h);
}

void auth_new_password(char out[24])
{
	/* No look-alikes (0/o, 1/l) so it can be read aloud or copied by hand. */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
	size_t o = 0;
	for (int group = 0; group < 4; group++) {
		for (int i = 0; i < 5; i++)
			out[o++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
		if (group < 3)
			out[o++] = '-';
	}
	out[o] = '\0';
}

bool auth_equal(const char *a, const char *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}
