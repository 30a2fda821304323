/*
 * replica.h: which database a request reads from (lib/db.h, "Read
 * replicas"), and the writer's cookie that keeps read-your-writes.
 *
 * GET and HEAD requests may read from a replica; POST requests use the
 * primary only. After a request that wrote on the primary, the response
 * sets the cookie REPLICA_WAL_COOKIE to the primary's WAL position (for
 * example "0/3000148") for a short while (replica_cookie_seconds()); while
 * it is present, a GET reads from a replica only once that replica has
 * replayed that position (one cheap query), else from the primary. So the
 * writer never misses their own post, on any host, and everybody else's
 * reads cost the primary nothing.
 *
 * Why a cookie, unsigned: it only chooses where its holder's own reads
 * come from. A forged or old value can only send that holder's reads to
 * the primary (as their posting does anyway) or show them a page a moment
 * old; it shows nobody anything they may not see. It holds no identity,
 * works for a session just created or ended (log-in, log-out), and costs
 * no look-up on the primary. A value that is not a WAL position is ignored.
 */
#ifndef HEARTH_REPLICA_H
#define HEARTH_REPLICA_H

#include "page.h"

#define REPLICA_WAL_COOKIE "hw"

/* Before dispatch: a GET or HEAD may read from a replica. */
void replica_request_start(struct hctx *ctx);

/* After the handler, before the response is sent: sets the cookie when the
 * request wrote (and replicas are configured). */
void replica_request_end(struct hctx *ctx);

/* How long the cookie lives: long past replica_max_lag_ms, since a replica
 * further behind is not read from at all. */
int replica_cookie_seconds(const conf *c);

#endif
