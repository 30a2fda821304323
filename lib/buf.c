/* buf.c: see buf.h. */
#include "buf.h"

#include <stdio.h>
#include <string.h>

void buf_init(buf *b, arena *a, size_t initial_cap)
{
	b->arena = a;
	b->cap = initial_cap < 64 ? 64 : initial_cap;
	b->data = arena_alloc(a, b->cap);
	b->data[0] = '\0';
	b->len = 0;
}

void buf_reserve(buf *b, size_t extra)
{
	if (b->cap - b->len > extra)
		return;
	size_t cap = b->cap;
	while (cap - b->len <= extra)
		cap *= 2;
	char *data = arena_alloc(b->arena, cap);
	memcpy(data, b->data, b->len + 1);
	b->data = data;
	b->cap = cap;
}

void buf_append(buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void buf_clear(buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}
