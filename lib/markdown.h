/*
 * markdown.h: post Markdown to sanitized HTML, and plain-text excerpts.
 *
 * Owns nothing between calls and keeps no state: every call parses with
 * cmark, then (default mode) passes cmark's HTML through an allowlist
 * sanitizer built on libxml2's HTML parser, which is the second line of
 * defence should cmark ever let markup through.
 *
 * What the default mode emits (and nothing else):
 *   p br hr em strong code pre blockquote ul ol(start) li del, and
 *   h3..h6: headings shift down two levels (h1->h3, h2->h4, h3->h5, h4..h6
 *   ->h6), because the page owns h1 and h2 and a post's "#" and "##" should
 *   stay distinguishable;
 *   a(href, rel="nofollow ugc noopener") for http, https, mailto and
 *   relative URLs only; any other link becomes its bare text;
 *   code(class="language-X") when X matches [A-Za-z0-9_+-]{1,32}.
 *   Images never become <img> (no request may leave the reader's browser):
 *   ![alt](url) becomes <a ... class="md-image-link">image: alt</a>, or the
 *   bare text "image: alt" when the URL is refused or the image sits inside
 *   a link. Raw HTML is omitted; script, style, svg and the like are dropped
 *   with their content, other unknown elements keep their text.
 *   Text and attribute values are escaped for & < > ".
 *   Mentions: "@handle" (3 to 30 of [A-Za-z0-9_-], starting a word, not in
 *   code, a link or an image) becomes <a href="/u/handle" rel=...>@handle</a>;
 *   the database's notification trigger (sql/013) finds mentions by that
 *   link. Whether the member exists is not known here: /u/NAME answers 404.
 *
 * Every returned string is malloc'd, NUL-terminated and valid UTF-8 (even
 * where cmark 0.30.2 emits invalid bytes for &#xFFFE; and friends: they
 * become U+FFFD); the caller releases it with free(). On any error *out is
 * NULL and *out_len 0.
 *
 * Return codes: MD_OK; MD_ERR_NOMEM when an allocation failed or the input
 * is too large to address; MD_ERR_RENDER when cmark failed; MD_ERR_SANITIZE
 * when libxml2 could not set up a parser. md_strerror() names each code.
 *
 * Thread-safe as far as libxml2 is; costs time linear in the input.
 */
#ifndef HEARTH_MARKDOWN_H
#define HEARTH_MARKDOWN_H

#include <stddef.h>

#define MD_HANDLE_MIN 3          /* a handle's length, as users.handle allows */
#define MD_HANDLE_MAX 30

enum md_flags {
	MD_DEFAULT = 0,
	MD_TEST_RAW_HTML = 1 << 0,  /* test-only: cmark UNSAFE, no sanitizer; for the CommonMark spec suite */
};

enum md_err { MD_OK = 0, MD_ERR_NOMEM, MD_ERR_RENDER, MD_ERR_SANITIZE, MD_ERR__MAX };

/* A static English description of err; never NULL. */
const char *md_strerror(enum md_err err);

/* Renders Markdown src[0..len) to sanitized HTML. On MD_OK *out is a malloc'd, NUL-terminated,
 * valid UTF-8 string the caller frees with free(); *out_len its length. */
enum md_err md_render(const char *src, size_t len, unsigned flags, char **out, size_t *out_len);

/* Renders a plain-text excerpt (no markup) of at most max_bytes bytes, cut at a UTF-8 boundary, for
 * listings and quotes; same ownership.
 * The text is what a reader sees: inline text, code and image descriptions; raw HTML is left out;
 * runs of whitespace and control characters become one space. When the text had to be cut, it ends
 * with "..." as U+2026 (if max_bytes leaves room for it). The result is plain text, NOT HTML: the
 * writer must escape it like any other value. */
enum md_err md_excerpt(const char *src, size_t len, size_t max_bytes, char **out, size_t *out_len);

#endif
