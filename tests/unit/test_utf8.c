/* Unit tests for lib/utf8.c. */
#include <string.h>

#include "tap.h"
#include "utf8.h"

#define V(s) utf8_valid(s, sizeof(s) - 1)

int main(void)
{
	TAP_OK(V("plain ascii"), "ascii is valid");
	TAP_OK(V("h\xc3\xa9 \xe4\xb8\x96 \xf0\x9f\x98\x80"), "2, 3 and 4 byte sequences are valid");
	TAP_OK(!V("\xc3"), "a truncated sequence is invalid");
	TAP_OK(!V("\xc0\xaf"), "an overlong slash is invalid");
	TAP_OK(!V("\xe0\x80\xaf"), "an overlong 3-byte form is invalid");
	TAP_OK(!V("\xed\xa0\x80"), "a UTF-16 surrogate is invalid");
	TAP_OK(!V("\xf4\x90\x80\x80"), "above U+10FFFF is invalid");
	TAP_OK(!V("\xff"), "0xFF is invalid");
	TAP_OK(!V("\x80"), "a lone continuation byte is invalid");
	TAP_OK(utf8_count("h\xc3\xa9", 3) == 2, "count code points");
	TAP_OK(utf8_has_controls("a\x01", 2, true), "C0 control found");
	TAP_OK(!utf8_has_controls("a\tb\nc\r", 6, true), "tab and newlines allowed in bodies");
	TAP_OK(utf8_has_controls("a\nb", 3, false), "newline refused in titles");
	TAP_OK(utf8_has_controls("\xc2\x85", 2, true), "C1 control (NEL) found");
	TAP_OK(utf8_has_controls("\xef\xbf\xbe", 3, true), "U+FFFE found");
	char out[64];
	size_t n = utf8_repair("a\xffz\xc3", 4, out);
	TAP_STREQ(out, "a\xef\xbf\xbdz\xef\xbf\xbd", "repair replaces invalid bytes with U+FFFD");
	TAP_OK(n == strlen(out), "repair returns the length");
	return tap_done();
}
