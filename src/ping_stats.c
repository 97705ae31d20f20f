/* ping_stats.c: ping's figures from the round trips seen, computed the way iputils does. */
#include "config.h"

#include <limits.h>
#include <stdio.h>

#include "json.h"
#include "pinger.h"

void
ping_stats_add_rtt(struct ping_stats *s, long long rtt)
{
	if (s->received + s->duplicates == 0 || rtt < s->tmin)
		s->tmin = rtt;
	if (rtt > s->tmax)
		s->tmax = rtt;
	s->tsum += rtt;
	s->tsum2 += rtt * rtt;
}

static long long
llsqrt(long long a)
{
	long long prev = LLONG_MAX, x = a;

	if (x > 0)
		while (x < prev) {
			prev = x;
			x = (x + a / x) / 2;
		}
	return x;
}

/* The same integer steps as iputils, so that the same samples give the same figures. */
void
ping_stats_rtt(const struct ping_stats *s, long long *min, long long *avg, long long *max,
    long long *mdev)
{
	long long total = s->received + s->duplicates, var;

	*min = *avg = *max = *mdev = 0;
	if (total <= 0)
		return;
	*min = s->tmin;
	*max = s->tmax;
	*avg = s->tsum / total;
	if (s->tsum < INT_MAX)
		var = (s->tsum2 - s->tsum * s->tsum / total) / total;
	else
		var = s->tsum2 / total - *avg * *avg;
	*mdev = llsqrt(var);
}

void
ping_format_rtt(long long t, char *buf, size_t len)
{
	if (t >= 100000 - 50)
		snprintf(buf, len, "%lld", (t + 500) / 1000);
	else if (t >= 10000 - 5)
		snprintf(buf, len, "%lld.%01lld", (t + 50) / 1000, ((t + 50) % 1000) / 100);
	else if (t >= 1000)
		snprintf(buf, len, "%lld.%02lld", (t + 5) / 1000, ((t + 5) % 1000) / 10);
	else
		snprintf(buf, len, "%lld.%03lld", t / 1000, t % 1000);
}

double
ping_stats_loss(const struct ping_stats *s)
{
	/* ping's figure, float included, so that both print the same. */
	return s->transmitted ? (float)((double)(s->transmitted - s->received) * 100.0 /
					(double)s->transmitted)
			      : 0;
}

int
ping_stats_rtt_text(const struct ping_stats *s, char *buf, size_t len)
{
	long long min, avg, max, mdev;

	ping_stats_rtt(s, &min, &avg, &max, &mdev);
	return snprintf(buf, len,
	    "rtt min/avg/max/mdev = %lld.%03lld/%lld.%03lld/%lld.%03lld/%lld.%03lld ms", min / 1000,
	    min % 1000, avg / 1000, avg % 1000, max / 1000, max % 1000, mdev / 1000, mdev % 1000);
}

void
ping_stats_rtt_json(struct json *j, const struct ping_stats *s)
{
	static const char *const keys[] = { "rtt_min_ms", "rtt_avg_ms", "rtt_max_ms",
		"rtt_mdev_ms" };
	long long v[4];

	ping_stats_rtt(s, &v[0], &v[1], &v[2], &v[3]);
	for (size_t k = 0; k < 4; k++) {
		if (s->received + s->duplicates > 0)
			json_double(j, keys[k], (double)v[k] / 1000, 3);
		else
			json_null(j, keys[k]);
	}
}
