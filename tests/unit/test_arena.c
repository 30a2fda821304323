/* Unit tests for lib/arena.c and lib/buf.c. */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "tap.h"

static int cleanups_run;
static void count_cleanup(void *p) { (void)p; cleanups_run++; }

int main(void)
{
	arena *a = arena_new(1024);
	char *s = arena_strdup(a, "hello");
	TAP_STREQ(s, "hello", "strdup copies");
	void *p = arena_alloc(a, 3);
	TAP_OK(((uintptr_t)p & 15) == 0, "allocations are 16-byte aligned");
	char *big = arena_alloc(a, 100000);
	memset(big, 'x', 100000);
	TAP_OK(arena_bytes_held(a) >= 100000, "a large allocation gets its own block");
	TAP_STREQ(arena_printf(a, "%d-%s", 42, "x"), "42-x", "printf formats into the arena");
	arena_on_reset(a, count_cleanup, NULL);
	arena_on_reset(a, count_cleanup, NULL);
	arena_reset(a);
	TAP_OK(cleanups_run == 2, "reset runs every cleanup once");
	TAP_OK(arena_bytes_held(a) < 100000, "reset frees a block larger than the block size");
	arena_reset(a);
	TAP_OK(cleanups_run == 2, "cleanups do not run twice");

	/* Many requests through one arena must not grow it. */
	size_t held_after_first = 0;
	for (int i = 0; i < 10000; i++) {
		if (i == 1)
			held_after_first = arena_bytes_held(a);
		buf b;
		buf_init(&b, a, 16);
		for (int k = 0; k < 200; k++)
			buf_printf(&b, "%d,", k);
		arena_reset(a);
	}
	TAP_OK(arena_bytes_held(a) == held_after_first && held_after_first <= 1024 + 2 * 1024 * 1024,
	       "10000 request cycles do not grow the arena (spare blocks are reused)");

	buf b;
	buf_init(&b, a, 4);
	buf_puts(&b, "abc");
	buf_putc(&b, 'd');
	buf_printf(&b, "%s", "0123456789012345678901234567890123456789012345678901234567890123456789");
	TAP_OK(b.len == 74 && b.data[74] == '\0', "buf grows and stays NUL-terminated");
	TAP_OK(memcmp(b.data, "abcd0123", 8) == 0, "buf keeps earlier bytes when it grows");
	arena_free(a);
	return tap_done();
}
