/*
 * crisis.h: the site's crisis resources (crisis_file in hearth.conf), read
 * once at start-up and on reload. The list owns its strings; free it with
 * crisis_free(). Errors name the file and line.
 */
#ifndef HEARTH_CRISIS_H
#define HEARTH_CRISIS_H

#include <stddef.h>

#define CRISIS_MAX_RESOURCES 32
#define CRISIS_MAX_GUIDANCE 8           /* paragraphs of the note for repliers */
#define CRISIS_GUIDANCE_PARA_MAX 1000   /* bytes a paragraph */

struct crisis_resource {
	char *name, *phone, *text, *hours, *url, *note;
};

struct crisis_list {
	char *region;
	char *emergency;
	struct crisis_resource items[CRISIS_MAX_RESOURCES];
	size_t count;
	/* The note shown above the reply box of a thread with a crisis flag:
	 * paragraphs of plain text (escaped when shown), and a digest of them
	 * that stored pages holding the note are keyed with. */
	char *guidance[CRISIS_MAX_GUIDANCE];
	size_t guidance_count;
	unsigned long long guidance_digest;
};

/* path "" loads an empty list (the /help page then says to call local
 * emergency services). Returns -1 with err filled on a bad file. */
int crisis_load(const char *path, struct crisis_list *out, char *err, size_t errlen);
/*
 * The note for repliers (replier_guidance_file in hearth.conf) into list,
 * after crisis_load(). path "": the built-in note, written from published
 * safe-messaging guidance (#chatsafe). A file holds paragraphs of plain
 * text separated by blank lines; lines starting with '#' are comments; at
 * most CRISIS_MAX_GUIDANCE paragraphs of CRISIS_GUIDANCE_PARA_MAX bytes,
 * valid UTF-8 without control characters. Returns -1 with err filled on a
 * bad file (then the list holds no note; crisis_free() frees either way).
 */
int crisis_guidance_load(const char *path, struct crisis_list *list, char *err, size_t errlen);
void crisis_free(struct crisis_list *list);

#endif
