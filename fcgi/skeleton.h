/*
 * skeleton.h: a member's thread page from stored parts.
 *
 * Every member (but a moderator, or the author of a held or hidden post in
 * the thread) sees the same page of a thread except for what they can do
 * with each post (edit their own; "I hear you", pressed or not, and report
 * on the others') and the CSRF token in its forms. So the page is rendered
 * once per thread version as a skeleton: the content of thread.html with a
 * slot marker where each visible post's actions go, the three variants of
 * those actions (post_actions.html rendered on its own), and a marker where
 * the token goes. A member's request reads the thread's version with their
 * own state in one statement (READ_THREAD_MEMBER), loads the skeleton from
 * cache_dir/m/, fills the slots and renders layout.html around it.
 *
 * A skeleton is used only when its thread version and template digest are
 * the request's own, so it is never stale: a write bumps the version in the
 * same transaction (sql/006_cache.sql), and the version is read before the
 * posts when a skeleton is built. Skeletons older than two minutes are
 * rebuilt anyway so "5 minutes ago" does not freeze; the cache keeper
 * (fcgi/cache.c) removes old ones.
 *
 * Markers are the bytes 0x01 (token) and 0x02 (slot: 0x02 index 0x02). A
 * skeleton is stored only when its content has exactly the markers the
 * builder put there, so text that somehow holds those bytes cannot fake one.
 */
#ifndef HEARTH_SKELETON_H
#define HEARTH_SKELETON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "conf.h"

#define SKEL_TOKEN '\x01'
#define SKEL_SLOT '\x02'

enum skel_variant { SKEL_MINE, SKEL_OTHER, SKEL_OTHER_PRESSED, SKEL__VARIANTS };

struct skel_slot {
	long long post_id;
	long long author_id;            /* 0: deleted member (never "mine") */
	const char *html[SKEL__VARIANTS];
	size_t len[SKEL__VARIANTS];
};

struct skeleton {
	long long version;
	uint64_t digest;
	struct skel_slot *slots;
	size_t nslots;
	const char *content;
	size_t content_len;
};

/* True when member pages may be stored: cache_dir is set, member_pages 1. */
bool skel_enabled(const conf *c);

/* Loads the skeleton of (thread, after) if it is there, fresh, and made at
 * version with templates of digest. Its bytes live in a. */
bool skel_load(const conf *c, arena *a, long long thread_id, long long after, long long version,
               uint64_t digest, struct skeleton *out);

/* Reads a stored skeleton (the bytes of a file); false when it is not one.
 * The slots and content point into data. */
bool skel_parse(arena *a, const char *data, size_t size, struct skeleton *out);

/* Stores s for (thread, after), replacing any older one. Best effort. */
void skel_store(const conf *c, arena *a, long long thread_id, long long after, const struct skeleton *s);

/* Checks the markers of s: `tokens` 0x01 bytes in the content, every slot
 * marker well-formed and the variants free of slot markers. */
bool skel_check(const struct skeleton *s, size_t tokens);

/* Appends the content for member viewer_id (0: none), who supported the
 * posts of `supported` (ascending), with csrf (escaped) for each token. */
void skel_fill(const struct skeleton *s, long long viewer_id, const long long *supported,
               size_t nsupported, const char *csrf, buf *out);

#endif
