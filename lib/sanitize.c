/* sanitize.c: see sanitize.h and markdown.h. */
#include "sanitize.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "utf8.h"

/* Output buffer: grows geometrically; the first failed allocation sticks,
 * so callers append freely and check once at the end. */
struct san_buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static bool buf_reserve(struct san_buf *b, size_t more)
{
	if (b->failed)
		return false;
	if (more <= b->cap - b->len)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < more) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (p == NULL)
		goto fail;
	b->p = p;
	b->cap = cap;
	return true;
fail:
	b->failed = true;
	return false;
}

static void buf_add(struct san_buf *b, const void *s, size_t n)
{
	if (n == 0 || !buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

#define buf_lit(b, s) buf_add((b), (s), sizeof(s) - 1)

static void buf_str(struct san_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Bytes that must be escaped in text and in double-quoted attribute values.
 * Escaping '"' in text too keeps our output byte-identical to cmark's. */
static const char *const esc_entity[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
};

/* Appends s[0..n) escaped, copying runs of safe bytes in bulk. */
static void buf_esc(struct san_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = esc_entity[p[i]];
		if (e == NULL)
			continue;
		buf_add(b, s + run, i - run);
		buf_str(b, e);
		run = i + 1;
	}
	buf_add(b, s + run, n - run);
}

/* ---- URLs ---------------------------------------------------------------- */

static bool is_ctl_or_space(unsigned char c)
{
	return c <= 0x20 || c == 0x7F;
}

/* True when word occurs in s[0..n); portable memmem for short words. */
static bool contains(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);
	const char *p = s, *end = s + n;
	while ((size_t)(end - p) >= k &&
	       (p = memchr(p, word[0], (size_t)(end - p) - k + 1)) != NULL) {
		if (memcmp(p, word, k) == 0)
			return true;
		p++;
	}
	return false;
}

static bool has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

bool sanitize_url_ok(const char *url, size_t len)
{
	static const char *const banned[] = {
		"javascript:", "vbscript:", "livescript:", "data:", "file:",
	};
	/* Browsers strip leading/trailing C0 and space and every TAB/CR/LF;
	 * dropping all of them everywhere is stricter, never looser. The
	 * squeezed, lowercased copy is what every check below looks at. */
	char stackbuf[512];
	char *s = len <= sizeof stackbuf ? stackbuf : malloc(len);
	bool ok = false;
	if (s == NULL)
		return false;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];
		if (is_ctl_or_space(c))
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		s[n++] = (char)c;
	}
	if (n == 0)
		goto done;
	for (size_t k = 0; k < sizeof banned / sizeof banned[0]; k++)
		if (contains(s, n, banned[k]))
			goto done;
	if (s[0] == '/' || s[0] == '#' || s[0] == '?') {
		ok = true;
		goto done;
	}
	size_t i = 0;
	while (i < n && memchr(":/?#", s[i], 4) == NULL)
		i++;
	if (i == n || s[i] != ':')
		ok = true;      /* no scheme: relative */
	else
		ok = has_prefix(s, n, "http:") || has_prefix(s, n, "https:") ||
		     has_prefix(s, n, "mailto:");
done:
	if (s != stackbuf)
		free(s);
	return ok;
}

/* ---- The allowlist ------------------------------------------------------- */

/* What we emit for an element; the value is also what the element's entry on
 * our stack says to write when it closes. */
enum san_tag {
	T_NONE, T_P, T_BLOCKQUOTE, T_UL, T_OL, T_LI, T_PRE, T_CODE, T_EM,
	T_STRONG, T_DEL, T_H3, T_H4, T_H5, T_H6, T_A, T_BR, T_HR, T__MAX
};

static const char *const tag_open[T__MAX] = {
	[T_P] = "<p>", [T_BLOCKQUOTE] = "<blockquote>", [T_UL] = "<ul>",
	[T_LI] = "<li>", [T_PRE] = "<pre>", [T_EM] = "<em>",
	[T_STRONG] = "<strong>", [T_DEL] = "<del>", [T_H3] = "<h3>",
	[T_H4] = "<h4>", [T_H5] = "<h5>", [T_H6] = "<h6>",
	[T_BR] = "<br />", [T_HR] = "<hr />",
};

static const char *const tag_close[T__MAX] = {
	[T_P] = "</p>", [T_BLOCKQUOTE] = "</blockquote>", [T_UL] = "</ul>",
	[T_OL] = "</ol>", [T_LI] = "</li>", [T_PRE] = "</pre>",
	[T_CODE] = "</code>", [T_EM] = "</em>", [T_STRONG] = "</strong>",
	[T_DEL] = "</del>", [T_H3] = "</h3>", [T_H4] = "</h4>",
	[T_H5] = "</h5>", [T_H6] = "</h6>", [T_A] = "</a>",
};

enum san_kind {
	K_PASS,         /* drop the tag, keep its content */
	K_DROP,         /* drop the tag and all its content */
	K_PLAIN,        /* keep, without attributes (tag_open) */
	K_VOID,         /* keep, empty element (tag_open; no close) */
	K_OL, K_CODE, K_A, K_IMG,
};

static const struct san_elem {
	const char *name;
	unsigned char kind;     /* enum san_kind */
	unsigned char tag;      /* enum san_tag */
} san_elems[] = {
	{ "p", K_PLAIN, T_P }, { "li", K_PLAIN, T_LI }, { "em", K_PLAIN, T_EM },
	{ "strong", K_PLAIN, T_STRONG }, { "code", K_CODE, T_CODE },
	{ "a", K_A, T_A }, { "ul", K_PLAIN, T_UL }, { "ol", K_OL, T_OL },
	{ "pre", K_PLAIN, T_PRE }, { "blockquote", K_PLAIN, T_BLOCKQUOTE },
	{ "br", K_VOID, T_BR }, { "hr", K_VOID, T_HR }, { "del", K_PLAIN, T_DEL },
	/* The page owns h1 and h2: shift by two, keep #/##/### distinct. */
	{ "h1", K_PLAIN, T_H3 }, { "h2", K_PLAIN, T_H4 }, { "h3", K_PLAIN, T_H5 },
	{ "h4", K_PLAIN, T_H6 }, { "h5", K_PLAIN, T_H6 }, { "h6", K_PLAIN, T_H6 },
	{ "img", K_IMG, T_NONE },
	/* Elements whose content is code, styling, or foreign markup. */
	{ "script", K_DROP, T_NONE }, { "style", K_DROP, T_NONE },
	{ "iframe", K_DROP, T_NONE }, { "object", K_DROP, T_NONE },
	{ "embed", K_DROP, T_NONE }, { "template", K_DROP, T_NONE },
	{ "noscript", K_DROP, T_NONE }, { "svg", K_DROP, T_NONE },
	{ "math", K_DROP, T_NONE }, { "textarea", K_DROP, T_NONE },
	{ "title", K_DROP, T_NONE }, { "xmp", K_DROP, T_NONE },
	{ "plaintext", K_DROP, T_NONE }, { "noembed", K_DROP, T_NONE },
	{ "noframes", K_DROP, T_NONE }, { "applet", K_DROP, T_NONE },
	{ "frameset", K_DROP, T_NONE }, { "select", K_DROP, T_NONE },
};

static const struct san_elem *elem_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof san_elems / sizeof san_elems[0]; i++)
		if (san_elems[i].name[0] == name[0] && strcmp(san_elems[i].name, name) == 0)
			return &san_elems[i];
	return NULL;
}

static const char *attr_get(const xmlChar **atts, const char *name)
{
	if (atts == NULL)
		return NULL;
	for (size_t i = 0; atts[i] != NULL; i += 2)
		if (strcmp((const char *)atts[i], name) == 0)
			return atts[i + 1] ? (const char *)atts[i + 1] : "";
	return NULL;
}

static bool ol_start_ok(const char *v)
{
	size_t n = strlen(v);
	return n >= 1 && n <= 9 && strspn(v, "0123456789") == n;
}

static bool code_class_ok(const char *v)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789_+-";
	if (strncmp(v, "language-", 9) != 0)
		return false;
	size_t n = strlen(v + 9);
	return n >= 1 && n <= 32 && strspn(v + 9, set) == n;
}

/* ---- SAX handlers -------------------------------------------------------- */

/* One byte per open element: its enum san_tag, plus this flag when it
 * opened a dropped region. */
#define ENTRY_DROP 0x80u
#define ENTRY_TAG  0x1Fu

struct san {
	struct san_buf out;
	unsigned char *stack;
	size_t depth, cap;
	size_t drop;            /* open K_DROP elements */
	size_t links;           /* open <a> we emitted: no nested links */
	bool skip_nl;           /* a dropped comment began this line */
};

static struct san *san_of(void *ctx)
{
	return ((htmlParserCtxtPtr)ctx)->_private;
}

static void push(struct san *st, unsigned entry)
{
	if (st->depth == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		unsigned char *s = realloc(st->stack, cap);
		if (s == NULL) {
			st->out.failed = true;
			return;
		}
		st->stack = s;
		st->cap = cap;
	}
	st->stack[st->depth++] = (unsigned char)entry;
}

/* Appends an href value: entity-decoded by libxml2, trimmed of the
 * whitespace and controls browsers would strip anyway, escaped by us. */
static void put_href(struct san_buf *b, const char *url)
{
	size_t n = strlen(url);
	while (n > 0 && is_ctl_or_space((unsigned char)*url)) {
		url++;
		n--;
	}
	while (n > 0 && is_ctl_or_space((unsigned char)url[n - 1]))
		n--;
	buf_lit(b, "<a href=\"");
	buf_esc(b, url, n);
	buf_lit(b, "\" rel=\"nofollow ugc noopener\"");
}

static void on_img(struct san *st, const xmlChar **atts)
{
	const char *src = attr_get(atts, "src");
	const char *alt = attr_get(atts, "alt");
	bool link = st->links == 0 && src != NULL &&
	            sanitize_url_ok(src, strlen(src));
	if (link) {
		put_href(&st->out, src);
		buf_lit(&st->out, " class=\"md-image-link\">");
	}
	if (alt != NULL && alt[0] != '\0') {
		buf_lit(&st->out, "image: ");
		buf_esc(&st->out, alt, strlen(alt));
	} else {
		buf_lit(&st->out, "image");
	}
	if (link)
		buf_lit(&st->out, "</a>");
}

static void on_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	struct san *st = san_of(ctx);
	st->skip_nl = false;
	const struct san_elem *e = elem_lookup((const char *)xname);
	unsigned kind = e ? e->kind : K_PASS;
	const char *v;

	if (kind == K_DROP) {
		st->drop++;
		push(st, ENTRY_DROP);
		return;
	}
	if (st->drop > 0) {
		push(st, T_NONE);
		return;
	}
	switch (kind) {
	case K_PASS:
		push(st, T_NONE);
		return;
	case K_PLAIN:
		buf_str(&st->out, tag_open[e->tag]);
		push(st, e->tag);
		return;
	case K_VOID:
		buf_str(&st->out, tag_open[e->tag]);
		push(st, T_NONE);
		return;
	case K_OL:
		buf_lit(&st->out, "<ol");
		v = attr_get(atts, "start");
		if (v != NULL && ol_start_ok(v)) {
			buf_lit(&st->out, " start=\"");
			buf_str(&st->out, v);
			buf_lit(&st->out, "\"");
		}
		buf_lit(&st->out, ">");
		push(st, T_OL);
		return;
	case K_CODE:
		buf_lit(&st->out, "<code");
		v = attr_get(atts, "class");
		if (v != NULL && code_class_ok(v)) {
			buf_lit(&st->out, " class=\"");
			buf_str(&st->out, v);
			buf_lit(&st->out, "\"");
		}
		buf_lit(&st->out, ">");
		push(st, T_CODE);
		return;
	case K_A:
		v = attr_get(atts, "href");
		if (st->links > 0 || v == NULL || !sanitize_url_ok(v, strlen(v))) {
			push(st, T_NONE);
			return;
		}
		put_href(&st->out, v);
		buf_lit(&st->out, ">");
		st->links++;
		push(st, T_A);
		return;
	case K_IMG:
		on_img(st, atts);
		push(st, T_NONE);
		return;
	}
	abort();        /* every enum san_kind is handled above */
}

static void pop(struct san *st)
{
	unsigned entry = st->stack[--st->depth];
	unsigned tag = entry & ENTRY_TAG;
	if (entry & ENTRY_DROP)
		st->drop--;
	if (tag == T_A)
		st->links--;
	if (tag_close[tag] != NULL)
		buf_str(&st->out, tag_close[tag]);
}

static void on_end(void *ctx, const xmlChar *name)
{
	struct san *st = san_of(ctx);
	(void)name;     /* libxml2 balances start and end events for us */
	st->skip_nl = false;
	if (st->depth > 0)
		pop(st);
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
	struct san *st = san_of(ctx);
	if (st->drop > 0 || len <= 0)
		return;
	if (st->skip_nl && ch[0] == '\n') {
		ch++;
		len--;
	}
	st->skip_nl = false;
	buf_esc(&st->out, (const char *)ch, (size_t)len);
}

/* cmark leaves "<!-- raw HTML omitted -->" on a line of its own for an HTML
 * block: drop that line's newline too, so no blank line is left behind. A
 * comment after anything else on its line keeps the newline, which may be
 * all that separates two words. */
static void on_comment(void *ctx, const xmlChar *value)
{
	struct san *st = san_of(ctx);
	(void)value;
	st->skip_nl = st->drop == 0 &&
	              (st->out.len == 0 || st->out.p[st->out.len - 1] == '\n');
}

enum md_err sanitize_html(const char *html, size_t len, char **out, size_t *out_len)
{
	/* The wrapper keeps libxml2 from inventing a <p> around leading text;
	 * it is K_PASS, so a stray </div> in the input cannot hurt. */
	static const char pre[] = "<div>", post[] = "</div>";
	struct san st = { 0 };
	htmlParserCtxtPtr ctxt = NULL;
	struct san_buf in = { 0 };
	enum md_err err = MD_ERR_NOMEM;

	*out = NULL;
	*out_len = 0;
	if (len > (size_t)INT_MAX - sizeof pre - sizeof post)
		goto fail;
	buf_lit(&in, pre);
	buf_add(&in, html, len);
	buf_lit(&in, post);
	if (!buf_reserve(&st.out, len + len / 4 + 16) || in.failed)
		goto fail;

	xmlInitParser();
	ctxt = htmlNewParserCtxt();
	if (ctxt == NULL || ctxt->sax == NULL) {
		err = MD_ERR_SANITIZE;
		goto fail;
	}
	memset(ctxt->sax, 0, sizeof *ctxt->sax);
	ctxt->sax->initialized = 1;
	ctxt->sax->startElement = on_start;
	ctxt->sax->endElement = on_end;
	ctxt->sax->characters = on_text;
	ctxt->sax->ignorableWhitespace = on_text;
	ctxt->sax->cdataBlock = on_text;
	ctxt->sax->comment = on_comment;
	ctxt->_private = &st;
	/* Returns no document: our handlers build none. Errors are the
	 * parser recovering from bad markup, which is its job here. */
	htmlCtxtReadMemory(ctxt, in.p, (int)in.len, NULL, "UTF-8",
	                   HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	                   HTML_PARSE_NOWARNING | HTML_PARSE_NODEFDTD |
	                   HTML_PARSE_IGNORE_ENC | HTML_PARSE_RECOVER);
	while (st.depth > 0)
		pop(&st);
	buf_add(&st.out, "", 1);
	if (st.out.failed)
		goto fail;
	st.out.len--;

	/* libxml2 only passes on what it decoded as UTF-8, but a page must
	 * never carry a bad byte: check, and repair if ever needed. */
	if (!utf8_valid(st.out.p, st.out.len)) {
		char *fixed = malloc(3 * st.out.len + 1);
		if (fixed == NULL)
			goto fail;
		st.out.len = utf8_repair(st.out.p, st.out.len, fixed);
		free(st.out.p);
		st.out.p = fixed;
	}
	*out = st.out.p;
	*out_len = st.out.len;
	st.out.p = NULL;
	err = MD_OK;
fail:
	if (ctxt != NULL)
		htmlFreeParserCtxt(ctxt);
	free(st.stack);
	free(st.out.p);
	free(in.p);
	return err;
}
