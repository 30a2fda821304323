/*
 * tpl.h: the template engine.
 *
 * A theme is a folder of well-formed XHTML files parsed with libxml2 once at
 * start-up and compiled into a flat list of operations. Directives are
 * attributes and elements in the namespace urn:hearth:template (prefix h):
 *
 *   h:text="expr"          element content = value, escaped as text
 *   h:html="name"          element content = a tpl_html value (sanitized HTML);
 *                          any other type is a render-time error shown as text
 *   h:attr-NAME="expr"     attribute NAME = value, escaped as an attribute;
 *                          left out when the value is missing or false
 *   h:if="name" / h:unless="name"   keep the element when truthy / falsy
 *   h:each="name"          repeat the element once per item of a list; names
 *                          resolve in the item (a map) first, then outside
 *   <h:block ...>          an element that renders only its children
 *   <h:include name="x"/>  renders template x (x.html) here, same scope
 *   <h:content/>           in layout.html: where the page goes
 *
 * An expression is a sequence of 'literals' and dotted names, concatenated:
 * h:attr-href="'/t/' thread.id '#p' id". A page template is rendered inside
 * layout.html; a template whose root is <h:fragment> is only included.
 *
 * Values live in the caller's arena. Escaping is the engine's: page code has
 * no way to write raw bytes, and only tpl_set_html() values are inserted raw.
 */
#ifndef HEARTH_TPL_H
#define HEARTH_TPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"

typedef struct tpl_value tpl_value;
typedef struct tpl_theme tpl_theme;

enum tpl_err { TPL_OK = 0, TPL_ERR_IO, TPL_ERR_PARSE, TPL_ERR_DIRECTIVE, TPL_ERR_MISSING, TPL_ERR__MAX };
const char *tpl_strerror(enum tpl_err e);

/* Values. A map keeps insertion order; setting a key again replaces it. */
tpl_value *tpl_map(arena *a);
tpl_value *tpl_list(arena *a);
void tpl_list_push(tpl_value *list, tpl_value *item);
size_t tpl_list_len(const tpl_value *list);
void tpl_set(tpl_value *map, const char *key, tpl_value *value);
void tpl_set_str(tpl_value *map, const char *key, const char *s);
void tpl_set_strn(tpl_value *map, const char *key, const char *s, size_t len);
void tpl_set_int(tpl_value *map, const char *key, long long n);
void tpl_set_bool(tpl_value *map, const char *key, bool b);
/* html must come from the Markdown sanitizer or another trusted producer. */
void tpl_set_html(tpl_value *map, const char *key, const char *html);
tpl_value *tpl_get(const tpl_value *map, const char *key);

/* Loads and compiles every *.html of dir. On error writes "file:line: what". */
enum tpl_err tpl_theme_load(const char *dir, tpl_theme **out, char *err, size_t errlen);
void tpl_theme_free(tpl_theme *t);
bool tpl_has(const tpl_theme *t, const char *name);

/* Renders page `name` inside layout.html (or alone when it is layout-free),
 * appending to out. Returns TPL_ERR_MISSING when there is no such template. */
enum tpl_err tpl_render_page(const tpl_theme *t, const char *name, const tpl_value *data, buf *out);

/*
 * The same in two steps, for pages assembled from stored parts
 * (fcgi/skeleton.c): tpl_render_content() renders page or fragment `name`
 * without layout.html; tpl_render_layout() renders layout.html with content
 * (bytes from tpl_render_content) at <h:content/>. With the same data, the
 * two steps give the bytes of tpl_render_page().
 */
enum tpl_err tpl_render_content(const tpl_theme *t, const char *name, const tpl_value *data, buf *out);
enum tpl_err tpl_render_layout(const tpl_theme *t, const tpl_value *data, const char *content,
                               size_t len, buf *out);

/* Changes when any compiled template changes (stored parts record it). */
uint64_t tpl_theme_digest(const tpl_theme *t);

#endif
