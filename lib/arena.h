/*
 * arena.h: per-request memory.
 *
 * An arena owns every block it hands out and every cleanup registered on it.
 * arena_reset() runs the cleanups (last registered first) and keeps the first
 * block plus up to 2 MiB of spare blocks for the next request (the rest is
 * freed), so a worker reuses one arena for millions of requests without
 * growing and without calling malloc for a typical page. Allocation never returns NULL: on out-of-memory the process logs and
 * aborts, and the master starts a fresh worker.
 */
#ifndef HEARTH_ARENA_H
#define HEARTH_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;

arena *arena_new(size_t first_block_size);
void arena_free(arena *a);
void arena_reset(arena *a);

void *arena_alloc(arena *a, size_t size);          /* 16-byte aligned, uninitialized */
void *arena_zalloc(arena *a, size_t size);         /* zeroed */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t len);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Runs fn(data) at the next arena_reset() or arena_free(). For objects owned
 * by other libraries: PGresult, cmark output, libxml2 documents. */
void arena_on_reset(arena *a, void (*fn)(void *), void *data);

/* Bytes currently held in blocks, spare ones included. */
size_t arena_bytes_held(const arena *a);

/* Process-wide helpers with the same never-NULL contract. */
void *xmalloc(size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

#define ARENA_NEW(a, type) ((type *)arena_zalloc((a), sizeof(type)))
#define ARENA_NEW_ARRAY(a, type, n) ((type *)arena_zalloc((a), sizeof(type) * (n)))

#endif
