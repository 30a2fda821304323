/* conf.c: see conf.h. */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "arena.h"

#ifndef HEARTH_DATADIR
#define HEARTH_DATADIR "/usr/local/share/hearth"
#endif

enum conf_type { CT_STRING, CT_INT, CT_MODE, CT_LIST };

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t offset;
	int min, max;
};

#define KEY_S(n) { #n, CT_STRING, offsetof(conf, n), 0, 0 }
#define KEY_I(n, lo, hi) { #n, CT_INT, offsetof(conf, n), lo, hi }

static const struct conf_key conf_keys[] = {
	KEY_S(database), KEY_S(listen),
	{ "listen_mode", CT_MODE, offsetof(conf, listen_mode), 0, 0777 },
	KEY_I(workers, 1, 256),
	KEY_S(theme_dir), KEY_S(rules_dir), KEY_S(sql_dir), KEY_S(site_name),
	KEY_S(base_url), KEY_S(cache_dir), KEY_S(crisis_file),
	KEY_S(replier_guidance_file),
	KEY_I(session_days, 1, 3650),
	KEY_I(max_requests, 0, INT_MAX),
	KEY_I(member_pages, 0, 1),
	KEY_S(secret_key_file),
	KEY_I(handle_reserve_days, 0, 36500),
	KEY_I(registrations_per_hour, 0, 1000),
	KEY_I(post_threads_per_hour, 0, 1000), KEY_I(post_replies_per_hour, 0, 1000),
	KEY_I(post_per_minute, 0, 1000),
	KEY_I(new_member_days, 0, 3650),
	KEY_I(new_member_threads_per_hour, 0, 1000), KEY_I(new_member_replies_per_hour, 0, 1000),
	KEY_I(new_member_per_minute, 0, 1000),
	KEY_I(crisis_unanswered_minutes, 1, 10080),
	KEY_I(profiles_public, 0, 1), KEY_S(quick_exit_url),
	KEY_S(metrics_allow),
	KEY_I(address_retention_days, 1, 3650), KEY_I(retention_interval_seconds, 1, 86400),
	KEY_I(message_min_account_hours, 0, 87600), KEY_I(message_min_posts, 0, 1000),
	KEY_I(message_per_minute, 0, 1000), KEY_I(message_per_hour, 0, 10000),
	KEY_I(conversations_per_day, 0, 1000),
	KEY_S(default_timezone),
	{ "database_replica", CT_LIST, offsetof(conf, database_replica), 0, 0 },
	KEY_I(replica_max_lag_ms, 0, 3600000),
	KEY_I(replica_retry_ms, 10, 600000),
	KEY_I(search_window, 20, 100000),
};

enum { CONF_MAX_REPLICAS = 16 };

const char *conf_strerror(enum conf_err e)
{
	static const char *const msg[CONF_ERR__MAX] = {
		[CONF_OK] = "ok",
		[CONF_ERR_IO] = "cannot read the file",
		[CONF_ERR_SYNTAX] = "syntax error",
		[CONF_ERR_KEY] = "unknown key",
		[CONF_ERR_VALUE] = "bad value",
	};
	return (unsigned)e < CONF_ERR__MAX ? msg[e] : "unknown error";
}

static void set_string(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

static enum conf_err set_key(conf *c, const char *key, const char *value, bool append, char *why,
                             size_t whylen)
{
	for (size_t i = 0; i < sizeof conf_keys / sizeof conf_keys[0]; i++) {
		const struct conf_key *k = &conf_keys[i];
		if (strcmp(k->name, key) != 0)
			continue;
		char *slot = (char *)c + k->offset;
		if (k->type == CT_LIST) {
			/* Repeated in a file: each line adds one (see conf.h). */
			char **l = (char **)(void *)slot;
			if (!append || !**l || !*value) {
				set_string(l, value);
			} else {
				size_t n = strlen(*l) + strlen(value) + 2;
				char *joined = xmalloc(n);
				snprintf(joined, n, "%s;%s", *l, value);
				free(*l);
				*l = joined;
			}
			return CONF_OK;
		}
		if (k->type == CT_STRING) {
			set_string((char **)slot, value);
			return CONF_OK;
		}
		char *end;
		errno = 0;
		long v = strtol(value, &end, k->type == CT_MODE ? 8 : 10);
		if (errno || end == value || *end || v < k->min || v > k->max) {
			snprintf(why, whylen, "%s must be a%s number from %d to %d, not \"%s\"",
			         key, k->type == CT_MODE ? "n octal" : "", k->min, k->max, value);
			return CONF_ERR_VALUE;
		}
		if (k->type == CT_MODE)
			*(unsigned *)(void *)slot = (unsigned)v;
		else
			*(int *)(void *)slot = (int)v;
		return CONF_OK;
	}
	snprintf(why, whylen, "unknown key \"%s\"", key);
	return CONF_ERR_KEY;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void set_defaults(conf *c)
{
	memset(c, 0, sizeof *c);
	c->database = xstrdup("dbname=hearth");
	c->listen = xstrdup("/run/hearth/hearth.sock");
	c->listen_mode = 0660;
	/* Two a core: a worker waits for PostgreSQL for part of each request, so
	 * with one a core the CPUs idle while requests queue (tests/bench/run:
	 * 16 connections on 2 cores, p99 8.9-9.8 ms with 2 workers, 6.4-7.1 with 4). */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	c->workers = cores > 0 && cores < 128 ? 2 * (int)cores : 4;
	c->theme_dir = xstrdup(HEARTH_DATADIR "/themes/default");
	c->rules_dir = xstrdup(HEARTH_DATADIR "/rules");
	c->sql_dir = xstrdup(HEARTH_DATADIR "/sql");
	c->site_name = xstrdup("Hearth");
	c->base_url = xstrdup("http://127.0.0.1:8080");
	c->cache_dir = xstrdup("");
	c->crisis_file = xstrdup("");
	c->replier_guidance_file = xstrdup("");
	c->session_days = 30;
	c->max_requests = 0;
	c->member_pages = 1;
	c->secret_key_file = xstrdup("");
	c->handle_reserve_days = 365;
	c->registrations_per_hour = 5;
	c->post_threads_per_hour = 10;
	c->post_replies_per_hour = 60;
	c->post_per_minute = 6;
	c->new_member_days = 7;
	c->new_member_threads_per_hour = 3;
	c->new_member_replies_per_hour = 20;
	c->new_member_per_minute = 3;
	c->crisis_unanswered_minutes = 30;
	c->profiles_public = 0;
	c->quick_exit_url = xstrdup("/weather");
	c->metrics_allow = xstrdup("127.0.0.1");
	c->address_retention_days = 7;
	c->retention_interval_seconds = 3600;
	c->message_min_account_hours = 24;
	c->message_min_posts = 1;
	c->message_per_minute = 6;
	c->message_per_hour = 60;
	c->conversations_per_day = 10;
	c->default_timezone = xstrdup("UTC");
	c->database_replica = xstrdup("");
	c->replica_max_lag_ms = 1000;
	c->replica_retry_ms = 1000;
	c->search_window = 300;
}

/*
 * Every connection (workers, cache keeper, hearthctl) is opened from
 * c->database: without a connect_timeout libpq waits for a server that
 * accepted the TCP connection but never answers (a stopped host, a full
 * backlog) as long as the kernel lets it, and a worker stuck there answers
 * nobody. The operator's own connect_timeout (in the string, or as
 * PGCONNECT_TIMEOUT) wins. A string libpq cannot parse is left alone: the
 * connection attempt reports it.
 */
static void add_connect_timeout(char **conninfo)
{
	if (getenv("PGCONNECT_TIMEOUT"))
		return;
	PQconninfoOption *opts = PQconninfoParse(*conninfo, NULL);
	if (!opts)
		return;
	bool set = false;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "connect_timeout") == 0 && o->val && *o->val)
			set = true;
	PQconninfoFree(opts);
	if (set)
		return;
	const char *db = *conninfo;
	bool uri = strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0;
	const char *sep = !uri ? (*db ? " " : "") : strchr(db, '?') ? "&" : "?";
	size_t n = strlen(db) + strlen(sep) + sizeof "connect_timeout=" CONF_CONNECT_TIMEOUT;
	char *with = xmalloc(n);
	snprintf(with, n, "%s%sconnect_timeout=%s", db, sep, CONF_CONNECT_TIMEOUT);
	free(*conninfo);
	*conninfo = with;
}

/* Splits database_replica into c->replicas (each trimmed, empty ones
 * skipped), with a connect_timeout each. */
static enum conf_err split_replicas(conf *c, char *err, size_t errlen)
{
	char *copy = xstrdup(c->database_replica);
	int n = 0;
	char *list[CONF_MAX_REPLICAS];
	enum conf_err rc = CONF_OK;
	for (char *save = NULL, *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		t = trim(t);
		if (!*t)
			continue;
		if (n == CONF_MAX_REPLICAS) {
			snprintf(err, errlen, "database_replica: at most %d replicas", CONF_MAX_REPLICAS);
			rc = CONF_ERR_VALUE;
			break;
		}
		list[n++] = xstrdup(t);
	}
	free(copy);
	if (rc != CONF_OK) {
		while (n > 0)
			free(list[--n]);
		return rc;
	}
	c->replicas = n ? xmalloc((size_t)n * sizeof *c->replicas) : NULL;
	for (int i = 0; i < n; i++) {
		add_connect_timeout(&list[i]);
		c->replicas[i] = list[i];
	}
	c->nreplicas = n;
	return CONF_OK;
}

enum conf_err conf_load(conf *c, const char *path, char *err, size_t errlen)
{
	char why[512];
	enum conf_err rc = CONF_OK;
	set_defaults(c);
	if (path) {
		FILE *f = fopen(path, "r");
		if (!f) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return CONF_ERR_IO;
		}
		char line[4096];
		int lineno = 0;
		while (fgets(line, sizeof line, f)) {
			lineno++;
			size_t n = strlen(line);
			if (n == sizeof line - 1 && line[n - 1] != '\n') {
				snprintf(err, errlen, "%s:%d: line longer than %zu bytes", path, lineno, sizeof line - 2);
				rc = CONF_ERR_SYNTAX;
				break;
			}
			char *s = trim(line);
			if (*s == '\0' || *s == '#')
				continue;
			char *eq = strchr(s, '=');
			if (!eq) {
				snprintf(err, errlen, "%s:%d: expected \"key = value\"", path, lineno);
				rc = CONF_ERR_SYNTAX;
				break;
			}
			*eq = '\0';
			rc = set_key(c, trim(s), trim(eq + 1), true, why, sizeof why);
			if (rc != CONF_OK) {
				snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
				break;
			}
		}
		fclose(f);
		if (rc != CONF_OK)
			return rc;
	}
	for (size_t i = 0; i < sizeof conf_keys / sizeof conf_keys[0]; i++) {
		char envname[64] = "HEARTH_";
		size_t o = strlen(envname);
		for (const char *p = conf_keys[i].name; *p && o < sizeof envname - 1; p++)
			envname[o++] = (char)toupper((unsigned char)*p);
		envname[o] = '\0';
		const char *v = getenv(envname);
		if (!v)
			continue;
		rc = set_key(c, conf_keys[i].name, v, false, why, sizeof why);
		if (rc != CONF_OK) {
			snprintf(err, errlen, "environment %s: %s", envname, why);
			return rc;
		}
	}
	/* The quick exit must leave at once and never through another site's
	 * redirect chain by accident: a local path, or an https address. */
	const char *q = c->quick_exit_url;
	bool local = q[0] == '/' && q[1] != '/' && q[1] != '\\';
	if ((!local && strncmp(q, "https://", 8) != 0) || strpbrk(q, "\r\n\"<> ") != NULL) {
		snprintf(err, errlen, "quick_exit_url must be a path of this site (\"/weather\") or an "
		         "https:// address without spaces or quotes, not \"%s\"", q);
		return CONF_ERR_VALUE;
	}
	add_connect_timeout(&c->database);
	rc = split_replicas(c, err, errlen);
	if (rc != CONF_OK)
		return rc;
	c->secure_cookies = strncmp(c->base_url, "https://", 8) == 0;
	size_t bl = strlen(c->base_url);
	while (bl > 0 && c->base_url[bl - 1] == '/')
		c->base_url[--bl] = '\0';
	return CONF_OK;
}

void conf_free(conf *c)
{
	for (int i = 0; i < c->nreplicas; i++)
		free(c->replicas[i]);
	free(c->replicas);
	c->replicas = NULL;
	c->nreplicas = 0;
	for (size_t i = 0; i < sizeof conf_keys / sizeof conf_keys[0]; i++)
		if (conf_keys[i].type == CT_STRING || conf_keys[i].type == CT_LIST) {
			char **slot = (char **)(void *)((char *)c + conf_keys[i].offset);
			free(*slot);
			*slot = NULL;
		}
}
