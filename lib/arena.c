/* arena.c: see arena.h. Blocks form a list; the first block is kept on reset. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t size;            /* usable bytes after the header */
	size_t used;
	_Alignas(16) unsigned char data[];
};

struct arena_cleanup {
	struct arena_cleanup *next;
	void (*fn)(void *);
	void *data;
};

struct arena {
	struct arena_block *first;
	struct arena_block *current;
	struct arena_cleanup *cleanups;
	struct arena_block *spare;      /* blocks kept by reset for the next request */
	size_t spare_bytes;
	size_t block_size;
};

/* A worker's arena keeps up to this much in spare blocks across requests,
 * so a typical page costs no malloc, no page faults and no brk at all. */
#define ARENA_KEEP_BYTES (2u * 1024 * 1024)

static void oom(size_t size)
{
	fprintf(stderr, "hearth: out of memory allocating %zu bytes\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		oom(size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		oom(size);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);
	memcpy(p, s, n);
	return p;
}

static struct arena_block *block_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(struct arena_block))
		oom(size);
	struct arena_block *b = xmalloc(sizeof(*b) + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

arena *arena_new(size_t first_block_size)
{
	arena *a = xmalloc(sizeof(*a));
	a->block_size = first_block_size < 1024 ? 1024 : first_block_size;
	a->first = a->current = block_new(a->block_size);
	a->cleanups = NULL;
	a->spare = NULL;
	a->spare_bytes = 0;
	return a;
}

static void run_cleanups(arena *a)
{
	/* A cleanup may not allocate from the arena: take the list first. */
	struct arena_cleanup *c = a->cleanups;
	a->cleanups = NULL;
	for (; c; c = c->next)
		c->fn(c->data);
}

void arena_reset(arena *a)
{
	run_cleanups(a);
	struct arena_block *b = a->first->next;
	while (b) {
		struct arena_block *next = b->next;
		if (b->size == a->block_size && a->spare_bytes + b->size <= ARENA_KEEP_BYTES) {
			b->used = 0;
			b->next = a->spare;
			a->spare = b;
			a->spare_bytes += b->size;
		} else {
			free(b);
		}
		b = next;
	}
	a->first->next = NULL;
	a->first->used = 0;
	a->current = a->first;
}

void arena_free(arena *a)
{
	if (!a)
		return;
	arena_reset(a);
	while (a->spare) {
		struct arena_block *next = a->spare->next;
		free(a->spare);
		a->spare = next;
	}
	free(a->first);
	free(a);
}

void *arena_alloc(arena *a, size_t size)
{
	size_t need = (size + 15) & ~(size_t)15;
	if (need < size)
		oom(size);
	struct arena_block *b = a->current;
	if (b->size - b->used < need) {
		/* Big requests get a block of their own so the next small ones
		 * do not waste the rest of it. */
		struct arena_block *nb;
		if (need <= a->block_size && a->spare) {
			nb = a->spare;
			a->spare = nb->next;
			a->spare_bytes -= nb->size;
		} else {
			nb = block_new(need > a->block_size ? need : a->block_size);
		}
		nb->next = b->next;
		b->next = nb;
		a->current = nb;
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += need;
	return p;
}

void *arena_zalloc(arena *a, size_t size)
{
	void *p = arena_alloc(a, size);
	memset(p, 0, size);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/* GCC 12 with -fsanitize=undefined reports a "null format string" here that
 * cannot happen (fmt comes from a format-checked caller). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
char *arena_vprintf(arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	if ((size_t)n < sizeof small)
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}
#pragma GCC diagnostic pop

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void arena_on_reset(arena *a, void (*fn)(void *), void *data)
{
	struct arena_cleanup *c = arena_alloc(a, sizeof(*c));
	c->fn = fn;
	c->data = data;
	c->next = a->cleanups;
	a->cleanups = c;
}

size_t arena_bytes_held(const arena *a)
{
	size_t n = a->spare_bytes;
	for (const struct arena_block *b = a->first; b; b = b->next)
		n += b->size;
	return n;
}
