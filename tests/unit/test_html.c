/* Unit tests for lib/html.c: escaping by context. */
#include <string.h>

#include "arena.h"
#include "html.h"
#include "tap.h"

static const char *text(arena *a, const char *s)
{
	buf b;
	buf_init(&b, a, 8);
	html_text(&b, s, strlen(s));
	return b.data;
}

static const char *attr(arena *a, const char *s)
{
	buf b;
	buf_init(&b, a, 8);
	html_attr(&b, s, strlen(s));
	return b.data;
}

int main(void)
{
	arena *a = arena_new(4096);
	TAP_STREQ(text(a, "plain text"), "plain text", "text without specials is copied");
	TAP_STREQ(text(a, "<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;",
	          "text escapes tags");
	TAP_STREQ(text(a, "a & b \"q\" 'x'"), "a &amp; b \"q\" 'x'", "text keeps quotes, escapes &");
	TAP_STREQ(attr(a, "\" onmouseover=\"x"), "&quot; onmouseover=&quot;x", "attr escapes double quotes");
	TAP_STREQ(attr(a, "' autofocus '"), "&#39; autofocus &#39;", "attr escapes single quotes");
	TAP_STREQ(text(a, "héllo → 世界"), "héllo → 世界", "UTF-8 passes through untouched");
	TAP_STREQ(text(a, ""), "", "empty string");
	buf b;
	buf_init(&b, a, 8);
	html_url_component(&b, "a b/é?&", strlen("a b/é?&"));
	TAP_STREQ(b.data, "a%20b%2F%C3%A9%3F%26", "url component encoding");
	/* A long run with one special byte at each end exercises the bulk copy. */
	char longs[5001];
	memset(longs, 'a', 5000);
	longs[0] = '<';
	longs[4999] = '>';
	longs[5000] = '\0';
	const char *e = text(a, longs);
	TAP_OK(strncmp(e, "&lt;aaa", 7) == 0 && strlen(e) == 5000 - 2 + 8, "bulk copy of long runs");
	arena_free(a);
	return tap_done();
}
