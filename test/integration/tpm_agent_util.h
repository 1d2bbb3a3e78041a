/* Helpers of the TPM agent tests (tpm_agent_keys, tpm_agent_ops).
 *
 * swtpm serves one connection at a time and has no resource manager: every
 * tpm2-tools run must happen with the test's own connection closed (a tool
 * waits forever otherwise), and whatever a tool leaves loaded stays until
 * flushed. Failures end the test (Check assertions). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <check.h>
#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "node-attestor/tpm/keys.h"

struct ae_tpm;

/* Largest file a test reads back (tool outputs, public areas). */
#define TA_FILE_MAX 4096

/* Checked fixture: a scratch directory per test inside the fixture's (so a
 * failed run's files go when the fixture restarts), TPM2TOOLS_TCTI set to
 * the fixture's main TPM, and what an earlier failed test left loaded in the
 * TPM flushed, so it does not fail this one too. */
void setup(void);
void teardown(void);

/* name inside the scratch directory (a few results stay valid at once). */
const char *wpath(const char *name);
void write_bytes(const char *path, const void *buf, size_t len);
/* The whole file (at most TA_FILE_MAX bytes), malloc'd. */
void read_bytes(const char *path, uint8_t **ret, size_t *ret_len);
/* Lowercase hex of up to 128 bytes (a few results stay valid at once). */
const char *hex(const uint8_t *buf, size_t len);

/* Run argv (no shell, PATH lookup) with stdout to out (NULL: /dev/null) and
 * stderr inherited; the exit status, or -1 when it did not exit. */
int run_argv(const char *out, const char *const argv[]);
#define RUN_OUT(out, ...) run_argv(out, (const char *const[]){ __VA_ARGS__, NULL })
#define RUN(...) RUN_OUT(NULL, __VA_ARGS__)
/* A tool that must succeed; its stderr is in the test log when it does not. */
#define TOOL(...) ck_assert_msg(RUN(__VA_ARGS__) == 0, "%s failed", #__VA_ARGS__)

/* The fixture's main TPM, and keys on it that must be created. */
struct ae_tpm *open_tpm(void);
struct ae_tpm_key *ek_create(struct ae_tpm *tpm, enum ae_tpm_ek_alg alg);
struct ae_tpm_key *ak_create(struct ae_tpm *tpm, const struct ae_tpm_key *ek,
                             enum ae_tpm_ak_alg alg, uint32_t handle);
void marshal_public(const struct ae_tpm_key *key, uint8_t *buf, size_t *len);

/* Evict whatever is at handle, if anything (on a connection of its own). */
void evict_if_present(uint32_t handle);

/* Handles of one type (TPM2_HT_*) the TPM holds, asked on a connection of
 * our own so Aegis's code is not the one answering. */
uint32_t count_handles(uint8_t type);

/* The public key of a TPM public area (RSA, ECC P-256), built with OpenSSL
 * independently of Aegis. */
EVP_PKEY *tpm_pkey(const TPMT_PUBLIC *p);
