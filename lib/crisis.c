/* crisis.c: see crisis.h. */
#include "crisis.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "utf8.h"

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int crisis_load(const char *path, struct crisis_list *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!path || !*path)
		return 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s (crisis_file in hearth.conf)", path, strerror(errno));
		return -1;
	}
	char line[600];
	int lineno = 0, rc = 0;
	struct crisis_resource *cur = NULL;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			snprintf(err, errlen, "%s:%d: line longer than 500 bytes", path, lineno);
			rc = -1;
			break;
		}
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq || !utf8_valid(s, strlen(s))) {
			snprintf(err, errlen, "%s:%d: expected \"key = value\" in UTF-8", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		char **slot = NULL;
		if (strcmp(key, "region") == 0)
			slot = &out->region;
		else if (strcmp(key, "emergency") == 0)
			slot = &out->emergency;
		else if (strcmp(key, "name") == 0) {
			if (out->count == CRISIS_MAX_RESOURCES) {
				snprintf(err, errlen, "%s:%d: more than %d resources", path, lineno, CRISIS_MAX_RESOURCES);
				rc = -1;
				break;
			}
			cur = &out->items[out->count++];
			slot = &cur->name;
		} else if (cur && strcmp(key, "phone") == 0)
			slot = &cur->phone;
		else if (cur && strcmp(key, "text") == 0)
			slot = &cur->text;
		else if (cur && strcmp(key, "hours") == 0)
			slot = &cur->hours;
		else if (cur && strcmp(key, "url") == 0) {
			if (strncmp(value, "https://", 8) != 0 && strncmp(value, "http://", 7) != 0) {
				snprintf(err, errlen, "%s:%d: url must start with https:// or http://", path, lineno);
				rc = -1;
				break;
			}
			slot = &cur->url;
		} else if (cur && strcmp(key, "note") == 0)
			slot = &cur->note;
		if (!slot) {
			snprintf(err, errlen, "%s:%d: unknown key \"%s\"%s", path, lineno, key,
			         cur ? "" : " (a resource starts with name = ...)");
			rc = -1;
			break;
		}
		free(*slot);
		*slot = xstrdup(value);
	}
	fclose(f);
	if (rc < 0)
		crisis_free(out);
	return rc;
}

void crisis_free(struct crisis_list *list)
{
	free(list->region);
	free(list->emergency);
	for (size_t i = 0; i < list->count; i++) {
		struct crisis_resource *r = &list->items[i];
		free(r->name);
		free(r->phone);
		free(r->text);
		free(r->hours);
		free(r->url);
		free(r->note);
	}
	memset(list, 0, sizeof *list);
}
