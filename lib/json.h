/*
 * json.h: a small streaming JSON writer (RFC 8259) that appends to a buf.
 *
 * The writer keeps the nesting itself and puts the commas and colons, so a
 * caller only says what comes next:
 *
 *   json_writer w;
 *   json_init(&w, &out);
 *   json_object_begin(&w);
 *   json_key_str(&w, "handle", "sam");
 *   json_key(&w, "ids");
 *   json_array_begin(&w); json_int(&w, 1); json_int(&w, 2); json_array_end(&w);
 *   json_object_end(&w);                    -> {"handle":"sam","ids":[1,2]}
 *
 * Strings must be valid UTF-8 (everything Hearth stores is: the request parser
 * and the database check it); bytes from 0x80 up pass through unchanged. The
 * writer escapes '"' and '\\', and every control character below U+0020: the
 * five RFC 8259 has short forms for as \b \f \n \r \t (Markdown is full of
 * newlines, and "\n" keeps an export readable), all others as \u00XX.
 *
 * Memory: the writer owns nothing; output lives in the buf (its arena).
 * Misuse is a programming error and aborts: a key outside an object or twice
 * in a row, a value in an object without its key, an end that does not match
 * its begin, more than JSON_MAX_DEPTH levels, or a second top-level value.
 */
#ifndef HEARTH_JSON_H
#define HEARTH_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define JSON_MAX_DEPTH 32

typedef struct json_writer {
	buf *out;
	int depth;
	char open[JSON_MAX_DEPTH];      /* '{' or '[' per level */
	bool has_items[JSON_MAX_DEPTH];
	bool want_value;                /* a key was written, its value is next */
	bool top_done;                  /* a complete top-level value is written */
} json_writer;

void json_init(json_writer *w, buf *out);

void json_object_begin(json_writer *w);
void json_object_end(json_writer *w);
void json_array_begin(json_writer *w);
void json_array_end(json_writer *w);

/* A member name inside an object; the next call writes its value. */
void json_key(json_writer *w, const char *key);

/* Values. json_string(w, NULL) writes null. */
void json_string(json_writer *w, const char *s);
void json_stringn(json_writer *w, const char *s, size_t len);
void json_int(json_writer *w, long long n);
/* Non-finite numbers have no JSON form: they are written as null. */
void json_double(json_writer *w, double x);
void json_bool(json_writer *w, bool b);
void json_null(json_writer *w);

/* Shorthands: json_key() then the value. */
void json_key_str(json_writer *w, const char *key, const char *s);
void json_key_int(json_writer *w, const char *key, long long n);

/* True once exactly one complete top-level value has been written. */
bool json_done(const json_writer *w);

/* Appends s escaped as the inside of a JSON string (no quotes). */
void json_escape(buf *out, const char *s, size_t len);

#endif
