/* Unit tests for lib/json.c: the JSON writer. */
#include <string.h>

#include "arena.h"
#include "json.h"
#include "tap.h"

static const char *str(arena *a, const char *s, size_t len)
{
	buf b;
	buf_init(&b, a, 8);
	json_writer w;
	json_init(&w, &b);
	json_stringn(&w, s, len);
	return b.data;
}

#define STR(a, lit) str((a), (lit), sizeof(lit) - 1)

int main(void)
{
	arena *a = arena_new(4096);

	TAP_STREQ(STR(a, "plain"), "\"plain\"", "plain string is quoted");
	TAP_STREQ(STR(a, ""), "\"\"", "empty string");
	TAP_STREQ(STR(a, "say \"hi\" \\ bye"), "\"say \\\"hi\\\" \\\\ bye\"", "quote and backslash escaped");
	TAP_STREQ(STR(a, "a\nb\tc\rd\be\ff"), "\"a\\nb\\tc\\rd\\be\\ff\"", "short escapes for \\n \\t \\r \\b \\f");
	TAP_STREQ(STR(a, "\x01\x1f\x0b"), "\"\\u0001\\u001f\\u000b\"", "other controls as \\u00XX");
	TAP_STREQ(str(a, "a\0b", 3), "\"a\\u0000b\"", "NUL inside a counted string");
	TAP_STREQ(STR(a, "caf\xc3\xa9 \xe2\x86\x92 \xe4\xb8\x96 \xf0\x9f\x92\x9c"),
	          "\"caf\xc3\xa9 \xe2\x86\x92 \xe4\xb8\x96 \xf0\x9f\x92\x9c\"", "valid UTF-8 passes through");
	TAP_STREQ(STR(a, "\x7f</script>\xe2\x80\xa8"), "\"\x7f</script>\xe2\x80\xa8\"",
	          "DEL, slash and U+2028 need no escape");

	/* A long run with specials at both ends exercises the bulk copy. */
	char longs[5001];
	memset(longs, 'x', 5000);
	longs[0] = '"';
	longs[4999] = '\n';
	longs[5000] = '\0';
	const char *e = str(a, longs, 5000);
	TAP_OK(strncmp(e, "\"\\\"xxx", 6) == 0 && strlen(e) == 5000 + 2 + 2 &&
	       strcmp(e + strlen(e) - 4, "x\\n\"") == 0, "bulk copy of long runs");

	buf b;
	buf_init(&b, a, 8);
	json_writer w;
	json_init(&w, &b);
	json_object_begin(&w);
	json_key_str(&w, "format", "hearth-export-1");
	json_key_int(&w, "n", -42);
	json_key(&w, "big");
	json_int(&w, 9223372036854775807LL);
	json_key(&w, "ok");
	json_bool(&w, true);
	json_key(&w, "no");
	json_bool(&w, false);
	json_key(&w, "none");
	json_null(&w);
	json_key_str(&w, "null_str", NULL);
	json_key(&w, "list");
	json_array_begin(&w);
	json_int(&w, 1);
	json_string(&w, "two");
	json_object_begin(&w);
	json_object_end(&w);
	json_array_begin(&w);
	json_array_end(&w);
	json_double(&w, 0.5);
	json_array_end(&w);
	json_key(&w, "k\"ey\n");
	json_object_begin(&w);
	json_key_int(&w, "inner", 0);
	json_object_end(&w);
	TAP_OK(!json_done(&w), "not done while an object is open");
	json_object_end(&w);
	TAP_STREQ(b.data,
	          "{\"format\":\"hearth-export-1\",\"n\":-42,\"big\":9223372036854775807,\"ok\":true,"
	          "\"no\":false,\"none\":null,\"null_str\":null,\"list\":[1,\"two\",{},[],0.5],"
	          "\"k\\\"ey\\n\":{\"inner\":0}}",
	          "nested document with commas and colons in place");
	TAP_OK(json_done(&w), "done after the top-level value");

	buf_init(&b, a, 8);
	json_init(&w, &b);
	json_array_begin(&w);
	json_double(&w, 0.1);
	json_double(&w, 1e300 * 1e300);
	json_double(&w, -2.0);
	json_double(&w, 1.0 / 3.0);
	json_array_end(&w);
	TAP_STREQ(b.data, "[0.1,null,-2,0.33333333333333331]", "doubles: shortest round trip, non-finite as null");

	buf_init(&b, a, 8);
	json_init(&w, &b);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_begin(&w);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_end(&w);
	TAP_OK(json_done(&w) && b.len == 2 * JSON_MAX_DEPTH, "JSON_MAX_DEPTH levels of nesting");

	buf_init(&b, a, 8);
	json_init(&w, &b);
	json_string(&w, "top");
	TAP_OK(json_done(&w) && strcmp(b.data, "\"top\"") == 0, "a bare string is a document");

	arena_free(a);
	return tap_done();
}
