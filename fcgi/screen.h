/*
 * screen.h: screening a post as it is written.
 *
 * screen_post() runs the moderation filter over a title (may be NULL) and a
 * body; its results are freed with the request arena. screen_store() writes
 * the flags and the review-queue item inside the caller's transaction, so a
 * post and its flags commit together or not at all. The filter only ever
 * queues for a person: it never deletes anything.
 */
#ifndef HEARTH_SCREEN_H
#define HEARTH_SCREEN_H

#include <stdbool.h>

#include "mod.h"
#include "page.h"

struct screen_outcome {
	mod_result title;
	mod_result body;
	const char *title_text;
	const char *body_text;
	bool crisis;            /* any crisis match: show the resources at once */
	bool hold;              /* keep the post for a moderator before others see it */
	bool queue;             /* anything for the review queue */
	bool nudge;             /* stigmatizing wording to show with its alternative */
	int max_severity;
};

void screen_post(struct hctx *ctx, const char *title, const char *body, struct screen_outcome *out);
enum db_err screen_store(struct hctx *ctx, long long post_id, const struct screen_outcome *out);

/* Adds "nudges" to d: the stigmatizing words and suggested alternatives. */
void screen_set_nudges(struct hctx *ctx, tpl_value *d, const struct screen_outcome *out);

#endif
