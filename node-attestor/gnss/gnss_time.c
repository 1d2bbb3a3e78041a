#include "node-attestor/gnss/gnss_time.h"

#include <errno.h>
#include <stdbool.h>

/* n decimal digits at *p, advancing it; -1 when they are not all digits. */
static int digits(const char **p, int n)
{
        int v = 0;

        for (int i = 0; i < n; i++) {
                char c = (*p)[i];

                if (c < '0' || c > '9')
                        return -1;
                v = v * 10 + (c - '0');
        }
        *p += n;
        return v;
}

static bool expect(const char **p, char c)
{
        if (**p != c)
                return false;
        (*p)++;
        return true;
}

int ae_gnss_parse_time(const char *s, struct timespec *ret_time)
{
        const char *p = s;
        struct tm tm = { 0 }, check;
        int year, mon, mday, hour, min, sec;
        long nsec = 0;
        time_t t;

        year = digits(&p, 4);
        ENSURE(year >= 1980 && expect(&p, '-'), -EINVAL);
        mon = digits(&p, 2);
        ENSURE(mon >= 1 && mon <= 12 && expect(&p, '-'), -EINVAL);
        mday = digits(&p, 2);
        ENSURE(mday >= 1 && mday <= 31 && expect(&p, 'T'), -EINVAL);
        hour = digits(&p, 2);
        ENSURE(hour >= 0 && hour <= 23 && expect(&p, ':'), -EINVAL);
        min = digits(&p, 2);
        ENSURE(min >= 0 && min <= 59 && expect(&p, ':'), -EINVAL);
        sec = digits(&p, 2);
        ENSURE(sec >= 0 && sec <= 59, -EINVAL);
        if (expect(&p, '.')) {
                long scale = 100000000L;
                int n = 0;

                while (*p >= '0' && *p <= '9') {
                        ENSURE(++n <= 9, -EINVAL);
                        nsec += (*p - '0') * scale;
                        scale /= 10;
                        p++;
                }
                ENSURE(n > 0, -EINVAL);
        }
        ENSURE(expect(&p, 'Z') && *p == '\0', -EINVAL);

        tm.tm_year = year - 1900;
        tm.tm_mon = mon - 1;
        tm.tm_mday = mday;
        tm.tm_hour = hour;
        tm.tm_min = min;
        tm.tm_sec = sec;
        t = timegm(&tm);
        ENSURE(t != (time_t)-1, -EINVAL);
        /* timegm() normalises 30 February to 2 March: a date that does not
         * come back unchanged did not exist. */
        ENSURE(gmtime_r(&t, &check) != NULL, -EINVAL);
        ENSURE(check.tm_mday == mday && check.tm_mon == mon - 1, -EINVAL);

        ret_time->tv_sec = t;
        ret_time->tv_nsec = nsec;
        return 0;
}
