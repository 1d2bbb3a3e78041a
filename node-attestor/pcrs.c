#include "node-attestor/pcrs.h"

#include <string.h>
#include <strings.h>

#include <tss2/tss2_mu.h>

#include "common/ossl.h"

static const struct {
        TPMI_ALG_HASH alg;
        const char *name;
        size_t size;
} banks[] = {
        { TPM2_ALG_SHA1, "sha1", 20 },
        { TPM2_ALG_SHA256, "sha256", 32 },
        { TPM2_ALG_SHA384, "sha384", 48 },
        { TPM2_ALG_SHA512, "sha512", 64 },
};

size_t ae_pcr_bank_digest_size(TPMI_ALG_HASH bank)
{
        for (size_t i = 0; i < sizeof(banks) / sizeof(banks[0]); i++)
                if (banks[i].alg == bank)
                        return banks[i].size;
        return 0;
}

const char *ae_pcr_bank_name(TPMI_ALG_HASH bank)
{
        for (size_t i = 0; i < sizeof(banks) / sizeof(banks[0]); i++)
                if (banks[i].alg == bank)
                        return banks[i].name;
        return "unknown";
}

int ae_pcr_bank_parse(const char *name, TPMI_ALG_HASH *ret)
{
        ENSURE(name, -EINVAL);
        for (size_t i = 0; i < sizeof(banks) / sizeof(banks[0]); i++)
                if (strcasecmp(name, banks[i].name) == 0) {
                        *ret = banks[i].alg;
                        return 0;
                }
        return -EINVAL;
}

static TPMS_PCR_SELECTION *find_bank(TPML_PCR_SELECTION *sel, TPMI_ALG_HASH bank)
{
        for (UINT32 i = 0; i < sel->count; i++)
                if (sel->pcrSelections[i].hash == bank)
                        return &sel->pcrSelections[i];
        return NULL;
}

int ae_pcr_selection_add(TPML_PCR_SELECTION *sel, TPMI_ALG_HASH bank, unsigned index)
{
        TPMS_PCR_SELECTION *s;

        ENSURE(ae_pcr_bank_digest_size(bank) != 0, -EINVAL);
        ENSURE(index < AE_PCR_COUNT, -EINVAL);
        ENSURE(sel->count <= TPM2_NUM_PCR_BANKS, -EINVAL);
        s = find_bank(sel, bank);
        if (!s) {
                ENSURE(sel->count < TPM2_NUM_PCR_BANKS, -ENOBUFS);
                s = &sel->pcrSelections[sel->count++];
                memset(s, 0, sizeof(*s));
                s->hash = bank;
                s->sizeofSelect = 3;
        }
        s->pcrSelect[index / 8] |= (uint8_t)(1u << (index % 8));
        return 0;
}

bool ae_pcr_selection_has(const TPML_PCR_SELECTION *sel, TPMI_ALG_HASH bank, unsigned index)
{
        if (index >= AE_PCR_COUNT)
                return false;
        for (UINT32 i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++) {
                const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];

                if (s->hash == bank && index / 8 < s->sizeofSelect &&
                    (s->pcrSelect[index / 8] & (1u << (index % 8))))
                        return true;
        }
        return false;
}

size_t ae_pcr_selection_count(const TPML_PCR_SELECTION *sel)
{
        size_t n = 0;

        for (UINT32 i = 0; i < sel->count && i < TPM2_NUM_PCR_BANKS; i++)
                for (unsigned pcr = 0; pcr < AE_PCR_COUNT; pcr++)
                        if (ae_pcr_selection_has(sel, sel->pcrSelections[i].hash, pcr))
                                n++;
        return n;
}

bool ae_pcr_selection_equal(const TPML_PCR_SELECTION *a, const TPML_PCR_SELECTION *b)
{
        if (a->count != b->count || a->count > TPM2_NUM_PCR_BANKS)
                return false;
        for (UINT32 i = 0; i < a->count; i++) {
                const TPMS_PCR_SELECTION *x = &a->pcrSelections[i], *y = &b->pcrSelections[i];

                if (x->hash != y->hash || x->sizeofSelect != y->sizeofSelect ||
                    x->sizeofSelect > sizeof(x->pcrSelect) ||
                    memcmp(x->pcrSelect, y->pcrSelect, x->sizeofSelect) != 0)
                        return false;
        }
        return true;
}

int ae_pcr_selection_marshal(const TPML_PCR_SELECTION *sel, uint8_t *buf, size_t cap,
                             size_t *ret_len)
{
        size_t off = 0;

        ENSURE(sel->count <= TPM2_NUM_PCR_BANKS, -EINVAL);
        ENSURE(Tss2_MU_TPML_PCR_SELECTION_Marshal(sel, buf, cap, &off) == TSS2_RC_SUCCESS,
               -ENOBUFS);
        *ret_len = off;
        return 0;
}

int ae_pcr_selection_unmarshal(const uint8_t *buf, size_t len, TPML_PCR_SELECTION *ret)
{
        TPML_PCR_SELECTION sel;
        size_t off = 0;

        ENSURE(buf && len <= AE_ATTEST_PCR_SELECTION_MAX, -EBADMSG);
        memset(&sel, 0, sizeof(sel));
        ENSURE(Tss2_MU_TPML_PCR_SELECTION_Unmarshal(buf, len, &off, &sel) == TSS2_RC_SUCCESS,
               -EBADMSG);
        ENSURE(off == len, -EBADMSG);
        ENSURE(sel.count >= 1 && sel.count <= TPM2_NUM_PCR_BANKS, -EBADMSG);
        for (UINT32 i = 0; i < sel.count; i++) {
                ENSURE(ae_pcr_bank_digest_size(sel.pcrSelections[i].hash) != 0, -EBADMSG);
                ENSURE(sel.pcrSelections[i].sizeofSelect == 3, -EBADMSG);
                for (UINT32 j = 0; j < i; j++)
                        ENSURE(sel.pcrSelections[j].hash != sel.pcrSelections[i].hash,
                               -EBADMSG);
        }
        ENSURE(ae_pcr_selection_count(&sel) > 0, -EBADMSG);
        *ret = sel;
        return 0;
}

const struct ae_pcr_value *ae_pcr_values_find(const struct ae_pcr_values *vals,
                                              TPMI_ALG_HASH bank, unsigned index)
{
        for (size_t i = 0; i < vals->count && i < AE_ATTEST_PCR_VALUES_MAX; i++)
                if (vals->v[i].bank == bank && vals->v[i].index == index)
                        return &vals->v[i];
        return NULL;
}

int ae_pcr_values_add(struct ae_pcr_values *vals, TPMI_ALG_HASH bank, unsigned index,
                      const uint8_t *digest, size_t size)
{
        struct ae_pcr_value *v;

        ENSURE(ae_pcr_bank_digest_size(bank) == size && size > 0, -EINVAL);
        ENSURE(index < AE_PCR_COUNT, -EINVAL);
        ENSURE(!ae_pcr_values_find(vals, bank, index), -EEXIST);
        ENSURE(vals->count < AE_ATTEST_PCR_VALUES_MAX, -ENOBUFS);
        v = &vals->v[vals->count++];
        v->bank = bank;
        v->index = (uint8_t)index;
        v->size = (uint8_t)size;
        memcpy(v->digest, digest, size);
        return 0;
}

static const EVP_MD *bank_md(TPMI_ALG_HASH alg)
{
        switch (alg) {
        case TPM2_ALG_SHA1: return EVP_sha1();
        case TPM2_ALG_SHA256: return EVP_sha256();
        case TPM2_ALG_SHA384: return EVP_sha384();
        case TPM2_ALG_SHA512: return EVP_sha512();
        default: return NULL;
        }
}


int ae_pcr_digest(const TPML_PCR_SELECTION *sel, const struct ae_pcr_values *vals,
                  TPMI_ALG_HASH hash_alg, uint8_t *out, size_t cap, size_t *ret_len,
                  size_t *ret_used)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        const EVP_MD *md = bank_md(hash_alg);
        unsigned len = 0;
        size_t used = 0;

        ENSURE(md && sel->count <= TPM2_NUM_PCR_BANKS, -EINVAL);
        ENSURE((size_t)EVP_MD_get_size(md) <= cap, -ENOBUFS);
        ENSURE_ALLOC(ctx);
        ENSURE(EVP_DigestInit_ex(ctx, md, NULL) == 1, -EIO);
        for (UINT32 i = 0; i < sel->count; i++)
                for (unsigned pcr = 0; pcr < AE_PCR_COUNT; pcr++) {
                        TPMI_ALG_HASH bank = sel->pcrSelections[i].hash;
                        const struct ae_pcr_value *v;

                        if (!ae_pcr_selection_has(sel, bank, pcr))
                                continue;
                        v = ae_pcr_values_find(vals, bank, pcr);
                        ENSURE(v, -ENOENT);
                        ENSURE(EVP_DigestUpdate(ctx, v->digest, v->size) == 1, -EIO);
                        used++;
                }
        ENSURE(EVP_DigestFinal_ex(ctx, out, &len) == 1, -EIO);
        *ret_len = len;
        if (ret_used)
                *ret_used = used;
        return 0;
}
