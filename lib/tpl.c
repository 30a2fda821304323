/* tpl.c: see tpl.h. Compile: libxml2 tree -> flat op list. Render: run ops. */
#include "tpl.h"

#include <dirent.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "html.h"

#define TPL_NS "urn:hearth:template"
#define TPL_MAX_DEPTH 64        /* include and loop nesting at render time */
#define TPL_MAX_FILES 256
#define TPL_MAX_NAME 64

/* ---- values ---- */

enum tv_type { TV_NULL, TV_STR, TV_INT, TV_BOOL, TV_HTML, TV_LIST, TV_MAP };

struct tpl_value {
	enum tv_type type;
	arena *arena;
	union {
		struct { const char *s; size_t len; } str;   /* TV_STR, TV_HTML */
		long long i;
		bool b;
		struct { tpl_value **items; size_t n, cap; } list;
		struct { const char **keys; tpl_value **vals; size_t n, cap; } map;
	} u;
};

static tpl_value *value_new(arena *a, enum tv_type type)
{
	tpl_value *v = ARENA_NEW(a, tpl_value);
	v->type = type;
	v->arena = a;
	return v;
}

tpl_value *tpl_map(arena *a) { return value_new(a, TV_MAP); }
tpl_value *tpl_list(arena *a) { return value_new(a, TV_LIST); }

static void grow(arena *a, void **items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *nitems = arena_alloc(a, ncap * size);
	if (n)
		memcpy(nitems, *items, n * size);
	*items = nitems;
	*cap = ncap;
}

void tpl_list_push(tpl_value *list, tpl_value *item)
{
	if (list->type != TV_LIST)
		abort();
	grow(list->arena, (void **)&list->u.list.items, &list->u.list.cap, list->u.list.n,
	     sizeof(tpl_value *));
	list->u.list.items[list->u.list.n++] = item;
}

size_t tpl_list_len(const tpl_value *list)
{
	return list && list->type == TV_LIST ? list->u.list.n : 0;
}

void tpl_set(tpl_value *map, const char *key, tpl_value *value)
{
	if (map->type != TV_MAP)
		abort();
	for (size_t i = 0; i < map->u.map.n; i++)
		if (strcmp(map->u.map.keys[i], key) == 0) {
			map->u.map.vals[i] = value;
			return;
		}
	size_t cap = map->u.map.cap;
	grow(map->arena, (void **)&map->u.map.keys, &cap, map->u.map.n, sizeof(char *));
	cap = map->u.map.cap;
	grow(map->arena, (void **)&map->u.map.vals, &cap, map->u.map.n, sizeof(tpl_value *));
	map->u.map.cap = cap;
	map->u.map.keys[map->u.map.n] = key;
	map->u.map.vals[map->u.map.n] = value;
	map->u.map.n++;
}

void tpl_set_strn(tpl_value *map, const char *key, const char *s, size_t len)
{
	tpl_value *v = value_new(map->arena, TV_STR);
	v->u.str.s = s;
	v->u.str.len = len;
	tpl_set(map, key, v);
}

void tpl_set_str(tpl_value *map, const char *key, const char *s)
{
	if (s)
		tpl_set_strn(map, key, s, strlen(s));
	else
		tpl_set(map, key, value_new(map->arena, TV_NULL));
}

void tpl_set_int(tpl_value *map, const char *key, long long n)
{
	tpl_value *v = value_new(map->arena, TV_INT);
	v->u.i = n;
	tpl_set(map, key, v);
}

void tpl_set_bool(tpl_value *map, const char *key, bool b)
{
	tpl_value *v = value_new(map->arena, TV_BOOL);
	v->u.b = b;
	tpl_set(map, key, v);
}

void tpl_set_html(tpl_value *map, const char *key, const char *html)
{
	tpl_value *v = value_new(map->arena, TV_HTML);
	v->u.str.s = html ? html : "";
	v->u.str.len = strlen(v->u.str.s);
	tpl_set(map, key, v);
}

tpl_value *tpl_get(const tpl_value *map, const char *key)
{
	if (!map || map->type != TV_MAP)
		return NULL;
	for (size_t i = 0; i < map->u.map.n; i++)
		if (strcmp(map->u.map.keys[i], key) == 0)
			return map->u.map.vals[i];
	return NULL;
}

static tpl_value *map_getn(const tpl_value *map, const char *key, size_t len)
{
	if (!map || map->type != TV_MAP)
		return NULL;
	/* The first byte rules out most keys without a call (a hot loop: a
	 * thread page looks up thousands of names). */
	for (size_t i = 0; i < map->u.map.n; i++) {
		const char *k = map->u.map.keys[i];
		if (k[0] == key[0] && strncmp(k, key, len) == 0 && k[len] == '\0')
			return map->u.map.vals[i];
	}
	return NULL;
}

static bool truthy(const tpl_value *v)
{
	if (!v)
		return false;
	switch (v->type) {
	case TV_NULL: return false;
	case TV_STR: case TV_HTML: return v->u.str.len > 0;
	case TV_INT: return v->u.i != 0;
	case TV_BOOL: return v->u.b;
	case TV_LIST: return v->u.list.n > 0;
	case TV_MAP: return true;
	}
	return false;
}

/* ---- compiled form ---- */

struct expr_part {
	bool literal;
	const char *s;          /* literal text or dotted name */
	size_t len;
};

struct expr {
	struct expr_part *parts;
	size_t n;
};

enum op_kind { OP_LIT, OP_TEXT, OP_ATTR, OP_HTML, OP_IF, OP_UNLESS, OP_EACH, OP_EACH_END,
	OP_INCLUDE, OP_CONTENT, OP__MAX };

struct op {
	enum op_kind kind;
	const char *s;          /* OP_LIT bytes; OP_ATTR attribute name; OP_INCLUDE template name */
	size_t len;
	struct expr expr;
	size_t jump;            /* IF/UNLESS: op after the block; EACH: its EACH_END */
	int include_index;      /* OP_INCLUDE, resolved after all files are read */
};

enum tpl_kind { TK_PAGE, TK_FRAGMENT, TK_DOCUMENT };

struct tpl_template {
	char name[TPL_MAX_NAME];
	char file[512];
	enum tpl_kind kind;
	struct op *ops;
	size_t nops, cap;
};

struct tpl_theme {
	arena *arena;
	struct tpl_template *tpls;
	size_t ntpls;
	int layout;             /* index of layout.html or -1 */
	uint64_t digest;        /* of the compiled templates: see tpl_theme_digest() */
};

const char *tpl_strerror(enum tpl_err e)
{
	static const char *const msg[TPL_ERR__MAX] = {
		[TPL_OK] = "ok",
		[TPL_ERR_IO] = "cannot read the theme",
		[TPL_ERR_PARSE] = "template is not well-formed XML",
		[TPL_ERR_DIRECTIVE] = "bad template directive",
		[TPL_ERR_MISSING] = "no such template",
	};
	return (unsigned)e < TPL_ERR__MAX ? msg[e] : "unknown error";
}

/* ---- compiler ---- */

struct compiler {
	tpl_theme *theme;
	struct tpl_template *tpl;
	buf lit;                /* pending literal bytes */
	char *err;
	size_t errlen;
	bool has_content;
};

static bool is_tpl_ns(xmlNsPtr ns)
{
	return ns && ns->href && strcmp((const char *)ns->href, TPL_NS) == 0;
}

static bool is_void_element(const char *name)
{
	static const char *const voids[] = { "area", "base", "br", "col", "embed", "hr", "img",
		"input", "link", "meta", "source", "track", "wbr" };
	for (size_t i = 0; i < sizeof voids / sizeof voids[0]; i++)
		if (strcmp(name, voids[i]) == 0)
			return true;
	return false;
}

static int fail_at(struct compiler *c, xmlNodePtr node, const char *what, const char *detail)
{
	snprintf(c->err, c->errlen, "%s:%ld: %s%s%s", c->tpl->file, node ? xmlGetLineNo(node) : 0L,
	         what, detail ? ": " : "", detail ? detail : "");
	return -1;
}

static struct op *emit(struct compiler *c, enum op_kind kind)
{
	struct tpl_template *t = c->tpl;
	if (kind != OP_LIT && c->lit.len > 0) {
		struct op *l = emit(c, OP_LIT);
		l->s = arena_strndup(c->theme->arena, c->lit.data, c->lit.len);
		l->len = c->lit.len;
		buf_clear(&c->lit);
	}
	if (t->nops == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 32;
		struct op *nops = arena_zalloc(c->theme->arena, ncap * sizeof *nops);
		if (t->nops)
			memcpy(nops, t->ops, t->nops * sizeof *nops);
		t->ops = nops;
		t->cap = ncap;
	}
	struct op *op = &t->ops[t->nops++];
	memset(op, 0, sizeof *op);
	op->kind = kind;
	op->include_index = -1;
	return op;
}

static void flush_lit(struct compiler *c)
{
	if (c->lit.len > 0) {
		struct op *l = emit(c, OP_LIT);
		l->s = arena_strndup(c->theme->arena, c->lit.data, c->lit.len);
		l->len = c->lit.len;
		buf_clear(&c->lit);
	}
}

static bool is_name_char(char ch, bool first)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
	       (!first && ((ch >= '0' && ch <= '9') || ch == '.'));
}

/* Parses "'lit' name.path 'lit'" into e. Returns -1 with a reason on error. */
static int parse_expr(struct compiler *c, xmlNodePtr node, const char *src, struct expr *e)
{
	size_t cap = 0;
	e->parts = NULL;
	e->n = 0;
	const char *p = src;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		struct expr_part part;
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');
			if (!end)
				return fail_at(c, node, "unterminated 'literal' in expression", src);
			part.literal = true;
			part.s = arena_strndup(c->theme->arena, p + 1, (size_t)(end - p - 1));
			part.len = (size_t)(end - p - 1);
			p = end + 1;
		} else if (is_name_char(*p, true)) {
			const char *start = p;
			while (is_name_char(*p, false))
				p++;
			part.literal = false;
			part.s = arena_strndup(c->theme->arena, start, (size_t)(p - start));
			part.len = (size_t)(p - start);
		} else {
			return fail_at(c, node, "unexpected character in expression", src);
		}
		grow(c->theme->arena, (void **)&e->parts, &cap, e->n, sizeof *e->parts);
		e->parts[e->n++] = part;
	}
	if (e->n == 0)
		return fail_at(c, node, "empty expression", NULL);
	return 0;
}

static int parse_single_name(struct compiler *c, xmlNodePtr node, const char *src, struct expr *e)
{
	if (parse_expr(c, node, src, e) < 0)
		return -1;
	if (e->n != 1 || e->parts[0].literal)
		return fail_at(c, node, "expected a single name", src);
	return 0;
}

static int compile_children(struct compiler *c, xmlNodePtr first);

static int compile_element(struct compiler *c, xmlNodePtr node)
{
	const char *name = (const char *)node->name;
	bool is_tpl_el = is_tpl_ns(node->ns);
	int rc = -1;

	if (is_tpl_el && strcmp(name, "content") == 0) {
		emit(c, OP_CONTENT);
		c->has_content = true;
		return 0;
	}
	if (is_tpl_el && strcmp(name, "include") == 0) {
		xmlChar *inc = xmlGetProp(node, (const xmlChar *)"name");
		if (!inc)
			return fail_at(c, node, "<h:include> needs name=\"template\"", NULL);
		struct op *op = emit(c, OP_INCLUDE);
		op->s = arena_strdup(c->theme->arena, (const char *)inc);
		op->jump = (size_t)xmlGetLineNo(node);
		xmlFree(inc);
		return 0;
	}
	if (is_tpl_el && strcmp(name, "block") != 0 && strcmp(name, "fragment") != 0 &&
	    strcmp(name, "page") != 0)
		return fail_at(c, node, "unknown template element", name);

	/* Gather directives first; their order in the source does not matter. */
	xmlChar *d_if = NULL, *d_unless = NULL, *d_each = NULL, *d_text = NULL, *d_html = NULL;
	for (xmlAttrPtr a = node->properties; a; a = a->next) {
		if (!is_tpl_ns(a->ns))
			continue;
		const char *an = (const char *)a->name;
		xmlChar **slot = strcmp(an, "if") == 0 ? &d_if :
		                 strcmp(an, "unless") == 0 ? &d_unless :
		                 strcmp(an, "each") == 0 ? &d_each :
		                 strcmp(an, "text") == 0 ? &d_text :
		                 strcmp(an, "html") == 0 ? &d_html : NULL;
		if (slot)
			*slot = xmlNodeListGetString(node->doc, a->children, 1);
		else if (strncmp(an, "attr-", 5) != 0 || !an[5]) {
			fail_at(c, node, "unknown template attribute", an);
			goto out;
		}
	}
	if (d_text && d_html) {
		fail_at(c, node, "h:text and h:html on one element", NULL);
		goto out;
	}

	struct expr e;
	size_t each_index = 0, if_index = 0, unless_index = 0;
	if (d_each) {
		if (parse_single_name(c, node, (const char *)d_each, &e) < 0)
			goto out;
		struct op *op = emit(c, OP_EACH);
		op->expr = e;
		each_index = c->tpl->nops - 1;
	}
	if (d_if) {
		if (parse_single_name(c, node, (const char *)d_if, &e) < 0)
			goto out;
		struct op *op = emit(c, OP_IF);
		op->expr = e;
		if_index = c->tpl->nops - 1;
	}
	if (d_unless) {
		if (parse_single_name(c, node, (const char *)d_unless, &e) < 0)
			goto out;
		struct op *op = emit(c, OP_UNLESS);
		op->expr = e;
		unless_index = c->tpl->nops - 1;
	}

	bool void_el = !is_tpl_el && is_void_element(name);
	if (!is_tpl_el) {
		buf_putc(&c->lit, '<');
		buf_puts(&c->lit, name);
		for (xmlAttrPtr a = node->properties; a; a = a->next) {
			const char *an = (const char *)a->name;
			if (is_tpl_ns(a->ns)) {
				if (strncmp(an, "attr-", 5) != 0)
					continue;
				xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);
				int prc = parse_expr(c, node, v ? (const char *)v : "", &e);
				xmlFree(v);
				if (prc < 0)
					goto out;
				struct op *op = emit(c, OP_ATTR);
				op->s = arena_strdup(c->theme->arena, an + 5);
				op->len = strlen(op->s);
				op->expr = e;
				continue;
			}
			xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);
			buf_putc(&c->lit, ' ');
			if (a->ns && a->ns->prefix) {
				buf_puts(&c->lit, (const char *)a->ns->prefix);
				buf_putc(&c->lit, ':');
			}
			buf_puts(&c->lit, an);
			buf_puts(&c->lit, "=\"");
			if (v)
				html_attr(&c->lit, (const char *)v, strlen((const char *)v));
			buf_putc(&c->lit, '"');
			xmlFree(v);
		}
		buf_putc(&c->lit, '>');
	}
	if (void_el) {
		if (node->children || d_text || d_html) {
			fail_at(c, node, "void element cannot have content", name);
			goto out;
		}
	} else if (d_text) {
		if (parse_expr(c, node, (const char *)d_text, &e) < 0)
			goto out;
		emit(c, OP_TEXT)->expr = e;
	} else if (d_html) {
		if (parse_single_name(c, node, (const char *)d_html, &e) < 0)
			goto out;
		emit(c, OP_HTML)->expr = e;
	} else if (compile_children(c, node->children) < 0) {
		goto out;
	}
	if (!is_tpl_el && !void_el) {
		buf_puts(&c->lit, "</");
		buf_puts(&c->lit, name);
		buf_putc(&c->lit, '>');
	}
	flush_lit(c);
	if (d_unless)
		c->tpl->ops[unless_index].jump = c->tpl->nops;
	if (d_if)
		c->tpl->ops[if_index].jump = c->tpl->nops;
	if (d_each) {
		struct op *end = emit(c, OP_EACH_END);
		end->jump = each_index;
		c->tpl->ops[each_index].jump = c->tpl->nops - 1;
	}
	rc = 0;
out:
	xmlFree(d_if);
	xmlFree(d_unless);
	xmlFree(d_each);
	xmlFree(d_text);
	xmlFree(d_html);
	return rc;
}

static bool all_space(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static int compile_children(struct compiler *c, xmlNodePtr first)
{
	for (xmlNodePtr n = first; n; n = n->next) {
		switch (n->type) {
		case XML_ELEMENT_NODE:
			if (compile_element(c, n) < 0)
				return -1;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE: {
			const char *text = (const char *)n->content;
			if (!text)
				break;
			/* Indentation between tags is noise on the wire. */
			if (all_space(text))
				buf_putc(&c->lit, '\n');
			else
				html_text(&c->lit, text, strlen(text));
			break;
		}
		case XML_ENTITY_REF_NODE:
			return fail_at(c, n, "named entity in template (use a numeric reference)",
			               (const char *)n->name);
		default:
			break;          /* comments and processing instructions vanish */
		}
	}
	return 0;
}

static int compile_file(tpl_theme *theme, struct tpl_template *tpl, char *err, size_t errlen)
{
	struct compiler c = { .theme = theme, .tpl = tpl, .err = err, .errlen = errlen };
	arena *scratch = arena_new(8192);
	buf_init(&c.lit, scratch, 4096);
	int rc = -1;
	xmlResetLastError();
	xmlDocPtr doc = xmlReadFile(tpl->file, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR |
	                            XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *xe = xmlGetLastError();
		char msg[256] = "cannot parse";
		if (xe && xe->message) {
			snprintf(msg, sizeof msg, "%s", xe->message);
			size_t ml = strlen(msg);
			while (ml > 0 && msg[ml - 1] == '\n')
				msg[--ml] = '\0';
		}
		snprintf(err, errlen, "%s:%d: %s", tpl->file, xe ? xe->line : 0, msg);
		goto out;
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!root) {
		snprintf(err, errlen, "%s:1: empty template", tpl->file);
		goto out;
	}
	if (is_tpl_ns(root->ns) && strcmp((const char *)root->name, "page") == 0) {
		tpl->kind = TK_PAGE;
		if (compile_children(&c, root->children) < 0)
			goto out;
	} else if (is_tpl_ns(root->ns) && strcmp((const char *)root->name, "fragment") == 0) {
		tpl->kind = TK_FRAGMENT;
		if (compile_children(&c, root->children) < 0)
			goto out;
	} else {
		tpl->kind = TK_DOCUMENT;
		buf_puts(&c.lit, "<!DOCTYPE html>\n");
		if (compile_element(&c, root) < 0)
			goto out;
	}
	flush_lit(&c);
	rc = 0;
out:
	if (doc)
		xmlFreeDoc(doc);
	arena_free(scratch);
	return rc;
}

static int find_template(const tpl_theme *t, const char *name)
{
	for (size_t i = 0; i < t->ntpls; i++)
		if (strcmp(t->tpls[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* FNV-1a over what rendering depends on: names, op kinds, bytes, names in
 * expressions, jumps. Two loads of the same files give the same digest. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211u;
	return h;
}

static uint64_t theme_digest(const tpl_theme *t)
{
	uint64_t h = 14695981039346656037u;
	for (size_t i = 0; i < t->ntpls; i++) {
		const struct tpl_template *tpl = &t->tpls[i];
		h = fnv(h, tpl->name, strlen(tpl->name) + 1);
		for (size_t k = 0; k < tpl->nops; k++) {
			const struct op *op = &tpl->ops[k];
			unsigned char kind = (unsigned char)op->kind;
			h = fnv(h, &kind, 1);
			if (op->s)
				h = fnv(h, op->s, op->kind == OP_INCLUDE ? strlen(op->s) : op->len);
			for (size_t e = 0; e < op->expr.n; e++) {
				h = fnv(h, &op->expr.parts[e].literal, 1);
				h = fnv(h, op->expr.parts[e].s, op->expr.parts[e].len);
			}
			h = fnv(h, &op->jump, sizeof op->jump);
		}
	}
	return h;
}

enum tpl_err tpl_theme_load(const char *dir, tpl_theme **out, char *err, size_t errlen)
{
	*out = NULL;
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: cannot open the theme folder", dir);
		return TPL_ERR_IO;
	}
	char *names[TPL_MAX_FILES];
	size_t nnames = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".html") != 0 || de->d_name[0] == '.')
			continue;
		if (nnames == TPL_MAX_FILES || l - 5 >= TPL_MAX_NAME) {
			snprintf(err, errlen, "%s/%s: too many templates or name too long", dir, de->d_name);
			closedir(d);
			for (size_t i = 0; i < nnames; i++)
				free(names[i]);
			return TPL_ERR_IO;
		}
		names[nnames++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, nnames, sizeof names[0], cmp_names);

	enum tpl_err rc = TPL_OK;
	tpl_theme *t = xmalloc(sizeof *t);
	t->arena = arena_new(64 * 1024);
	t->tpls = arena_zalloc(t->arena, (nnames ? nnames : 1) * sizeof *t->tpls);
	t->ntpls = nnames;
	t->layout = -1;
	for (size_t i = 0; i < nnames && rc == TPL_OK; i++) {
		struct tpl_template *tpl = &t->tpls[i];
		snprintf(tpl->name, sizeof tpl->name, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
		snprintf(tpl->file, sizeof tpl->file, "%s/%s", dir, names[i]);
		if (compile_file(t, tpl, err, errlen) < 0)
			rc = TPL_ERR_PARSE;
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	if (rc != TPL_OK)
		goto fail;

	t->layout = find_template(t, "layout");
	for (size_t i = 0; i < t->ntpls; i++) {
		struct tpl_template *tpl = &t->tpls[i];
		for (size_t k = 0; k < tpl->nops; k++) {
			struct op *op = &tpl->ops[k];
			if (op->kind != OP_INCLUDE)
				continue;
			op->include_index = find_template(t, op->s);
			if (op->include_index < 0) {
				snprintf(err, errlen, "%s:%zu: <h:include> of unknown template \"%s\"",
				         tpl->file, op->jump, op->s);
				rc = TPL_ERR_DIRECTIVE;
				goto fail;
			}
		}
		if (tpl->kind == TK_PAGE && t->layout < 0) {
			snprintf(err, errlen, "%s:1: <h:page> needs %s/layout.html", tpl->file, dir);
			rc = TPL_ERR_MISSING;
			goto fail;
		}
	}
	t->digest = theme_digest(t);
	*out = t;
	return TPL_OK;
fail:
	tpl_theme_free(t);
	return rc;
}

uint64_t tpl_theme_digest(const tpl_theme *t)
{
	return t->digest;
}

void tpl_theme_free(tpl_theme *t)
{
	if (!t)
		return;
	arena_free(t->arena);
	free(t);
}

bool tpl_has(const tpl_theme *t, const char *name)
{
	return find_template(t, name) >= 0;
}

/* ---- renderer ---- */

struct render {
	const tpl_theme *theme;
	const struct tpl_template *page;
	const char *content;            /* tpl_render_layout: the page, rendered already */
	size_t content_len;
	const tpl_value *scopes[TPL_MAX_DEPTH];
	int nscopes;
	int depth;
	buf *out;
};

static const tpl_value *lookup(const struct render *r, const char *path, size_t len)
{
	const char *dot = memchr(path, '.', len);
	size_t first = dot ? (size_t)(dot - path) : len;
	const tpl_value *v = NULL;
	for (int i = r->nscopes - 1; i >= 0 && !v; i--)
		v = map_getn(r->scopes[i], path, first);
	while (v && dot) {
		const char *seg = dot + 1;
		size_t rest = len - (size_t)(seg - path);
		dot = memchr(seg, '.', rest);
		size_t seglen = dot ? (size_t)(dot - seg) : rest;
		v = map_getn(v, seg, seglen);
	}
	return v;
}

/* Escaping is per character, so the escape of a concatenation is the
 * concatenation of the escapes: each part goes straight to the output. */
static void eval_escaped(struct render *r, const struct expr *e, bool attr)
{
	void (*esc)(buf *, const char *, size_t) = attr ? html_attr : html_text;
	for (size_t i = 0; i < e->n; i++) {
		const struct expr_part *part = &e->parts[i];
		if (part->literal) {
			esc(r->out, part->s, part->len);
			continue;
		}
		const tpl_value *v = lookup(r, part->s, part->len);
		if (!v)
			continue;
		switch (v->type) {
		case TV_STR:
		case TV_HTML:
			esc(r->out, v->u.str.s, v->u.str.len);
			break;
		case TV_INT:
			buf_printf(r->out, "%lld", v->u.i);
			break;
		case TV_BOOL:
			if (v->u.b)
				buf_append(r->out, "true", 4);
			break;
		default:
			break;
		}
	}
}

static bool attr_present(struct render *r, const struct expr *e)
{
	for (size_t i = 0; i < e->n; i++) {
		if (e->parts[i].literal)
			continue;
		const tpl_value *v = lookup(r, e->parts[i].s, e->parts[i].len);
		if (!v || v->type == TV_NULL || (v->type == TV_BOOL && !v->u.b))
			return false;
	}
	return true;
}

static void render_ops(struct render *r, const struct tpl_template *tpl, size_t from, size_t to);

static void render_ops(struct render *r, const struct tpl_template *tpl, size_t from, size_t to)
{
	if (++r->depth > TPL_MAX_DEPTH) {
		r->depth--;
		return;
	}
	size_t i = from;
	while (i < to) {
		const struct op *op = &tpl->ops[i];
		switch (op->kind) {
		case OP_LIT:
			buf_append(r->out, op->s, op->len);
			break;
		case OP_TEXT:
			eval_escaped(r, &op->expr, false);
			break;
		case OP_ATTR:
			if (attr_present(r, &op->expr)) {
				buf_putc(r->out, ' ');
				buf_append(r->out, op->s, op->len);
				buf_append(r->out, "=\"", 2);
				const tpl_value *v = op->expr.n == 1 && !op->expr.parts[0].literal ?
					lookup(r, op->expr.parts[0].s, op->expr.parts[0].len) : NULL;
				if (v && v->type == TV_BOOL)
					buf_append(r->out, op->s, op->len);     /* checked="checked" */
				else
					eval_escaped(r, &op->expr, true);
				buf_putc(r->out, '"');
			}
			break;
		case OP_HTML: {
			const tpl_value *v = lookup(r, op->expr.parts[0].s, op->expr.parts[0].len);
			if (v && v->type == TV_HTML)
				buf_append(r->out, v->u.str.s, v->u.str.len);
			else
				eval_escaped(r, &op->expr, false);
			break;
		}
		case OP_IF:
		case OP_UNLESS: {
			bool t = truthy(lookup(r, op->expr.parts[0].s, op->expr.parts[0].len));
			if (t != (op->kind == OP_IF)) {
				i = op->jump;
				continue;
			}
			break;
		}
		case OP_EACH: {
			const tpl_value *list = lookup(r, op->expr.parts[0].s, op->expr.parts[0].len);
			if (list && list->type == TV_LIST && r->nscopes < TPL_MAX_DEPTH) {
				for (size_t k = 0; k < list->u.list.n; k++) {
					r->scopes[r->nscopes++] = list->u.list.items[k];
					render_ops(r, tpl, i + 1, op->jump);
					r->nscopes--;
				}
			}
			i = op->jump + 1;
			continue;
		}
		case OP_EACH_END:
			break;
		case OP_INCLUDE: {
			const struct tpl_template *inc = &r->theme->tpls[op->include_index];
			render_ops(r, inc, 0, inc->nops);
			break;
		}
		case OP_CONTENT:
			if (r->page)
				render_ops(r, r->page, 0, r->page->nops);
			else if (r->content)
				buf_append(r->out, r->content, r->content_len);
			break;
		case OP__MAX:
			abort();
		}
		i++;
	}
	r->depth--;
}

/* Renders tpl with data; <h:content/> renders page, else the bytes of content. */
static void render_root(const tpl_theme *t, const struct tpl_template *tpl, const struct tpl_template *page,
                        const char *content, size_t content_len, const tpl_value *data, buf *out)
{
	struct render r = { .theme = t, .out = out, .page = page, .content = content,
	                    .content_len = content_len };
	r.scopes[r.nscopes++] = data;
	render_ops(&r, tpl, 0, tpl->nops);
}

enum tpl_err tpl_render_page(const tpl_theme *t, const char *name, const tpl_value *data, buf *out)
{
	int idx = find_template(t, name);
	if (idx < 0)
		return TPL_ERR_MISSING;
	const struct tpl_template *tpl = &t->tpls[idx];
	if (tpl->kind == TK_PAGE)
		render_root(t, &t->tpls[t->layout], tpl, NULL, 0, data, out);
	else
		render_root(t, tpl, NULL, NULL, 0, data, out);
	return TPL_OK;
}

enum tpl_err tpl_render_content(const tpl_theme *t, const char *name, const tpl_value *data, buf *out)
{
	int idx = find_template(t, name);
	if (idx < 0)
		return TPL_ERR_MISSING;
	render_root(t, &t->tpls[idx], NULL, NULL, 0, data, out);
	return TPL_OK;
}

enum tpl_err tpl_render_layout(const tpl_theme *t, const tpl_value *data, const char *content,
                               size_t len, buf *out)
{
	if (t->layout < 0)
		return TPL_ERR_MISSING;
	render_root(t, &t->tpls[t->layout], NULL, content, len, data, out);
	return TPL_OK;
}
