/* The daemons' configuration files (server_config.h, agent_config.h): the
 * shipped examples load; every refusal names its member. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"
#include "control-plane/agent/agent_config.h"
#include "control-plane/server/server_config.h"

static const char *examples;

START_TEST(test_examples_load)
{
        struct ae_server_config s;
        struct ae_agent_config a;
        char path[4096], err[AE_SERVER_ERROR_MAX];

        snprintf(path, sizeof(path), "%s/server.json", examples);
        ck_assert_msg(ae_server_config_load(path, &s, err, sizeof(err)) == 0, "%s", err);
        ck_assert_str_eq(s.listen, "0.0.0.0:8081");
        ck_assert_uint_eq(s.n_server_names, 2);
        ck_assert_str_eq(s.server_names[0], "aegis-server.example.org");
        ck_assert_int_eq(s.reattestation_max_age_s, 900);
        snprintf(path, sizeof(path), "%s/agent.json", examples);
        ck_assert_msg(ae_agent_config_load(path, &a, err, sizeof(err)) == 0, "%s", err);
        ck_assert(a.gnss);
        ck_assert_str_eq(a.gpsd_host, "127.0.0.1");
        ck_assert_uint_eq(a.gpsd_port, 2947);
        ck_assert_uint_eq(a.reattest_interval_s, 300);
        ck_assert(!a.ek_ecc && !a.ak_rsa);
}
END_TEST

static void server_refused(const char *json, const char *want)
{
        struct ae_server_config c;
        char err[AE_SERVER_ERROR_MAX] = "";

        ck_assert_int_eq(ae_server_config_parse(json, strlen(json), "/etc/aegis", &c, err,
                                                sizeof(err)),
                         -EINVAL);
        ck_assert_msg(strstr(err, want), "want '%s', got '%s'", want, err);
}

static void agent_refused(const char *json, const char *want)
{
        struct ae_agent_config c;
        char err[AE_AGENT_ERROR_MAX] = "";

        ck_assert_int_eq(ae_agent_config_parse(json, strlen(json), "/etc/aegis", &c, err,
                                               sizeof(err)),
                         -EINVAL);
        ck_assert_msg(strstr(err, want), "want '%s', got '%s'", want, err);
}

#define SERVER_MIN "\"policy\":\"p.json\",\"ca_dir\":\"ca\",\"datastore\":\"d\",\"listen\":\"x:1\""
#define AGENT_MIN                                                                          \
        "\"trust_domain\":\"example.org\",\"server_address\":\"s:8081\","                  \
        "\"trust_bundle\":\"b.pem\",\"socket_path\":\"/run/a.sock\""

START_TEST(test_server_refusals)
{
        struct ae_server_config c;
        char err[AE_SERVER_ERROR_MAX];

        ck_assert_int_eq(ae_server_config_parse("{" SERVER_MIN "}", strlen("{" SERVER_MIN "}"),
                                                "/etc/aegis", &c, err, sizeof(err)),
                         0);
        ck_assert_str_eq(c.policy_path, "/etc/aegis/p.json"); /* relative to the file */
        ck_assert_int_eq(c.agent_svid_ttl_s, 3600);
        server_refused("[]", "$: expected an object");
        server_refused("{", "line 1");
        server_refused("{\"ca_dir\":\"c\",\"datastore\":\"d\",\"listen\":\"x:1\"}",
                       "$.policy: required");
        server_refused("{" SERVER_MIN ",\"listn\":1}", "$.listn: unknown member");
        server_refused("{\"policy\":\"p\",\"ca_dir\":\"c\",\"datastore\":\"d\",\"listen\":\"x\"}",
                       "$.listen: expected host:port");
        server_refused("{" SERVER_MIN ",\"workers\":0}", "$.workers: expected an integer in 1..64");
        server_refused("{" SERVER_MIN ",\"jwt_svid_ttl_s\":\"300\"}",
                       "$.jwt_svid_ttl_s: expected an integer");
        server_refused("{" SERVER_MIN ",\"server_names\":[]}", "$.server_names: at least one");
        server_refused("{" SERVER_MIN ",\"server_names\":[1]}", "$.server_names[0]");
        server_refused("{" SERVER_MIN ",\"policy\":\"again\"}", "duplicate");
}
END_TEST

START_TEST(test_agent_refusals)
{
        struct ae_agent_config c;
        char err[AE_AGENT_ERROR_MAX];

        ck_assert_int_eq(ae_agent_config_parse("{" AGENT_MIN "}", strlen("{" AGENT_MIN "}"),
                                               "/etc/aegis", &c, err, sizeof(err)),
                         0);
        ck_assert_str_eq(c.trust_bundle, "/etc/aegis/b.pem");
        ck_assert(!c.gnss);
        ck_assert_uint_eq(c.reattest_interval_s, 900); /* PoR only: 15 minutes */
        agent_refused("{\"server_address\":\"s:1\",\"trust_bundle\":\"b\",\"socket_path\":\"/s\"}",
                      "$.trust_domain: required");
        agent_refused("{" AGENT_MIN ",\"tpm\":{\"ek\":\"dsa\"}}", "$.tpm.ek: rsa or ecc");
        agent_refused("{" AGENT_MIN ",\"tpm\":{\"ak_handle\":5}}",
                      "$.tpm.ak_handle: 0 or a persistent handle, 0x81000000..0x81ffffff");
        agent_refused("{" AGENT_MIN ",\"tpm\":[]}", "$.tpm: expected an object");
        agent_refused("{" AGENT_MIN ",\"gnss\":{\"gpsd\":\"nohost\"}}",
                      "$.gnss.gpsd: expected host:port");
        agent_refused("{" AGENT_MIN ",\"gnss\":{\"gpsd\":\"h:70000\"}}",
                      "$.gnss.gpsd: expected host:port");
        agent_refused("{" AGENT_MIN ",\"sync_interval_s\":0}", "$.sync_interval_s");
        agent_refused("{" AGENT_MIN ",\"extra\":true}", "$.extra: unknown member");
        /* With gnss, re-attestation defaults to 5 minutes. */
        ck_assert_int_eq(ae_agent_config_parse("{" AGENT_MIN ",\"gnss\":{}}",
                                               strlen("{" AGENT_MIN ",\"gnss\":{}}"), "/etc",
                                               &c, err, sizeof(err)),
                         0);
        ck_assert(c.gnss);
        ck_assert_uint_eq(c.reattest_interval_s, 300);
}
END_TEST

int main(int argc, char **argv)
{
        Suite *s = suite_create("daemon_config");
        TCase *tc = tcase_create("daemon_config");

        examples = argc > 1 ? argv[1] : NULL;
        if (examples) /* the examples' directory, given by CTest */
                tcase_add_test(tc, test_examples_load);
        tcase_add_test(tc, test_server_refusals);
        tcase_add_test(tc, test_agent_refusals);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
