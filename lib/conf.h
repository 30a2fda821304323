/*
 * conf.h: the configuration file (key = value, '#' comments), with every key
 * overridable by the environment as HEARTH_<KEY>.
 *
 * conf_load() fills a conf whose strings are malloc'd and owned by it; free
 * them with conf_free(). Errors name the file and line.
 */
#ifndef HEARTH_CONF_H
#define HEARTH_CONF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct conf {
	char *database;         /* libpq conninfo, with connect_timeout added when unset */
	/* Read replicas: `database_replica` may be given several times (or once
	 * with strings separated by ';'; the environment's HEARTH_DATABASE_REPLICA
	 * replaces the file's). replicas[0..nreplicas) are the parsed strings,
	 * each with connect_timeout added like `database`. "" = none. */
	char *database_replica;
	char **replicas;
	int nreplicas;
	int replica_max_lag_ms;  /* a replica further behind is not read from */
	int replica_retry_ms;    /* a replica found behind is tried again after this (down: doubling, to 10 s) */
	int search_window;       /* a search ranks the newest this many matches (sql/023_search_window.sql) */
	char *listen;           /* unix socket path of hearth-fcgi */
	unsigned listen_mode;   /* permission bits of the socket */
	int workers;
	char *theme_dir;
	char *rules_dir;
	char *sql_dir;
	char *site_name;
	char *base_url;
	char *cache_dir;        /* "" = anonymous page cache off */
	char *crisis_file;
	char *replier_guidance_file;  /* "" = the built-in note for replies to a crisis thread */
	int session_days;
	int max_requests;       /* a worker exits after this many (0 = never) */
	int member_pages;       /* 1: members' thread pages from stored parts in cache_dir/m */
	char *secret_key_file;  /* "" = the key in the database (server_keys) */
	int handle_reserve_days;        /* a released handle is kept from others this long */
	int registrations_per_hour;     /* new accounts per client address (0 = no limit) */
	/* Posting rates per member (0 = no limit): threads and replies per hour,
	 * posts of either kind per minute; stricter for accounts younger than
	 * new_member_days. */
	int post_threads_per_hour, post_replies_per_hour, post_per_minute;
	int new_member_days;
	int new_member_threads_per_hour, new_member_replies_per_hour, new_member_per_minute;
	/* A thread whose opening post has a crisis flag and no reply from anyone
	 * else after this long is raised in the moderators' queue. */
	int crisis_unanswered_minutes;
	/* Private conversations (sql/016): starting one needs an account this
	 * old and this many visible posts (0 = no condition); messages per
	 * minute and per hour, conversations started per day (0 = no limit). */
	int message_min_account_hours, message_min_posts;
	int message_per_minute, message_per_hour, conversations_per_day;
	int profiles_public;    /* 1: members' profiles for everyone; 0: logged-in members only */
	char *quick_exit_url;   /* where the quick-exit button goes: a local path or an https URL */
	char *metrics_allow;    /* addresses that may GET /metrics: "127.0.0.1, ::1" (others: 404) */
	/* Rows derived from client addresses (log-in failures, registrations,
	 * all keyed digests) are deleted once older than this; expired sessions
	 * go too. A worker sweeps every retention_interval_seconds (fcgi/retention.h). */
	int address_retention_days;
	int retention_interval_seconds;
	char *default_timezone; /* IANA zone for new group meetings (sql/017): "Asia/Singapore" */
	bool secure_cookies;    /* derived: base_url starts with https */
} conf;

/* Seconds, added to `database` when neither it nor PGCONNECT_TIMEOUT sets one. */
#define CONF_CONNECT_TIMEOUT "5"

enum conf_err { CONF_OK = 0, CONF_ERR_IO, CONF_ERR_SYNTAX, CONF_ERR_KEY, CONF_ERR_VALUE, CONF_ERR__MAX };

/* path may be NULL: defaults and environment only. */
enum conf_err conf_load(conf *c, const char *path, char *err, size_t errlen);
void conf_free(conf *c);
const char *conf_strerror(enum conf_err e);

#endif
