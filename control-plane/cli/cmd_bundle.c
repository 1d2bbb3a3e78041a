/* aegis bundle show: aegis-server's trust bundle through its admin socket
 * (spire.api.server.bundle.v1.Bundle/GetBundle), as PEM roots or as a
 * SPIFFE bundle (SPIFFE Trust Domain and Bundle standard, section 4). */
#include "control-plane/cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <protobuf-c/protobuf-c.h>

#include "common/base64.h"
#include "common/ossl.h"
#include "control-plane/cli/admin_client.h"
#include "control-plane/cli/cli_util.h"
#include "spire/api/server/bundle/v1/bundle.pb-c.h"
#include "spire/api/types/bundle.pb-c.h"
#include "svid-issuer/jwt_jwk.h"
#include "svid-issuer/jwt_jwks.h"

#define SYNOPSIS "usage: aegis bundle show [-socketPath PATH] [-format pem|spiffe]\n"

/* Largest X.509 root taken from the server (DER). */
#define ROOT_DER_MAX (16 * 1024)

static void usage(FILE *out)
{
        fputs(SYNOPSIS
              "\n"
              "The trust domain's bundle, as aegis-server hands it to agents, read through\n"
              "its admin socket (mode 0600: root and the server's own user). Flags are\n"
              "spelled as spire-server's; --flag works too.\n"
              "\n"
              "  -format pem       the X.509 roots as PEM (default), for openssl -CAfile\n"
              "                    and TLS stacks\n"
              "  -format spiffe    the SPIFFE bundle: a JWK Set whose \"keys\" hold each\n"
              "                    X.509 root (\"use\":\"x509-svid\", the certificate in\n"
              "                    \"x5c\") and each JWT-SVID key (\"use\":\"jwt-svid\",\n"
              "                    \"kid\"), with spiffe_sequence and spiffe_refresh_hint\n"
              "  -socketPath PATH  the server's admin socket; default $" AE_ADMIN_SOCKET_ENV "\n"
              "                    when set, else " AE_ADMIN_SOCKET_DEFAULT "\n"
              "\n"
              "Exit status: 0 shown, 1 the server unreachable or its bundle unusable,\n"
              "2 usage error.\n",
              out);
}

static int usage_error(const char *what)
{
        return ae_cli_usage_error("bundle", what, SYNOPSIS);
}

static int fail(const char *what)
{
        fprintf(stderr, "aegis bundle show: %s\n", what);
        return 1;
}

/* The i-th X.509 authority, whole DER of a sane size. */
static X509 *root_at(const Spire__Api__Types__Bundle *b, size_t i)
{
        const Spire__Api__Types__X509Certificate *c = b->x509_authorities[i];
        const unsigned char *p;
        X509 *x;

        if (!c || c->asn1.len == 0 || c->asn1.len > ROOT_DER_MAX)
                return NULL;
        p = c->asn1.data;
        x = d2i_X509(NULL, &p, (long)c->asn1.len);
        if (x && p != c->asn1.data + c->asn1.len) {
                X509_free(x);
                x = NULL;
        }
        ERR_clear_error();
        return x;
}

static int show_pem(const Spire__Api__Types__Bundle *b)
{
        if (b->n_x509_authorities == 0)
                return fail("aegis-server's bundle has no X.509 roots");
        for (size_t i = 0; i < b->n_x509_authorities; i++) {
                _cleanup_(X509_freep) X509 *x = root_at(b, i);

                if (!x)
                        return fail("aegis-server sent an X.509 root that does not parse");
                if (PEM_write_X509(stdout, x) != 1)
                        return fail("cannot write PEM");
        }
        return 0;
}

/* An X.509 root as a JWK: its key (svid-issuer/jwt_jwk.h), "use" and the
 * certificate in "x5c" (RFC 7517 4.7: standard base64 of the DER). */
static int x509_jwk(X509 *x, const ProtobufCBinaryData *der, json_t **ret)
{
        json_auto_t *jwk = json_object();
        _cleanup_free_ char *b64 = NULL;
        json_t *x5c;

        ENSURE_ALLOC(jwk);
        GUARD(ae_jwt_jwk_add_public(X509_get0_pubkey(x), jwk));
        ENSURE(json_object_set_new(jwk, "use", json_string("x509-svid")) == 0, -ENOMEM);
        b64 = malloc(AE_B64_ENCODED_SIZE(der->len));
        ENSURE_ALLOC(b64);
        GUARD(ae_b64_encode(AE_B64_STD, der->data, der->len, b64, AE_B64_ENCODED_SIZE(der->len),
                            NULL));
        x5c = json_array();
        ENSURE(json_object_set_new(jwk, "x5c", x5c) == 0, -ENOMEM);
        ENSURE(json_array_append_new(x5c, json_string(b64)) == 0, -ENOMEM);
        *ret = TAKE_PTR(jwk);
        return 0;
}

/* The JWT-SVID keys as a JWK Set (svid-issuer/jwt_jwks.h), parsed. */
static int jwt_set(const Spire__Api__Types__Bundle *b, json_t **ret, const char **ret_why)
{
        EVP_PKEY *keys[AE_JWKS_KEYS_MAX] = { 0 };
        const char *kids[AE_JWKS_KEYS_MAX];
        _cleanup_free_ char *text = NULL;
        size_t n = b->n_jwt_authorities;
        int r = 0;

        *ret_why = "aegis-server sent more JWT keys than a bundle holds";
        ENSURE(n <= AE_JWKS_KEYS_MAX, -E2BIG);
        *ret_why = "aegis-server sent a JWT key that does not parse";
        for (size_t i = 0; i < n && r == 0; i++) {
                const Spire__Api__Types__JWTKey *k = b->jwt_authorities[i];
                const unsigned char *p = k ? k->public_key.data : NULL;

                keys[i] = p ? d2i_PUBKEY(NULL, &p, (long)k->public_key.len) : NULL;
                kids[i] = k ? k->key_id : NULL;
                if (!keys[i] || p != k->public_key.data + k->public_key.len)
                        r = -EBADMSG;
        }
        ERR_clear_error();
        if (r == 0) {
                *ret_why = "aegis-server sent a JWT key without a usable kid or of an "
                           "unsupported type";
                r = ae_jwks_from_keys(keys, kids, n, &text);
        }
        for (size_t i = 0; i < n; i++)
                EVP_PKEY_free(keys[i]);
        GUARD(r);
        *ret = json_loads(text, 0, NULL);
        ENSURE_ALLOC(*ret);
        return 0;
}

static int show_spiffe(const Spire__Api__Types__Bundle *b)
{
        json_auto_t *doc = NULL;
        _cleanup_free_ char *text = NULL;
        const char *why = "out of memory";
        json_t *keys;

        if (jwt_set(b, &doc, &why) < 0)
                return fail(why);
        keys = json_object_get(doc, "keys");
        /* The X.509 roots first, as SPIRE writes them. */
        for (size_t i = 0; i < b->n_x509_authorities; i++) {
                _cleanup_(X509_freep) X509 *x = root_at(b, i);
                json_t *jwk = NULL;

                if (!x)
                        return fail("aegis-server sent an X.509 root that does not parse");
                if (x509_jwk(x, &b->x509_authorities[i]->asn1, &jwk) < 0)
                        return fail("an X.509 root's key cannot be written as a JWK");
                if (json_array_insert_new(keys, i, jwk) < 0)
                        return fail("out of memory");
        }
        if (json_object_set_new(doc, "spiffe_sequence",
                                json_integer((json_int_t)b->sequence_number)) < 0 ||
            json_object_set_new(doc, "spiffe_refresh_hint", json_integer(b->refresh_hint)) < 0)
                return fail("out of memory");
        text = json_dumps(doc, JSON_INDENT(4));
        if (!text)
                return fail("out of memory");
        printf("%s\n", text);
        return 0;
}

int ae_cli_bundle(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "socketPath", required_argument, NULL, 's' },
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        _cleanup_(ae_admin_client_freep) struct ae_admin_client *c = NULL;
        Spire__Api__Server__Bundle__V1__GetBundleRequest req =
                SPIRE__API__SERVER__BUNDLE__V1__GET_BUNDLE_REQUEST__INIT;
        const char *socket = NULL, *format = "pem";
        char err[AE_ADMIN_ERROR_MAX];
        ProtobufCMessage *m = NULL;
        int ch, rc;

        if (argc < 2)
                return usage_error("which action?");
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "-help") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "show") != 0)
                return usage_error("unknown action");
        optind = 1;
        while ((ch = getopt_long_only(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
                switch (ch) {
                case 's': socket = optarg; break;
                case 'f': format = optarg; break;
                case 'h': usage(stdout); return 0;
                default: return usage_error("unknown option or missing value");
                }
        }
        if (optind != argc - 1)
                return usage_error("unexpected argument");
        if (strcmp(format, "pem") != 0 && strcmp(format, "spiffe") != 0)
                return usage_error("-format takes pem or spiffe");

        if (ae_admin_client_new(ae_admin_socket_path(socket), &c, err, sizeof(err)) < 0 ||
            ae_admin_call(c, "/spire.api.server.bundle.v1.Bundle/GetBundle", &req.base,
                          &spire__api__types__bundle__descriptor, &m, NULL, err,
                          sizeof(err)) < 0)
                return fail(err);
        rc = format[0] == 'p' ? show_pem((Spire__Api__Types__Bundle *)m)
                              : show_spiffe((Spire__Api__Types__Bundle *)m);
        protobuf_c_message_free_unpacked(m, NULL);
        return rc;
}
