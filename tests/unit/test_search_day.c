/* test_search_day.c: the day filter of /search (db_search_day_parse). */
#include <stdbool.h>
#include <string.h>

#include "arena.h"
#include "db_search.h"
#include "tap.h"

int main(void)
{
	arena *a = arena_new(4096);
	const char *next = NULL;
	TAP_OK(db_search_day_parse(a, "2026-01-31", &next), "day_ordinary");
	TAP_STREQ(next, "2026-02-01", "day_next_month");
	TAP_OK(db_search_day_parse(a, "2024-02-29", &next), "day_leap");
	TAP_STREQ(next, "2024-03-01", "day_after_leap_day");
	TAP_OK(db_search_day_parse(a, "2025-12-31", &next), "day_last_of_year");
	TAP_STREQ(next, "2026-01-01", "day_next_year");
	TAP_OK(!db_search_day_parse(a, "2025-02-29", &next), "day_not_leap_refused");
	TAP_OK(!db_search_day_parse(a, "2100-02-29", &next), "day_century_not_leap_refused");
	TAP_OK(db_search_day_parse(a, "2000-02-29", &next), "day_400_leap");
	TAP_OK(!db_search_day_parse(a, "2025-13-01", &next), "day_month_13_refused");
	TAP_OK(!db_search_day_parse(a, "2025-04-31", &next), "day_april_31_refused");
	TAP_OK(!db_search_day_parse(a, "2025-4-01", &next), "day_short_refused");
	TAP_OK(!db_search_day_parse(a, "2025-04-01x", &next), "day_trailing_refused");
	TAP_OK(!db_search_day_parse(a, "+025-04-01", &next), "day_sign_refused");
	TAP_OK(!db_search_day_parse(a, "1969-12-31", &next), "day_before_1970_refused");
	TAP_OK(!db_search_day_parse(a, "", &next), "day_empty_refused");
	arena_free(a);
	return tap_done();
}
