/*
 * cli.c: the moderation subcommands of hearthctl (and of the noinst modtool).
 *
 *   screen [--rules DIR] [--explain]   one post per line on stdin, "\n" in a line is a newline;
 *                                      prints CATEGORIES<TAB>RULE-IDS<TAB>SEVERITY per post
 *   rules check [--rules DIR]          loads the rules and runs every example
 *
 * The rule directory is --rules, else $HEARTH_RULES, else ./moderation/rules when it exists, else
 * HEARTH_DATADIR "/rules".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "mod_internal.h"

#ifndef HEARTH_DATADIR
#define HEARTH_DATADIR "/usr/local/share/hearth"
#endif

static const char *default_rules_dir(void)
{
	const char *env = getenv("HEARTH_RULES");
	if (env && *env)
		return env;
	struct stat st;
	if (stat("moderation/rules", &st) == 0 && S_ISDIR(st.st_mode))
		return "moderation/rules";
	return HEARTH_DATADIR "/rules";
}

/* Parses [--rules DIR] and the flags in flag_names; returns -1 on a usage error. */
static int parse_options(int argc, char **argv, const char **dir, const char *flag, bool *flag_set)
{
	*dir = NULL;
	if (flag_set)
		*flag_set = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
			*dir = argv[++i];
		} else if (strncmp(argv[i], "--rules=", 8) == 0) {
			*dir = argv[i] + 8;
		} else if (flag && strcmp(argv[i], flag) == 0) {
			*flag_set = true;
		} else {
			fprintf(stderr, "%s: unknown argument '%s'\n", argv[0], argv[i]);
			return -1;
		}
	}
	if (!*dir)
		*dir = default_rules_dir();
	return 0;
}

static int top_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_result(FILE *out, const mod_result *res)
{
	const char *tops[MOD_MATCHES_MAX + 2];
	size_t ntops = 0;
	for (size_t i = 0; i < res->count; i++) {
		bool seen = false;
		for (size_t k = 0; k < ntops && !seen; k++)
			seen = strcmp(tops[k], res->matches[i].top) == 0;
		if (!seen)
			tops[ntops++] = res->matches[i].top;
	}
	qsort(tops, ntops, sizeof *tops, top_cmp);
	if (ntops == 0)
		fputc('-', out);
	for (size_t k = 0; k < ntops; k++)
		fprintf(out, "%s%s", k ? "," : "", tops[k]);
	fputc('\t', out);
	size_t printed = 0;
	for (size_t i = 0; i < res->count; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(res->matches[k].rule_id, res->matches[i].rule_id) == 0;
		if (!seen)
			fprintf(out, "%s%s", printed++ ? "," : "", res->matches[i].rule_id);
	}
	if (printed == 0)
		fputc('-', out);
	fprintf(out, "\t%d\n", res->max_severity);
}

static void explain(FILE *out, size_t lineno, const char *text, const mod_result *res)
{
	for (size_t i = 0; i < res->count; i++) {
		const mod_match *m = &res->matches[i];
		int spanlen = (int)(m->end - m->start > 200 ? 200 : m->end - m->start);
		fprintf(out, "%zu: %s %s sev %d/%d %s [%zu,%zu) \"%.*s\"", lineno, m->rule_id,
		        m->category, m->severity, m->rule_severity, mod_action_name(m->action),
		        m->start, m->end, spanlen, text + m->start);
		for (unsigned b = 1; b < (1u << MOD_CTX__COUNT); b <<= 1)
			if (m->context & b)
				fprintf(out, " ctx:%s", mod_ctx_name(b));
		for (unsigned b = 1; b < (1u << MOD_XF__COUNT); b <<= 1)
			if (m->transforms & b)
				fprintf(out, " xf:%s", mod_xform_name(b));
		if (m->suggestion)
			fprintf(out, " suggest:\"%s\"", m->suggestion);
		fputc('\n', out);
	}
}

int mod_cli_screen(int argc, char **argv)
{
	const char *dir;
	bool want_explain;
	if (parse_options(argc, argv, &dir, "--explain", &want_explain) < 0) {
		fprintf(stderr, "usage: %s [--rules DIR] [--explain] < posts\n", argv[0]);
		return 2;
	}
	char err[1024];
	mod_ruleset *rs;
	enum mod_err rc = mod_ruleset_load(dir, &rs, err, sizeof err);
	if (rc) {
		fprintf(stderr, "%s\n", err[0] ? err : mod_strerror(rc));
		return 1;
	}
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		size_t len = (size_t)n;
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		len = mod_unescape_newlines(line, len);
		mod_result res;
		mod_screen(rs, line, len, &res);
		print_result(stdout, &res);
		if (want_explain)
			explain(stderr, lineno, line, &res);
		mod_result_free(&res);
	}
	free(line);
	mod_ruleset_free(rs);
	if (fflush(stdout) != 0 || ferror(stdin)) {
		fprintf(stderr, "%s: read or write error\n", argv[0]);
		return 1;
	}
	return 0;
}

static void report_line(void *arg, const char *message)
{
	size_t *failures = arg;
	if (!strstr(message, ": warning: "))
		(*failures)++;
	fprintf(stderr, "%s\n", message);
}

int mod_cli_rules_check(int argc, char **argv)
{
	const char *dir;
	if (parse_options(argc, argv, &dir, NULL, NULL) < 0) {
		fprintf(stderr, "usage: %s [--rules DIR]\n", argv[0]);
		return 2;
	}
	size_t failures = 0, rules = 0, examples = 0;
	enum mod_err rc = mod_ruleset_check(dir, report_line, &failures, &rules, &examples);
	if (rc == MOD_OK) {
		printf("%zu rules, %zu examples ok\n", rules, examples);
		return 0;
	}
	if (rc == MOD_ERR_EXAMPLE)
		fprintf(stderr, "%zu rules, %zu examples, %zu failed\n", rules, examples, failures);
	return 1;
}
