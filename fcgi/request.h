/*
 * request.h: one HTTP request as hearth-fcgi sees it, and its response.
 *
 * Everything here lives in the request arena. The parsing functions are pure
 * (no FastCGI) so unit tests and fuzz targets can drive them. Parsers return
 * an HTTP status: 0 when the input is fine, else 400/413/414 with a reason
 * in *why (a literal, safe to show).
 */
#ifndef HEARTH_REQUEST_H
#define HEARTH_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"

#define REQ_MAX_URI 2048                /* longer: 414 */
#define REQ_MAX_PARAMS 64
/* 50,000 characters arrive as up to 600 KB once percent-encoded (4-byte
 * characters, 12 bytes each). 1 MiB reads any post a little over that limit
 * so that it comes back as a 422 with its text; matches nginx's
 * client_max_body_size (contrib/nginx/hearth.conf). */
#define REQ_MAX_BODY (1024 * 1024)
#define REQ_MAX_COOKIE_HEADER 4096

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER, HTTP_METHOD__MAX };

struct param {
	const char *name;
	const char *value;      /* decoded, NUL-terminated, valid UTF-8 */
	size_t value_len;
};

struct params {
	struct param *items;
	size_t count;
};

struct request {
	arena *arena;
	enum http_method method;
	const char *method_name;
	const char *raw_uri;
	const char *path;               /* percent-decoded */
	struct params query;
	struct params form;             /* POST application/x-www-form-urlencoded */
	bool form_repaired;             /* the form held invalid UTF-8, now U+FFFD */
	struct params cookies;
	const char *user_agent;
	/* Route parameters. */
	long long id;
	const char *slug;
	/* Filled by the session layer. */
	struct session *session;
	const char *new_presession;     /* "hc" token set on this response */
	const char *client_addr;        /* REMOTE_ADDR: throttling only, never stored raw */
};

struct response {
	int status;
	const char *content_type;
	buf headers;                    /* extra header lines, each ending in \r\n */
	buf body;
};

enum http_method req_method_from(const char *name);

/* Splits raw_uri into a decoded path and query parameters. */
int req_parse_uri(arena *a, const char *raw_uri, const char **path, struct params *query,
                  const char **why);

/* Parses a=b&c=d with + as space and %XX escapes; values must be valid UTF-8. */
int req_parse_urlencoded(arena *a, const char *data, size_t len, struct params *out,
                         const char **why);

/* The same for a POSTed form, except that invalid UTF-8 is repaired (each
 * bad byte becomes U+FFFD) and reported in *repaired, so the form can come
 * back to its author with the text kept and a 400 saying why. */
int req_parse_form(arena *a, const char *data, size_t len, struct params *out, bool *repaired,
                   const char **why);

/* Parses a Cookie header ("a=b; c=d"); malformed pairs are skipped. */
void req_parse_cookies(arena *a, const char *header, struct params *out);

/* The value of name, or NULL. */
const char *req_param(const struct params *p, const char *name);
const char *req_param_len(const struct params *p, const char *name, size_t *len);

/* Appends "Name: value\r\n", refusing CR, LF and other controls in either. */
bool resp_header(struct response *resp, const char *name, const char *value);

#endif
