/* aegis gnss fix: ask gpsd for one position fix and show it with the
 * identity of the receiver that produced it, or say why there is none. */
#include "control-plane/cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node-attestor/gnss/gnss_fix.h"

#define EXIT_USAGE 2

/* Field labels are padded to this width so the values line up. */
#define LABEL_WIDTH 17

#define SYNOPSIS                                                                           \
        "usage: aegis gnss fix [--host H] [--port P] [--device PATH] [--timeout SECONDS]\n" \
        "                      [--min-mode 2|3] [--max-eph METRES]\n"

static void usage_error(void)
{
        fputs(SYNOPSIS "Try 'aegis gnss --help'.\n", stderr);
}

static void usage(FILE *out)
{
        fprintf(out,
                SYNOPSIS
                "\n"
                "Connect to gpsd and wait for a position fix good enough: at least the\n"
                "given mode and, with --max-eph, a horizontal error estimate no larger\n"
                "than that. Show it with the receiver's gpsd device path and driver.\n"
                "\n"
                "  --host H            gpsd host (default %s)\n"
                "  --port P            gpsd port (default %d)\n"
                "  --device PATH       only this gpsd device (default: any)\n"
                "  --timeout SECONDS   give up after this long (default %u, max %u)\n"
                "  --min-mode 2|3      2D or 3D fix (default 3)\n"
                "  --max-eph METRES    largest acceptable horizontal error estimate\n"
                "\n"
                "Exit status: 0 with a fix, 1 without one, 2 for usage errors.\n",
                AE_GNSS_DEFAULT_HOST, AE_GNSS_DEFAULT_PORT, AE_GNSS_DEFAULT_TIMEOUT_MS / 1000,
                AE_GNSS_TIMEOUT_MAX_MS / 1000);
}

static void field(const char *label, const char *value)
{
        printf("  %-*s %s\n", LABEL_WIDTH, label, value);
}

static void metres_field(const char *label, bool has, double m)
{
        char buf[64];

        if (!has) {
                field(label, "(not reported)");
                return;
        }
        snprintf(buf, sizeof(buf), "%.1f m", m);
        field(label, buf);
}

/* RFC 3339, UTC, milliseconds: 2026-11-21T05:43:39.000Z */
static void time_field(const char *label, const struct timespec *ts)
{
        struct tm tm;
        char date[32], buf[48];

        if (!gmtime_r(&ts->tv_sec, &tm) ||
            strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
                field(label, "(unrepresentable)");
                return;
        }
        snprintf(buf, sizeof(buf), "%s.%03ldZ", date, ts->tv_nsec / 1000000);
        field(label, buf);
}

static void show_fix(const struct ae_gnss_fix *fix, const char *host, unsigned port)
{
        char buf[64];

        printf("GNSS fix from gpsd at %s:%u\n", host, port);
        snprintf(buf, sizeof(buf), "%.7f", fix->latitude_deg);
        field("latitude:", buf);
        snprintf(buf, sizeof(buf), "%.7f", fix->longitude_deg);
        field("longitude:", buf);
        metres_field("altitude (MSL):", fix->has_alt_msl, fix->alt_msl_m);
        metres_field("altitude (HAE):", fix->has_alt_hae, fix->alt_hae_m);
        metres_field("eph:", fix->has_eph, fix->eph_m);
        metres_field("epv:", fix->has_epv, fix->epv_m);
        field("mode:", fix->mode == 3 ? "3D" : "2D");
        if (fix->satellites_used >= 0)
                snprintf(buf, sizeof(buf), "%d", fix->satellites_used);
        else
                snprintf(buf, sizeof(buf), "(not reported)");
        field("satellites used:", buf);
        time_field("time:", &fix->time);
        field("device:", fix->device);
        field("driver:", fix->driver[0] ? fix->driver : "(not reported)");
        if (fix->subtype[0])
                field("subtype:", fix->subtype);
}

/* Why there is no fix, in the operator's terms. */
static void show_failure(int r, const struct ae_gnss_source *src,
                         const struct ae_gnss_quality *want, const char *host, unsigned port)
{
        char quality[64];

        if (want->max_eph_m > 0)
                snprintf(quality, sizeof(quality), "%dD with eph <= %.1f m", want->min_mode,
                         want->max_eph_m);
        else
                snprintf(quality, sizeof(quality), "%dD", want->min_mode);

        fprintf(stderr, "aegis gnss: no fix from gpsd at %s:%u: ", host, port);
        switch (r) {
        case -ETIMEDOUT:
                fprintf(stderr, "nothing of at least %s within %.1f s\n", quality,
                        src->timeout_ms / 1000.0);
                break;
        case -ECONNREFUSED:
                fprintf(stderr, "connection refused (is gpsd running and listening there?)\n");
                break;
        case -EHOSTUNREACH:
                fprintf(stderr, "host unknown or unreachable\n");
                break;
        case -ENODEV:
                fprintf(stderr, "gpsd has no device %s\n", src->device);
                break;
        case -EBADMSG:
                fprintf(stderr, "gpsd reported fixes, but none passed the sanity checks\n");
                break;
        case -ECONNRESET:
                fprintf(stderr, "gpsd closed the connection\n");
                break;
        case -EPROTO:
                fprintf(stderr, "gpsd refused the watch request\n");
                break;
        default:
                fprintf(stderr, "%s\n", strerror(-r));
                break;
        }
}

/* Whole-string number parsers for the options. */
static int parse_double(const char *s, double *ret)
{
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_long(const char *s, long min, long max, long *ret)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int bad_value(const char *opt, const char *value, const char *expect)
{
        fprintf(stderr, "aegis gnss fix: bad %s '%s' (expected %s)\n", opt, value, expect);
        usage_error();
        return EXIT_USAGE;
}

int ae_cli_gnss(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "host", required_argument, NULL, 'H' },
                { "port", required_argument, NULL, 'p' },
                { "device", required_argument, NULL, 'd' },
                { "timeout", required_argument, NULL, 't' },
                { "min-mode", required_argument, NULL, 'm' },
                { "max-eph", required_argument, NULL, 'e' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct ae_gnss_source src = { .timeout_ms = AE_GNSS_DEFAULT_TIMEOUT_MS };
        struct ae_gnss_quality want = { .min_mode = 3 };
        struct ae_gnss_fix fix;
        const char *host;
        unsigned port;
        double d;
        long l;
        int c, r;

        if (argc < 2) {
                usage_error();
                return EXIT_USAGE;
        }
        if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
                usage(stdout);
                return EXIT_SUCCESS;
        }
        if (strcmp(argv[1], "fix") != 0) {
                fprintf(stderr, "aegis gnss: unknown command '%s'\n", argv[1]);
                usage_error();
                return EXIT_USAGE;
        }

        /* Options follow "fix": parse argv[1..] with it in the program-name
         * slot. optind 0 makes glibc start afresh. */
        optind = 0;
        while ((c = getopt_long(argc - 1, argv + 1, "+H:p:d:t:m:e:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'H':
                        if (optarg[0] == '\0' || strlen(optarg) > AE_GNSS_HOST_MAX)
                                return bad_value("--host", optarg, "a host name or address");
                        src.host = optarg;
                        break;
                case 'p':
                        if (parse_long(optarg, 1, 65535, &l) < 0)
                                return bad_value("--port", optarg, "1-65535");
                        src.port = (uint16_t)l;
                        break;
                case 'd':
                        if (optarg[0] == '\0' || strlen(optarg) >= AE_GNSS_DEVICE_MAX)
                                return bad_value("--device", optarg, "a device path");
                        src.device = optarg;
                        break;
                case 't':
                        if (parse_double(optarg, &d) < 0 || d <= 0 ||
                            d * 1000.0 > AE_GNSS_TIMEOUT_MAX_MS || d * 1000.0 < 1.0)
                                return bad_value("--timeout", optarg,
                                                 "seconds, more than 0 and at most 600");
                        src.timeout_ms = (unsigned)lround(d * 1000.0);
                        break;
                case 'm':
                        if (parse_long(optarg, 2, 3, &l) < 0)
                                return bad_value("--min-mode", optarg, "2 or 3");
                        want.min_mode = (int)l;
                        break;
                case 'e':
                        if (parse_double(optarg, &d) < 0 || d <= 0)
                                return bad_value("--max-eph", optarg, "metres, more than 0");
                        want.max_eph_m = d;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                default:
                        usage_error();
                        return EXIT_USAGE;
                }
        }
        if (optind != argc - 1) {
                fprintf(stderr, "aegis gnss fix: unexpected argument '%s'\n", argv[optind + 1]);
                usage_error();
                return EXIT_USAGE;
        }

        host = src.host ? src.host : AE_GNSS_DEFAULT_HOST;
        port = src.port ? src.port : AE_GNSS_DEFAULT_PORT;
        r = ae_gnss_read_fix(&src, &want, &fix);
        if (r < 0) {
                show_failure(r, &src, &want, host, port);
                return EXIT_FAILURE;
        }
        show_fix(&fix, host, port);
        return EXIT_SUCCESS;
}
