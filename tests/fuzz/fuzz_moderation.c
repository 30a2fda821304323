/*
 * fuzz_moderation.c: libFuzzer target for the moderation filter. Loads the default rules once
 * ($HEARTH_RULES or moderation/rules) and screens each input as post text, then checks the result's
 * invariants: spans inside the text and ordered, severities in range, review set on bad UTF-8.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Imoderation -Ilib \
 *       moderation/{normalize,literal,prefilter,rules,context,screen,names}.c lib/utf8.c \
 *       tests/fuzz/fuzz_moderation.c -lpcre2-8 -lutf8proc
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mod.h"
#include "utf8.h"

static mod_ruleset *rules;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = getenv("HEARTH_RULES");
	char err[1024];
	if (mod_ruleset_load(dir ? dir : "moderation/rules", &rules, err, sizeof err) != MOD_OK) {
		fprintf(stderr, "fuzz_moderation: %s\n", err);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	mod_result res;
	enum mod_err rc = mod_screen(rules, (const char *)data, size, &res);
	size_t prev = 0;
	for (size_t i = 0; i < res.count; i++) {
		const mod_match *m = &res.matches[i];
		if (m->start > m->end || m->end > size || m->severity < 1 || m->severity > 4)
			abort();
		if (strcmp(m->top, "review") != 0) {
			if (m->start < prev)
				abort();
			prev = m->start;
		}
	}
	if (!utf8_valid((const char *)data, size) && (rc != MOD_ERR_UTF8 || !res.needs_review) &&
	    rc != MOD_ERR_LIMIT)
		abort();
	mod_result_free(&res);
	return 0;
}
