/* EK certificate chain check on untrusted DER, against a fixed trust (the
 * root and intermediate below, generated once with the openssl CLI like the
 * swtpm fixture's, P-256, valid 2026-11-21 to 2046-11-16) at a fixed time,
 * so a run is reproducible. The seed corpus holds EK certificates this CA
 * issued (RSA-2048, P-256), one from another CA, the intermediate itself and
 * a truncated certificate.
 * Properties: every input gets a reason inside the enum, never an error;
 * what passes also parses on its own and has an EK identity; what does not
 * parse is rejected as malformed or too large. */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/x509.h>

#include "node-attestor/verify/ek_id.h"
#include "node-attestor/verify/ek_parse.h"
#include "node-attestor/verify/ek_trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2030-01-01T00:00:00Z, inside every seed certificate's validity. */
#define FUZZ_NOW ((time_t)1893456000)

static const char bundle[] =
        "-----BEGIN CERTIFICATE-----\n"
        "MIIBsTCCAVegAwIBAgIBATAKBggqhkjOPQQDAjBAMR4wHAYDVQQKDBVBZWdpcyBG\n"
        "dXp6IFRQTSBWZW5kb3IxHjAcBgNVBAMMFUFlZ2lzIEZ1enogRUsgUm9vdCBDQTAe\n"
        "Fw0yNjExMjEwNTQ1NTBaFw00NjExMTYwNTQ1NTBaMEAxHjAcBgNVBAoMFUFlZ2lz\n"
        "IEZ1enogVFBNIFZlbmRvcjEeMBwGA1UEAwwVQWVnaXMgRnV6eiBFSyBSb290IENB\n"
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEY7yjs9ftHy9TOto1xl0BzGKvbWXL\n"
        "7xQTOxtFGpTYq1Jp7qooMvFOhIxTMxIG2bxoQXUncxIpN15EUFkgUxDpe6NCMEAw\n"
        "DwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFL8hxGMJ\n"
        "4OI1MG76rAkhgVM0APhWMAoGCCqGSM49BAMCA0gAMEUCIGtDCSvuSWkA0rsnzo69\n"
        "xwlTydjtfs+zx4SXPvgSu1jUAiEA8z5sOhAhyN9BL8RLprmQAw+PvAZKuo3WjKZS\n"
        "UQp0+Xg=\n"
        "-----END CERTIFICATE-----\n"
        "-----BEGIN CERTIFICATE-----\n"
        "MIIB3jCCAYOgAwIBAgIBAjAKBggqhkjOPQQDAjBAMR4wHAYDVQQKDBVBZWdpcyBG\n"
        "dXp6IFRQTSBWZW5kb3IxHjAcBgNVBAMMFUFlZ2lzIEZ1enogRUsgUm9vdCBDQTAe\n"
        "Fw0yNjExMjEwNTQ1NTFaFw00NjExMTYwNTQ1NTFaMEgxHjAcBgNVBAoMFUFlZ2lz\n"
        "IEZ1enogVFBNIFZlbmRvcjEmMCQGA1UEAwwdQWVnaXMgRnV6eiBFSyBJbnRlcm1l\n"
        "ZGlhdGUgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQwMklQIN4OyeUvL49S\n"
        "oObykncKeUdExTnsBHqWc9ZPOo7i8sVzM+xYIawP0LmDMuFtSVdvRqb92dKBe51m\n"
        "27Yjo2YwZDASBgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBBjAdBgNV\n"
        "HQ4EFgQUUu+2jI/Is7SnSXNHhZUhQmlc5zQwHwYDVR0jBBgwFoAUvyHEYwng4jUw\n"
        "bvqsCSGBUzQA+FYwCgYIKoZIzj0EAwIDSQAwRgIhAJaKc5sxiB8J71q0eBbpNejc\n"
        "ZFt9X0O6q1PegNBphTHIAiEAvCzxdihH09UciCcUaK3nbveQjoA4ourOLC8hydK3\n"
        "dBM=\n"
        "-----END CERTIFICATE-----\n";

static const struct ae_ek_trust *trust(void)
{
        static struct ae_ek_trust *t;

        if (!t && ae_ek_trust_load_pem(bundle, sizeof(bundle) - 1, &t) < 0)
                abort();
        return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        enum ae_ek_reason reason = AE_EK_REASON_COUNT;
        X509 *cert = NULL;
        int parsed;

        if (ae_ek_trust_check_chain(trust(), data, size, FUZZ_NOW, &reason) < 0)
                abort();
        if ((unsigned)reason >= AE_EK_REASON_COUNT || !*ae_ek_reason_str(reason))
                abort();

        parsed = ae_ek_cert_parse(data, size, &cert);
        if (parsed < 0 && reason != AE_EK_MALFORMED && reason != AE_EK_TOO_LARGE)
                abort();
        if (reason == AE_EK_OK) {
                uint8_t id[AE_EK_ID_LEN];

                if (parsed < 0 || ae_ek_spki_sha256(cert, id) < 0)
                        abort();
        }
        X509_free(cert);
        return 0;
}
