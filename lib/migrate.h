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

#endif
