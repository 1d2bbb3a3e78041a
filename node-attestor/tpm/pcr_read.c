#include "node-attestor/tpm/pcr_read.h"

#include <errno.h>
#include <string.h>

#include <tss2/tss2_esys.h>

#include "common/cleanup.h"
#include "node-attestor/pcrs.h"
#include "node-attestor/tpm/tpm_error.h"
#include "node-attestor/tpm/tpm_internal.h"

/* PCRs may be extended between two reads of one selection; a reading is
 * only kept when the update counter stayed the same throughout. */
#define PCR_READ_TRIES 3

/* sel as the TPM should see it: the same banks in the same order, three
 * select bytes each. -EINVAL for what Aegis does not read. */
static int normalize(struct ae_tpm *tpm, const TPML_PCR_SELECTION *sel, TPML_PCR_SELECTION *ret)
{
        memset(ret, 0, sizeof(*ret));
        ENSURE(sel->count >= 1 && sel->count <= TPM2_NUM_PCR_BANKS,
               ae_tpm_errorf(tpm, -EINVAL, "PCR selection has %u banks", (unsigned)sel->count));
        for (UINT32 i = 0; i < sel->count; i++) {
                const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];

                ENSURE(s->sizeofSelect <= sizeof(s->pcrSelect),
                       ae_tpm_errorf(tpm, -EINVAL, "PCR selection of %u bytes",
                                     (unsigned)s->sizeofSelect));
                ENSURE(ae_pcr_bank_digest_size(s->hash) != 0,
                       ae_tpm_errorf(tpm, -EINVAL, "PCR bank 0x%04x is not supported",
                                     (unsigned)s->hash));
                for (UINT32 j = 0; j < i; j++)
                        ENSURE(sel->pcrSelections[j].hash != s->hash,
                               ae_tpm_errorf(tpm, -EINVAL, "PCR bank %s selected twice",
                                             ae_pcr_bank_name(s->hash)));
                for (unsigned b = 0; b < s->sizeofSelect; b++)
                        ENSURE(b < AE_PCR_COUNT / 8 || s->pcrSelect[b] == 0,
                               ae_tpm_errorf(tpm, -EINVAL, "PCR above %d selected",
                                             AE_PCR_COUNT - 1));
                ret->pcrSelections[i].hash = s->hash;
                ret->pcrSelections[i].sizeofSelect = AE_PCR_COUNT / 8;
                memcpy(ret->pcrSelections[i].pcrSelect, s->pcrSelect,
                       s->sizeofSelect < AE_PCR_COUNT / 8 ? s->sizeofSelect : AE_PCR_COUNT / 8);
        }
        ret->count = sel->count;
        ENSURE(ae_pcr_selection_count(ret) > 0,
               ae_tpm_errorf(tpm, -EINVAL, "PCR selection selects nothing"));
        return 0;
}

static TPMS_PCR_SELECTION *bank_of(TPML_PCR_SELECTION *sel, TPMI_ALG_HASH hash)
{
        for (UINT32 i = 0; i < sel->count; i++)
                if (sel->pcrSelections[i].hash == hash)
                        return &sel->pcrSelections[i];
        return NULL;
}

/* Take one reply: the digests of `got` in its order (banks as listed, PCRs
 * ascending), each a part of `left`, which loses them. */
static int take_reply(struct ae_tpm *tpm, const TPML_PCR_SELECTION *got, const TPML_DIGEST *d,
                      TPML_PCR_SELECTION *left, struct ae_pcr_values *vals)
{
        UINT32 k = 0;

        ENSURE(got->count <= TPM2_NUM_PCR_BANKS && d->count <= TPM2_NUM_PCR_BANKS * 8u,
               ae_tpm_errorf(tpm, -EPROTO, "PCR_Read reply of absurd size"));
        for (UINT32 i = 0; i < got->count; i++) {
                const TPMS_PCR_SELECTION *g = &got->pcrSelections[i];
                TPMS_PCR_SELECTION *l = bank_of(left, g->hash);
                size_t size = ae_pcr_bank_digest_size(g->hash);

                ENSURE(g->sizeofSelect <= sizeof(g->pcrSelect),
                       ae_tpm_errorf(tpm, -EPROTO, "PCR_Read reply of absurd size"));
                for (unsigned pcr = 0; pcr < 8u * g->sizeofSelect; pcr++) {
                        uint8_t bit = (uint8_t)(1u << (pcr % 8));

                        if (!(g->pcrSelect[pcr / 8] & bit))
                                continue;
                        ENSURE(l && pcr < AE_PCR_COUNT && (l->pcrSelect[pcr / 8] & bit),
                               ae_tpm_errorf(tpm, -EPROTO,
                                             "PCR_Read returned %s PCR %u, not asked for",
                                             ae_pcr_bank_name(g->hash), pcr));
                        ENSURE(k < d->count && d->digests[k].size == size,
                               ae_tpm_errorf(tpm, -EPROTO,
                                             "PCR_Read digests do not match its selection"));
                        GUARD(ae_pcr_values_add(vals, g->hash, pcr, d->digests[k].buffer, size));
                        l->pcrSelect[pcr / 8] &= (uint8_t)~bit;
                        k++;
                }
        }
        ENSURE(k == d->count,
               ae_tpm_errorf(tpm, -EPROTO, "PCR_Read digests do not match its selection"));
        return 0;
}

/* The first PCR of left, for the message when the TPM will not read it. */
static int unreadable(struct ae_tpm *tpm, const TPML_PCR_SELECTION *left)
{
        for (UINT32 i = 0; i < left->count; i++)
                for (unsigned pcr = 0; pcr < AE_PCR_COUNT; pcr++)
                        if (ae_pcr_selection_has(left, left->pcrSelections[i].hash, pcr))
                                return ae_tpm_errorf(
                                        tpm, -EOPNOTSUPP,
                                        "TPM has no %s PCR %u (bank not allocated?)",
                                        ae_pcr_bank_name(left->pcrSelections[i].hash), pcr);
        return ae_tpm_errorf(tpm, -EPROTO, "PCR_Read read nothing");
}

/* One complete reading; -EAGAIN when the PCRs changed during it. */
static int read_all(struct ae_tpm *tpm, const TPML_PCR_SELECTION *want,
                    struct ae_pcr_values *vals)
{
        TPML_PCR_SELECTION left = *want;
        UINT32 first_counter = 0;

        memset(vals, 0, sizeof(*vals));
        for (unsigned round = 0; ae_pcr_selection_count(&left) > 0; round++) {
                _cleanup_esys_ TPML_PCR_SELECTION *got = NULL;
                _cleanup_esys_ TPML_DIGEST *digests = NULL;
                UINT32 counter = 0;

                GUARD(ae_tpm_rc(tpm, "Esys_PCR_Read",
                                Esys_PCR_Read(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE,
                                              ESYS_TR_NONE, &left, &counter, &got, &digests)));
                if (round == 0)
                        first_counter = counter;
                else if (counter != first_counter)
                        return ae_tpm_errorf(tpm, -EAGAIN, "PCRs changed while being read");
                /* A TPM leaves out what it does not have; an answer with
                 * nothing in it would otherwise loop forever. */
                if (ae_pcr_selection_count(got) == 0 || digests->count == 0)
                        return unreadable(tpm, &left);
                GUARD(take_reply(tpm, got, digests, &left, vals));
        }
        return 0;
}

int ae_tpm_pcr_read(struct ae_tpm *tpm, const TPML_PCR_SELECTION *sel, struct ae_pcr_values *ret)
{
        TPML_PCR_SELECTION want;
        struct ae_pcr_values vals;
        int r = -EAGAIN;

        ENSURE(tpm && sel && ret, -EINVAL);
        GUARD(normalize(tpm, sel, &want));
        ENSURE(ae_pcr_selection_count(&want) <= AE_ATTEST_PCR_VALUES_MAX,
               ae_tpm_errorf(tpm, -EINVAL, "PCR selection exceeds %d values",
                             AE_ATTEST_PCR_VALUES_MAX));

        for (int i = 0; i < PCR_READ_TRIES && r == -EAGAIN; i++)
                r = read_all(tpm, &want, &vals);
        if (r < 0)
                return r;
        *ret = vals;
        return 0;
}
