/* libFuzzer target for fcgi/skeleton.c: the stored-parts reader, the marker
 * check and the filler. Whatever the bytes, no crash; a skeleton that
 * passes skel_check() fills into a page without a slot marker left.
 * Build: tests/fuzz/build.sh */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "skeleton.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static arena *a;
	if (!a)
		a = arena_new(1 << 16);
	char *copy = arena_strndup(a, (const char *)data, size);
	struct skeleton sk;
	if (skel_parse(a, copy, size, &sk)) {
		size_t tokens = 0;
		for (size_t i = 0; i < sk.content_len; i++)
			tokens += sk.content[i] == SKEL_TOKEN;
		if (skel_check(&sk, tokens)) {
			static const long long supported[] = { 1, 2, 3 };
			buf out;
			buf_init(&out, a, 256);
			skel_fill(&sk, 2, supported, 3, "token\"<", &out);
			if (memchr(out.data, SKEL_SLOT, out.len) || memchr(out.data, SKEL_TOKEN, out.len))
				__builtin_trap();
			/* The token goes in escaped, where a neutral token of the same length
			 * goes: out with each escaped token replaced by the neutral one equals
			 * the page filled with the neutral token. (A raw "token\"<" in out
			 * proves nothing: input bytes on both sides of a slot can form it.) */
			static const char escaped[] = "token&quot;&lt;", neutral[] = "qqqqqqq";
			if (!memmem(data, size, escaped, sizeof escaped - 1) &&
			    !memmem(data, size, neutral, sizeof neutral - 1)) {
				buf plain, expect;
				buf_init(&plain, a, 256);
				buf_init(&expect, a, 256);
				skel_fill(&sk, 2, supported, 3, neutral, &plain);
				for (size_t i = 0; i < out.len;) {
					if (out.len - i >= sizeof escaped - 1 &&
					    !memcmp(out.data + i, escaped, sizeof escaped - 1)) {
						buf_append(&expect, neutral, sizeof neutral - 1);
						i += sizeof escaped - 1;
					} else {
						buf_putc(&expect, out.data[i++]);
					}
				}
				if (expect.len != plain.len || (plain.len && memcmp(expect.data, plain.data, plain.len)))
					__builtin_trap();
			}
		}
	}
	arena_reset(a);
	return 0;
}
