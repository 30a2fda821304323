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
#define KEEPER_STALE_MS 1000
#define KEEPER_CONNECT_SEC 10
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

static void no_beat(void)
{
}

/* Removes the files of cache_dir/sub older than max_age seconds (0: all),
 * calling beat() now and then: a big cache takes a while. */
static void cache_expire(const conf *c, const char *sub, time_t max_age, void (*beat)(void))
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/%s", c->cache_dir, sub);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	time_t now = time(NULL);
	unsigned seen = 0;
	while ((de = readdir(d))) {
		if (++seen % 256 == 0)
			beat();
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

static void purge_beating(const conf *c, void (*beat)(void))
{
	cache_expire(c, "t", 0, beat);
	cache_expire(c, "m", 0, beat);  /* members' stored parts (fcgi/skeleton.h) */
}

void cache_purge(const conf *c)
{
	if (!c->cache_dir[0])
		return;
	char p[4096];
	snprintf(p, sizeof p, "%s/.keeper", c->cache_dir);
	unlink(p);                      /* workers stop storing first */
	purge_beating(c, no_beat);
}

static void forget(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT)
		log_error("cache: cannot remove %s: %s", path, strerror(errno));
}

void cache_forget_thread(const conf *c, long long thread_id)
{
	if (!c->cache_dir[0] || thread_id <= 0)
		return;
	char path[4400];
	path_for(c, thread_id, path, sizeof path);
	forget(path);
	char dir[4096], prefix[32];
	snprintf(dir, sizeof dir, "%s/m", c->cache_dir);
	int plen = snprintf(prefix, sizeof prefix, "%lld-", thread_id);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, (size_t)plen) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		forget(path);
	}
	closedir(d);
}

bool cache_enabled(const conf *c)
{
	if (!c->cache_dir[0])
		return false;
	char p[4096];
	snprintf(p, sizeof p, "%s/.keeper", c->cache_dir);
	struct stat st;
	struct timespec now;
	if (stat(p, &st) != 0 || clock_gettime(CLOCK_REALTIME, &now) != 0)
		return false;
	long long age_ms = (long long)(now.tv_sec - st.st_mtim.tv_sec) * 1000 +
	                   (now.tv_nsec - st.st_mtim.tv_nsec) / 1000000;
	return age_ms <= KEEPER_STALE_MS;
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

/* Connects without blocking for long, beating meanwhile: a keeper waiting
 * for a slow or absent database is not a stuck one. */
static PGconn *keeper_connect(const conf *c, void (*beat)(void))
{
	PGconn *conn = PQconnectStart(c->database);
	if (!conn)
		return NULL;
	time_t give_up = time(NULL) + KEEPER_CONNECT_SEC;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	while (PQstatus(conn) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED &&
	       !keeper_stopping && time(NULL) < give_up) {
		struct pollfd pfd = { .fd = PQsocket(conn),
		                      .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT };
		int n = poll(&pfd, 1, KEEPER_TOUCH_MS);
		beat();
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			st = PQconnectPoll(conn);
	}
	if (st != PGRES_POLLING_OK || PQstatus(conn) != CONNECTION_OK) {
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

int cache_keeper_main(const conf *c, void (*beat)(void))
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
		beat();
		if (!conn) {
			/* Without a connection we cannot hear about writes: nothing may
			 * be served from the cache. */
			remove_marker(c);
			purge_beating(c, beat);
			conn = keeper_connect(c, beat);
			if (!conn) {
				usleep(KEEPER_TOUCH_MS * 1000);
				continue;
			}
			purge_beating(c, beat);     /* writes made while we were away */
			log_info("cache keeper listening");
		}
		touch_marker(c);
		time_t now = time(NULL);
		if (now - last_expiry >= 10) {
			cache_expire(c, "t", CACHE_MAX_AGE_SEC, beat);
			cache_expire(c, "m", CACHE_MAX_AGE_SEC, beat);
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
	purge_beating(c, beat);
	if (conn)
		PQfinish(conn);
	return 0;
}
