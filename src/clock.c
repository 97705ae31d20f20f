/* clock.c: the monotonic clock, in the unit every timeout here uses. */
#include "config.h"

#include <time.h>

#include "clock.h"

int64_t
clock_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
