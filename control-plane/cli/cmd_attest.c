/* aegis attest: run both halves of TPM node attestation against a TPM, in
 * one process: the agent's steps on the TPM, the server's steps on the
 * policy. For operators (does this machine pass? which golden set?) and for
 * tests. The per-node replay state can be kept in a file between runs. */
#include "control-plane/cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/file.h"
#include "control-plane/cli/node_result_json.h"
#include "node-attestor/gnss/gnss_claim.h"
#include "node-attestor/gnss/gnss_fix.h"
#include "node-attestor/tpm/node_agent.h"
#include "node-attestor/tpm/tpm.h"
#include "node-attestor/verify/node_verifier.h"
#include "policy/policy.h"

#define EXIT_USAGE 2
#define STATE_FILE_MAX 4096

#define SYNOPSIS                                                                    \
        "usage: aegis attest --policy FILE [--tcti CONF] [--ek rsa|ecc] [--ak ecc|rsa]\n"      \
        "                    [--ak-handle HANDLE] [--state FILE] [--json]\n"                   \
        "                    [--gpsd HOST:PORT [--gpsd-device PATH] [--sensor-serial S]\n"     \
        "                     [--gnss-timeout SECONDS]]\n"

struct attest_opts {
        const char *policy, *state, *tcti;
        struct ae_node_agent_config agent;
        bool json;
        /* GNSS: where the location claim comes from (none without --gpsd). */
        char gpsd_host[AE_GNSS_HOST_MAX + 1];
        struct ae_gnss_source gnss;
        const char *sensor_serial;
};

static void usage(FILE *out)
{
        fprintf(out,
                SYNOPSIS
                "\n"
                "Attest this machine's TPM against a policy: the agent side creates the EK\n"
                "and AK and answers the challenge (credential activation, PCR quote), the\n"
                "server side checks everything and names the node.\n"
                "\n"
                "  --policy FILE      Aegis policy JSON (trust domain, EK trust, PCR sets)\n"
                "  --tcti CONF        tpm2-tss TCTI (default %s)\n"
                "  --ek rsa|ecc       which EK and EK certificate to use (default rsa)\n"
                "  --ak ecc|rsa       attestation key type (default ecc: P-256/ECDSA)\n"
                "  --ak-handle H      keep the AK persistent at H (e.g. 0x81010002)\n"
                "  --state FILE       replay state (TPM clock and counters, last fix) read\n"
                "                     before and written after an accepted attestation\n"
                "  --json             machine-readable output\n"
                "  --gpsd HOST:PORT   read a GNSS fix from gpsd and bind it into the quote\n"
                "                     as the location claim (Proof of Geofencing)\n"
                "  --gpsd-device PATH only this gpsd device\n"
                "  --sensor-serial S  the sensor's serial, as the policy's allowlist names it\n"
                "  --gnss-timeout S   seconds to wait for a fix (default 10); without one\n"
                "                     the node attests without a location claim\n"
                "\n"
                "Exit status: 0 accepted, 1 refused or failed, 2 usage error.\n",
                AE_TPM_TCTI_DEFAULT);
}

static int usage_error(const char *what)
{
        fprintf(stderr, "aegis attest: %s\n" SYNOPSIS "Try 'aegis attest --help'.\n", what);
        return EXIT_USAGE;
}

static int parse_opts(int argc, char **argv, struct attest_opts *o)
{
        static const struct option longopts[] = {
                { "policy", required_argument, NULL, 'p' }, { "tcti", required_argument, NULL, 't' },
                { "ek", required_argument, NULL, 'e' },     { "ak", required_argument, NULL, 'a' },
                { "ak-handle", required_argument, NULL, 'H' },
                { "state", required_argument, NULL, 's' },  { "json", no_argument, NULL, 'j' },
                { "gpsd", required_argument, NULL, 'g' },
                { "gpsd-device", required_argument, NULL, 'D' },
                { "sensor-serial", required_argument, NULL, 'S' },
                { "gnss-timeout", required_argument, NULL, 'T' },
                { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
        };
        int c;

        memset(o, 0, sizeof(*o));
        o->agent.ek_alg = AE_TPM_EK_RSA2048;
        o->agent.ak_alg = AE_TPM_AK_ECC_P256;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'p': o->policy = optarg; break;
                case 't': o->agent.tcti = optarg; break;
                case 's': o->state = optarg; break;
                case 'j': o->json = true; break;
                case 'e':
                        if (strcmp(optarg, "rsa") == 0)
                                o->agent.ek_alg = AE_TPM_EK_RSA2048;
                        else if (strcmp(optarg, "ecc") == 0)
                                o->agent.ek_alg = AE_TPM_EK_ECC_P256;
                        else
                                return usage_error("--ek takes rsa or ecc");
                        break;
                case 'a':
                        if (strcmp(optarg, "ecc") == 0)
                                o->agent.ak_alg = AE_TPM_AK_ECC_P256;
                        else if (strcmp(optarg, "rsa") == 0)
                                o->agent.ak_alg = AE_TPM_AK_RSA2048;
                        else
                                return usage_error("--ak takes ecc or rsa");
                        break;
                case 'H': {
                        char *end;
                        unsigned long h = strtoul(optarg, &end, 0);

                        if (*end || h < AE_TPM_PERSISTENT_OWNER_FIRST ||
                            h > AE_TPM_PERSISTENT_OWNER_LAST)
                                return usage_error("--ak-handle must be in 0x81000000..0x817fffff");
                        o->agent.ak_handle = (uint32_t)h;
                        break;
                }
                case 'g': {
                        const char *colon = strrchr(optarg, ':');
                        char *end;
                        unsigned long port;

                        if (!colon || colon == optarg ||
                            (size_t)(colon - optarg) > AE_GNSS_HOST_MAX)
                                return usage_error("--gpsd takes HOST:PORT");
                        port = strtoul(colon + 1, &end, 10);
                        if (*end || port == 0 || port > 65535)
                                return usage_error("--gpsd takes HOST:PORT");
                        memcpy(o->gpsd_host, optarg, (size_t)(colon - optarg));
                        o->gpsd_host[colon - optarg] = '\0';
                        o->gnss.host = o->gpsd_host;
                        o->gnss.port = (uint16_t)port;
                        break;
                }
                case 'D': o->gnss.device = optarg; break;
                case 'S': o->sensor_serial = optarg; break;
                case 'T': {
                        char *end;
                        double sec = strtod(optarg, &end);

                        if (*end || !(sec > 0) || sec > AE_GNSS_TIMEOUT_MAX_MS / 1000.0)
                                return usage_error("--gnss-timeout takes 0 < SECONDS <= 600");
                        o->gnss.timeout_ms = (unsigned)(sec * 1000.0);
                        break;
                }
                case 'h': usage(stdout); return -1;
                default: return usage_error("unknown option");
                }
        }
        if (optind != argc)
                return usage_error("unexpected argument");
        if (!o->policy)
                return usage_error("--policy is required");
        return 0;
}

/* The state file: {"clock":N,"reset_count":N,"restart_count":N} and, once
 * the node had a usable fix, "fix":{"latitude":D,"longitude":D,"time_ms":N}.
 * Absent file: first attestation. */
static int fix_load(json_t *fix, struct ae_node_replay_state *ret)
{
        json_t *lat = json_object_get(fix, "latitude"), *lon = json_object_get(fix, "longitude"),
               *t = json_object_get(fix, "time_ms");

        if (!fix)
                return 0;
        ENSURE(json_is_number(lat) && json_is_number(lon) && json_is_integer(t), -EBADMSG);
        ENSURE(fabs(json_number_value(lat)) <= 90 && fabs(json_number_value(lon)) <= 180,
               -EBADMSG);
        ret->has_fix = true;
        ret->fix_latitude = json_number_value(lat);
        ret->fix_longitude = json_number_value(lon);
        ret->fix_time_ms = json_integer_value(t);
        return 0;
}

static int state_load(const char *path, struct ae_node_replay_state *ret)
{
        _cleanup_free_ uint8_t *text = NULL;
        json_t *j, *clock, *reset, *restart;
        size_t len;
        int r;

        memset(ret, 0, sizeof(*ret));
        if (!path)
                return 0;
        r = ae_file_read(path, STATE_FILE_MAX, &text, &len);
        if (r == -ENOENT)
                return 0;
        GUARD(r);
        j = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, NULL);
        clock = json_object_get(j, "clock");
        reset = json_object_get(j, "reset_count");
        restart = json_object_get(j, "restart_count");
        if (!json_is_integer(clock) || !json_is_integer(reset) || !json_is_integer(restart) ||
            json_integer_value(clock) < 0 || json_integer_value(reset) < 0 ||
            json_integer_value(reset) > UINT32_MAX || json_integer_value(restart) < 0 ||
            json_integer_value(restart) > UINT32_MAX) {
                json_decref(j);
                return -EBADMSG;
        }
        ret->known = true;
        ret->clock = (uint64_t)json_integer_value(clock);
        ret->reset_count = (uint32_t)json_integer_value(reset);
        ret->restart_count = (uint32_t)json_integer_value(restart);
        r = fix_load(json_object_get(j, "fix"), ret);
        json_decref(j);
        return r;
}

static int state_save(const char *path, const struct ae_node_replay_state *s)
{
        char tmp[4096];
        FILE *f;
        int n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);

        ENSURE(n > 0 && (size_t)n < sizeof(tmp), -ENAMETOOLONG);
        f = fopen(tmp, "w");
        ENSURE(f, -errno);
        fprintf(f, "{\"clock\":%" PRIu64 ",\"reset_count\":%" PRIu32 ",\"restart_count\":%" PRIu32,
                s->clock, s->reset_count, s->restart_count);
        if (s->has_fix)
                fprintf(f, ",\"fix\":{\"latitude\":%.7f,\"longitude\":%.7f,\"time_ms\":%" PRId64 "}",
                        s->fix_latitude, s->fix_longitude, s->fix_time_ms);
        fputs("}\n", f);
        ENSURE(fclose(f) == 0, -errno);
        ENSURE(rename(tmp, path) == 0, -errno); /* whole or not at all */
        return 0;
}

static void print_result(const struct attest_opts *o, const struct ae_node_result *res,
                         const struct ae_policy *policy)
{
        if (o->json) {
                json_t *j = ae_cli_node_result_json(res, policy);

                if (!j || json_dumpf(j, stdout, JSON_COMPACT) < 0)
                        fputs("{\"accepted\":true,\"error\":\"out of memory\"}", stdout);
                putchar('\n');
                json_decref(j);
                return;
        }
        printf("accepted: %s\n", res->spiffe_id);
        printf("  level     %s", res->level == AE_LEVEL_POG ? "PoG (Proof of Geofencing)"
                                                           : "PoR (Proof of Residency)");
        if (res->level == AE_LEVEL_POR && res->por_reason != AE_ATTEST_OK)
                printf(", not PoG: %s (%s)", ae_attest_reason_str(res->por_reason),
                       ae_attest_reason_id(res->por_reason));
        putchar('\n');
        for (size_t i = 0; i < res->n_selectors; i++)
                printf("  selector  %s:%s\n", AE_NODE_ATTESTOR_TYPE, res->selectors[i]);
        if (res->has_coordinates)
                printf("  location  %.7f, %.7f\n", res->latitude, res->longitude);
        printf("  tpm clock %" PRIu64 " ms, resetCount %" PRIu32 ", restartCount %" PRIu32 "\n",
               res->state.clock, res->state.reset_count, res->state.restart_count);
}

static int refused(const struct attest_opts *o, const char *step, enum ae_attest_reason r)
{
        if (o->json)
                printf("{\"accepted\":false,\"step\":\"%s\",\"reason\":\"%s\",\"text\":\"%s\"}\n",
                       step, ae_attest_reason_id(r), ae_attest_reason_str(r));
        else
                printf("refused at %s: %s (%s)\n", step, ae_attest_reason_str(r),
                       ae_attest_reason_id(r));
        return 1;
}

static int failed(const char *what, int r, const char *detail)
{
        fprintf(stderr, "aegis attest: %s: %s%s%s\n", what, strerror(-r),
                detail && *detail ? ": " : "", detail ? detail : "");
        return 1;
}

/* The location claim and sensor identity from gpsd. Without a usable fix the
 * node attests without one (the policy decides what that means), so this
 * only reports why. */
static void read_claim(const struct attest_opts *o, uint8_t *claim, size_t *claim_len,
                       uint8_t *sensor, size_t *sensor_len)
{
        int r = ae_gnss_location_evidence(&o->gnss, o->sensor_serial, claim, claim_len, sensor,
                                          sensor_len);

        if (r < 0) {
                *claim_len = *sensor_len = 0;
                fprintf(stderr, "aegis attest: no location claim: gpsd %s:%u: %s\n",
                        o->gnss.host, o->gnss.port,
                        r == -ETIMEDOUT ? "no fix within the timeout" : strerror(-r));
        }
}

int ae_cli_attest(int argc, char **argv)
{
        _cleanup_(ae_policy_freep) struct ae_policy *policy = NULL;
        _cleanup_(ae_node_verifier_freep) struct ae_node_verifier *v = NULL;
        _cleanup_(ae_node_agent_freep) struct ae_node_agent *agent = NULL;
        _cleanup_(ae_node_pending_freep) struct ae_node_pending *pending = NULL;
        _cleanup_free_ uint8_t *payload = NULL, *challenge = NULL, *response = NULL;
        size_t payload_len, challenge_len, response_len;
        uint8_t claim[AE_ATTEST_LOCATION_CLAIM_MAX], sensor[AE_ATTEST_LOCATION_SENSOR_MAX];
        size_t claim_len = 0, sensor_len = 0;
        struct ae_node_replay_state prev;
        struct ae_node_result res;
        struct ae_policy_error perr;
        enum ae_attest_reason reason;
        struct attest_opts o;
        int r;

        r = parse_opts(argc, argv, &o);
        if (r != 0)
                return r < 0 ? 0 : r;

        r = ae_policy_load_file(o.policy, &policy, &perr);
        if (r < 0) {
                fprintf(stderr, "aegis attest: policy %s: %s: %s\n", o.policy, perr.path,
                        perr.message);
                return 1;
        }
        r = ae_node_verifier_new(policy, &v);
        if (r < 0)
                return failed("EK CA bundle", r, policy->ek.ca_bundle);
        r = state_load(o.state, &prev);
        if (r < 0)
                return failed("state file", r, o.state);

        if (o.gnss.host)
                read_claim(&o, claim, &claim_len, sensor, &sensor_len);

        r = ae_node_agent_open(&o.agent, &agent);
        if (r < 0)
                return failed("TPM", r, ae_node_agent_last_error(agent));
        r = ae_node_agent_payload(agent, sensor, sensor_len, &payload, &payload_len);
        if (r < 0)
                return failed("payload", r, ae_node_agent_last_error(agent));

        r = ae_node_challenge(v, payload, payload_len, time(NULL), &challenge, &challenge_len,
                              &pending, &reason);
        if (r < 0)
                return failed("challenge", r, NULL);
        if (reason != AE_ATTEST_OK)
                return refused(&o, "payload", reason);

        r = ae_node_agent_respond(agent, challenge, challenge_len, claim, claim_len, &response,
                                  &response_len);
        if (r < 0)
                return failed("response", r, ae_node_agent_last_error(agent));

        r = ae_node_verify(v, pending, response, response_len, &prev, time(NULL), &res,
                           &reason);
        if (r < 0)
                return failed("verify", r, NULL);
        if (reason != AE_ATTEST_OK)
                return refused(&o, "response", reason);

        if (o.state) {
                r = state_save(o.state, &res.state);
                if (r < 0)
                        return failed("state file", r, o.state);
        }
        print_result(&o, &res, policy);
        return 0;
}
