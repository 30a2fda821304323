/* migrate.c: see migrate.h. Migration files are operator-installed SQL,
 * run as whole scripts: the one place where SQL text comes from a file. */
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define MIGRATE_MAX_FILES 1000
#define MIGRATE_MAX_BYTES (4 * 1024 * 1024)

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_migration_name(const char *n)
{
	size_t l = strlen(n);
	return l > 8 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' &&
	       n[2] >= '0' && n[2] <= '9' && n[3] == '_' && strcmp(n + l - 4, ".sql") == 0;
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *data = xmalloc(MIGRATE_MAX_BYTES + 1);
	size_t n = fread(data, 1, MIGRATE_MAX_BYTES + 1, f);
	fclose(f);
	if (n > MIGRATE_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, MIGRATE_MAX_BYTES);
		free(data);
		return NULL;
	}
	data[n] = '\0';
	return data;
}

static int run(PGconn *conn, const char *sql, const char *what, char *err, size_t errlen)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "%s: %s", what, PQresultErrorMessage(r));
		size_t l = strlen(err);
		while (l > 0 && err[l - 1] == '\n')
			err[--l] = '\0';
		rc = -1;
	}
	PQclear(r);
	return rc;
}

int migrate_latest_file(const char *sql_dir, char *out, size_t outlen)
{
	if (outlen)
		out[0] = '\0';
	DIR *d = opendir(sql_dir);
	if (!d)
		return -1;
	struct dirent *de;
	while ((de = readdir(d)))
		if (is_migration_name(de->d_name) && strcmp(de->d_name, out) > 0 &&
		    strlen(de->d_name) < outlen)
			memcpy(out, de->d_name, strlen(de->d_name) + 1);
	closedir(d);
	return 0;
}

int migrate_apply(PGconn *conn, const char *sql_dir, bool verbose, int *applied, char *err, size_t errlen)
{
	*applied = 0;
	if (run(conn, "create table if not exists schema_migrations ("
	              " name text primary key, applied_at timestamptz not null default now())",
	        "schema_migrations", err, errlen) < 0)
		return -1;
	DIR *d = opendir(sql_dir);
	if (!d) {
		snprintf(err, errlen, "%s: %s (set sql_dir in hearth.conf)", sql_dir, strerror(errno));
		return -1;
	}
	char *names[MIGRATE_MAX_FILES];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < MIGRATE_MAX_FILES)
		if (is_migration_name(de->d_name))
			names[n++] = xstrdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_names);

	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *params[] = { names[i] };
		PGresult *r = PQexecParams(conn, "select 1 from schema_migrations where name = $1",
		                           1, NULL, params, NULL, NULL, 0);
		bool done = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
		bool failed = PQresultStatus(r) != PGRES_TUPLES_OK;
		if (failed)
			snprintf(err, errlen, "schema_migrations: %s", PQresultErrorMessage(r));
		PQclear(r);
		if (failed) {
			rc = -1;
			break;
		}
		if (done)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", sql_dir, names[i]);
		char *sql = read_file(path, err, errlen);
		if (!sql) {
			rc = -1;
			break;
		}
		if (run(conn, "begin", path, err, errlen) < 0 || run(conn, sql, path, err, errlen) < 0) {
			rc = -1;
		} else {
			r = PQexecParams(conn, "insert into schema_migrations (name) values ($1)",
			                 1, NULL, params, NULL, NULL, 0);
			if (PQresultStatus(r) != PGRES_COMMAND_OK) {
				snprintf(err, errlen, "%s: %s", path, PQresultErrorMessage(r));
				rc = -1;
			}
			PQclear(r);
		}
		if (rc == 0 && run(conn, "commit", path, err, errlen) == 0) {
			(*applied)++;
			if (verbose)
				printf("applied %s\n", names[i]);
		} else {
			PGresult *rb = PQexec(conn, "rollback");
			PQclear(rb);
			rc = -1;
		}
		free(sql);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return rc;
}
