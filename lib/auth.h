/*
 * auth.h: passwords and tokens (libsodium).
 *
 * Passwords: argon2id through crypto_pwhash_str, with OWASP's minimum cost
 * (2 passes over 19 MiB). Tokens: 32 random bytes in unpadded base64url (43
 * characters); only their SHA-256 reaches the database, so a stolen dump
 * holds no usable session.
 */
#ifndef HEARTH_AUTH_H
#define HEARTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define AUTH_TOKEN_LEN 43               /* characters, without NUL */
#define AUTH_HASH_STR_LEN 128           /* crypto_pwhash_STRBYTES */
#define AUTH_PASSWORD_MIN 10
#define AUTH_PASSWORD_MAX 1024

/* Call once per process before anything else here. Returns -1 on failure. */
int auth_init(void);

/* out must hold AUTH_HASH_STR_LEN bytes. Returns -1 when out of memory. */
int auth_hash_password(const char *password, size_t len, char out[AUTH_HASH_STR_LEN]);
bool auth_verify_password(const char *hash, const char *password, size_t len);

/* A fresh random token, NUL-terminated. */
void auth_new_token(char out[AUTH_TOKEN_LEN + 1]);
/* Whether s has the shape auth_new_token() makes: AUTH_TOKEN_LEN characters
 * of URL-safe base64. A cookie that is not is never echoed into a page. */
bool auth_token_shaped(const char *s);

/* SHA-256 of the token as 64 lowercase hex digits, NUL-terminated. */
void auth_token_digest(const char *token, size_t len, char out[65]);

/* A readable random password for hearthctl create-admin (4 groups of 5). */
void auth_new_password(char out[24]);

/* Constant-time comparison of two strings of the same length. */
bool auth_equal(const char *a, const char *b, size_t len);

#endif
