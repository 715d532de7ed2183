/* SPDX-License-Identifier: MIT */
/* isotime.c - ISO 8601 times (contract in isotime.h). */
#define _DEFAULT_SOURCE /* timegm */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "bucketfs/isotime.h"

/* The value of n decimal digits, -1 if one is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

static int days_in_month(int year, int mon)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[mon - 1] + (mon == 2 && leap);
}

int bfs_iso8601(const char *s, size_t len, int offsets, int64_t *out)
{
	struct tm tm;
	size_t i = 19;
	int sign = 0, hh = 0, mm = 0;
	time_t t;

	if (!s || len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':')
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4);
	tm.tm_mon = digits(s + 5, 2);
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > days_in_month(tm.tm_year, tm.tm_mon) || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
		return -EINVAL;
	if (s[i] == '.') {
		while (++i < len && s[i] >= '0' && s[i] <= '9')
			;
		if (i == 20)
			return -EINVAL; /* a dot without digits */
	}
	if (i + 1 == len && s[i] == 'Z') {
		sign = 0;
	} else if (offsets && i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		sign = s[i] == '+' ? 1 : -1;
		hh = digits(s + i + 1, 2);
		mm = digits(s + i + 4, 2);
		if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL; /* does not fit time_t */
	*out = (int64_t)t - sign * (hh * 3600LL + mm * 60LL);
	return 0;
}
