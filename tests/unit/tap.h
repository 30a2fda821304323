/*
 * tap.h: the smallest test protocol that scripts/check can count.
 *
 * Each check prints one line: "ok - NAME" or "not ok - NAME: WHY". A test
 * program returns tap_done(), which is non-zero when any check failed, so
 * automake's test driver and scripts/check agree on the verdict.
 */
#ifndef HEARTH_TAP_H
#define HEARTH_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_failed;
static int tap_count;

#define TAP_OK(cond, ...) do { \
	tap_count++; \
	if (cond) { printf("ok - "); printf(__VA_ARGS__); printf("\n"); } \
	else { tap_failed++; printf("not ok - "); printf(__VA_ARGS__); \
	       printf(": %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

/* Compares two NUL-terminated strings and shows both when they differ. */
#define TAP_STREQ(got, want, ...) do { \
	const char *tap_g_ = (got), *tap_w_ = (want); \
	int tap_same_ = tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0; \
	tap_count++; \
	if (tap_same_) { printf("ok - "); printf(__VA_ARGS__); printf("\n"); } \
	else { tap_failed++; printf("not ok - "); printf(__VA_ARGS__); \
	       printf(": %s:%d:\n#   got:  [%s]\n#   want: [%s]\n", __FILE__, __LINE__, \
	              tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)"); } \
} while (0)

static inline int tap_done(void)
{
	printf("# %d checks, %d failed\n", tap_count, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif
