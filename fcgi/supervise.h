/*
 * supervise.h: the master process.
 *
 * Binds the unix socket, forks the workers and keeps them alive: a worker
 * that dies is replaced at once, or, when it died within 2 s of its start,
 * after a pause that doubles with each such death in a row (0.5 s up to
 * 30 s), so a crash loop cannot fork-bomb the host and the master stays
 * up. A fork that fails is retried a second later. SIGHUP calls reload();
 * when it succeeds a new generation of workers starts at once (pending
 * restarts and their pauses are dropped) and the old one gets SIGTERM,
 * finishing the request in hand; when it fails the running workers stay.
 * SIGTERM or SIGINT drains all workers and returns.
 *
 * The keeper (optional) must call supervise_keeper_beat() at least every
 * 250 ms: one silent for more than a second is killed (SIGKILL; it may be
 * stopped or stuck) and replaced at once. While no keeper runs (replaced,
 * died, or waiting to restart), the master calls keeper_absent() on every
 * tick (250 ms) so that nothing the keeper was keeping correct outlives it.
 */
#ifndef HEARTH_SUPERVISE_H
#define HEARTH_SUPERVISE_H

struct supervise_ops {
	/* Runs in the child; returns the exit status. */
	int (*worker_main)(int listen_fd, void *state);
	/* Builds a new state from the configuration, or NULL (old one kept). */
	void *(*reload)(void *old_state);
	/* Optional: one helper process kept alive beside the workers (the
	 * cache keeper), restarted when it dies and on reload. */
	int (*keeper_main)(void *state);
	/* Optional, with keeper_main: runs in the master while no keeper runs. */
	void (*keeper_absent)(void *state);
	int workers;
};

/* *final_state gets the state in use when it returns (after reloads). */
int supervise_run(const char *socket_path, unsigned socket_mode, struct supervise_ops *ops, void *state,
                  void **final_state);

/* In the keeper: "I am alive". Async-signal-safe, cheap (one store). */
void supervise_keeper_beat(void);

#endif
