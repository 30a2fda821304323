/*
 * screen.c: mod_screen(), one text against one ruleset.
 *
 * Per view: one prefilter pass finds the literals of every rule's patterns; each pattern then runs
 * (JIT) only in windows around its literal hits; every candidate match gets its rule's except
 * patterns and context checks on its sentence, then maps back to the original text. The normal view
 * serves every rule; the de-obfuscated view (built only when it differs from the normal one) serves
 * the "view both" rules, and a second de-obfuscated view exists only when an ambiguous leet
 * character (1 | !) had to be guessed.
 */
#include <stdlib.h>
#include <string.h>

#include "mod_internal.h"

/* A match is found only when it lies within WINDOW_REACH bytes of its literal on either side. */
#define WINDOW_REACH 256
#define CANDIDATES_MAX (MOD_MATCHES_MAX * 4)
#define JIT_STACK_MAX (1u << 20)

static const char limit_note[] = "The filter hit a limit on this text (size, complexity or too "
                                 "many matches): a person should read it.";
static const char utf8_note[] = "This text is not valid UTF-8: a person should read it.";

struct candidate {
	uint32_t rule;
	size_t start, end;          /* original text */
	unsigned transforms;
	unsigned context;
	int severity;
	const char *category;
};

struct hit_window {
	size_t start, cut;
	bool active;
};

struct screen_call {
	const mod_ruleset *rs;
	pcre2_match_data *md;
	pcre2_match_context *mctx;          /* the ruleset's, or own copy with a bigger JIT stack */
	pcre2_match_context *own_mctx;
	pcre2_jit_stack *jit_stack;
	const struct mod_view *view;
	bool deobfuscated;
	size_t text_len;
	struct hit_window *windows;         /* one per pattern */
	size_t *extra_last;                 /* per pattern and extra group: last literal start seen */
	struct candidate *cands;
	size_t ncands, capcands;
	bool limit_hit;
	bool nomem;
};

/* pcre2_match with one retry on a bigger JIT stack. Negative: no match or an error. */
static int match_at(struct screen_call *call, const pcre2_code *code, size_t subject_len,
                    size_t offset)
{
	const char *text = call->view->text;
	int rc = pcre2_match(code, (PCRE2_SPTR)text, subject_len, offset, PCRE2_NO_UTF_CHECK,
	                     call->md, call->mctx);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !call->jit_stack) {
		call->own_mctx = pcre2_match_context_copy(call->rs->mctx);
		call->jit_stack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
		if (!call->own_mctx || !call->jit_stack)
			return PCRE2_ERROR_NOMEMORY;
		pcre2_jit_stack_assign(call->own_mctx, NULL, call->jit_stack);
		call->mctx = call->own_mctx;
		rc = pcre2_match(code, (PCRE2_SPTR)text, subject_len, offset, PCRE2_NO_UTF_CHECK,
		                 call->md, call->mctx);
	}
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
		call->limit_hit = true;         /* limits and any other match error: review */
	return rc;
}

static size_t next_char(const char *text, size_t len, size_t pos)
{
	pos++;
	while (pos < len && ((unsigned char)text[pos] & 0xC0) == 0x80)
		pos++;
	return pos;
}

/* True when an except pattern of rule r matches across view span [vs, ve) in its sentence. */
static bool excepted(struct screen_call *call, const struct mod_rule *r, size_t vs, size_t ve)
{
	if (r->nexcepts == 0)
		return false;
	const struct mod_view *v = call->view;
	size_t s, e;
	mod_sentence_bounds(v->text, v->len, vs, ve, &s, &e);
	for (size_t k = 0; k < r->nexcepts; k++) {
		size_t off = s;
		while (off < ve) {
			if (match_at(call, r->excepts[k], e, off) < 0)
				break;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(call->md);
			if (ov[0] >= ve)
				break;
			if (ov[1] > vs)
				return true;
			off = ov[1] > ov[0] ? ov[1] : next_char(v->text, e, ov[0]);
		}
	}
	return false;
}

static void add_candidate(struct screen_call *call, uint32_t pattern, size_t vs, size_t ve)
{
	const mod_ruleset *rs = call->rs;
	const struct mod_view *v = call->view;
	uint32_t ri = rs->patterns[pattern].rule;
	const struct mod_rule *r = &rs->rules[ri];
	unsigned xf = 0;
	for (size_t i = vs; i < ve; i++)
		xf |= v->xf[i];
	/* In a de-obfuscated view, a match that needed no de-obfuscation was found in the normal one
	 * already (or its context differs there, and the normal view has the last word). */
	if (call->deobfuscated && !(xf & ~(unsigned)MOD_XF_EMPHASIS))
		return;
	size_t ostart = v->src[vs];
	size_t oend = v->src[ve - 1] + v->srclen[ve - 1];
	if (oend > call->text_len)
		oend = call->text_len;
	/* the same rule already matched here, with no more transforms: nothing new */
	for (size_t i = 0; i < call->ncands; i++) {
		const struct candidate *c = &call->cands[i];
		if (c->rule == ri && c->start < oend && ostart < c->end &&
		    __builtin_popcount(c->transforms) <= __builtin_popcount(xf))
			return;
	}
	if (excepted(call, r, vs, ve))
		return;
	unsigned fired = mod_context_eval(&rs->lists, v, vs, ve, r->context);
	if (fired & (MOD_CTX_SELF | MOD_CTX_CLINICAL | MOD_CTX_CRITICISM))
		return;
	int severity = r->severity -
		__builtin_popcount(fired & (MOD_CTX_NEGATION | MOD_CTX_PAST | MOD_CTX_QUOTE |
		                            MOD_CTX_MEDIA | MOD_CTX_QUESTION));
	if (severity < 1)
		severity = 1;
	if (call->ncands == CANDIDATES_MAX) {
		call->limit_hit = true;
		return;
	}
	if (call->ncands == call->capcands) {
		size_t cap = call->capcands ? call->capcands * 2 : 16;
		struct candidate *c = realloc(call->cands, cap * sizeof *c);
		if (!c) {
			call->nomem = true;
			return;
		}
		call->cands = c;
		call->capcands = cap;
	}
	call->cands[call->ncands++] = (struct candidate){
		.rule = ri, .start = ostart, .end = oend, .transforms = xf, .context = fired,
		.severity = severity,
		.category = (fired & MOD_CTX_THIRD_PARTY) ? r->third_party_category : r->category };
}

/* A member of each extra literal group of the pattern occurs in view bytes [start, cut). The
 * prefilter reported every occurrence up to the scan position, which is past cut whenever a window
 * is run, so the last one seen tells: before start means none; inside means yes; only when it lies
 * past cut must we look. */
static bool extras_present(const struct screen_call *call, uint32_t pattern, size_t start,
                           size_t cut)
{
	const struct mod_pattern *pat = &call->rs->patterns[pattern];
	const char *text = call->view->text + start;
	for (uint32_t g = 0; g < pat->nextra; g++) {
		size_t last = call->extra_last[pattern * MOD_LIT_EXTRA_MAX + g];
		if (last == SIZE_MAX || last < start)
			return false;
		if (last < cut)
			continue;
		bool found = false;
		for (uint32_t k = 0; k < pat->extra[g].count && !found; k++)
			found = memmem(text, cut - start, pat->extra[g].lit[k], pat->extra[g].len[k]) != NULL;
		if (!found)
			return false;
	}
	return true;
}

/* Runs one pattern over view bytes [start, cut). */
static void run_pattern(struct screen_call *call, uint32_t pattern, size_t start, size_t cut)
{
	const struct mod_pattern *pat = &call->rs->patterns[pattern];
	const pcre2_code *code = pat->code;
	if (pat->nextra && !extras_present(call, pattern, start, cut))
		return;

	size_t off = start;
	while (off < cut && !call->limit_hit && !call->nomem) {
		if (match_at(call, code, cut, off) < 0)
			return;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(call->md);
		if (ov[1] > ov[0])
			add_candidate(call, pattern, ov[0], ov[1]);
		off = ov[1] > ov[0] ? ov[1] : next_char(call->view->text, cut, ov[0]);
	}
}

static int on_literal(void *arg, uint32_t pattern, unsigned group, size_t ls, size_t le)
{
	struct screen_call *call = arg;
	if (group) {
		call->extra_last[pattern * MOD_LIT_EXTRA_MAX + group - 1] = ls;
		return 0;
	}
	const struct mod_view *v = call->view;
	size_t ws = ls > WINDOW_REACH ? ls - WINDOW_REACH : 0;
	while (ws > 0 && ((unsigned char)v->text[ws] & 0xC0) == 0x80)
		ws--;
	size_t cut = le + WINDOW_REACH < v->len ? le + WINDOW_REACH : v->len;
	/* end the window where a word ends, so \b and lookaheads see what they would in the full
	 * text in all but contrived cases */
	size_t limit = cut + 64 < v->len ? cut + 64 : v->len;
	while (cut < limit && v->text[cut] != ' ' && v->text[cut] != '\n')
		cut++;
	while (cut < v->len && ((unsigned char)v->text[cut] & 0xC0) == 0x80)
		cut++;
	struct hit_window *w = &call->windows[pattern];
	if (w->active && ws <= w->cut) {
		if (cut > w->cut)
			w->cut = cut;
		return 0;
	}
	if (w->active)
		run_pattern(call, pattern, w->start, w->cut);
	*w = (struct hit_window){ ws, cut, true };
	return call->limit_hit || call->nomem;
}

static void scan_view(struct screen_call *call, const struct mod_view *v,
                      const struct mod_prefilter *pf, bool deobfuscated)
{
	call->view = v;
	call->deobfuscated = deobfuscated;
	memset(call->windows, 0, call->rs->npatterns * sizeof *call->windows);
	memset(call->extra_last, 0xff, call->rs->npatterns * MOD_LIT_EXTRA_MAX * sizeof *call->extra_last);
	mod_prefilter_scan(pf, v->text, v->len, on_literal, call);
	for (uint32_t p = 0; p < call->rs->npatterns; p++)
		if (call->windows[p].active && !call->limit_hit && !call->nomem)
			run_pattern(call, p, call->windows[p].start, call->windows[p].cut);
	for (size_t i = 0; i < pf->nfull && !call->limit_hit && !call->nomem; i++)
		run_pattern(call, pf->full[i], 0, v->len);
}

static int candidate_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

static void set_top(mod_match *m, const char *category)
{
	size_t n = strcspn(category, ".");
	if (n >= sizeof m->top)
		n = sizeof m->top - 1;
	memcpy(m->top, category, n);
	m->top[n] = '\0';
}

static int action_rank(enum mod_action a)
{
	return a == MOD_HOLD ? 3 : a == MOD_FLAG ? 2 : a == MOD_NUDGE ? 1 : 0;
}

static enum mod_err fill_result(struct screen_call *call, mod_result *out, size_t len,
                                bool invalid_utf8)
{
	const mod_ruleset *rs = call->rs;
	if (call->ncands)
		qsort(call->cands, call->ncands, sizeof *call->cands, candidate_cmp);
	/* Drop a candidate that overlaps an earlier one of the same rule with no fewer transforms
	 * (the views were scanned in order, so this only removes true duplicates). */
	size_t kept = 0;
	for (size_t i = 0; i < call->ncands; i++) {
		bool dup = false;
		for (size_t j = 0; j < kept && !dup; j++) {
			const struct candidate *a = &call->cands[j], *b = &call->cands[i];
			dup = a->rule == b->rule && a->start < b->end && b->start < a->end &&
			      __builtin_popcount(a->transforms) <= __builtin_popcount(b->transforms);
		}
		if (!dup)
			call->cands[kept++] = call->cands[i];
	}
	if (kept > MOD_MATCHES_MAX) {
		kept = MOD_MATCHES_MAX;
		call->limit_hit = true;
	}
	size_t synthetic = (call->limit_hit || call->nomem) + invalid_utf8;
	out->matches = calloc(kept + synthetic ? kept + synthetic : 1, sizeof *out->matches);
	if (!out->matches) {
		out->needs_review = true;
		return MOD_ERR_NOMEM;
	}
	size_t n = 0;
	for (size_t i = 0; i < kept; i++) {
		const struct candidate *c = &call->cands[i];
		const struct mod_rule *r = &rs->rules[c->rule];
		mod_match *m = &out->matches[n++];
		m->rule_id = r->id;
		m->category = c->category;
		set_top(m, c->category);
		m->severity = c->severity;
		m->rule_severity = r->severity;
		m->action = r->action;
		m->start = c->start;
		m->end = c->end;
		m->context = c->context;
		m->transforms = c->transforms;
		m->note = r->note;
		m->suggestion = r->suggest;
	}
	if (invalid_utf8)
		out->matches[n++] = (mod_match){ .rule_id = "filter.utf8", .category = "review",
			.top = "review", .severity = 1, .rule_severity = 1, .action = MOD_FLAG,
			.start = 0, .end = len, .note = utf8_note };
	if (call->limit_hit || call->nomem)
		out->matches[n++] = (mod_match){ .rule_id = "filter.limit", .category = "review",
			.top = "review", .severity = 1, .rule_severity = 1, .action = MOD_FLAG,
			.start = 0, .end = len, .note = limit_note };
	out->count = n;
	out->needs_review = synthetic > 0;
	for (size_t i = 0; i < n; i++) {
		const mod_match *m = &out->matches[i];
		if (m->severity > out->max_severity)
			out->max_severity = m->severity;
		if (action_rank(m->action) > action_rank(out->strongest_action))
			out->strongest_action = m->action;
		if (strcmp(m->top, "crisis") == 0)
			out->crisis = true;
	}
	if (call->nomem)
		return MOD_ERR_NOMEM;
	if (call->limit_hit)
		return MOD_ERR_LIMIT;
	if (invalid_utf8)
		return MOD_ERR_UTF8;
	return MOD_OK;
}

enum mod_err mod_screen(const mod_ruleset *rs, const char *text, size_t len, mod_result *out)
{
	struct screen_call call = { .rs = rs, .mctx = rs ? rs->mctx : NULL };
	struct mod_view normal = { 0 }, deob = { 0 }, deob_flipped = { 0 };
	bool invalid = false;
	enum mod_err rc;

	memset(out, 0, sizeof *out);
	if (!rs || (!text && len)) {
		out->needs_review = true;
		return MOD_ERR_LIMIT;
	}
	if (len > MOD_TEXT_MAX) {
		len = MOD_TEXT_MAX;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
		call.limit_hit = true;
	}
	call.text_len = len;
	call.md = pcre2_match_data_create(1, NULL);
	call.windows = calloc(rs->npatterns ? rs->npatterns : 1, sizeof *call.windows);
	call.extra_last = calloc(rs->npatterns * MOD_LIT_EXTRA_MAX + 1, sizeof *call.extra_last);
	if (!call.md || !call.windows || !call.extra_last || mod_view_normal(&normal, text ? text : "", len, &invalid) < 0) {
		call.nomem = true;
		goto done;
	}
	scan_view(&call, &normal, &rs->pf_normal, false);
	if ((rs->pf_deob.nentries || rs->pf_deob.nfull) && mod_view_needs_deobfuscation(&normal)) {
		if (mod_view_deobfuscate(&deob, &normal, false) < 0) {
			call.nomem = true;
			goto done;
		}
		if (deob.xf_any & ~(unsigned)MOD_XF_EMPHASIS)
			scan_view(&call, &deob, &rs->pf_deob, true);
		if (deob.ambiguous) {
			if (mod_view_deobfuscate(&deob_flipped, &normal, true) < 0) {
				call.nomem = true;
				goto done;
			}
			scan_view(&call, &deob_flipped, &rs->pf_deob, true);
		}
	}
done:
	rc = fill_result(&call, out, len, invalid);
	free(call.cands);
	free(call.windows);
	free(call.extra_last);
	pcre2_match_data_free(call.md);
	pcre2_match_context_free(call.own_mctx);
	pcre2_jit_stack_free(call.jit_stack);
	mod_view_free(&normal);
	mod_view_free(&deob);
	mod_view_free(&deob_flipped);
	return rc;
}

void mod_result_free(mod_result *res)
{
	if (!res)
		return;
	free(res->matches);
	memset(res, 0, sizeof *res);
}

bool mod_result_has_rule(const mod_result *res, const char *rule_id)
{
	for (size_t i = 0; i < res->count; i++)
		if (strcmp(res->matches[i].rule_id, rule_id) == 0)
			return true;
	return false;
}
