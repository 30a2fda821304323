/*
 * supervise.h: the master process.
 *
 * Binds the unix socket, forks the workers and keeps them alive: a worker
 * that dies is replaced (after a pause when it died young, so a crash loop
 * cannot fork-bomb the host). SIGHUP calls reload(); when it succeeds a new
 * generation of workers starts and the old one gets SIGTERM, finishing the
 * request in hand. SIGTERM or SIGINT drains all workers and returns.
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
	int workers;
};

/* *final_state gets the state in use when it returns (after reloads). */
int supervise_run(const char *socket_path, unsigned socket_mode, struct supervise_ops *ops, void *state,
                  void **final_state);

#endif
