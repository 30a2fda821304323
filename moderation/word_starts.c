/*
 * word_starts.c: where the ASCII words of a view start.
 *
 * Most patterns start at \b with one of a few known words (their lead, see literal.c). Screening
 * used to look for those words by reading every byte of each pattern's window, once per pattern.
 * These bitmaps, one per first byte, made in one pass over the view (sixteen bytes at a time with
 * SSE2), let a pattern visit only the words of its window that begin like one of its lead words:
 * 64 positions per load and first byte.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mod_internal.h"

#define WORD_STARTS_KEEP (8u << 10)     /* bitmap words kept for the next view (14 KB of text) */

static inline bool ascii_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

#ifdef __SSE2__
/* Bytes of x in [lo, hi] (as unsigned). */
static inline __m128i in_range(__m128i x, unsigned char lo, unsigned char hi)
{
	__m128i y = _mm_xor_si128(_mm_sub_epi8(x, _mm_set1_epi8((char)lo)), _mm_set1_epi8((char)0x80));
	return _mm_cmpgt_epi8(_mm_set1_epi8((char)(hi - lo - 127)), y);
}

/* Bit i set when t[i] is an ASCII word byte, for the sixteen bytes at t. */
static inline unsigned word_mask16(const unsigned char *t)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)t);
	__m128i word = _mm_or_si128(in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 'z'),
	                            _mm_or_si128(in_range(x, '0', '9'),
	                                         _mm_cmpeq_epi8(x, _mm_set1_epi8('_'))));
	return (unsigned)_mm_movemask_epi8(word);
}
#endif

/* Bit i set when byte at + i of t[0..len) starts a word; *prev says whether the byte before at is
 * a word byte and is updated for the next block. */
static inline unsigned block_starts(const unsigned char *t, size_t len, size_t at, unsigned *prev)
{
	unsigned word = 0;
#ifdef __SSE2__
	if (at + 16 <= len) {
		word = word_mask16(t + at);
	} else
#endif
	{
		for (size_t i = at; i < len && i < at + 16; i++)
			word |= (unsigned)ascii_word(t[i]) << (i - at);
	}
	unsigned starts = word & ~(word << 1 | *prev);
	*prev = word >> 15 & 1;
	return starts;
}

int mod_word_starts_build(struct mod_word_starts *ws, const char *text, size_t len)
{
	size_t nwords = len / 64 + 1;
	size_t need = nwords * MOD_WORD_GROUPS;
	if (need > ws->cap) {
		uint64_t *bits = realloc(ws->bits, need * sizeof *bits);
		if (!bits)
			return -1;
		ws->bits = bits;
		ws->cap = need;
	}
	memset(ws->bits, 0, need * sizeof *ws->bits);
	ws->nwords = nwords;
	const unsigned char *t = (const unsigned char *)text;
	unsigned prev = 0;
	for (size_t at = 0; at < len; at += 16)
		for (unsigned m = block_starts(t, len, at, &prev); m; m &= m - 1) {
			size_t q = at + (size_t)__builtin_ctz(m);
			int g = mod_word_group(t[q]);
			if (g >= 0)
				ws->bits[(size_t)g * nwords + q / 64] |= 1ull << (q % 64);
		}
	ws->built = true;
	return 0;
}

void mod_word_starts_free(struct mod_word_starts *ws)
{
	free(ws->bits);
	*ws = (struct mod_word_starts){ 0 };
}

void mod_word_starts_trim(struct mod_word_starts *ws)
{
	if (ws->cap > WORD_STARTS_KEEP)
		mod_word_starts_free(ws);
}
