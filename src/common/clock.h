/* The monotonic clock, for timeouts and phase timings. */
#ifndef CBX_CLOCK_H
#define CBX_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t cbx_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static inline long long cbx_now_ms(void)
{
	return (long long)(cbx_now_us() / 1000);
}

#endif
