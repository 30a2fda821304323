/*
 * rules.c: the rule file parser and the ruleset it builds.
 *
 * A rule directory holds *.rules files (read in name order) and optionally context.lists, NAME.lex
 * lexicons (lexicon.c), spelling.map (spelling.c) and text.model (model.c). Every
 * problem is an error with "file:line: what", and loading fails: a rule that does not compile or
 * whose examples fail is never skipped. The format is documented in moderation/README.rules.md.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mod_internal.h"
#include "utf8.h"

/* An extra literal group at least this costly (mod_litgroup_cost: it holds a common word or
 * several short literals) is not given to the prefilter, whose every report costs a call, nor
 * checked: nearly every window holds one. */
#define EXTRA_SEARCH_COST 200

/* pcre2 limits for every match against text. A hit means "send to review". */
#define MATCH_LIMIT        200000u
#define DEPTH_LIMIT        2000u
#define HEAP_LIMIT_KIB     4096u
#define PARENS_NEST_LIMIT  32u
/* A pattern line is at most MOD_LINE_MAX bytes; its lexicons may make it longer. */
#define MOD_PATTERN_EXPANDED_MAX (256u << 10)

/* ---- pool ------------------------------------------------------------------------------------- */

struct pool_chunk {
	struct pool_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct mod_pool {
	struct pool_chunk *head;
};

void *mod_pool_alloc(struct mod_pool *pool, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	struct pool_chunk *c = pool->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > 32768 ? n : 32768;
		c = malloc(sizeof *c + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		c->next = pool->head;
		pool->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

char *mod_pool_strndup(struct mod_pool *pool, const char *s, size_t n)
{
	char *d = mod_pool_alloc(pool, n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void pool_free(struct mod_pool *pool)
{
	if (!pool)
		return;
	struct pool_chunk *c = pool->head;
	while (c) {
		struct pool_chunk *next = c->next;
		free(c);
		c = next;
	}
	free(pool);
}

size_t mod_unescape_newlines(char *s, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && s[i + 1] == 'n') {
			s[o++] = '\n';
			i++;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

/* ---- errors ----------------------------------------------------------------------------------- */

__attribute__((format(printf, 5, 6)))
static enum mod_err fail_at(char *err, size_t errlen, enum mod_err code, const char *where,
                            const char *fmt, ...)
{
	if (errlen == 0)
		return code;
	int n = snprintf(err, errlen, "%s: ", where);
	if (n < 0 || (size_t)n >= errlen)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

/* ---- files ------------------------------------------------------------------------------------ */

static enum mod_err read_file(const char *path, size_t max, char **out, size_t *len, char *err,
                              size_t errlen)
{
	char *buf = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail_at(err, errlen, MOD_ERR_IO, path, "cannot open: %s", strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return fail_at(err, errlen, MOD_ERR_IO, path, "not a regular file");
	}
	if ((unsigned long long)st.st_size > max) {
		fclose(f);
		return fail_at(err, errlen, MOD_ERR_LIMIT, path, "file larger than %zu bytes", max);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return MOD_ERR_NOMEM;
	}
	size_t n = fread(buf, 1, (size_t)st.st_size + 1, f);
	bool bad = ferror(f) || n > (size_t)st.st_size;
	fclose(f);
	if (bad) {
		free(buf);
		return fail_at(err, errlen, MOD_ERR_IO, path, "read error or file changed while read");
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return MOD_OK;
}

enum mod_err mod_read_rule_file(const char *path, size_t max, char **out, size_t *len, char *err,
                                size_t errlen)
{
	enum mod_err rc = read_file(path, max, out, len, err, errlen);
	if (rc)
		return rc;
	if (!utf8_valid(*out, *len) || memchr(*out, '\0', *len)) {
		free(*out);
		*out = NULL;
		return fail_at(err, errlen, MOD_ERR_SYNTAX, path, "not valid UTF-8 text");
	}
	return MOD_OK;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

/* Names of the *.rules files in dir, sorted; the caller frees each and the array. */
static enum mod_err list_rule_files(const char *dir, char ***out, size_t *count, char *err,
                                    size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d)
		return fail_at(err, errlen, MOD_ERR_IO, dir, "cannot open rule directory: %s",
		               strerror(errno));
	char **names = NULL;
	size_t n = 0;
	enum mod_err rc = MOD_OK;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".rules"))
			continue;
		if (n == MOD_FILES_MAX) {
			rc = fail_at(err, errlen, MOD_ERR_LIMIT, dir, "more than %d rule files",
			             MOD_FILES_MAX);
			goto fail;
		}
		char **grown = realloc(names, (n + 1) * sizeof *names);
		if (!grown) {
			rc = MOD_ERR_NOMEM;
			goto fail;
		}
		names = grown;
		if (!(names[n] = strdup(de->d_name))) {
			rc = MOD_ERR_NOMEM;
			goto fail;
		}
		n++;
	}
	closedir(d);
	if (n == 0) {
		free(names);
		return fail_at(err, errlen, MOD_ERR_IO, dir, "no *.rules files");
	}
	qsort(names, n, sizeof *names, name_cmp);
	*out = names;
	*count = n;
	return MOD_OK;
fail:
	closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* FNV-1a, 64 bits: the version only has to tell rule sets apart in logs and flag rows. */
uint64_t mod_fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* ---- rule parsing ----------------------------------------------------------------------------- */

struct parse_state {
	mod_ruleset *rs;
	const char *file;           /* pool copy: "dir/name.rules" */
	uint32_t line;
	char where[1200];           /* "file:line" of the current line */
	struct mod_rule *rule;      /* open rule block, or NULL */
	bool seen_category, seen_severity, seen_action, seen_view, seen_note, seen_suggest;
	pcre2_compile_context *ccx;
	char *err;
	size_t errlen;
};

static bool valid_id(const char *s, size_t n)
{
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

static bool valid_category(const char *s, size_t n)
{
	if (n == 0 || n > 128 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		      (c == '.' && s[i - 1] != '.')))
			return false;
	}
	return true;
}

static const char *const ctx_keywords[MOD_CTX_RULE_COUNT] = {
	"negation", "past", "quote", "media", "question", "third_party", "self", "clinical",
	"criticism", "addressee", "counter", "recovery", "word", "return", "game"
};

/* Rule patterns are compiled with PCRE2_USE_OFFSET_LIMIT: screening tells pcre2 where the last
 * literal hit of a window is, past which no match can start. */
#define NO_JIT 0x80000000u     /* compile_pattern: no JIT (not a pcre2 option bit) */

static enum mod_err compile_pattern(struct parse_state *ps, const char *pat, size_t len,
                                    uint32_t extra_options, pcre2_code **out)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, len,
		PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C | (extra_options & ~NO_JIT), &errcode,
		&erroff,
		ps->ccx);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof msg);
		return fail_at(ps->err, ps->errlen, MOD_ERR_PATTERN, ps->where,
		               "pattern error at offset %zu: %s", (size_t)erroff, (char *)msg);
	}
	uint32_t minlen = 0;
	pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &minlen);
	if (minlen == 0) {
		pcre2_code_free(code);
		return fail_at(ps->err, ps->errlen, MOD_ERR_PATTERN, ps->where,
		               "pattern can match empty text");
	}
	/* Without JIT (not built in, or out of executable memory) the interpreter runs it. */
	if (!(extra_options & NO_JIT))
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	*out = code;
	return MOD_OK;
}

/* Compiles the pattern val (as written) with each lexicon as its factored alternation (the same
 * matches, fewer branches tried: see lexicon.c); x is val expanded with the flat alternations,
 * which the literals were read from. x is compiled first, so its errors are the rule's errors;
 * when the factored text does not compile (a lookbehind takes only fixed-length branches, say),
 * x's code runs. */
static enum mod_err compile_expanded(struct parse_state *ps, const char *val, size_t vlen,
                                     const char *x, size_t xlen, uint32_t extra_options,
                                     pcre2_code **out)
{
	pcre2_code *flat = NULL;
	enum mod_err rc = compile_pattern(ps, x, xlen, extra_options | NO_JIT, &flat);
	if (rc)
		return rc;
	char *f = NULL, why[256];
	size_t flen;
	struct mod_lexset used = { 0 };
	if (mod_lexicon_expand_factored(ps->rs, val, vlen, &f, &flen, &used, why, sizeof why) ==
	    MOD_OK) {
		int errcode;
		PCRE2_SIZE erroff;
		pcre2_code *code = pcre2_compile((PCRE2_SPTR)f, flen,
			PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C | extra_options, &errcode, &erroff,
			ps->ccx);
		uint32_t minlen = 0;
		if (code && pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &minlen) == 0 && minlen > 0) {
			pcre2_code_free(flat);
			flat = code;
		} else {
			pcre2_code_free(code);
		}
	}
	free(f);
	pcre2_jit_compile(flat, PCRE2_JIT_COMPLETE);
	*out = flat;
	return MOD_OK;
}

static enum mod_err check_case(struct parse_state *ps, const char *pat, size_t len)
{
	size_t off = 0;
	if (mod_literals_uppercase(pat, len, &off))
		return fail_at(ps->err, ps->errlen, MOD_ERR_PATTERN, ps->where,
		               "pattern has upper-case '%c' at offset %zu; text is case-folded, "
		               "write lower case", pat[off], off);
	return MOD_OK;
}

static enum mod_err rule_open(struct parse_state *ps, const char *id, size_t idlen)
{
	mod_ruleset *rs = ps->rs;
	if (!valid_id(id, idlen))
		return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
		               "rule id must be 1-128 characters of [a-z0-9_.-]");
	if (idlen >= 7 && memcmp(id, "filter.", 7) == 0)
		return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
		               "rule ids starting with \"filter.\" are reserved");
	for (size_t i = 0; i < rs->nrules; i++)
		if (strlen(rs->rules[i].id) == idlen && memcmp(rs->rules[i].id, id, idlen) == 0)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
			               "duplicate rule id %.*s (first at %s:%u)", (int)idlen, id,
			               rs->rules[i].file, rs->rules[i].line);
	if (rs->nrules == MOD_RULES_MAX)
		return fail_at(ps->err, ps->errlen, MOD_ERR_LIMIT, ps->where, "more than %d rules",
		               MOD_RULES_MAX);
	if (rs->nrules == rs->rulecap) {
		size_t cap = rs->rulecap ? rs->rulecap * 2 : 64;
		struct mod_rule *r = realloc(rs->rules, cap * sizeof *r);
		if (!r)
			return MOD_ERR_NOMEM;
		rs->rules = r;
		rs->rulecap = cap;
	}
	struct mod_rule *r = &rs->rules[rs->nrules++];
	memset(r, 0, sizeof *r);
	if (!(r->id = mod_pool_strndup(rs->pool, id, idlen)))
		return MOD_ERR_NOMEM;
	r->file = ps->file;
	r->line = ps->line;
	r->first_pattern = (uint32_t)rs->npatterns;
	ps->rule = r;
	ps->seen_category = ps->seen_severity = ps->seen_action = ps->seen_view = false;
	ps->seen_note = ps->seen_suggest = false;
	return MOD_OK;
}

static enum mod_err rule_close(struct parse_state *ps)
{
	struct mod_rule *r = ps->rule;
	const char *missing = !ps->seen_category ? "category" : !ps->seen_severity ? "severity" :
	                      !ps->seen_action ? "action" : r->npatterns == 0 ? "pattern" :
	                      !ps->seen_note ? "note" : NULL;
	if (!missing && strcmp(r->top, "stigma") == 0 && !ps->seen_suggest)
		missing = "suggest (required for stigma rules)";
	if (!missing) {
		bool any_positive = false;
		for (size_t i = 0; i < r->nexamples; i++)
			any_positive |= r->examples[i].positive;
		if (!any_positive)
			missing = "test+ (at least one example that must match)";
	}
	if (missing)
		return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
		               "rule %s (line %u): missing %s", r->id, r->line, missing);
	size_t toplen = strcspn(r->category, ".");
	char *tp = mod_pool_alloc(ps->rs->pool, toplen + sizeof ".third_party");
	if (!tp)
		return MOD_ERR_NOMEM;
	memcpy(tp, r->category, toplen);
	strcpy(tp + toplen, ".third_party");
	r->third_party_category = tp;
	r->addressee_category = "concern.addressee";
	ps->rule = NULL;
	return MOD_OK;
}

static int pool_group(struct mod_pool *pool, const struct mod_litgroup *in,
                      struct mod_pattern_group *out)
{
	const char **lit = mod_pool_alloc(pool, in->count * sizeof *lit);
	uint8_t *len = mod_pool_alloc(pool, in->count);
	uint16_t *tri = mod_pool_alloc(pool, in->count * sizeof *tri);
	if (!lit || !len || !tri)
		return -1;
	for (size_t k = 0; k < in->count; k++) {
		if (!(lit[k] = mod_pool_strndup(pool, in->lit[k], in->len[k])))
			return -1;
		len[k] = in->len[k];
		tri[k] = len[k] < MOD_LIT_MIN ? UINT16_MAX :
		         (uint16_t)mod_tri_bit((const unsigned char *)lit[k]);
	}
	*out = (struct mod_pattern_group){ (uint32_t)in->count, lit, len, tri };
	return 0;
}

/* An extra group of an earlier pattern with the same members (patterns written with one lexicon
 * share it): *out gets its arrays, so screening can remember per window whether it occurs. */
static bool shared_group(const mod_ruleset *rs, const struct mod_litgroup *in,
                         struct mod_pattern_group *out)
{
	for (uint32_t p = 0; p < rs->npatterns; p++) {
		const struct mod_pattern *pat = &rs->patterns[p];
		for (uint32_t g = 0; g < pat->nextra; g++) {
			const struct mod_pattern_group *e = &pat->extra[g];
			if (e->count != in->count)
				continue;
			size_t k = 0;
			while (k < in->count && e->len[k] == in->len[k] &&
			       memcmp(e->lit[k], in->lit[k], in->len[k]) == 0)
				k++;
			if (k == in->count) {
				*out = *e;
				return true;
			}
		}
	}
	return false;
}

/* Orders g by first byte (stably), so that screening finds the members that can start at a
 * position without comparing the others. */
static void litgroup_sort_by_first_byte(struct mod_litgroup *g)
{
	for (size_t i = 1; i < g->count; i++) {
		uint8_t len = g->len[i];
		char lit[MOD_LIT_LEN_MAX];
		memcpy(lit, g->lit[i], len);
		unsigned char first = len ? (unsigned char)lit[0] : 0;
		size_t j = i;
		for (; j > 0 && g->len[j - 1] && (unsigned char)g->lit[j - 1][0] > first; j--) {
			g->len[j] = g->len[j - 1];
			memcpy(g->lit[j], g->lit[j - 1], g->len[j]);
		}
		g->len[j] = len;
		memcpy(g->lit[j], lit, len);
	}
}

/* pat->lead_start: where the lead members of each first byte are. Only when the members are in
 * first-byte order and none is empty (an empty member, which never matches at a position, stops
 * litgroup_sort_by_first_byte); otherwise every position compares them all. */
static void index_lead_bytes(struct mod_pattern *pat)
{
	pat->lead_indexed = false;
	if (pat->lead.count == 0 || pat->lead.count > UINT8_MAX)
		return;
	for (uint32_t k = 0; k < pat->lead.count; k++)
		if (pat->lead.len[k] == 0 ||
		    (k > 0 && (unsigned char)pat->lead.lit[k - 1][0] > (unsigned char)pat->lead.lit[k][0]))
			return;
	uint32_t k = 0;
	for (unsigned c = 0; c <= 256; c++) {
		while (k < pat->lead.count && (unsigned char)pat->lead.lit[k][0] < c)
			k++;
		pat->lead_start[c] = (uint8_t)k;
	}
	pat->lead_indexed = true;
}

/* The first bytes of pat's lead members (sorted by first byte) and, per first byte, where its
 * members are and what their second bytes can be. */
static void index_lead(struct mod_pattern *pat)
{
	size_t nfb = 0;
	for (uint32_t k = 0; k < pat->lead.count; k++) {
		unsigned char c = (unsigned char)pat->lead.lit[k][0];
		if (!(pat->lead_first[c >> 6] >> (c & 63) & 1)) {
			pat->lead_first[c >> 6] |= 1ull << (c & 63);
			if (nfb < sizeof pat->lead_fb) {
				pat->lead_fb[nfb] = c;
				pat->lead_fb_member[nfb] = (uint8_t)k;
				if (c >= '0' && c <= 'z')
					pat->lead_fb_of[c - '0'] = (uint8_t)(nfb + 1);
			}
			nfb++;
		}
		if (nfb <= sizeof pat->lead_fb)
			pat->lead_second[nfb - 1] |= pat->lead.len[k] < 2 ? UINT64_MAX :
				1ull << ((unsigned char)pat->lead.lit[k][1] & 63);
	}
	pat->nfb = nfb <= sizeof pat->lead_fb ? (uint8_t)nfb : 0;
	pat->lead_fb_member[pat->nfb] = (uint8_t)pat->lead.count;
	if (!pat->nfb)
		memset(pat->lead_fb_of, 0, sizeof pat->lead_fb_of);
	index_lead_bytes(pat);
}

/* Whether every lead member of pat starts with one of its trigger literals. */
static bool lead_starts_with_trigger(const struct mod_pattern *pat)
{
	if (pat->lead.count == 0 || pat->nlits == 0)
		return false;
	for (uint32_t k = 0; k < pat->lead.count; k++) {
		bool found = false;
		for (uint32_t j = 0; j < pat->nlits && !found; j++)
			found = pat->litlen[j] <= pat->lead.len[k] &&
			        memcmp(pat->lit[j], pat->lead.lit[k], pat->litlen[j]) == 0;
		if (!found)
			return false;
	}
	return true;
}

/* {name} references replaced by their lexicons; *out is malloc'd. */
static enum mod_err expand(struct parse_state *ps, const char *val, size_t vlen, char **out,
                           size_t *outlen)
{
	char why[256];
	enum mod_err rc = mod_lexicon_expand(ps->rs, val, vlen, out, outlen, &ps->rule->lexicons, why,
	                                     sizeof why);
	if (rc == MOD_ERR_SYNTAX)
		return fail_at(ps->err, ps->errlen, rc, ps->where, "%s", why);
	return rc;
}

static enum mod_err add_expanded_pattern(struct parse_state *ps, const char *val, size_t vlen,
                                         const char *written, size_t wlen);

static enum mod_err add_pattern(struct parse_state *ps, const char *val, size_t vlen)
{
	if (ps->rule->npatterns == MOD_PATTERNS_MAX)
		return fail_at(ps->err, ps->errlen, MOD_ERR_LIMIT, ps->where,
		               "more than %d patterns in one rule", MOD_PATTERNS_MAX);
	enum mod_err rc = check_case(ps, val, vlen);
	if (rc)
		return rc;
	char *x;
	size_t xlen;
	if ((rc = expand(ps, val, vlen, &x, &xlen)))
		return rc;
	rc = add_expanded_pattern(ps, x, xlen, val, vlen);
	free(x);
	return rc;
}

/* A frame: slots in order, few words apart (mod_frame_compile), then an ordinary pattern. */
static enum mod_err add_frame(struct parse_state *ps, const char *val, size_t vlen)
{
	char why[256], *pat;
	size_t plen;
	enum mod_err rc = mod_frame_compile(val, vlen, &pat, &plen, why, sizeof why);
	if (rc == MOD_ERR_SYNTAX)
		return fail_at(ps->err, ps->errlen, rc, ps->where, "%s", why);
	if (rc)
		return rc;
	rc = add_pattern(ps, pat, plen);
	free(pat);
	return rc;
}

/* Whether no match of pattern p can hold the end of a sentence ('!', '?', a line break, '.'),
 * judged from its text: no '.' wildcard, no literal '.', '!', '?' or line break, no class that
 * takes one of them (a negated class must exclude all four, as [^.!?\n] does), no \W \S \D \H
 * \V \N \R \X. \s counts as a space: a phrase broken over two lines is not found. */
static bool sentence_bounded(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (c == '\\') {
			if (i + 1 >= len)
				return false;
			char e = p[++i];
			if (e == '.' || e == '!' || e == '?' || e == 'n' || e == 'W' || e == 'S' || e == 'D' ||
			    e == 'H' || e == 'V' || e == 'N' || e == 'R' || e == 'X' || e == 'Q')
				return false;
			continue;
		}
		if (c == '.' || c == '!')
			return false;
		if (c == '(' && i + 2 < len && p[i + 1] == '?') {
			/* (?: (?= (?! (?<= (?<! (?> : the '!' or '=' is syntax */
			i += (p[i + 2] == '<' && i + 3 < len) ? 3 : 2;
			continue;
		}
		if (c != '[')
			continue;
		bool negated = i + 1 < len && p[i + 1] == '^';
		bool has[4] = { false, false, false, false };       /* . ! ? \n */
		size_t j = i + 1 + negated;
		if (j < len && p[j] == ']')
			j++;                        /* a leading ']' is a member */
		for (; j < len && p[j] != ']'; j++) {
			char d = p[j];
			if (d == '\\' && j + 1 < len) {
				d = p[++j];
				if (d == 'n')
					has[3] = true;
				else if (d == '.' || d == '!' || d == '?')
					has[d == '.' ? 0 : d == '!' ? 1 : 2] = true;
				else if (!negated && (d == 'W' || d == 'S' || d == 'D' || d == 'H' || d == 'V'))
					return false;
				continue;           /* [^\w...] takes no more than [^...] */
			}
			if (d == '.' || d == '!' || d == '?')
				has[d == '.' ? 0 : d == '!' ? 1 : 2] = true;
			if (d == '[' && j + 1 < len && p[j + 1] == ':')
				return false;           /* POSIX classes: not judged */
		}
		if (j >= len)
			return false;
		bool any = has[0] || has[1] || has[2] || has[3];
		bool all = has[0] && has[1] && has[2] && has[3];
		if (negated ? !all : any)
			return false;
		i = j;
	}
	return true;
}

/* val: the pattern with its lexicons expanded; written: as the rule file has it. */
static enum mod_err add_expanded_pattern(struct parse_state *ps, const char *val, size_t vlen,
                                         const char *written, size_t wlen)
{
	mod_ruleset *rs = ps->rs;
	struct mod_rule *r = ps->rule;
	enum mod_err rc;
	struct mod_litset lits;
	size_t off;
	uint32_t nlits = 0;
	const char **lit = NULL;
	const uint8_t *litlen = NULL;
	struct mod_pattern_group *extra = NULL;
	uint32_t nextra = 0;
	struct mod_pattern_group lead = { 0 };
	uint8_t extra_skipped = 0;
	if (mod_literals(val, vlen, &lits, &off) == MOD_LIT_OK) {
		litgroup_sort_by_first_byte(&lits.lead);
		if (lits.lead.count && pool_group(rs->pool, &lits.lead, &lead) < 0)
			return MOD_ERR_NOMEM;
		struct mod_pattern_group primary;
		if (pool_group(rs->pool, &lits.primary, &primary) < 0)
			return MOD_ERR_NOMEM;
		nlits = primary.count;
		lit = primary.lit;
		litlen = primary.len;
		if (lits.nextra) {
			extra = mod_pool_alloc(rs->pool, lits.nextra * sizeof *extra);
			if (!extra)
				return MOD_ERR_NOMEM;
			for (size_t g = 0; g < lits.nextra; g++) {
				if (!shared_group(rs, &lits.extra[g], &extra[g]) &&
				    pool_group(rs->pool, &lits.extra[g], &extra[g]) < 0)
					return MOD_ERR_NOMEM;
				if (mod_litgroup_cost(&lits.extra[g]) >= EXTRA_SEARCH_COST)
					extra_skipped |= (uint8_t)(1u << g);
			}
			nextra = (uint32_t)lits.nextra;
		}
	}
	pcre2_code *code;
	if ((rc = compile_expanded(ps, written, wlen, val, vlen, PCRE2_USE_OFFSET_LIMIT, &code)))
		return rc;
	if (rs->npatterns == rs->patcap) {
		size_t cap = rs->patcap ? rs->patcap * 2 : 128;
		struct mod_pattern *p = realloc(rs->patterns, cap * sizeof *p);
		if (!p) {
			pcre2_code_free(code);
			return MOD_ERR_NOMEM;
		}
		rs->patterns = p;
		rs->patcap = cap;
	}
	rs->patterns[rs->npatterns++] = (struct mod_pattern){
		.code = code, .rule = (uint32_t)(r - rs->rules), .line = ps->line,
		.nlits = nlits, .lit = lit, .litlen = litlen, .nextra = nextra, .extra = extra,
		.extra_skipped = extra_skipped, .sentence = sentence_bounded(val, vlen),
		.lead = lead, .lead_wb = lits.lead_wb };
	struct mod_pattern *pat = &rs->patterns[rs->npatterns - 1];
	index_lead(pat);
	pat->lead_at_trigger = lead_starts_with_trigger(pat);
	size_t jitsize = 0;
	pat->jit = pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &jitsize) == 0 && jitsize > 0;
	r->npatterns++;
	return MOD_OK;
}

static enum mod_err add_except(struct parse_state *ps, const char *val, size_t vlen)
{
	struct mod_rule *r = ps->rule;
	if (r->nexcepts == MOD_EXCEPTS_MAX)
		return fail_at(ps->err, ps->errlen, MOD_ERR_LIMIT, ps->where,
		               "more than %d except lines in one rule", MOD_EXCEPTS_MAX);
	enum mod_err rc = check_case(ps, val, vlen);
	if (rc)
		return rc;
	pcre2_code **grown = realloc(r->excepts, (r->nexcepts + 1) * sizeof *grown);
	if (!grown)
		return MOD_ERR_NOMEM;
	r->excepts = grown;
	char *x;
	size_t xlen;
	if ((rc = expand(ps, val, vlen, &x, &xlen)))
		return rc;
	rc = compile_expanded(ps, val, vlen, x, xlen, 0, &r->excepts[r->nexcepts]);
	free(x);
	if (rc)
		return rc;
	size_t jitsize = 0;
	if (pcre2_pattern_info(r->excepts[r->nexcepts], PCRE2_INFO_JITSIZE, &jitsize) == 0 && jitsize > 0)
		r->excepts_jit |= 1u << r->nexcepts;
	r->nexcepts++;
	return MOD_OK;
}

static enum mod_err add_example(struct parse_state *ps, const char *val, size_t vlen,
                                bool positive)
{
	struct mod_rule *r = ps->rule;
	if (r->nexamples == MOD_EXAMPLES_MAX)
		return fail_at(ps->err, ps->errlen, MOD_ERR_LIMIT, ps->where,
		               "more than %d examples in one rule", MOD_EXAMPLES_MAX);
	if (vlen == 0)
		return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where, "empty example");
	struct mod_example *grown = realloc(r->examples, (r->nexamples + 1) * sizeof *grown);
	if (!grown)
		return MOD_ERR_NOMEM;
	r->examples = grown;
	char *text = mod_pool_strndup(ps->rs->pool, val, vlen);
	if (!text)
		return MOD_ERR_NOMEM;
	size_t len = mod_unescape_newlines(text, vlen);
	text[len] = '\0';
	r->examples[r->nexamples++] = (struct mod_example){
		.text = text, .len = len, .positive = positive, .line = ps->line };
	return MOD_OK;
}

/* Cuts a trailing comment: whitespace, '#', then whitespace or the end of the line. */
static size_t cut_comment(const char *val, size_t vlen)
{
	for (size_t i = 1; i < vlen; i++)
		if (val[i] == '#' && (val[i - 1] == ' ' || val[i - 1] == '\t') &&
		    (i + 1 == vlen || val[i + 1] == ' ' || val[i + 1] == '\t'))
			return i;
	return vlen;
}

static size_t trim_right(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

static bool word_is(const char *kw, size_t kwlen, const char *lit)
{
	return strlen(lit) == kwlen && memcmp(kw, lit, kwlen) == 0;
}

static enum mod_err parse_line(struct parse_state *ps, const char *line, size_t len)
{
	mod_ruleset *rs = ps->rs;
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return MOD_OK;
	const char *kw = line + i;
	size_t kwlen = 0;
	while (i + kwlen < len && line[i + kwlen] != ' ' && line[i + kwlen] != '\t')
		kwlen++;
	i += kwlen;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	const char *val = line + i;
	size_t vlen = trim_right(val, len - i);
	bool free_text = word_is(kw, kwlen, "note") || word_is(kw, kwlen, "suggest") ||
	                 word_is(kw, kwlen, "test+") || word_is(kw, kwlen, "test-");
	if (!free_text)
		vlen = trim_right(val, cut_comment(val, vlen));

	if (word_is(kw, kwlen, "rule")) {
		if (ps->rule)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
			               "rule %s (line %u) has no 'end' before the next 'rule'",
			               ps->rule->id, ps->rule->line);
		return rule_open(ps, val, vlen);
	}
	if (!ps->rule)
		return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
		               "'%.*s' outside a rule block (blocks start with 'rule ID')",
		               (int)(kwlen > 40 ? 40 : kwlen), kw);
	struct mod_rule *r = ps->rule;
	if (word_is(kw, kwlen, "end")) {
		if (vlen)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
			               "'end' takes no value");
		return rule_close(ps);
	}
	if (vlen == 0)
		return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where, "'%.*s' needs a value",
		               (int)(kwlen > 40 ? 40 : kwlen), kw);
	if (word_is(kw, kwlen, "category")) {
		if (ps->seen_category)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where, "duplicate category");
		size_t toplen = strcspn(val, ". \t");
		if (!valid_category(val, vlen) || toplen >= sizeof r->top)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
			               "category must be dot-separated words of [a-z0-9_], the first at "
			               "most %zu characters", sizeof r->top - 1);
		if (toplen == 6 && memcmp(val, "review", 6) == 0)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
			               "category \"review\" is reserved for the filter's own matches");
		if (!(r->category = mod_pool_strndup(rs->pool, val, vlen)))
			return MOD_ERR_NOMEM;
		memcpy(r->top, val, toplen);
		r->top[toplen] = '\0';
		ps->seen_category = true;
		return MOD_OK;
	}
	if (word_is(kw, kwlen, "severity")) {
		if (ps->seen_severity)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where, "duplicate severity");
		if (vlen != 1 || val[0] < '1' || val[0] > '4')
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
			               "severity must be 1, 2, 3 or 4");
		r->severity = val[0] - '0';
		ps->seen_severity = true;
		return MOD_OK;
	}
	if (word_is(kw, kwlen, "action")) {
		if (ps->seen_action)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where, "duplicate action");
		if (word_is(val, vlen, "flag"))
			r->action = MOD_FLAG;
		else if (word_is(val, vlen, "hold"))
			r->action = MOD_HOLD;
		else if (word_is(val, vlen, "nudge"))
			r->action = MOD_NUDGE;
		else
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
			               "action must be flag, hold or nudge");
		ps->seen_action = true;
		return MOD_OK;
	}
	if (word_is(kw, kwlen, "view")) {
		if (ps->seen_view)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where, "duplicate view");
		if (word_is(val, vlen, "both"))
			r->view_both = true;
		else if (!word_is(val, vlen, "normal"))
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
			               "view must be normal or both");
		ps->seen_view = true;
		return MOD_OK;
	}
	if (word_is(kw, kwlen, "pattern"))
		return add_pattern(ps, val, vlen);
	if (word_is(kw, kwlen, "frame"))
		return add_frame(ps, val, vlen);
	if (word_is(kw, kwlen, "except"))
		return add_except(ps, val, vlen);
	if (word_is(kw, kwlen, "context")) {
		size_t p = 0;
		while (p < vlen) {
			size_t w = 0;
			while (p + w < vlen && val[p + w] != ' ' && val[p + w] != '\t')
				w++;
			unsigned bit = 0;
			for (unsigned k = 0; k < MOD_CTX_RULE_COUNT; k++)
				if (word_is(val + p, w, ctx_keywords[k]))
					bit = 1u << k;
			if (!bit)
				return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
				               "unknown context '%.*s' (negation past quote media question "
				               "third_party self clinical criticism addressee counter recovery word "
				               "return game)",
				               (int)(w > 40 ? 40 : w), val + p);
			r->context |= bit;
			p += w;
			while (p < vlen && (val[p] == ' ' || val[p] == '\t'))
				p++;
		}
		return MOD_OK;
	}
	if (word_is(kw, kwlen, "note")) {
		if (ps->seen_note)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where, "duplicate note");
		if (!(r->note = mod_pool_strndup(rs->pool, val, vlen)))
			return MOD_ERR_NOMEM;
		ps->seen_note = true;
		return MOD_OK;
	}
	if (word_is(kw, kwlen, "suggest")) {
		if (ps->seen_suggest)
			return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where, "duplicate suggest");
		/* One quoted string loses its quotes; anything else is kept as written. */
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"' &&
		    !memchr(val + 1, '"', vlen - 2)) {
			val++;
			vlen -= 2;
		}
		if (!(r->suggest = mod_pool_strndup(rs->pool, val, vlen)))
			return MOD_ERR_NOMEM;
		ps->seen_suggest = true;
		return MOD_OK;
	}
	if (word_is(kw, kwlen, "test+"))
		return add_example(ps, val, vlen, true);
	if (word_is(kw, kwlen, "test-"))
		return add_example(ps, val, vlen, false);
	return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
	               "unknown keyword '%.*s'", (int)(kwlen > 40 ? 40 : kwlen), kw);
}

static enum mod_err parse_rule_file(struct parse_state *ps, const char *text, size_t len)
{
	ps->rule = NULL;
	ps->line = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t linelen = end - pos;
		if (linelen > 0 && text[pos + linelen - 1] == '\r')
			linelen--;
		ps->line++;
		snprintf(ps->where, sizeof ps->where, "%s:%u", ps->file, ps->line);
		if (linelen > MOD_LINE_MAX)
			return fail_at(ps->err, ps->errlen, MOD_ERR_LIMIT, ps->where,
			               "line longer than %d bytes", MOD_LINE_MAX);
		enum mod_err rc = parse_line(ps, text + pos, linelen);
		if (rc)
			return rc;
		pos = end + 1;
	}
	if (ps->rule) {
		snprintf(ps->where, sizeof ps->where, "%s:%u", ps->file, ps->rule->line);
		return fail_at(ps->err, ps->errlen, MOD_ERR_SYNTAX, ps->where,
		               "rule %s has no 'end'", ps->rule->id);
	}
	return MOD_OK;
}

/* ---- building --------------------------------------------------------------------------------- */

void mod_ruleset_free(mod_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->npatterns; i++)
		pcre2_code_free(rs->patterns[i].code);
	for (size_t i = 0; i < rs->nrules; i++) {
		for (size_t k = 0; k < rs->rules[i].nexcepts; k++)
			pcre2_code_free(rs->rules[i].excepts[k]);
		free(rs->rules[i].excepts);
		free(rs->rules[i].examples);
	}
	free(rs->rules);
	free(rs->patterns);
	mod_prefilter_free(&rs->pf_normal);
	mod_prefilter_free(&rs->pf_deob);
	mod_lists_free(&rs->lists);
	mod_lexicons_free(rs);
	pcre2_match_context_free(rs->mctx);
	mod_model_free(rs->model);
	mod_spelling_free(rs->spelling);
	pool_free(rs->pool);
	free(rs);
}

static enum mod_err build_prefilters(mod_ruleset *rs)
{
	for (uint32_t p = 0; p < rs->npatterns; p++) {
		const struct mod_pattern *pat = &rs->patterns[p];
		bool both = rs->rules[pat->rule].view_both;
		if (pat->nlits == 0) {
			if (mod_prefilter_add_full(&rs->pf_normal, p) < 0 ||
			    (both && mod_prefilter_add_full(&rs->pf_deob, p) < 0))
				return MOD_ERR_NOMEM;
			continue;
		}
		for (uint32_t k = 0; k < pat->nlits; k++)
			if (mod_prefilter_add(&rs->pf_normal, pat->lit[k], pat->litlen[k], p, 0) < 0 ||
			    (both && mod_prefilter_add(&rs->pf_deob, pat->lit[k], pat->litlen[k], p, 0) < 0))
				return MOD_ERR_NOMEM;
		for (uint32_t g = 0; g < pat->nextra; g++)
			for (uint32_t k = 0; k < pat->extra[g].count && !(pat->extra_skipped >> g & 1) &&
			                     !pat->sentence; k++) {
				const char *lit = pat->extra[g].lit[k];
				size_t len = pat->extra[g].len[k];
				if (mod_prefilter_add(&rs->pf_normal, lit, len, p, g + 1) < 0 ||
				    (both && mod_prefilter_add(&rs->pf_deob, lit, len, p, g + 1) < 0))
					return MOD_ERR_NOMEM;
			}

	}
	if (mod_prefilter_build(&rs->pf_normal) < 0 || mod_prefilter_build(&rs->pf_deob) < 0)
		return MOD_ERR_NOMEM;
	return MOD_OK;
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Tells rulesets apart for scratch that caches per-ruleset state (an address can be reused). */
static atomic_uint_fast64_t ruleset_serial;

enum mod_err mod_ruleset_parse(const char *dir, mod_ruleset **out, char *err, size_t errlen)
{
	char **names = NULL;
	size_t nnames = 0;
	char *text = NULL, *path = NULL;
	size_t len;
	struct parse_state ps = { .err = err, .errlen = errlen };
	enum mod_err rc;
	uint64_t digest = 0xcbf29ce484222325ull;

	if (errlen)
		err[0] = '\0';
	*out = NULL;
	mod_ruleset *rs = calloc(1, sizeof *rs);
	if (!rs || !(rs->pool = calloc(1, sizeof *rs->pool))) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	ps.rs = rs;
	if (!(ps.ccx = pcre2_compile_context_create(NULL))) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	pcre2_set_max_pattern_length(ps.ccx, MOD_PATTERN_EXPANDED_MAX);
	pcre2_set_parens_nest_limit(ps.ccx, PARENS_NEST_LIMIT);
	if ((rc = list_rule_files(dir, &names, &nnames, err, errlen)))
		goto fail;
	if ((rc = mod_lexicons_load(rs, dir, &digest, err, errlen)))
		goto fail;
	for (size_t f = 0; f < nnames; f++) {
		if (!(path = path_join(dir, names[f]))) {
			rc = MOD_ERR_NOMEM;
			goto fail;
		}
		if ((rc = read_file(path, MOD_RULEFILE_MAX, &text, &len, err, errlen)))
			goto fail;
		if (!utf8_valid(text, len)) {
			rc = fail_at(err, errlen, MOD_ERR_SYNTAX, path, "not valid UTF-8");
			goto fail;
		}
		if (memchr(text, '\0', len)) {
			rc = fail_at(err, errlen, MOD_ERR_SYNTAX, path, "contains a NUL byte");
			goto fail;
		}
		digest = mod_fnv1a(digest, names[f], strlen(names[f]) + 1);
		digest = mod_fnv1a(digest, text, len);
		if (!(ps.file = mod_pool_strndup(rs->pool, path, strlen(path)))) {
			rc = MOD_ERR_NOMEM;
			goto fail;
		}
		if ((rc = parse_rule_file(&ps, text, len)))
			goto fail;
		free(text);
		free(path);
		text = path = NULL;
	}
	if (!(path = path_join(dir, "context.lists"))) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	struct stat st;
	if (stat(path, &st) == 0) {
		if ((rc = read_file(path, MOD_RULEFILE_MAX, &text, &len, err, errlen)))
			goto fail;
		if (!utf8_valid(text, len) || memchr(text, '\0', len)) {
			rc = fail_at(err, errlen, MOD_ERR_SYNTAX, path, "not valid UTF-8 text");
			goto fail;
		}
		digest = mod_fnv1a(digest, "context.lists", sizeof "context.lists");
		digest = mod_fnv1a(digest, text, len);
		if ((rc = mod_lists_parse(&rs->lists, rs->pool, path, text, len, err, errlen)))
			goto fail;
		free(text);
		text = NULL;
	}
	free(path);
	if (!(path = path_join(dir, MOD_SPELLING_FILE))) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	if (stat(path, &st) == 0) {
		/* after the lexicons and context lists: a variant they read is an error */
		if ((rc = mod_read_rule_file(path, MOD_SPELLING_FILE_MAX, &text, &len, err, errlen)))
			goto fail;
		digest = mod_fnv1a(digest, MOD_SPELLING_FILE, sizeof MOD_SPELLING_FILE);
		digest = mod_fnv1a(digest, text, len);
		rc = mod_spelling_parse(path, text, len, &rs->spelling, err, errlen);
		free(text);
		text = NULL;
		if (rc || (rc = mod_spelling_check_words(rs->spelling, rs, path, err, errlen)))
			goto fail;
	}
	free(path);
	if (!(path = path_join(dir, MOD_MODEL_FILE))) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	if (stat(path, &st) == 0) {
		/* read once: its bytes go into the version digest and to the model parser */
		if ((rc = mod_read_rule_file(path, MOD_MODEL_FILE_MAX, &text, &len, err, errlen)))
			goto fail;
		digest = mod_fnv1a(digest, MOD_MODEL_FILE, sizeof MOD_MODEL_FILE);
		digest = mod_fnv1a(digest, text, len);
		rc = mod_model_parse(path, text, len, &rs->model, err, errlen);
		free(text);
		text = NULL;
		if (rc)
			goto fail;
	}
	snprintf(rs->version, sizeof rs->version, "%016llx", (unsigned long long)digest);
	rs->serial = atomic_fetch_add(&ruleset_serial, 1) + 1;
	if ((rc = build_prefilters(rs)))
		goto fail;
	if (!(rs->mctx = pcre2_match_context_create(NULL))) {
		rc = MOD_ERR_NOMEM;
		goto fail;
	}
	pcre2_set_match_limit(rs->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(rs->mctx, HEAP_LIMIT_KIB);
	*out = rs;
	rs = NULL;
	rc = MOD_OK;
fail:
	if (rc == MOD_ERR_NOMEM && errlen && !err[0])
		snprintf(err, errlen, "%s: out of memory", dir);
	free(text);
	free(path);
	for (size_t f = 0; f < nnames; f++)
		free(names[f]);
	free(names);
	pcre2_compile_context_free(ps.ccx);
	mod_ruleset_free(rs);
	return rc;
}

/* Runs one example; on failure writes "file:line: why" into msg and returns false. */
static bool example_ok(const mod_ruleset *rs, const struct mod_rule *r,
                       const struct mod_example *ex, char *msg, size_t msglen)
{
	mod_result res;
	enum mod_err rc = mod_screen(rs, ex->text, ex->len, &res);
	bool has = mod_result_has_rule(&res, r->id);
	bool ok = rc == MOD_OK && has == ex->positive;
	if (!ok) {
		char found[512] = "";
		size_t o = 0;
		for (size_t i = 0; i < res.count && o < sizeof found - 1; i++) {
			int n = snprintf(found + o, sizeof found - o, "%s%s", o ? "," : "",
			                 res.matches[i].rule_id);
			if (n < 0)
				break;
			o += (size_t)n;
		}
		if (rc != MOD_OK)
			snprintf(msg, msglen, "%s:%u: rule %s: example could not be screened (%s): %.200s",
			         r->file, ex->line, r->id, mod_strerror(rc), ex->text);
		else if (ex->positive)
			snprintf(msg, msglen, "%s:%u: rule %s: test+ does not match (found: %s): %.200s",
			         r->file, ex->line, r->id, o ? found : "-", ex->text);
		else
			snprintf(msg, msglen, "%s:%u: rule %s: test- matches: %.200s", r->file, ex->line,
			         r->id, ex->text);
	}
	mod_result_free(&res);
	return ok;
}

/* Runs every example; report (may be NULL) gets each failure. Returns the number of failures and
 * writes the first into err. */
static size_t run_examples(const mod_ruleset *rs, mod_report_fn *report, void *arg,
                           size_t *examples, char *err, size_t errlen)
{
	size_t failures = 0, total = 0;
	char msg[1024];
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct mod_rule *r = &rs->rules[i];
		for (size_t k = 0; k < r->nexamples; k++) {
			total++;
			if (example_ok(rs, r, &r->examples[k], msg, sizeof msg))
				continue;
			if (failures++ == 0 && errlen)
				snprintf(err, errlen, "%s", msg);
			if (report)
				report(arg, msg);
			else
				goto done;
		}
	}
done:
	if (examples)
		*examples = total;
	return failures;
}

enum mod_err mod_ruleset_load(const char *dir, mod_ruleset **out, char *err, size_t errlen)
{
	mod_ruleset *rs;
	enum mod_err rc = mod_ruleset_parse(dir, &rs, err, errlen);
	*out = NULL;
	if (rc)
		return rc;
	if (run_examples(rs, NULL, NULL, NULL, err, errlen)) {
		mod_ruleset_free(rs);
		return MOD_ERR_EXAMPLE;
	}
	*out = rs;
	return MOD_OK;
}

enum mod_err mod_ruleset_check(const char *dir, mod_report_fn *report, void *arg,
                               size_t *rules, size_t *examples)
{
	char err[1024];
	mod_ruleset *rs;
	if (rules)
		*rules = 0;
	if (examples)
		*examples = 0;
	enum mod_err rc = mod_ruleset_parse(dir, &rs, err, sizeof err);
	if (rc) {
		report(arg, err[0] ? err : mod_strerror(rc));
		return rc;
	}
	if (rules)
		*rules = rs->nrules;
	for (size_t p = 0; p < rs->npatterns; p++) {
		if (rs->patterns[p].nlits)
			continue;
		const struct mod_rule *r = &rs->rules[rs->patterns[p].rule];
		snprintf(err, sizeof err, "%s:%u: warning: rule %s: pattern has no literal of %d+ bytes "
		         "that every match contains; it runs over every post in full (slow)",
		         r->file, rs->patterns[p].line, r->id, MOD_LIT_MIN);
		report(arg, err);
	}
	size_t failures = run_examples(rs, report, arg, examples, err, sizeof err);
	failures += mod_lexicons_check(rs, report, arg);
	mod_ruleset_free(rs);
	return failures ? MOD_ERR_EXAMPLE : MOD_OK;
}

const char *mod_ruleset_version(const mod_ruleset *rs)
{
	return rs->version;
}

size_t mod_ruleset_count(const mod_ruleset *rs)
{
	return rs->nrules;
}
