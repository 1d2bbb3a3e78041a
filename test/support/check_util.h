/* Helpers shared by the Check test binaries. */
#pragma once

#include <stddef.h>

#include <check.h>

/* Exit code CTest treats as "skipped" (SKIP_RETURN_CODE). */
#define AE_TEST_SKIP 77

/* Run every test of s (forked, one process per test) and return the exit code
 * for main(): 0 when all passed. */
int ae_check_run(Suite *s);

/* A variable a fixture exported (test/fixtures/with-fixtures). Exits the
 * process with a message if it is missing: the test cannot mean anything. */
const char *ae_test_env(const char *name);

/* Path of rel inside the shared test data (../shared by default). Returns 0,
 * or -ENOENT when the shared data is absent; the caller then skips. */
int ae_test_shared_path(const char *rel, char *buf, size_t size);
