/*
 * buf.h: a growable byte buffer whose memory belongs to an arena.
 *
 * Growth doubles and leaves the old copy in the arena, which frees it at
 * reset; data is always NUL-terminated so it can be passed as a C string.
 */
#ifndef HEARTH_BUF_H
#define HEARTH_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "arena.h"

typedef struct buf {
	char *data;
	size_t len;
	size_t cap;
	arena *arena;
} buf;

void buf_init(buf *b, arena *a, size_t initial_cap);
void buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *data, size_t len);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_clear(buf *b);

#endif
