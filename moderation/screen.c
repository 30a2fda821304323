/*
 * screen.c: mod_screen(), one text against one ruleset.
 *
 * Per view: one prefilter pass finds the literals of every rule's patterns; each pattern then runs
 * (JIT) only in windows around its literal hits; every candidate match gets its rule's except
 * patterns and context checks on its sentence, then maps back to the original text. The normal view
 * serves every rule; the de-obfuscated view (built only when it differs from the normal one) serves
 * the "view both" rules, and a second de-obfuscated view exists only when an ambiguous leet
 * character (1 | !) had to be guessed. The spelling view (built only when the normal view holds a
 * word of the rule directory's spelling.map: "cannae", "u", "tmr") serves every rule, like the
 * normal view: there "cannae go on" reads "cannot go on". In both derived kinds of view a match
 * that needed no transform (no mapped word, no de-obfuscated byte) was found in the normal view
 * already and is dropped. Whole-post cues (recovery, near time) read the spelling view when there
 * is one.
 *
 * Within a window pcre2 never tries a start past the last trigger hit (its offset limit), and a
 * pattern whose matches all start with a known literal (its lead, see literal.c) is tried only
 * where that literal occurs: the same matches as an unanchored search, at a fraction of the cost.
 *
 * Scratch: the views, the per-pattern window table, the candidates and the pcre2 match data live
 * in a struct mod_scratch that is reused from call to call (one per thread for mod_screen(), or the
 * caller's for mod_screen_with()), so a call on an ordinary post allocates only its result. The
 * per-pattern tables are never cleared as a whole: an entry counts only when its stamp is the
 * current scan's, so a scan costs nothing per pattern that has no literal in the text. Buffers
 * grown past SCRATCH_KEEP bytes by a long text are freed at the end of the call.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mod_internal.h"

/* A match is found only when it lies within WINDOW_REACH bytes of its literal on either side. */
#define WINDOW_REACH 256
#define CANDIDATES_MAX (MOD_MATCHES_MAX * 4)
#define JIT_STACK_MAX (1u << 20)
#define SCRATCH_KEEP (64u << 10)        /* view bytes kept for the next call */

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
	size_t first, last;         /* first and last trigger literal hit in the window */
	bool active;
};

#define EXTRA_SEEN_SLOTS 64
/* A window of a pattern not bounded by a sentence is searched for a common-word extra group of at
 * most this many members before the pattern runs (one with more is taken as present). Callgrind
 * over filter_bench --mb 1 (mod_screen_with, load-time examples included): 1 668.9 M
 * instructions, 2 669.0 M, 4 679.6 M, 16 696.2 M, none 685.9 M. */
#define EXTRA_SKIPPED_SEARCH_MAX 1
#define TRI_SEEN_SLOTS 32

struct mod_scratch {
	bool in_use;
	pcre2_match_data *md;
	pcre2_jit_stack *jit_stack;         /* made on the first JIT stack overflow, then kept */
	/* copies of the ruleset's match context (same limits): one for except patterns, one for rule
	 * patterns with the offset limit of the window being run; both get jit_stack once made */
	pcre2_match_context *mctx, *mctx_limit;
	uint64_t mctx_serial;               /* ruleset they were copied from */
	struct mod_view normal, deob, deob_flipped, spelled;
	struct mod_quote_index qindex;
	struct mod_word_starts words;       /* of the view being scanned */
	/* de-obfuscated views: bit i % 64 of xfbits[i / 64] set when view byte i needed a transform
	 * other than emphasis (see run_pattern) */
	uint64_t *xfbits;
	size_t xfcap;                       /* words allocated in xfbits */
	/* per pattern, valid only where stamp[p] == scan */
	struct hit_window *windows;
	size_t *extra_last;                 /* per pattern and extra group: last literal start seen */
	uint32_t *stamp;
	uint64_t *touched;                  /* bit p: pattern p was stamped in this scan */
	size_t npatcap;
	uint32_t scan;
	struct candidate *cands;
	size_t capcands;
	/* whether a common-word extra group (patterns share one, see rules.c) occurs in a window:
	 * valid for the scan and window it was computed in */
	struct extra_seen { const char *const *group; uint32_t scan; size_t start, cut; bool has; }
		extra_seen[EXTRA_SEEN_SLOTS];
	/* the trigrams of windows checked for a common-word group: bit mod_tri_bit() of bits is set for
	 * each trigram of view bytes [start, cut) in scan scan (patterns' windows interleave: a few
	 * are kept, by their bounds) */
	struct tri_seen { uint64_t bits[8]; uint32_t scan; size_t start, cut; } tri[TRI_SEEN_SLOTS];
};

struct screen_call {
	const mod_ruleset *rs;
	mod_scratch *sc;
	pcre2_match_data *md;
	const struct mod_view *view;
	const struct mod_view *post_view;   /* for whole-post cues: the spelling view, else normal */
	bool deobfuscated;          /* a derived view (de-obfuscated or spelling): see add_candidate */
	size_t text_len;
	struct candidate *cands;
	size_t ncands, capcands;
	bool limit_hit;
	bool nomem;
	/* the last sentence_around: a hit inside [sent_from, sent_to) is in the same sentence */
	size_t sent_from, sent_to, sent_ws, sent_cut;
	int post_recovered;     /* -1: not computed yet; else whether the post is told as recovery */
	int post_returns;       /* -1: not computed yet; else whether it is a farewell with a return */
	bool crisis_judged;     /* a crisis rule matched and a context suppressed it (recovery, word,
	                           return, game, clinical...): the text model adds no crisis then */
};

/* One pcre2 run over the view: pcre2_jit_match when code is JIT-compiled. */
static int match_once(struct screen_call *call, const pcre2_code *code, bool jit,
                      pcre2_match_context *mctx, size_t subject_len, size_t offset)
{
	PCRE2_SPTR text = (PCRE2_SPTR)call->view->text;
	if (jit)
		return pcre2_jit_match(code, text, subject_len, offset, PCRE2_NO_UTF_CHECK, call->md, mctx);
	return pcre2_match(code, text, subject_len, offset, PCRE2_NO_UTF_CHECK, call->md, mctx);
}

/* pcre2_match with one retry on a bigger JIT stack (kept for the rest of the scratch's life: a
 * bigger stack changes nothing but whether the stack runs out). mctx is sc->mctx, or
 * sc->mctx_limit for rule patterns. Negative: no match or an error. jit: code is JIT-compiled
 * (mod_pattern.jit), so pcre2_jit_match runs it, skipping the checks pcre2_match makes before it
 * calls the same code (views are valid UTF-8). */
static int match_jit(struct screen_call *call, const pcre2_code *code, bool jit,
                     pcre2_match_context *mctx, size_t subject_len, size_t offset)
{
	int rc = match_once(call, code, jit, mctx, subject_len, offset);
	mod_scratch *sc = call->sc;
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !sc->jit_stack) {
		sc->jit_stack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
		if (!sc->jit_stack) {
			call->limit_hit = true;
			return PCRE2_ERROR_NOMEMORY;
		}
		pcre2_jit_stack_assign(sc->mctx, NULL, sc->jit_stack);
		pcre2_jit_stack_assign(sc->mctx_limit, NULL, sc->jit_stack);
		rc = match_once(call, code, jit, mctx, subject_len, offset);
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
			if (match_jit(call, r->excepts[k], r->excepts_jit >> k & 1, call->sc->mctx, e,
			              off) < 0)
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

/* Whether list `yes` has a cue anywhere in the post's normal view and list `no` none; computed
 * once per post into *cached (-1: not yet), when a rule with that context first matches. */
static bool post_cue_without(struct screen_call *call, int *cached, enum mod_list_id yes,
                             enum mod_list_id no)
{
	if (*cached < 0) {
		const struct mod_lists *lists = &call->rs->lists;
		const struct mod_view *n = call->post_view;
		*cached = mod_context_post_has(lists, n, yes, NULL) && !mod_context_post_has(lists, n, no, NULL);
	}
	return *cached;
}

/* Whether the whole post is told as recovery: a cue of list recovered ("i'm ok now", "it gets
 * better") and none of list relapse ("again", "lately", "tonight"). */
static bool post_recovered(struct screen_call *call)
{
	return post_cue_without(call, &call->post_recovered, MOD_LIST_RECOVERED, MOD_LIST_RELAPSE);
}

/* Whether the post is a farewell with a return: a cue of list return ("see you all after",
 * "back on the") and none of list no_return ("forever", "the other side"). */
static bool post_returns(struct screen_call *call)
{
	return post_cue_without(call, &call->post_returns, MOD_LIST_RETURN, MOD_LIST_NO_RETURN);
}

static void add_candidate(struct screen_call *call, uint32_t pattern, size_t vs, size_t ve)
{
	const mod_ruleset *rs = call->rs;
	const struct mod_view *v = call->view;
	uint32_t ri = rs->patterns[pattern].rule;
	const struct mod_rule *r = &rs->rules[ri];
	unsigned xf = 0;
	if (!v->identity)
		for (size_t i = vs; i < ve; i++)
			xf |= v->xf[i];
	/* In a de-obfuscated or spelling view, a match that needed no de-obfuscation or mapped word
	 * was found in the normal one already (or its context differs there, and the normal view has
	 * the last word). */
	if (call->deobfuscated && !(xf & ~(unsigned)MOD_XF_EMPHASIS))
		return;
	size_t ostart = mod_view_src(v, vs);
	size_t oend = mod_view_src(v, ve - 1) + mod_view_srclen(v, ve - 1);
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
	unsigned fired = mod_context_eval(&rs->lists, v, vs, ve, r->context, &call->sc->qindex,
	                                  (r->context & MOD_CTX_RECOVERY) && post_recovered(call));
	if ((r->context & MOD_CTX_RETURN) && post_returns(call))
		fired |= MOD_CTX_RETURN;
	if (fired & (MOD_CTX_SELF | MOD_CTX_CLINICAL | MOD_CTX_CRITICISM | MOD_CTX_COUNTER |
	             MOD_CTX_RECOVERY | MOD_CTX_WORD | MOD_CTX_RETURN | MOD_CTX_GAME)) {
		if (strncmp(r->category, "crisis", 6) == 0 && (r->category[6] == '\0' || r->category[6] == '.'))
			call->crisis_judged = true;
		return;
	}
	int severity = r->severity -
		__builtin_popcount(fired & (MOD_CTX_NEGATION | MOD_CTX_PAST | MOD_CTX_QUOTE |
		                            MOD_CTX_MEDIA | MOD_CTX_QUESTION));
	if (severity < 1 || (fired & MOD_CTX_ADDRESSEE))
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
		.category = (fired & MOD_CTX_ADDRESSEE) ? r->addressee_category :
		            (fired & MOD_CTX_THIRD_PARTY) ? r->third_party_category : r->category };
}

/* Whether lit occurs in text[0, n). memmem's setup costs more than the search on the short
 * windows and literals here: scan for the first byte and compare the rest. */
static bool window_has(const char *text, size_t n, const char *lit, size_t len)
{
	if (len == 0 || len > n)
		return len == 0;
	const char *end = text + n - len + 1, *p = text;
	while ((p = memchr(p, lit[0], (size_t)(end - p))) != NULL) {
		if (mod_same_bytes(p + 1, lit + 1, len - 1))
			return true;
		p++;
	}
	return false;
}

/* Whether some member of group g occurs in view bytes [start, cut). An occurrence of a member of
 * MOD_LIT_MIN bytes or more puts its first trigram among the window's: the window's trigrams
 * (kept for the next group checked in the same window) rule most members out without a search.
 * A shorter member (literal.c makes none) is always searched for. */
static bool group_in_window(struct screen_call *call, const struct mod_pattern_group *g,
                            size_t start, size_t cut)
{
	mod_scratch *sc = call->sc;
	const unsigned char *t = (const unsigned char *)call->view->text;
	struct tri_seen *ts = &sc->tri[(start * 31 + cut) % TRI_SEEN_SLOTS];
	if (ts->scan != sc->scan || ts->start != start || ts->cut != cut) {
		uint64_t bits[8] = { 0 };
		if (cut - start >= MOD_LIT_MIN) {
			uint32_t x = (uint32_t)t[start] << 8 | t[start + 1];
			for (size_t i = start + 2; i < cut; i++) {
				x = (x << 8 | t[i]) & 0xFFFFFFu;
				unsigned b = x * 0x9E3779B1u >> 23;
				bits[b >> 6] |= 1ull << (b & 63);
			}
		}
		memcpy(ts->bits, bits, sizeof bits);
		ts->scan = sc->scan;
		ts->start = start;
		ts->cut = cut;
	}
	for (uint32_t k = 0; k < g->count; k++) {
		unsigned b = g->tri[k];
		if ((b == UINT16_MAX || (ts->bits[b >> 6] >> (b & 63) & 1)) &&
		    window_has((const char *)t + start, cut - start, g->lit[k], g->len[k]))
			return true;
	}
	return false;
}

/* A member of each extra literal group of the pattern occurs in view bytes [start, cut). The
 * prefilter reported every occurrence up to the scan position, which is past cut whenever a window
 * is run, so the last one seen tells: before start means none; inside means yes; only when it lies
 * past cut must we look. A group the prefilter does not look for (extra_skipped: it holds a
 * common word) is searched for in the pattern's sentence, or, for a pattern not bounded by one, in
 * the window when it has at most EXTRA_SKIPPED_SEARCH_MAX members ("wish" of "dead ... wish it was
 * me", run at every "killed" otherwise); a bigger one is taken as present. */
static bool extras_present(struct screen_call *call, uint32_t pattern, size_t start,
                           size_t cut)
{
	const struct mod_pattern *pat = &call->rs->patterns[pattern];
	const char *text = call->view->text + start;
	for (uint32_t g = 0; g < pat->nextra; g++) {
		if ((pat->extra_skipped >> g & 1) || pat->sentence) {
			const struct mod_pattern_group *eg = &pat->extra[g];
			/* a common word: nearly every window has one, but not every sentence; a group of
			 * one word is still cheaper to look for than a pcre2 run is */
			if (!pat->sentence) {
				if (eg->count > EXTRA_SKIPPED_SEARCH_MAX)
					continue;
				bool found = false;
				for (uint32_t k = 0; k < eg->count && !found; k++)
					found = window_has(text, cut - start, eg->lit[k], eg->len[k]);
				if (!found)
					return false;
				continue;
			}
			struct extra_seen *seen = &call->sc->extra_seen[((uintptr_t)eg->lit >> 4) %
			                                                EXTRA_SEEN_SLOTS];
			if (seen->group != eg->lit || seen->scan != call->sc->scan || seen->start != start ||
			    seen->cut != cut) {
				bool found = group_in_window(call, eg, start, cut);
				*seen = (struct extra_seen){ eg->lit, call->sc->scan, start, cut, found };
			}
			if (!seen->has)
				return false;
			continue;
		}
		size_t last = call->sc->stamp[pattern] == call->sc->scan ?
		              call->sc->extra_last[pattern * MOD_LIT_EXTRA_MAX + g] : SIZE_MAX;
		if (last == SIZE_MAX || last < start)
			return false;
		if (last < cut)
			continue;
		bool found = false;
		for (uint32_t k = 0; k < pat->extra[g].count && !found; k++)
			found = window_has(text, cut - start, pat->extra[g].lit[k], pat->extra[g].len[k]);
		if (!found)
			return false;
	}
	return true;
}

/* Records the match pcre2 just found and returns where the search goes on. The span is read
 * before add_candidate, whose except patterns reuse the match data: reading it after (as this
 * once did) could send the search back before the match and loop forever. */
static size_t take_match(struct screen_call *call, uint32_t pattern, size_t cut)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(call->md);
	size_t ms = ov[0], me = ov[1];
	if (me > ms) {
		add_candidate(call, pattern, ms, me);
		return me;
	}
	return next_char(call->view->text, cut, ms);
}

/* Finding where a pattern's lead literals occur. A pattern that starts at \b with a word character
 * (lead_wb, nearly all) visits the word starts of its window that begin with a lead first byte
 * (word_starts.c). Any other visits the positions holding such a byte, sixteen at a time with
 * SSE2. Either way lead_at then compares the literals. */
struct lead_scan {
	const struct mod_pattern *pat;
	const unsigned char *t;
#ifdef __SSE2__
	__m128i fb[16];
#endif
};

static void lead_scan_init(struct lead_scan *ls, const struct mod_pattern *pat,
                           const unsigned char *t)
{
	ls->pat = pat;
	ls->t = t;
#ifdef __SSE2__
	for (unsigned k = 0; k < pat->nfb; k++)
		ls->fb[k] = _mm_set1_epi8((char)pat->lead_fb[k]);
#endif
}

static inline bool lead_first_byte(const struct mod_pattern *pat, unsigned char c)
{
	return pat->lead_first[c >> 6] >> (c & 63) & 1;
}

static inline bool ascii_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The first position in [from, to) holding a lead first byte (and, for lead_wb, not after a word
 * byte: then nfb is 0 and the loop is the scalar one), or to. */
static size_t next_lead_candidate(const struct lead_scan *ls, size_t from, size_t to)
{
	const struct mod_pattern *pat = ls->pat;
	const unsigned char *t = ls->t;
	size_t i = from;
#ifdef __SSE2__
	if (pat->nfb) {
		for (; i + 16 <= to; i += 16) {
			__m128i block = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
			__m128i eq = _mm_cmpeq_epi8(block, ls->fb[0]);
			for (unsigned k = 1; k < pat->nfb; k++)
				eq = _mm_or_si128(eq, _mm_cmpeq_epi8(block, ls->fb[k]));
			unsigned mask = (unsigned)_mm_movemask_epi8(eq);
			if (mask)
				return i + (size_t)__builtin_ctz(mask);
		}
	}
#endif
	for (; i < to; i++)
		if (lead_first_byte(pat, t[i]) && !(pat->lead_wb && i > 0 && ascii_word(t[i - 1])))
			return i;
	return to;
}

/* Whether one of the lead members [from, to) of pat occurs at q and fits in the subject [0, cut).
 * The members are sorted by first byte: those starting with one byte are a range. */
static bool lead_at(const struct mod_pattern *pat, uint32_t from, uint32_t to,
                    const unsigned char *t, size_t cut, size_t q)
{
	for (uint32_t k = from; k < to; k++) {
		const unsigned char *lit = (const unsigned char *)pat->lead.lit[k];
		size_t n = pat->lead.len[k];
		if (n > cut - q || lit[0] != t[q])
			continue;
		size_t j = 1;
		while (j < n && lit[j] == t[q + j])
			j++;
		if (j == n)
			return true;
	}
	return false;
}

/* Tries pattern at start q alone (the offset limit makes pcre2 try that start and no other).
 * Returns where the search goes on, or SIZE_MAX to stop. */
static size_t try_start(struct screen_call *call, uint32_t pattern, size_t cut, size_t q)
{
	pcre2_set_offset_limit(call->sc->mctx_limit, q);
	const struct mod_pattern *pat = &call->rs->patterns[pattern];
	int rc = match_jit(call, pat->code, pat->jit, call->sc->mctx_limit, cut, q);
	if (rc == PCRE2_ERROR_NOMATCH)
		return q + 1;
	if (rc < 0)
		return SIZE_MAX;
	return take_match(call, pattern, cut);
}

/* Tries a lead_wb pattern with nfb > 0 at the word starts in [off, lim] where a lead member
 * occurs: those that begin with a lead first byte (the union of their word-start bitmaps) and
 * have a second byte some member starting with that byte has (lead_second; t[q + 1] is at most
 * the view's closing NUL). */
static void run_at_word_starts(struct screen_call *call, uint32_t pattern, size_t off, size_t lim,
                               size_t cut)
{
	const struct mod_pattern *pat = &call->rs->patterns[pattern];
	const struct mod_view *v = call->view;
	struct mod_word_starts *ws = &call->sc->words;
	if (!ws->built && mod_word_starts_build(ws, v->text, v->len) < 0) {
		call->nomem = true;
		return;
	}
	const unsigned char *t = (const unsigned char *)v->text;
	const uint64_t *group[sizeof pat->lead_fb];
	for (unsigned k = 0; k < pat->nfb; k++)
		group[k] = ws->bits + (size_t)mod_word_group(pat->lead_fb[k]) * ws->nwords;
	for (size_t w = off / 64; w <= lim / 64; w++) {
		uint64_t bits = group[0][w];
		for (unsigned k = 1; k < pat->nfb; k++)
			bits |= group[k][w];
		if (w == off / 64)
			bits &= ~0ull << (off % 64);
		if (w == lim / 64)
			bits &= ~0ull >> (63 - lim % 64);
		for (; bits; bits &= bits - 1) {
			size_t q = w * 64 + (size_t)__builtin_ctzll(bits);
			unsigned g = pat->lead_fb_of[t[q] - '0'] - 1u;
			if (q < off || !(pat->lead_second[g] >> (t[q + 1] & 63) & 1) ||
			    !lead_at(pat, pat->lead_fb_member[g], pat->lead_fb_member[g + 1], t, cut, q))
				continue;
			off = try_start(call, pattern, cut, q);
			if (off > lim || call->limit_hit || call->nomem)
				return;
		}
	}
}

/* Tries any other pattern with a lead at the positions in [off, lim] where a lead member occurs.
 * A position compares only the members starting with its byte (lead_start, made at load time):
 * comparing all of them (up to 64, most failing on the first byte) was 7% of the corpus pass. */
static void run_at_lead_bytes(struct screen_call *call, uint32_t pattern, size_t off, size_t lim,
                              size_t cut)
{
	const struct mod_pattern *pat = &call->rs->patterns[pattern];
	const unsigned char *t = (const unsigned char *)call->view->text;
	struct lead_scan ls;
	lead_scan_init(&ls, pat, t);
	while (off <= lim && !call->limit_hit && !call->nomem) {
		off = next_lead_candidate(&ls, off, lim + 1);
		if (off > lim)
			return;
		uint32_t from = 0, to = (uint32_t)pat->lead.count;
		if (pat->lead_indexed) {
			from = pat->lead_start[t[off]];
			to = pat->lead_start[t[off] + 1];
		}
		if (lead_at(pat, from, to, t, cut, off))
			off = try_start(call, pattern, cut, off);
		else
			off++;
	}
}

/* For a de-obfuscated view: marks the bytes that needed a transform other than emphasis. */
static int build_xfbits(mod_scratch *sc, const struct mod_view *v)
{
	size_t nwords = v->len / 64 + 1;
	if (nwords > sc->xfcap) {
		uint64_t *grown = realloc(sc->xfbits, nwords * sizeof *grown);
		if (!grown)
			return -1;
		sc->xfbits = grown;
		sc->xfcap = nwords;
	}
	memset(sc->xfbits, 0, nwords * sizeof *sc->xfbits);
	if (v->identity)
		return 0;
	for (size_t i = 0; i < v->len; i++)
		if (v->xf[i] & ~(unsigned)MOD_XF_EMPHASIS)
			sc->xfbits[i / 64] |= 1ull << (i % 64);
	return 0;
}

/* Whether a byte of [start, cut) is marked in xfbits. */
static bool xf_in(const uint64_t *bits, size_t start, size_t cut)
{
	if (start >= cut)
		return false;
	size_t w0 = start / 64, w1 = (cut - 1) / 64;
	uint64_t lo = ~0ull << (start % 64), hi = ~0ull >> (63 - (cut - 1) % 64);
	if (w0 == w1)
		return (bits[w0] & lo & hi) != 0;
	if (bits[w0] & lo)
		return true;
	for (size_t w = w0 + 1; w < w1; w++)
		if (bits[w])
			return true;
	return (bits[w1] & hi) != 0;
}

/* Runs one pattern over view bytes [start, cut). Every match holds a trigger literal, and the
 * window holds every trigger hit in it (a later hit would have joined it), so no match starts
 * after the last one. A pattern whose matches all start with one of its lead literals is tried
 * only where one occurs, one start at a time (the offset limit makes pcre2 try that start and no
 * other): the first start that matches is where an unanchored search would have found its
 * match, and the match is the same. When every lead literal starts with a trigger literal, no
 * match starts before the window's first trigger hit either: an earlier start would hold a
 * trigger literal, reported to this window (a hit of an earlier window lies more than
 * WINDOW_REACH bytes before start). Without lead literals pcre2 searches, with the last trigger
 * hit as its offset limit. last is SIZE_MAX for a pattern without literals, run over the whole
 * view. In a de-obfuscated view, a window with no de-obfuscated byte is not run: every match in
 * it would lie in text the normal view holds as it is, and add_candidate drops such matches. */
static void run_pattern(struct screen_call *call, uint32_t pattern, size_t start, size_t cut,
                        size_t first, size_t last)
{
	const struct mod_pattern *pat = &call->rs->patterns[pattern];
	const pcre2_code *code = pat->code;
	mod_scratch *sc = call->sc;
	if (call->deobfuscated && !xf_in(sc->xfbits, start, cut))
		return;
	if (pat->nextra && !extras_present(call, pattern, start, cut))
		return;
	pcre2_match_context *mctx = sc->mctx;
	size_t off = start;
	if (last != SIZE_MAX) {
		mctx = sc->mctx_limit;
		if (pat->lead.count) {
			size_t lim = last < cut ? last : cut - 1;
			if (pat->lead_at_trigger && first > off)
				off = first;
			if (pat->lead_wb && pat->nfb)
				run_at_word_starts(call, pattern, off, lim, cut);
			else
				run_at_lead_bytes(call, pattern, off, lim, cut);
			return;
		}
		pcre2_set_offset_limit(mctx, last);
	}
	while (off < cut && off <= last && !call->limit_hit && !call->nomem) {
		if (match_jit(call, code, pat->jit, mctx, cut, off) < 0)
			return;
		off = take_match(call, pattern, cut);
	}
}

/* The window table entry of pattern p, reset on its first use in this scan. */
static struct hit_window *touch(mod_scratch *sc, uint32_t p)
{
	if (sc->stamp[p] != sc->scan) {
		sc->stamp[p] = sc->scan;
		sc->windows[p].active = false;
		for (size_t g = 0; g < MOD_LIT_EXTRA_MAX; g++)
			sc->extra_last[p * MOD_LIT_EXTRA_MAX + g] = SIZE_MAX;
		sc->touched[p >> 6] |= 1ull << (p & 63);
	}
	return &sc->windows[p];
}

/* Whether a sentence ends at view byte i: '!', '?', a line break, or '.' before a space or the
 * end (not the dot of "o.d" or "3.5"). */
static inline bool sentence_end_at(const struct mod_view *v, size_t i)
{
	char c = v->text[i];
	return c == '!' || c == '?' || c == '\n' ||
	       (c == '.' && (i + 1 == v->len || v->text[i + 1] == ' ' || v->text[i + 1] == '\t' ||
	                     v->text[i + 1] == '\n'));
}

/* The sentence holding view bytes [ls, le), at most WINDOW_REACH bytes either side: [*ws, *cut),
 * its ends included (a frame's last slot may end at one). */
static void sentence_around(const struct mod_view *v, size_t ls, size_t le, size_t *ws, size_t *cut)
{
	size_t lo = ls > WINDOW_REACH ? ls - WINDOW_REACH : 0, s = ls;
	while (s > lo && !sentence_end_at(v, s - 1))
		s--;
	while (s > 0 && ((unsigned char)v->text[s] & 0xC0) == 0x80)
		s--;
	size_t hi = le + WINDOW_REACH < v->len ? le + WINDOW_REACH : v->len, e = le;
	while (e < hi && !sentence_end_at(v, e))
		e++;
	if (e < v->len)
		e++;
	while (e < v->len && ((unsigned char)v->text[e] & 0xC0) == 0x80)
		e++;
	*ws = s;
	*cut = e;
}

static int on_literal(void *arg, uint32_t pattern, unsigned group, size_t ls, size_t le)
{
	struct screen_call *call = arg;
	mod_scratch *sc = call->sc;
	struct hit_window *w = touch(sc, pattern);
	if (group) {
		sc->extra_last[pattern * MOD_LIT_EXTRA_MAX + group - 1] = ls;
		return 0;
	}
	const struct mod_view *v = call->view;
	size_t ws, cut;
	if (call->rs->patterns[pattern].sentence) {
		/* hits come in order and many patterns share one: the last sentence, when it holds
		 * this hit with no sentence end in between, is its sentence */
		if (ls >= call->sent_from && le <= call->sent_to) {
			ws = call->sent_ws;
			cut = call->sent_cut;
		} else {
			sentence_around(v, ls, le, &ws, &cut);
			call->sent_from = ws;
			call->sent_to = cut > ws && sentence_end_at(v, cut - 1) ? cut - 1 : cut;
			call->sent_ws = ws;
			call->sent_cut = cut;
			/* a window clipped at WINDOW_REACH (a sentence longer than it) is reused by the
			 * hits that leave room for a match after them */
			if (cut - le >= WINDOW_REACH && call->sent_to > ws + 64)
				call->sent_to -= 64;
		}
	} else {
		ws = ls > WINDOW_REACH ? ls - WINDOW_REACH : 0;
		while (ws > 0 && ((unsigned char)v->text[ws] & 0xC0) == 0x80)
			ws--;
		cut = le + WINDOW_REACH < v->len ? le + WINDOW_REACH : v->len;
		/* end the window where a word ends, so \b and lookaheads see what they would in the
		 * full text in all but contrived cases */
		size_t limit = cut + 64 < v->len ? cut + 64 : v->len;
		while (cut < limit && v->text[cut] != ' ' && v->text[cut] != '\n')
			cut++;
		while (cut < v->len && ((unsigned char)v->text[cut] & 0xC0) == 0x80)
			cut++;
	}
	if (w->active && ws <= w->cut) {
		if (cut > w->cut)
			w->cut = cut;
		w->last = ls;
		return 0;
	}
	if (w->active)
		run_pattern(call, pattern, w->start, w->cut, w->first, w->last);
	*w = (struct hit_window){ ws, cut, ls, ls, true };
	return call->limit_hit || call->nomem;
}

static void scan_view(struct screen_call *call, const struct mod_view *v,
                      const struct mod_prefilter *pf, bool deobfuscated)
{
	mod_scratch *sc = call->sc;
	call->view = v;
	call->deobfuscated = deobfuscated;
	call->sent_from = SIZE_MAX;
	call->sent_to = 0;
	sc->qindex.built = false;
	sc->words.built = false;
	if (deobfuscated && build_xfbits(sc, v) < 0) {
		call->nomem = true;
		return;
	}
	if (++sc->scan == 0) {              /* stamps wrapped: forget them all */
		if (call->rs->npatterns)
			memset(sc->stamp, 0, call->rs->npatterns * sizeof *sc->stamp);
		memset(sc->extra_seen, 0, sizeof sc->extra_seen);
		memset(sc->tri, 0, sizeof sc->tri);
		sc->scan = 1;
	}
	mod_prefilter_scan(pf, v->text, v->len, on_literal, call);
	/* what is left open runs in pattern order, as a sweep over all patterns would */
	size_t nwords = (call->rs->npatterns + 63) / 64;
	for (size_t wi = 0; wi < nwords; wi++) {
		uint64_t bits = sc->touched[wi];
		sc->touched[wi] = 0;
		while (bits) {
			uint32_t p = (uint32_t)(wi * 64 + (size_t)__builtin_ctzll(bits));
			bits &= bits - 1;
			const struct hit_window *w = &sc->windows[p];
			if (w->active && !call->limit_hit && !call->nomem)
				run_pattern(call, p, w->start, w->cut, w->first, w->last);
		}
	}
	for (size_t i = 0; i < pf->nfull && !call->limit_hit && !call->nomem; i++)
		run_pattern(call, pf->full[i], 0, v->len, 0, SIZE_MAX);
}

static bool category_is(const mod_match *m, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(m->category, prefix, n) == 0 && (m->category[n] == '\0' || m->category[n] == '.');
}

/* A crisis match the writer says of themselves, now: no context lowered or moved it. */
static bool own_current(const mod_match *m)
{
	return strcmp(m->top, "crisis") == 0 && !category_is(m, "crisis.third_party") &&
	       !(m->context & (MOD_CTX_NEGATION | MOD_CTX_PAST | MOD_CTX_QUOTE | MOD_CTX_MEDIA |
	                       MOD_CTX_QUESTION | MOD_CTX_THIRD_PARTY | MOD_CTX_ADDRESSEE));
}

/* Severity that reads the whole post. Intent ("I've decided", "I want to die") in one sentence
 * and a means or a place in another, with a near time (list near_time) anywhere in the post: each
 * of those matches becomes 4. A burden or hopelessness statement in a post that also has dying
 * wording rises to that wording's severity. Raised matches get MOD_CTX_WHOLE_POST, which the
 * moderator sees explained. */
static void whole_post_severity(struct screen_call *call, mod_result *out)
{
	int intent = 0, means = 0, dying = 0;
	for (size_t i = 0; i < out->count; i++) {
		const mod_match *m = &out->matches[i];
		if (!own_current(m))
			continue;
		if (category_is(m, "crisis.ideation") || category_is(m, "crisis.plan") ||
		    category_is(m, "crisis.farewell"))
			intent++;
		if (category_is(m, "crisis.method"))
			means++;
		if (category_is(m, "crisis.ideation") && m->severity > dying)
			dying = m->severity;
	}
	bool urgent = intent && means &&
	              mod_context_post_has(&call->rs->lists, call->post_view, MOD_LIST_NEAR_TIME, NULL);
	for (size_t i = 0; i < out->count; i++) {
		mod_match *m = &out->matches[i];
		if (!own_current(m))
			continue;
		int to = m->severity;
		if (urgent && (category_is(m, "crisis.ideation") || category_is(m, "crisis.plan") ||
		               category_is(m, "crisis.farewell") || category_is(m, "crisis.method")))
			to = 4;
		else if (dying && (category_is(m, "crisis.burden") || category_is(m, "crisis.hopeless")) &&
		         dying > to)
			to = dying;
		if (to > m->severity) {
			m->severity = to;
			m->context |= MOD_CTX_WHOLE_POST;
		}
	}
}

static void set_top(mod_match *m, const char *category);

/* A crisis match at most this severe, in a post whose model crisis probability is under 0.05
 * (logit -2.944), goes to the concern lane (model_matches). */
#define MODEL_DOUBT_SEVERITY 2
#define MODEL_DOUBT_LOGIT (-2.9444389791664403)

static const char *const model_ids[MOD_MODEL_CATS] = {
	"crisis.model", "stigma.model", "violence.model" };
static const char *const model_notes[MOD_MODEL_CATS] = {
	"Wording close to posts in crisis in the text model's training set; no rule matched. "
	"A statistical guess, often wrong: read the post.",
	"Wording close to stigmatizing posts in the text model's training set; no rule matched. "
	"A statistical guess, often wrong: read the post.",
	"Wording close to posts threatening violence in the text model's training set; no rule "
	"matched. A statistical guess, often wrong: read the post." };

static const char model_note_doubt[] =
	"Crisis wording at a low severity, in a post the text model reads as ordinary (crisis "
	"probability under 0.05): perhaps an idiom, a joke or a story. Moved to the concern lane; "
	"read the post.";

static const char model_note_concern[] =
	"Wording close to posts in crisis in the text model's training set, in a post that speaks to "
	"someone else more than about its writer; no rule matched. Perhaps a reply to someone in "
	"crisis: read the thread.";

/* Who a post speaks as and to, counted over the normal view (case-folded, quotes folded: an
 * apostrophe inside a word is dropped): to_someone when it speaks to someone else more than
 * about its writer (at least two second-person words, "you", "your", "u", "ur"..., and more of
 * them than first-person ones, "i", "me", "my", "im"...); as_writer when it has a first-person
 * word, singular or plural ("we", "us", "our"...). */
struct person_words {
	bool to_someone, as_writer;
};

static struct person_words person_words(const char *t, size_t n)
{
	static const char *const second[] = { "you", "your", "yours", "youre", "yourself", "u", "ur",
		"ya", "youve", "youll", "youd" };
	static const char *const first[] = { "i", "me", "my", "mine", "myself", "im", "ive", "ill",
		"id" };
	static const char *const plural[] = { "we", "us", "our", "ours", "ourselves", "weve", "imma",
		"ima" };
	unsigned you = 0, me = 0, we = 0;
	for (size_t i = 0; i < n;) {
		if (!((t[i] >= 'a' && t[i] <= 'z') || t[i] == '\'')) {
			i++;
			continue;
		}
		char w[16];
		size_t k = 0;
		for (; i < n && ((t[i] >= 'a' && t[i] <= 'z') || t[i] == '\''); i++)
			if (t[i] != '\'' && k < sizeof w - 1)
				w[k++] = t[i];
		w[k] = 0;
		for (size_t j = 0; j < sizeof second / sizeof *second; j++)
			you += strcmp(w, second[j]) == 0;
		for (size_t j = 0; j < sizeof first / sizeof *first; j++)
			me += strcmp(w, first[j]) == 0;
		for (size_t j = 0; j < sizeof plural / sizeof *plural; j++)
			we += strcmp(w, plural[j]) == 0;
	}
	return (struct person_words){ .to_someone = you >= 2 && you > me, .as_writer = me + we > 0 };
}

/* The text model (DIR/text.model) adds a category no rule gave, at severity 2, flag only, over
 * the whole text. Never crisis for a post the rules put in the concern lane (a supportive reply
 * addressed to someone else), nor for one whose crisis words a rule read and a context judged not
 * a crisis (recovery told calmly, talk about a word, a farewell with a return, a game). Violence
 * only for a post with a first-person word: a threat is the writer's own intent, and without one
 * the model's violence guesses are mostly stories about others ("she's going to kill him in the
 * next episode"). out->matches has room for MOD_MODEL_CATS more. */
static void model_matches(struct screen_call *call, mod_result *out, size_t len)
{
	bool have[MOD_MODEL_CATS] = { false }, concern = false, strong_crisis = false;
	for (size_t i = 0; i < out->count; i++) {
		const mod_match *m = &out->matches[i];
		for (unsigned c = 0; c < MOD_MODEL_CATS; c++)
			if (strcmp(m->top, mod_model_category(c)) == 0)
				have[c] = true;
		if (strcmp(m->top, "concern") == 0)
			concern = true;
		if (strcmp(m->top, "crisis") == 0 && (m->severity > MODEL_DOUBT_SEVERITY || m->action == MOD_HOLD))
			strong_crisis = true;
	}
	if (have[0] && have[1] && have[2])
		return;
	unsigned flagged;
	double z[MOD_MODEL_CATS];
	const struct mod_view *v = &call->sc->normal;
	if (mod_model_score(call->rs->model, call->rs->spelling, v->text, v->len, &flagged, z) < 0) {
		call->nomem = true;
		out->needs_review = true;
		return;
	}
	/* Crisis wording only, at a low severity, that the model reads as plainly ordinary (an
	 * idiom, a joke, a story): the matches move to the concern lane, still reviewed, at the
	 * lowest severity. Decided on held-out scores of the tuned corpus (MODEL.md, round 10). */
	if (have[0] && !have[1] && !have[2] && !strong_crisis && z[0] < MODEL_DOUBT_LOGIT) {
		for (size_t i = 0; i < out->count; i++) {
			mod_match *m = &out->matches[i];
			if (strcmp(m->top, "crisis") != 0)
				continue;
			m->category = "concern.doubt";
			set_top(m, m->category);
			m->severity = 1;
			m->note = model_note_doubt;
		}
	}
	struct person_words pw = { false, false };
	if (flagged)
		pw = person_words(v->text, v->len);
	for (unsigned c = 0; c < MOD_MODEL_CATS; c++) {
		if (have[c] || !(flagged & (1u << c)) || (c == 0 && (concern || call->crisis_judged)) ||
		    (c == 2 && !pw.as_writer))
			continue;
		/* an idiom of dying no rule reads ("I was killing myself laughing"): not the model's
		 * crisis either; the rules still read any crisis words around it */
		if (c == 0 && mod_context_post_has(&call->rs->lists, v, MOD_LIST_IDIOM, NULL))
			continue;
		/* A reply that speaks to someone ("would you tell me what tonight is like?") is not the
		 * writer's own crisis: the model's guess goes to the concern lane (issue 10). */
		bool to_someone = c == 0 && pw.to_someone;
		/* matches stay ordered by start: this one starts at 0 */
		memmove(out->matches + 1, out->matches, out->count * sizeof *out->matches);
		out->count++;
		mod_match *m = &out->matches[0];
		*m = (mod_match){ .rule_id = model_ids[c], .category = to_someone ? "concern.model" :
			model_ids[c], .severity = to_someone ? 1 : 2, .rule_severity = 2, .action = MOD_FLAG,
			.start = 0, .end = len, .note = to_someone ? model_note_concern : model_notes[c] };
		set_top(m, m->category);
	}
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
	out->matches = calloc(kept + synthetic + MOD_MODEL_CATS, sizeof *out->matches);
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
	whole_post_severity(call, out);
	if (rs->model && !call->nomem)
		model_matches(call, out, len);
	n = out->count;
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

mod_scratch *mod_scratch_new(void)
{
	mod_scratch *sc = calloc(1, sizeof *sc);
	if (sc && !(sc->md = pcre2_match_data_create(1, NULL))) {
		free(sc);
		return NULL;
	}
	return sc;
}

static void scratch_free_pattern_tables(mod_scratch *sc)
{
	free(sc->windows);
	free(sc->extra_last);
	free(sc->stamp);
	free(sc->touched);
	sc->windows = NULL;
	sc->extra_last = NULL;
	sc->stamp = NULL;
	sc->touched = NULL;
	sc->npatcap = 0;
}

void mod_scratch_free(mod_scratch *sc)
{
	if (!sc)
		return;
	pcre2_match_data_free(sc->md);
	pcre2_match_context_free(sc->mctx);
	pcre2_match_context_free(sc->mctx_limit);
	pcre2_jit_stack_free(sc->jit_stack);
	mod_view_free(&sc->normal);
	mod_view_free(&sc->deob);
	mod_view_free(&sc->deob_flipped);
	mod_view_free(&sc->spelled);
	mod_quote_index_free(&sc->qindex);
	mod_word_starts_free(&sc->words);
	free(sc->xfbits);
	scratch_free_pattern_tables(sc);
	free(sc->cands);
	free(sc);
}

/* Match contexts copied from the ruleset's. */
static int scratch_contexts(mod_scratch *sc, const mod_ruleset *rs)
{
	if (sc->mctx && sc->mctx_serial == rs->serial)
		return 0;
	pcre2_match_context_free(sc->mctx);
	pcre2_match_context_free(sc->mctx_limit);
	sc->mctx = pcre2_match_context_copy(rs->mctx);
	sc->mctx_limit = pcre2_match_context_copy(rs->mctx);
	if (!sc->mctx || !sc->mctx_limit) {
		pcre2_match_context_free(sc->mctx);
		pcre2_match_context_free(sc->mctx_limit);
		sc->mctx = sc->mctx_limit = NULL;
		return -1;
	}
	if (sc->jit_stack) {
		pcre2_jit_stack_assign(sc->mctx, NULL, sc->jit_stack);
		pcre2_jit_stack_assign(sc->mctx_limit, NULL, sc->jit_stack);
	}
	sc->mctx_serial = rs->serial;
	return 0;
}

/* Per-pattern tables for npatterns patterns. */
static int scratch_fit(mod_scratch *sc, size_t npatterns)
{
	if (npatterns <= sc->npatcap && sc->windows)
		return 0;
	scratch_free_pattern_tables(sc);
	size_t n = npatterns ? npatterns : 1;
	sc->windows = malloc(n * sizeof *sc->windows);
	sc->extra_last = malloc(n * MOD_LIT_EXTRA_MAX * sizeof *sc->extra_last);
	sc->stamp = calloc(n, sizeof *sc->stamp);
	sc->touched = calloc((n + 63) / 64, sizeof *sc->touched);
	if (!sc->windows || !sc->extra_last || !sc->stamp || !sc->touched) {
		scratch_free_pattern_tables(sc);
		return -1;
	}
	sc->npatcap = n;
	sc->scan = 0;
	return 0;
}

/* After a call: give back what a long text made grow. */
static void scratch_trim(mod_scratch *sc)
{
	if (sc->normal.cap > SCRATCH_KEEP || sc->normal.mapcap > SCRATCH_KEEP)
		mod_view_free(&sc->normal);
	if (sc->deob.cap > SCRATCH_KEEP || sc->deob.mapcap > SCRATCH_KEEP)
		mod_view_free(&sc->deob);
	if (sc->deob_flipped.cap > SCRATCH_KEEP || sc->deob_flipped.mapcap > SCRATCH_KEEP)
		mod_view_free(&sc->deob_flipped);
	if (sc->spelled.cap > SCRATCH_KEEP || sc->spelled.mapcap > SCRATCH_KEEP)
		mod_view_free(&sc->spelled);
	mod_quote_index_trim(&sc->qindex);
	mod_word_starts_trim(&sc->words);
	if (sc->xfcap > SCRATCH_KEEP / 64) {
		free(sc->xfbits);
		sc->xfbits = NULL;
		sc->xfcap = 0;
	}
	if (sc->capcands > 64) {
		free(sc->cands);
		sc->cands = NULL;
		sc->capcands = 0;
	}

}

enum mod_err mod_screen_with(const mod_ruleset *rs, mod_scratch *sc, const char *text, size_t len,
                             mod_result *out)
{
	struct screen_call call = { .rs = rs, .post_recovered = -1, .post_returns = -1 };
	bool invalid = false;
	enum mod_err rc;

	memset(out, 0, sizeof *out);
	if (!rs || (!text && len)) {
		out->needs_review = true;
		return MOD_ERR_LIMIT;
	}
	mod_scratch *own = NULL;
	if (!sc || sc->in_use) {
		if (!(sc = own = mod_scratch_new())) {
			out->needs_review = true;
			return MOD_ERR_NOMEM;
		}
	}
	sc->in_use = true;
	call.sc = sc;
	call.md = sc->md;
	call.cands = sc->cands;
	call.capcands = sc->capcands;
	if (len > MOD_TEXT_MAX) {
		len = MOD_TEXT_MAX;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
		call.limit_hit = true;
	}
	call.text_len = len;
	struct mod_view *normal = &sc->normal, *deob = &sc->deob, *flipped = &sc->deob_flipped;
	int spelled = 0;
	call.post_view = normal;
	if (scratch_fit(sc, rs->npatterns) < 0 || scratch_contexts(sc, rs) < 0 ||
	    mod_view_normal_into(normal, text ? text : "", len, &invalid) < 0 ||
	    (spelled = mod_view_spelling_into(&sc->spelled, normal, rs->spelling)) < 0) {
		call.nomem = true;
		goto done;
	}
	if (spelled)
		call.post_view = &sc->spelled;
	scan_view(&call, normal, &rs->pf_normal, false);
	if (spelled)
		scan_view(&call, &sc->spelled, &rs->pf_normal, true);
	if ((rs->pf_deob.nentries || rs->pf_deob.nfull) && mod_view_needs_deobfuscation(normal)) {
		if (mod_view_deobfuscate_into(deob, normal, false) < 0) {
			call.nomem = true;
			goto done;
		}
		if (deob->xf_any & ~(unsigned)MOD_XF_EMPHASIS)
			scan_view(&call, deob, &rs->pf_deob, true);
		if (deob->ambiguous) {
			if (mod_view_deobfuscate_into(flipped, normal, true) < 0) {
				call.nomem = true;
				goto done;
			}
			scan_view(&call, flipped, &rs->pf_deob, true);
		}
	}
done:
	rc = fill_result(&call, out, len, invalid);
	sc->cands = call.cands;
	sc->capcands = call.capcands;
	sc->in_use = false;
	if (own)
		mod_scratch_free(own);
	else
		scratch_trim(sc);
	return rc;
}

/* One scratch per thread for mod_screen(), freed when the thread ends. */
static pthread_key_t scratch_key;
static bool scratch_key_ok;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_destroy(void *sc)
{
	mod_scratch_free(sc);
}

static void scratch_key_init(void)
{
	scratch_key_ok = pthread_key_create(&scratch_key, scratch_destroy) == 0;
}

static mod_scratch *thread_scratch(void)
{
	pthread_once(&scratch_once, scratch_key_init);
	if (!scratch_key_ok)
		return NULL;
	mod_scratch *sc = pthread_getspecific(scratch_key);
	if (!sc && (sc = mod_scratch_new()) && pthread_setspecific(scratch_key, sc) != 0) {
		mod_scratch_free(sc);
		sc = NULL;
	}
	return sc;
}

enum mod_err mod_screen(const mod_ruleset *rs, const char *text, size_t len, mod_result *out)
{
	return mod_screen_with(rs, thread_scratch(), text, len, out);
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
