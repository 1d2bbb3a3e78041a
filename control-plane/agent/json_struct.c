#include "control-plane/agent/json_struct.h"

#include <stdlib.h>
#include <string.h>

static int to_struct(const json_t *obj, int depth, Google__Protobuf__Struct **ret);

static int to_value(const json_t *j, int depth, Google__Protobuf__Value **ret)
{
        Google__Protobuf__Value *v = malloc(sizeof(*v));
        int r = 0;

        ENSURE_ALLOC(v);
        google__protobuf__value__init(v);
        switch (json_typeof(j)) {
        case JSON_NULL:
                v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NULL_VALUE;
                v->null_value = GOOGLE__PROTOBUF__NULL_VALUE__NULL_VALUE;
                break;
        case JSON_TRUE:
        case JSON_FALSE:
                v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_BOOL_VALUE;
                v->bool_value = json_is_true(j);
                break;
        case JSON_INTEGER:
        case JSON_REAL:
                v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE;
                v->number_value = json_number_value(j);
                break;
        case JSON_STRING:
                v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
                v->string_value = strdup(json_string_value(j));
                r = v->string_value ? 0 : -ENOMEM;
                break;
        case JSON_OBJECT:
                r = to_struct(j, depth + 1, &v->struct_value);
                if (r == 0)
                        v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRUCT_VALUE;
                break;
        case JSON_ARRAY: {
                Google__Protobuf__ListValue *l = calloc(1, sizeof(*l));
                size_t n = json_array_size(j);

                if (!l || depth + 1 > AE_JSON_STRUCT_DEPTH_MAX) {
                        free(l);
                        r = l ? -ELOOP : -ENOMEM;
                        break;
                }
                google__protobuf__list_value__init(l);
                v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_LIST_VALUE;
                v->list_value = l;
                l->values = calloc(n ? n : 1, sizeof(*l->values));
                if (!l->values) {
                        r = -ENOMEM;
                        break;
                }
                for (size_t i = 0; i < n && r == 0; i++) {
                        r = to_value(json_array_get(j, i), depth + 1, &l->values[i]);
                        if (r == 0)
                                l->n_values++;
                }
                break;
        }
        }
        if (r < 0) {
                google__protobuf__value__free_unpacked(v, NULL);
                return r;
        }
        *ret = v;
        return 0;
}

static int to_struct(const json_t *obj, int depth, Google__Protobuf__Struct **ret)
{
        Google__Protobuf__Struct *s;
        const char *key;
        json_t *val;
        int r = 0;

        ENSURE(json_is_object(obj), -EINVAL);
        ENSURE(depth <= AE_JSON_STRUCT_DEPTH_MAX, -ELOOP);
        s = malloc(sizeof(*s));
        ENSURE_ALLOC(s);
        google__protobuf__struct__init(s);
        s->fields = calloc(json_object_size(obj) ? json_object_size(obj) : 1, sizeof(*s->fields));
        if (!s->fields)
                r = -ENOMEM;
        json_object_foreach((json_t *)obj, key, val) {
                Google__Protobuf__Struct__FieldsEntry *e;

                if (r < 0)
                        break;
                e = malloc(sizeof(*e));
                if (!e) {
                        r = -ENOMEM;
                        break;
                }
                google__protobuf__struct__fields_entry__init(e);
                s->fields[s->n_fields++] = e;
                e->key = strdup(key);
                r = e->key ? to_value(val, depth, &e->value) : -ENOMEM;
        }
        if (r < 0) {
                google__protobuf__struct__free_unpacked(s, NULL);
                return r;
        }
        *ret = s;
        return 0;
}

int ae_json_to_struct(const json_t *obj, Google__Protobuf__Struct **ret)
{
        ENSURE(obj && ret, -EINVAL);
        return to_struct(obj, 0, ret);
}
