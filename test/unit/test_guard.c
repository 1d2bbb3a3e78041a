/* Guard macros and cleanup helpers (common/guard.h, common/cleanup.h). */
#include "common/guard.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "check_util.h"

static int released;

struct thing {
        int id;
};

static void thing_free(struct thing *t)
{
        released += t->id;
        free(t);
}
AE_DEFINE_CLEANUP(struct thing *, thing_free)

static struct thing *thing_new(int id)
{
        struct thing *t = malloc(sizeof(*t));

        t->id = id;
        return t;
}

static int ensure_fn(int cond)
{
        ENSURE(cond, -EINVAL);
        return 0;
}

static int guard_fn(int inner)
{
        GUARD(inner);
        return 5;
}

static int ossl_fn(int rc)
{
        ENSURE_OSSL(rc);
        return 0;
}

static int alloc_fn(void *p)
{
        ENSURE_ALLOC(p);
        return 0;
}

/* Two resources; fails at the given step. Both must be released on every path. */
static int two_resources(int fail_at, struct thing **ret)
{
        _cleanup_(thing_freep) struct thing *a = thing_new(1);
        _cleanup_(thing_freep) struct thing *b = NULL;

        ENSURE(fail_at != 1, -EIO);
        b = thing_new(10);
        ENSURE(fail_at != 2, -EPROTO);
        *ret = TAKE_PTR(b); /* handed on: only a is released here */
        return 0;
}

START_TEST(guards_return_as_documented)
{
        ck_assert_int_eq(ensure_fn(1), 0);
        ck_assert_int_eq(ensure_fn(0), -EINVAL);
        ck_assert_int_eq(guard_fn(0), 5);
        ck_assert_int_eq(guard_fn(3), 5); /* positive results are not errors */
        ck_assert_int_eq(guard_fn(-ENOENT), -ENOENT);
        ck_assert_int_eq(ossl_fn(1), 0);
        ck_assert_int_eq(ossl_fn(0), -EIO);
        ck_assert_int_eq(ossl_fn(-1), -EIO);
        ck_assert_int_eq(alloc_fn(&released), 0);
        ck_assert_int_eq(alloc_fn(NULL), -ENOMEM);
}
END_TEST

START_TEST(cleanup_on_every_path)
{
        struct thing *out = NULL;

        released = 0;
        ck_assert_int_eq(two_resources(1, &out), -EIO);
        ck_assert_int_eq(released, 1);
        released = 0;
        ck_assert_int_eq(two_resources(2, &out), -EPROTO);
        ck_assert_int_eq(released, 11);
        ck_assert_ptr_null(out);
        released = 0;
        ck_assert_int_eq(two_resources(0, &out), 0);
        ck_assert_int_eq(released, 1);
        ck_assert_int_eq(out->id, 10);
        thing_free(out);
}
END_TEST

START_TEST(take_fd_and_closep_keeps_errno)
{
        int kept;

        {
                _cleanup_close_ int fd = open("/dev/null", O_RDONLY);

                ck_assert_int_ge(fd, 0);
                kept = TAKE_FD(fd);
                ck_assert_int_eq(fd, -1);
        }
        ck_assert_int_ne(fcntl(kept, F_GETFD), -1); /* still open */
        {
                _cleanup_close_ int fd = kept;

                errno = ENOSPC;
        }
        ck_assert_int_eq(errno, ENOSPC); /* close did not clobber it */
        ck_assert_int_eq(fcntl(kept, F_GETFD), -1);
}
END_TEST

START_TEST(free_and_fclose_accept_null)
{
        _cleanup_free_ char *p = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *q = strdup("owned");

        ck_assert_str_eq(q, "owned");
}
END_TEST

int main(void)
{
        Suite *s = suite_create("guard");
        TCase *tc = tcase_create("guard");

        tcase_add_test(tc, guards_return_as_documented);
        tcase_add_test(tc, cleanup_on_every_path);
        tcase_add_test(tc, take_fd_and_closep_keeps_errno);
        tcase_add_test(tc, free_and_fclose_accept_null);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
