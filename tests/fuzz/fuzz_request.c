/* libFuzzer target for fcgi/request.c: the URI, form and cookie parsers.
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -Ifcgi \
 *        tests/fuzz/fuzz_request.c fcgi/request.c lib/arena.c lib/buf.c lib/utf8.c */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "request.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static arena *a;
	if (!a)
		a = arena_new(1 << 16);
	char *s = arena_strndup(a, (const char *)data, size);
	const char *path, *why;
	struct params p;
	if (req_parse_uri(a, s, &path, &p, &why) == 0) {
		if (!utf8_valid(path, strlen(path)))
			__builtin_trap();
		for (size_t i = 0; i < p.count; i++)
			if (!utf8_valid(p.items[i].value, p.items[i].value_len))
				__builtin_trap();
	}
	if (req_parse_urlencoded(a, (const char *)data, size, &p, &why) == 0)
		for (size_t i = 0; i < p.count; i++)
			if (strlen(p.items[i].value) != p.items[i].value_len)
				__builtin_trap();
	req_parse_cookies(a, s, &p);
	struct response r;
	buf_init(&r.headers, a, 64);
	if (resp_header(&r, "X-Test", s) && (strchr(r.headers.data, '\n') != strrchr(r.headers.data, '\n')))
		__builtin_trap();   /* a header value smuggled a line break */
	arena_reset(a);
	return 0;
}
