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

static const char *const guidance_builtin[] = {
	"Someone in this thread may be thinking about ending their life or hurting themselves. "
	"You do not need the perfect words: listening matters most. Thank them for telling you, "
	"take what they say seriously, and ask how they are feeling right now.",
	"Be honest and kind. Do not judge or argue with how they feel, and do not promise to keep "
	"it secret: if they are in danger, it is right to get help.",
	"Point them gently to the crisis resources and encourage them to reach out to someone they "
	"trust, or to emergency services if they are in danger now.",
	"Keep everyone safe in what you write: do not describe methods or places, and do not share "
	"details of your own self-harm or attempts.",
	"Look after yourself too. You can step back at any time; the moderators look at posts like this.",
};

/* FNV-1a over the paragraphs, each ended by a zero byte. */
static unsigned long long guidance_digest(const struct crisis_list *list)
{
	unsigned long long h = 1469598103934665603ULL;
	for (size_t i = 0; i < list->guidance_count; i++) {
		const unsigned char *p = (const unsigned char *)list->guidance[i];
		do {
			h ^= *p;
			h *= 1099511628211ULL;
		} while (*p++);
	}
	return h;
}

static void guidance_clear(struct crisis_list *list)
{
	for (size_t i = 0; i < list->guidance_count; i++)
		free(list->guidance[i]);
	list->guidance_count = 0;
	list->guidance_digest = 0;
}

/* Ends the paragraph being gathered in para (len bytes): stored unless empty. */
static int guidance_end(struct crisis_list *list, char *para, size_t *len, const char *path, int lineno,
                        char *err, size_t errlen)
{
	if (*len == 0)
		return 0;
	if (list->guidance_count == CRISIS_MAX_GUIDANCE) {
		snprintf(err, errlen, "%s:%d: more than %d paragraphs (replier_guidance_file)", path, lineno,
		         CRISIS_MAX_GUIDANCE);
		return -1;
	}
	list->guidance[list->guidance_count++] = xstrdup(para);
	*len = 0;
	para[0] = '\0';
	return 0;
}

int crisis_guidance_load(const char *path, struct crisis_list *list, char *err, size_t errlen)
{
	guidance_clear(list);
	if (!path || !*path) {
		for (size_t i = 0; i < sizeof guidance_builtin / sizeof guidance_builtin[0]; i++)
			list->guidance[list->guidance_count++] = xstrdup(guidance_builtin[i]);
		list->guidance_digest = guidance_digest(list);
		return 0;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s (replier_guidance_file in hearth.conf)", path, strerror(errno));
		return -1;
	}
	char line[CRISIS_GUIDANCE_PARA_MAX + 2];
	char para[CRISIS_GUIDANCE_PARA_MAX + 1];
	size_t len = 0;
	int lineno = 0, rc = 0;
	para[0] = '\0';
	while (rc == 0 && fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			snprintf(err, errlen, "%s:%d: line longer than %d bytes", path, lineno, CRISIS_GUIDANCE_PARA_MAX);
			rc = -1;
			break;
		}
		char *s = trim(line);
		if (*s == '#')
			continue;
		size_t sn = strlen(s);
		if (sn == 0) {
			rc = guidance_end(list, para, &len, path, lineno, err, errlen);
			continue;
		}
		if (!utf8_valid(s, sn) || utf8_has_controls(s, sn, false)) {
			snprintf(err, errlen, "%s:%d: not valid UTF-8 text (replier_guidance_file)", path, lineno);
			rc = -1;
			break;
		}
		if (len + (len ? 1 : 0) + sn > CRISIS_GUIDANCE_PARA_MAX) {
			snprintf(err, errlen, "%s:%d: a paragraph longer than %d bytes", path, lineno,
			         CRISIS_GUIDANCE_PARA_MAX);
			rc = -1;
			break;
		}
		if (len)
			para[len++] = ' ';
		memcpy(para + len, s, sn + 1);
		len += sn;
	}
	if (rc == 0)
		rc = guidance_end(list, para, &len, path, lineno, err, errlen);
	if (rc == 0 && list->guidance_count == 0) {
		snprintf(err, errlen, "%s: no text (replier_guidance_file; leave it unset for the built-in note)", path);
		rc = -1;
	}
	fclose(f);
	if (rc < 0)
		guidance_clear(list);
	else
		list->guidance_digest = guidance_digest(list);
	return rc;
}

void crisis_free(struct crisis_list *list)
{
	guidance_clear(list);
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
