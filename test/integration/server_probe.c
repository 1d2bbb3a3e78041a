/* server_probe: the agent's side of aegis-server, one step per run, for
 * server_e2e.sh (until aegis-agent hosts these steps, it is how the test
 * reaches the server the way an agent does: control-plane/agent/
 * server_client.h over TLS, the node's real TPM through the fixture).
 *
 *   server_probe attest  ADDR BUNDLE TD TCTI DIR   AttestAgent; DIR/agent.pem, agent.key
 *   server_probe renew   ADDR BUNDLE TD DIR        RenewAgent; replaces DIR's files
 *   server_probe entries ADDR BUNDLE TD DIR        GetAuthorizedEntries: "id spiffe_id sel..."
 *   server_probe x509    ADDR BUNDLE TD DIR ENTRY OUT   BatchNewX509SVID: OUT.pem, OUT.key
 *   server_probe x509s   ADDR BUNDLE TD DIR ENTRY...    one BatchNewX509SVID for
 *                        all: "ENTRY ok SPIFFE_ID" or "ENTRY refused" each, then
 *                        "first refusal: <code> <message>" when one was
 *   server_probe jwt     ADDR BUNDLE TD DIR ENTRY AUD   NewJWTSVID: the token
 *   server_probe bundle  ADDR BUNDLE TD DIR        GetBundle: "td roots=N jwt_keys=M"
 *
 * Exit 0 on success; 1 when the server refused, with "refused: <code>
 * <message>" on stderr; 2 for usage or local failures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "common/file.h"
#include "common/grpc_client.h"
#include "control-plane/agent/server_client.h"
#include "control-plane/agent/svid_source.h"
#include "node-attestor/tpm/node_agent.h"
#include "spire/api/server/entry/v1/entry.pb-c.h"
#include "spire/api/types/bundle.pb-c.h"
#include "svid-issuer/key_gen.h"

static int refused(int r, const struct ae_grpc_status *st)
{
        if (r == -EREMOTEIO || r == -EACCES) {
                fprintf(stderr, "refused: %d %s\n", st->code, st->message);
                return 1;
        }
        fprintf(stderr, "failed: %s\n", strerror(-r));
        return 2;
}

/* x509s: n entries' SVIDs in one call, each entry's outcome on a line. */
static int batch(struct ae_server_conn *c, const char *const *ids, size_t n,
                 struct ae_grpc_status *st)
{
        EVP_PKEY *keys[AE_SERVER_BATCH_MAX] = { 0 };
        struct ae_x509_svid_material got[AE_SERVER_BATCH_MAX];
        int item[AE_SERVER_BATCH_MAX], r = n <= AE_SERVER_BATCH_MAX ? 0 : -EINVAL;

        for (size_t i = 0; i < n && r == 0; i++)
                r = ae_svid_key_generate(AE_CA_KEY_P256, &keys[i]);
        if (r == 0)
                r = ae_server_conn_x509_svids(c, ids, keys, n, got, item, st);
        for (size_t i = 0; r == 0 && i < n; i++) {
                if (item[i] == 0) {
                        printf("%s ok %s\n", ids[i], got[i].spiffe_id);
                        ae_x509_svid_material_clear(&got[i]);
                } else {
                        printf("%s refused\n", ids[i]);
                }
        }
        if (r == 0 && st->code != GRPC_STATUS_OK)
                printf("first refusal: %d %s\n", st->code, st->message);
        for (size_t i = 0; i < n; i++)
                EVP_PKEY_free(keys[i]);
        return r;
}

static char *slurp(const char *path)
{
        uint8_t *data = NULL;
        size_t len;
        char *s;

        if (ae_file_read(path, 1 << 20, &data, &len) < 0) {
                fprintf(stderr, "cannot read %s\n", path);
                exit(2);
        }
        s = realloc(data, len + 1);
        if (!s)
                exit(2);
        s[len] = '\0';
        return s;
}

static void spill(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
                fprintf(stderr, "cannot write %s\n", path);
                exit(2);
        }
}

static void save_identity(const char *dir, const struct ae_agent_identity *id)
{
        char path[4096];

        snprintf(path, sizeof(path), "%s/agent.pem", dir);
        spill(path, id->cert_pem);
        snprintf(path, sizeof(path), "%s/agent.key", dir);
        spill(path, id->key_pem);
        printf("%s\n", id->spiffe_id);
}

static void load_identity(const char *dir, struct ae_agent_identity *id)
{
        char path[4096];

        memset(id, 0, sizeof(*id));
        snprintf(path, sizeof(path), "%s/agent.pem", dir);
        id->cert_pem = slurp(path);
        snprintf(path, sizeof(path), "%s/agent.key", dir);
        id->key_pem = slurp(path);
}

static int cmd_attest(const struct ae_server_client_config *cfg, const char *tcti,
                      const char *dir)
{
        struct ae_node_agent_config ac = { .tcti = tcti, .ek_alg = AE_TPM_EK_RSA2048,
                                           .ak_alg = AE_TPM_AK_ECC_P256 };
        struct ae_agent_identity id;
        struct ae_grpc_status st = { 0 };
        struct ae_node_agent *tpm = NULL;
        int r = ae_node_agent_open(&ac, &tpm);

        if (r < 0) {
                fprintf(stderr, "TPM: %s\n", strerror(-r));
                return 2;
        }
        r = ae_server_attest(cfg, NULL, tpm, NULL, 0, NULL, 0, &id, &st);
        ae_node_agent_free(tpm);
        if (r < 0)
                return refused(r, &st);
        save_identity(dir, &id);
        ae_agent_identity_clear(&id);
        return 0;
}

static int with_conn(const struct ae_server_client_config *cfg, const char *dir, int argc,
                     char **argv, const char *cmd)
{
        struct ae_agent_identity id, renewed;
        struct ae_grpc_status st = { 0 };
        struct ae_server_conn *c = NULL;
        ProtobufCMessage *m = NULL;
        int r;

        load_identity(dir, &id);
        r = ae_server_conn_new(cfg, &id, &c);
        if (r < 0)
                return refused(r, &st);
        if (strcmp(cmd, "renew") == 0) {
                r = ae_server_conn_renew(c, &renewed, &st);
                if (r == 0) {
                        save_identity(dir, &renewed);
                        ae_agent_identity_clear(&renewed);
                }
        } else if (strcmp(cmd, "entries") == 0) {
                r = ae_server_conn_entries(c, &m, &st);
                for (size_t i = 0; r == 0 && i < ((Spire__Api__Server__Entry__V1__GetAuthorizedEntriesResponse *)m)->n_entries; i++) {
                        const Spire__Api__Types__Entry *e =
                                ((Spire__Api__Server__Entry__V1__GetAuthorizedEntriesResponse *)m)->entries[i];

                        printf("%s spiffe://%s%s", e->id, e->spiffe_id->trust_domain,
                               e->spiffe_id->path);
                        for (size_t k = 0; k < e->n_selectors; k++)
                                printf(" %s:%s", e->selectors[k]->type, e->selectors[k]->value);
                        printf("\n");
                }
        } else if (strcmp(cmd, "bundle") == 0) {
                r = ae_server_conn_bundle(c, &m, &st);
                if (r == 0)
                        printf("%s roots=%zu jwt_keys=%zu\n",
                               ((Spire__Api__Types__Bundle *)m)->trust_domain,
                               ((Spire__Api__Types__Bundle *)m)->n_x509_authorities,
                               ((Spire__Api__Types__Bundle *)m)->n_jwt_authorities);
        } else if (strcmp(cmd, "x509") == 0 && argc == 2) {
                struct ae_x509_svid_material mat;
                EVP_PKEY *key = NULL;

                r = ae_svid_key_generate(AE_CA_KEY_P256, &key);
                if (r == 0)
                        r = ae_server_conn_x509_svid(c, argv[0], key, &mat, &st);
                if (r == 0) {
                        char path[4096];
                        const unsigned char *p = mat.chain_der;
                        FILE *f;

                        snprintf(path, sizeof(path), "%s.pem", argv[1]);
                        f = fopen(path, "w");
                        while (f && p < mat.chain_der + mat.chain_len) {
                                X509 *x = d2i_X509(NULL, &p, (long)(mat.chain_der + mat.chain_len - p));

                                if (!x)
                                        break;
                                PEM_write_X509(f, x);
                                X509_free(x);
                        }
                        if (f)
                                fclose(f);
                        snprintf(path, sizeof(path), "%s.key", argv[1]);
                        f = fopen(path, "w");
                        if (f) {
                                PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
                                fclose(f);
                        }
                        printf("%s\n", mat.spiffe_id);
                        ae_x509_svid_material_clear(&mat);
                }
                EVP_PKEY_free(key);
        } else if (strcmp(cmd, "x509s") == 0 && argc >= 1) {
                r = batch(c, (const char *const *)argv, (size_t)argc, &st);
        } else if (strcmp(cmd, "jwt") == 0 && argc == 2) {
                const char *aud[1] = { argv[1] };
                char *token = NULL;
                int64_t exp;

                r = ae_server_conn_jwt_svid(c, argv[0], aud, 1, &token, &exp, &st);
                if (r == 0)
                        printf("%s\n", token);
                free(token);
        } else {
                fprintf(stderr, "usage: bad arguments for %s\n", cmd);
                r = -EINVAL;
        }
        if (m)
                protobuf_c_message_free_unpacked(m, NULL);
        ae_server_conn_free(c);
        ae_agent_identity_clear(&id);
        return r < 0 ? refused(r, &st) : 0;
}

int main(int argc, char **argv)
{
        struct ae_server_client_config cfg = { .server_name = "localhost" };
        char *bundle;
        int r;

        if (argc < 6) {
                fprintf(stderr, "usage: see server_probe.c\n");
                return 2;
        }
        bundle = slurp(argv[3]);
        cfg.address = argv[2];
        cfg.bundle_pem = bundle;
        cfg.trust_domain = argv[4];
        if (strcmp(argv[1], "attest") == 0 && argc == 7)
                r = cmd_attest(&cfg, argv[5], argv[6]);
        else
                r = with_conn(&cfg, argv[5], argc - 6, argv + 6, argv[1]);
        free(bundle);
        return r;
}
