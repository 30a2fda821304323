/* Unit tests for fcgi/request.c: URI, form and cookie parsing, header safety. */
#include <string.h>

#include "arena.h"
#include "request.h"
#include "tap.h"

int main(void)
{
	arena *a = arena_new(4096);
	const char *path, *why;
	struct params q;
	TAP_OK(req_parse_uri(a, "/c/hello%20world?x=1&y=a+b&z=%C3%A9", &path, &q, &why) == 0, "uri parses");
	TAP_STREQ(path, "/c/hello world", "path is decoded");
	TAP_STREQ(req_param(&q, "y"), "a b", "+ is a space in the query");
	TAP_STREQ(req_param(&q, "z"), "\xc3\xa9", "percent-escapes decode to UTF-8");
	TAP_OK(req_param(&q, "nope") == NULL, "missing parameter is NULL");
	TAP_OK(req_parse_uri(a, "/?q=%zz", &path, &q, &why) == 400, "invalid escape is 400");
	TAP_OK(req_parse_uri(a, "/?q=%4", &path, &q, &why) == 400, "truncated escape is 400");
	TAP_OK(req_parse_uri(a, "/?q=%e9", &path, &q, &why) == 400, "invalid UTF-8 is 400");
	TAP_OK(req_parse_uri(a, "/a%00b", &path, &q, &why) == 400, "NUL in path is 400");
	TAP_OK(req_parse_uri(a, "nope", &path, &q, &why) == 400, "relative uri is 400");
	char longuri[3000];
	memset(longuri, 'a', sizeof longuri - 1);
	longuri[0] = '/';
	longuri[sizeof longuri - 1] = '\0';
	TAP_OK(req_parse_uri(a, longuri, &path, &q, &why) == 414, "uri over 2 KiB is 414");

	struct params f;
	const char *form = "title=Hello+there&body=line1%0D%0Aline2&empty=&flag";
	TAP_OK(req_parse_urlencoded(a, form, strlen(form), &f, &why) == 0, "form parses");
	TAP_OK(f.count == 4, "four fields");
	TAP_STREQ(req_param(&f, "body"), "line1\r\nline2", "newlines survive");
	TAP_STREQ(req_param(&f, "empty"), "", "empty value");
	TAP_STREQ(req_param(&f, "flag"), "", "field without = is empty");

	struct params c;
	req_parse_cookies(a, "hs=abc; csrf=\"q\";bad; x = y", &c);
	TAP_STREQ(req_param(&c, "hs"), "abc", "cookie value");
	TAP_STREQ(req_param(&c, "csrf"), "q", "quoted cookie value");

	struct response r;
	buf_init(&r.headers, a, 64);
	TAP_OK(!resp_header(&r, "Location", "/x\r\nSet-Cookie: evil=1"), "CRLF in a header value is refused");
	TAP_OK(r.headers.len == 0, "nothing written for a refused header");
	TAP_OK(resp_header(&r, "Location", "/ok"), "plain header accepted");
	TAP_OK(req_method_from("DELETE") == HTTP_OTHER && req_method_from("HEAD") == HTTP_HEAD, "methods");
	arena_free(a);
	return tap_done();
}
