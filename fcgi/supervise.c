/* supervise.c: see supervise.h. Signals are taken synchronously with
 * sigtimedwait, so the master has no async-signal-safety puzzles. */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "log.h"

#define MAX_WORKERS 512

struct worker_slot {
	pid_t pid;
	int generation;
	time_t started;
};

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

static pid_t spawn(int fd, struct supervise_ops *ops, void *state, const sigset_t *orig_mask)
{
	pid_t pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, orig_mask, NULL);
		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN);        /* Ctrl-C reaches the master, which drains us */
		_exit(ops->worker_main(fd, state));
	}
	return pid;
}

static pid_t spawn_keeper(struct supervise_ops *ops, void *state, const sigset_t *orig_mask)
{
	if (!ops->keeper_main)
		return 0;
	pid_t pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, orig_mask, NULL);
		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		_exit(ops->keeper_main(state));
	}
	return pid;
}

static void signal_generation(struct worker_slot *w, int n, int generation_below, int sig)
{
	for (int i = 0; i < n; i++)
		if (w[i].pid > 0 && w[i].generation < generation_below)
			kill(w[i].pid, sig);
}

static int live_workers(const struct worker_slot *w, int n)
{
	int live = 0;
	for (int i = 0; i < n; i++)
		if (w[i].pid > 0)
			live++;
	return live;
}

int supervise_run(const char *socket_path, unsigned socket_mode, struct supervise_ops *ops, void *state,
                  void **final_state)
{
	*final_state = state;
	int fd = bind_socket(socket_path, socket_mode);
	if (fd < 0)
		return 1;
	int nworkers = ops->workers < 1 ? 1 : ops->workers > MAX_WORKERS / 2 ? MAX_WORKERS / 2 : ops->workers;
	struct worker_slot slots[MAX_WORKERS];
	memset(slots, 0, sizeof slots);
	int generation = 1;

	sigset_t mask, orig;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &orig);

	for (int i = 0; i < nworkers; i++) {
		slots[i].pid = spawn(fd, ops, state, &orig);
		slots[i].generation = generation;
		slots[i].started = time(NULL);
	}
	pid_t keeper = spawn_keeper(ops, state, &orig);
	time_t keeper_started = time(NULL);
	bool keeper_wanted = false;
	log_info("listening on %s with %d workers", socket_path, nworkers);

	bool stopping = false;
	time_t stop_deadline = 0;
	int pending_restarts = 0;
	for (;;) {
		struct timespec tick = { .tv_sec = 1 };
		siginfo_t si;
		int sig = sigtimedwait(&mask, &si, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping) {
				log_info("draining %d workers", live_workers(slots, MAX_WORKERS));
				stopping = true;
				stop_deadline = time(NULL) + 10;
				signal_generation(slots, MAX_WORKERS, generation + 1, SIGTERM);
				if (keeper > 0)
					kill(keeper, SIGTERM);
			}
		} else if (sig == SIGHUP && !stopping) {
			void *fresh = ops->reload(state);
			if (!fresh) {
				log_error("reload failed; the running workers stay as they are");
			} else {
				state = fresh;
				*final_state = state;
				generation++;
				int started = 0;
				for (int i = 0; i < MAX_WORKERS && started < nworkers; i++) {
					if (slots[i].pid > 0)
						continue;
					slots[i].pid = spawn(fd, ops, state, &orig);
					slots[i].generation = generation;
					slots[i].started = time(NULL);
					started++;
				}
				signal_generation(slots, MAX_WORKERS, generation, SIGTERM);
				if (keeper > 0)
					kill(keeper, SIGTERM);      /* restarted with the new state when reaped */
				log_info("reloaded: generation %d", generation);
			}
		}
		/* Reap whatever ended, whichever signal woke us. */
		pid_t pid;
		int status;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid == keeper) {
				keeper = 0;
				if (!stopping) {
					if (time(NULL) - keeper_started < 2)
						keeper_wanted = true;   /* retried on the next tick */
					else {
						keeper = spawn_keeper(ops, state, &orig);
						keeper_started = time(NULL);
					}
				}
				continue;
			}
			for (int i = 0; i < MAX_WORKERS; i++) {
				if (slots[i].pid != pid)
					continue;
				bool current = slots[i].generation == generation;
				bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
				if (!clean && !stopping)
					log_warn("worker %d died (%s %d)", (int)pid,
					         WIFSIGNALED(status) ? "signal" : "status",
					         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
				bool died_young = time(NULL) - slots[i].started < 2;
				slots[i].pid = 0;
				if (current && !stopping) {
					if (died_young && !clean)
						pending_restarts++;   /* retried on the next tick */
					else {
						slots[i].pid = spawn(fd, ops, state, &orig);
						slots[i].generation = generation;
						slots[i].started = time(NULL);
					}
				}
			}
		}
		if (sig < 0 && pending_restarts > 0 && !stopping) {
			for (int i = 0; i < MAX_WORKERS && pending_restarts > 0; i++) {
				if (slots[i].pid > 0)
					continue;
				slots[i].pid = spawn(fd, ops, state, &orig);
				slots[i].generation = generation;
				slots[i].started = time(NULL);
				pending_restarts--;
			}
		}
		if (sig < 0 && keeper_wanted && !stopping) {
			keeper_wanted = false;
			keeper = spawn_keeper(ops, state, &orig);
			keeper_started = time(NULL);
		}
		if (stopping) {
			if (live_workers(slots, MAX_WORKERS) == 0 && keeper <= 0)
				break;
			if (time(NULL) > stop_deadline) {
				log_warn("workers did not finish in time; killing them");
				signal_generation(slots, MAX_WORKERS, generation + 1, SIGKILL);
				if (keeper > 0)
					kill(keeper, SIGKILL);
			}
		}
	}
	close(fd);
	unlink(socket_path);
	log_info("stopped");
	return 0;
}
