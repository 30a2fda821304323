/*
 * test_mod.c: unit tests of the moderation filter: views and offset maps, the default rules on
 * known texts, context modifiers, transforms, limits, and every rule-file error.
 * Run from the source or build directory; the rules come from $HEARTH_SRCDIR/moderation/rules,
 * else ./moderation/rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mod_internal.h"
#include "tap.h"

static mod_ruleset *rules;

static const mod_match *find(const mod_result *res, const char *rule_id)
{
	for (size_t i = 0; i < res->count; i++)
		if (strcmp(res->matches[i].rule_id, rule_id) == 0)
			return &res->matches[i];
	return NULL;
}

/* Screens text and returns the match of rule_id (copied into *out), or false. */
static bool screen_for(const char *text, const char *rule_id, mod_match *out, mod_result *res_out)
{
	mod_result res;
	mod_screen(rules, text, strlen(text), &res);
	const mod_match *m = find(&res, rule_id);
	if (m && out)
		*out = *m;
	if (res_out)
		*res_out = res;
	else
		mod_result_free(&res);
	return m != NULL;
}

static void span_is(const char *text, const mod_match *m, const char *want, const char *name)
{
	char got[256];
	size_t n = m->end - m->start < sizeof got - 1 ? m->end - m->start : sizeof got - 1;
	memcpy(got, text + m->start, n);
	got[n] = '\0';
	TAP_STREQ(got, want, "%s: span", name);
}

static void test_prefilter_index(void);

static void test_views(void)
{
	struct mod_view v;
	bool invalid;
	const char *text = "\xef\xbc\xab\xef\xbc\xa9ll Caf\xc3\xa9 don\xe2\x80\x99t ki\xe2\x80\x8bll";
	TAP_OK(mod_view_normal(&v, text, strlen(text), &invalid) == 0 && !invalid, "normal view builds");
	TAP_STREQ(v.text, "kill cafe don't kill", "NFKC, case fold, marks, quotes, ignorables");
	TAP_OK(v.src[0] == 0 && v.srclen[0] == 3 && v.src[1] == 3, "fullwidth letters map to their bytes");
	mod_view_free(&v);

	text = "kil**l** my*self* s_u_i_c_i_d_e 5 * 3";
	mod_view_normal(&v, text, strlen(text), &invalid);
	TAP_STREQ(v.text, "kill myself suicide 5 * 3", "emphasis inside words removed, arithmetic kept");
	TAP_OK(v.xf_any & MOD_XF_EMPHASIS, "emphasis transform recorded");
	struct mod_view d;
	TAP_OK(mod_view_deobfuscate(&d, &v, false) == 0, "deobfuscated view builds");
	mod_view_free(&d);
	mod_view_free(&v);

	text = "k i l l  m y s e l f, s.u.i.c.i.d.e, k1ll, 5u1c1d3, \xd1\x81\xd0\xb0t, killllll, took 10mg";
	mod_view_normal(&v, text, strlen(text), &invalid);
	TAP_OK(mod_view_needs_deobfuscation(&v), "obfuscated text needs the second view");
	mod_view_deobfuscate(&d, &v, false);
	TAP_STREQ(d.text, "kill myself, suicide, kill, suicide, cat, kil, took 10mg",
	          "spacing, leet, homoglyph, squeeze; units kept");
	mod_view_free(&d);
	mod_view_free(&v);

	text = "had a lovely walk, then tea.";
	mod_view_normal(&v, text, strlen(text), &invalid);
	TAP_OK(!mod_view_needs_deobfuscation(&v), "ordinary text skips the second view");
	mod_view_free(&v);

	/* issue 10: masked letters, split words, emoji for words, spaced letters after a one-letter
	 * word; a word that only looks split stays as it is */
	text = "k*ll s**cide su-i-cide ha.ng.ing i w a n t t o d i e, a l o o n y, be \xf0\x9f\x92\x80, "
	       "\xe2\x9a\xb0\xef\xb8\x8f myself, me+\xf0\x9f\xaa\xa2, \xf0\x9f\x92\x8a\xf0\x9f\x92\x8a all, "
	       "well-known";
	mod_view_normal(&v, text, strlen(text), &invalid);
	TAP_OK(strstr(v.text, "k*ll s**cide") != NULL, "a lone '*' inside a word is a mask, kept in the normal view");
	TAP_OK(mod_view_needs_deobfuscation(&v), "masks, splits and emoji need the second view");
	mod_view_deobfuscate(&d, &v, false);
	TAP_STREQ(d.text, "kill suicide suicide hanging i want to die, a loony, be dead, kill myself, "
	          "me+rope, pills all, well-known", "masks, splits, emoji and spaced words read");
	size_t at = (size_t)(strstr(d.text, "dead") - d.text);
	TAP_OK(mod_view_xf(&d, at) & MOD_XF_EMOJI, "the emoji transform is recorded");
	TAP_OK(mod_view_src(&d, at) == (uint32_t)(strstr(text, "\xf0\x9f\x92\x80") - text),
	       "the emoji word maps back to the emoji");
	mod_view_free(&d);
	mod_view_free(&v);

	text = "an end. next one - and 3 more";
	mod_view_normal(&v, text, strlen(text), &invalid);
	TAP_OK(!mod_view_needs_deobfuscation(&v), "a sentence end or a spaced dash is not a split word");
	mod_view_free(&v);

	/* a word split once ("kni.fe") needs the second view on its own, not only when something
	 * else in the post builds it; a hyphenated word stays as it is there */
	text = "the kni.fe, suic.ide, mysel-f and a well-known walk";
	mod_view_normal(&v, text, strlen(text), &invalid);
	TAP_OK(mod_view_needs_deobfuscation(&v), "one joint inside a word needs the second view");
	mod_view_deobfuscate(&d, &v, false);
	TAP_STREQ(d.text, "the knife, suicide, myself and a well-known walk", "a word split once is joined");
	mod_view_free(&d);
	mod_view_free(&v);

	mod_view_normal(&v, "a\xff" "b", 3, &invalid);
	TAP_OK(invalid && strcmp(v.text, "a\xef\xbf\xbd" "b") == 0 && v.src[4] == 2,
	       "invalid byte becomes U+FFFD, map stays exact");
	mod_view_free(&v);
}

static void test_literals(void)
{
	struct mod_litset ls;
	size_t off;
	TAP_OK(mod_literals("\\bkil+\\s*myself\\b", 17, &ls, &off) == MOD_LIT_OK &&
	       ls.primary.count >= 1, "literals of a sequence");
	TAP_OK(mod_literals("(?i)abc", 7, &ls, &off) == MOD_LIT_NONE, "unknown construct: no literal");
	TAP_OK(mod_literals("\\bKill", 6, &ls, &off) == MOD_LIT_UPPERCASE && off == 2,
	       "upper-case literal found with its offset");
	TAP_OK(mod_literals("a.b", 3, &ls, &off) == MOD_LIT_NONE, "too short: no literal");
}

static void test_default_rules(void)
{
	mod_match m;
	mod_result res;
	const char *t = "Honestly I want to kill myself.";
	TAP_OK(screen_for(t, "crisis.ideation.active", &m, NULL), "active ideation found");
	span_is(t, &m, "kill myself", "active ideation");
	TAP_OK(m.severity == 3 && m.action == MOD_FLAG && m.transforms == 0 && strcmp(m.top, "crisis") == 0,
	       "active ideation: severity 3, flag, plain view");

	t = "gonna k1ll mys3lf";
	TAP_OK(screen_for(t, "crisis.ideation.active", &m, NULL) && (m.transforms & MOD_XF_LEET),
	       "leetspeak found, transform leet");
	span_is(t, &m, "k1ll mys3lf", "leetspeak");

	t = "i will k i l l  m y s e l f";
	TAP_OK(screen_for(t, "crisis.ideation.active", &m, NULL) && (m.transforms & MOD_XF_SPACING),
	       "spaced letters found, transform spacing");
	span_is(t, &m, "k i l l  m y s e l f", "spacing");

	t = "want to \xd0\xba\xd1\x96ll myself";
	TAP_OK(screen_for(t, "crisis.ideation.active", &m, NULL) && (m.transforms & MOD_XF_HOMOGLYPH),
	       "look-alike letters found, transform homoglyph");

	t = "I want to kil**l** my*self*";
	TAP_OK(screen_for(t, "crisis.ideation.active", &m, NULL) && (m.transforms & MOD_XF_EMPHASIS),
	       "emphasis inside words, transform emphasis");

	TAP_OK(screen_for("I would never kill myself", "crisis.ideation.active", &m, NULL) &&
	       m.severity == 2 && (m.context & MOD_CTX_NEGATION), "negation lowers severity, keeps match");
	TAP_OK(screen_for("I didn't want to die last year, honestly", "crisis.ideation.passive", &m, NULL) &&
	       m.severity == 1 && (m.context & MOD_CTX_PAST) && (m.context & MOD_CTX_NEGATION),
	       "past and negation never go below 1");
	/* "used to want to" is the past told in recovery, not a current "want to" */
	TAP_OK(!screen_for("I used to want to die years ago", "crisis.ideation.passive", &m, NULL),
	       "'used to want to ... years ago' is recovery: suppressed");
	TAP_OK(screen_for("my brother said he'd kill himself", "crisis.ideation.active", &m, NULL) &&
	       strcmp(m.category, "crisis.third_party") == 0 && strcmp(m.top, "crisis") == 0,
	       "third party renames the subcategory");
	TAP_OK(screen_for("> I want to kill myself\nthat line from the song haunts me",
	                  "crisis.ideation.active", &m, NULL) && (m.context & MOD_CTX_QUOTE),
	       "blockquote is quote context");

	static const char *const idioms[] = {
		"this exam is killing me", "I'm dying to see it", "I could kill for a coffee",
		"I'd kill to be there", "she killed it on stage", "dead tired today", "a cake to die for",
		"I was killing myself laughing",
	};
	for (size_t i = 0; i < sizeof idioms / sizeof *idioms; i++) {
		mod_screen(rules, idioms[i], strlen(idioms[i]), &res);
		TAP_OK(!res.crisis && res.count == 0, "idiom raises nothing: %s", idioms[i]);
		mod_result_free(&res);
	}

	TAP_OK(screen_for("I took 30 pills", "crisis.method", &m, &res) && m.action == MOD_HOLD &&
	       res.strongest_action == MOD_HOLD && res.max_severity == 4 && res.crisis,
	       "method is held, result aggregates");
	mod_result_free(&res);

	TAP_OK(screen_for("my uncle committed suicide", "stigma.committed", &m, NULL) &&
	       m.action == MOD_NUDGE && m.suggestion && strcmp(m.suggestion, "died by suicide") == 0,
	       "stigma nudges with a suggestion");
	TAP_OK(!screen_for("as a schizo myself I laughed", "stigma.slur", NULL, NULL),
	       "self-description suppresses stigma");
	TAP_OK(!screen_for("stop saying 'committed suicide' please", "stigma.committed", NULL, NULL),
	       "criticism suppresses stigma");

	mod_screen(rules, "", 0, &res);
	TAP_OK(res.count == 0 && res.max_severity == 0 && res.strongest_action == 0, "empty text");
	mod_result_free(&res);

	enum mod_err rc = mod_screen(rules, "bad \xc3( kill myself", 18, &res);
	TAP_OK(rc == MOD_ERR_UTF8 && res.needs_review && find(&res, "filter.utf8") &&
	       find(&res, "crisis.ideation.active"), "invalid UTF-8: review, still screened");
	mod_result_free(&res);

	/* matches are ordered by start */
	t = "goodbye everyone. I have a plan to kill myself tonight.";
	mod_screen(rules, t, strlen(t), &res);
	bool ordered = res.count >= 2;
	for (size_t i = 1; i < res.count; i++)
		ordered &= res.matches[i - 1].start <= res.matches[i].start;
	TAP_OK(ordered, "several matches, ordered by start (%zu)", res.count);
	mod_result_free(&res);
}

/* ---- rule-file errors ---------------------------------------------------------------------- */

static char tmpdir[] = "/tmp/test_mod.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

#define RULE_HEAD "rule t.one\ncategory crisis.test\nseverity 2\naction flag\n"
#define RULE_TAIL "note n\ntest+ abc def\nend\n"

static void expect_error(const char *text, enum mod_err want, const char *want_msg,
                         const char *name)
{
	char err[1024];
	mod_ruleset *rs = NULL;
	write_file("t.rules", text);
	enum mod_err rc = mod_ruleset_load(tmpdir, &rs, err, sizeof err);
	TAP_OK(rc == want && !rs && strstr(err, want_msg) && strstr(err, "t.rules:"),
	       "%s -> %s (%s)", name, want_msg, err);
	mod_ruleset_free(rs);
}

static void test_lexicons(void);
static void test_factored_lexicon(void);
static void test_many_lexicons(void);
static bool finds(mod_ruleset *rs, const char *text, const char *rule_id, const char *want,
                  int xf_want);

struct pf_hits { size_t n; uint32_t pat[64]; size_t start[64]; };

static int collect_hit(void *arg, uint32_t pattern, unsigned group, size_t start, size_t end)
{
	(void)group;
	(void)end;
	struct pf_hits *h = arg;
	if (h->n < 64) {
		h->pat[h->n] = pattern;
		h->start[h->n] = start;
	}
	h->n++;
	return 0;
}
static void test_model(void);
static void test_shortcuts(void);
static void test_number_cues(void);
static void test_spelling(void);

static void test_rule_errors(void)
{
	if (!mkdtemp(tmpdir)) {
		TAP_OK(0, "mkdtemp");
		return;
	}
	char err[1024];
	mod_ruleset *rs = NULL;
	write_file("t.rules", RULE_HEAD "pattern abc\\s+def\n" RULE_TAIL);
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK && mod_ruleset_count(rs) == 1 &&
	       strlen(mod_ruleset_version(rs)) == 16, "minimal rule loads (%s)", err);
	mod_ruleset_free(rs);

	expect_error(RULE_HEAD "pattern abc\nfrobnicate x\n" RULE_TAIL, MOD_ERR_SYNTAX,
	             ":6: unknown keyword", "unknown keyword");
	expect_error(RULE_HEAD "pattern abc\nnote n\ntest+ abc\n", MOD_ERR_SYNTAX, "has no 'end'",
	             "missing end");
	expect_error(RULE_HEAD "pattern abc\n" RULE_TAIL RULE_HEAD "pattern abc\n" RULE_TAIL,
	             MOD_ERR_SYNTAX, "duplicate rule id", "duplicate id");
	expect_error("rule t.one\ncategory c.x\nseverity 5\n", MOD_ERR_SYNTAX, ":3: severity must be",
	             "severity out of range");
	expect_error(RULE_HEAD "pattern abc\ntest+ abc\nend\n", MOD_ERR_SYNTAX, "missing note",
	             "missing note");
	expect_error(RULE_HEAD "pattern abc\nnote n\nend\n", MOD_ERR_SYNTAX, "missing test+",
	             "missing test+");
	expect_error("rule s.one\ncategory stigma.x\nseverity 1\naction nudge\npattern abc\nnote n\n"
	             "test+ abc\nend\n", MOD_ERR_SYNTAX, "missing suggest", "stigma without suggest");
	expect_error(RULE_HEAD "pattern ab(c\n" RULE_TAIL, MOD_ERR_PATTERN,
	             ":5: pattern error at offset 4: missing closing parenthesis", "pcre2 error");
	expect_error(RULE_HEAD "pattern \\bKill\n" RULE_TAIL, MOD_ERR_PATTERN, "upper-case 'K'",
	             "upper-case pattern");
	expect_error(RULE_HEAD "pattern a*\n" RULE_TAIL, MOD_ERR_PATTERN, "empty text",
	             "pattern matching empty text");
	expect_error(RULE_HEAD "pattern abc\nnote n\ntest+ abd\nend\n", MOD_ERR_EXAMPLE,
	             ":7: rule t.one: test+ does not match", "failing test+");
	expect_error(RULE_HEAD "pattern abc\nnote n\ntest+ abc\ntest- xabc\nend\n", MOD_ERR_EXAMPLE,
	             ":8: rule t.one: test- matches", "failing test-");
	expect_error("pattern abc\n", MOD_ERR_SYNTAX, ":1: 'pattern' outside a rule block",
	             "keyword outside a rule");
	expect_error("rule filter.x\n", MOD_ERR_SYNTAX, "reserved", "reserved id");
	expect_error(RULE_HEAD "view sideways\n", MOD_ERR_SYNTAX, "view must be", "bad view");
	expect_error(RULE_HEAD "context negation sarcasm\n", MOD_ERR_SYNTAX, "unknown context",
	             "bad context");
	char *longline = malloc(MOD_LINE_MAX + 64);
	if (longline) {
		memset(longline, 'a', MOD_LINE_MAX + 10);
		memcpy(longline, "# ", 2);
		strcpy(longline + MOD_LINE_MAX + 10, "\n");
		expect_error(longline, MOD_ERR_LIMIT, ":1: line longer than", "line too long");
		free(longline);
	}

	/* A pattern that backtracks without end: the limit sends the text to review. */
	write_file("t.rules", RULE_HEAD "pattern \\bx(?:a|aa)+b\n" "note n\ntest+ xaab\nend\n");
	rs = NULL;
	if (mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK) {
		char text[200] = "x";
		memset(text + 1, 'a', 120);
		strcpy(text + 121, "c b");
		mod_result res;
		enum mod_err rc = mod_screen(rs, text, strlen(text), &res);
		TAP_OK(rc == MOD_ERR_LIMIT && res.needs_review && find(&res, "filter.limit") &&
		       strcmp(find(&res, "filter.limit")->top, "review") == 0,
		       "match limit -> review with filter.limit");
		mod_result_free(&res);
	} else {
		TAP_OK(0, "backtracking rule loads: %s", err);
	}
	mod_ruleset_free(rs);

	test_lexicons();
	test_model();
	test_shortcuts();
	test_number_cues();
	test_spelling();

	/* context.lists errors */
	write_file("t.rules", RULE_HEAD "pattern abc\n" RULE_TAIL);
	write_file("context.lists", "list negation\ncue never\nend\n");
	rs = NULL;
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_ERR_SYNTAX &&
	       strstr(err, "context.lists:2: cue before any 'scope'"), "context.lists error (%s)", err);
	mod_ruleset_free(rs);
	char path[512];
	snprintf(path, sizeof path, "%s/context.lists", tmpdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/t.rules", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}


/* ---- issue 10: lanes, contexts and the bugs it names ------------------------------------------ */

static bool has_top(const mod_result *res, const char *top)
{
	for (size_t i = 0; i < res->count; i++)
		if (strcmp(res->matches[i].top, top) == 0)
			return true;
	return false;
}

/* Screens text; returns the result (free it) */
static mod_result screened(const char *text)
{
	mod_result res;
	mod_screen(rules, text, strlen(text), &res);
	return res;
}

/* Each text screened: res.crisis must be want ("label: text (first rule id)"). */
static void expect_crisis_each(const char *const *texts, size_t n, bool want, const char *label)
{
	for (size_t i = 0; i < n; i++) {
		mod_result res = screened(texts[i]);
		TAP_OK(res.crisis == want, "%s: %s (first %s)", label, texts[i],
		       res.count ? res.matches[0].rule_id : "-");
		mod_result_free(&res);
	}
}
#define EXPECT_CRISIS_EACH(texts, want, label) \
	expect_crisis_each(texts, sizeof texts / sizeof *texts, want, label)

static void test_issue10(void)
{
	/* "anymore" is not talk of the past: intent + tonight stays at severity 4 */
	mod_result res = screened("I can't do this anymore, I want to end it all tonight");
	bool past = false;
	for (size_t i = 0; i < res.count; i++)
		past |= (res.matches[i].context & MOD_CTX_PAST) != 0;
	TAP_OK(res.crisis && res.max_severity == 4 && !past,
	       "'anymore' + intent + tonight: crisis at severity 4, no past context (got %d)",
	       res.max_severity);
	mod_result_free(&res);

	/* whole-post severity: intent, then a means in another sentence, with a near time in a third */
	res = screened("I've decided I want to die. The pills are saved in my drawer. It will be on friday.");
	bool raised = false;
	for (size_t i = 0; i < res.count; i++)
		raised |= (res.matches[i].context & MOD_CTX_WHOLE_POST) != 0;
	TAP_OK(res.crisis && res.max_severity == 4 && raised,
	       "intent + means + near time across sentences: severity 4, whole_post (got %d)",
	       res.max_severity);
	mod_result_free(&res);
	res = screened("I've decided I want to die. The pills are saved in my drawer.");
	raised = false;
	for (size_t i = 0; i < res.count; i++)
		raised |= (res.matches[i].context & MOD_CTX_WHOLE_POST) != 0;
	TAP_OK(res.crisis && !raised, "intent + means without a near time: no whole-post raise");
	mod_result_free(&res);
	res = screened("I feel like such a burden. I want to die.");
	int burden = 0;
	for (size_t i = 0; i < res.count; i++)
		if (strcmp(res.matches[i].category, "crisis.burden") == 0)
			burden = res.matches[i].severity;
	TAP_OK(burden == 3, "burden with dying wording rises to its severity (got %d)", burden);
	mod_result_free(&res);
	res = screened("I feel like such a burden on everyone lately.");
	burden = 0;
	for (size_t i = 0; i < res.count; i++)
		if (strcmp(res.matches[i].category, "crisis.burden") == 0)
			burden = res.matches[i].severity;
	TAP_OK(burden == 1, "burden alone keeps its severity (got %d)", burden);
	mod_result_free(&res);

	/* replies addressed to someone in crisis go to the concern lane, not crisis */
	static const char *const replies[] = {
		"are you suicidal? you can tell me",
		"it's not worth it to kill yourself, please call the hotline",
		"please don't kill yourself, we care about you",
	};
	for (size_t i = 0; i < sizeof replies / sizeof *replies; i++) {
		res = screened(replies[i]);
		TAP_OK(!res.crisis && has_top(&res, "concern") && res.max_severity == 1,
		       "addressee reply in the concern lane: %s", replies[i]);
		mod_result_free(&res);
	}
	res = screened("are you suicidal? because I want to kill myself tonight");
	TAP_OK(res.crisis, "a reply that also says the writer's own crisis stays crisis");
	mod_result_free(&res);
	/* a reply that answers the other person's own words, quoted: concern, first person and all */
	static const char *const answers[] = {
		"you wrote \"after tonight no more me\" and i can't scroll past that. where are you?",
		"hey bro, you said \"no point living\". who's one person you could call right now?",
		"sending you the number again. you don't deserve to die",
	};
	for (size_t i = 0; i < sizeof answers / sizeof *answers; i++) {
		res = screened(answers[i]);
		TAP_OK(!res.crisis && has_top(&res, "concern"), "answer to someone's words in the concern lane: %s",
		       answers[i]);
		mod_result_free(&res);
	}
	res = screened("my friend wrote \"after tonight no more me\" and isn't answering");
	TAP_OK(res.crisis, "someone's words reported by a third person stay crisis");
	mod_result_free(&res);
	res = screened("He screamed \"then go kill yourself\" at me and walked out");
	TAP_OK(res.crisis && !has_top(&res, "concern"), "quoted second person said to the writer is not a reply");
	mod_result_free(&res);

	/* farewells with a return, kms as kilometres, talk about a word */
	static const char *const ordinary[] = {
		"bye everyone, going overseas, see you next week",
		"walked 5 more kms today, legs are done",
		"the hostel is kms away from the station",
		"unalive is a weird word",
		"my son has a mental disability",
		"Three years ago I tried to end my life. Today I ran my first half marathon.",
		"I can't stand people who say schizophrenics are scum",
	};
	for (size_t i = 0; i < sizeof ordinary / sizeof *ordinary; i++) {
		res = screened(ordinary[i]);
		TAP_OK(res.count == 0, "not flagged: %s (%zu matches, first %s)", ordinary[i], res.count,
		       res.count ? res.matches[0].rule_id : "-");
		mod_result_free(&res);
	}
	res = screened("bye everyone, I won't be here much longer");
	TAP_OK(res.crisis && res.max_severity == 4, "a farewell without a return stays severity 4");
	mod_result_free(&res);

	/* talk about a word, and farewells with a return read over the whole post */
	static const char *const not_crisis[] = {
		"\"unalive\" and \"sewer slide\" are algorithm words, weird that we need them",
		"kms = kilometres btw for the ppl in the running gc asking",
		"this is goodbye for a while, starting the new job on the rigs. i'll check in when i'm ashore",
		"this is my last post here for a while, going hospital for knee replacement tomorrow. see you all after i recover",
		"my character jumped off the tower in the game and died from fall damage, classic",
	};
	EXPECT_CRISIS_EACH(not_crisis, false, "not crisis");
	res = screened("won't be here next week. not going on holiday, just not going to be here. the dog goes to my sister");
	TAP_OK(res.crisis, "a farewell that denies the return stays crisis");
	mod_result_free(&res);
	res = screened("i keep typing \"i want to die\" in the search bar and the algorithm shows me hotlines");
	TAP_OK(res.crisis, "a quoted crisis sentence near 'algorithm' is not talk about a word");
	mod_result_free(&res);
	res = screened("does jumping from 6 floors kill you for sure, real life not minecraft");
	TAP_OK(res.crisis, "a game named to say it is real life stays crisis");
	mod_result_free(&res);
	res = screened("goodbye everyone, i won't be back");
	TAP_OK(res.crisis, "'won't be back' is no return");
	mod_result_free(&res);
	res = screened("i can't play the game anymore, i want to die");
	TAP_OK(res.crisis, "'the game' of one's life is not a game context");
	mod_result_free(&res);
	res = screened("goodbye everyone. see you on the other side");
	TAP_OK(res.crisis, "\"the other side\" is no return");
	mod_result_free(&res);
	TAP_STREQ(mod_ctx_name(MOD_CTX_RETURN), "return", "ctx name return");
	TAP_STREQ(mod_ctx_name(MOD_CTX_WHOLE_POST), "whole_post", "ctx name whole_post");

	/* recovery told over the whole post: the past event and the "i'm ok now" in other sentences */
	static const char *const recovered[] = {
		"my attempt was in 2019. i dont think about it much now.",
		"when my wife died in 2016 i took a lot of pills once. that was long ago. i'm ok now",
		/* "want to" after "used to" is the past, not a current cue */
		"i used to want to die every day. that was 2014. i'm doing ok now",
	};
	EXPECT_CRISIS_EACH(recovered, false, "recovery across sentences not flagged");
	/* the text model adds no crisis where a rule read the crisis words and a context judged them */
	res = screened("i tried to kill myself in 1998. i'm 70 now and life is peaceful");
	TAP_OK(!res.crisis, "recovery judged by the rules: no crisis.model either (first %s)",
	       res.count ? res.matches[0].rule_id : "-");
	mod_result_free(&res);
	/* ...but not when the post says it is back, nor when the crisis sentence has no past */
	static const char *const relapsed[] = {
		"my attempt was in 2019. i was doing well but lately i think about it a lot.",
		"i was doing well. my attempt was in 2019 and i'm planning the next one tonight",
		"everyone says it gets better. i have the pills saved in my drawer",
		"i used to be fine. i'm doing ok at work but i want to die again",
	};
	EXPECT_CRISIS_EACH(relapsed, true, "still crisis");

	/* round 6: the time anchor in another sentence, ages and "N years clean", the present told
	 * positively, and "want to" that is about living */
	static const char *const recovered6[] = {
		"i took an overdose on my 30th birthday, i didn't want to wake up. that was 12 years ago. "
		"im 42, sober, a counsellor. if youre where i was, reach out",
		"3 years ago today i od'd on a bag. today i picked up my 3 year coin. i didnt want to die "
		"that night, i just wanted to get high, and now i just want to live",
		"5 years ago i was the mum posting at 3am about wanting to die. i took an overdose and ended "
		"up in hospital. today that baby started school. i'm ok. it gets better",
		"for years i self harmed because of school. i stopped at 19 with a lot of help. the scars "
		"are faded now",
		"6 years ago i sat in my garage with a hose and the car running. today i coach my "
		"daughter's netball team",
		"i was a hikikomori from 17 to 25. tried to kill myself at 23. i'm 40 now, teach piano to kids",
		"in 2018 i took an overdose. these days i run a bakery and i have a dog. if i can do it, "
		"so can you",
	};
	EXPECT_CRISIS_EACH(recovered6, false, "round 6 recovery not flagged");
	/* ...and the same shapes with a current risk stay crisis */
	static const char *const current6[] = {
		"5 years ago i tried to kill myself. it's back again tonight",
		"i self harmed for years, 2 years clean now. i relapsed last night",
		"i took an overdose on my 30th birthday. that was 12 years ago. im 42 now and i want to "
		"do it again",
		"i tried to kill myself at 23. i'm 40 now and i don't want to live anymore",
		"i'm still here but i want to die",
		"6 years ago i sat in my garage with the car running. i'm in the garage with the engine "
		"running tonight",
		"i took all my pills last night. that was the only way out. i'm ok now, they say",
		"4 years on the app, 0 savings, no future. i'm so done with life",
		"i graduated and i have a dog. in 2018 i took an overdose. it's creeping back.",
	};
	EXPECT_CRISIS_EACH(current6, true, "round 6, current risk stays crisis");
	/* a reply that recalls the writer's own past to reach the reader: concern lane, not crisis */
	static const char *const reach6[] = {
		"I've been where you are, the garage, the car running. please tell someone at your station",
		"I know how much it takes to write down that you want to die, because I've been there, "
		"convinced that everyone would be better off without me. please call someone",
	};
	for (size_t i = 0; i < sizeof reach6 / sizeof *reach6; i++) {
		res = screened(reach6[i]);
		TAP_OK(!res.crisis && has_top(&res, "concern"), "been there: concern lane: %s (first %s)",
		       reach6[i], res.count ? res.matches[0].rule_id : "-");
		mod_result_free(&res);
	}
	res = screened("i've been where you are and i'm back in the garage with the car running tonight");
	TAP_OK(res.crisis, "been there, but tonight: stays crisis");
	mod_result_free(&res);
	res = screened("i've been there, and i want to die again");
	TAP_OK(res.crisis, "been there, but again: stays crisis");
	mod_result_free(&res);

	/* risk to others: its own lane, severity by target and time */
	res = screened("i'm going to shoot up my school");
	TAP_OK(has_top(&res, "violence") && !res.crisis && res.max_severity == 4,
	       "threat against a place: violence at 4");
	mod_result_free(&res);
	res = screened("I'm going to kill my boss");
	TAP_OK(has_top(&res, "violence") && res.max_severity == 3, "threat against a person: violence at 3");
	mod_result_free(&res);
	res = screened("tonight i'm going to hurt my ex");
	TAP_OK(has_top(&res, "violence") && res.max_severity == 4, "threat with a near time: violence at 4");
	mod_result_free(&res);
	res = screened("she's going to kill him in the next episode");
	TAP_OK(!has_top(&res, "violence"), "someone else's intent in fiction is not a threat");
	mod_result_free(&res);
	/* the text model's violence guess needs a first-person word: the same words about someone
	 * else score as high, and no rule reads either */
	res = screened("i'm going to make that ref pay for this, waiting for him at the car park after");
	TAP_OK(has_top(&res, "violence") && strcmp(res.matches[0].rule_id, "violence.model") == 0,
	       "the writer's own intent, no rule: the model's violence guess");
	mod_result_free(&res);
	res = screened("he is going to make that ref pay for this, waiting for him at the car park after");
	TAP_OK(!has_top(&res, "violence"), "another's intent, no first-person word: no model violence");
	mod_result_free(&res);
	/* low-severity crisis wording the model reads as plainly ordinary: the concern lane */
	res = screened("haven't cut in four years now. the scars went pale and i wear t-shirts to the gym again");
	TAP_OK(!res.crisis && has_top(&res, "concern") && res.max_severity == 1 &&
	       strcmp(res.matches[0].category, "concern.doubt") == 0, "calm recovery, model doubts: concern lane");
	mod_result_free(&res);
	res = screened("haven't cut in four years but last night i wanted to so badly, the blade is still in my drawer");
	TAP_OK(res.crisis && res.max_severity >= 3, "the same start with a current risk stays crisis");
	mod_result_free(&res);

	/* group stigma without a slur, suppressed by counter-speech */
	res = screened("schizophrenics are a drain on society");
	TAP_OK(has_top(&res, "stigma"), "identity + dehumanizing predicate: stigma");
	mod_result_free(&res);
	res = screened("he wrote \"schizophrenics are scum\" and got banned, good");
	TAP_OK(!has_top(&res, "stigma"), "quoted stigma is not the writer's");
	mod_result_free(&res);

	/* obfuscation: digits for letters in a short word */
	res = screened("the only thing I want is to d13, nothing else");
	TAP_OK(res.crisis, "d13 read as die");
	mod_result_free(&res);
}

/* ---- lexicons and frames ------------------------------------------------------------------- */

static void collect(void *arg, const char *msg)
{
	char *buf = arg;
	size_t n = strlen(buf);
	snprintf(buf + n, 4096 - n, "%s\n", msg);
}

static void test_lexicons(void)
{
	char err[1024];
	mod_ruleset *rs = NULL;
	write_file("w.lex", "# means\npill/s\nsleeping tablet/s   # two words\n");
	write_file("t.rules", RULE_HEAD "pattern \\b{w}\\b\nnote n\ntest+ took the pills\n"
	           "test+ all my sleeping tablets\ntest- a pillow\nend\n");
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK, "lexicon reference loads (%s)",
	       err);
	if (rs) {
		mod_result res;
		mod_screen(rs, "one sleeping tablet", 19, &res);
		TAP_OK(res.count == 1 && res.matches[0].start == 4 && res.matches[0].end == 19,
		       "an inflection of a two-word entry matches with its span");
		mod_result_free(&res);
	}
	mod_ruleset_free(rs);

	/* every entry must be exercised by a test+ of a rule that uses the lexicon */
	write_file("t.rules", RULE_HEAD "pattern \\b{w}\\b\nnote n\ntest+ took the pills\nend\n");
	char report[4096] = "";
	TAP_OK(mod_ruleset_check(tmpdir, collect, report, NULL, NULL) == MOD_ERR_EXAMPLE &&
	       strstr(report, "w.lex:3: lexicon entry 'sleeping tablet/s' is exercised by no test+"),
	       "rules check names an entry no example exercises (%s)", report);

	/* frames: slots in order within gap words, one sentence */
	write_file("t.rules", RULE_HEAD "frame gap=1 want {w}\nnote n\ntest+ i want pills\n"
	           "test+ want sleeping tablets\ntest+ want two pills\ntest- want one more pill\n"
	           "test- i want. pills\nend\n");
	rs = NULL;
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK, "frame loads, gap and "
	       "sentence respected (%s)", err);
	mod_ruleset_free(rs);

	/* a space inside [...] belongs to its slot ("want[ ]to" is one slot, not two) */
	write_file("t.rules", RULE_HEAD "frame gap=1 want[ ]to {w}\nnote n\ntest+ i want to take pills\n"
	           "test- i want pills\ntest- i want more to take pills\nend\n");
	rs = NULL;
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK,
	       "a character class with a space stays one frame slot (%s)", err);
	mod_ruleset_free(rs);

	expect_error(RULE_HEAD "pattern \\b{nope}\\b\n" RULE_TAIL, MOD_ERR_SYNTAX,
	             ":5: unknown lexicon {nope}", "unknown lexicon");
	expect_error(RULE_HEAD "frame {w}\n" RULE_TAIL, MOD_ERR_SYNTAX, ":5: a frame needs at least two slots",
	             "frame with one slot");
	expect_error(RULE_HEAD "frame gap=99 a {w}\n" RULE_TAIL, MOD_ERR_SYNTAX, ":5: frame gap=N",
	             "frame gap out of range");
	write_file("w.lex", "pill\nSleeping\n");
	write_file("t.rules", RULE_HEAD "pattern \\b{w}\\b\n" RULE_TAIL);
	rs = NULL;
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_ERR_SYNTAX &&
	       strstr(err, "w.lex:2: lexicon entry 'Sleeping': upper-case"),
	       "upper case in a lexicon names file:line (%s)", err);
	mod_ruleset_free(rs);
	test_factored_lexicon();
	char path[512];
	snprintf(path, sizeof path, "%s/w.lex", tmpdir);
	unlink(path);
	test_many_lexicons();
}

/* Up to MOD_LEXICONS_MAX lexicons load, and the check knows which rule uses each of them (a set of
 * bits past the 64th); one more is refused with the limit in the message. */
static void test_many_lexicons(void)
{
	char err[1024], name[96], path[512];
	mod_ruleset *rs = NULL;
	for (int i = 0; i < MOD_LEXICONS_MAX; i++) {
		snprintf(name, sizeof name, "l%03d.lex", i);
		write_file(name, "pill\n");
	}
	/* one rule per lexicon except the last, which no rule uses */
	char *text = NULL;
	size_t text_len = 0;
	FILE *f = open_memstream(&text, &text_len);
	for (int i = 0; f && i < MOD_LEXICONS_MAX - 1; i++)
		fprintf(f, "rule t.l%03d\ncategory crisis.test\nseverity 2\naction flag\n"
		        "pattern \\b{l%03d}\\b\nnote n\ntest+ a pill\nend\n", i, i);
	if (f)
		fclose(f);
	write_file("t.rules", text ? text : "");
	free(text);
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK && rs &&
	       rs->nlexicons == MOD_LEXICONS_MAX, "%d lexicons load (%s)", MOD_LEXICONS_MAX, err);
	mod_ruleset_free(rs);
	char report[4096] = "";
	snprintf(name, sizeof name, "l%03d.lex:1: lexicon {l%03d} is used by no rule",
	         MOD_LEXICONS_MAX - 1, MOD_LEXICONS_MAX - 1);
	TAP_OK(mod_ruleset_check(tmpdir, collect, report, NULL, NULL) == MOD_ERR_EXAMPLE &&
	       strstr(report, name) && !strstr(report, "l064.lex") && !strstr(report, "l000.lex"),
	       "rules check: the lexicon no rule uses, past the 64th, and no other (%s)", report);
	snprintf(name, sizeof name, "l%03d.lex", MOD_LEXICONS_MAX);
	write_file(name, "pill\n");
	rs = NULL;
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_ERR_LIMIT && !rs &&
	       strstr(err, "more than 128 lexicons"), "one lexicon more is refused (%s)", err);
	mod_ruleset_free(rs);
	for (int i = 0; i <= MOD_LEXICONS_MAX; i++) {
		snprintf(path, sizeof path, "%s/l%03d.lex", tmpdir, i);
		unlink(path);
	}
}

/* pcre2 runs a lexicon as a tree of common prefixes (lexicon.c): the same match as the flat
 * longest-first alternation at every start, and a rule whose word is only obfuscated still
 * matches through it. */
static void test_factored_lexicon(void)
{
	char err[1024];
	mod_ruleset *rs = NULL;
	write_file("w.lex", "pill/s/ow\npain/s\ndon't\nx-ray/s\npi\ncafé/s\ncaf\nkill/s/ing\n"
	           "sleeping tablet/s\n");
	write_file("t.rules", "rule t.one\ncategory crisis.test\nseverity 2\naction flag\n"
	           "view both\npattern \\b{w}\nnote n\ntest+ took the pills\nend\n");
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK, "factored lexicon loads (%s)",
	       err);
	if (!rs)
		return;
	const struct mod_lexicon *lex = &rs->lexicons[0];
	TAP_STREQ(lex->alt_factored, "(?:sleeping tablet(?:s|)|kill(?:ing|s|)|caf(?:és|é|)|"
	          "p(?:i(?:ll(?:ow|s|)|)|ain(?:s|))|x(?:[- ]?rays|[- ]?ray)|don'?t)",
	          "factored alternation: groups by plain byte, keeps order, stops at ' - and non-ASCII");
	/* the flat alternation and the factored one find the same match at every start */
	char *flat = malloc(lex->altlen + 8);
	snprintf(flat, lex->altlen + 8, "\\b%s", lex->alt);
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)flat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
	                                 &ec, &eo, NULL);
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	static const char *const texts[] = { "pillows", "pillow", "pills", "pill", "pi", "pains",
		"painkiller", "dont", "don't", "xray", "x-rays", "x ray", "caf", "cafe", "killings",
		"sleeping tablets", "sleeping tabletss", "spill the pills", "kil", "pai" };
	bool same = code && md;
	for (size_t i = 0; i < sizeof texts / sizeof *texts && same; i++) {
		const char *t = texts[i];
		int rc = pcre2_match(code, (PCRE2_SPTR)t, strlen(t), 0, 0, md, NULL);
		mod_result res;
		mod_screen(rs, t, strlen(t), &res);
		if (rc < 0)
			same = res.count == 0;
		else
			same = res.count >= 1 && res.matches[0].start == pcre2_get_ovector_pointer(md)[0] &&
			       res.matches[0].end == pcre2_get_ovector_pointer(md)[1];
		if (!same)
			TAP_OK(false, "factored lexicon: '%s' matched as the flat alternation does", t);
		mod_result_free(&res);
	}
	TAP_OK(same, "factored lexicon: %zu texts matched as the flat alternation matches them",
	       sizeof texts / sizeof *texts);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	free(flat);
	TAP_OK(finds(rs, "i took the p1llz", "t.one", "p1ll", -1) &&
	       finds(rs, "k i l l s", "t.one", "k i l l s", -1),
	       "a lexicon word written only obfuscated still matches (de-obfuscated view)");
	mod_ruleset_free(rs);
	/* a lookbehind takes fixed-length branches only: there the flat alternation runs */
	write_file("w.lex", "ab\nac\n");
	write_file("t.rules", "rule t.one\ncategory crisis.test\nseverity 2\naction flag\n"
	           "pattern (?<={w} )xyz\nnote n\ntest+ ab xyz\nend\n");
	rs = NULL;
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK &&
	       finds(rs, "ac xyz", "t.one", "xyz", -1) && !finds(rs, "ad xyz", "t.one", NULL, -1),
	       "a lexicon inside a lookbehind loads and matches (%s)", err);
	mod_ruleset_free(rs);
}

/* Scans text with pf and compares with a plain search for each of the nl literals: every
 * occurrence reported, nothing else, and (ordered) in order of start, then of literal. */
static bool prefilter_as_oracle(const struct mod_prefilter *pf, const char *const *lits, size_t nl,
                                const char *text, bool ordered, const char *what)
{
	struct pf_hits got = { 0 };
	size_t len = strlen(text), want = 0;
	bool ok = true;
	mod_prefilter_scan(pf, text, len, collect_hit, &got);
	for (size_t i = 0; i + 3 <= len; i++)
		for (size_t k = 0; k < nl; k++)
			if (strncmp(text + i, lits[k], strlen(lits[k])) == 0) {
				if (ordered) {
					ok &= want < got.n && got.pat[want] == k && got.start[want] == i;
				} else {
					bool seen = false;
					for (size_t h = 0; h < got.n; h++)
						seen |= got.pat[h] == k && got.start[h] == i;
					ok &= seen;
				}
				want++;
			}
	ok &= got.n == want;
	if (!ok)
		TAP_OK(false, "%s: '%s' (%zu hits, %zu wanted)", what, text, got.n, want);
	return ok;
}

/* The prefilter's fourth-byte index (a trigram with more than MOD_PF_SLOT_INDEXED literals)
 * reports every occurrence a plain search finds, three-byte literals and the text's end too. */
static void test_prefilter_index(void)
{
	static const char *const lits[] = { "the", "them", "there", "theory", "thesis", "theme",
		"thermal", "thee", "these", "theft", "theatre", "thexyz", "theirs", "abc", "abcd" };
	size_t nl = sizeof lits / sizeof *lits;
	struct mod_prefilter pf = { 0 };
	bool ok = true;
	for (size_t i = 0; i < nl; i++)
		ok &= mod_prefilter_add(&pf, lits[i], strlen(lits[i]), (uint32_t)i, 0) == 0;
	ok &= mod_prefilter_build(&pf) == 0;
	static const char *const texts[] = { "the", "them", "there theory thesis theme thermal",
		"theeee these thefts theatre thexyz theirs", "at the end: the", "abcd abc ab", "tthe",
		"thermathermal", "theirsthe", "abcabcd" };
	for (size_t t = 0; t < sizeof texts / sizeof *texts && ok; t++)
		ok &= prefilter_as_oracle(&pf, lits, nl, texts[t], false, "prefilter index");
	TAP_OK(ok, "prefilter fourth-byte index reports every literal occurrence");
	mod_prefilter_free(&pf);

	/* "the " followed by more than MOD_PF_BUCKET_INDEXED literals: a fifth-byte index, with a
	 * four-byte literal and a literal given twice; hits in order of start, then of pattern */
	static const char *const lits2[] = { "the rope", "the ", "the bridge", "the end", "the edge",
		"the one", "the pills", "the gun", "the way", "the b", "the", "the rope", "the e",
		"thee", "the rest", "the gunx", "the \xffx", "the \xfe" };
	nl = sizeof lits2 / sizeof *lits2;
	pf = (struct mod_prefilter){ 0 };
	ok = true;
	for (size_t i = 0; i < nl; i++)
		ok &= mod_prefilter_add(&pf, lits2[i], strlen(lits2[i]), (uint32_t)i, 0) == 0;
	ok &= mod_prefilter_build(&pf) == 0;
	ok &= pf.nfifth == 1 && pf.fifth_byte[0] == (uint8_t)' ';
	static const char *const texts2[] = { "the rope the bridge, the end", "at the ", "the",
		"the e", "the edge of the one way: the pills, the gun, the gunx the b the way",
		"thee the rest the restless the rope", "the  the\tthe x", "the \xffx the \xfe the \xff" };
	for (size_t t = 0; t < sizeof texts2 / sizeof *texts2 && ok; t++)
		ok &= prefilter_as_oracle(&pf, lits2, nl, texts2[t], true, "prefilter fifth-byte index");
	TAP_OK(ok, "prefilter fifth-byte index reports every literal occurrence, in order");
	mod_prefilter_free(&pf);
}

/* ---- shortcuts of the screening that must not change what it finds ----------------------------- */

/* Screens text with rs; true when rule_id matched with the span want (NULL: any span) and
 * transforms xf_want (-1: any). */
static bool finds(mod_ruleset *rs, const char *text, const char *rule_id, const char *want,
                  int xf_want)
{
	mod_result res;
	mod_screen(rs, text, strlen(text), &res);
	bool ok = false;
	for (size_t i = 0; i < res.count && !ok; i++) {
		const mod_match *m = &res.matches[i];
		if (strcmp(m->rule_id, rule_id) != 0)
			continue;
		ok = (!want || (m->end - m->start == strlen(want) &&
		                memcmp(text + m->start, want, strlen(want)) == 0)) &&
		     (xf_want < 0 || m->transforms == (unsigned)xf_want);
	}
	mod_result_free(&res);
	return ok;
}

static size_t count_rule(mod_ruleset *rs, const char *text, const char *rule_id)
{
	mod_result res;
	mod_screen(rs, text, strlen(text), &res);
	size_t n = 0;
	for (size_t i = 0; i < res.count; i++)
		n += strcmp(res.matches[i].rule_id, rule_id) == 0;
	mod_result_free(&res);
	return n;
}

static void test_shortcuts(void)
{
	char err[1024];
	mod_ruleset *rs = NULL;
	/* t.deob: a "view both" rule; t.week: a sentence pattern whose extra group (this, next, the)
	 * is common, checked by the window's trigrams; t.pil and t.pilz: literals sharing a trigram,
	 * one of them three bytes (the prefilter's fourth-byte mask); t.at: a fourth byte '@', whose
	 * mask bit is the one of the end of the text */
	write_file("t.rules",
	           "rule t.deob\ncategory crisis.test\nseverity 3\naction flag\nview both\n"
	           "pattern \\bkill\\s*myself\\b\nnote n\ntest+ i want to k1ll mys3lf\nend\n"
	           "rule t.week\ncategory crisis.test\nseverity 2\naction flag\n"
	           "pattern \\b(?:this|next|the)\\s+week\\b\nnote n\ntest+ see you next week\n"
	           "test- the. week\nend\n"
	           "rule t.pil\ncategory crisis.test\nseverity 2\naction flag\n"
	           "pattern \\bpil\\b\nnote n\ntest+ a pil\nend\n"
	           "rule t.pilz\ncategory crisis.test\nseverity 2\naction flag\n"
	           "pattern \\bpilz\\b\nnote n\ntest+ a pilz\nend\n"
	           "rule t.at\ncategory crisis.test\nseverity 2\naction flag\n"
	           "pattern xyz@\nnote n\ntest+ a xyz@\nend\n");
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK, "shortcut rules load (%s)",
	       err);
	if (!rs)
		return;
	char text[2048];
	/* the de-obfuscated view runs only windows holding a de-obfuscated byte: a phrase written
	 * plainly is the normal view's, one obfuscated far from it still the de-obfuscated view's */
	TAP_OK(finds(rs, "i want to k1ll mys3lf", "t.deob", "k1ll mys3lf", MOD_XF_LEET),
	       "shortcuts: a phrase that is only obfuscated is found, with its transform");
	snprintf(text, sizeof text, "kill myself. %.*s k i l l  m y s e l f", 700,
	         "it was a long day and nothing much happened, the bus was late again and it rained "
	         "it was a long day and nothing much happened, the bus was late again and it rained "
	         "it was a long day and nothing much happened, the bus was late again and it rained "
	         "it was a long day and nothing much happened, the bus was late again and it rained "
	         "it was a long day and nothing much happened, the bus was late again and it rained "
	         "it was a long day and nothing much happened, the bus was late again and it rained "
	         "it was a long day and nothing much happened, the bus was late again and it rained "
	         "it was a long day and nothing much happened, the bus was late again and it rained "
	         "it was a long day and nothing much happened, the bus was late again and it rained");
	TAP_OK(count_rule(rs, text, "t.deob") == 2 && finds(rs, text, "t.deob", "kill myself", 0) &&
	       finds(rs, text, "t.deob", "k i l l  m y s e l f", MOD_XF_SPACING),
	       "shortcuts: a plain match and an obfuscated one 700 bytes apart are both found");
	TAP_OK(finds(rs, "123456789012345678901234567890123456789012345678901234567890123456789 "
	             "k1ll myself", "t.deob", "k1ll myself", MOD_XF_LEET),
	       "shortcuts: an obfuscated byte past the first 64 of the view is seen");
	/* a common-word extra group, ruled out by trigrams, still found at the window's ends */
	TAP_OK(finds(rs, "next week", "t.week", "next week", 0) &&
	       finds(rs, "ok. see you this week", "t.week", "this week", 0) &&
	       finds(rs, "the    week", "t.week", "the    week", 0) &&
	       !finds(rs, "the. week", "t.week", NULL, -1) &&
	       !finds(rs, "weekly: then week", "t.week", NULL, -1),
	       "shortcuts: a common-word group is found at a window's start and end, not across a "
	       "sentence end or inside another word");
	/* in a long sentence the window's trigrams come from the view's blocks of 64 and its two
	 * ends: a group member is seen wherever it falls against the blocks' bounds */
	bool all = true;
	for (int pad = 0; pad < 140 && all; pad++) {
		char fill[160];
		memset(fill, 'z', sizeof fill);
		for (size_t k = 2; k < sizeof fill; k += 3)
			fill[k] = ' ';
		snprintf(text, sizeof text, "%.*s. %.150s next week", pad, fill, fill);
		all &= finds(rs, text, "t.week", "next week", 0);
		snprintf(text, sizeof text, "%.*s. next week %.150s.", pad, fill, fill);
		all &= finds(rs, text, "t.week", "next week", 0);
		snprintf(text, sizeof text, "%.*s. %.*s the week %.150s.", pad, fill, pad % 70, fill, fill);
		all &= finds(rs, text, "t.week", "the week", 0);
	}
	TAP_OK(all, "shortcuts: a common-word group is found anywhere in a long sentence");
	/* literals sharing a trigram, at the end of the text and before it */
	TAP_OK(finds(rs, "a pil", "t.pil", "pil", 0) && finds(rs, "a pilz", "t.pilz", "pilz", 0) &&
	       !finds(rs, "a pilz", "t.pil", NULL, -1) && finds(rs, "pil pilz", "t.pil", "pil", 0) &&
	       finds(rs, "pil pilz", "t.pilz", "pilz", 0) && !finds(rs, "a pila", "t.pilz", NULL, -1),
	       "shortcuts: three- and four-byte literals on one trigram, at the end of the text too");
	TAP_OK(finds(rs, "xyz@", "t.at", "xyz@", 0) && !finds(rs, "a xyz", "t.at", NULL, -1) &&
	       finds(rs, "so xyz@ then", "t.at", "xyz@", 0),
	       "shortcuts: a literal whose fourth byte shares the end of text's mask bit");
	mod_ruleset_free(rs);
}

/* ---- the text model (DIR/text.model) ----------------------------------------------------------- */

static void expect_model_error(const char *text, enum mod_err want, const char *want_msg,
                               const char *name)
{
	char err[1024];
	mod_ruleset *rs = NULL;
	write_file("text.model", text);
	enum mod_err rc = mod_ruleset_load(tmpdir, &rs, err, sizeof err);
	TAP_OK(rc == want && !rs && strstr(err, want_msg) && strstr(err, "text.model:"),
	       "model: %s -> %s (%s)", name, want_msg, err);
	mod_ruleset_free(rs);
}

#define MODEL_HEAD "# test model\nthreshold crisis 0.5\nbias crisis -1\n"

static void test_model(void)
{
	write_file("t.rules", RULE_HEAD "pattern abc\\s+def\n" RULE_TAIL);
	expect_model_error(MODEL_HEAD "x crisis 1 foo\n", MOD_ERR_SYNTAX,
	                   "text.model:4: unknown line 'x'", "unknown line");
	expect_model_error(MODEL_HEAD "w sadness 1 foo\n", MOD_ERR_SYNTAX,
	                   "text.model:4: unknown category 'sadness'", "unknown category");
	expect_model_error(MODEL_HEAD "w crisis heavy foo\n", MOD_ERR_SYNTAX,
	                   "text.model:4: 'heavy' is not a number", "weight not a number");
	expect_model_error(MODEL_HEAD "w crisis 1\n", MOD_ERR_SYNTAX,
	                   "text.model:4: w CAT WEIGHT FEATURE: wrong number of fields", "missing feature");
	expect_model_error(MODEL_HEAD "w crisis 1 three words here\n", MOD_ERR_SYNTAX,
	                   "text.model:4: feature must be one or two words", "three words");
	expect_model_error(MODEL_HEAD "w crisis 1 Foo\n", MOD_ERR_SYNTAX,
	                   "text.model:4: feature must be", "upper case feature");
	expect_model_error(MODEL_HEAD "w crisis 1 foo\nw crisis 2 foo\n", MOD_ERR_SYNTAX,
	                   "text.model:5: feature 'foo' given twice for crisis", "duplicate");
	expect_model_error("threshold crisis 1.5\n", MOD_ERR_SYNTAX,
	                   "text.model:1: threshold must be between 0 and 1", "threshold range");
	expect_model_error("threshold crisis 0.5\nw crisis 1 foo\n", MOD_ERR_SYNTAX,
	                   "text.model:3: (end of file) category crisis needs a bias line", "no bias");
	expect_model_error("bias crisis 0.5 extra\n", MOD_ERR_SYNTAX,
	                   "text.model:1: bias CAT B: wrong number of fields", "extra field");
	expect_model_error("\xff\n", MOD_ERR_SYNTAX, "text.model: not valid UTF-8", "not UTF-8");

	/* text.model has its own size limit (MOD_MODEL_FILE_MAX), above the 1 MiB of a rule file:
	 * a model of a larger corpus loads; one over the limit is refused with its size */
	{
		size_t line = 4000, big = MOD_RULEFILE_MAX + 64 * 1024, huge = MOD_MODEL_FILE_MAX + 4096;
		char *text = malloc(huge + line + 256);
		if (!text)
			abort();
		size_t n = (size_t)sprintf(text, MODEL_HEAD "w crisis 2.5 heavy\n");
		while (n < big) {
			text[n++] = '#';
			memset(text + n, 'x', line - 2);
			n += line - 2;
			text[n++] = '\n';
		}
		text[n] = '\0';
		write_file("text.model", text);
		char err[1024];
		mod_ruleset *rs = NULL;
		TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK && rs &&
		       mod_model_features(rs->model) == 1,
		       "model: a text.model over 1 MiB (%zu bytes) loads (%s)", n, err);
		mod_ruleset_free(rs);
		while (n < huge) {
			text[n++] = '#';
			memset(text + n, 'x', line - 2);
			n += line - 2;
			text[n++] = '\n';
		}
		text[n] = '\0';
		char want[64];
		snprintf(want, sizeof want, "file larger than %u bytes", MOD_MODEL_FILE_MAX);
		expect_model_error(text, MOD_ERR_LIMIT, want, "over the model size limit");
		free(text);
	}

	/* scoring: "heavy" and "lighter without" push crisis up; one feature is 1 / sqrt(1) */
	write_file("text.model", MODEL_HEAD "w crisis 2.5 heavy\nw crisis 2.5 lighter without\n"
	           "w crisis -3 pizza\nw crisis 0.5 without\n");
	char err[1024];
	mod_ruleset *rs = NULL;
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK, "model loads (%s)", err);
	if (!rs)
		return;
	TAP_OK(mod_model_features(rs->model) == 4, "model: four features");
	unsigned fl;
	double z[MOD_MODEL_CATS];
	const char *t1 = "it is heavy, heavy";
	TAP_OK(mod_model_score(rs->model, NULL, t1, strlen(t1), &fl, z) == 0 && fl == 1 &&
	       z[0] > 1.49 && z[0] < 1.51, "model: a word counts once: z = -1 + 2.5 (%g)", z[0]);
	const char *t2 = "everyone would be lighter without me";
	TAP_OK(mod_model_score(rs->model, NULL, t2, strlen(t2), &fl, z) == 0 && fl == 1 &&
	       z[0] > 1.12 && z[0] < 1.13, "model: pair and word: -1 + 3 / sqrt 2 (%g)", z[0]);
	const char *t3 = "heavy pizza";
	TAP_OK(mod_model_score(rs->model, NULL, t3, strlen(t3), &fl, z) == 0 && fl == 0,
	       "model: below the threshold (%g)", z[0]);
	/* the tokenizer: U+2028 and U+0085 separate words, U+00A0 (same first byte as U+0085) and
	 * U+2019 (as U+2028) are word bytes, an apostrophe inside a word is dropped and one before
	 * it separates; a feature is compared in full (eight bytes at a time) */
	static const struct { const char *text; double z; } tok[] = {
		{ "lighter\xe2\x80\xa8without", 1.1213 }, { "lighter\xc2\x85without", 1.1213 },
		{ "lighter\xe2\x80\xa9without", 1.1213 }, { "lighter\xc2\xa0without", -1 },
		{ "lighter\xe2\x80\x99without", -1 }, { "ligh't'er without", 1.1213 },
		{ "'heavy", 1.5 }, { "lighter withoux", -1 }, { "lighter withou", -1 },
		{ "lighter withoutt", -1 }, { "\xc2\x85heavy", 1.5 },
		{ "heavy\xc2", -1 },
	};
	for (size_t i = 0; i < sizeof tok / sizeof *tok; i++)
		TAP_OK(mod_model_score(rs->model, NULL, tok[i].text, strlen(tok[i].text), &fl, z) == 0 &&
		       z[0] > tok[i].z - 0.001 && z[0] < tok[i].z + 0.001,
		       "model tokenizer: '%s' scores %g (%g)", tok[i].text, tok[i].z, z[0]);

	mod_result res;
	const char *post = "this bag is so Heavy";
	mod_screen(rs, post, strlen(post), &res);
	const mod_match *m = find(&res, "crisis.model");
	TAP_OK(m && m->severity == 2 && m->action == MOD_FLAG && strcmp(m->top, "crisis") == 0 &&
	       m->start == 0 && m->end == strlen(post) && strstr(m->note, "no rule matched"),
	       "model adds crisis.model at severity 2 (normal view: Heavy -> heavy)");
	mod_result_free(&res);
	post = "abc  def, so heavy";
	mod_screen(rs, post, strlen(post), &res);
	TAP_OK(find(&res, "t.one") && !find(&res, "crisis.model"),
	       "model adds nothing when a rule gave the category");
	mod_result_free(&res);
	/* a post that speaks to someone more than about its writer: the model's crisis guess goes to
	 * the concern lane at severity 1; one about the writer stays crisis */
	post = "You said your week was heavy. Would you tell me about it? I'm here";
	mod_screen(rs, post, strlen(post), &res);
	m = find(&res, "crisis.model");
	TAP_OK(m && strcmp(m->top, "concern") == 0 && m->severity == 1 && !res.crisis,
	       "model: a post addressed to someone goes to the concern lane");
	mod_result_free(&res);
	post = "my week was heavy, I don't know what I'd do without you";
	mod_screen(rs, post, strlen(post), &res);
	m = find(&res, "crisis.model");
	TAP_OK(m && strcmp(m->top, "crisis") == 0 && m->severity == 2 && res.crisis,
	       "model: a post about its writer stays crisis (one 'you' against four first person)");
	mod_result_free(&res);
	mod_ruleset_free(rs);

	/* each category has its own threshold: the same z = 1.5 (p 0.82) passes crisis at 0.8
	 * and not violence at 0.85 (the thresholds of the 2026-12-03 model) */
	write_file("text.model", "threshold crisis 0.8\nbias crisis -1\nthreshold violence 0.85\n"
	           "bias violence -1\nw crisis 2.5 heavy\nw violence 2.5 heavy\n");
	rs = NULL;
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK, "model, two thresholds (%s)",
	       err);
	if (rs) {
		TAP_OK(mod_model_score(rs->model, NULL, t1, strlen(t1), &fl, z) == 0 && fl == 1 &&
		       z[0] == z[2] && z[0] > 1.49 && z[0] < 1.51,
		       "model: per-category thresholds, crisis flagged, violence not (%g %g)", z[0], z[2]);
		mod_ruleset_free(rs);
	}

	/* a supportive reply the rules put in the concern lane does not go to crisis */
	write_file("t.rules", "rule t.ask\ncategory crisis.ask\nseverity 2\naction flag\n"
	           "pattern \\bsuicidal\\b\ncontext addressee\nnote n\n"
	           "test+ i feel suicidal\nend\n");
	write_file("context.lists", "list addressee\nscope start\ncue are you\nend\n");
	rs = NULL;
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK, "model + addressee (%s)", err);
	if (rs) {
		post = "are you suicidal? it sounds heavy, you can tell me";
		mod_screen(rs, post, strlen(post), &res);
		bool concern = false, crisis = false;
		for (size_t i = 0; i < res.count; i++) {
			concern |= strcmp(res.matches[i].top, "concern") == 0;
			crisis |= strcmp(res.matches[i].top, "crisis") == 0;
		}
		TAP_OK(concern && !crisis, "model: no crisis for a post in the concern lane");
		mod_result_free(&res);
	}
	mod_ruleset_free(rs);
	write_file("t.rules", RULE_HEAD "pattern abc\\s+def\n" RULE_TAIL);
	char path[512];
	snprintf(path, sizeof path, "%s/text.model", tmpdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/context.lists", tmpdir);
	unlink(path);
}

/* <n> in a cue stands for any number in digits or words, never for "3am" or "30th"; past_ref dates
 * an earlier sentence in a recovered post */
static void test_number_cues(void)
{
	char err[1024];
	mod_ruleset *rs = NULL;
	write_file("t.rules", "rule t.num\ncategory crisis.test\nseverity 2\naction flag\n"
	           "pattern \\bcut\\b\ncontext recovery\nnote n\n"
	           "test+ i cut\ntest- 12 years clean, i cut\nend\n");
	write_file("context.lists", "list recovery\nscope sentence\ncue <n> years clean\nend\n"
	           "list recovered\nscope sentence\ncue i'm ok now\nend\n"
	           "list past\nscope sentence\ncue <n> years ago\nend\n"
	           "list past_ref\nscope start\ncue that was\nend\n");
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK, "<n> cues load (%s)", err);
	if (rs) {
		static const struct { const char *text; bool flagged; } cases[] = {
			{ "12 years clean, i cut my hair", false },
			{ "twelve years clean and i cut my hair", false },
			{ "2 years clean and i cut", false },
			{ "3am years clean i cut", true },
			{ "30th years clean i cut", true },
			{ "i cut", true },
			{ "i cut. that was 6 years ago. i'm ok now", false },
			{ "i cut. that was 6 years ago.", true },           /* not a recovered post */
			{ "i cut. i was 6 years ago. i'm ok now", true },   /* no past_ref cue */
			{ "i cut. hi. hi. that was 6 years ago. i'm ok now", true }, /* three sentences on */
			{ "6 years ago i was lost. i cut. i'm ok now", true }, /* before: recovery cues only */
		};
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			mod_result res;
			mod_screen(rs, cases[i].text, strlen(cases[i].text), &res);
			TAP_OK((res.count > 0) == cases[i].flagged, "<n>/past_ref: %s -> %s", cases[i].text,
			       cases[i].flagged ? "flagged" : "suppressed");
			mod_result_free(&res);
		}
		mod_ruleset_free(rs);
	}
	rs = NULL;
	write_file("context.lists", "list recovery\nscope sentence\ncue <x> years\nend\n");
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) != MOD_OK &&
	       strstr(err, "context.lists:3: ") && strstr(err, "<n> stands for a number"),
	       "a cue word with '<' other than <n> is an error (%s)", err);
	mod_ruleset_free(rs);
	write_file("t.rules", RULE_HEAD "pattern abc\\s+def\n" RULE_TAIL);
	char path[512];
	snprintf(path, sizeof path, "%s/context.lists", tmpdir);
	unlink(path);
}

/* ---- the spelling map (DIR/spelling.map) ------------------------------------------------------ */

static void expect_spelling_error(const char *map, const char *want_msg, const char *name)
{
	char err[1024];
	mod_ruleset *rs = NULL;
	write_file("spelling.map", map);
	enum mod_err rc = mod_ruleset_load(tmpdir, &rs, err, sizeof err);
	TAP_OK(rc == MOD_ERR_SYNTAX && !rs && strstr(err, "spelling.map:") && strstr(err, want_msg),
	       "spelling: %s -> %s (%s)", name, want_msg, err);
	mod_ruleset_free(rs);
}

static void test_spelling(void)
{
	char err[1024], path[512];
	mod_ruleset *rs = NULL;
	write_file("t.rules", "rule t.go\ncategory crisis.test\nseverity 3\naction flag\n"
	           "pattern \\bcannot go on\\b\nnote n\ntest+ i cannot go on\nend\n"
	           "rule t.you\ncategory crisis.test\nseverity 2\naction flag\n"
	           "pattern \\bmiss you all\\b\nnote n\ntest+ i will miss you all\nend\n");
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK, "spelling: rules without "
	       "a map load (%s)", err);
	char version[17] = "";
	if (rs)
		snprintf(version, sizeof version, "%s", mod_ruleset_version(rs));
	TAP_OK(rs && !finds(rs, "ah cannae go on", "t.go", NULL, -1),
	       "spelling: without a map the dialect spelling is not read");
	mod_ruleset_free(rs);
	rs = NULL;

	write_file("spelling.map", "# a comment\n\ncannae\tcannot\nu\tyou\r\nwantae\twant to\n");
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK && rs &&
	       mod_spelling_count(rs->spelling) == 3, "spelling: a map loads (%s)", err);
	if (rs) {
		TAP_OK(strcmp(version, mod_ruleset_version(rs)) != 0,
		       "spelling: the map is part of the rule set's version");
		/* offsets map back to the source, the mapped word whole */
		TAP_OK(finds(rs, "ah cannae go on", "t.go", "cannae go on", MOD_XF_SPELLING),
		       "spelling: 'cannae go on' read as 'cannot go on', span in the source");
		TAP_OK(finds(rs, "caf\xc3\xa9, AH CANNAE go on!", "t.go", "CANNAE go on", MOD_XF_SPELLING),
		       "spelling: span right after a non-ASCII character and case folding");
		TAP_OK(finds(rs, "gonna miss u all x", "t.you", "miss u all", MOD_XF_SPELLING),
		       "spelling: a one-letter variant in the middle of a match");
		TAP_OK(finds(rs, "ah can**nae** go on", "t.go", "can**nae** go on",
		             MOD_XF_SPELLING | MOD_XF_EMPHASIS),
		       "spelling: a mapped word inside emphasis keeps the emphasis transform");
		/* a match the normal view has is not found twice */
		TAP_OK(count_rule(rs, "i cannot go on", "t.go") == 1 &&
		       finds(rs, "i cannot go on", "t.go", "cannot go on", 0),
		       "spelling: a match without a mapped word comes from the normal view, once");
		TAP_OK(count_rule(rs, "i cannae go on. i cannot go on", "t.go") == 2,
		       "spelling: one match in each view where each has its own");
		/* whole words only */
		struct mod_view n, sv;
		bool invalid;
		memset(&sv, 0, sizeof sv);
		const char *const kept[] = { "a u-turn and the u.s.", "uu cannaes", "#u @u u&me", "u's",
			"x-u", "ucannae" };
		size_t mapped = 0;
		for (size_t k = 0; k < sizeof kept / sizeof *kept; k++) {
			if (mod_view_normal(&n, kept[k], strlen(kept[k]), &invalid) < 0)
				abort();
			if (mod_view_spelling_into(&sv, &n, rs->spelling) != 0 && !mapped)
				mapped = k + 1;
			mod_view_free(&n);
		}
		TAP_OK(!mapped, "spelling: only whole words are mapped (u-turn, u.s., #u, u's stay): %s",
		       mapped ? kept[mapped - 1] : "none mapped");
		const char *t = "u, (u) u! cannae\nu";
		if (mod_view_normal(&n, t, strlen(t), &invalid) < 0)
			abort();
		int built = mod_view_spelling_into(&sv, &n, rs->spelling);
		TAP_OK(built == 1 && strcmp(sv.text, "you, (you) you! cannot\nyou") == 0 &&
		       sv.src[1] == 0 && sv.srclen[1] == 1 && sv.src[16] == 10 && sv.srclen[16] == 6 &&
		       sv.xf[16] == MOD_XF_SPELLING && sv.xf[3] == 0 && sv.src[3] == 1,
		       "spelling: the view and its map back to the source");
		mod_view_free(&n);
		mod_view_free(&sv);
	}
	mod_ruleset_free(rs);
	rs = NULL;

	/* the file's errors name it and the line */
	expect_spelling_error("cannae\tcannot\ncannae\tcan not\n",
	                      "spelling.map:2: duplicate variant 'cannae' (first on line 1)", "duplicate");
	expect_spelling_error("can't\tcannot\n", "spelling.map:1: the variant holds a character",
	                      "apostrophe in a variant");
	expect_spelling_error("Cannae\tcannot\n", "spelling.map:1: upper-case letter in the variant",
	                      "upper case");
	expect_spelling_error("# x\ncannae cannot\n", "spelling.map:2: expected VARIANT<TAB>STANDARD",
	                      "no tab");
	expect_spelling_error("cannae\tcan  not\n", "spelling.map:1: standard words are separated by "
	                      "one space", "two spaces");
	expect_spelling_error("cannae\tcan-not\n", "spelling.map:1: the standard words hold a "
	                      "character", "hyphen in the standard words");
	expect_spelling_error("cannae\t\n", "spelling.map:1: no standard words", "empty standard");
	expect_spelling_error("2\tto\n", "spelling.map:1: the variant has no letter", "a number");
	expect_spelling_error("ilysm\ti love you so much\n", "spelling.map:1: more than 4 standard "
	                      "words", "too many words");
	expect_spelling_error("gonnae\tgoing tae\ntae\tto\n", "spelling.map:1: standard word 'tae' "
	                      "is a variant itself (line 2)", "a standard word that is a variant");
	expect_spelling_error("abcdefghijklmnopqrstuvwxyz\tx\n", "spelling.map:1: variant longer than",
	                      "long variant");
	expect_spelling_error("cannae\tcannot\n\xff\n", "spelling.map: not valid UTF-8", "not UTF-8");
	{
		/* rules check reports the map's error like any rule file's */
		char report[4096] = "";
		write_file("spelling.map", "cannae\tcannot\nCannae\tcannot\n");
		TAP_OK(mod_ruleset_check(tmpdir, collect, report, NULL, NULL) == MOD_ERR_SYNTAX &&
		       strstr(report, "spelling.map:2: upper-case letter in the variant"),
		       "spelling: rules check names the map's file and line");
	}
	{
		/* more than MOD_SPELLING_ENTRIES_MAX entries */
		char *big = malloc((size_t)(MOD_SPELLING_ENTRIES_MAX + 1) * 16 + 1);
		if (!big)
			abort();
		size_t n = 0;
		for (int k = 0; k <= MOD_SPELLING_ENTRIES_MAX; k++)
			n += (size_t)sprintf(big + n, "w%d\tx\n", k);
		char want[64];
		snprintf(want, sizeof want, ":%d: more than %d entries", MOD_SPELLING_ENTRIES_MAX + 1,
		         MOD_SPELLING_ENTRIES_MAX);
		expect_spelling_error(big, want, "too many entries");
		free(big);
	}
	/* a word the rules read as it stands may not be rewritten: "no" is a negation cue, and
	 * the list has no cue "not"; a lexicon word likewise */
	write_file("context.lists", "list negation\nscope before 3\ncue no\ncue never\nend\n");
	expect_spelling_error("no\tnot\n", "spelling.map:1: variant 'no' is a word the rules read as "
	                      "it stands (a cue of context list negation", "a negation cue");
	write_file("context.lists", "list negation\nscope before 3\ncue no\ncue not\nend\n");
	write_file("spelling.map", "no\tnot\n");
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK,
	       "spelling: a variant allowed where the same list also reads its standard words (%s)", err);
	mod_ruleset_free(rs);
	rs = NULL;
	snprintf(path, sizeof path, "%s/context.lists", tmpdir);
	unlink(path);
	write_file("w.lex", "am\ni am\n");
	expect_spelling_error("am\ti'm\n", "spelling.map:1: variant 'am' is a word the rules read as "
	                      "it stands (", "a lexicon word");
	snprintf(path, sizeof path, "%s/w.lex", tmpdir);
	unlink(path);

	/* the text model reads a mapped word as its standard words */
	write_file("spelling.map", "cannae\tcannot\nwantae\twant to\n");
	write_file("text.model", MODEL_HEAD "w crisis 3 cannot go\nw crisis 3 want to\n");
	TAP_OK(mod_ruleset_load(tmpdir, &rs, err, sizeof err) == MOD_OK && rs,
	       "spelling: a map and a model load (%s)", err);
	if (rs) {
		unsigned fl;
		double z[MOD_MODEL_CATS], z0[MOD_MODEL_CATS];
		const char *a = "ah cannae go", *b = "i just wantae sleep";
		TAP_OK(mod_model_score(rs->model, rs->spelling, a, strlen(a), &fl, z) == 0 && fl == 1 &&
		       mod_model_score(rs->model, NULL, a, strlen(a), &fl, z0) == 0 && fl == 0 &&
		       z[0] > z0[0], "spelling: the model reads 'cannae go' as 'cannot go'");
		TAP_OK(mod_model_score(rs->model, rs->spelling, b, strlen(b), &fl, z) == 0 && fl == 1,
		       "spelling: the model reads 'wantae' as two words, 'want to'");
	}
	mod_ruleset_free(rs);
	snprintf(path, sizeof path, "%s/text.model", tmpdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/spelling.map", tmpdir);
	unlink(path);

	/* the shipped map: ambiguous words are left out, a Scots sentence reads as standard */
	if (rules) {
		size_t sl;
		TAP_OK(rules->spelling && !mod_spelling_lookup(rules->spelling, "am", 2, &sl) &&
		       !mod_spelling_lookup(rules->spelling, "no", 2, &sl) &&
		       !mod_spelling_lookup(rules->spelling, "ma", 2, &sl) &&
		       !mod_spelling_lookup(rules->spelling, "ken", 3, &sl),
		       "spelling: the shipped map leaves ambiguous words alone (am, no, ma, ken)");
		TAP_OK(finds(rules, "am gonnae kill masel", "crisis.ideation.active", "kill masel",
		             MOD_XF_SPELLING),
		       "spelling: the shipped map reads 'kill masel' as 'kill myself'");
		TAP_OK(finds(rules, "a wee u-turn, u.s. trip", "crisis.ideation.active", NULL, -1) == false &&
		       count_rule(rules, "i will kill myself", "crisis.ideation.active") == 1,
		       "spelling: no extra match where nothing is mapped");

		/* round 10: Hindi/Urdu, Tamil and Malay in Roman script */
		TAP_OK(finds(rules, "yaar ab aatmahatya ke alawa kuch nahi soojhta",
		             "crisis.ideation.mention", "aatmahatya", MOD_XF_SPELLING),
		       "spelling: Hinglish 'aatmahatya' is read as 'suicide'");
		TAP_OK(finds(rules, "sab soch liya hai, aaj raat marunga", "crisis.intent", "marunga",
		             MOD_XF_SPELLING),
		       "spelling: Hinglish 'marunga' is read as 'i will die'");
		TAP_OK(finds(rules, "ennala mudiyala, naan saaganum", "crisis.ideation.passive", NULL,
		             MOD_XF_SPELLING),
		       "spelling: Tamil 'saaganum' is read as 'want to die'");
		TAP_OK(finds(rules, "nak tidur selamanya je", "crisis.passive.wish", "tidur selamanya",
		             MOD_XF_SPELLING),
		       "spelling: Malay 'tidur selamanya' is read as 'sleep forever'");
		const char *const left_out[] = { "mar", "maar", "mati", "goli", "phansi", "khatam", "khud",
			"jaan", "tak", "pukul", "bakar", "parang", "main", "mere" };
		bool none = true;
		for (size_t k = 0; k < sizeof left_out / sizeof *left_out; k++)
			none = none && !mod_spelling_lookup(rules->spelling, left_out[k],
			                                    strlen(left_out[k]), &sl);
		TAP_OK(none, "spelling: look-alikes that are English words, names or everyday words in "
		       "the same languages are not mapped (mar, maar, mati, goli, phansi, khatam...)");
		const char *const ordinary[] = {
			"mar 3 ko exam hai, goli wali toffee le aana, traffic mein phansi hui hoon",
			"pukul 3 jumpa, ayam bakar sedap, harga diri penting, mati ke diye bana rahe the",
			"aaj office se bahut thak gaya hoon, chai peeke so jaunga",
			"sabzi kaat rahi thi, ungli pe thoda khoon nikla",
			"saya tidur awal malam ni, hidup sihat",
		};
		for (size_t k = 0; k < sizeof ordinary / sizeof *ordinary; k++) {
			mod_result res = screened(ordinary[k]);
			TAP_OK(res.count == 0, "spelling: ordinary code-switched post not flagged: %s (%s)",
			       ordinary[k], res.count ? res.matches[0].rule_id : "-");
			mod_result_free(&res);
		}
	}
}

int main(void)
{
	const char *srcdir = getenv("HEARTH_SRCDIR");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/moderation/rules", srcdir ? srcdir : ".");
	char err[1024];
	enum mod_err rc = mod_ruleset_load(dir, &rules, err, sizeof err);
	TAP_OK(rc == MOD_OK, "default rules load: %s", rc ? err : dir);
	test_views();
	test_literals();
	test_prefilter_index();
	if (rules) {
		test_default_rules();
		test_issue10();
	}
	test_rule_errors();
	mod_ruleset_free(rules);
	TAP_STREQ(mod_ctx_name(MOD_CTX_THIRD_PARTY), "third_party", "ctx name");
	TAP_STREQ(mod_xform_name(MOD_XF_SQUEEZE), "squeeze", "xform name");
	TAP_STREQ(mod_action_name(MOD_NUDGE), "nudge", "action name");
	TAP_STREQ(mod_strerror(MOD_ERR_UTF8), "text is not valid UTF-8", "strerror");
	return tap_done();
}
