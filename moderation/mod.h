/*
 * mod.h: the moderation filter. Screens post text against a rule set and says which rules matched,
 * where (byte spans of the original text), how severe, and what to do (flag, hold, nudge).
 *
 * Ownership:
 * - mod_ruleset_load() returns a ruleset the caller frees with mod_ruleset_free(). A loaded ruleset is
 *   immutable: any number of threads may screen with it at once. Reload by loading a new one.
 * - mod_screen() always fills *out; the caller frees it with mod_result_free(), also after an error.
 *   Strings inside a mod_match (rule_id, category, note, suggestion) belong to the ruleset (or are
 *   static for the synthetic filter.* matches): they live as long as the ruleset.
 * - Scratch (normalized views, offset maps, pcre2 match data, per-pattern tables) is reused between
 *   calls: mod_screen() keeps one per thread (freed when the thread exits), mod_screen_with() uses
 *   the caller's. Scratch never holds results: out is the caller's alone. What a long text made
 *   grow is given back at the end of the call, so a scratch stays small (tens of KB).
 *
 * Return codes: MOD_OK, or one enum mod_err value; mod_strerror() names it. A screening limit or
 * invalid UTF-8 never means "nothing found": the result then has needs_review set and carries a
 * synthetic match of top category "review" (rule id "filter.limit" or "filter.utf8").
 *
 * Text model: matching runs on views of the text, never on the text itself. The normal view is NFKC,
 * case-folded, with default-ignorable characters and combining marks removed, typographic quotes
 * folded to ASCII and Markdown emphasis markers that touch a word removed. The de-obfuscated view
 * (rules with "view both") additionally joins spaced-out letters, folds leetspeak and look-alike
 * letters and squeezes runs of three or more of one letter to one. Every view byte maps back to the
 * original, so spans always point into the caller's text. The rule file format is described in
 * moderation/README.rules.md.
 */
#ifndef HEARTH_MOD_H
#define HEARTH_MOD_H

#include <stdbool.h>
#include <stddef.h>

enum mod_action { MOD_FLAG = 1, MOD_HOLD, MOD_NUDGE, MOD_ACTION__MAX };

/* Context modifiers (bits). Crisis-style modifiers lower severity by one step each, never below 1;
 * THIRD_PARTY renames the subcategory to TOP.third_party; ADDRESSEE (second-person wording addressed
 * to someone else: "are you suicidal?") moves the match to category "concern.addressee" at severity
 * 1, out of the rule's lane; SELF, CLINICAL, CRITICISM and COUNTER (the match is quoted, or
 * counter-speech: "stop calling people ...") suppress the match, and so does RECOVERY (the sentence
 * tells of recovery, "three years ago I tried ..., today I ran a marathon", with no word of a
 * current risk such as "again" or "still"). Which ones apply is chosen per rule
 * ("context" line). */
enum mod_ctx {
	MOD_CTX_NEGATION = 1u << 0, MOD_CTX_PAST = 1u << 1, MOD_CTX_QUOTE = 1u << 2,
	MOD_CTX_MEDIA = 1u << 3, MOD_CTX_QUESTION = 1u << 4, MOD_CTX_THIRD_PARTY = 1u << 5,
	MOD_CTX_SELF = 1u << 6, MOD_CTX_CLINICAL = 1u << 7, MOD_CTX_CRITICISM = 1u << 8,
	MOD_CTX_ADDRESSEE = 1u << 9, MOD_CTX_COUNTER = 1u << 10, MOD_CTX_RECOVERY = 1u << 11,
	/* WORD: the sentence talks about a word ("\"unalive\" is a weird word"); RETURN: the post is
	 * a farewell with a return ("see you all after the holiday"). Both suppress the match. */
	MOD_CTX_WORD = 1u << 12, MOD_CTX_RETURN = 1u << 13,
	/* GAME: the sentence is about a game or a role-play ("my character jumped off the tower"):
	 * suppresses the match */
	MOD_CTX_GAME = 1u << 14,
	/* set by the filter, not a rule keyword: the whole post raised the severity (intent, and a
	 * means or a place, with a near time anywhere in the post: 4; burden or hopelessness with
	 * dying wording: as high as the dying wording) */
	MOD_CTX_WHOLE_POST = 1u << 15
};
#define MOD_CTX__COUNT 16
#define MOD_CTX_RULE_COUNT 15       /* the first ones, which rules name on "context" lines */

/* Transforms a match needed (bits). EMPHASIS is applied in every view (it is Markdown formatting
 * inside a word, e.g. kil**l**); SPELLING exists only in the spelling view, the others only in the
 * de-obfuscated view. */
enum mod_xform {
	MOD_XF_EMPHASIS = 1u << 0, MOD_XF_SPACING = 1u << 1, MOD_XF_LEET = 1u << 2,
	MOD_XF_HOMOGLYPH = 1u << 3, MOD_XF_SQUEEZE = 1u << 4,
	MOD_XF_MASK = 1u << 5,      /* '*' standing for a letter filled in: "k*ll" */
	MOD_XF_SPLIT = 1u << 6,     /* a word split by '-' or '.' joined: "su-i-cide" */
	MOD_XF_EMOJI = 1u << 7,     /* an emoji read as the word it stands for: a skull as "dead" */
	MOD_XF_SPELLING = 1u << 8   /* a dialect or text-speak spelling read as its standard words
	                               (DIR/spelling.map): "cannae" as "cannot"; spelling view only */
};
#define MOD_XF__COUNT 9

enum mod_err {
	MOD_OK = 0, MOD_ERR_NOMEM, MOD_ERR_IO, MOD_ERR_SYNTAX, MOD_ERR_PATTERN, MOD_ERR_EXAMPLE,
	MOD_ERR_LIMIT, MOD_ERR_UTF8, MOD_ERR__MAX
};

/* Limits. Text longer than MOD_TEXT_MAX is screened up to the limit and sent to review. */
#define MOD_TEXT_MAX        (4u << 20)
#define MOD_RULEFILE_MAX    (1u << 20)  /* bytes per rule or list file */
#define MOD_MODEL_FILE_MAX  (4u << 20)  /* bytes of text.model (words and pairs with weights) */
#define MOD_LINE_MAX        4096        /* bytes per line, newline excluded */
#define MOD_FILES_MAX       256         /* *.rules files per directory */
#define MOD_RULES_MAX       4096        /* rules per rule set */
#define MOD_PATTERNS_MAX    32          /* pattern lines per rule */
#define MOD_EXCEPTS_MAX     32          /* except lines per rule */
#define MOD_EXAMPLES_MAX    128         /* test+ and test- lines per rule */
#define MOD_MATCHES_MAX     256         /* matches reported per text; more sends the text to review */

const char *mod_strerror(enum mod_err);

typedef struct mod_ruleset mod_ruleset;

/* Loads every *.rules file of dir (sorted by name) and dir/context.lists when present, compiles all
 * patterns and runs every test+/test- example. On error returns non-OK, sets *out to NULL and writes
 * "file:line: what" into err (always NUL-terminated when errlen > 0). */
enum mod_err mod_ruleset_load(const char *dir, mod_ruleset **out, char *err, size_t errlen);

/* Like mod_ruleset_load() without the ruleset: keeps going past failing examples and calls report
 * once per failure with "file:line: what". Syntax and pattern errors stop at the first and are
 * reported the same way. Counts go to *rules and *examples (either may be NULL). Returns MOD_OK or
 * the first error. */
typedef void mod_report_fn(void *arg, const char *message);
enum mod_err mod_ruleset_check(const char *dir, mod_report_fn *report, void *arg,
                               size_t *rules, size_t *examples);

void mod_ruleset_free(mod_ruleset *);
const char *mod_ruleset_version(const mod_ruleset *);   /* short hex digest of the rule files' bytes */
size_t mod_ruleset_count(const mod_ruleset *);

typedef struct mod_match {
	const char *rule_id;        /* owned by the ruleset */
	const char *category;       /* full category, e.g. "crisis.plan", or "crisis.third_party" after context */
	char top[16];               /* top-level category: "crisis", "stigma", "review", ... */
	int severity;               /* 1..4 after context */
	int rule_severity;          /* as written in the rule */
	enum mod_action action;
	size_t start, end;          /* byte span in the original text */
	unsigned context;           /* MOD_CTX_* bits that fired */
	unsigned transforms;        /* MOD_XF_* bits needed (0 = found in the plain normalized view) */
	const char *note;           /* for the moderator; owned by the ruleset */
	const char *suggestion;     /* stigma: suggested alternative, or NULL */
} mod_match;

typedef struct mod_result {
	mod_match *matches;         /* malloc'd; ordered by start offset */
	size_t count;
	int max_severity;           /* 0 when none */
	enum mod_action strongest_action;   /* HOLD > FLAG > NUDGE; 0 when none */
	bool crisis;                /* any match in top category crisis */
	bool needs_review;          /* a limit or error forced review */
} mod_result;

/* Screens text[0..len). Always fills *out (free with mod_result_free), even on error. A ruleset may
 * be shared read-only between threads; scratch is per thread. Returns MOD_OK, MOD_ERR_UTF8 (invalid
 * input, screened after replacing bad bytes, needs_review set), MOD_ERR_LIMIT (a pcre2 limit, the
 * text or match cap was hit, needs_review set) or MOD_ERR_NOMEM (result may be partial, needs_review
 * set when the synthetic match could be added). */
enum mod_err mod_screen(const mod_ruleset *, const char *text, size_t len, mod_result *out);
void mod_result_free(mod_result *);

/* Explicit scratch, for callers that manage their own (one per thread: a scratch must not be used
 * by two calls at once; a scratch found busy is replaced by a temporary one). It is not tied to a
 * ruleset. mod_screen_with(rs, NULL, ...) screens with a temporary scratch. */
typedef struct mod_scratch mod_scratch;
mod_scratch *mod_scratch_new(void);         /* NULL when out of memory */
void mod_scratch_free(mod_scratch *);
enum mod_err mod_screen_with(const mod_ruleset *, mod_scratch *, const char *text, size_t len,
                             mod_result *out);

const char *mod_ctx_name(unsigned bit);      /* "negation", "past", ...; NULL for an unknown bit */
const char *mod_xform_name(unsigned bit);    /* "emphasis", "spacing", ...; NULL for an unknown bit */
const char *mod_action_name(enum mod_action);   /* "flag", "hold", "nudge"; "none" otherwise */

#endif
