/*
 * utf8.h: UTF-8 validation at the edges.
 *
 * Owns nothing; all functions work on caller buffers. "Valid" means RFC 3629
 * UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
 */
#ifndef HEARTH_UTF8_H
#define HEARTH_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is valid UTF-8. */
bool utf8_valid(const char *s, size_t len);

/* Length in bytes of the valid UTF-8 sequence at s (1..4), or 0 when the
 * bytes at s do not start a valid sequence within len. */
size_t utf8_seq_len(const unsigned char *s, size_t len);

/* Number of code points in valid UTF-8 s[0..len). */
size_t utf8_count(const char *s, size_t len);

/* True when s holds a C0/C1 control character other than TAB, LF and CR,
 * or a U+FFFE/U+FFFF noncharacter. s must be valid UTF-8. */
bool utf8_has_controls(const char *s, size_t len, bool allow_newlines);

/* Copies s to out replacing each invalid byte with U+FFFD. out must hold
 * 3 * len + 1 bytes. Returns the output length; out is NUL-terminated. */
size_t utf8_repair(const char *s, size_t len, char *out);

#endif
