#include "common/ossl.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

const char *ae_ossl_error_text(char *buf, size_t size)
{
        size_t used = 0;
        unsigned long e;

        buf[0] = '\0';
        while ((e = ERR_get_error()) != 0) {
                char one[256];
                int n;

                ERR_error_string_n(e, one, sizeof(one));
                n = snprintf(buf + used, size - used, "%s%s", used ? "; " : "", one);
                if (n < 0 || (size_t)n >= size - used) {
                        /* Truncated: keep what fits, drop the rest of the queue. */
                        ERR_clear_error();
                        break;
                }
                used += (size_t)n;
        }
        if (buf[0] == '\0')
                snprintf(buf, size, "no OpenSSL error");
        return buf;
}
