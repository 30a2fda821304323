/*
 * fuzz_spelling.c: libFuzzer target for the spelling map (moderation/spelling.c) and the spelling
 * view built from it (normalize.c). Each input is written as DIR/spelling.map and loaded: an error
 * must name the file ("...spelling.map:" followed by a line, or its UTF-8 or size complaint) and
 * leave no map. A map that loads builds the spelling view of a few fixed posts and of the input
 * itself, and every view must hold: NUL-terminated, each byte mapped into the source text, a byte
 * from a mapped word marked MOD_XF_SPELLING, and a view built exactly when a word was mapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mod_internal.h"

static char path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char dir[] = "/tmp/fuzz_spelling.XXXXXX";
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/%s", dir, MOD_SPELLING_FILE);
	return 0;
}

static const char *const posts[] = {
	"", "u", "ah cannae go on", "a u-turn in the u.s.", "caf\xc3\xa9 U CANNAE *cannae* u's",
	"2moro\tb4 l8r\nnaebody", "x-u u- -u u: :u #u u&", "\xff u \xe2\x80\xa8 u",
};

static void check_view(const struct mod_spelling *sp, const char *text, size_t len)
{
	struct mod_view n, v;
	bool invalid;
	memset(&v, 0, sizeof v);
	if (mod_view_normal(&n, text, len, &invalid) < 0)
		abort();
	size_t ws, we, sl;
	const char *standard;
	bool any = mod_spelling_next(sp, n.text, n.len, 0, &ws, &we, &standard, &sl);
	int built = mod_view_spelling_into(&v, &n, sp);
	if (built < 0 || (built == 1) != any)
		abort();
	if (built == 1) {
		if (v.identity || v.text[v.len] != '\0' || !(v.xf_any & MOD_XF_SPELLING))
			abort();
		for (size_t i = 0; i < v.len; i++)
			if (v.src[i] >= len || v.src[i] + v.srclen[i] > len || v.srclen[i] == 0)
				abort();
		if (mod_spelling_lookup(sp, n.text + ws, we - ws, &sl) != standard)
			abort();
	}
	mod_view_free(&v);
	mod_view_free(&n);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	struct mod_spelling *sp = NULL;
	char err[1024] = "";
	enum mod_err rc = mod_spelling_load(path, &sp, err, sizeof err);
	if (rc != MOD_OK) {
		if (sp || strncmp(err, path, strlen(path)) != 0 || err[strlen(path)] != ':')
			abort();
		return 0;
	}
	if (!sp || mod_spelling_count(sp) > MOD_SPELLING_ENTRIES_MAX)
		abort();
	for (size_t i = 0; i < sizeof posts / sizeof posts[0]; i++)
		check_view(sp, posts[i], strlen(posts[i]));
	check_view(sp, (const char *)data, size);
	mod_spelling_free(sp);
	return 0;
}
