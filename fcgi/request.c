/* request.c: see request.h. */
#include "request.h"

#include <string.h>

#include "utf8.h"

enum http_method req_method_from(const char *name)
{
	if (!name)
		return HTTP_OTHER;
	if (strcmp(name, "GET") == 0)
		return HTTP_GET;
	if (strcmp(name, "HEAD") == 0)
		return HTTP_HEAD;
	if (strcmp(name, "POST") == 0)
		return HTTP_POST;
	return HTTP_OTHER;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..len) into a fresh arena string. plus_space: '+' is ' '.
 * With repaired non-NULL, invalid UTF-8 becomes U+FFFD and *repaired is set
 * (forms come back to their author); otherwise it is a 400. */
static int decode(arena *a, const char *s, size_t len, bool plus_space, char **out, size_t *out_len,
                  bool *repaired, const char **why)
{
	char *d = arena_alloc(a, len + 1);
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= len) {
				*why = "The address has a % that is not followed by two hex digits.";
				return 400;
			}
			int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
			if (h < 0 || l < 0) {
				*why = "The address has a % that is not followed by two hex digits.";
				return 400;
			}
			c = (char)(h * 16 + l);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		if (c == '\0') {
			*why = "The address or form contains a NUL byte.";
			return 400;
		}
		d[o++] = c;
	}
	d[o] = '\0';
	if (!utf8_valid(d, o)) {
		*why = "The address or form is not valid UTF-8 text.";
		if (!repaired)
			return 400;
		char *fixed = arena_alloc(a, 3 * o + 1);
		o = utf8_repair(d, o, fixed);
		d = fixed;
		*repaired = true;
	}
	*out = d;
	*out_len = o;
	return 0;
}

static int parse_pairs(arena *a, const char *data, size_t len, struct params *out, bool *repaired,
                       const char **why)
{
	out->items = NULL;
	out->count = 0;
	if (len == 0)
		return 0;
	size_t max = 1;
	for (size_t i = 0; i < len; i++)
		if (data[i] == '&')
			max++;
	if (max > REQ_MAX_PARAMS) {
		*why = "Too many fields.";
		return 400;
	}
	out->items = ARENA_NEW_ARRAY(a, struct param, max);
	size_t start = 0;
	while (start <= len) {
		const char *amp = memchr(data + start, '&', len - start);
		size_t end = amp ? (size_t)(amp - data) : len;
		if (end > start) {
			const char *eq = memchr(data + start, '=', end - start);
			size_t name_end = eq ? (size_t)(eq - data) : end;
			char *name, *value;
			size_t name_len, value_len;
			int rc = decode(a, data + start, name_end - start, true, &name, &name_len, repaired, why);
			if (rc)
				return rc;
			if (eq)
				rc = decode(a, eq + 1, end - name_end - 1, true, &value, &value_len, repaired, why);
			else {
				value = arena_strdup(a, "");
				value_len = 0;
			}
			if (rc)
				return rc;
			struct param *p = &out->items[out->count++];
			p->name = name;
			p->value = value;
			p->value_len = value_len;
		}
		if (!amp)
			break;
		start = end + 1;
	}
	return 0;
}

int req_parse_urlencoded(arena *a, const char *data, size_t len, struct params *out, const char **why)
{
	return parse_pairs(a, data, len, out, NULL, why);
}

int req_parse_form(arena *a, const char *data, size_t len, struct params *out, bool *repaired,
                   const char **why)
{
	*repaired = false;
	return parse_pairs(a, data, len, out, repaired, why);
}

int req_parse_uri(arena *a, const char *raw_uri, const char **path, struct params *query, const char **why)
{
	query->items = NULL;
	query->count = 0;
	if (!raw_uri || raw_uri[0] != '/') {
		*why = "The address must start with /.";
		return 400;
	}
	size_t len = strlen(raw_uri);
	if (len > REQ_MAX_URI) {
		*why = "The address is too long.";
		return 414;
	}
	const char *q = strchr(raw_uri, '?');
	size_t path_len = q ? (size_t)(q - raw_uri) : len;
	char *p;
	size_t plen;
	int rc = decode(a, raw_uri, path_len, false, &p, &plen, NULL, why);
	if (rc)
		return rc;
	*path = p;
	if (q) {
		const char *frag = strchr(q + 1, '#');
		size_t qlen = frag ? (size_t)(frag - q - 1) : strlen(q + 1);
		rc = req_parse_urlencoded(a, q + 1, qlen, query, why);
	}
	return rc;
}

void req_parse_cookies(arena *a, const char *header, struct params *out)
{
	out->items = NULL;
	out->count = 0;
	if (!header)
		return;
	size_t len = strlen(header);
	if (len > REQ_MAX_COOKIE_HEADER)
		return;
	size_t max = 1;
	for (size_t i = 0; i < len; i++)
		if (header[i] == ';')
			max++;
	if (max > REQ_MAX_PARAMS)
		max = REQ_MAX_PARAMS;
	out->items = ARENA_NEW_ARRAY(a, struct param, max);
	const char *s = header;
	while (*s && out->count < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		const char *semi = strchr(s, ';');
		const char *end = semi ? semi : s + strlen(s);
		const char *eq = memchr(s, '=', (size_t)(end - s));
		if (eq && eq > s) {
			const char *v = eq + 1;
			const char *vend = end;
			while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
				vend--;
			if (vend - v >= 2 && *v == '"' && vend[-1] == '"') {
				v++;
				vend--;
			}
			struct param *p = &out->items[out->count++];
			p->name = arena_strndup(a, s, (size_t)(eq - s));
			p->value = arena_strndup(a, v, (size_t)(vend - v));
			p->value_len = (size_t)(vend - v);
		}
		if (!semi)
			break;
		s = semi + 1;
	}
}

const char *req_param_len(const struct params *p, const char *name, size_t *len)
{
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->items[i].name, name) == 0) {
			if (len)
				*len = p->items[i].value_len;
			return p->items[i].value;
		}
	return NULL;
}

const char *req_param(const struct params *p, const char *name)
{
	return req_param_len(p, name, NULL);
}

static bool header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

bool resp_header(struct response *resp, const char *name, const char *value)
{
	if (!header_safe(name) || !header_safe(value) || strchr(name, ':'))
		return false;
	buf_puts(&resp->headers, name);
	buf_append(&resp->headers, ": ", 2);
	buf_puts(&resp->headers, value);
	buf_append(&resp->headers, "\r\n", 2);
	return true;
}
