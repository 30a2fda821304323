/* skeleton.c: see skeleton.h. */
#include "skeleton.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "html.h"

#define SKEL_MAGIC "HEARTH-SKELETON-1\n"
#define SKEL_MAX_BYTES (8u << 20)
#define SKEL_MAX_SLOTS 4096
/* As for the anonymous cache (fcgi/cache.c): relative times stay roughly right. */
#define SKEL_MAX_AGE_SEC 120

/*
 * File layout (all numbers decimal text, so a stored file can be read):
 *   SKEL_MAGIC
 *   "version digest(hex) nslots content_len\n"
 *   per slot: "post_id author_id len0 len1 len2\n" then the three variants
 *   the content
 */

bool skel_enabled(const conf *c)
{
	return c->member_pages && c->cache_dir && c->cache_dir[0];
}

static void path_for(const conf *c, long long thread_id, long long after, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/m/%lld-%lld", c->cache_dir, thread_id, after);
}

/* Reads a decimal number ending in `end` from *p (bounded by lim). */
static bool read_num(const char **p, const char *lim, char end, unsigned long long *out)
{
	const char *s = *p;
	unsigned long long v = 0;
	size_t digits = 0;
	while (s < lim && *s >= '0' && *s <= '9' && digits < 19) {
		v = v * 10 + (unsigned long long)(*s - '0');
		s++;
		digits++;
	}
	if (digits == 0 || s >= lim || *s != end)
		return false;
	*p = s + 1;
	*out = v;
	return true;
}

static bool read_hex(const char **p, const char *lim, char end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	size_t digits = 0;
	while (s < lim && digits < 16) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
		if (d < 0)
			break;
		v = v << 4 | (uint64_t)d;
		s++;
		digits++;
	}
	if (digits == 0 || s >= lim || *s != end)
		return false;
	*p = s + 1;
	*out = v;
	return true;
}

bool skel_parse(arena *a, const char *data, size_t size, struct skeleton *out)
{
	const char *p = data, *lim = data + size;
	size_t magic = sizeof SKEL_MAGIC - 1;
	if (size < magic || memcmp(p, SKEL_MAGIC, magic) != 0)
		return false;
	p += magic;
	unsigned long long version, nslots, content_len;
	if (!read_num(&p, lim, ' ', &version) || !read_hex(&p, lim, ' ', &out->digest) ||
	    !read_num(&p, lim, ' ', &nslots) || !read_num(&p, lim, '\n', &content_len) ||
	    nslots > SKEL_MAX_SLOTS)
		return false;
	out->version = (long long)version;
	out->nslots = (size_t)nslots;
	out->slots = ARENA_NEW_ARRAY(a, struct skel_slot, nslots ? nslots : 1);
	for (size_t i = 0; i < out->nslots; i++) {
		struct skel_slot *sl = &out->slots[i];
		unsigned long long post, author, len[SKEL__VARIANTS];
		if (!read_num(&p, lim, ' ', &post) || !read_num(&p, lim, ' ', &author) ||
		    !read_num(&p, lim, ' ', &len[0]) || !read_num(&p, lim, ' ', &len[1]) ||
		    !read_num(&p, lim, '\n', &len[2]))
			return false;
		sl->post_id = (long long)post;
		sl->author_id = (long long)author;
		for (int v = 0; v < SKEL__VARIANTS; v++) {
			if (len[v] > (size_t)(lim - p))
				return false;
			sl->html[v] = p;
			sl->len[v] = (size_t)len[v];
			p += len[v];
		}
	}
	if (content_len != (size_t)(lim - p))
		return false;
	out->content = p;
	out->content_len = (size_t)content_len;
	return true;
}

bool skel_load(const conf *c, arena *a, long long thread_id, long long after, long long version,
               uint64_t digest, struct skeleton *out)
{
	char path[4096];
	path_for(c, thread_id, after, path, sizeof path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = false;
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size <= 0 || (size_t)st.st_size > SKEL_MAX_BYTES ||
	    time(NULL) - st.st_mtime > SKEL_MAX_AGE_SEC)
		goto out;
	size_t size = (size_t)st.st_size;
	char *data = arena_alloc(a, size);
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, data + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	ok = skel_parse(a, data, size, out) && out->version == version && out->digest == digest;
out:
	close(fd);
	return ok;
}

void skel_store(const conf *c, arena *a, long long thread_id, long long after, const struct skeleton *s)
{
	char dir[4096], path[4096], tmp[4200];
	snprintf(dir, sizeof dir, "%s/m", c->cache_dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return;
	path_for(c, thread_id, after, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
	buf b;
	buf_init(&b, a, s->content_len + s->nslots * 1024 + 256);
	buf_append(&b, SKEL_MAGIC, sizeof SKEL_MAGIC - 1);
	buf_printf(&b, "%lld %" PRIx64 " %zu %zu\n", s->version, s->digest, s->nslots, s->content_len);
	for (size_t i = 0; i < s->nslots; i++) {
		const struct skel_slot *sl = &s->slots[i];
		buf_printf(&b, "%lld %lld %zu %zu %zu\n", sl->post_id, sl->author_id, sl->len[0], sl->len[1],
		           sl->len[2]);
		for (int v = 0; v < SKEL__VARIANTS; v++)
			buf_append(&b, sl->html[v], sl->len[v]);
	}
	buf_append(&b, s->content, s->content_len);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	bool ok = write(fd, b.data, b.len) == (ssize_t)b.len;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0)
		unlink(tmp);
}

static size_t count_byte(const char *s, size_t n, char c)
{
	size_t k = 0;
	for (const char *p = s, *end = s + n; (p = memchr(p, c, (size_t)(end - p))); p++)
		k++;
	return k;
}

/* Parses "index 0x02" at p (just after the opening 0x02); returns the
 * index and sets *next past the closing marker, or returns -1. */
static long slot_index(const char *p, const char *end, size_t nslots, const char **next)
{
	unsigned long long v;
	if (!read_num(&p, end, SKEL_SLOT, &v) || v >= nslots)
		return -1;
	*next = p;
	return (long)v;
}

bool skel_check(const struct skeleton *s, size_t tokens)
{
	if (count_byte(s->content, s->content_len, SKEL_TOKEN) != tokens)
		return false;
	if (count_byte(s->content, s->content_len, SKEL_SLOT) != 2 * s->nslots)
		return false;
	const char *p = s->content, *end = s->content + s->content_len;
	size_t seen = 0;
	while ((p = memchr(p, SKEL_SLOT, (size_t)(end - p)))) {
		if (slot_index(p + 1, end, s->nslots, &p) != (long)seen)
			return false;
		seen++;
	}
	for (size_t i = 0; i < s->nslots; i++)
		for (int v = 0; v < SKEL__VARIANTS; v++)
			if (memchr(s->slots[i].html[v], SKEL_SLOT, s->slots[i].len[v]))
				return false;
	return seen == s->nslots;
}

/* Appends n bytes of s with each token marker replaced by csrf. */
static void put_with_token(buf *out, const char *s, size_t n, const char *csrf, size_t csrf_len)
{
	const char *end = s + n, *t;
	while ((t = memchr(s, SKEL_TOKEN, (size_t)(end - s)))) {
		buf_append(out, s, (size_t)(t - s));
		html_attr(out, csrf, csrf_len);
		s = t + 1;
	}
	buf_append(out, s, (size_t)(end - s));
}

static bool contains(const long long *sorted, size_t n, long long id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sorted[mid] == id)
			return true;
		if (sorted[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void skel_fill(const struct skeleton *s, long long viewer_id, const long long *supported,
               size_t nsupported, const char *csrf, buf *out)
{
	size_t csrf_len = strlen(csrf);
	buf_reserve(out, s->content_len + s->nslots * 512);
	const char *p = s->content, *end = s->content + s->content_len, *m;
	while ((m = memchr(p, SKEL_SLOT, (size_t)(end - p)))) {
		put_with_token(out, p, (size_t)(m - p), csrf, csrf_len);
		const char *next;
		long i = slot_index(m + 1, end, s->nslots, &next);
		if (i < 0)
			return;         /* skel_check() ran before the skeleton was stored */
		const struct skel_slot *sl = &s->slots[i];
		enum skel_variant v = sl->author_id && sl->author_id == viewer_id ? SKEL_MINE :
		                      contains(supported, nsupported, sl->post_id) ? SKEL_OTHER_PRESSED :
		                      SKEL_OTHER;
		put_with_token(out, sl->html[v], sl->len[v], csrf, csrf_len);
		p = next;
	}
	put_with_token(out, p, (size_t)(end - p), csrf, csrf_len);
}
