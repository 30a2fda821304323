/* markdown.c: see markdown.h. */
#include "markdown.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "sanitize.h"
#include "utf8.h"

static const char *const md_errs[MD_ERR__MAX] = {
	[MD_OK] = "success",
	[MD_ERR_NOMEM] = "out of memory",
	[MD_ERR_RENDER] = "Markdown renderer failed",
	[MD_ERR_SANITIZE] = "HTML sanitizer failed",
};

const char *md_strerror(enum md_err err)
{
	if ((unsigned)err >= MD_ERR__MAX)
		return "unknown markdown error";
	return md_errs[err];
}

/* Replaces s (malloc'd, len bytes, as cmark hands it out) with a malloc'd
 * valid UTF-8 copy when it holds a bad byte: cmark 0.30.2 writes the raw
 * bytes 0xFE/0xFF for &#xFFFE; and &#xFFFF; (fixed in 0.31.1). */
static enum md_err repair(char **s, size_t *len)
{
	if (utf8_valid(*s, *len))
		return MD_OK;
	if (*len > (SIZE_MAX - 1) / 3)
		return MD_ERR_NOMEM;
	char *fixed = malloc(3 * *len + 1);
	if (fixed == NULL)
		return MD_ERR_NOMEM;
	*len = utf8_repair(*s, *len, fixed);
	free(*s);
	*s = fixed;
	return MD_OK;
}

/* ---- Mentions ------------------------------------------------------------ */

static bool handle_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

/* Length of the handle of a mention at s[i] ('@'), 0 when there is none:
 * the '@' starts a word (after a space, an opening bracket or quote, or a
 * non-ASCII character; never inside an address like a+b@c.d), 3 to 30
 * handle bytes follow, and no domain goes on after them (@b.example). */
static size_t mention_at(const char *s, size_t i)
{
	unsigned char before = i > 0 ? (unsigned char)s[i - 1] : ' ';
	if (before < 0x80 && !strchr(" \t\n([{\"'", before))
		return 0;
	size_t n = 0;
	while (handle_byte((unsigned char)s[i + 1 + n]))
		n++;
	char after = s[i + 1 + n];
	if ((after == '.' || after == '@') && handle_byte((unsigned char)s[i + 2 + n]))
		return 0;
	return n >= MD_HANDLE_MIN && n <= MD_HANDLE_MAX ? n : 0;
}

static bool inside_link(cmark_node *node)
{
	for (cmark_node *p = cmark_node_parent(node); p; p = cmark_node_parent(p)) {
		cmark_node_type t = cmark_node_get_type(p);
		if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE)
			return true;
	}
	return false;
}

/* Splits one text node around its mentions; false when out of memory. */
static bool split_mentions(cmark_node *text)
{
	const char *lit = cmark_node_get_literal(text);
	size_t len = strlen(lit);
	char *s = malloc(len + 1);
	if (s == NULL)
		return false;
	memcpy(s, lit, len + 1);
	size_t from = 0;
	bool ok = true;
	for (size_t i = 0; i < len && ok; i++) {
		size_t n = s[i] == '@' ? mention_at(s, i) : 0;
		if (n == 0)
			continue;
		char url[4 + MD_HANDLE_MAX + 1], label[1 + MD_HANDLE_MAX + 1];
		memcpy(url, "/u/", 3);
		memcpy(url + 3, s + i + 1, n);
		url[3 + n] = '\0';
		memcpy(label, s + i, n + 1);
		label[n + 1] = '\0';
		cmark_node *before = NULL, *link = cmark_node_new(CMARK_NODE_LINK);
		cmark_node *name = cmark_node_new(CMARK_NODE_TEXT);
		if (i > from) {
			char save = s[i];
			s[i] = '\0';
			before = cmark_node_new(CMARK_NODE_TEXT);
			ok = before && cmark_node_set_literal(before, s + from) && cmark_node_insert_before(text, before);
			s[i] = save;
		}
		ok = ok && link && name && cmark_node_set_url(link, url) && cmark_node_set_literal(name, label) &&
		     cmark_node_append_child(link, name);
		name = ok ? NULL : name;
		ok = ok && cmark_node_insert_before(text, link);
		if (!ok) {
			if (before)
				cmark_node_free(before);
			if (name)
				cmark_node_free(name);
			if (link)
				cmark_node_free(link);
			break;
		}
		from = i + 1 + n;
		i = from - 1;
	}
	if (ok && from > 0) {
		if (from < len)
			ok = cmark_node_set_literal(text, s + from);
		else
			cmark_node_free(text);     /* unlinks it */
	}
	free(s);
	return ok;
}

/* Turns "@handle" in the text of doc (not in code, links or images) into
 * links to /u/handle. False when out of memory. */
static bool link_mentions(cmark_node *doc)
{
	cmark_consolidate_text_nodes(doc);
	cmark_node **found = NULL;
	size_t count = 0, cap = 0;
	bool ok = true;
	cmark_iter *it = cmark_iter_new(doc);
	if (it == NULL)
		return false;
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(node) != CMARK_NODE_TEXT)
			continue;
		const char *lit = cmark_node_get_literal(node);
		if (lit == NULL || strchr(lit, '@') == NULL || inside_link(node))
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			cmark_node **grown = realloc(found, ncap * sizeof *found);
			if (grown == NULL) {
				ok = false;
				break;
			}
			found = grown;
			cap = ncap;
		}
		found[count++] = node;
	}
	cmark_iter_free(it);
	/* The tree changes only after the walk is over. */
	for (size_t i = 0; i < count && ok; i++)
		ok = split_mentions(found[i]);
	free(found);
	return ok;
}

enum md_err md_render(const char *src, size_t len, unsigned flags, char **out, size_t *out_len)
{
	int opts = CMARK_OPT_VALIDATE_UTF8;
	enum md_err err;
	char *html;
	size_t html_len;

	*out = NULL;
	*out_len = 0;
	if (flags & MD_TEST_RAW_HTML)
		opts |= CMARK_OPT_UNSAFE;
	else
		opts |= CMARK_OPT_DEFAULT;
	if (flags & MD_TEST_RAW_HTML) {
		html = cmark_markdown_to_html(src, len, opts);
	} else {
		cmark_node *doc = cmark_parse_document(src, len, opts);
		if (doc == NULL)
			return MD_ERR_RENDER;
		if (!link_mentions(doc)) {
			cmark_node_free(doc);
			return MD_ERR_NOMEM;
		}
		html = cmark_render_html(doc, opts);
		cmark_node_free(doc);
	}
	if (html == NULL)
		return MD_ERR_RENDER;
	html_len = strlen(html);
	err = repair(&html, &html_len);
	if (err != MD_OK)
		goto fail;
	if (flags & MD_TEST_RAW_HTML) {
		*out = html;
		*out_len = html_len;
		return MD_OK;
	}
	err = sanitize_html(html, html_len, out, out_len);
fail:
	free(html);
	return err;
}

/* ---- Excerpts ------------------------------------------------------------ */

struct ex_buf {
	char *p;
	size_t len, cap;
	bool failed;
	bool space;     /* a separator is pending */
};

static void ex_add(struct ex_buf *b, const char *s, size_t n)
{
	if (b->failed || n == 0)
		return;
	if (n + 1 > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < n + 1) {
			if (cap > SIZE_MAX / 2) {
				b->failed = true;
				return;
			}
			cap *= 2;
		}
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* Length of the blank at s: ASCII space and C0 controls, DEL, and the C1
 * controls U+0080..U+009F; 0 when s does not start with one. */
static size_t blank_len(const unsigned char *s, size_t n)
{
	if (s[0] <= 0x20 || s[0] == 0x7F)
		return 1;
	if (s[0] == 0xC2 && n > 1 && s[1] >= 0x80 && s[1] <= 0x9F)
		return 2;
	return 0;
}

/* Appends text, folding each run of blanks into one pending space, which is
 * written only before the next visible byte (so no space leads or trails). */
static void ex_text(struct ex_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t k = blank_len(p + i, n - i);
		if (k > 0) {
			b->space = true;
			i += k;
			continue;
		}
		size_t run = i;
		while (i < n && blank_len(p + i, n - i) == 0)
			i++;
		if (b->space && b->len > 0)
			ex_add(b, " ", 1);
		b->space = false;
		ex_add(b, s + run, i - run);
	}
}

static bool is_block(cmark_node_type t)
{
	return t >= CMARK_NODE_FIRST_BLOCK && t <= CMARK_NODE_LAST_BLOCK;
}

/* Where to cut s (valid UTF-8, longer than max) to keep at most max bytes:
 * on a code point boundary, without a trailing space. */
static size_t cut_at(const char *s, size_t max)
{
	size_t cut = max;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	return cut;
}

enum md_err md_excerpt(const char *src, size_t len, size_t max_bytes, char **out, size_t *out_len)
{
	static const char ellipsis[] = "\xE2\x80\xA6";  /* U+2026 */
	struct ex_buf b = { 0 };
	cmark_node *doc = NULL;
	cmark_iter *it = NULL;
	enum md_err err = MD_ERR_RENDER;
	cmark_event_type ev;

	*out = NULL;
	*out_len = 0;
	doc = cmark_parse_document(src, len, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
	if (doc == NULL)
		goto fail;
	it = cmark_iter_new(doc);
	if (it == NULL)
		goto fail;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(node);
		const char *lit;
		if (is_block(t)) {
			b.space = true;         /* blocks never run together */
			if (t != CMARK_NODE_CODE_BLOCK || ev != CMARK_EVENT_ENTER)
				continue;
		} else if (ev != CMARK_EVENT_ENTER) {
			continue;
		}
		switch (t) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_CODE_BLOCK:
			lit = cmark_node_get_literal(node);
			if (lit != NULL)
				ex_text(&b, lit, strlen(lit));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			b.space = true;
			break;
		default:        /* containers; raw HTML is left out */
			break;
		}
	}
	ex_add(&b, "", 1);
	err = MD_ERR_NOMEM;
	if (b.failed)
		goto fail;
	b.len--;
	err = repair(&b.p, &b.len);
	if (err != MD_OK)
		goto fail;

	if (b.len > max_bytes) {
		/* An ellipsis alone says nothing: use it only after some text. */
		size_t cut = 0;
		if (max_bytes >= sizeof ellipsis - 1)
			cut = cut_at(b.p, max_bytes - (sizeof ellipsis - 1));
		if (cut > 0) {
			memcpy(b.p + cut, ellipsis, sizeof ellipsis - 1);
			b.len = cut + sizeof ellipsis - 1;
		} else {
			b.len = cut_at(b.p, max_bytes);
		}
	}
	b.p[b.len] = '\0';
	*out = b.p;
	*out_len = b.len;
	b.p = NULL;
	err = MD_OK;
fail:
	if (it != NULL)
		cmark_iter_free(it);
	if (doc != NULL)
		cmark_node_free(doc);
	free(b.p);
	return err;
}
