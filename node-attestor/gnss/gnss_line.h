/* Internal to aegis_gnss: one line of gpsd's JSON stream, checked before
 * anything decodes it.
 *
 * The reports are decoded with jansson, not with libgps (which aegis_gnss
 * uses for the connection only): libgps 3.22's decoder never returns from
 * some input. Its DEVICES reader loops forever on any flaw inside a device
 * entry (a wrong type such as "driver":null or "bps":"fast", an unknown key
 * holding an object, more entries than MAXUSERDEVS, a syntax error); its
 * DEVICE reader can too, reached through a TPV it fails to parse; and it
 * looks for the first "class" key anywhere in a line, nested ones included.
 * gps_read() hands every line straight to that decoder, so a broken or
 * hostile gpsd could stall the agent past any deadline (found by
 * fuzz_gnss_report; the inputs are in its corpus and test_gnss_report).
 *
 * So aegis_gnss reads the socket itself and accepts a line only as strict,
 * bounded JSON: one object, class first, printable ASCII. */
#pragma once

#include <stddef.h>

#include "common/guard.h"

struct json_t;

/* Longest line accepted, without CR LF: libgps's own line buffer
 * (2 * GPS_JSON_RESPONSE_MAX). Longer lines are dropped whole. */
#define AE_GNSS_LINE_MAX 8192
/* gpsd nests three deep (DEVICES > devices[] > {}, SKY > satellites[] > {}). */
#define AE_GNSS_JSON_DEPTH_MAX 8

enum ae_gnss_class {
        AE_GNSS_CLASS_OTHER, /* well formed, not read by aegis_gnss */
        AE_GNSS_CLASS_TPV,
        AE_GNSS_CLASS_SKY,
        AE_GNSS_CLASS_DEVICES,
        AE_GNSS_CLASS_DEVICE,
        AE_GNSS_CLASS_ERROR,
};

/* Check the len bytes at line (no NUL needed) and name their class. A line
 * passes when it is at most AE_GNSS_LINE_MAX bytes of printable ASCII,
 * starts with {"class":"NAME" (NAME of [A-Z0-9], as gpsd writes it), and is
 * one strict JSON object (no duplicate keys, nothing after it) nested no
 * deeper than AE_GNSS_JSON_DEPTH_MAX. Returns 0 with *ret_class and, when
 * ret_json is not NULL, the parsed object (the caller's reference), or
 * -EBADMSG. */
AE_MUST_USE int ae_gnss_line_parse(const char *line, size_t len, enum ae_gnss_class *ret_class,
                                   struct json_t **ret_json);
