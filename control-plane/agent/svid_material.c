#include <stdlib.h>

#include <openssl/crypto.h>

#include "control-plane/agent/svid_source.h"

void ae_x509_svid_material_clear(struct ae_x509_svid_material *m)
{
        if (!m)
                return;
        if (m->key_der)
                OPENSSL_cleanse(m->key_der, m->key_len);
        free(m->key_der);
        free(m->chain_der);
        m->key_der = m->chain_der = NULL;
        m->key_len = m->chain_len = 0;
}

void ae_jwt_bundle_material_clear(struct ae_jwt_bundle_material *b)
{
        if (!b)
                return;
        free(b->jwks);
        b->jwks = NULL;
        b->jwks_len = 0;
}

void ae_bundle_material_clear(struct ae_bundle_material *b)
{
        if (!b)
                return;
        free(b->roots_der);
        b->roots_der = NULL;
        b->roots_len = 0;
}
