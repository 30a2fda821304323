/*
 * fuzz_markdown.c: libFuzzer target for md_render, md_excerpt and
 * sanitize_html.
 *
 * Beyond crashes and sanitizer reports, it aborts when an output breaks the
 * module's promises: not valid UTF-8, a length that disagrees with the
 * string, an excerpt over budget, or sanitized HTML that, parsed again by
 * libxml2, holds an element or attribute outside the allowlist or a
 * dangerous URL.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib \
 *     tests/fuzz/fuzz_markdown.c lib/markdown.c lib/sanitize.c lib/utf8.c \
 *     $(pkg-config --cflags --libs libcmark libxml-2.0) -o fuzz_markdown
 *   ./fuzz_markdown -max_total_time=60 -max_len=4096 CORPUS_DIR
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "markdown.h"
#include "sanitize.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_markdown: %s: %s\n", what, detail ? detail : "");
	abort();
}

static bool dangerous(const char *v)
{
	static const char *const bad[] = { "javascript:", "vbscript:", "data:", "livescript:" };
	char s[32];
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

static bool attr_allowed(const char *el, const char *an, const char *av)
{
	if (strcmp(el, "a") == 0)
		return strcmp(an, "href") == 0 ||
		       (strcmp(an, "rel") == 0 && strcmp(av, "nofollow ugc noopener") == 0) ||
		       (strcmp(an, "class") == 0 && strcmp(av, "md-image-link") == 0);
	if (strcmp(el, "ol") == 0)
		return strcmp(an, "start") == 0;
	if (strcmp(el, "code") == 0)
		return strcmp(an, "class") == 0 && strncmp(av, "language-", 9) == 0;
	return false;
}

static void chk_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	static const char *const ok[] = {
		"html", "body", "p", "br", "hr", "h3", "h4", "h5", "h6", "em",
		"strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "del",
	};
	const char *el = (const char *)xname;
	bool known = false;
	(void)ctx;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		known |= strcmp(el, ok[i]) == 0;
	if (!known)
		die("element outside the allowlist", el);
	for (size_t i = 0; atts != NULL && atts[i] != NULL; i += 2) {
		const char *an = (const char *)atts[i];
		const char *av = atts[i + 1] ? (const char *)atts[i + 1] : "";
		if (!attr_allowed(el, an, av))
			die("attribute outside the allowlist", an);
		if (dangerous(av))
			die("dangerous attribute value", av);
	}
}

static void check_utf8(const char *s, size_t len, const char *who)
{
	if (s == NULL || strlen(s) != len)
		die(who, "length disagrees with the string");
	if (!utf8_valid(s, len))
		die(who, "invalid UTF-8");
}

static void check_html(const char *html, size_t len, const char *who)
{
	htmlParserCtxtPtr ctxt;

	check_utf8(html, len, who);
	ctxt = htmlNewParserCtxt();
	if (ctxt == NULL)
		return;
	memset(ctxt->sax, 0, sizeof *ctxt->sax);
	ctxt->sax->initialized = 1;
	ctxt->sax->startElement = chk_start;
	htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8",
	                   HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	htmlFreeParserCtxt(ctxt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	char *out = NULL, *fixed = NULL;
	size_t len = 0, flen;

	if (size > 64 * 1024)
		return 0;

	/* md_render promises valid output even for invalid input. */
	if (md_render(src, size, MD_DEFAULT, &out, &len) == MD_OK)
		check_html(out, len, "md_render");
	free(out);
	out = NULL;
	if (md_render(src, size, MD_TEST_RAW_HTML, &out, &len) == MD_OK)
		check_utf8(out, len, "md_render raw");
	free(out);
	out = NULL;

	size_t max = size == 0 ? 0 : data[0] * 4u;
	if (md_excerpt(src, size, max, &out, &len) == MD_OK) {
		check_utf8(out, len, "md_excerpt");
		if (len > max)
			die("md_excerpt", "over budget");
	}
	free(out);
	out = NULL;

	/* The sanitizer on its own, fed the input as HTML. */
	fixed = malloc(3 * size + 1);
	if (fixed == NULL)
		return 0;
	flen = utf8_repair(src, size, fixed);
	if (sanitize_html(fixed, flen, &out, &len) == MD_OK)
		check_html(out, len, "sanitize_html");
	free(out);
	free(fixed);
	return 0;
}
