/* html.c: see html.h. */
#include "html.h"

#include <string.h>

/* 1 where the byte needs escaping in text (&, <, >), 2 in attributes as well
 * (", '). Built once as a constant table so the hot loop is a lookup. */
static const unsigned char escape_class[256] = {
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 2, ['\''] = 2,
};

static void escape(buf *out, const char *s, size_t len, unsigned char level)
{
	buf_reserve(out, len + len / 8 + 16);
	size_t run_start = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char cls = escape_class[(unsigned char)s[i]];
		if (cls == 0 || cls > level)
			continue;
		if (i > run_start)
			buf_append(out, s + run_start, i - run_start);
		switch (s[i]) {
		case '&': buf_append(out, "&amp;", 5); break;
		case '<': buf_append(out, "&lt;", 4); break;
		case '>': buf_append(out, "&gt;", 4); break;
		case '"': buf_append(out, "&quot;", 6); break;
		case '\'': buf_append(out, "&#39;", 5); break;
		}
		run_start = i + 1;
	}
	if (len > run_start)
		buf_append(out, s + run_start, len - run_start);
}

void html_text(buf *out, const char *s, size_t len)
{
	escape(out, s, len, 1);
}

void html_attr(buf *out, const char *s, size_t len)
{
	escape(out, s, len, 2);
}

void html_url_component(buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
			buf_putc(out, (char)c);
		} else {
			char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_append(out, enc, 3);
		}
	}
}
