#include "control-plane/server/entry_msg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int split(const char *text, struct ae_spiffe_id *parts, Spire__Api__Types__SPIFFEID *m)
{
        GUARD(ae_spiffe_id_parse(text, strlen(text), parts, NULL));
        spire__api__types__spiffeid__init(m);
        m->trust_domain = parts->trust_domain;
        m->path = parts->path;
        return 0;
}

int ae_entry_msg_fill(struct ae_entry_msg *m, const struct ae_ds_entry *e)
{
        ENSURE(m && e && e->n_selectors <= AE_DS_ENTRY_SELECTORS_MAX &&
                       e->n_dns_names <= AE_DS_DNS_NAMES_MAX,
               -EINVAL);
        spire__api__types__entry__init(&m->entry);
        GUARD(split(e->spiffe_id, &m->id_parts, &m->id));
        GUARD(split(e->parent_id, &m->parent_parts, &m->parent));
        for (size_t i = 0; i < e->n_selectors; i++) {
                spire__api__types__selector__init(&m->selectors[i]);
                m->selectors[i].type = (char *)e->selectors[i].type;
                m->selectors[i].value = (char *)e->selectors[i].value;
                m->selector_ptrs[i] = &m->selectors[i];
        }
        for (size_t i = 0; i < e->n_dns_names; i++)
                m->dns_ptrs[i] = (char *)e->dns_names[i];
        m->entry.id = (char *)e->id;
        m->entry.spiffe_id = &m->id;
        m->entry.parent_id = &m->parent;
        m->entry.n_selectors = e->n_selectors;
        m->entry.selectors = m->selector_ptrs;
        m->entry.x509_svid_ttl = (int32_t)e->x509_svid_ttl;
        m->entry.jwt_svid_ttl = (int32_t)e->jwt_svid_ttl;
        m->entry.admin = e->admin;
        m->entry.downstream = e->downstream;
        m->entry.n_dns_names = e->n_dns_names;
        m->entry.dns_names = m->dns_ptrs;
        m->entry.revision_number = e->revision_number;
        m->entry.hint = (char *)e->hint;
        m->entry.created_at = e->created_at;
        return 0;
}

static int join(const Spire__Api__Types__SPIFFEID *m, char *buf, size_t cap)
{
        struct ae_spiffe_id id;

        ENSURE(m && m->trust_domain && m->path, -EINVAL);
        GUARD(ae_spiffe_id_from_parts(m->trust_domain, m->path, &id, NULL));
        return ae_spiffe_id_format(&id, buf, cap, NULL);
}

static int copy(char *dst, size_t cap, const char *src)
{
        ENSURE(src && strlen(src) < cap, -EINVAL);
        memcpy(dst, src, strlen(src) + 1);
        return 0;
}

int ae_entry_from_msg(const Spire__Api__Types__Entry *m, struct ae_ds_entry *ret,
                      const char **ret_why)
{
        struct ae_ds_entry *e = ret;

        ENSURE(m && ret && ret_why, -EINVAL);
        memset(e, 0, sizeof(*e));
        *ret_why = "spiffe_id missing or invalid";
        GUARD(join(m->spiffe_id, e->spiffe_id, sizeof(e->spiffe_id)));
        *ret_why = "parent_id missing or invalid";
        GUARD(join(m->parent_id, e->parent_id, sizeof(e->parent_id)));
        *ret_why = "too many selectors";
        ENSURE(m->n_selectors <= AE_DS_ENTRY_SELECTORS_MAX, -EINVAL);
        *ret_why = "selector type or value missing or too long";
        for (size_t i = 0; i < m->n_selectors; i++) {
                ENSURE(m->selectors[i], -EINVAL);
                GUARD(copy(e->selectors[i].type, sizeof(e->selectors[i].type),
                           m->selectors[i]->type));
                GUARD(copy(e->selectors[i].value, sizeof(e->selectors[i].value),
                           m->selectors[i]->value));
        }
        e->n_selectors = m->n_selectors;
        *ret_why = "too many DNS names";
        ENSURE(m->n_dns_names <= AE_DS_DNS_NAMES_MAX, -EINVAL);
        *ret_why = "DNS name too long";
        for (size_t i = 0; i < m->n_dns_names; i++)
                GUARD(copy(e->dns_names[i], sizeof(e->dns_names[i]), m->dns_names[i]));
        e->n_dns_names = m->n_dns_names;
        *ret_why = "hint too long";
        GUARD(copy(e->hint, sizeof(e->hint), m->hint ? m->hint : ""));
        *ret_why = "federates_with, store_svid and expires_at are not supported";
        ENSURE(m->n_federates_with == 0 && !m->store_svid && m->expires_at == 0, -EINVAL);
        e->x509_svid_ttl = m->x509_svid_ttl;
        e->jwt_svid_ttl = m->jwt_svid_ttl;
        e->admin = m->admin;
        e->downstream = m->downstream;
        *ret_why = "";
        return 0;
}
