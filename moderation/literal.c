/*
 * literal.c: required literals of a pcre2 pattern, for the prefilter.
 *
 * For a pattern P we compute a set L of literal strings such that every match of P contains at least
 * one member of L (the idea of RE2's prefilter, much simplified). A node is either "exact" (the
 * finite set of strings it can match) or "inexact" with a requirement (a set of which one member
 * occurs in every match, or none known). Sequences cross-multiply exact sets while they stay small
 * and otherwise keep their best requirement; alternations unite. Anything this parser does not
 * understand gives up on the whole pattern (MOD_LIT_NONE): such a pattern is simply run over the
 * whole view, which is slower but never wrong.
 *
 * Alongside, the lead: a set of strings one of which every match starts with (the exact items at
 * the start of a sequence, what its first inexact item starts with, the union over alternatives),
 * and whether every match starts at \b. Screening tries such a pattern only where a lead string
 * occurs instead of letting pcre2 try every position. A lead that is wrong would lose matches, so
 * anything not modelled exactly gives no lead.
 */
#include <string.h>

#include "mod_internal.h"

#define SET_MAX MOD_LITSET_MAX
#define STR_MAX (MOD_LIT_LEN_MAX - 1)
#define DEPTH_MAX 16

struct strset {
	size_t count;
	uint8_t len[SET_MAX];
	char s[SET_MAX][MOD_LIT_LEN_MAX];
};

struct node {
	bool exact;
	bool any;               /* inexact with no known requirement */
	bool prefix;            /* inexact, but every match starts with a member of set (x+) */
	bool lead_ok;           /* inexact, and every match starts with a member of lead */
	bool wb;                /* every match starts at a \b */
	struct strset set;      /* exact: the strings; inexact and !any: the requirement */
	struct strset lead;
};

#define FACTORS_MAX 8

struct parser {
	const char *p, *end, *start;
	int depth;
	bool root_alternation;  /* the pattern is a|b at top level: factors do not apply */
	size_t nfactors;
	struct strset factors[FACTORS_MAX];  /* requirements of the top-level sequence, all needed */
	bool failed;            /* construct we do not model */
	bool uppercase;
	size_t upper_offset;
	bool case_only;         /* only the upper-case check is wanted: skip choosing literals */
};

static void set_one(struct strset *s, const char *str, size_t len)
{
	s->count = 1;
	s->len[0] = (uint8_t)len;
	memcpy(s->s[0], str, len);
}

static void node_empty(struct node *n)
{
	n->exact = true;
	n->any = false;
	n->prefix = false;
	n->lead_ok = false;
	n->wb = false;
	set_one(&n->set, "", 0);
}

static void node_any(struct node *n)
{
	n->exact = false;
	n->any = true;
	n->prefix = false;
	n->lead_ok = false;
	n->wb = false;
	n->set.count = 0;
}

static size_t set_min_len(const struct strset *s)
{
	size_t m = SIZE_MAX;
	for (size_t i = 0; i < s->count; i++)
		if (s->len[i] < m)
			m = s->len[i];
	return s->count ? m : 0;
}

/* Strings one of which every match of the node starts with (none empty). */
static bool node_lead(const struct node *n, struct strset *out)
{
	const struct strset *l = n->exact || n->prefix ? &n->set : n->lead_ok ? &n->lead : NULL;
	if (!l || l->count == 0 || set_min_len(l) == 0)
		return false;
	*out = *l;
	return true;
}

/* The requirement a node puts on any match: its exact set (useless when it holds ""), or its
 * requirement. Returns false when there is none. */
static bool node_requirement(const struct node *n, struct strset *out)
{
	if (n->any)
		return false;
	if (n->exact && set_min_len(&n->set) == 0)
		return false;
	*out = n->set;
	return out->count > 0;
}

/* Words so common in posts that a literal equal to one (or inside one, like "end" in "friend")
 * makes a poor trigger: the prefilter would report it in most posts. */
static const char *const common_words[] = {
	"the", "and", "this", "that", "when", "what", "with", "have", "will", "want", "time", "like",
	"more", "about", "could", "going", "been", "keep", "back", "take", "down", "many", "much",
	"head", "front", "under", "last", "never", "point", "care", "miss", "love", "way", "end",
	"away", "again", "best", "plan", "note", "set", "went", "start", "kept", "thought", "long",
	"need", "ready", "rather", "wish", "done", "sick", "tired", "reason", "without", "bet", "over",
	"after", "before", "make", "made", "all", "for", "you", "not", "but", "just", "get", "got",
	"day", "today", "tonight", "tomorrow", "self", "final", "ever", "life", "think", "wanna",
	"gonna", "should", "would", "really", "feel", "know", "people", "some", "still", "here",
	"there", "they", "she", "her", "him", "his", "one", "out", "now", "how", "who", "won't",
	"wont", "can't", "cant", "don't", "dont", "everything", "thinking", "taking",
	"was", "were", "did", "any", "too", "see", "then", "than", "each", "every", "does", "next",
	"year", "years", "week", "morning", "off", "sleep", "right", "later", "can", "myself", "stop",
	"until", "till", "because", "top", "side", "far", "high", "around", "being", "into", "from",
	"them", "their", "also", "only", "even", "other", "well", "good", "work", "home", "night",
	"thing", "things", "something", "someone", "anyone", "everyone", "help", "little", "always",
	"maybe", "said", "tell", "told", "look", "come", "came", "left", "first", "better", "very",
	"why", "where", "which", "these", "those", "our", "your", "has", "had", "are", "its", "it's",
	"i'm", "im", "i've", "ive", "i'll", "ill", "i'd", "id", "me", "my", "so", "if", "or", "no",
	"say", "go", "do", "up", "on", "in", "at", "to", "of", "is", "it", "be", "am", "an", "as",
	"by", "we", "he", "us", "new", "use", "used", "two", "try",
	"trying", "friend", "friends", "family", "mum", "mom", "dad", "house", "school", "job",
	"hope", "okay", "sorry", "thanks", "thank", "bad", "real", "hard", "lot", "ago", "yet",
	"once", "since", "while", "though", "through", "doing", "having", "getting", "felt",
	"live", "living", "alive", "feeling", "talk", "whole", "hurt", "nothing", "anymore",
};

/* Of those, the ones that also sit inside many other words ("one" in "someone", "ever" in "every",
 * "ill" in "will", "end" in "friend"): nearly every post has one. */
static const char *const everywhere_words[] = {
	"the", "and", "for", "was", "one", "any", "ill", "ever", "end", "that", "with", "this", "you",
	"all", "out", "are", "her", "his", "him", "more", "see", "too", "how", "now", "off", "top",
	"have", "not", "but", "can", "some", "here", "were", "had", "our", "its", "day", "way",
};

static bool in_list(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return true;
	return false;
}

static bool is_common(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof common_words / sizeof *common_words; i++)
		if (strlen(common_words[i]) == len && memcmp(common_words[i], s, len) == 0)
			return true;
	return false;
}

/* Roughly how often one literal turns up in posts, in arbitrary units: a common word everywhere,
 * three bytes inside many words ("ill" in "will", "kil" in "skill"), longer ones ever more rarely. */
static unsigned lit_cost(const char *s, size_t len)
{
	/* "would " is as common as "would" */
	while (len > 0 && !((*s >= 'a' && *s <= 'z') || *s == '\''))
		s++, len--;
	while (len > 0 && !((s[len - 1] >= 'a' && s[len - 1] <= 'z') || s[len - 1] == '\''))
		len--;
	if (len == 0)
		return 1000;
	if (in_list(everywhere_words, sizeof everywhere_words / sizeof *everywhere_words, s, len))
		return 5000;
	if (is_common(s, len))
		return 1000;
	if (len <= 3)
		return 120;
	if (len == 4)
		return 25;
	return len <= 6 ? 6 : 2;
}

/* How often some member of a set turns up: the sum of its members' costs. A set is as poor a
 * trigger as its commonest member, so one common word among thirty rare ones is not averaged away. */
static unsigned set_cost(const struct strset *a)
{
	unsigned cost = 0;
	for (size_t i = 0; i < a->count; i++)
		cost += lit_cost(a->s[i], a->len[i]);
	return cost;
}

unsigned mod_litgroup_cost(const struct mod_litgroup *g)
{
	unsigned cost = 0;
	for (size_t i = 0; i < g->count; i++)
		cost += lit_cost(g->lit[i], g->len[i]);
	return cost;
}

/* Prefer a set whose members are all at least MOD_LIT_MIN bytes, then the one least often seen. */
static bool better(const struct strset *a, const struct strset *b)
{
	bool ua = set_min_len(a) >= MOD_LIT_MIN, ub = set_min_len(b) >= MOD_LIT_MIN;
	if (ua != ub)
		return ua;
	return set_cost(a) < set_cost(b);
}

static bool cross(struct strset *out, const struct strset *a, const struct strset *b)
{
	if (a->count * b->count > SET_MAX)
		return false;
	struct strset r = { 0 };
	for (size_t i = 0; i < a->count; i++)
		for (size_t j = 0; j < b->count; j++) {
			size_t len = (size_t)a->len[i] + b->len[j];
			if (len > STR_MAX)
				return false;
			memcpy(r.s[r.count], a->s[i], a->len[i]);
			memcpy(r.s[r.count] + a->len[i], b->s[j], b->len[j]);
			r.len[r.count++] = (uint8_t)len;
		}
	*out = r;
	return true;
}

static bool unite(struct strset *out, const struct strset *b)
{
	for (size_t j = 0; j < b->count; j++) {
		bool dup = false;
		for (size_t i = 0; i < out->count && !dup; i++)
			dup = out->len[i] == b->len[j] && memcmp(out->s[i], b->s[j], b->len[j]) == 0;
		if (dup)
			continue;
		if (out->count == SET_MAX)
			return false;
		memcpy(out->s[out->count], b->s[j], b->len[j]);
		out->len[out->count++] = b->len[j];
	}
	return true;
}

static void parse_alt(struct parser *ps, struct node *out);

/* Drops members that start with another member: a match starting with one starts with the other
 * too, so the shorter one says as much. */
static void lead_minimize(struct strset *s)
{
	size_t kept = 0;
	for (size_t i = 0; i < s->count; i++) {
		bool covered = false;
		for (size_t j = 0; j < s->count && !covered; j++)
			covered = j != i && (s->len[j] < s->len[i] || (s->len[j] == s->len[i] && j < i)) &&
			          memcmp(s->s[j], s->s[i], s->len[j]) == 0;
		if (covered)
			continue;
		if (kept != i) {
			memcpy(s->s[kept], s->s[i], s->len[i]);
			s->len[kept] = s->len[i];
		}
		kept++;
	}
	s->count = kept;
}

/* Sequence state: the current exact run and the best requirement seen so far. */
struct seq {
	struct parser *ps;
	struct parser *collect;     /* top-level sequence: every requirement is also a factor */
	struct strset run;
	bool all_exact;
	bool have_best;
	struct strset best;
};

static void seq_offer(struct seq *sq, const struct strset *req)
{
	struct parser *ps = sq->collect;
	if (ps && ps->nfactors < FACTORS_MAX && set_min_len(req) >= MOD_LIT_MIN)
		ps->factors[ps->nfactors++] = *req;
	if (sq->ps->case_only)
		return;
	if (!sq->have_best || better(req, &sq->best)) {
		sq->best = *req;
		sq->have_best = true;
	}
}

static void seq_close_run(struct seq *sq)
{
	if (set_min_len(&sq->run) > 0)
		seq_offer(sq, &sq->run);
	set_one(&sq->run, "", 0);
}

static void seq_add(struct seq *sq, const struct node *item)
{
	if (item->exact) {
		struct strset joined;
		if (cross(&joined, &sq->run, &item->set)) {
			sq->run = joined;
			return;
		}
		/* Too many combinations: keep what we had as a requirement and restart from this item. */
		sq->all_exact = false;
		seq_close_run(sq);
		sq->run = item->set;
		return;
	}
	sq->all_exact = false;
	if (item->prefix) {
		/* "kil+": the run goes on through "kil", then ends */
		struct strset joined;
		if (cross(&joined, &sq->run, &item->set)) {
			sq->run = joined;
			seq_close_run(sq);
			return;
		}
	}
	seq_close_run(sq);
	struct strset req;
	if (node_requirement(item, &req))
		seq_offer(sq, &req);
}

static bool at_end(const struct parser *ps)
{
	return ps->p >= ps->end;
}

static void literal_char(struct parser *ps, struct node *n, const char *c, size_t len)
{
	if (len == 1 && *c >= 'A' && *c <= 'Z' && !ps->uppercase) {
		ps->uppercase = true;
		ps->upper_offset = (size_t)(c - ps->start);
	}
	n->exact = true;
	n->any = false;
	n->prefix = false;
	n->lead_ok = false;
	n->wb = false;
	set_one(&n->set, c, len);
}

static size_t utf8_len_at(const char *p, const char *end)
{
	unsigned char c = (unsigned char)*p;
	size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	return (size_t)(end - p) < n ? (size_t)(end - p) : n;
}

/* A character class [...]: exact when it lists at most 8 plain ASCII characters. */
static void parse_class(struct parser *ps, struct node *n)
{
	struct strset set = { 0 };
	bool simple = true;
	ps->p++;                                    /* '[' */
	if (!at_end(ps) && *ps->p == '^') {
		simple = false;
		ps->p++;
	}
	bool first = true;
	while (!at_end(ps) && (*ps->p != ']' || first)) {
		first = false;
		char c = *ps->p;
		if (c == '[' && ps->p + 1 < ps->end && ps->p[1] == ':') {
			const char *close = memchr(ps->p + 2, ']', (size_t)(ps->end - ps->p - 2));
			if (!close) {
				ps->failed = true;
				return;
			}
			ps->p = close + 1;
			simple = false;
			continue;
		}
		if (c == '\\') {
			if (ps->p + 1 >= ps->end) {
				ps->failed = true;
				return;
			}
			char e = ps->p[1];
			ps->p += 2;
			if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
				simple = false;         /* \d \s \w \p{..} \x.. and friends */
				if ((e == 'p' || e == 'P' || e == 'x') && !at_end(ps) && *ps->p == '{') {
					const char *close = memchr(ps->p, '}', (size_t)(ps->end - ps->p));
					if (!close) {
						ps->failed = true;
						return;
					}
					ps->p = close + 1;
				}
				continue;
			}
			c = e;
		} else {
			size_t l = utf8_len_at(ps->p, ps->end);
			if (l > 1) {
				simple = false;
				ps->p += l;
				continue;
			}
			ps->p++;
		}
		if (!at_end(ps) && *ps->p == '-' && ps->p + 1 < ps->end && ps->p[1] != ']') {
			simple = false;             /* a range */
			ps->p += 2;
			if (!at_end(ps) && ps->p[-1] == '\\')
				ps->p++;
			continue;
		}
		if (c >= 'A' && c <= 'Z' && !ps->uppercase) {
			ps->uppercase = true;
			ps->upper_offset = (size_t)(ps->p - 1 - ps->start);
		}
		if (simple && set.count < 8) {
			struct strset one;
			set_one(&one, &c, 1);
			unite(&set, &one);
		} else {
			simple = false;
		}
	}
	if (at_end(ps)) {
		ps->failed = true;
		return;
	}
	ps->p++;                                    /* ']' */
	if (simple && set.count > 0) {
		n->exact = true;
		n->any = false;
		n->prefix = false;
		n->lead_ok = false;
		n->wb = false;
		n->set = set;
	} else {
		node_any(n);
	}
}

/* Skips a {...} quantifier body; returns min, or -1 when it is not a quantifier (a literal '{'). */
static long parse_braces(struct parser *ps, long *max)
{
	const char *q = ps->p + 1;
	long lo = 0, hi;
	bool digits = false;
	while (q < ps->end && *q >= '0' && *q <= '9') {
		lo = lo * 10 + (*q - '0');
		if (lo > 100000)
			return -1;
		q++;
		digits = true;
	}
	hi = lo;
	if (q < ps->end && *q == ',') {
		q++;
		hi = -1;
		if (q < ps->end && *q >= '0' && *q <= '9') {
			hi = 0;
			while (q < ps->end && *q >= '0' && *q <= '9') {
				hi = hi * 10 + (*q - '0');
				if (hi > 100000)
					return -1;
				q++;
			}
		}
	}
	if (!digits || q >= ps->end || *q != '}')
		return -1;
	ps->p = q + 1;
	*max = hi;
	return lo;
}

static void apply_quantifier(struct parser *ps, struct node *n)
{
	if (at_end(ps))
		return;
	long lo, hi;
	char c = *ps->p;
	if (c == '?') {
		lo = 0, hi = 1;
		ps->p++;
	} else if (c == '*') {
		lo = 0, hi = -1;
		ps->p++;
	} else if (c == '+') {
		lo = 1, hi = -1;
		ps->p++;
	} else if (c == '{') {
		lo = parse_braces(ps, &hi);
		if (lo < 0)
			return;
	} else {
		return;
	}
	if (!at_end(ps) && (*ps->p == '?' || *ps->p == '+'))
		ps->p++;                                /* lazy or possessive */
	if (lo == 0)
		n->wb = false;                          /* it may match nothing */
	if (lo == 0 && hi == 1 && n->exact) {
		struct strset empty;
		set_one(&empty, "", 0);
		if (unite(&n->set, &empty))
			return;
		node_any(n);
		return;
	}
	if (lo == 0) {
		node_any(n);
		return;
	}
	if (lo == 1 && hi == 1)
		return;
	struct strset req;
	if (n->exact && set_min_len(&n->set) > 0) {
		n->exact = false;                       /* x+ and x{n,}: starts with x */
		n->any = false;
		n->prefix = true;
		return;
	}
	if (node_requirement(n, &req)) {
		n->exact = false;
		n->any = false;
		n->prefix = false;
		n->set = req;
	} else {
		node_any(n);
	}
}

/* One atom with its quantifier. */
static void parse_atom(struct parser *ps, struct node *n)
{
	char c = *ps->p;
	if (c == '(') {
		ps->p++;
		bool zero_width = false;
		if (!at_end(ps) && *ps->p == '*') {
			ps->failed = true;                  /* (*VERB) */
			return;
		}
		if (!at_end(ps) && *ps->p == '?') {
			ps->p++;
			if (at_end(ps)) {
				ps->failed = true;
				return;
			}
			char k = *ps->p;
			if (k == ':' || k == '>') {
				ps->p++;
			} else if (k == '=' || k == '!') {
				ps->p++;
				zero_width = true;
			} else if (k == '<' && ps->p + 1 < ps->end && (ps->p[1] == '=' || ps->p[1] == '!')) {
				ps->p += 2;
				zero_width = true;
			} else if (k == '<' || k == 'P' || k == '\'') {
				/* named group: (?<name>..), (?P<name>..), (?'name'..) */
				if (k == 'P') {
					ps->p++;
					if (at_end(ps) || *ps->p != '<') {
						ps->failed = true;
						return;
					}
				}
				char close = *ps->p == '\'' ? '\'' : '>';
				const char *e = memchr(ps->p + 1, close, (size_t)(ps->end - ps->p - 1));
				if (!e) {
					ps->failed = true;
					return;
				}
				ps->p = e + 1;
			} else {
				ps->failed = true;              /* flags, conditionals, recursion, comments */
				return;
			}
		}
		if (++ps->depth > DEPTH_MAX) {
			ps->failed = true;
			return;
		}
		parse_alt(ps, n);
		ps->depth--;
		if (ps->failed)
			return;
		if (at_end(ps) || *ps->p != ')') {
			ps->failed = true;
			return;
		}
		ps->p++;
		if (zero_width)
			node_empty(n);
	} else if (c == '[') {
		parse_class(ps, n);
		if (ps->failed)
			return;
	} else if (c == '.') {
		ps->p++;
		node_any(n);
	} else if (c == '^' || c == '$') {
		ps->p++;
		node_empty(n);
	} else if (c == '\\') {
		if (ps->p + 1 >= ps->end) {
			ps->failed = true;
			return;
		}
		char e = ps->p[1];
		ps->p += 2;
		switch (e) {
		case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G':
			node_empty(n);
			n->wb = e == 'b';
			break;
		case 'd': case 'D': case 's': case 'S': case 'w': case 'W': case 'h': case 'H':
		case 'v': case 'V': case 'N': case 'R': case 'X':
			node_any(n);
			break;
		case 'p': case 'P':
			if (!at_end(ps) && *ps->p == '{') {
				const char *close = memchr(ps->p, '}', (size_t)(ps->end - ps->p));
				if (!close) {
					ps->failed = true;
					return;
				}
				ps->p = close + 1;
			} else if (!at_end(ps)) {
				ps->p++;
			}
			node_any(n);
			break;
		case 'n': literal_char(ps, n, "\n", 1); break;
		case 't': literal_char(ps, n, "\t", 1); break;
		default:
			if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
				ps->failed = true;              /* \x, \Q, \K, back references, ... */
				return;
			}
			literal_char(ps, n, ps->p - 1, 1);
			break;
		}
	} else if (c == '*' || c == '+' || c == '?' || c == ')') {
		ps->failed = true;
		return;
	} else {
		size_t l = utf8_len_at(ps->p, ps->end);
		literal_char(ps, n, ps->p, l);
		ps->p += l;
	}
	apply_quantifier(ps, n);
}

static void parse_seq(struct parser *ps, struct node *out)
{
	struct seq sq = { .ps = ps, .all_exact = true, .collect = ps->depth == 0 ? ps : NULL };
	set_one(&sq.run, "", 0);
	/* lead: what every match starts with, the exact items up to the first inexact one (and what
	 * that one starts with) */
	set_one(&out->lead, "", 0);
	bool lead_open = true, first = true, wb = false;
	while (!at_end(ps) && *ps->p != '|' && *ps->p != ')' && !ps->failed) {
		struct node item;
		parse_atom(ps, &item);
		if (ps->failed)
			return;
		if (first)
			wb = item.wb;
		first = false;
		if (lead_open) {
			if (item.exact) {
				lead_open = cross(&out->lead, &out->lead, &item.set);
			} else {
				struct strset il;
				if (node_lead(&item, &il))
					cross(&out->lead, &out->lead, &il);
				lead_open = false;
			}
		}
		seq_add(&sq, &item);
	}
	/* only now: a member that goes on ("don'" before "t") must not be cut short earlier */
	lead_minimize(&out->lead);
	out->lead_ok = set_min_len(&out->lead) > 0;
	out->wb = wb;
	out->prefix = false;
	if (sq.all_exact) {
		out->exact = true;
		out->any = false;
		out->set = sq.run;
		return;
	}
	seq_close_run(&sq);
	out->exact = false;
	out->any = !sq.have_best;
	if (sq.have_best)
		out->set = sq.best;
	else
		out->set.count = 0;
}

static void parse_alt(struct parser *ps, struct node *out)
{
	parse_seq(ps, out);
	struct strset lead;
	bool lead_ok = !ps->failed && node_lead(out, &lead);
	bool wb = out->wb;
	bool alternation = false;
	while (!ps->failed && !at_end(ps) && *ps->p == '|') {
		ps->p++;
		alternation = true;
		if (ps->depth == 0)
			ps->root_alternation = true;
		struct node next;
		parse_seq(ps, &next);
		if (ps->failed)
			return;
		wb = wb && next.wb;
		if (lead_ok) {
			struct strset nl;
			lead_ok = node_lead(&next, &nl) && unite(&lead, &nl);
			if (lead_ok)
				lead_minimize(&lead);
		}
		if (out->exact && next.exact) {
			struct strset u = out->set;
			if (unite(&u, &next.set)) {
				out->set = u;
				continue;
			}
		}
		struct strset a, b;
		if (!node_requirement(out, &a) || !node_requirement(&next, &b) || !unite(&a, &b)) {
			node_any(out);
			continue;
		}
		out->exact = false;
		out->any = false;
		out->prefix = false;
		out->set = a;
	}
	if (alternation && !ps->failed) {
		out->lead_ok = lead_ok;
		if (lead_ok)
			out->lead = lead;
		out->wb = wb;
	}
}

/* Drops members that contain another member: the shorter one already requires them. */
static void set_minimize(struct strset *s)
{
	for (size_t i = 0; i < s->count; i++) {
		bool redundant = false;
		for (size_t j = 0; j < s->count && !redundant; j++) {
			if (i == j || s->len[j] > s->len[i] || (s->len[j] == s->len[i] && j > i))
				continue;
			redundant = memmem(s->s[i], s->len[i], s->s[j], s->len[j]) != NULL;
		}
		if (redundant) {
			s->count--;
			memmove(s->s[i], s->s[s->count], MOD_LIT_LEN_MAX);
			s->len[i] = s->len[s->count];
			i = (size_t)-1;             /* restart: order changed */
		}
	}
}

static void litgroup_from(struct mod_litgroup *out, const struct strset *s)
{
	out->count = s->count;
	for (size_t i = 0; i < s->count; i++) {
		out->len[i] = s->len[i];
		memcpy(out->lit[i], s->s[i], s->len[i]);
	}
}

static enum mod_lit_result literals(const char *pattern, size_t len, struct mod_litset *out,
                                    size_t *bad_offset, bool case_only)
{
	struct parser ps = { .p = pattern, .end = pattern + len, .start = pattern,
	                     .case_only = case_only };
	struct node root;
	out->primary.count = 0;
	out->nextra = 0;
	out->lead.count = 0;
	out->lead_wb = false;
	parse_alt(&ps, &root);
	if (!ps.failed && !at_end(&ps))
		ps.failed = true;                       /* unbalanced ')' */
	if (ps.failed)
		return MOD_LIT_NONE;
	if (ps.uppercase) {
		*bad_offset = ps.upper_offset;
		return MOD_LIT_UPPERCASE;
	}
	if (case_only)
		return MOD_LIT_NONE;
	struct strset req;
	if (!node_requirement(&root, &req))
		return MOD_LIT_NONE;
	set_minimize(&req);
	if (set_min_len(&req) < MOD_LIT_MIN)
		return MOD_LIT_NONE;
	litgroup_from(&out->primary, &req);
	struct strset lead;
	if (node_lead(&root, &lead)) {
		lead_minimize(&lead);
		litgroup_from(&out->lead, &lead);
		out->lead_wb = root.wb;
		for (size_t i = 0; i < lead.count && out->lead_wb; i++) {
			char c = lead.s[i][0];
			out->lead_wb = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
		}
	}
	/* The other factors of a top-level sequence must all occur near a hit too. */
	if (!ps.root_alternation && !root.exact) {
		for (size_t f = 0; f < ps.nfactors && out->nextra < MOD_LIT_EXTRA_MAX; f++) {
			struct strset *fs = &ps.factors[f];
			set_minimize(fs);
			if (set_min_len(fs) < MOD_LIT_MIN)
				continue;
			bool same = fs->count == req.count;
			for (size_t i = 0; same && i < fs->count; i++)
				same = fs->len[i] == req.len[i] && memcmp(fs->s[i], req.s[i], fs->len[i]) == 0;
			if (!same)
				litgroup_from(&out->extra[out->nextra++], fs);
		}
	}
	return MOD_LIT_OK;
}

enum mod_lit_result mod_literals(const char *pattern, size_t len, struct mod_litset *out,
                                 size_t *bad_offset)
{
	return literals(pattern, len, out, bad_offset, false);
}

bool mod_literals_uppercase(const char *pattern, size_t len, size_t *bad_offset)
{
	struct mod_litset unused;
	return literals(pattern, len, &unused, bad_offset, true) == MOD_LIT_UPPERCASE;
}
