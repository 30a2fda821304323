/* route.c: see route.h. */
#include "route.h"

#include <stdlib.h>
#include <string.h>

static const struct route routes[] = {
	{ M_GET, "/", page_home, NEED_DB },
};

/* Matches one pattern; fills req->id / req->slug. */
static bool match(const char *pattern, const char *path, struct request *req)
{
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == ':') {
			const char *name = p + 1;
			const char *pend = strchr(name, '/');
			size_t nlen = pend ? (size_t)(pend - name) : strlen(name);
			const char *send = strchr(s, '/');
			size_t slen = send ? (size_t)(send - s) : strlen(s);
			if (slen == 0 || slen > 64)
				return false;
			if (nlen == 2 && strncmp(name, "id", 2) == 0) {
				if (slen > 18)
					return false;
				for (size_t i = 0; i < slen; i++)
					if (s[i] < '0' || s[i] > '9')
						return false;
				req->id = strtoll(s, NULL, 10);
			} else {
				for (size_t i = 0; i < slen; i++)
					if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
					      s[i] == '-' || s[i] == '_'))
						return false;
				req->slug = arena_strndup(req->arena, s, slen);
			}
			p = name + nlen;
			s += slen;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

const struct route *route_find(struct request *req, unsigned *allowed)
{
	*allowed = 0;
	const struct route *found = NULL;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (!match(routes[i].pattern, req->path, req))
			continue;
		*allowed |= routes[i].methods;
		if (!found && (routes[i].methods & (1u << req->method)))
			found = &routes[i];
	}
	return found;
}
