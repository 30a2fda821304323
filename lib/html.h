/*
 * html.h: the only way bytes reach a page.
 *
 * html_text() escapes for element content, html_attr() for a double-quoted
 * attribute value. Both scan runs of safe bytes and copy them in bulk (escaping
 * byte by byte cost a third of a worker's time). There is deliberately no
 * "raw" call here: sanitized HTML goes through the template engine's typed
 * value (tpl_safe_html), and literals through the template itself.
 */
#ifndef HEARTH_HTML_H
#define HEARTH_HTML_H

#include <stddef.h>

#include "buf.h"

void html_text(buf *out, const char *s, size_t len);
void html_attr(buf *out, const char *s, size_t len);

/* Percent-encodes s for a URL path segment or query value. */
void html_url_component(buf *out, const char *s, size_t len);

#endif
