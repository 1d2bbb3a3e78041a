#include "control-plane/server/caller_memo.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct slot {
        char *pem; /* NULL: empty */
        char *id;
        char *serial;
};

struct ae_caller_memo {
        pthread_mutex_t lock;
        size_t next; /* the slot written next: the oldest */
        struct slot slots[AE_CALLER_MEMO_SLOTS];
};

static void slot_clear(struct slot *s)
{
        free(s->pem);
        free(s->id);
        free(s->serial);
        *s = (struct slot){ 0 };
}

int ae_caller_memo_new(struct ae_caller_memo **ret)
{
        struct ae_caller_memo *m;

        ENSURE(ret, -EINVAL);
        m = calloc(1, sizeof(*m));
        ENSURE_ALLOC(m);
        if (pthread_mutex_init(&m->lock, NULL) != 0) {
                free(m);
                return -ENOMEM;
        }
        *ret = m;
        return 0;
}

void ae_caller_memo_free(struct ae_caller_memo *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < AE_CALLER_MEMO_SLOTS; i++)
                slot_clear(&m->slots[i]);
        pthread_mutex_destroy(&m->lock);
        free(m);
}

bool ae_caller_memo_get(struct ae_caller_memo *m, const char *pem, char *id, size_t id_cap,
                        char *serial, size_t serial_cap)
{
        bool found = false;

        if (!m || !pem)
                return false;
        pthread_mutex_lock(&m->lock);
        for (size_t i = 0; i < AE_CALLER_MEMO_SLOTS; i++) {
                const struct slot *s = &m->slots[i];

                if (!s->pem || strcmp(s->pem, pem) != 0)
                        continue;
                if (strlen(s->id) < id_cap && strlen(s->serial) < serial_cap) {
                        strcpy(id, s->id);
                        strcpy(serial, s->serial);
                        found = true;
                }
                break;
        }
        pthread_mutex_unlock(&m->lock);
        return found;
}

void ae_caller_memo_put(struct ae_caller_memo *m, const char *pem, const char *id,
                        const char *serial)
{
        struct slot fresh;

        if (!m || !pem || !id || !serial)
                return;
        fresh = (struct slot){ .pem = strdup(pem), .id = strdup(id), .serial = strdup(serial) };
        if (!fresh.pem || !fresh.id || !fresh.serial) {
                slot_clear(&fresh);
                return;
        }
        pthread_mutex_lock(&m->lock);
        for (size_t i = 0; i < AE_CALLER_MEMO_SLOTS; i++)
                if (m->slots[i].pem && strcmp(m->slots[i].pem, pem) == 0) {
                        /* Another call parsed it meanwhile. */
                        pthread_mutex_unlock(&m->lock);
                        slot_clear(&fresh);
                        return;
                }
        slot_clear(&m->slots[m->next]);
        m->slots[m->next] = fresh;
        m->next = (m->next + 1) % AE_CALLER_MEMO_SLOTS;
        pthread_mutex_unlock(&m->lock);
}
