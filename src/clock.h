/* clock.h: monotonic time in microseconds, for timeouts and RTTs. */
#ifndef SOCKT_CLOCK_H
#define SOCKT_CLOCK_H

#include <stdint.h>

int64_t clock_now_usec(void);

#endif
