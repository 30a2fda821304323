/* supervise.c: see supervise.h. Signals are taken synchronously with
 * sigtimedwait, so the master has no async-signal-safety puzzles. */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "counters.h"
#include "log.h"

#define MAX_WORKERS 512
#define TICK_MS 250
#define YOUNG_MS 2000           /* a child that dies sooner than this crashed at start */
#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 30000
#define FORK_RETRY_MS 1000
#define KEEPER_SILENT_MS 1000

/* A worker slot or the keeper. pid > 0: running; pid 0 and wanted: to be
 * started at restart_at; pid 0 and not wanted: free. */
struct child {
	pid_t pid;
	bool wanted;
	int generation;
	int crashes;                    /* deaths within YOUNG_MS of the start, in a row */
	long long started, restart_at;  /* monotonic ms */
};

/* The keeper's last beat (monotonic ms), in a page shared with it. */
static atomic_llong *keeper_beat;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void supervise_keeper_beat(void)
{
	if (keeper_beat)
		atomic_store_explicit(keeper_beat, now_ms(), memory_order_relaxed);
}

static int bind_socket(const char *path, unsigned mode)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof addr.sun_path) {
		log_error("listen: socket path longer than %zu bytes: %s", sizeof addr.sun_path - 1, path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		log_error("socket: %s", strerror(errno));
		return -1;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		log_error("listen: cannot bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (chmod(path, mode) < 0)
		log_warn("listen: chmod %s: %s", path, strerror(errno));
	/* Workers poll, then accept without blocking: whoever loses the race
	 * for a connection goes back to waiting (see worker_main). */
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		log_error("listen: fcntl: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, 1024) < 0) {
		log_error("listen %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* In a new child: dispositions first, then the mask, so that a SIGHUP or
 * SIGINT (sent to the process group) cannot take the default action
 * (termination) in between. SIGTERM keeps its default until the child's
 * main installs its own handler. */
static void child_signals(const sigset_t *orig_mask)
{
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);        /* Ctrl-C reaches the master, which drains us */
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_SETMASK, orig_mask, NULL);
}

/* Forks a worker (keeper_main NULL) or the keeper into c. On failure c
 * stays wanted and is retried after FORK_RETRY_MS. */
static void start_child(struct child *c, int fd, struct supervise_ops *ops, void *state, int generation,
                        const sigset_t *orig_mask, bool keeper)
{
	long long now = now_ms();
	if (keeper)
		atomic_store(keeper_beat, now);     /* it has a second to beat */
	pid_t pid = fork();
	if (pid < 0) {
		log_error("fork (%s): %s; trying again in %d ms", keeper ? "cache keeper" : "worker",
		          strerror(errno), FORK_RETRY_MS);
		c->pid = 0;
		c->wanted = true;
		c->restart_at = now + FORK_RETRY_MS;
		return;
	}
	if (pid == 0) {
		child_signals(orig_mask);
		_exit(keeper ? ops->keeper_main(state) : ops->worker_main(fd, state));
	}
	c->pid = pid;
	c->wanted = true;
	c->generation = generation;
	c->started = now;
}

/* After c (of the current generation) ended: when to start the next one. */
static void plan_restart(struct child *c, int status, const char *what)
{
	long long now = now_ms();
	bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	c->pid = 0;
	c->wanted = true;
	if (clean || now - c->started >= YOUNG_MS) {
		c->crashes = 0;
		c->restart_at = now;
		return;
	}
	c->crashes++;
	int shift = c->crashes - 1 < 10 ? c->crashes - 1 : 10;
	long long delay = (long long)BACKOFF_FIRST_MS << shift;
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	c->restart_at = now + delay;
	log_warn("%s died %d time%s in a row within %d ms of its start: next start in %lld ms", what,
	         c->crashes, c->crashes == 1 ? "" : "s", YOUNG_MS, delay);
}

static void signal_generation(struct child *w, int n, int generation_below, int sig)
{
	for (int i = 0; i < n; i++)
		if (w[i].pid > 0 && w[i].generation < generation_below)
			kill(w[i].pid, sig);
}

static int live_workers(const struct child *w, int n)
{
	int live = 0;
	for (int i = 0; i < n; i++)
		if (w[i].pid > 0)
			live++;
	return live;
}

/* For /metrics (counters.h). */
static void count_restart(bool keeper, bool crashed)
{
	struct counters *k = counters_get();
	if (!k)
		return;
	counters_add(keeper ? &k->keeper_restarts : &k->worker_restarts, 1);
	if (crashed)
		counters_add(&k->worker_crashes, 1);
}

static void log_death(pid_t pid, int status, const char *what)
{
	log_warn("%s %d died (%s %d)", what, (int)pid, WIFSIGNALED(status) ? "signal" : "status",
	         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

int supervise_run(const char *socket_path, unsigned socket_mode, struct supervise_ops *ops, void *state,
                  void **final_state)
{
	*final_state = state;
	int fd = bind_socket(socket_path, socket_mode);
	if (fd < 0)
		return 1;
	if (ops->keeper_main) {
		void *page = mmap(NULL, sizeof *keeper_beat, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED) {
			log_error("mmap: %s", strerror(errno));
			close(fd);
			return 1;
		}
		keeper_beat = page;
	}
	int nworkers = ops->workers < 1 ? 1 : ops->workers > MAX_WORKERS / 2 ? MAX_WORKERS / 2 : ops->workers;
	struct child slots[MAX_WORKERS];
	memset(slots, 0, sizeof slots);
	struct child keeper = { 0 };
	pid_t keeper_dropped = 0;       /* a silent keeper we killed, not yet reaped */
	int generation = 1;

	sigset_t mask, orig;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &orig);

	for (int i = 0; i < nworkers; i++)
		start_child(&slots[i], fd, ops, state, generation, &orig, false);
	if (ops->keeper_main)
		start_child(&keeper, fd, ops, state, generation, &orig, true);
	log_info("listening on %s with %d workers", socket_path, nworkers);

	bool stopping = false;
	long long stop_deadline = 0;
	for (;;) {
		struct timespec tick = { .tv_nsec = TICK_MS * 1000000L };
		siginfo_t si;
		int sig = sigtimedwait(&mask, &si, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping) {
				log_info("draining %d workers", live_workers(slots, MAX_WORKERS));
				stopping = true;
				stop_deadline = now_ms() + 10000;
				signal_generation(slots, MAX_WORKERS, generation + 1, SIGTERM);
				if (keeper.pid > 0)
					kill(keeper.pid, SIGTERM);
			}
		} else if (sig == SIGHUP && !stopping) {
			void *fresh = ops->reload(state);
			if (!fresh) {
				log_error("reload failed; the running workers stay as they are");
			} else {
				state = fresh;
				*final_state = state;
				generation++;
				/* Restarts still pending (a crash loop's pauses) belong to the
				 * old configuration: the new generation replaces them now. */
				for (int i = 0; i < MAX_WORKERS; i++) {
					slots[i].wanted = false;
					slots[i].crashes = 0;
				}
				int started = 0;
				for (int i = 0; i < MAX_WORKERS && started < nworkers; i++) {
					if (slots[i].pid > 0)
						continue;
					start_child(&slots[i], fd, ops, state, generation, &orig, false);
					started++;
				}
				signal_generation(slots, MAX_WORKERS, generation, SIGTERM);
				keeper.crashes = 0;
				keeper.restart_at = now_ms();
				if (keeper.pid > 0)
					kill(keeper.pid, SIGTERM);  /* restarted with the new state when reaped */
				log_info("reloaded: generation %d", generation);
			}
		}
		/* Reap whatever ended, whichever signal woke us. */
		pid_t pid;
		int status;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid == keeper_dropped) {
				keeper_dropped = 0;
				continue;
			}
			if (pid == keeper.pid) {
				bool current = keeper.generation == generation;
				if (!stopping && current)
					log_death(pid, status, "cache keeper");
				if (stopping) {
					keeper.pid = 0;
					keeper.wanted = false;
				} else if (!current) {
					keeper.pid = 0;             /* reload: start at once */
					keeper.wanted = true;
					keeper.restart_at = now_ms();
				} else {
					count_restart(true, false);
					plan_restart(&keeper, status, "the cache keeper");
				}
				continue;
			}
			for (int i = 0; i < MAX_WORKERS; i++) {
				if (slots[i].pid != pid)
					continue;
				bool current = slots[i].generation == generation;
				bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
				if (!clean && !stopping)
					log_death(pid, status, "worker");
				if (current && !stopping) {
					count_restart(false, !clean);
					plan_restart(&slots[i], status, "a worker");
				} else {
					slots[i].pid = 0;
					slots[i].wanted = false;
				}
			}
		}
		if (!stopping) {
			long long now = now_ms();
			for (int i = 0; i < MAX_WORKERS; i++)
				if (slots[i].pid == 0 && slots[i].wanted && now >= slots[i].restart_at)
					start_child(&slots[i], fd, ops, state, generation, &orig, false);
			if (keeper.pid > 0 && now - atomic_load(keeper_beat) > KEEPER_SILENT_MS) {
				log_warn("cache keeper %d was silent for %lld ms (stopped or stuck): replacing it",
				         (int)keeper.pid, now - atomic_load(keeper_beat));
				kill(keeper.pid, SIGKILL);     /* works on a stopped process too */
				keeper_dropped = keeper.pid;
				keeper.pid = 0;
				keeper.wanted = true;
				keeper.restart_at = now;
			}
			if (keeper.pid == 0 && keeper.wanted) {
				if (ops->keeper_absent)
					ops->keeper_absent(state);
				if (now >= keeper.restart_at)
					start_child(&keeper, fd, ops, state, generation, &orig, true);
			}
		}
		if (stopping) {
			if (live_workers(slots, MAX_WORKERS) == 0 && keeper.pid <= 0)
				break;
			if (now_ms() > stop_deadline) {
				log_warn("workers did not finish in time; killing them");
				signal_generation(slots, MAX_WORKERS, generation + 1, SIGKILL);
				if (keeper.pid > 0)
					kill(keeper.pid, SIGKILL);
			}
		}
	}
	close(fd);
	unlink(socket_path);
	log_info("stopped");
	return 0;
}
