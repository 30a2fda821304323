/*
 * filter_bench.c: throughput of the moderation filter over the full default rule set, single thread.
 *
 *   filter_bench [--rules DIR] [--mb N] [--repeat R] [--skip-pathological] [--only-pathological]
 *                [--verbose]
 *
 * DIR defaults to $HEARTH_RULES, else moderation/rules, else ../moderation/rules (so it runs from the
 * source tree or from a build directory inside it). --repeat screens the corpus R times and reports
 * the best run (less noise on a busy machine). --verbose prints the time of each pathological post.
 *
 * Builds about N MB (default 8) of forum-like posts (mostly ordinary, some crisis, some stigma, some
 * obfuscated, Markdown and non-ASCII), screens each post, and prints
 *   filter_mb_per_s: X MB/s
 * then screens pathological 50 KB posts (one letter repeated, near-matches, nested emphasis, spaced
 * letters, leet soup, many real matches, combining-mark soup) and prints
 *   filter_pathological_max_ms: X ms
 * Exit status 1 when a pathological post takes longer than PATHOLOGICAL_BOUND_MS.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "mod.h"

#define PATHOLOGICAL_BYTES (50 * 1024)
#define PATHOLOGICAL_BOUND_MS 50.0

static const char *const ordinary[] = {
	"Had a better day today. Went for a walk with the dog and the sun was out for once.",
	"My therapist suggested journaling before bed, has anyone tried it? I keep forgetting.",
	"The new medication makes me tired in the mornings but my doctor says it settles after a few weeks.",
	"Thank you all for the kind replies on my last thread, it really helped to read them.",
	"I finally called the GP and booked an appointment for next Tuesday. Small wins!",
	"Does anyone have tips for sleeping when your mind won't stop racing at 3am?",
	"Work has been stressful, my boss keeps moving deadlines, and I feel anxious most of the week.",
	"I made **pancakes** this morning and actually enjoyed cooking for the first time in ages.",
	"Went to the support group on Thursday. It was awkward at first but people were lovely.",
	"This exam is killing me, three more to go and then summer holidays.",
	"I'm dying to see the new film everyone keeps talking about, is it worth it?",
	"Could kill for a coffee right now, the night shift was long.",
	"She absolutely killed it on stage last night, so proud of my sister.",
	"Does the weekend ever feel too short to anyone else? I need a week off.",
	"My cat knocked over the plant again. 10/10 chaos, would adopt again.",
	"I've been 2 months without a panic attack. Breathing exercises really do help.",
	"> quoting the earlier post: grounding with five senses worked for me too\nThanks for sharing.",
	"Café trip with my mum, we talked about the holidays and it felt normal and nice.",
	"Reminder that the helpline numbers are pinned at the top of every category.",
	"I sooo needed that nap. Feeling a bit more human now :)",
};

static const char *const crisis[] = {
	"I don't know how much longer I can keep going. I just want to die.",
	"I have a plan to kill myself tonight and I've written my note.",
	"My friend said she is going to kill herself and I don't know what to do.",
	"I used to want to die years ago, but I'm in recovery now and doing okay.",
	"Everyone would be better off without me. I'm such a burden.",
	"I cut myself again last night after two months clean.",
	"I took 30 pills last night and I feel sick.",
	"goodbye everyone, this is my last post",
	"i w4nt t0 k1ll mys3lf",
	"s u i c i d a l again tonight",
};

static const char *const stigma[] = {
	"My uncle committed suicide when I was young and nobody talked about it.",
	"My neighbour is a complete nutter, he shouts at the bins.",
	"I'm so OCD about my desk, everything has to line up.",
	"The weather is so bipolar this week, sun then hail.",
	"The mentally ill shouldn't be allowed to own guns, said a guy at work.",
};

/* CPU time of this process: "per core" even when the machine is busy with other work. */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Deterministic xorshift so every run screens the same corpus. */
static unsigned rnd(unsigned *state)
{
	unsigned x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

struct post {
	char *text;
	size_t len;
};

static struct post *make_corpus(size_t target, size_t *count, size_t *bytes)
{
	size_t cap = 1024, n = 0, total = 0;
	struct post *posts = malloc(cap * sizeof *posts);
	unsigned seed = 12345;
	char buf[4096];
	if (!posts)
		return NULL;
	while (total < target) {
		size_t len = 0;
		int sentences = 2 + (int)(rnd(&seed) % 6);
		for (int s = 0; s < sentences; s++) {
			unsigned pick = rnd(&seed) % 100;
			const char *sentence;
			if (pick < 2)
				sentence = crisis[rnd(&seed) % (sizeof crisis / sizeof *crisis)];
			else if (pick < 4)
				sentence = stigma[rnd(&seed) % (sizeof stigma / sizeof *stigma)];
			else
				sentence = ordinary[rnd(&seed) % (sizeof ordinary / sizeof *ordinary)];
			size_t sl = strlen(sentence);
			if (len + sl + 2 >= sizeof buf)
				break;
			memcpy(buf + len, sentence, sl);
			len += sl;
			buf[len++] = (rnd(&seed) % 4 == 0) ? '\n' : ' ';
		}
		if (n == cap) {
			cap *= 2;
			struct post *grown = realloc(posts, cap * sizeof *posts);
			if (!grown)
				break;
			posts = grown;
		}
		posts[n].text = malloc(len);
		if (!posts[n].text)
			break;
		memcpy(posts[n].text, buf, len);
		posts[n].len = len;
		total += len;
		n++;
	}
	*count = n;
	*bytes = total;
	return posts;
}

/* Fills a PATHOLOGICAL_BYTES post by repeating unit. */
static char *repeat(const char *unit, size_t *len)
{
	size_t ul = strlen(unit);
	char *p = malloc(PATHOLOGICAL_BYTES);
	if (!p)
		return NULL;
	size_t n = 0;
	while (n + ul <= PATHOLOGICAL_BYTES) {
		memcpy(p + n, unit, ul);
		n += ul;
	}
	*len = n;
	return p;
}

/* One pass over the corpus; returns the posts with matches. Not inlined, so that callgrind can
 * count it alone (--toggle-collect=screen_corpus), without the rule examples run at load time. */
__attribute__((noinline))
static size_t screen_corpus(const mod_ruleset *rs, const struct post *posts, size_t count)
{
	size_t flagged = 0;
	for (size_t i = 0; i < count; i++) {
		mod_result res;
		mod_screen(rs, posts[i].text, posts[i].len, &res);
		flagged += res.count > 0;
		mod_result_free(&res);
	}
	return flagged;
}

int main(int argc, char **argv)
{
	const char *dir = getenv("HEARTH_RULES");
	double mb = 8;
	int rounds = 1;
	bool run_corpus = true, run_pathological = true, verbose = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc)
			mb = atof(argv[++i]);
		else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--skip-pathological") == 0)
			run_pathological = false;
		else if (strcmp(argv[i], "--only-pathological") == 0)
			run_corpus = false;
		else if (strcmp(argv[i], "--verbose") == 0)
			verbose = true;
		else {
			fprintf(stderr, "usage: filter_bench [--rules DIR] [--mb N] [--repeat R] "
			        "[--skip-pathological] [--only-pathological] [--verbose]\n");
			return 2;
		}
	}
	if (rounds < 1)
		rounds = 1;
	if (!dir) {
		struct stat st;
		dir = stat("moderation/rules", &st) == 0 ? "moderation/rules" : "../moderation/rules";
	}
	char err[1024];
	mod_ruleset *rs;
	if (mod_ruleset_load(dir, &rs, err, sizeof err) != MOD_OK) {
		fprintf(stderr, "filter_bench: %s\n", err);
		return 1;
	}
	size_t count = 0, bytes = 0, flagged = 0;
	struct post *posts = run_corpus ? make_corpus((size_t)(mb * 1e6), &count, &bytes) : NULL;
	if (run_corpus && !posts)
		return 1;
	double best = 0;
	for (int r = 0; r < rounds && run_corpus; r++) {
		double t0 = now_ms();
		flagged = screen_corpus(rs, posts, count);
		double elapsed = now_ms() - t0;
		if (r == 0 || elapsed < best)
			best = elapsed;
	}
	if (run_corpus) {
		printf("filter_posts: %zu (%zu with matches), %.1f MB, rules %zu, version %s\n", count,
		       flagged, bytes / 1e6, mod_ruleset_count(rs), mod_ruleset_version(rs));
		printf("filter_mb_per_s: %.1f MB/s\n", bytes / 1e6 / (best / 1e3));
	}

	static const char *const units[] = {
		"a", "kil ", "kil kill kil myself ", "*_*_*_", "**kill** ", "k i l l ", "k.i.l.l.m.y.s.e.l.f ",
		"k1ll 5u1c1d3 ", "I want to kill myself. ", "want to want to want to ", "a\xcc\x81\xcc\x82",
		"\xd0\xba\xd1\x96ll ", "sooooooooooooooo ", "1111111111 ", "goodbye ", "took 99 took 99 ",
		"\"quoted 'kill myself' text\" ", "> kill myself\n", "(((((((((( ", "\xff\xfe",
	};
	double worst = 0;
	const char *worst_unit = "";
	for (size_t u = 0; u < sizeof units / sizeof *units && run_pathological; u++) {
		size_t len;
		char *text = repeat(units[u], &len);
		if (!text)
			return 1;
		double s = now_ms();
		mod_result res;
		mod_screen(rs, text, len, &res);
		double ms = now_ms() - s;
		if (verbose)
			printf("  %7.2f ms  %3zu matches  \"%s\"\n", ms, res.count, units[u]);
		mod_result_free(&res);
		free(text);
		if (ms > worst) {
			worst = ms;
			worst_unit = units[u];
		}
	}
	if (run_pathological)
		printf("filter_pathological_max_ms: %.1f ms (50 KB of \"%s\" repeated)\n", worst,
		       worst_unit);
	for (size_t i = 0; i < count; i++)
		free(posts[i].text);
	free(posts);
	mod_ruleset_free(rs);
	if (worst > PATHOLOGICAL_BOUND_MS) {
		fprintf(stderr, "filter_bench: a pathological post took %.1f ms (bound %.0f ms)\n", worst,
		        PATHOLOGICAL_BOUND_MS);
		return 1;
	}
	return 0;
}
