/*
 * lexicon.c: named word lists (lexicons) and the {name} references and frames that use them.
 *
 * A rule directory may hold NAME.lex files: one entry a line, lower case, with inflections written
 * as stem/suffix/suffix ("overdose/s/d" is overdose, overdoses, overdosed). Patterns refer to a
 * lexicon as {name}; at load time the reference becomes one pcre2 alternation of every form,
 * longest first, so the prefilter still sees the words as literals. A frame line is compiled to an
 * ordinary pattern here too (see mod_frame_compile). Nothing of this exists at screening time: the
 * ruleset keeps the lexicons only so that "rules check" can prove every entry is exercised by an
 * example of a rule that uses it.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mod_internal.h"

/* ---- growing string --------------------------------------------------------------------------- */

struct buf {
	char *s;
	size_t len, cap;
	bool nomem;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->nomem)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *g = realloc(b->s, cap);
		if (!g) {
			b->nomem = true;
			return;
		}
		b->s = g;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* ---- entries ---------------------------------------------------------------------------------- */

static bool valid_lexicon_name(const char *s, size_t n)
{
	if (n == 0 || n > MOD_LEX_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* Appends one form of an entry as a pcre2 fragment: a space is one space (a literal, so that the
 * prefilter sees the phrase as one string), an apostrophe is optional, a hyphen may be a space or
 * nothing, other pcre2 metacharacters are escaped. */
static void add_form(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ' ')
			buf_str(b, " ");
		else if (c == '\'')
			buf_str(b, "'?");
		else if (c == '-')
			buf_str(b, "[- ]?");
		else if (strchr("\\^$.|?*+()[]{}#", c)) {
			buf_add(b, "\\", 1);
			buf_add(b, &c, 1);
		} else
			buf_add(b, &c, 1);
	}
}

struct form { const char *s; size_t n; };

static int form_longer_first(const void *a, const void *b)
{
	const struct form *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return memcmp(x->s, y->s, x->n);
}

/* ---- factored alternation ---------------------------------------------------------------------
 *
 * pcre2 tries the branches of an alternation one by one at each start: a lexicon of 60 forms
 * costs 60 failed comparisons where none matches. The lexicon's pattern for matching (alt_factored)
 * writes the same alternation as a tree of common prefixes: "(?:pills|pill|pain)" becomes
 * "(?:p(?:ill(?:s|)|ain))". It matches the same strings in the same order of preference, so
 * every match is the one the flat alternation finds: branches whose next character is a plain
 * ASCII byte (not the optional apostrophe or hyphen of add_form, not a non-ASCII character) are
 * grouped by that byte, and two such branches with different bytes can never both match at one
 * place (forms are lower case, so not even caselessly), so only the order among branches of one
 * group matters, and it is kept. A branch whose next character is anything else, or that has
 * ended, is written as it stands and no branch is moved across it. The prefilter's literals are
 * still read from the flat alternation (alt). */
static bool plain_at(const struct form *f, size_t d)
{
	unsigned char c = d < f->n ? (unsigned char)f->s[d] : 0;
	return d < f->n && c < 0x80 && c != '\'' && c != '-';
}

static void factor_forms(struct buf *b, const struct form *const *f, size_t n, size_t d,
                         unsigned level)
{
	for (size_t i = 0; i < n && !b->nomem;) {
		if (i)
			buf_str(b, "|");
		if (!plain_at(f[i], d) || level > 64) {
			add_form(b, f[i]->s + d, f[i]->n - d);
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && plain_at(f[j], d))
			j++;
		/* the run [i, j): one branch per distinct byte, in order of first appearance */
		for (size_t k = i; k < j && !b->nomem; k++) {
			char c = f[k]->s[d];
			bool seen = false;
			for (size_t q = i; q < k && !seen; q++)
				seen = f[q]->s[d] == c;
			if (seen)
				continue;
			size_t ng = 0;
			for (size_t q = k; q < j; q++)
				ng += f[q]->s[d] == c;
			if (k > i)
				buf_str(b, "|");
			if (ng == 1) {
				add_form(b, f[k]->s + d, f[k]->n - d);
				continue;
			}
			const struct form **group = malloc(ng * sizeof *group);
			if (!group) {
				b->nomem = true;
				return;
			}
			ng = 0;
			for (size_t q = k; q < j; q++)
				if (f[q]->s[d] == c)
					group[ng++] = f[q];
			/* the bytes all members share */
			size_t e = d + 1;
			for (;; e++) {
				bool same = plain_at(group[0], e);
				for (size_t q = 1; q < ng && same; q++)
					same = plain_at(group[q], e) && group[q]->s[e] == group[0]->s[e];
				if (!same)
					break;
			}
			add_form(b, group[0]->s + d, e - d);
			buf_str(b, "(?:");
			factor_forms(b, group, ng, e, level + 1);
			buf_str(b, ")");
			free(group);
		}
		i = j;
	}
}

/* Splits "stem/suf/suf" into its forms: the stem, then stem + each suffix. */
static size_t entry_forms(const char *e, size_t n, struct form *forms, size_t max, char *storage)
{
	const char *slash = memchr(e, '/', n);
	size_t stem = slash ? (size_t)(slash - e) : n;
	size_t nf = 0, used = 0;
	forms[nf++] = (struct form){ e, stem };
	size_t p = stem;
	while (p < n && nf < max) {
		size_t q = p + 1;
		while (q < n && e[q] != '/')
			q++;
		char *f = storage + used;
		memcpy(f, e, stem);
		memcpy(f + stem, e + p + 1, q - p - 1);
		forms[nf++] = (struct form){ f, stem + q - p - 1 };
		used += stem + q - p - 1;
		p = q;
	}
	return nf;
}

/* The pcre2 alternation of an entry's forms, "(?:a|b)", written into b. */
static void entry_regex(struct buf *b, const char *e, size_t n)
{
	struct form forms[MOD_LEX_FORMS_MAX];
	char storage[MOD_LEX_FORMS_MAX * MOD_LINE_MAX / 8];
	size_t nf = entry_forms(e, n, forms, MOD_LEX_FORMS_MAX, storage);
	qsort(forms, nf, sizeof *forms, form_longer_first);
	buf_str(b, "(?:");
	for (size_t k = 0; k < nf; k++) {
		if (k)
			buf_str(b, "|");
		add_form(b, forms[k].s, forms[k].n);
	}
	buf_str(b, ")");
}

__attribute__((format(printf, 4, 5)))
static enum mod_err lex_fail(char *err, size_t errlen, enum mod_err code, const char *fmt, ...)
{
	if (errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Checks one entry line; returns NULL or what is wrong with it. */
static const char *entry_problem(const char *e, size_t n)
{
	if (n > MOD_LINE_MAX / 8)
		return "entry longer than 512 bytes";
	size_t slashes = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)e[i];
		if (c >= 'A' && c <= 'Z')
			return "upper-case letter (text is case-folded: write lower case)";
		if (c == '/') {
			if (i == 0)
				return "an entry cannot start with '/'";
			slashes++;
		}
		if (c == '\t')
			return "tab inside an entry";
	}
	if (slashes + 1 > MOD_LEX_FORMS_MAX)
		return "too many inflections (at most 15 suffixes)";
	const char *slash = memchr(e, '/', n);
	if (slash && memchr(slash, ' ', n - (size_t)(slash - e)))
		return "suffixes after '/' cannot hold spaces";
	return NULL;
}

/* Parses one .lex file into lex (entries and alternation in the pool). */
static enum mod_err parse_lexicon(mod_ruleset *rs, struct mod_lexicon *lex, const char *text,
                                  size_t len, char *err, size_t errlen)
{
	struct buf alt = { 0 }, one = { 0 }, fac = { 0 };
	enum mod_err rc = MOD_OK;
	size_t cap = 0;
	struct form *forms = NULL;
	size_t nforms = 0, formcap = 0;
	uint32_t line = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *l = text + pos;
		size_t n = end - pos;
		pos = end + 1;
		line++;
		if (n > MOD_LINE_MAX) {
			rc = lex_fail(err, errlen, MOD_ERR_LIMIT, "%s:%u: line longer than %d bytes",
			              lex->file, line, MOD_LINE_MAX);
			goto fail;
		}
		/* trailing comment " # ...", surrounding blanks */
		for (size_t i = 1; i < n; i++)
			if (l[i] == '#' && (l[i - 1] == ' ' || l[i - 1] == '\t')) {
				n = i;
				break;
			}
		while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
			n--;
		while (n && (*l == ' ' || *l == '\t')) {
			l++;
			n--;
		}
		if (n == 0 || *l == '#')
			continue;
		const char *why = entry_problem(l, n);
		if (why) {
			rc = lex_fail(err, errlen, MOD_ERR_SYNTAX, "%s:%u: lexicon entry '%.*s': %s",
			              lex->file, line, (int)(n > 60 ? 60 : n), l, why);
			goto fail;
		}
		for (size_t k = 0; k < lex->nentries; k++)
			if (strlen(lex->entries[k].text) == n && memcmp(lex->entries[k].text, l, n) == 0) {
				rc = lex_fail(err, errlen, MOD_ERR_SYNTAX,
				              "%s:%u: duplicate entry '%.*s' (first at line %u)", lex->file,
				              line, (int)n, l, lex->entries[k].line);
				goto fail;
			}
		if (lex->nentries == MOD_LEX_ENTRIES_MAX) {
			rc = lex_fail(err, errlen, MOD_ERR_LIMIT, "%s:%u: more than %d entries",
			              lex->file, line, MOD_LEX_ENTRIES_MAX);
			goto fail;
		}
		if (lex->nentries == cap) {
			cap = cap ? cap * 2 : 32;
			struct mod_lex_entry *g = realloc(lex->entries, cap * sizeof *g);
			if (!g) {
				rc = MOD_ERR_NOMEM;
				goto fail;
			}
			lex->entries = g;
		}
		one.len = 0;
		entry_regex(&one, l, n);
		if (one.nomem) {
			rc = MOD_ERR_NOMEM;
			goto fail;
		}
		struct mod_lex_entry *e = &lex->entries[lex->nentries++];
		e->line = line;
		e->text = mod_pool_strndup(rs->pool, l, n);
		e->regex = mod_pool_strndup(rs->pool, one.s, one.len);
		if (!e->text || !e->regex) {
			rc = MOD_ERR_NOMEM;
			goto fail;
		}
		/* every form of every entry goes into one longest-first alternation */
		struct form f[MOD_LEX_FORMS_MAX];
		char *storage = mod_pool_alloc(rs->pool, MOD_LEX_FORMS_MAX * (n + 1));
		if (!storage) {
			rc = MOD_ERR_NOMEM;
			goto fail;
		}
		size_t nf = entry_forms(e->text, n, f, MOD_LEX_FORMS_MAX, storage);
		if (nforms + nf > formcap) {
			formcap = (nforms + nf) * 2;
			struct form *g = realloc(forms, formcap * sizeof *g);
			if (!g) {
				rc = MOD_ERR_NOMEM;
				goto fail;
			}
			forms = g;
		}
		memcpy(forms + nforms, f, nf * sizeof *f);
		nforms += nf;
	}
	if (lex->nentries == 0) {
		rc = lex_fail(err, errlen, MOD_ERR_SYNTAX, "%s:%u: lexicon has no entries", lex->file,
		              line ? line : 1);
		goto fail;
	}
	qsort(forms, nforms, sizeof *forms, form_longer_first);
	buf_str(&alt, "(?:");
	for (size_t k = 0; k < nforms; k++) {
		if (k && forms[k].n == forms[k - 1].n && memcmp(forms[k].s, forms[k - 1].s, forms[k].n) == 0)
			continue;
		if (k)
			buf_str(&alt, "|");
		add_form(&alt, forms[k].s, forms[k].n);
	}
	buf_str(&alt, ")");
	/* the same forms, deduplicated, as a tree of common prefixes */
	const struct form **uniq = malloc((nforms ? nforms : 1) * sizeof *uniq);
	size_t nuniq = 0;
	if (!uniq) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	for (size_t k = 0; k < nforms; k++)
		if (!(k && forms[k].n == forms[k - 1].n &&
		      memcmp(forms[k].s, forms[k - 1].s, forms[k].n) == 0))
			uniq[nuniq++] = &forms[k];
	buf_str(&fac, "(?:");
	factor_forms(&fac, uniq, nuniq, 0, 0);
	buf_str(&fac, ")");
	free(uniq);
	if (alt.nomem || fac.nomem) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	lex->alt = mod_pool_strndup(rs->pool, alt.s, alt.len);
	lex->altlen = alt.len;
	lex->alt_factored = mod_pool_strndup(rs->pool, fac.s, fac.len);
	lex->alt_factored_len = fac.len;
	if (!lex->alt || !lex->alt_factored)
		rc = MOD_ERR_NOMEM;
fail:
	free(alt.s);
	free(fac.s);
	free(one.s);
	free(forms);
	return rc;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum mod_err mod_lexicons_load(mod_ruleset *rs, const char *dir, uint64_t *digest, char *err,
                               size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d)
		return lex_fail(err, errlen, MOD_ERR_IO, "%s: cannot open rule directory", dir);
	char **names = NULL;
	size_t n = 0;
	enum mod_err rc = MOD_OK;
	char *text = NULL, *path = NULL;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 4, ".lex") != 0)
			continue;
		char **g = realloc(names, (n + 1) * sizeof *g);
		if (!g || !(g[n] = strdup(de->d_name))) {
			names = g ? g : names;
			rc = MOD_ERR_NOMEM;
			goto fail;
		}
		names = g;
		n++;
	}
	closedir(d);
	d = NULL;
	if (n > MOD_LEXICONS_MAX) {
		rc = lex_fail(err, errlen, MOD_ERR_LIMIT, "%s: more than %d lexicons", dir,
		              MOD_LEXICONS_MAX);
		goto fail;
	}
	if (n)
		qsort(names, n, sizeof *names, str_cmp);
	rs->lexicons = n ? mod_pool_alloc(rs->pool, n * sizeof *rs->lexicons) : NULL;
	if (n && !rs->lexicons) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	for (size_t f = 0; f < n; f++) {
		size_t nl = strlen(names[f]) - 4;
		size_t plen = strlen(dir) + strlen(names[f]) + 2;
		if (!(path = malloc(plen))) {
			rc = MOD_ERR_NOMEM;
			goto fail;
		}
		snprintf(path, plen, "%s/%s", dir, names[f]);
		if (!valid_lexicon_name(names[f], nl)) {
			rc = lex_fail(err, errlen, MOD_ERR_SYNTAX, "%s: lexicon name must be [a-z][a-z0-9_]* "
			              "of at most %d characters", path, MOD_LEX_NAME_MAX);
			goto fail;
		}
		size_t len;
		if ((rc = mod_read_rule_file(path, MOD_RULEFILE_MAX, &text, &len, err, errlen)))
			goto fail;
		struct mod_lexicon *lex = &rs->lexicons[rs->nlexicons];
		memset(lex, 0, sizeof *lex);
		lex->name = mod_pool_strndup(rs->pool, names[f], nl);
		lex->file = mod_pool_strndup(rs->pool, path, strlen(path));
		if (!lex->name || !lex->file) {
			rc = MOD_ERR_NOMEM;
			goto fail;
		}
		rs->nlexicons++;
		*digest = mod_fnv1a(*digest, names[f], strlen(names[f]) + 1);
		*digest = mod_fnv1a(*digest, text, len);
		if ((rc = parse_lexicon(rs, lex, text, len, err, errlen)))
			goto fail;
		free(text);
		free(path);
		text = path = NULL;
	}
fail:
	if (d)
		closedir(d);
	free(text);
	free(path);
	for (size_t f = 0; f < n; f++)
		free(names[f]);
	free(names);
	return rc;
}

void mod_lexicons_free(mod_ruleset *rs)
{
	for (size_t i = 0; i < rs->nlexicons; i++)
		free(rs->lexicons[i].entries);
}

const struct mod_lexicon *mod_lexicon_find(const mod_ruleset *rs, const char *name, size_t n,
                                           size_t *index)
{
	for (size_t i = 0; i < rs->nlexicons; i++)
		if (strlen(rs->lexicons[i].name) == n && memcmp(rs->lexicons[i].name, name, n) == 0) {
			*index = i;
			return &rs->lexicons[i];
		}
	return NULL;
}

/* ---- expansion -------------------------------------------------------------------------------- */

static enum mod_err expand(const mod_ruleset *rs, const char *pat, size_t len, char **out,
                           size_t *outlen, struct mod_lexset *used, char *why, size_t whylen,
                           bool factored);

enum mod_err mod_lexicon_expand(const mod_ruleset *rs, const char *pat, size_t len, char **out,
                                size_t *outlen, struct mod_lexset *used, char *why, size_t whylen)
{
	return expand(rs, pat, len, out, outlen, used, why, whylen, false);
}

enum mod_err mod_lexicon_expand_factored(const mod_ruleset *rs, const char *pat, size_t len,
                                         char **out, size_t *outlen, struct mod_lexset *used, char *why,
                                         size_t whylen)
{
	return expand(rs, pat, len, out, outlen, used, why, whylen, true);
}

static enum mod_err expand(const mod_ruleset *rs, const char *pat, size_t len, char **out,
                           size_t *outlen, struct mod_lexset *used, char *why, size_t whylen,
                           bool factored)
{
	struct buf b = { 0 };
	bool in_class = false;
	for (size_t i = 0; i < len; i++) {
		char c = pat[i];
		if (c == '\\' && i + 1 < len) {
			buf_add(&b, pat + i, 2);
			i++;
			continue;
		}
		if (in_class) {
			if (c == ']')
				in_class = false;
			buf_add(&b, &c, 1);
			continue;
		}
		if (c == '[') {
			in_class = true;
			buf_add(&b, &c, 1);
			/* a ']' right after '[' or '[^' is a literal member */
			if (i + 1 < len && pat[i + 1] == '^')
				buf_add(&b, pat + ++i, 1);
			if (i + 1 < len && pat[i + 1] == ']')
				buf_add(&b, pat + ++i, 1);
			continue;
		}
		if (c == '{' && i + 1 < len && pat[i + 1] >= 'a' && pat[i + 1] <= 'z') {
			size_t j = i + 1;
			while (j < len && pat[j] != '}' && pat[j] != '{' && pat[j] != ' ')
				j++;
			if (j < len && pat[j] == '}') {
				size_t idx;
				const struct mod_lexicon *lex = mod_lexicon_find(rs, pat + i + 1, j - i - 1, &idx);
				if (!lex) {
					snprintf(why, whylen, "unknown lexicon {%.*s} (no %.*s.lex in the rule "
					         "directory)", (int)(j - i - 1), pat + i + 1, (int)(j - i - 1),
					         pat + i + 1);
					free(b.s);
					return MOD_ERR_SYNTAX;
				}
				if (factored)
					buf_add(&b, lex->alt_factored, lex->alt_factored_len);
				else
					buf_add(&b, lex->alt, lex->altlen);
				mod_lexset_add(used, idx);
				i = j;
				continue;
			}
		}
		buf_add(&b, &c, 1);
	}
	if (b.nomem || (!b.s && !(b.s = calloc(1, 1)))) {
		free(b.s);
		return MOD_ERR_NOMEM;
	}
	*out = b.s;
	*outlen = b.len;
	return MOD_OK;
}

/* Between two slots of a frame: up to gap words, never across the end of a sentence. */
#define FRAME_GAP_FMT "(?:[^\\w.!?\\n]+[\\w']+){0,%u}?[^\\w.!?\\n]+"

enum mod_err mod_frame_compile(const char *spec, size_t len, char **out, size_t *outlen,
                               char *why, size_t whylen)
{
	struct buf b = { 0 };
	unsigned gap = MOD_FRAME_GAP_DEFAULT;
	size_t i = 0, nslots = 0;
	char gapre[64];
	while (i < len) {
		while (i < len && (spec[i] == ' ' || spec[i] == '\t'))
			i++;
		if (i == len)
			break;
		size_t j = i;
		int depth = 0;
		bool in_class = false; /* inside [...]: a space there is part of the slot */
		while (j < len && (depth > 0 || in_class || (spec[j] != ' ' && spec[j] != '\t'))) {
			if (spec[j] == '\\' && j + 1 < len) {
				j++;
			} else if (in_class) {
				in_class = spec[j] != ']';
			} else if (spec[j] == '[') {
				in_class = true;
				if (j + 1 < len && spec[j + 1] == '^')
					j++;
				if (j + 1 < len && spec[j + 1] == ']') /* "[]...]": the first ']' is literal */
					j++;
			} else if (spec[j] == '(') {
				depth++;
			} else if (spec[j] == ')') {
				depth--;
			}
			j++;
		}
		const char *s = spec + i;
		size_t n = j - i;
		i = j;
		if (nslots == 0 && n > 4 && memcmp(s, "gap=", 4) == 0) {
			char *end;
			char num[16];
			snprintf(num, sizeof num, "%.*s", (int)(n - 4 > 15 ? 15 : n - 4), s + 4);
			unsigned long g = strtoul(num, &end, 10);
			if (*end || g > MOD_FRAME_GAP_MAX || !num[0]) {
				snprintf(why, whylen, "frame gap=N needs N from 0 to %d", MOD_FRAME_GAP_MAX);
				free(b.s);
				return MOD_ERR_SYNTAX;
			}
			gap = (unsigned)g;
			continue;
		}
		bool optional = n > 1 && s[n - 1] == '?' && s[n - 2] == '}';
		if (optional)
			n--;
		if (nslots == 0 && optional) {
			snprintf(why, whylen, "the first slot of a frame cannot be optional");
			free(b.s);
			return MOD_ERR_SYNTAX;
		}
		snprintf(gapre, sizeof gapre, FRAME_GAP_FMT, gap);
		if (nslots == 0)
			buf_str(&b, "(?:\\b(?:");
		else
			buf_str(&b, optional ? "(?:" : ""), buf_str(&b, gapre), buf_str(&b, "\\b(?:");
		buf_add(&b, s, n);
		buf_str(&b, ")\\b");
		if (optional)
			buf_str(&b, ")?");
		nslots++;
	}
	if (nslots < 2) {
		snprintf(why, whylen, "a frame needs at least two slots");
		free(b.s);
		return MOD_ERR_SYNTAX;
	}
	buf_str(&b, ")");
	if (b.nomem) {
		free(b.s);
		return MOD_ERR_NOMEM;
	}
	*out = b.s;
	*outlen = b.len;
	return MOD_OK;
}

/* ---- coverage --------------------------------------------------------------------------------- */

size_t mod_lexicons_check(const mod_ruleset *rs, mod_report_fn *report, void *arg)
{
	size_t failures = 0;
	char msg[1024];
	struct mod_view view = { 0 };
	pcre2_match_data *md = NULL;
	for (size_t li = 0; li < rs->nlexicons; li++) {
		const struct mod_lexicon *lex = &rs->lexicons[li];
		bool referenced = false;
		for (size_t r = 0; r < rs->nrules && !referenced; r++)
			referenced = mod_lexset_has(&rs->rules[r].lexicons, li);
		if (!referenced) {
			snprintf(msg, sizeof msg, "%s:1: lexicon {%s} is used by no rule", lex->file,
			         lex->name);
			report(arg, msg);
			failures++;
			continue;
		}
		for (size_t k = 0; k < lex->nentries; k++) {
			const struct mod_lex_entry *e = &lex->entries[k];
			struct buf re = { 0 };
			buf_str(&re, "(?<![\\w])");
			buf_str(&re, e->regex);
			buf_str(&re, "(?![\\w])");
			int ec;
			PCRE2_SIZE eo;
			pcre2_code *code = re.nomem ? NULL : pcre2_compile((PCRE2_SPTR)re.s, re.len,
				PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
			free(re.s);
			if (!code) {
				snprintf(msg, sizeof msg, "%s:%u: entry '%s' does not compile", lex->file,
				         e->line, e->text);
				report(arg, msg);
				failures++;
				continue;
			}
			if (!md)
				md = pcre2_match_data_create(4, NULL);
			bool found = false;
			for (size_t r = 0; r < rs->nrules && !found; r++) {
				const struct mod_rule *rule = &rs->rules[r];
				if (!mod_lexset_has(&rule->lexicons, li))
					continue;
				for (size_t x = 0; x < rule->nexamples && !found; x++) {
					const struct mod_example *ex = &rule->examples[x];
					bool invalid;
					if (!ex->positive || !md ||
					    mod_view_normal_into(&view, ex->text, ex->len, &invalid) < 0)
						continue;
					found = pcre2_match(code, (PCRE2_SPTR)view.text, view.len, 0, 0, md,
					                    NULL) >= 0;
				}
			}
			pcre2_code_free(code);
			if (!found) {
				snprintf(msg, sizeof msg, "%s:%u: lexicon entry '%s' is exercised by no test+ "
				         "example of a rule that uses {%s}", lex->file, e->line, e->text,
				         lex->name);
				report(arg, msg);
				failures++;
			}
		}
	}
	mod_view_free(&view);
	pcre2_match_data_free(md);
	return failures;
}

/* Whether w[0..wn) (words one space apart, no apostrophe) occurs as whole words in form s[0..n),
 * whose apostrophes are dropped and hyphens read as spaces. */
static bool form_holds(const char *s, size_t n, const char *w, size_t wn)
{
	char f[MOD_LINE_MAX / 8 + 1];
	size_t m = 0;
	for (size_t i = 0; i < n && m < sizeof f; i++)
		if (s[i] != '\'')
			f[m++] = s[i] == '-' ? ' ' : s[i];
	for (size_t i = 0; i + wn <= m; i++)
		if ((i == 0 || f[i - 1] == ' ') && (i + wn == m || f[i + wn] == ' ') &&
		    memcmp(f + i, w, wn) == 0)
			return true;
	return false;
}

bool mod_lexicon_reads(const struct mod_lexicon *lex, const char *w, size_t n, uint32_t *line)
{
	struct form forms[MOD_LEX_FORMS_MAX];
	char storage[MOD_LEX_FORMS_MAX * MOD_LINE_MAX / 8];
	for (size_t k = 0; k < lex->nentries; k++) {
		const char *e = lex->entries[k].text;
		size_t nf = entry_forms(e, strlen(e), forms, MOD_LEX_FORMS_MAX, storage);
		for (size_t f = 0; f < nf; f++)
			if (form_holds(forms[f].s, forms[f].n, w, n)) {
				*line = lex->entries[k].line;
				return true;
			}
	}
	return false;
}

int mod_lexicon_word_hashes(const struct mod_lexicon *lex, uint64_t **out, size_t *count)
{
	struct form forms[MOD_LEX_FORMS_MAX];
	char storage[MOD_LEX_FORMS_MAX * MOD_LINE_MAX / 8];
	size_t n = 0, cap = 0;
	uint64_t *h = NULL;
	for (size_t k = 0; k < lex->nentries; k++) {
		const char *e = lex->entries[k].text;
		size_t nf = entry_forms(e, strlen(e), forms, MOD_LEX_FORMS_MAX, storage);
		for (size_t f = 0; f < nf; f++) {
			const char *p = forms[f].s, *end = p + forms[f].n;
			while (p < end) {
				uint64_t x = 0xcbf29ce484222325ull;
				for (; p < end && *p != ' ' && *p != '-'; p++)
					if (*p != '\'')
						x = (x ^ (unsigned char)*p) * 0x100000001b3ull;
				if (n == cap) {
					size_t ncap = cap ? cap * 2 : 256;
					uint64_t *g = realloc(h, ncap * sizeof *g);
					if (!g) {
						free(h);
						return -1;
					}
					h = g;
					cap = ncap;
				}
				h[n++] = x;
				if (p < end)
					p++;
			}
		}
	}
	*out = h;
	*count = n;
	return 0;
}
