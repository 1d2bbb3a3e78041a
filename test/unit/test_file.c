#include "common/file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_util.h"

static char dir[64];

static void setup(void)
{
        strcpy(dir, "/tmp/aegis-file-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *name, const void *data, size_t n, char *ret_path)
{
        FILE *f;

        sprintf(ret_path, "%s/%s", dir, name);
        f = fopen(ret_path, "w");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(data, 1, n, f), n);
        ck_assert_int_eq(fclose(f), 0);
}

START_TEST(reads_whole_file_with_nul)
{
        char path[256];
        uint8_t *data = NULL;
        size_t len = 0;

        write_file("a", "hello", 5, path);
        ck_assert_int_eq(ae_file_read(path, 5, &data, &len), 0);
        ck_assert_uint_eq(len, 5);
        ck_assert_str_eq((char *)data, "hello");
        free(data);
}
END_TEST

START_TEST(limit_enforced)
{
        char path[256];
        uint8_t *data = (uint8_t *)"untouched";
        size_t len = 42;

        write_file("b", "hello!", 6, path);
        ck_assert_int_eq(ae_file_read(path, 5, &data, &len), -EFBIG);
        ck_assert_str_eq((char *)data, "untouched");
        ck_assert_uint_eq(len, 42);
}
END_TEST

START_TEST(large_file_grows_buffer)
{
        size_t n = 100000;
        char *big = malloc(n), path[256];
        uint8_t *data;
        size_t len;

        memset(big, 'z', n);
        write_file("c", big, n, path);
        ck_assert_int_eq(ae_file_read(path, n, &data, &len), 0);
        ck_assert_uint_eq(len, n);
        ck_assert_mem_eq(data, big, n);
        free(data);
        ck_assert_int_eq(ae_file_read(path, n - 1, &data, &len), -EFBIG);
        free(big);
}
END_TEST

START_TEST(empty_file)
{
        char path[256];
        uint8_t *data;
        size_t len;

        write_file("d", "", 0, path);
        ck_assert_int_eq(ae_file_read(path, 10, &data, &len), 0);
        ck_assert_uint_eq(len, 0);
        ck_assert_str_eq((char *)data, "");
        free(data);
}
END_TEST

/* /proc files report st_size 0; the limit must hold while reading. */
START_TEST(proc_file_limit_while_reading)
{
        uint8_t *data;
        size_t len;

        ck_assert_int_eq(ae_file_read("/proc/self/status", 65536, &data, &len), 0);
        ck_assert_uint_gt(len, 0);
        ck_assert_ptr_nonnull(strstr((char *)data, "Pid:"));
        free(data);
        ck_assert_int_eq(ae_file_read("/proc/self/status", 16, &data, &len), -EFBIG);
}
END_TEST

START_TEST(not_regular_or_missing)
{
        char path[256];
        uint8_t *data;
        size_t len;

        ck_assert_int_eq(ae_file_read(dir, 10, &data, &len), -EINVAL);
        ck_assert_int_eq(ae_file_read("/dev/zero", 10, &data, &len), -EINVAL);
        sprintf(path, "%s/fifo", dir);
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        ck_assert_int_eq(ae_file_read(path, 10, &data, &len), -EINVAL); /* no hang */
        sprintf(path, "%s/missing", dir);
        ck_assert_int_eq(ae_file_read(path, 10, &data, &len), -ENOENT);
        ck_assert_int_eq(ae_file_read(NULL, 10, &data, &len), -EINVAL);
}
END_TEST

START_TEST(permission_denied_is_reported)
{
        char path[256];
        uint8_t *data;
        size_t len;

        if (geteuid() == 0)
                return; /* root reads anything; the errno path is covered by -ENOENT */
        write_file("e", "x", 1, path);
        ck_assert_int_eq(chmod(path, 0), 0);
        ck_assert_int_eq(ae_file_read(path, 10, &data, &len), -EACCES);
}
END_TEST

START_TEST(read_fd_from_offset)
{
        char path[256];
        uint8_t *data;
        size_t len;
        int fd;

        write_file("f", "0123456789", 10, path);
        fd = open(path, O_RDONLY);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(lseek(fd, 4, SEEK_SET), 4);
        ck_assert_int_eq(ae_file_read_fd(fd, 6, &data, &len), 0);
        ck_assert_str_eq((char *)data, "456789");
        free(data);
        close(fd);
        ck_assert_int_eq(ae_file_read_fd(fd, 6, &data, &len), -EBADF);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("file");
        TCase *tc = tcase_create("file");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, reads_whole_file_with_nul);
        tcase_add_test(tc, limit_enforced);
        tcase_add_test(tc, large_file_grows_buffer);
        tcase_add_test(tc, empty_file);
        tcase_add_test(tc, proc_file_limit_while_reading);
        tcase_add_test(tc, not_regular_or_missing);
        tcase_add_test(tc, permission_denied_is_reported);
        tcase_add_test(tc, read_fd_from_offset);
        suite_add_tcase(s, tc);
        return ae_check_run(s);
}
