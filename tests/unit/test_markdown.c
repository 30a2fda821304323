/*
 * test_markdown.c: md_render, md_excerpt and the sanitizer against the
 * CommonMark spec, hand-written cases and hostile corpora.
 *
 * Data files are read from $HEARTH_SRCDIR/tests/data (HEARTH_SRCDIR
 * defaults to ".").
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmark.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "markdown.h"
#include "sanitize.h"
#include "tap.h"
#include "utf8.h"

/* ---- Files --------------------------------------------------------------- */

static char *read_data(const char *name, size_t *len)
{
	const char *dir = getenv("HEARTH_SRCDIR");
	char path[4096];
	FILE *f = NULL;
	char *s = NULL;
	long n;

	if (dir == NULL || dir[0] == '\0')
		dir = ".";
	snprintf(path, sizeof path, "%s/tests/data/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto fail;
	s = malloc((size_t)n + 1);
	if (s == NULL || fread(s, 1, (size_t)n, f) != (size_t)n)
		goto fail;
	s[n] = '\0';
	*len = (size_t)n;
	fclose(f);
	return s;
fail:
	printf("# cannot read %s (set HEARTH_SRCDIR to the source tree)\n", path);
	if (f != NULL)
		fclose(f);
	free(s);
	return NULL;
}

/* ---- A JSON reader for flat objects --------------------------------------
 * Enough for the corpora: arrays of objects, or one object per line, whose
 * values are strings, numbers, true, false or null (kept as their text). */

#define JOBJ_MAX 16

struct jobj {
	size_t n;
	char *key[JOBJ_MAX];
	char *val[JOBJ_MAX];
	size_t len[JOBJ_MAX];
};

static void j_ws(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r'))
		(*p)++;
}

static int j_hex4(const char *p, const char *end)
{
	int v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Decodes the string at *p (at its opening quote) into a malloc'd buffer.
 * Escapes never grow: "\uXXXX" is 6 bytes for at most 3, a pair 12 for 4. */
static bool j_string(const char **p, const char *end, char **out, size_t *outlen)
{
	const char *s = *p + 1;
	char *o, *buf;

	if (*p >= end || **p != '"')
		return false;
	buf = o = malloc((size_t)(end - s) + 1);
	if (buf == NULL)
		return false;
	while (s < end && *s != '"') {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		if (++s >= end)
			goto fail;
		switch (*s++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			int hi = j_hex4(s, end), lo;
			uint32_t c;
			if (hi < 0)
				goto fail;
			s += 4;
			c = (uint32_t)hi;
			if (hi >= 0xD800 && hi <= 0xDBFF && end - s >= 6 && s[0] == '\\' &&
			    s[1] == 'u' && (lo = j_hex4(s + 2, end)) >= 0xDC00 && lo <= 0xDFFF) {
				c = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
				s += 6;
			} else if (hi >= 0xD800 && hi <= 0xDFFF) {
				c = 0xFFFD;     /* lone surrogate */
			}
			o += put_utf8(o, c);
			break;
		}
		default:
			goto fail;
		}
	}
	if (s >= end)
		goto fail;
	*o = '\0';
	*out = buf;
	*outlen = (size_t)(o - buf);
	*p = s + 1;
	return true;
fail:
	free(buf);
	return false;
}

static void jobj_free(struct jobj *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->key[i]);
		free(o->val[i]);
	}
	o->n = 0;
}

static bool j_object(const char **p, const char *end, struct jobj *o)
{
	size_t klen;

	o->n = 0;
	j_ws(p, end);
	if (*p >= end || **p != '{')
		return false;
	(*p)++;
	j_ws(p, end);
	if (*p < end && **p == '}') {
		(*p)++;
		return true;
	}
	for (;;) {
		size_t i = o->n;
		if (i == JOBJ_MAX)
			goto fail;
		j_ws(p, end);
		if (!j_string(p, end, &o->key[i], &klen))
			goto fail;
		o->val[i] = NULL;
		o->n++;
		j_ws(p, end);
		if (*p >= end || **p != ':')
			goto fail;
		(*p)++;
		j_ws(p, end);
		if (*p < end && **p == '"') {
			if (!j_string(p, end, &o->val[i], &o->len[i]))
				goto fail;
		} else {
			const char *v = *p;
			while (*p < end && strchr("+-.0123456789eEtruefalsn", **p) != NULL)
				(*p)++;
			if (*p == v)
				goto fail;
			o->len[i] = (size_t)(*p - v);
			o->val[i] = strndup(v, o->len[i]);
			if (o->val[i] == NULL)
				goto fail;
		}
		j_ws(p, end);
		if (*p < end && **p == ',') {
			(*p)++;
			continue;
		}
		if (*p < end && **p == '}') {
			(*p)++;
			return true;
		}
		goto fail;
	}
fail:
	jobj_free(o);
	return false;
}

static const char *jget(const struct jobj *o, const char *key, size_t *len)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->key[i], key) == 0) {
			if (len != NULL)
				*len = o->len[i];
			return o->val[i];
		}
	return NULL;
}

/* Iterates over the objects of a JSON array ("[" handled on the first call)
 * or of a JSON-lines file. Returns 1 with *o filled, 0 at the end, -1 on a
 * syntax error. */
static int j_next(const char **p, const char *end, struct jobj *o)
{
	j_ws(p, end);
	if (*p < end && (**p == '[' || **p == ','))
		(*p)++;
	j_ws(p, end);
	if (*p >= end || **p == ']')
		return 0;
	return j_object(p, end, o) ? 1 : -1;
}

/* ---- Rendering helpers --------------------------------------------------- */

/* Writes s to f on one line: newline, tab and other controls escaped, so a
 * TAP line or diagnostic never spills onto a line of its own. */
static void put_esc(FILE *f, const char *s, size_t max)
{
	size_t n = 0;
	if (s == NULL) {
		fputs("(null)", f);
		return;
	}
	for (; *s != '\0' && n < max; s++, n++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7F)
			fprintf(f, "\\x%02X", c);
		else
			fputc(c, f);
	}
	if (*s != '\0')
		fputs("...", f);
}

static void expect_diag(const char *got, const char *want)
{
	fputs("#   got:  [", stdout);
	put_esc(stdout, got, 2000);
	fputs("]\n#   want: [", stdout);
	put_esc(stdout, want, 2000);
	fputs("]\n", stdout);
}

/* The name argument must be one line; got and want may be anything. */
static void expect_str(const char *got, const char *want, const char *name)
{
	bool same = got != NULL && want != NULL && strcmp(got, want) == 0;
	if (!same)
		expect_diag(got, want);
	TAP_OK(same, "%s", name);
}

/* A one-line rendering of s for a check name (static buffer: use at once). */
static const char *oneline(const char *s)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	if (f == NULL)
		return "?";
	put_esc(f, s, 60);
	fclose(f);
	return buf;
}

/* Renders and returns a malloc'd result, or NULL after a failed check. */
static char *render(const char *md, unsigned flags)
{
	char *out = NULL;
	size_t n = 0;
	enum md_err e = md_render(md, strlen(md), flags, &out, &n);
	if (e != MD_OK) {
		TAP_OK(0, "md_render(%s) returned %s", oneline(md), md_strerror(e));
		return NULL;
	}
	return out;
}

static void expect_md(const char *md, const char *want, const char *name)
{
	char *got = render(md, MD_DEFAULT);
	expect_str(got, want, name);
	free(got);
}

static void expect_san(const char *html, const char *want, const char *name)
{
	char *got = NULL;
	size_t n;
	enum md_err e = sanitize_html(html, strlen(html), &got, &n);
	TAP_OK(e == MD_OK, "sanitize_html ok: %s", name);
	char label[200];
	snprintf(label, sizeof label, "sanitize: %s", name);
	expect_str(got, want, label);
	free(got);
}

/* ---- Checking hostile output ----------------------------------------------
 * The output is parsed again by libxml2 (SAX, so nesting depth does not cut
 * the check short) and held to the allowlist. */

struct check {
	char why[200];
};

static void check_fail(struct check *c, const char *fmt, const char *a, const char *b)
{
	if (c->why[0] != '\0')
		return;
	snprintf(c->why, sizeof c->why, fmt, a, b ? b : "");
	for (char *p = c->why; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';       /* keep the TAP line one line */
}

static bool bad_url(const char *v)
{
	static const char *const bad[] = { "javascript:", "vbscript:", "data:", "livescript:" };
	char s[64];
	size_t n = 0;
	for (; *v != '\0' && n < sizeof s - 1; v++) {
		unsigned char c = (unsigned char)*v;
		if (c <= 0x20 || c == 0x7F)
			continue;
		s[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	s[n] = '\0';
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (strncmp(s, bad[i], strlen(bad[i])) == 0)
			return true;
	return false;
}

static void chk_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	static const char *const ok_elems[] = {
		"html", "body", "p", "br", "hr", "h3", "h4", "h5", "h6", "em",
		"strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "del",
	};
	struct check *c = ((htmlParserCtxtPtr)ctx)->_private;
	const char *name = (const char *)xname;
	bool known = false, rel = false;

	if (strcmp(name, "script") == 0)
		check_fail(c, "script element", NULL, NULL);
	for (size_t i = 0; i < sizeof ok_elems / sizeof ok_elems[0]; i++)
		known |= strcmp(name, ok_elems[i]) == 0;
	if (!known)
		check_fail(c, "element <%s> outside the allowlist", name, NULL);
	for (size_t i = 0; atts != NULL && atts[i] != NULL; i += 2) {
		const char *an = (const char *)atts[i];
		const char *av = atts[i + 1] ? (const char *)atts[i + 1] : "";
		if (strncmp(an, "on", 2) == 0)
			check_fail(c, "event attribute %s", an, NULL);
		if (strcmp(an, "style") == 0)
			check_fail(c, "style attribute", NULL, NULL);
		if (bad_url(av))
			check_fail(c, "dangerous value %s=%s", an, av);
		if (strcmp(name, "a") == 0 && strcmp(an, "rel") == 0) {
			rel = strcmp(av, "nofollow ugc noopener") == 0;
			continue;
		}
		if ((strcmp(name, "a") == 0 && strcmp(an, "href") == 0) ||
		    (strcmp(name, "a") == 0 && strcmp(an, "class") == 0 &&
		     strcmp(av, "md-image-link") == 0) ||
		    (strcmp(name, "ol") == 0 && strcmp(an, "start") == 0) ||
		    (strcmp(name, "code") == 0 && strcmp(an, "class") == 0 &&
		     strncmp(av, "language-", 9) == 0))
			continue;
		check_fail(c, "attribute %s on <%s>", an, name);
	}
	if (strcmp(name, "a") == 0 && !rel)
		check_fail(c, "<a> without rel", NULL, NULL);
}

/* Empty string when html is acceptable, else the first reason. */
static void check_html(const char *html, size_t len, struct check *c)
{
	htmlParserCtxtPtr ctxt;

	c->why[0] = '\0';
	if (!utf8_valid(html, len)) {
		check_fail(c, "invalid UTF-8", NULL, NULL);
		return;
	}
	ctxt = htmlNewParserCtxt();
	if (ctxt == NULL) {
		check_fail(c, "no parser", NULL, NULL);
		return;
	}
	memset(ctxt->sax, 0, sizeof *ctxt->sax);
	ctxt->sax->initialized = 1;
	ctxt->sax->startElement = chk_start;
	ctxt->_private = c;
	htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8",
	                   HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	htmlFreeParserCtxt(ctxt);
}

/* ---- CommonMark conformance ---------------------------------------------- */

static void run_spec(const char *file, const char *label)
{
	size_t len, shown = 0;
	char *json = read_data(file, &len);
	const char *p = json, *end;
	struct jobj o = { 0 };
	char section[128] = "", bad[256] = "";
	int total = 0, sec_n = 0, sec_fail = 0, r;

	TAP_OK(json != NULL, "%s: read %s", label, file);
	if (json == NULL)
		return;
	end = json + len;
	for (;;) {
		r = j_next(&p, end, &o);
		const char *sec = r == 1 ? jget(&o, "section", NULL) : NULL;
		if (sec_n > 0 && (r != 1 || sec == NULL || strcmp(sec, section) != 0)) {
			TAP_OK(sec_fail == 0, "%s %s: %d/%d examples%s%s", label, section,
			       sec_n - sec_fail, sec_n, sec_fail ? ", failed:" : "", bad);
			sec_n = sec_fail = 0;
			bad[0] = '\0';
		}
		if (r != 1)
			break;
		snprintf(section, sizeof section, "%s", sec ? sec : "?");
		size_t mdlen = 0;
		const char *md = jget(&o, "markdown", &mdlen);
		const char *want = jget(&o, "html", NULL);
		const char *ex = jget(&o, "example", NULL);
		char *got = NULL;
		size_t glen;
		total++;
		sec_n++;
		if (md == NULL || want == NULL ||
		    md_render(md, mdlen, MD_TEST_RAW_HTML, &got, &glen) != MD_OK ||
		    strcmp(got, want) != 0) {
			sec_fail++;
			size_t bl = strlen(bad);
			snprintf(bad + bl, sizeof bad - bl, " %s", ex ? ex : "?");
			if (shown++ < 10) {
				printf("# %s example %s:\n", label, ex ? ex : "?");
				expect_diag(got, want);
			}
		}
		free(got);
		jobj_free(&o);
	}
	TAP_OK(r == 0, "%s: JSON parsed to the end (%d examples)", label, total);
	free(json);
}

/* Default mode must keep cmark's own (safe) output byte for byte wherever
 * the sanitizer has nothing to change: this proves the libxml2 round trip
 * loses no text, whitespace or structure. */
static void spec_fidelity(void)
{
	size_t len;
	char *json = read_data("commonmark-spec-0.30.json", &len);
	const char *p = json, *end;
	struct jobj o = { 0 };
	int same = 0, compared = 0, shown = 0;
	char bad[256] = "";

	if (json == NULL)
		return;
	end = json + len;
	while (j_next(&p, end, &o) == 1) {
		size_t mdlen = 0;
		const char *md = jget(&o, "markdown", &mdlen);
		char *ref = md == NULL ? NULL :
		            cmark_markdown_to_html(md, mdlen, CMARK_OPT_DEFAULT |
		                                   CMARK_OPT_VALIDATE_UTF8);
		if (ref != NULL && !strstr(ref, "<h") && !strstr(ref, "<a ") &&
		    !strstr(ref, "<img") && !strstr(ref, "<!--") && !strstr(ref, "class=") &&
		    utf8_valid(ref, strlen(ref))) {
			char *got = NULL;
			size_t glen;
			compared++;
			if (md_render(md, mdlen, MD_DEFAULT, &got, &glen) == MD_OK &&
			    strcmp(got, ref) == 0) {
				same++;
			} else {
				size_t bl = strlen(bad);
				snprintf(bad + bl, sizeof bad - bl, " %s", jget(&o, "example", NULL));
				if (shown++ < 5) {
					printf("# fidelity example %s:\n", jget(&o, "example", NULL));
					expect_diag(got, ref);
				}
			}
			free(got);
		}
		free(ref);
		jobj_free(&o);
	}
	TAP_OK(compared > 350 && same == compared,
	       "default mode equals cmark's safe output where nothing needs sanitizing: "
	       "%d/%d%s%s", same, compared, bad[0] ? ", differ:" : "", bad);
	free(json);
}

/* ---- Noncharacters and other entity traps -------------------------------- */

static void test_entities(void)
{
	static const char *const cases[] = {
		"&#xFFFE;", "&#65534;", "&#xFFFF;", "&#65535;", "a &#xfffe; b &#xFFFF;\n",
		"[x](&#xFFFE;)", "[&#xFFFF;](/u)", "![&#xFFFE;](/i.png)", "![&#xFFFF;](javascript:x)",
		"<http://a/&#xFFFF;>", "```&#xFFFE;\ncode\n```\n", "`&#xFFFE;`",
		"# &#xFFFE; #", "[a]: /u '&#xFFFE;'\n\n[a]", "&#xFDD0; &#x1FFFE; &#x10FFFF;",
		"&#xD800; &#xDFFF; &#0; &#x110000; &#99999999; &#x0;",
		"<a href='&#xFFFE;'>&#xFFFF;</a>",
	};
	int bad_default = 0, bad_raw = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int raw = 0; raw < 2; raw++) {
			char *out = render(cases[i], raw ? MD_TEST_RAW_HTML : MD_DEFAULT);
			bool ok = out != NULL && utf8_valid(out, strlen(out));
			TAP_OK(ok, "%s mode: valid UTF-8 for %s", raw ? "raw" : "default",
			       oneline(cases[i]));
			free(out);
		}
	}
	/* Prove the repair is needed, so the test above means something. */
	char *cm = cmark_markdown_to_html("&#xFFFE;", 8, CMARK_OPT_DEFAULT);
	printf("# libcmark %s %s invalid UTF-8 for &#xFFFE;\n", cmark_version_string(),
	       cm && !utf8_valid(cm, strlen(cm)) ? "emits" : "does not emit");
	free(cm);
	expect_md("a&#xFFFE;b", "<p>a\xEF\xBF\xBD" "b</p>\n", "U+FFFE becomes U+FFFD");

	/* Every code point as an entity, in text (decimal) and in an image
	 * description (hex, an attribute in raw mode). The sweep runs in raw
	 * mode, where cmark's bytes reach the output unfiltered; default mode
	 * gets the code points where encoders go wrong, and a sample. */
	enum { PER_DOC = 4096 };
	char *doc = malloc(PER_DOC * 40 + 1);
	if (doc == NULL) {
		TAP_OK(0, "allocating the entity sweep");
		return;
	}
	for (uint32_t base = 0; base <= 0x10FFFF; base += PER_DOC) {
		size_t n = 0;
		for (uint32_t c = base; c < base + PER_DOC && c <= 0x10FFFF; c++)
			n += (size_t)sprintf(doc + n, "&#%u;![&#x%X;](/i)\n", (unsigned)c, (unsigned)c);
		char *out = NULL;
		size_t olen;
		if (md_render(doc, n, MD_TEST_RAW_HTML, &out, &olen) != MD_OK ||
		    !utf8_valid(out, olen))
			bad_raw++;
		free(out);
	}
	size_t n = 0, count = 0;
	for (uint32_t c = 0; c <= 0x110001; c++) {
		bool edge = c < 0x100 || (c >= 0xD7F0 && c <= 0xE010) ||
		            (c >= 0xFDC0 && c <= 0xFDFF) || (c & 0xFFFF) >= 0xFFF0 ||
		            (c & 0xFFFF) <= 0x10 || c % 251 == 0;
		if (edge) {
			n += (size_t)sprintf(doc + n, "&#%u;![&#x%X;](/i)\n", (unsigned)c, (unsigned)c);
			count++;
		}
		if (n > 0 && (n > (PER_DOC - 1) * 30 || c == 0x110001)) {
			char *out = NULL;
			size_t olen;
			if (md_render(doc, n, MD_DEFAULT, &out, &olen) != MD_OK ||
			    !utf8_valid(out, olen))
				bad_default++;
			free(out);
			n = 0;
		}
	}
	free(doc);
	TAP_OK(bad_raw == 0, "raw mode: every code point U+0000..U+10FFFF as an entity "
	       "renders valid UTF-8 (bad documents: %d)", bad_raw);
	TAP_OK(bad_default == 0, "default mode: %zu edge and sample code points as entities "
	       "render valid UTF-8 (bad documents: %d)", count, bad_default);
}

/* ---- The sanitizer, case by case ----------------------------------------- */

static void test_sanitizer(void)
{
	/* Through Markdown. */
	expect_md("[x](http://example.com/a?b=1&c=2)",
	          "<p><a href=\"http://example.com/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">x</a></p>\n",
	          "http link keeps href and gets rel");
	expect_md("<https://example.com>",
	          "<p><a href=\"https://example.com\" rel=\"nofollow ugc noopener\">https://example.com</a></p>\n",
	          "autolink");
	expect_md("<me@example.com>",
	          "<p><a href=\"mailto:me@example.com\" rel=\"nofollow ugc noopener\">me@example.com</a></p>\n",
	          "email autolink");
	expect_md("[r](/t/12#p3) [q](?page=2) [h](#top) [d](docs/a.html)",
	          "<p><a href=\"/t/12#p3\" rel=\"nofollow ugc noopener\">r</a> "
	          "<a href=\"?page=2\" rel=\"nofollow ugc noopener\">q</a> "
	          "<a href=\"#top\" rel=\"nofollow ugc noopener\">h</a> "
	          "<a href=\"docs/a.html\" rel=\"nofollow ugc noopener\">d</a></p>\n",
	          "relative links");
	expect_md("[x](javascript:alert(1))", "<p>x</p>\n", "javascript: link loses href");
	expect_md("[x](JaVaScRiPt:alert(1))", "<p>x</p>\n", "JaVaScRiPt: link loses href");
	expect_md("[x](java&#x09;script:alert(1))", "<p>x</p>\n", "java&#x09;script: link loses href");
	expect_md("[x](&#106;avascript:alert(1))", "<p>x</p>\n", "&#106;avascript: link loses href");
	expect_md("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>\n", "data: link loses href");
	expect_md("[x](data:image/png;base64,iVBOR)", "<p>x</p>\n", "data:image/png link loses href");
	expect_md("[x](vbscript:msgbox)", "<p>x</p>\n", "vbscript: link loses href");
	expect_md("[x](ftp://example.com/f)", "<p>x</p>\n", "ftp: link loses href (not allowlisted)");
	expect_md("[x]()", "<p>x</p>\n", "empty href dropped");
	expect_md("![a cat](https://img.example/cat.png \"t\")",
	          "<p><a href=\"https://img.example/cat.png\" rel=\"nofollow ugc noopener\" "
	          "class=\"md-image-link\">image: a cat</a></p>\n",
	          "image becomes a link");
	expect_md("![](/local.png)",
	          "<p><a href=\"/local.png\" rel=\"nofollow ugc noopener\" "
	          "class=\"md-image-link\">image</a></p>\n",
	          "image without description");
	expect_md("![x](javascript:alert(1))", "<p>image: x</p>\n", "image with bad URL becomes text");
	expect_md("[![logo](/l.png)](https://example.com)",
	          "<p><a href=\"https://example.com\" rel=\"nofollow ugc noopener\">image: logo</a></p>\n",
	          "image inside a link: no nested link");
	expect_md("# one\n## two\n### three\n#### four\n##### five\n###### six",
	          "<h3>one</h3>\n<h4>two</h4>\n<h5>three</h5>\n<h6>four</h6>\n<h6>five</h6>\n<h6>six</h6>\n",
	          "headings shifted down two levels, h6 at most");
	expect_md("Title\n=====\n\nSub\n---",
	          "<h3>Title</h3>\n<h4>Sub</h4>\n", "setext headings shifted");
	expect_md("a <b>bold</b> c", "<p>a bold c</p>\n", "<b> as raw HTML omitted");
	expect_md("*a*<b>\nc\n<i>\nd", "<p><em>a</em>\nc\nd</p>\n",
	          "soft breaks after omitted inline HTML kept");
	expect_md("<script>alert(1)</script>\n\ntext", "<p>text</p>\n", "script block omitted");
	expect_md("x <span onclick=\"alert(1)\">y</span>", "<p>x y</p>\n", "inline raw HTML with on* omitted");
	expect_md("```python\nprint(1)\n```",
	          "<pre><code class=\"language-python\">print(1)\n</code></pre>\n", "code class kept");
	expect_md("```c++\nx\n```", "<pre><code class=\"language-c++\">x\n</code></pre>\n",
	          "code class with + kept");
	expect_md("```a\"onmouseover=x\nx\n```", "<pre><code>x\n</code></pre>\n",
	          "code class with a quote refused");
	expect_md("```aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nx\n```", "<pre><code>x\n</code></pre>\n",
	          "code class over 32 characters refused");
	expect_md("```x&lt;y\nx\n```", "<pre><code>x\n</code></pre>\n", "code class with < refused");
	expect_md("3. a\n4. b", "<ol start=\"3\">\n<li>a</li>\n<li>b</li>\n</ol>\n", "ol start kept");
	expect_md("> q\n\n---\n\n- a\n\n  b\n\n*e* **s** `c`\\\nx",
	          "<blockquote>\n<p>q</p>\n</blockquote>\n<hr />\n<ul>\n<li>\n<p>a</p>\n<p>b</p>\n</li>\n</ul>\n"
	          "<p><em>e</em> <strong>s</strong> <code>c</code><br />\nx</p>\n",
	          "block and inline structure kept");
	expect_md("a & b < c > d \" e ' f", "<p>a &amp; b &lt; c &gt; d &quot; e ' f</p>\n",
	          "text escaped");
	expect_md("", "", "empty input");

	/* Straight into the sanitizer: cmark never emits these. */
	expect_san("<p onclick=\"x()\" style=\"color:red\" class=\"c\" id=\"i\">a</p>", "<p>a</p>",
	           "attributes dropped");
	expect_san("a<script>alert(1)</script>b<style>p{}</style>c", "abc", "script and style dropped");
	expect_san("<iframe src=\"https://evil\">x</iframe><object>y</object><svg><g>z</g></svg>"
	           "<math>m</math><template>t</template><noscript>n</noscript>"
	           "<textarea>ta</textarea><xmp>xm</xmp>ok", "ok", "containers dropped whole");
	expect_san("<div><span>keep</span> <font color=red>me</font></div>", "keep me",
	           "unknown elements keep text");
	expect_san("<a href=\"javascript:alert(1)\">x</a>", "x", "javascript: href");
	expect_san("<a href=\"JaVaScRiPt:alert(1)\">x</a>", "x", "JaVaScRiPt: href");
	expect_san("<a href=\"java&#x09;script:alert(1)\">x</a>", "x", "java&#x09;script: href");
	expect_san("<a href=\"&#106;avascript:alert(1)\">x</a>", "x", "&#106;avascript: href");
	expect_san("<a href=\" \x01javascript:alert(1)\">x</a>", "x", "control-prefixed javascript:");
	expect_san("<a href=\"data:text/html,x\">x</a>", "x", "data: href");
	expect_san("<a href=\"livescript:x\">x</a>", "x", "livescript: href");
	expect_san("<a href=\"file:///etc/passwd\">x</a>", "x", "file: href");
	expect_san("<a href=\"https://a/?u=javascript:x\">x</a>", "x", "javascript: inside a URL");
	expect_san("<a href=\"\xC2\xA0javascript:x\">x</a>", "x", "NBSP-prefixed scheme is no scheme we allow");
	expect_san("<a href=\"  https://example.com/ \" title=\"t\" onclick=\"x\">x</a>",
	           "<a href=\"https://example.com/\" rel=\"nofollow ugc noopener\">x</a>",
	           "href trimmed, other attributes dropped");
	expect_san("<a href=\"/a\"><a href=\"/b\">x</a></a>",
	           "<a href=\"/a\" rel=\"nofollow ugc noopener\"></a>"
	           "<a href=\"/b\" rel=\"nofollow ugc noopener\">x</a>",
	           "libxml2 closes an a before the next a");
	expect_san("<a href=\"/a\"><b><a href=\"/b\">x</a></b></a>",
	           "<a href=\"/a\" rel=\"nofollow ugc noopener\">x</a>",
	           "no link nested in a link");
	expect_san("<img src=\"x\" onerror=\"alert(1)\" alt=\"a&quot;b\">",
	           "<a href=\"x\" rel=\"nofollow ugc noopener\" class=\"md-image-link\">"
	           "image: a&quot;b</a>",
	           "img becomes a link");
	expect_san("<p><img src=\"data:image/png;base64,xx\"></p>", "<p>image</p>",
	           "data: image is text");
	expect_san("<code class=\"language-js x\">a</code><code class=\"LANGUAGE-js\">b</code>",
	           "<code>a</code><code>b</code>", "code class refused");
	expect_san("<ol start=\"1 onclick=x\"><li>a</li></ol><ol start=\"12\"></ol>",
	           "<ol><li>a</li></ol><ol start=\"12\"></ol>", "ol start checked");
	expect_san("<h1>a</h1><h2>b</h2><h6>c</h6>", "<h3>a</h3><h4>b</h4><h6>c</h6>", "raw headings shifted");
	expect_san("<!-- raw HTML omitted --><p>x<!-- c --></p>", "<p>x</p>", "comments dropped");
	expect_san("<p>a</div>b</p>", "<p>a</p>b", "stray end tag of the wrapper");
	expect_san("<meta charset=\"iso-8859-1\"><p>\xC3\xA9</p>", "<p>\xC3\xA9</p>",
	           "meta charset ignored");
	expect_san("<p>&lt;&amp;&gt;&quot;&#39;&nbsp;</p>", "<p>&lt;&amp;&gt;&quot;'\xC2\xA0</p>",
	           "entities decoded and re-escaped");
	expect_san("<p>unclosed <em>em", "<p>unclosed <em>em</em></p>", "unclosed elements closed");

	TAP_OK(sanitize_url_ok("HTTPS://x", 9) && sanitize_url_ok("MailTo:a@b", 10) &&
	       sanitize_url_ok("//cdn.example/x", 15) && sanitize_url_ok("a/b:c", 5) &&
	       !sanitize_url_ok("", 0) && !sanitize_url_ok(" \t", 2) &&
	       !sanitize_url_ok("tel:123", 7) && !sanitize_url_ok("x:y", 3),
	       "sanitize_url_ok schemes");
}

static void test_depth_and_size(void)
{
	/* Deeper than libxml2's 256-level tree limit: nothing may be lost. */
	size_t depth = 50000;
	char *md = malloc(depth * 2 + 16), *out = NULL;
	size_t olen;
	if (md == NULL)
		return;
	for (size_t i = 0; i < depth; i++)
		md[i] = '>';
	strcpy(md + depth, " deep end");
	bool ok = md_render(md, strlen(md), MD_DEFAULT, &out, &olen) == MD_OK &&
	          strstr(out, "<p>deep end</p>") != NULL;
	TAP_OK(ok, "%zu nested block quotes keep their text", depth);
	if (out != NULL) {
		/* One pass: strstr in a loop is quadratic under ASan. */
		size_t opens = 0, closes = 0;
		for (const char *p = out; (p = strchr(p, '<')) != NULL; p++) {
			opens += strncmp(p, "<blockquote>", 12) == 0;
			closes += strncmp(p, "</blockquote>", 13) == 0;
		}
		TAP_OK(opens == depth && closes == depth, "balanced: %zu opened, %zu closed", opens, closes);
	}
	free(out);
	out = NULL;

	for (size_t i = 0; i < depth; i++) {
		md[2 * i] = '*';
		md[2 * i + 1] = '[';
	}
	md[2 * depth] = '\0';
	ok = md_render(md, 2 * depth, MD_DEFAULT, &out, &olen) == MD_OK;
	TAP_OK(ok, "pathological emphasis and brackets render");
	free(out);
	free(md);

	/* 50 KB of mixed Markdown: report the time, a regression shows. */
	static const char para[] = "Some *text* with [a link](https://example.com/x?y=1) and `code`, "
		"![img](/i.png) & <b>html</b>.\n\n> quote\n\n- item\n- item\n\n";
	size_t cap = 50 * 1024, n = 0;
	char *big = malloc(cap + 1);
	if (big == NULL)
		return;
	while (n + sizeof para - 1 <= cap) {
		memcpy(big + n, para, sizeof para - 1);
		n += sizeof para - 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = true;
	for (int i = 0; i < 10; i++) {
		out = NULL;
		ok &= md_render(big, n, MD_DEFAULT, &out, &olen) == MD_OK;
		free(out);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / 10;
	TAP_OK(ok, "50 KB post renders (%.2f ms each)", ms);
	free(big);
}

/* ---- Excerpts ------------------------------------------------------------ */

static void expect_ex(const char *md, size_t max, const char *want, const char *name)
{
	char *got = NULL;
	size_t n = 0;
	enum md_err e = md_excerpt(md, strlen(md), max, &got, &n);
	TAP_OK(e == MD_OK && got != NULL && n == strlen(got) && n <= max && utf8_valid(got, n),
	       "excerpt contract: %s", name);
	char label[200];
	snprintf(label, sizeof label, "excerpt: %s", name);
	expect_str(got, want, label);
	free(got);
}

static void test_excerpt(void)
{
	expect_ex("# Hello\n\nSome *very* [nice](http://x) `code`\nnext <b>raw</b> line\n\n- a\n- b",
	          200, "Hello Some very nice code next raw line a b", "text only, blocks spaced");
	expect_ex("one   two\t\tthree\x01" "four", 100, "one two three four", "blanks folded");
	expect_ex("abcdefghij", 10, "abcdefghij", "fits exactly");
	expect_ex("abcdefghijk", 10, "abcdefg\xE2\x80\xA6", "cut with ellipsis");
	expect_ex("abc def ghij", 7, "abc\xE2\x80\xA6", "trailing space trimmed before ellipsis");
	expect_ex("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 6, "\xC3\xA9\xE2\x80\xA6", "cut at a UTF-8 boundary");
	expect_ex("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 6, "\xF0\x9F\x98\x80",
	          "emoji cut whole; no bare ellipsis");
	expect_ex("abcdef", 2, "ab", "no room for the ellipsis");
	expect_ex("\xC3\xA9\xC3\xA9", 3, "\xC3\xA9", "no room for the ellipsis, UTF-8 boundary");
	expect_ex("abcdef", 0, "", "zero bytes");
	expect_ex("![a cat](/c.png) <b>b</b>\n\n<script>\nx\n</script>\n\nend", 100, "a cat b end",
	          "image description kept, raw HTML left out");
	expect_ex("```\ncode  block\n```\n", 100, "code block", "code block text");
	expect_ex("a&#xFFFE;b", 100, "a\xEF\xBF\xBD" "b", "U+FFFE repaired");
	expect_ex("", 10, "", "empty");
}

/* ---- Hostile corpora ------------------------------------------------------ */

enum pipe { P_RENDER, P_SANITIZE, P_RAW_THEN_SANITIZE, P__MAX };
static const char *const pipe_name[P__MAX] = {
	"md_render", "sanitize_html on the payload as HTML", "sanitize_html on cmark's unsafe output",
};

struct tally {
	int checked[P__MAX], failed[P__MAX];
	char first[P__MAX][600];
};

static void hostile(struct tally *t, const char *md, size_t len)
{
	for (int p = 0; p < P__MAX; p++) {
		char *out = NULL, *raw = NULL;
		size_t olen = 0, rlen;
		enum md_err e;
		struct check c;

		switch (p) {
		case P_RENDER:
			e = md_render(md, len, MD_DEFAULT, &out, &olen);
			break;
		case P_SANITIZE:
			e = sanitize_html(md, len, &out, &olen);
			break;
		default:
			e = md_render(md, len, MD_TEST_RAW_HTML, &raw, &rlen);
			if (e == MD_OK)
				e = sanitize_html(raw, rlen, &out, &olen);
			free(raw);
			break;
		}
		t->checked[p]++;
		if (e != MD_OK)
			snprintf(c.why, sizeof c.why, "error %s", md_strerror(e));
		else
			check_html(out, olen, &c);
		if (c.why[0] != '\0' && t->failed[p]++ < 3) {
			size_t fl = strlen(t->first[p]);
			snprintf(t->first[p] + fl, sizeof t->first[p] - fl, " [%s => %s]",
			         oneline(md), c.why);
		}
		free(out);
	}
}

static void report(const struct tally *t, const char *corpus)
{
	for (int p = 0; p < P__MAX; p++)
		TAP_OK(t->failed[p] == 0 && t->checked[p] > 0, "%s through %s: %d checked, %d failed%s",
		       corpus, pipe_name[p], t->checked[p], t->failed[p], t->first[p]);
}

/* The checker must catch what it looks for, or the corpus lines prove nothing. */
static void test_checker(void)
{
	static const char *const bad[] = {
		"<script>x</script>", "<p onclick=\"x\">a</p>", "<p style=\"x\">a</p>",
		"<a href=\" JaVaScRiPt:x\" rel=\"nofollow ugc noopener\">a</a>",
		"<a href=\"data:text/html,x\" rel=\"nofollow ugc noopener\">a</a>",
		"<a href=\"/x\">no rel</a>", "<img src=\"/x\">", "<div>a</div>", "<p>\xFE</p>",
	};
	int caught = 0;
	struct check c;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		check_html(bad[i], strlen(bad[i]), &c);
		caught += c.why[0] != '\0';
	}
	static const char good[] = "<p>ok <a href=\"/x\" rel=\"nofollow ugc noopener\">x</a></p>";
	check_html(good, sizeof good - 1, &c);
	TAP_OK(caught == (int)(sizeof bad / sizeof bad[0]) && c.why[0] == '\0',
	       "corpus checker catches %d/%zu bad samples and passes a good one%s%s", caught,
	       sizeof bad / sizeof bad[0], c.why[0] ? ": " : "", c.why);
}

static void test_owasp(void)
{
	size_t len;
	char *s = read_data("owasp-xss-filter-evasion.jsonl", &len);
	const char *p = s;
	struct jobj o = { 0 };
	struct tally t = { 0 };
	int r;

	if (s == NULL) {
		TAP_OK(0, "owasp corpus readable");
		return;
	}
	while ((r = j_next(&p, s + len, &o)) == 1) {
		const char *v;
		size_t vl = 0;
		if ((v = jget(&o, "payload", &vl)) != NULL)
			hostile(&t, v, vl);
		if ((v = jget(&o, "payload_nbsp_to_space", &vl)) != NULL)
			hostile(&t, v, vl);
		jobj_free(&o);
	}
	TAP_OK(r == 0, "owasp corpus parsed");
	report(&t, "owasp-xss-filter-evasion");
	free(s);
}

static void test_payloadbox(void)
{
	size_t len;
	char *s = read_data("xss-payloadbox.txt", &len);
	struct tally t = { 0 };

	if (s == NULL) {
		TAP_OK(0, "payloadbox corpus readable");
		return;
	}
	for (char *line = s; line < s + len;) {
		char *nl = memchr(line, '\n', (size_t)(s + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(s + len - line);
		if (n > 0) {
			char save = line[n];
			line[n] = '\0';
			hostile(&t, line, n);
			line[n] = save;
		}
		line += n + 1;
	}
	report(&t, "xss-payloadbox");
	free(s);
}

static void test_url_cases(void)
{
	static const char *const wraps[] = {
		"[a](%s)", "[a](<%s>)", "![a](%s)", "<%s>", "[a]: %s\n\n[a]",
	};
	size_t len;
	char *s = read_data("markdown-url-edge-cases.jsonl", &len);
	const char *p = s;
	struct jobj o = { 0 };
	struct tally t = { 0 };
	int r, urls = 0, docs = 0;

	if (s == NULL) {
		TAP_OK(0, "url corpus readable");
		return;
	}
	while ((r = j_next(&p, s + len, &o)) == 1) {
		const char *kind = jget(&o, "kind", NULL), *v;
		size_t vl = 0;
		if (kind && strcmp(kind, "markdown") == 0 && (v = jget(&o, "markdown", &vl))) {
			docs++;
			hostile(&t, v, vl);
		} else if (kind && strcmp(kind, "url") == 0 && (v = jget(&o, "url", &vl))) {
			urls++;
			for (size_t w = 0; w < sizeof wraps / sizeof wraps[0]; w++) {
				size_t cap = vl + 32;
				char *md = malloc(cap);
				if (md == NULL)
					continue;
				int n = snprintf(md, cap, wraps[w], v);
				hostile(&t, md, (size_t)n);
				free(md);
			}
		}
		jobj_free(&o);
	}
	TAP_OK(r == 0 && docs == 18 && urls == 92, "url corpus parsed: %d markdown, %d url records", docs, urls);
	report(&t, "markdown-url-edge-cases");
	free(s);
}

static void test_mentions(void)
{
	expect_md("thanks @amber_fox!",
	          "<p>thanks <a href=\"/u/amber_fox\" rel=\"nofollow ugc noopener\">@amber_fox</a>!</p>\n",
	          "a mention becomes a link to the member");
	expect_md("@bob and @cy-9 too",
	          "<p><a href=\"/u/bob\" rel=\"nofollow ugc noopener\">@bob</a> and "
	          "<a href=\"/u/cy-9\" rel=\"nofollow ugc noopener\">@cy-9</a> too</p>\n",
	          "two mentions, one at the start");
	expect_md("*hi @a_b_c*", "<p><em>hi <a href=\"/u/a_b_c\" rel=\"nofollow ugc noopener\">@a_b_c</a></em></p>\n",
	          "a mention with underscores inside emphasis");
	expect_md("mail me@example.com", "<p>mail me@example.com</p>\n", "an address is not a mention");
	expect_md("foo+@bar.example.com x@@bob @bob.example.org",
	          "<p>foo+@bar.example.com x@@bob @bob.example.org</p>\n", "nor a part of one");
	expect_md("(@bob). Hi @bob_2.",
	          "<p>(<a href=\"/u/bob\" rel=\"nofollow ugc noopener\">@bob</a>). Hi "
	          "<a href=\"/u/bob_2\" rel=\"nofollow ugc noopener\">@bob_2</a>.</p>\n",
	          "a mention in brackets and at the end of a sentence");
	expect_md("`@bob` and\n\n    @bob\n", "<p><code>@bob</code> and</p>\n<pre><code>@bob\n</code></pre>\n",
	          "code is never a mention");
	expect_md("[see @bob](https://example.org/)",
	          "<p><a href=\"https://example.org/\" rel=\"nofollow ugc noopener\">see @bob</a></p>\n",
	          "no link inside a link");
	expect_md("@ab and @abcdefghijabcdefghijabcdefghijX",
	          "<p>@ab and @abcdefghijabcdefghijabcdefghijX</p>\n", "too short or too long: plain text");
}

static void test_spec(void)
{
	run_spec("commonmark-spec-0.30.json", "CommonMark 0.30");
	run_spec("cmark-0.30.2-regression.json", "cmark 0.30.2 regression");
}

static void test_api(void)
{
	char *out = (char *)1;
	size_t n = 1;
	TAP_OK(strcmp(md_strerror(MD_OK), "success") == 0 && md_strerror(MD_ERR__MAX) != NULL &&
	       md_strerror((enum md_err)-1) != NULL, "md_strerror covers every code");
	TAP_OK(md_render("", 0, MD_DEFAULT, &out, &n) == MD_OK && out && out[0] == '\0' && n == 0,
	       "empty input gives an empty string");
	free(out);
	char nul[] = { 'a', '\0', 'b' };
	TAP_OK(md_render(nul, 3, MD_DEFAULT, &out, &n) == MD_OK &&
	       strcmp(out, "<p>a\xEF\xBF\xBD" "b</p>\n") == 0 && n == strlen(out),
	       "NUL in input becomes U+FFFD, length honoured");
	free(out);
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
	static const struct {
		const char *name;
		void (*run)(void);
	} parts[] = {
		{ "api", test_api }, { "spec", test_spec }, { "fidelity", spec_fidelity },
		{ "entities", test_entities }, { "sanitizer", test_sanitizer },
		{ "depth and size", test_depth_and_size }, { "excerpt", test_excerpt },
		{ "checker", test_checker }, { "owasp", test_owasp }, { "payloadbox", test_payloadbox },
		{ "url cases", test_url_cases }, { "mentions", test_mentions },
	};

	xmlInitParser();
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		double t0 = seconds();
		parts[i].run();
		printf("# %s: %.2f s\n", parts[i].name, seconds() - t0);
		fflush(stdout);
	}
	xmlCleanupParser();
	return tap_done();
}
