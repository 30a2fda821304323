/* Unit tests for lib/tpl.c: compile, escape by context, errors with file:line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "tap.h"
#include "tpl.h"

static char dir[64];

static void put(const char *name, const char *content)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(content, f);
	fclose(f);
}

static void clear(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -f %s/*.html", dir);
	if (system(cmd) != 0)
		abort();
}

#define NS "xmlns:h=\"urn:hearth:template\""

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/hearth-tpl-%d", (int)getpid());
	mkdir(dir, 0700);
	char err[512];
	tpl_theme *t;

	put("layout.html", "<html " NS "><head><title h:text=\"title\"/></head><body><h:content/></body></html>");
	put("page.html", "<h:page " NS "><h1 h:text=\"title\"/>"
	    "<a h:attr-href=\"'/u/' handle\" h:attr-title=\"handle\">x</a>"
	    "<ul><li h:each=\"items\" h:text=\"name\"/></ul>"
	    "<p h:if=\"flag\">yes</p><p h:unless=\"flag\">no</p>"
	    "<div h:html=\"body\"/><div h:html=\"fake\"/>"
	    "<input type=\"checkbox\" h:attr-checked=\"flag\"/>"
	    "<h:include name=\"part\"/></h:page>");
	put("part.html", "<h:fragment " NS "><span h:text=\"user.name\"/></h:fragment>");
	TAP_OK(tpl_theme_load(dir, &t, err, sizeof err) == TPL_OK, "theme compiles: %s", err);

	arena *a = arena_new(4096);
	tpl_value *d = tpl_map(a);
	tpl_set_str(d, "title", "<script>alert(1)</script>");
	tpl_set_str(d, "handle", "\"><script>x</script>");
	tpl_value *items = tpl_list(a);
	for (int i = 0; i < 2; i++) {
		tpl_value *it = tpl_map(a);
		tpl_set_str(it, "name", i ? "b&c" : "a");
		tpl_list_push(items, it);
	}
	tpl_set(d, "items", items);
	tpl_set_bool(d, "flag", true);
	tpl_set_html(d, "body", "<p>trusted <em>html</em></p>");
	tpl_set_str(d, "fake", "<b>not trusted</b>");
	tpl_value *user = tpl_map(a);
	tpl_set_str(user, "name", "<i>owl</i>");
	tpl_set(d, "user", user);
	buf out;
	buf_init(&out, a, 256);
	TAP_OK(tpl_render_page(t, "page", d, &out) == TPL_OK, "page renders");
	const char *html = out.data;
	TAP_OK(strncmp(html, "<!DOCTYPE html>", 15) == 0, "layout adds the doctype");
	TAP_OK(strstr(html, "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>") != NULL, "title escaped");
	TAP_OK(strstr(html, "<script") == NULL, "no script element anywhere");
	TAP_OK(strstr(html, "href=\"/u/&quot;&gt;&lt;script&gt;x&lt;/script&gt;\"") != NULL,
	       "attribute escaped, literal prefix kept");
	TAP_OK(strstr(html, "<li>a</li><li>b&amp;c</li>") != NULL, "each repeats the element");
	TAP_OK(strstr(html, "<p>yes</p>") && !strstr(html, "<p>no</p>"), "if and unless");
	TAP_OK(strstr(html, "<div><p>trusted <em>html</em></p></div>") != NULL, "tpl_html inserted raw");
	TAP_OK(strstr(html, "&lt;b&gt;not trusted&lt;/b&gt;") != NULL, "h:html of a plain string is escaped");
	TAP_OK(strstr(html, "checked=\"checked\"") != NULL, "boolean attribute");
	TAP_OK(strstr(html, "<span>&lt;i&gt;owl&lt;/i&gt;</span>") != NULL, "include with dotted name");

	tpl_set_bool(d, "flag", false);
	buf_init(&out, a, 256);
	tpl_render_page(t, "page", d, &out);
	TAP_OK(strstr(out.data, "checked") == NULL, "false boolean attribute left out");
	TAP_OK(tpl_render_page(t, "nope", d, &out) == TPL_ERR_MISSING, "missing template");

	/* In two steps (content, then layout around it) the bytes are the same. */
	buf whole, content, two;
	buf_init(&whole, a, 256);
	buf_init(&content, a, 256);
	buf_init(&two, a, 256);
	tpl_render_page(t, "page", d, &whole);
	TAP_OK(tpl_render_content(t, "page", d, &content) == TPL_OK, "content renders alone");
	TAP_OK(strstr(content.data, "<title>") == NULL && strstr(content.data, "<h1>") != NULL,
	       "content has the page, not the layout");
	TAP_OK(tpl_render_layout(t, d, content.data, content.len, &two) == TPL_OK, "layout renders around it");
	TAP_OK(two.len == whole.len && memcmp(two.data, whole.data, whole.len) == 0,
	       "content + layout == the page");
	buf_init(&content, a, 256);
	tpl_render_content(t, "part", d, &content);
	TAP_OK(strcmp(content.data, "<span>&lt;i&gt;owl&lt;/i&gt;</span>") == 0, "a fragment renders alone: %s",
	       content.data);

	/* The digest is the same for the same files and changes with them. */
	uint64_t digest = tpl_theme_digest(t);
	tpl_theme *again;
	TAP_OK(tpl_theme_load(dir, &again, err, sizeof err) == TPL_OK, "theme loads again");
	TAP_OK(tpl_theme_digest(again) == digest, "same files, same digest");
	tpl_theme_free(again);
	put("part.html", "<h:fragment " NS "><span h:text=\"user.name\"/>!</h:fragment>");
	TAP_OK(tpl_theme_load(dir, &again, err, sizeof err) == TPL_OK, "changed theme loads");
	TAP_OK(tpl_theme_digest(again) != digest, "a changed template changes the digest");
	tpl_theme_free(again);
	tpl_theme_free(t);

	clear();
	put("layout.html", "<html " NS "><body>\n<p>\n<b>unclosed</p></body></html>");
	TAP_OK(tpl_theme_load(dir, &t, err, sizeof err) == TPL_ERR_PARSE, "broken XML is refused");
	TAP_OK(strstr(err, "layout.html:3:") != NULL, "error names file and line: %s", err);

	clear();
	put("layout.html", "<html " NS "><body>\n\n<p h:bogus=\"x\"/></body></html>");
	TAP_OK(tpl_theme_load(dir, &t, err, sizeof err) != TPL_OK, "unknown directive is refused");
	TAP_OK(strstr(err, "layout.html:3: unknown template attribute: bogus") != NULL, "directive error: %s", err);

	clear();
	put("layout.html", "<html " NS "><body><h:include name=\"ghost\"/></body></html>");
	TAP_OK(tpl_theme_load(dir, &t, err, sizeof err) != TPL_OK, "include of a missing template is refused");
	TAP_OK(strstr(err, "ghost") != NULL, "names the missing template: %s", err);

	clear();
	put("layout.html", "<html " NS "><body><p h:text=\"'unterminated\"/></body></html>");
	TAP_OK(tpl_theme_load(dir, &t, err, sizeof err) != TPL_OK, "bad expression is refused");

	clear();
	rmdir(dir);
	arena_free(a);
	return tap_done();
}
