/*
 * sanitize.h: the allowlist HTML sanitizer behind md_render().
 *
 * Part of the markdown module (lib/markdown.h states the allowlist and the
 * return codes). Exposed on its own so tests and fuzzers can feed it hostile
 * HTML directly, without cmark's safe mode in front.
 *
 * The input is streamed through libxml2's HTML parser (SAX, no tree: depth
 * is bounded by memory only, never by libxml2's 256-level tree limit) and
 * re-serialized by us, so every byte of output went through our escaping.
 */
#ifndef HEARTH_SANITIZE_H
#define HEARTH_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "markdown.h"

/* Sanitizes the HTML fragment html[0..len), which must be valid UTF-8 (run
 * utf8_repair() first otherwise: libxml2 would switch to Latin-1). On MD_OK
 * *out is malloc'd, NUL-terminated, valid UTF-8, and freed by the caller. */
enum md_err sanitize_html(const char *html, size_t len, char **out, size_t *out_len);

/* True when an href or src value (entity-decoded) may be kept: after dropping
 * ASCII whitespace and control characters it is non-empty, contains none of
 * javascript: vbscript: livescript: data: file: (any case), and is either
 * relative or has the scheme http, https or mailto. */
bool sanitize_url_ok(const char *url, size_t len);

#endif
