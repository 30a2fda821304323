/*
 * fuzz_model.c: libFuzzer target for the text model loader (moderation/model.c). Each input is
 * written as a model file DIR/text.model and loaded: an error must name the file ("...text.model:"
 * followed by a line, or its UTF-8 or size complaint) and leave no model; a model that loads
 * scores a few fixed posts, and its flags must agree with its scores being finite.
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
	char dir[] = "/tmp/fuzz_model.XXXXXX";
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/%s", dir, MOD_MODEL_FILE);
	return 0;
}

static const char *const posts[] = {
	"", "heavy", "everyone would be lighter without me", "don't  can't, I'm ok'",
	"caf\xc3\xa9 na\xc3\xafve \xe2\x80\xa8 x y z", "a b a b a b a b",
};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	struct mod_model *m = NULL;
	char err[1024] = "";
	enum mod_err rc = mod_model_load(path, &m, err, sizeof err);
	if (rc != MOD_OK) {
		if (m || strncmp(err, path, strlen(path)) != 0 || err[strlen(path)] != ':')
			abort();
		return 0;
	}
	if (!m)
		abort();
	for (size_t i = 0; i < sizeof posts / sizeof posts[0]; i++) {
		unsigned flagged;
		double z[MOD_MODEL_CATS];
		if (mod_model_score(m, NULL, posts[i], strlen(posts[i]), &flagged, z) != 0)
			abort();
		for (unsigned c = 0; c < MOD_MODEL_CATS; c++)
			if (z[c] != z[c] || ((flagged >> c) & 1 && z[c] < -1e299))
				abort();
	}
	mod_model_free(m);
	return 0;
}
