/*
 * rate.h: posting rates per member (issue 9, finding 8), for the thread and
 * reply POST handlers.
 *
 * rate_post_allowed() is their first call. It counts the member's posts of
 * the last hour in the database (lib/db_limits.h) against the limits of
 * hearth.conf: post_threads_per_hour, post_replies_per_hour and
 * post_per_minute, or the new_member_* ones while the account is younger
 * than new_member_days. Over a limit, it answers 429 with Retry-After and a
 * calm message saying when the member can post again, and renders the form
 * again through `form` with everything they typed: nothing is stored. A
 * preview is never refused (it stores nothing).
 */
#ifndef HEARTH_RATE_H
#define HEARTH_RATE_H

#include <stdbool.h>

#include "db_limits.h"
#include "route.h"

/* True: go on. False: the answer is set (429 with the form, or 503). */
bool rate_post_allowed(struct hctx *ctx, enum post_kind kind, handler_fn form);

#endif
