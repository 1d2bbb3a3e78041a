/* Test driver for JWT-SVID interop (jwt_pyjwt_interop.py): the library's
 * JWK Set writer, minter and validator behind a command line a script can
 * call. A test program, not the product CLI.
 *
 *   jwt_tool jwks KID=KEY.pem...                  JWK Set of the public halves
 *   jwt_tool mint --key K.pem --kid KID --td TD --sub ID --aud A [--aud B]...
 *                 --ttl S --now T [--claims CLAIMS.json]      the token
 *   jwt_tool validate --bundle TD=JWKS.json... --aud A --now T [--leeway S]
 *                                                 token on stdin
 *
 * validate prints one JSON object: {"reason":"ok","sub":..,"alg":..,
 * "kid":..,"aud":[..],"exp":..,"iat":..,"claims":{..}} (claims only when
 * present, as ae_claims_encode writes them) and exits 0, or
 * {"reason":"<id>"} and exits 1. mint prints {"reason":"<id>"} to stderr
 * and exits 1 when refused. 2: usage or I/O errors. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/pem.h>

#include "common/cleanup.h"
#include "common/file.h"
#include "common/ossl.h"
#include "svid-issuer/jwt_svid.h"

#define MAX_ARGS 16
#define FILE_MAX (1u << 20)

int main(int argc, char **argv);

static int usage(void)
{
        fprintf(stderr, "usage: jwt_tool jwks KID=KEY.pem...\n"
                        "       jwt_tool mint --key K.pem --kid KID --td TD --sub ID --aud A... "
                        "--ttl S --now T [--claims FILE]\n"
                        "       jwt_tool validate --bundle TD=JWKS.json... --aud A --now T "
                        "[--leeway S] < token\n");
        return 2;
}

static EVP_PKEY *read_key(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen(path, "r");
        EVP_PKEY *key;

        if (!f) {
                perror(path);
                return NULL;
        }
        key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        if (!key)
                fprintf(stderr, "%s: not a PEM private key\n", path);
        return key;
}

static int cmd_jwks(int argc, char **argv)
{
        EVP_PKEY *keys[MAX_ARGS] = { 0 };
        const char *kids[MAX_ARGS];
        char *json = NULL;
        int n = argc - 2, r = 2;

        if (n < 1 || n > MAX_ARGS)
                return usage();
        for (int i = 0; i < n; i++) {
                char *eq = strchr(argv[i + 2], '=');

                if (!eq)
                        goto out;
                *eq = '\0';
                kids[i] = argv[i + 2];
                keys[i] = read_key(eq + 1);
                if (!keys[i])
                        goto out;
        }
        if (ae_jwks_from_keys(keys, kids, (size_t)n, &json) < 0) {
                fprintf(stderr, "jwks: refused\n");
                goto out;
        }
        printf("%s\n", json);
        r = 0;
out:
        free(json);
        for (int i = 0; i < n; i++)
                EVP_PKEY_free(keys[i]);
        return r;
}

static int read_claims(const char *path, struct ae_claims *c)
{
        _cleanup_free_ uint8_t *data = NULL;
        size_t len;

        if (ae_file_read(path, FILE_MAX, &data, &len) < 0) {
                fprintf(stderr, "%s: cannot read\n", path);
                return -1;
        }
        if (ae_claims_decode((const char *)data, len, c) < 0) {
                fprintf(stderr, "%s: not valid claims\n", path);
                return -1;
        }
        return 0;
}

static int cmd_mint(int argc, char **argv)
{
        static const struct option opts[] = {
                { "key", required_argument, NULL, 'k' }, { "kid", required_argument, NULL, 'i' },
                { "td", required_argument, NULL, 't' },  { "sub", required_argument, NULL, 's' },
                { "aud", required_argument, NULL, 'a' }, { "ttl", required_argument, NULL, 'l' },
                { "now", required_argument, NULL, 'n' }, { "claims", required_argument, NULL, 'c' },
                { NULL, 0, NULL, 0 },
        };
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        struct ae_jwt_signer signer = { 0 };
        struct ae_jwt_svid_params p = { 0 };
        const char *aud[MAX_ARGS], *key_path = NULL;
        struct ae_claims claims;
        enum ae_jwt_reason reason;
        int64_t now = -1;
        char *token = NULL;
        size_t n_aud = 0;
        int o;

        while ((o = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
                switch (o) {
                case 'k':
                        key_path = optarg;
                        break;
                case 'i':
                        signer.kid = optarg;
                        break;
                case 't':
                        signer.trust_domain = optarg;
                        break;
                case 's':
                        p.spiffe_id = optarg;
                        break;
                case 'a':
                        if (n_aud == MAX_ARGS)
                                return usage();
                        aud[n_aud++] = optarg;
                        break;
                case 'l':
                        p.ttl_s = strtoll(optarg, NULL, 10);
                        break;
                case 'n':
                        now = strtoll(optarg, NULL, 10);
                        break;
                case 'c':
                        if (read_claims(optarg, &claims) < 0)
                                return 2;
                        p.claims = &claims;
                        break;
                default:
                        return usage();
                }
        }
        if (!key_path || now < 0)
                return usage();
        key = read_key(key_path);
        if (!key)
                return 2;
        signer.key = key;
        p.aud = aud;
        p.n_aud = n_aud;
        if (ae_jwt_svid_mint(&signer, &p, (time_t)now, &token, &reason) < 0) {
                fprintf(stderr, "{\"reason\":\"%s\"}\n", ae_jwt_reason_id(reason));
                return 1;
        }
        printf("%s\n", token);
        free(token);
        return 0;
}

static void print_svid(const struct ae_jwt_svid *s)
{
        json_auto_t *out = json_object(), *aud = json_array();
        char sub[AE_SPIFFE_ID_SIZE], claims[AE_CLAIMS_MAX + 1];
        _cleanup_free_ char *text = NULL;
        size_t n;

        if (ae_spiffe_id_format(&s->sub, sub, sizeof(sub), NULL) < 0)
                sub[0] = '\0';
        for (size_t i = 0; i < s->n_aud; i++)
                json_array_append_new(aud, json_string(s->aud[i]));
        json_object_set_new(out, "reason", json_string("ok"));
        json_object_set_new(out, "sub", json_string(sub));
        json_object_set_new(out, "alg", json_string(ae_jwt_alg_name(s->alg)));
        json_object_set_new(out, "kid", json_string(s->kid));
        json_object_set(out, "aud", aud);
        json_object_set_new(out, "exp", json_integer(s->exp));
        if (s->has_iat)
                json_object_set_new(out, "iat", json_integer(s->iat));
        if (s->has_claims && ae_claims_encode(&s->claims, claims, sizeof(claims), &n) == 0)
                json_object_set_new(out, "claims", json_loads(claims, 0, NULL));
        text = json_dumps(out, JSON_COMPACT);
        printf("%s\n", text ? text : "{}");
}

static int cmd_validate(int argc, char **argv)
{
        static const struct option opts[] = {
                { "bundle", required_argument, NULL, 'b' }, { "aud", required_argument, NULL, 'a' },
                { "now", required_argument, NULL, 'n' },    { "leeway", required_argument, NULL, 'l' },
                { NULL, 0, NULL, 0 },
        };
        struct ae_jwks *bundles[MAX_ARGS] = { 0 };
        _cleanup_free_ struct ae_jwt_svid *s = calloc(1, sizeof(*s));
        char token[AE_JWT_TOKEN_MAX + 64];
        const char *audience = NULL;
        int64_t now = -1, leeway = 0;
        enum ae_jwt_reason reason;
        size_t n_bundles = 0, len;
        int o, r = 2;

        while ((o = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
                switch (o) {
                case 'b': {
                        char *eq = strchr(optarg, '=');
                        _cleanup_free_ uint8_t *json = NULL;
                        const char *why = NULL;
                        size_t json_len;

                        if (!eq || n_bundles == MAX_ARGS)
                                goto out;
                        *eq = '\0';
                        if (ae_file_read(eq + 1, FILE_MAX, &json, &json_len) < 0 ||
                            ae_jwks_parse(optarg, (const char *)json, json_len,
                                          &bundles[n_bundles], &why) < 0) {
                                fprintf(stderr, "%s: bundle refused: %s\n", eq + 1, why ? why : "");
                                goto out;
                        }
                        n_bundles++;
                        break;
                }
                case 'a':
                        audience = optarg;
                        break;
                case 'n':
                        now = strtoll(optarg, NULL, 10);
                        break;
                case 'l':
                        leeway = strtoll(optarg, NULL, 10);
                        break;
                default:
                        goto out;
                }
        }
        if (!audience || now < 0 || !s)
                goto out;
        len = fread(token, 1, sizeof(token) - 1, stdin);
        while (len > 0 && (token[len - 1] == '\n' || token[len - 1] == '\r'))
                len--;
        if (ae_jwt_svid_validate(token, len, (const struct ae_jwks *const *)bundles, n_bundles,
                                 audience, (time_t)now, leeway, s, &reason) < 0) {
                printf("{\"reason\":\"%s\"}\n", ae_jwt_reason_id(reason));
                r = reason == AE_JWT_INTERNAL ? 2 : 1;
                goto out;
        }
        print_svid(s);
        r = 0;
out:
        for (size_t i = 0; i < n_bundles; i++)
                ae_jwks_free(bundles[i]);
        if (r == 2 && !audience)
                return usage();
        return r;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                return usage();
        if (strcmp(argv[1], "jwks") == 0)
                return cmd_jwks(argc, argv);
        if (strcmp(argv[1], "mint") == 0)
                return cmd_mint(argc, argv);
        if (strcmp(argv[1], "validate") == 0)
                return cmd_validate(argc, argv);
        return usage();
}
