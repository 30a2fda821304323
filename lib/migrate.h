/*
 * migrate.h: numbered schema migrations (sql/NNN_name.sql), each applied
 * once in its own transaction and recorded in schema_migrations.
 */
#ifndef HEARTH_MIGRATE_H
#define HEARTH_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

/* Applies what is missing. *applied counts the new ones. On error writes
 * "file: message" into err and returns -1; earlier migrations stay applied. */
int migrate_apply(PGconn *conn, const char *sql_dir, bool verbose, int *applied,
                  char *err, size_t errlen);

/* The name of the newest migration file in sql_dir (the last NNN_*.sql in
 * byte order) into out, "" when there is none. Returns 0, or -1 with errno
 * set when sql_dir cannot be read. For the health check (GET /healthz). */
int migrate_latest_file(const char *sql_dir, char *out, size_t outlen);

#endif
