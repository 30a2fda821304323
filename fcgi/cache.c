/* cache.c: see cache.h. */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "log.h"

#define KEEPER_TOUCH_MS 250
#define KEEPER_STALE_SEC 2
/* Pages say "5 minutes ago": a cached one is dropped after this long even
 * when nothing changed, so relative times stay roughly right. */
#define CACHE_MAX_AGE_SEC 120

static volatile sig_atomic_t keeper_stopping;

static void keeper_on_term(int sig)
{
	(void)sig;
	keeper_stopping = 1;
}

static void path_for(const conf *c, long long thread_id, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/t/%lld.html", c->cache_dir, thread_id);
}

/* Removes the files of cache_dir/sub older than max_age seconds (0: all). */
static void cache_expire(const conf *c, const char *sub, time_t max_age)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/%s", c->cache_dir, sub);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	time_t now = time(NULL);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[4400];
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		struct stat st;
		if (max_age == 0 || (stat(p, &st) == 0 && now - st.st_mtime > max_age))
			unlink(p);
	}
	closedir(d);
}

void cache_purge(const conf *c)
{
	cache_expire(c, "t", 0);
	cache_expire(c, "m", 0);        /* members' stored parts (fcgi/skeleton.h) */
}

bool cache_enabled(const conf *c)
{
	if (!c->cache_dir[0])
		return false;
	char p[4096];
	snprintf(p, sizeof p, "%s/.keeper", c->cache_dir);
	struct stat st;
	return stat(p, &st) == 0 && time(NULL) - st.st_mtime <= KEEPER_STALE_SEC;
}

void cache_store_thread(const conf *c, db *d, arena *a, long long thread_id, long long version,
                        const char *body, size_t len)
{
	char path[4096], tmp[4200];
	path_for(c, thread_id, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	bool ok = write(fd, body, len) == (ssize_t)len;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return;
	}
	/* A write may have committed after we read `version`: its notification
	 * may have been handled before our rename, so check and undo. */
	const char *params[] = { arena_printf(a, "%lld", thread_id) };
	enum db_err err;
	PGresult *r = db_exec(d, a, DB_THREAD_VERSION, params, &err);
	if (!r || PQntuples(r) != 1 || db_ll(r, 0, 0) != version)
		unlink(path);
}

static void touch_marker(const conf *c)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/.keeper", c->cache_dir);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	utimensat(AT_FDCWD, p, NULL, 0);
}

static void remove_marker(const conf *c)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/.keeper", c->cache_dir);
	unlink(p);
}

static PGconn *keeper_connect(const conf *c)
{
	PGconn *conn = PQconnectdb(c->database);
	if (PQstatus(conn) != CONNECTION_OK) {
		PQfinish(conn);
		return NULL;
	}
	PGresult *r = PQexec(conn, "listen hearth_cache");
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

int cache_keeper_main(const conf *c)
{
	prctl(PR_SET_NAME, "hearth-keeper");   /* tells it from the workers in ps and /proc */
	struct sigaction sa = { .sa_handler = keeper_on_term };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/t", c->cache_dir);
	mkdir(c->cache_dir, 0755);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_error("cache_dir %s: %s", dir, strerror(errno));
		return 1;
	}
	PGconn *conn = NULL;
	time_t last_expiry = time(NULL);
	while (!keeper_stopping) {
		if (!conn) {
			/* Without a connection we cannot hear about writes: nothing may
			 * be served from the cache. */
			remove_marker(c);
			cache_purge(c);
			conn = keeper_connect(c);
			if (!conn) {
				usleep(500 * 1000);
				continue;
			}
			cache_purge(c);     /* writes made while we were away */
			log_info("cache keeper listening");
		}
		touch_marker(c);
		time_t now = time(NULL);
		if (now - last_expiry >= 10) {
			cache_expire(c, "t", CACHE_MAX_AGE_SEC);
			cache_expire(c, "m", CACHE_MAX_AGE_SEC);
			last_expiry = now;
		}
		struct pollfd pfd = { .fd = PQsocket(conn), .events = POLLIN };
		int n = poll(&pfd, 1, KEEPER_TOUCH_MS);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && !PQconsumeInput(conn)) {
			log_warn("cache keeper lost its connection: %s", PQerrorMessage(conn));
			PQfinish(conn);
			conn = NULL;
			continue;
		}
		if (PQstatus(conn) != CONNECTION_OK) {
			PQfinish(conn);
			conn = NULL;
			continue;
		}
		PGnotify *note;
		while ((note = PQnotifies(conn))) {
			char *end;
			long long id = strtoll(note->extra, &end, 10);
			if (*end == '\0' && id > 0) {
				char path[4096];
				path_for(c, id, path, sizeof path);
				unlink(path);
			}
			PQfreemem(note);
		}
	}
	remove_marker(c);
	cache_purge(c);
	if (conn)
		PQfinish(conn);
	return 0;
}
