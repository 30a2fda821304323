/*
 * server_key.h: keyed digests (HMAC-SHA256) of values the database must not
 * hold in clear (released handles, client addresses).
 *
 * The key is `secret_key_file` of hearth.conf when set (any file of at
 * least 32 bytes; its BLAKE2b hash is the key), else the random key that
 * migration 009 stored in server_keys. It is read when needed (registration,
 * account deletion: rare), never cached. Changing it forgets every digest
 * made with the old one (reserved handles become free).
 */
#ifndef HEARTH_SERVER_KEY_H
#define HEARTH_SERVER_KEY_H

#include "db.h"

#define SERVER_KEY_BYTES 32

enum server_key_err { SERVER_KEY_OK = 0, SERVER_KEY_ERR_DB, SERVER_KEY_ERR_FILE, SERVER_KEY_ERR__MAX };
const char *server_key_strerror(enum server_key_err e);

/* Loads the key into key; on SERVER_KEY_ERR_DB, *dberr says why. Logs the
 * reason of a file error (never the key). */
enum server_key_err server_key_load(db *d, arena *a, const char *key_file,
                                    unsigned char key[SERVER_KEY_BYTES], enum db_err *dberr);

/* HMAC-SHA256 of "<domain>:<msg>" as 64 lowercase hex digits, NUL-terminated.
 * The domain keeps digests of one kind of value from matching another's. */
void server_key_digest(const unsigned char key[SERVER_KEY_BYTES], const char *domain, const char *msg,
                       char out[65]);

#endif
