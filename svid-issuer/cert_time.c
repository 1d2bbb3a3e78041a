/* Certificate times: writing a validity period, reading a time back.
 *
 * The times are written as ASN1_TIME_set writes them (RFC 5280 4.1.2.5:
 * UTCTime YYMMDDHHMMSSZ for 1950 through 2049, GeneralizedTime
 * YYYYMMDDHHMMSSZ otherwise) but formatted here: ASN1_TIME_set goes through
 * gmtime and OpenSSL's own printf, about 0.3 us a time, a percent of a
 * leaf's minting; the arithmetic below is a hundredth of that. */
#include "svid-issuer/cert_build.h"

#include <string.h>

/* Days since 1970-01-01 to a proleptic Gregorian date (the inverse of the
 * days_from_civil algorithm in H. Hinnant's "chrono-Compatible Low-Level
 * Date Algorithms"). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
        int64_t era, yoe, doy, mp;

        z += 719468;
        era = (z >= 0 ? z : z - 146096) / 146097;
        yoe = z - era * 146097;                                       /* [0, 146096] */
        yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;   /* [0, 399] */
        doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);    /* [0, 365] */
        mp = (5 * doy + 2) / 153;                                      /* [0, 11] */
        *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);                 /* [1, 31] */
        *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);                    /* [1, 12] */
        *y = yoe + era * 400 + (*m <= 2);
}

static void put2(char *s, size_t *n, unsigned v)
{
        s[(*n)++] = (char)('0' + v / 10 % 10);
        s[(*n)++] = (char)('0' + v % 10);
}

/* when as RFC 5280 wants it, in s (NUL-terminated); *utc tells which of
 * the two forms. */
static int format_time(time_t when, char s[16], bool *utc)
{
        int64_t secs = (int64_t)when, days = secs / 86400, rem = secs % 86400, year;
        unsigned month, day;
        size_t n = 0;

        if (rem < 0) {
                rem += 86400;
                days--;
        }
        civil_from_days(days, &year, &month, &day);
        /* GeneralizedTime has four year digits. */
        ENSURE(year >= 0 && year <= 9999, -ERANGE);
        *utc = year >= 1950 && year <= 2049;
        if (!*utc)
                put2(s, &n, (unsigned)(year / 100));
        put2(s, &n, (unsigned)(year % 100));
        put2(s, &n, month);
        put2(s, &n, day);
        put2(s, &n, (unsigned)(rem / 3600));
        put2(s, &n, (unsigned)(rem / 60 % 60));
        put2(s, &n, (unsigned)(rem % 60));
        s[n++] = 'Z';
        s[n] = '\0';
        return 0;
}

/* These check the format they are given and set the type. */
static int set_time(ASN1_TIME *t, const char *s, bool utc)
{
        if (utc)
                ENSURE(ASN1_UTCTIME_set_string(t, s) == 1, -ENOMEM);
        else
                ENSURE(ASN1_GENERALIZEDTIME_set_string(t, s) == 1, -ENOMEM);
        return 0;
}

int ae_cert_set_validity(X509 *x, time_t not_before, time_t not_after)
{
        char from[16], to[16];
        bool from_utc, to_utc;

        ENSURE(x, -EINVAL);
        ENSURE(not_after >= not_before, -ERANGE);
        GUARD(format_time(not_before, from, &from_utc));
        GUARD(format_time(not_after, to, &to_utc));
        GUARD(set_time(X509_getm_notBefore(x), from, from_utc));
        return set_time(X509_getm_notAfter(x), to, to_utc);
}

int ae_cert_time(const ASN1_TIME *t, time_t *ret)
{
        struct tm tm;
        time_t v;

        ENSURE(t && ret, -EINVAL);
        memset(&tm, 0, sizeof(tm));
        ENSURE(ASN1_TIME_to_tm(t, &tm) == 1, -EINVAL);
        /* -1 is also 1969-12-31T23:59:59, a time no certificate here has. */
        v = timegm(&tm);
        ENSURE(v != (time_t)-1, -EINVAL);
        *ret = v;
        return 0;
}
