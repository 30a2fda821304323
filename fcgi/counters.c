/* counters.c: see counters.h. */
#include "counters.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "log.h"

const long long counters_bucket_us[COUNTERS_BUCKETS - 1] = {
	50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 5000000,
};

static struct counters *block;

bool counters_init(void)
{
	if (block)
		return true;
	void *p = mmap(NULL, sizeof *block, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		log_error("counters: mmap of %zu bytes: %s; /metrics will lack the shared figures",
		          sizeof *block, strerror(errno));
		return false;
	}
	block = p;                      /* zero-filled by the kernel: every counter at 0 */
	atomic_store(&block->started, (long long)time(NULL));
	return true;
}

struct counters *counters_get(void)
{
	return block;
}

void counters_request(int slot, int status, double micros)
{
	if (!block)
		return;
	if (slot < 0 || slot > COUNTERS_UNMATCHED)
		slot = COUNTERS_UNMATCHED;
	struct counters_route *r = &block->route[slot];
	int cls = status / 100 - 1;
	if (cls < 0 || cls >= CS__MAX)
		cls = CS_5XX;
	counters_add(&r->by_status[cls], 1);
	long long us = micros > 0 ? (long long)micros : 0;
	int b = 0;
	while (b < COUNTERS_BUCKETS - 1 && us > counters_bucket_us[b])
		b++;
	counters_add(&r->bucket[b], 1);
	counters_add(&r->sum_us, (unsigned long long)us);
}

void counters_note_connects(unsigned long total, unsigned long *seen)
{
	if (total == *seen)
		return;
	unsigned long fresh = total - *seen;
	unsigned long re = *seen == 0 ? fresh - 1 : fresh;
	*seen = total;
	if (!block)
		return;
	counters_add(&block->db_connects, fresh);
	if (re)
		counters_add(&block->db_reconnects, re);
}
