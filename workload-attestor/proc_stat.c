#include "workload-attestor/proc_stat.h"

#include <string.h>

#include "workload-attestor/proc_text.h"

int ae_wl_stat_parse(const char *buf, size_t len, struct ae_wl_stat *ret)
{
        struct ae_wl_stat s = { 0 };
        struct ae_wl_span head, rest, f;
        const char *open, *close = NULL;

        ENSURE(buf && len > 0, -EBADMSG);
        open = memchr(buf, '(', len);
        ENSURE(open, -EBADMSG);
        for (size_t i = len; i > (size_t)(open - buf); i--)
                if (buf[i - 1] == ')') {
                        close = buf + i - 1;
                        break;
                }
        ENSURE(close, -EBADMSG);

        /* Field 1: the pid, then exactly one space before "(". */
        head.p = buf;
        head.len = (size_t)(open - buf);
        ENSURE(head.len >= 2 && head.p[head.len - 1] == ' ', -EBADMSG);
        head.len--;
        ENSURE(ae_wl_parse_u64(head, &s.pid) == 0, -EBADMSG);

        /* Fields 3.. after ") ". The line ends with '\n'. */
        rest.p = close + 1;
        rest.len = len - (size_t)(close + 1 - buf);
        if (rest.len > 0 && rest.p[rest.len - 1] == '\n')
                rest.len--;
        ENSURE(rest.len > 0 && rest.p[0] == ' ', -EBADMSG);
        for (int field = 3; field <= 22; field++) {
                ENSURE(ae_wl_next_field(&rest, &f), -EBADMSG);
                if (field == 3) {
                        ENSURE(f.len == 1, -EBADMSG);
                        s.state = f.p[0];
                } else if (field == 9) {
                        ENSURE(ae_wl_parse_u64(f, &s.flags) == 0, -EBADMSG);
                } else if (field == 22) {
                        ENSURE(ae_wl_parse_u64(f, &s.start_time) == 0, -EBADMSG);
                }
        }
        *ret = s;
        return 0;
}
