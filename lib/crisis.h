/*
 * crisis.h: the site's crisis resources (crisis_file in hearth.conf), read
 * once at start-up and on reload. The list owns its strings; free it with
 * crisis_free(). Errors name the file and line.
 */
#ifndef HEARTH_CRISIS_H
#define HEARTH_CRISIS_H

#include <stddef.h>

#define CRISIS_MAX_RESOURCES 32

struct crisis_resource {
	char *name, *phone, *text, *hours, *url, *note;
};

struct crisis_list {
	char *region;
	char *emergency;
	struct crisis_resource items[CRISIS_MAX_RESOURCES];
	size_t count;
};

/* path "" loads an empty list (the /help page then says to call local
 * emergency services). Returns -1 with err filled on a bad file. */
int crisis_load(const char *path, struct crisis_list *out, char *err, size_t errlen);
void crisis_free(struct crisis_list *list);

#endif
