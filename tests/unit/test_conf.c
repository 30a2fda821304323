/* Unit tests for lib/conf.c: parsing, environment overrides, errors with lines;
 * and lib/crisis.c's note for repliers (replier_guidance_file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "crisis.h"
#include "tap.h"

static const char *write_tmp(const char *content)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/hearth-test-conf-%d", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs(content, f);
	fclose(f);
	return path;
}

int main(void)
{
	conf c;
	char err[512];
	const char *p = write_tmp("# a comment\n\ndatabase = host=/tmp dbname=x\nworkers = 3\n"
	                          "site_name =   Quiet Harbour  \nlisten_mode = 0600\nbase_url = https://x.example/\n");
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_OK, "a valid file loads");
	TAP_STREQ(c.database, "host=/tmp dbname=x connect_timeout=" CONF_CONNECT_TIMEOUT,
	          "values keep inner spaces; connect_timeout is added");
	TAP_OK(c.workers == 3, "integers parse");
	TAP_STREQ(c.site_name, "Quiet Harbour", "values are trimmed");
	TAP_OK(c.listen_mode == 0600, "modes are octal");
	TAP_OK(c.secure_cookies, "https base_url means secure cookies");
	TAP_STREQ(c.base_url, "https://x.example", "trailing slash removed from base_url");
	conf_free(&c);

	setenv("HEARTH_SITE_NAME", "From Env", 1);
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_OK, "loads with env");
	TAP_STREQ(c.site_name, "From Env", "environment overrides the file");
	conf_free(&c);
	unsetenv("HEARTH_SITE_NAME");

	p = write_tmp("database = host=/tmp connect_timeout=11 dbname=x\n");
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_OK, "loads with a connect_timeout");
	TAP_STREQ(c.database, "host=/tmp connect_timeout=11 dbname=x", "the operator's connect_timeout is kept");
	conf_free(&c);

	p = write_tmp("database = postgresql://u@db.example/hearth\n");
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_OK, "loads a URI");
	TAP_STREQ(c.database, "postgresql://u@db.example/hearth?connect_timeout=" CONF_CONNECT_TIMEOUT,
	          "connect_timeout is added to a URI");
	conf_free(&c);

	p = write_tmp("database = postgresql://db.example/hearth?sslmode=require\n");
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_OK, "loads a URI with a query");
	TAP_STREQ(c.database, "postgresql://db.example/hearth?sslmode=require&connect_timeout="
	          CONF_CONNECT_TIMEOUT, "connect_timeout joins a URI's query");
	conf_free(&c);

	/* Read replicas: the key repeated, or ';' in one value; the environment replaces. */
	p = write_tmp("database_replica = host=r1 dbname=x\ndatabase_replica = host=r2 dbname=x ; "
	              "postgresql://r3/x\nreplica_max_lag_ms = 500\n");
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_OK, "loads replicas");
	TAP_OK(c.nreplicas == 3, "three replicas from two lines");
	TAP_STREQ(c.nreplicas > 0 ? c.replicas[0] : "", "host=r1 dbname=x connect_timeout=" CONF_CONNECT_TIMEOUT,
	          "a replica gets a connect_timeout");
	TAP_STREQ(c.nreplicas > 2 ? c.replicas[2] : "", "postgresql://r3/x?connect_timeout=" CONF_CONNECT_TIMEOUT,
	          "a replica URI after ';'");
	TAP_OK(c.replica_max_lag_ms == 500 && c.replica_retry_ms == 1000, "replica lag and retry settings");
	conf_free(&c);
	setenv("HEARTH_DATABASE_REPLICA", "host=envr", 1);
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_OK && c.nreplicas == 1 &&
	       strncmp(c.replicas[0], "host=envr ", 10) == 0, "the environment replaces the file's replicas");
	conf_free(&c);
	setenv("HEARTH_DATABASE_REPLICA", "", 1);
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_OK && c.nreplicas == 0,
	       "an empty environment value means no replica");
	conf_free(&c);
	unsetenv("HEARTH_DATABASE_REPLICA");
	p = write_tmp("workers = 2\n");
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_OK && c.nreplicas == 0 && !c.replicas,
	       "no replica by default");
	conf_free(&c);

	p = write_tmp("database = postgresql://db.example/hearth?connect_timeout=2\n");
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_OK, "loads a URI with a timeout");
	TAP_STREQ(c.database, "postgresql://db.example/hearth?connect_timeout=2", "a URI's timeout is kept");
	conf_free(&c);

	setenv("PGCONNECT_TIMEOUT", "9", 1);
	TAP_OK(conf_load(&c, NULL, err, sizeof err) == CONF_OK, "defaults load with PGCONNECT_TIMEOUT");
	TAP_STREQ(c.database, "dbname=hearth", "PGCONNECT_TIMEOUT from the environment is left to libpq");
	conf_free(&c);
	unsetenv("PGCONNECT_TIMEOUT");

	p = write_tmp("workers = 2\nbogus = 1\n");
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_ERR_KEY, "unknown key is an error");
	TAP_OK(strstr(err, ":2: unknown key \"bogus\"") != NULL, "error names line 2 and the key: %s", err);
	conf_free(&c);

	p = write_tmp("workers = many\n");
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_ERR_VALUE, "bad number is an error");
	TAP_OK(strstr(err, ":1: workers must be") != NULL, "error says what workers must be: %s", err);
	conf_free(&c);

	p = write_tmp("just words\n");
	TAP_OK(conf_load(&c, p, err, sizeof err) == CONF_ERR_SYNTAX, "a line without = is an error");
	conf_free(&c);

	TAP_OK(conf_load(&c, "/nonexistent/hearth.conf", err, sizeof err) == CONF_ERR_IO, "missing file");
	TAP_OK(strstr(err, "/nonexistent/hearth.conf") != NULL, "error names the file");
	conf_free(&c);

	TAP_OK(conf_load(&c, NULL, err, sizeof err) == CONF_OK && strcmp(c.replier_guidance_file, "") == 0,
	       "replier_guidance_file is empty by default");
	conf_free(&c);

	/* The note for repliers. */
	struct crisis_list cl;
	memset(&cl, 0, sizeof cl);
	TAP_OK(crisis_guidance_load("", &cl, err, sizeof err) == 0 && cl.guidance_count > 0,
	       "no file: the built-in note");
	TAP_OK(strstr(cl.guidance[1], "secret") != NULL, "the built-in note says not to promise secrecy");
	unsigned long long builtin = cl.guidance_digest;
	p = write_tmp("# comment\n  First line\nsame paragraph.  \n\n\n# another\nSecond.\n");
	TAP_OK(crisis_guidance_load(p, &cl, err, sizeof err) == 0, "a file loads: %s", err);
	TAP_OK(cl.guidance_count == 2, "two paragraphs (got %zu)", cl.guidance_count);
	TAP_STREQ(cl.guidance[0], "First line same paragraph.", "lines of a paragraph join, trimmed");
	TAP_STREQ(cl.guidance[1], "Second.", "comments are left out");
	TAP_OK(cl.guidance_digest != builtin && cl.guidance_digest != 0, "the digest follows the text");
	p = write_tmp("a\n\nb\n\nc\n\nd\n\ne\n\nf\n\ng\n\nh\n\ni\n");
	TAP_OK(crisis_guidance_load(p, &cl, err, sizeof err) < 0 && strstr(err, ":17: more than 8") != NULL,
	       "nine paragraphs are refused with the line: %s", err);
	TAP_OK(cl.guidance_count == 0, "a refused file leaves no note");
	p = write_tmp("caf\xc3(\n");
	TAP_OK(crisis_guidance_load(p, &cl, err, sizeof err) < 0 && strstr(err, ":1: not valid UTF-8") != NULL,
	       "invalid UTF-8 is refused: %s", err);
	p = write_tmp("# only a comment\n\n");
	TAP_OK(crisis_guidance_load(p, &cl, err, sizeof err) < 0 && strstr(err, "no text") != NULL,
	       "a file without text is refused: %s", err);
	char big[1200];
	memset(big, 'x', 600);
	big[600] = '\n';
	memset(big + 601, 'y', 500);
	big[1101] = '\n';
	big[1102] = '\0';
	p = write_tmp(big);
	TAP_OK(crisis_guidance_load(p, &cl, err, sizeof err) < 0 && strstr(err, ":2: a paragraph longer") != NULL,
	       "a paragraph over 1000 bytes is refused: %s", err);
	TAP_OK(crisis_guidance_load("/nonexistent/guidance.txt", &cl, err, sizeof err) < 0 &&
	       strstr(err, "replier_guidance_file") != NULL, "a missing file names the key: %s", err);
	crisis_free(&cl);
	unlink(p);
	return tap_done();
}
