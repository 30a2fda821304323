/* json.c: see json.h. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* 1 for the bytes that cannot appear raw in a JSON string. */
static const unsigned char needs_escape[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
	[0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
	[0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
	[0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
	['"'] = 1, ['\\'] = 1,
};

static void misuse(const char *what)
{
	log_error("json writer misused: %s", what);
	abort();
}

void json_escape(buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		/* Copy the run of bytes that need nothing in one go. */
		size_t start = i;
		while (i < len && !needs_escape[p[i]])
			i++;
		if (i > start)
			buf_append(out, s + start, i - start);
		if (i == len)
			break;
		unsigned char c = p[i++];
		char esc[6] = { '\\', 0, 0, 0, 0, 0 };
		size_t n = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			n = 6;
			break;
		}
		buf_append(out, esc, n);
	}
}

void json_init(json_writer *w, buf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

/* Puts the separator a value needs where it is about to be written. */
static void before_value(json_writer *w)
{
	if (w->depth == 0) {
		if (w->top_done)
			misuse("a second top-level value");
		return;
	}
	int top = w->depth - 1;
	if (w->open[top] == '{') {
		if (!w->want_value)
			misuse("a value in an object without its key");
		w->want_value = false;
		return;
	}
	if (w->has_items[top])
		buf_putc(w->out, ',');
	w->has_items[top] = true;
}

static void after_value(json_writer *w)
{
	if (w->depth == 0)
		w->top_done = true;
}

static void begin(json_writer *w, char open)
{
	before_value(w);
	if (w->depth == JSON_MAX_DEPTH)
		misuse("nested too deeply");
	w->open[w->depth] = open;
	w->has_items[w->depth] = false;
	w->depth++;
	buf_putc(w->out, open);
}

static void end(json_writer *w, char open, char close)
{
	if (w->depth == 0 || w->open[w->depth - 1] != open || w->want_value)
		misuse("an end that does not match its begin");
	w->depth--;
	buf_putc(w->out, close);
	after_value(w);
}

void json_object_begin(json_writer *w) { begin(w, '{'); }
void json_object_end(json_writer *w) { end(w, '{', '}'); }
void json_array_begin(json_writer *w) { begin(w, '['); }
void json_array_end(json_writer *w) { end(w, '[', ']'); }

void json_key(json_writer *w, const char *key)
{
	if (w->depth == 0 || w->open[w->depth - 1] != '{' || w->want_value)
		misuse("a key outside an object or after another key");
	int top = w->depth - 1;
	if (w->has_items[top])
		buf_putc(w->out, ',');
	w->has_items[top] = true;
	buf_putc(w->out, '"');
	json_escape(w->out, key, strlen(key));
	buf_append(w->out, "\":", 2);
	w->want_value = true;
}

void json_stringn(json_writer *w, const char *s, size_t len)
{
	before_value(w);
	buf_reserve(w->out, len + 2);
	buf_putc(w->out, '"');
	json_escape(w->out, s, len);
	buf_putc(w->out, '"');
	after_value(w);
}

void json_string(json_writer *w, const char *s)
{
	if (!s)
		json_null(w);
	else
		json_stringn(w, s, strlen(s));
}

void json_int(json_writer *w, long long n)
{
	before_value(w);
	buf_printf(w->out, "%lld", n);
	after_value(w);
}

void json_double(json_writer *w, double x)
{
	if (!isfinite(x)) {
		json_null(w);
		return;
	}
	before_value(w);
	/* The shortest of %.15g and %.17g that reads back as the same double
	 * (%.17g always does). No locale comma: workers never call setlocale. */
	char s[32];
	snprintf(s, sizeof s, "%.15g", x);
	if (strtod(s, NULL) != x)
		snprintf(s, sizeof s, "%.17g", x);
	buf_puts(w->out, s);
	after_value(w);
}

void json_bool(json_writer *w, bool b)
{
	before_value(w);
	buf_puts(w->out, b ? "true" : "false");
	after_value(w);
}

void json_null(json_writer *w)
{
	before_value(w);
	buf_append(w->out, "null", 4);
	after_value(w);
}

void json_key_str(json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_key_int(json_writer *w, const char *key, long long n)
{
	json_key(w, key);
	json_int(w, n);
}

bool json_done(const json_writer *w)
{
	return w->depth == 0 && w->top_done;
}
