/* names.c: the names of the moderation enums, for logs, the CLI and the review page. */
#include "mod.h"

static const char *const err_names[MOD_ERR__MAX] = {
	[MOD_OK] = "ok",
	[MOD_ERR_NOMEM] = "out of memory",
	[MOD_ERR_IO] = "cannot read rule files",
	[MOD_ERR_SYNTAX] = "rule file syntax error",
	[MOD_ERR_PATTERN] = "rule pattern error",
	[MOD_ERR_EXAMPLE] = "rule example failed",
	[MOD_ERR_LIMIT] = "screening limit reached",
	[MOD_ERR_UTF8] = "text is not valid UTF-8",
};

static const char *const ctx_names[MOD_CTX__COUNT] = {
	"negation", "past", "quote", "media", "question", "third_party", "self", "clinical",
	"criticism", "addressee", "counter", "recovery", "word", "return", "game", "whole_post"
};

static const char *const xform_names[MOD_XF__COUNT] = {
	"emphasis", "spacing", "leet", "homoglyph", "squeeze", "mask", "split", "emoji", "spelling"
};

static const char *const action_names[MOD_ACTION__MAX] = {
	[MOD_FLAG] = "flag", [MOD_HOLD] = "hold", [MOD_NUDGE] = "nudge"
};

const char *mod_strerror(enum mod_err e)
{
	return (unsigned)e < MOD_ERR__MAX ? err_names[e] : "unknown error";
}

static int bit_index(unsigned bit, int count)
{
	for (int i = 0; i < count; i++)
		if (bit == 1u << i)
			return i;
	return -1;
}

const char *mod_ctx_name(unsigned bit)
{
	int i = bit_index(bit, MOD_CTX__COUNT);
	return i < 0 ? NULL : ctx_names[i];
}

const char *mod_xform_name(unsigned bit)
{
	int i = bit_index(bit, MOD_XF__COUNT);
	return i < 0 ? NULL : xform_names[i];
}

const char *mod_action_name(enum mod_action a)
{
	return (a > 0 && a < MOD_ACTION__MAX) ? action_names[a] : "none";
}
