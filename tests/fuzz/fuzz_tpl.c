/* libFuzzer target for lib/tpl.c: the template compiler must refuse bad
 * templates with a message, never crash. Each input is written as a theme's
 * layout.html and compiled; a compiled theme is rendered with a small map.
 * Build: see tests/fuzz/build.sh */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "tpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

/* libFuzzer ends a timed run with exit(): the folder goes with it. */
static void remove_dir(void)
{
	char path[128];
	snprintf(path, sizeof path, "%s/layout.html", dir);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static arena *a;
	if (!a) {
		snprintf(dir, sizeof dir, "/tmp/hearth-fuzz-tpl-%d", (int)getpid());
		mkdir(dir, 0700);
		atexit(remove_dir);
		a = arena_new(1 << 16);
	}
	char path[128];
	snprintf(path, sizeof path, "%s/layout.html", dir);
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	char err[512];
	tpl_theme *t;
	if (tpl_theme_load(dir, &t, err, sizeof err) == TPL_OK) {
		tpl_value *d = tpl_map(a);
		tpl_set_str(d, "title", "<x>");
		tpl_value *l = tpl_list(a);
		tpl_list_push(l, d);
		tpl_set(d, "items", l);
		buf out;
		buf_init(&out, a, 256);
		tpl_render_page(t, "layout", d, &out);
		tpl_theme_free(t);
	}
	arena_reset(a);
	return 0;
}
