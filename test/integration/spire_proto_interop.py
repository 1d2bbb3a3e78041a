#!/usr/bin/env python3
"""SPIRE's server API protos (proto/spire/...) checked from two sides.

1. Against upstream: stubs generated at test time by python3-grpc-tools
   (protoc itself, not protoc-c) must describe exactly the messages, field
   numbers, types, oneofs, enum values, services and method paths written
   down below from spiffe/spire-api-sdk. A field number changed in a .proto
   fails here, whichever codec reads it.
2. Against protobuf-c: populated messages serialized by Debian's Python
   protobuf runtime go through spire_proto_roundtrip (aegis_proto_spire).
   It must know every field it receives (protobuf-c would otherwise keep it
   as an unknown field and re-emit it unnoticed), decode every field to the
   value Python set, and pack the same bytes again. A stale or mismatched C
   side fails here. The detector itself is checked with an added unknown
   field.

Exit 77 (skipped) without grpcio / grpc_tools."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import grpc  # noqa: F401 (presence check; the stubs import it)
    from grpc_tools import protoc  # noqa: F401 (presence check)
    from google.protobuf import descriptor_pb2, empty_pb2, wrappers_pb2
    from google.protobuf.descriptor import FieldDescriptor as FD
except ImportError as e:
    print(f"skipped: {e} (python3-grpcio, python3-grpc-tools, python3-protobuf)")
    sys.exit(77)

checks = 0

PROTOS = [
    "spire/api/types/spiffeid.proto",
    "spire/api/types/selector.proto",
    "spire/api/types/federateswith.proto",
    "spire/api/types/attestation.proto",
    "spire/api/types/status.proto",
    "spire/api/types/x509svid.proto",
    "spire/api/types/jwtsvid.proto",
    "spire/api/types/bundle.proto",
    "spire/api/types/entry.proto",
    "spire/api/server/agent/v1/agent.proto",
    "spire/api/server/entry/v1/entry.proto",
    "spire/api/server/svid/v1/svid.proto",
    "spire/api/server/bundle/v1/bundle.proto",
]

T = "spire.api.types."
AG = "spire.api.server.agent.v1."
EN = "spire.api.server.entry.v1."
SV = "spire.api.server.svid.v1."
BU = "spire.api.server.bundle.v1."

# Upstream facts (spiffe/spire-api-sdk, proto/spire/api/...): per message,
# number -> (name, type, repeated?, oneof). Types: scalar names, "enum:<full
# name>" or a message full name. Every field our .proto files declare must be
# listed, and nothing else.
R, S, O = True, False, "step"
REFERENCE = {
    T + "SPIFFEID": {1: ("trust_domain", "string", S, None), 2: ("path", "string", S, None)},
    T + "Selector": {1: ("type", "string", S, None), 2: ("value", "string", S, None)},
    T + "SelectorMatch": {
        1: ("selectors", T + "Selector", R, None),
        2: ("match", "enum:" + T + "SelectorMatch.MatchBehavior", S, None)},
    T + "FederatesWithMatch": {
        1: ("trust_domains", "string", R, None),
        2: ("match", "enum:" + T + "FederatesWithMatch.MatchBehavior", S, None)},
    T + "AttestationData": {1: ("type", "string", S, None), 2: ("payload", "bytes", S, None)},
    T + "Status": {1: ("code", "int32", S, None), 2: ("message", "string", S, None)},
    T + "PermissionDeniedDetails": {
        1: ("reason", "enum:" + T + "PermissionDeniedDetails.Reason", S, None)},
    T + "X509SVID": {
        1: ("cert_chain", "bytes", R, None), 2: ("id", T + "SPIFFEID", S, None),
        3: ("expires_at", "int64", S, None), 4: ("hint", "string", S, None)},
    T + "JWTSVID": {
        1: ("token", "string", S, None), 2: ("id", T + "SPIFFEID", S, None),
        3: ("expires_at", "int64", S, None), 4: ("issued_at", "int64", S, None),
        5: ("hint", "string", S, None)},
    T + "Bundle": {
        1: ("trust_domain", "string", S, None),
        2: ("x509_authorities", T + "X509Certificate", R, None),
        3: ("jwt_authorities", T + "JWTKey", R, None),
        4: ("refresh_hint", "int64", S, None), 5: ("sequence_number", "uint64", S, None)},
    T + "X509Certificate": {
        1: ("asn1", "bytes", S, None), 2: ("tainted", "bool", S, None),
        3: ("hint", "string", S, None)},
    T + "JWTKey": {
        1: ("public_key", "bytes", S, None), 2: ("key_id", "string", S, None),
        3: ("expires_at", "int64", S, None), 4: ("tainted", "bool", S, None),
        5: ("hint", "string", S, None)},
    T + "BundleMask": {
        2: ("x509_authorities", "bool", S, None), 3: ("jwt_authorities", "bool", S, None),
        4: ("refresh_hint", "bool", S, None), 5: ("sequence_number", "bool", S, None)},
    T + "Entry": {
        1: ("id", "string", S, None), 2: ("spiffe_id", T + "SPIFFEID", S, None),
        3: ("parent_id", T + "SPIFFEID", S, None), 4: ("selectors", T + "Selector", R, None),
        5: ("x509_svid_ttl", "int32", S, None), 6: ("federates_with", "string", R, None),
        7: ("admin", "bool", S, None), 8: ("downstream", "bool", S, None),
        9: ("expires_at", "int64", S, None), 10: ("dns_names", "string", R, None),
        11: ("revision_number", "int64", S, None), 12: ("store_svid", "bool", S, None),
        13: ("jwt_svid_ttl", "int32", S, None), 14: ("hint", "string", S, None),
        15: ("created_at", "int64", S, None),
        16: ("additional_attributes", T + "Entry.AdditionalAttributes", S, None)},
    T + "Entry.AdditionalAttributes": {
        1: ("disable_x509_svid_prefetch", "bool", S, None),
        2: ("jwt_svid_include_jti", "bool", S, None)},
    T + "EntryMask": {
        2: ("spiffe_id", "bool", S, None), 3: ("parent_id", "bool", S, None),
        4: ("selectors", "bool", S, None), 5: ("x509_svid_ttl", "bool", S, None),
        6: ("federates_with", "bool", S, None), 7: ("admin", "bool", S, None),
        8: ("downstream", "bool", S, None), 9: ("expires_at", "bool", S, None),
        10: ("dns_names", "bool", S, None), 11: ("revision_number", "bool", S, None),
        12: ("store_svid", "bool", S, None), 13: ("jwt_svid_ttl", "bool", S, None),
        14: ("hint", "bool", S, None), 15: ("created_at", "bool", S, None),
        16: ("additional_attributes", "bool", S, None)},
    AG + "DeleteAgentRequest": {1: ("id", T + "SPIFFEID", S, None)},
    AG + "BanAgentRequest": {1: ("id", T + "SPIFFEID", S, None)},
    AG + "AttestAgentRequest": {
        1: ("params", AG + "AttestAgentRequest.Params", S, O),
        2: ("challenge_response", "bytes", S, O)},
    AG + "AttestAgentRequest.Params": {
        1: ("data", T + "AttestationData", S, None),
        2: ("params", AG + "AgentX509SVIDParams", S, None)},
    AG + "AttestAgentResponse": {
        1: ("result", AG + "AttestAgentResponse.Result", S, O),
        2: ("challenge", "bytes", S, O)},
    AG + "AttestAgentResponse.Result": {
        1: ("svid", T + "X509SVID", S, None), 2: ("reattestable", "bool", S, None)},
    AG + "RenewAgentRequest": {1: ("params", AG + "AgentX509SVIDParams", S, None)},
    AG + "RenewAgentResponse": {1: ("svid", T + "X509SVID", S, None)},
    AG + "AgentX509SVIDParams": {1: ("csr", "bytes", S, None)},
    EN + "ListEntriesRequest": {
        1: ("filter", EN + "ListEntriesRequest.Filter", S, None),
        2: ("output_mask", T + "EntryMask", S, None),
        3: ("page_size", "int32", S, None), 4: ("page_token", "string", S, None)},
    EN + "ListEntriesRequest.Filter": {
        1: ("by_spiffe_id", T + "SPIFFEID", S, None),
        2: ("by_parent_id", T + "SPIFFEID", S, None),
        3: ("by_selectors", T + "SelectorMatch", S, None),
        4: ("by_federates_with", T + "FederatesWithMatch", S, None),
        5: ("by_hint", "google.protobuf.StringValue", S, None),
        6: ("by_downstream", "google.protobuf.BoolValue", S, None)},
    EN + "ListEntriesResponse": {
        1: ("entries", T + "Entry", R, None), 2: ("next_page_token", "string", S, None)},
    EN + "GetEntryRequest": {
        1: ("id", "string", S, None), 2: ("output_mask", T + "EntryMask", S, None)},
    EN + "BatchCreateEntryRequest": {
        1: ("entries", T + "Entry", R, None), 2: ("output_mask", T + "EntryMask", S, None)},
    EN + "BatchCreateEntryResponse": {
        1: ("results", EN + "BatchCreateEntryResponse.Result", R, None)},
    EN + "BatchCreateEntryResponse.Result": {
        1: ("status", T + "Status", S, None), 2: ("entry", T + "Entry", S, None)},
    EN + "BatchDeleteEntryRequest": {1: ("ids", "string", R, None)},
    EN + "BatchDeleteEntryResponse": {
        1: ("results", EN + "BatchDeleteEntryResponse.Result", R, None)},
    EN + "BatchDeleteEntryResponse.Result": {
        1: ("status", T + "Status", S, None), 2: ("id", "string", S, None)},
    EN + "GetAuthorizedEntriesRequest": {1: ("output_mask", T + "EntryMask", S, None)},
    EN + "GetAuthorizedEntriesResponse": {1: ("entries", T + "Entry", R, None)},
    SV + "BatchNewX509SVIDRequest": {1: ("params", SV + "NewX509SVIDParams", R, None)},
    SV + "BatchNewX509SVIDResponse": {
        1: ("results", SV + "BatchNewX509SVIDResponse.Result", R, None)},
    SV + "BatchNewX509SVIDResponse.Result": {
        1: ("status", T + "Status", S, None), 2: ("svid", T + "X509SVID", S, None)},
    SV + "NewJWTSVIDRequest": {
        1: ("entry_id", "string", S, None), 2: ("audience", "string", R, None)},
    SV + "NewJWTSVIDResponse": {1: ("svid", T + "JWTSVID", S, None)},
    SV + "NewX509SVIDParams": {1: ("entry_id", "string", S, None), 2: ("csr", "bytes", S, None)},
    BU + "GetBundleRequest": {1: ("output_mask", T + "BundleMask", S, None)},
}

ENUMS = {
    T + "SelectorMatch.MatchBehavior":
        {"MATCH_EXACT": 0, "MATCH_SUBSET": 1, "MATCH_SUPERSET": 2, "MATCH_ANY": 3},
    T + "FederatesWithMatch.MatchBehavior":
        {"MATCH_EXACT": 0, "MATCH_SUBSET": 1, "MATCH_SUPERSET": 2, "MATCH_ANY": 3},
    T + "PermissionDeniedDetails.Reason":
        {"UNKNOWN": 0, "AGENT_EXPIRED": 1, "AGENT_NOT_ATTESTED": 2, "AGENT_NOT_ACTIVE": 3,
         "AGENT_BANNED": 4, "AGENT_CAN_REATTEST": 5},
}

# Method path -> (client streams, server streams, request type, response type).
METHODS = {
    "/spire.api.server.agent.v1.Agent/DeleteAgent":
        (False, False, AG + "DeleteAgentRequest", "google.protobuf.Empty"),
    "/spire.api.server.agent.v1.Agent/BanAgent":
        (False, False, AG + "BanAgentRequest", "google.protobuf.Empty"),
    "/spire.api.server.agent.v1.Agent/AttestAgent":
        (True, True, AG + "AttestAgentRequest", AG + "AttestAgentResponse"),
    "/spire.api.server.agent.v1.Agent/RenewAgent":
        (False, False, AG + "RenewAgentRequest", AG + "RenewAgentResponse"),
    "/spire.api.server.entry.v1.Entry/ListEntries":
        (False, False, EN + "ListEntriesRequest", EN + "ListEntriesResponse"),
    "/spire.api.server.entry.v1.Entry/GetEntry":
        (False, False, EN + "GetEntryRequest", T + "Entry"),
    "/spire.api.server.entry.v1.Entry/BatchCreateEntry":
        (False, False, EN + "BatchCreateEntryRequest", EN + "BatchCreateEntryResponse"),
    "/spire.api.server.entry.v1.Entry/BatchDeleteEntry":
        (False, False, EN + "BatchDeleteEntryRequest", EN + "BatchDeleteEntryResponse"),
    "/spire.api.server.entry.v1.Entry/GetAuthorizedEntries":
        (False, False, EN + "GetAuthorizedEntriesRequest", EN + "GetAuthorizedEntriesResponse"),
    "/spire.api.server.svid.v1.SVID/BatchNewX509SVID":
        (False, False, SV + "BatchNewX509SVIDRequest", SV + "BatchNewX509SVIDResponse"),
    "/spire.api.server.svid.v1.SVID/NewJWTSVID":
        (False, False, SV + "NewJWTSVIDRequest", SV + "NewJWTSVIDResponse"),
    "/spire.api.server.bundle.v1.Bundle/GetBundle":
        (False, False, BU + "GetBundleRequest", T + "Bundle"),
}

SCALARS = {FD.TYPE_STRING: "string", FD.TYPE_BYTES: "bytes", FD.TYPE_INT32: "int32",
           FD.TYPE_INT64: "int64", FD.TYPE_UINT64: "uint64", FD.TYPE_BOOL: "bool"}


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    global checks
    if not cond:
        fail(msg)
    checks += 1


def generate_stubs(proto_root, out):
    os.makedirs(out)
    r = subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_root}",
                        f"--python_out={out}", f"--grpc_python_out={out}",
                        *[os.path.join(proto_root, p) for p in PROTOS]],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"grpc_tools.protoc: {r.stderr}")
    sys.path.insert(0, out)


def field_type(fd):
    if fd.type == FD.TYPE_MESSAGE:
        return fd.message_type.full_name
    if fd.type == FD.TYPE_ENUM:
        return "enum:" + fd.enum_type.full_name
    return SCALARS.get(fd.type, f"type{fd.type}")


def walk_messages(desc):
    yield desc
    for nested in desc.nested_types:
        yield from walk_messages(nested)


def check_against_upstream(modules):
    """Every message, field, enum and method matches REFERENCE/ENUMS/METHODS."""
    seen = set()
    for mod in modules:
        for top in mod.DESCRIPTOR.message_types_by_name.values():
            for desc in walk_messages(top):
                name = desc.full_name
                seen.add(name)
                check(name in REFERENCE, f"{name}: not in the upstream reference")
                ours = {}
                for fd in desc.fields:
                    oneof = fd.containing_oneof.name if fd.containing_oneof else None
                    ours[fd.number] = (fd.name, field_type(fd),
                                       fd.label == FD.LABEL_REPEATED, oneof)
                for num in sorted(set(ours) | set(REFERENCE[name])):
                    check(ours.get(num) == REFERENCE[name].get(num),
                          f"{name} field {num}: ours {ours.get(num)}, "
                          f"upstream {REFERENCE[name].get(num)}")
                for enum in desc.enum_types:
                    values = {v.name: v.number for v in enum.values}
                    check(values == ENUMS.get(enum.full_name),
                          f"{enum.full_name}: {values} != upstream {ENUMS.get(enum.full_name)}")
    check(seen == set(REFERENCE), f"messages missing: {sorted(set(REFERENCE) - seen)}")

    methods = {}
    for mod in modules:
        fdp = descriptor_pb2.FileDescriptorProto()
        mod.DESCRIPTOR.CopyToProto(fdp)
        for svc in fdp.service:
            for m in svc.method:
                methods[f"/{fdp.package}.{svc.name}/{m.name}"] = (
                    m.client_streaming, m.server_streaming,
                    m.input_type.lstrip("."), m.output_type.lstrip("."))
    check(methods == METHODS, f"methods {methods} != upstream {METHODS}")


class RecordingChannel:
    """Stands in for a grpc.Channel: records what the generated stubs ask for."""

    def __init__(self):
        self.calls = {}

    def _record(self, kind):
        def make(path, request_serializer=None, response_deserializer=None, **_):
            self.calls[path] = kind
            return lambda *a, **k: None
        return make

    def __getattr__(self, kind):
        if kind in ("unary_unary", "unary_stream", "stream_unary", "stream_stream"):
            return self._record(kind)
        raise AttributeError(kind)


def check_stub_paths(grpc_modules):
    """The grpcio stubs call exactly the upstream method paths."""
    ch = RecordingChannel()
    for mod, stub in grpc_modules:
        getattr(mod, stub)(ch)
    kinds = {("unary" if not c else "stream") + "_" + ("unary" if not s else "stream")
             for c, s, _, _ in METHODS.values()}
    check(kinds == {"unary_unary", "stream_stream"}, "method kinds")
    want = {p: ("stream" if c else "unary") + "_" + ("stream" if s else "unary")
            for p, (c, s, _, _) in METHODS.items()}
    check(ch.calls == want, f"grpc stub paths {ch.calls} != {want}")


def check_vendored(proto_root, work):
    """Our vendored well-known types (wrappers.proto, empty.proto) describe the
    same types as the runtime's."""
    def shape(fdp):
        return (fdp.package, {m.name: [(f.name, f.number, f.type, f.label) for f in m.field]
                              for m in fdp.message_type})

    for name, runtime in (("wrappers", wrappers_pb2), ("empty", empty_pb2)):
        out = os.path.join(work, f"{name}.pb")
        r = subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_root}",
                            f"--descriptor_set_out={out}",
                            os.path.join(proto_root, f"google/protobuf/{name}.proto")],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"grpc_tools.protoc {name}: {r.stderr}")
        with open(out, "rb") as f:
            ours = descriptor_pb2.FileDescriptorSet.FromString(f.read()).file[0]
        ref = descriptor_pb2.FileDescriptorProto()
        runtime.DESCRIPTOR.CopyToProto(ref)
        check(shape(ours) == shape(ref), f"vendored {name}.proto differs from the runtime's")


def dump(msg, prefix=""):
    """The field dump spire_proto_roundtrip prints, from Python's view."""
    lines = []
    for fd, val in msg.ListFields():
        if fd.label == FD.LABEL_REPEATED:
            for i, v in enumerate(val):
                lines += dump_value(fd, v, f"{prefix}{fd.name}[{i}]")
        else:
            lines += dump_value(fd, val, prefix + fd.name)
    return lines


def dump_value(fd, v, path):
    if fd.type == FD.TYPE_MESSAGE:
        return [f"{path}=msg"] + dump(v, path + ".")
    if fd.type == FD.TYPE_STRING:
        return [f"{path}=s:{v.encode().hex()}"]
    if fd.type == FD.TYPE_BYTES:
        return [f"{path}=b:{v.hex()}"]
    if fd.type == FD.TYPE_BOOL:
        return [f"{path}={'true' if v else 'false'}"]
    if fd.type in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE):
        return [f"{path}={format(v, '.17g')}"]
    return [f"{path}={int(v)}"]


# Fields a "full" message may leave at their default: an OK status is code 0.
MAY_BE_DEFAULT = {T + "Status.code"}


def assert_full(msg, where):
    """Every field of msg (and of every submessage) is set; one member per oneof."""
    desc = msg.DESCRIPTOR
    for fd in desc.fields:
        if fd.containing_oneof:
            continue
        if fd.label == FD.LABEL_REPEATED:
            vals = getattr(msg, fd.name)
            check(len(vals) > 0, f"{where}.{fd.name} empty")
            if fd.type == FD.TYPE_MESSAGE:
                for i, v in enumerate(vals):
                    assert_full(v, f"{where}.{fd.name}[{i}]")
        elif fd.type == FD.TYPE_MESSAGE:
            check(msg.HasField(fd.name), f"{where}.{fd.name} unset")
            assert_full(getattr(msg, fd.name), f"{where}.{fd.name}")
        elif fd.full_name not in MAY_BE_DEFAULT:
            check(bool(getattr(msg, fd.name)), f"{where}.{fd.name} at its default")
    for oneof in desc.oneofs:
        check(msg.WhichOneof(oneof.name) is not None, f"{where}: oneof {oneof.name} unset")


def build_messages(types_mods, agent, entry, svid, bundle):
    spiffeid, selector, fedw, attestation, status, x509svid, jwtsvid, tbundle, tentry = types_mods

    def sid(path, td="example.org"):
        return spiffeid.SPIFFEID(trust_domain=td, path=path)

    def x509(path):
        return x509svid.X509SVID(cert_chain=[b"\x30\x82\x01\x0a leaf", b"\x30\x82\x02\x0b ca"],
                                 id=sid(path), expires_at=1_900_000_000, hint="internal")

    def status_(code, message):
        return status.Status(code=code, message=message)

    entry_mask = tentry.EntryMask(**{f.name: True for f in tentry.EntryMask.DESCRIPTOR.fields})

    def full_entry(n):
        return tentry.Entry(
            id=f"entry-{n}", spiffe_id=sid(f"/workload/{n}"), parent_id=sid("/agent/tpm/ek1"),
            selectors=[selector.Selector(type="unix", value="uid:1000"),
                       selector.Selector(type="tpm", value="pcr:7:ab12")],
            x509_svid_ttl=3600, federates_with=["other.org", "third.org"], admin=True,
            downstream=True, expires_at=2_000_000_000, dns_names=["a.example.org", "b"],
            revision_number=(1 << 40) + n, store_svid=True, jwt_svid_ttl=300,
            hint="external", created_at=1_700_000_000 + n,
            additional_attributes=tentry.Entry.AdditionalAttributes(
                disable_x509_svid_prefetch=True, jwt_svid_include_jti=True))

    csr = b"\x30\x81\x9f csr-der"
    # (message, must every field be set?)
    msgs = [
        (agent.DeleteAgentRequest(id=sid("/spire/agent/tpm/ek1")), True),
        (agent.BanAgentRequest(id=sid("/spire/agent/tpm/ek1")), True),
        (empty_pb2.Empty(), False),
        (agent.AttestAgentRequest(params=agent.AttestAgentRequest.Params(
            data=attestation.AttestationData(type="tpm", payload=b"\x00\x01ek-and-ak\xff"),
            params=agent.AgentX509SVIDParams(csr=csr))), True),
        (agent.AttestAgentRequest(challenge_response=b"\x10credential\x00"), True),
        (agent.AttestAgentRequest(challenge_response=b""), False),
        (agent.AttestAgentResponse(result=agent.AttestAgentResponse.Result(
            svid=x509("/spire/agent/tpm/ek1"), reattestable=True)), True),
        (agent.AttestAgentResponse(challenge=b"\x01make-credential-blob"), True),
        (agent.RenewAgentRequest(params=agent.AgentX509SVIDParams(csr=csr)), True),
        (agent.RenewAgentResponse(svid=x509("/spire/agent/tpm/ek1")), True),
        (entry.GetAuthorizedEntriesRequest(output_mask=entry_mask), True),
        (entry.GetAuthorizedEntriesResponse(entries=[full_entry(1), full_entry(2)]), True),
        (entry.BatchCreateEntryRequest(entries=[full_entry(3), full_entry(4)],
                                       output_mask=entry_mask), True),
        (entry.BatchCreateEntryResponse(results=[
            entry.BatchCreateEntryResponse.Result(status=status_(0, "ok"), entry=full_entry(3)),
            entry.BatchCreateEntryResponse.Result(status=status_(6, "similar entry exists"),
                                                  entry=full_entry(5))]), True),
        (entry.BatchCreateEntryResponse(results=[
            entry.BatchCreateEntryResponse.Result(status=status_(3, "bad parent ID"))]), False),
        (entry.BatchDeleteEntryRequest(ids=["entry-1", "entry-2"]), True),
        (entry.BatchDeleteEntryResponse(results=[
            entry.BatchDeleteEntryResponse.Result(status=status_(0, "ok"), id="entry-1"),
            entry.BatchDeleteEntryResponse.Result(status=status_(5, "not found"),
                                                  id="entry-2")]), True),
        (entry.GetEntryRequest(id="entry-1", output_mask=entry_mask), True),
        (entry.ListEntriesRequest(
            filter=entry.ListEntriesRequest.Filter(
                by_spiffe_id=sid("/workload/1"), by_parent_id=sid("/agent/tpm/ek1"),
                by_selectors=selector.SelectorMatch(
                    selectors=[selector.Selector(type="unix", value="uid:1000")],
                    match=selector.SelectorMatch.MATCH_SUPERSET),
                by_federates_with=fedw.FederatesWithMatch(
                    trust_domains=["other.org"], match=fedw.FederatesWithMatch.MATCH_ANY),
                by_hint=wrappers_pb2.StringValue(value="external"),
                by_downstream=wrappers_pb2.BoolValue(value=True)),
            output_mask=entry_mask, page_size=50, page_token="page-2"), True),
        # A wrapper holding its default is still present: "filter on empty hint".
        (entry.ListEntriesRequest(filter=entry.ListEntriesRequest.Filter(
            by_hint=wrappers_pb2.StringValue(value=""),
            by_downstream=wrappers_pb2.BoolValue(value=False))), False),
        (entry.ListEntriesResponse(entries=[full_entry(6)], next_page_token="page-3"), True),
        (tentry.Entry(id="minimal", x509_svid_ttl=-1, expires_at=-5), False),
        (svid.BatchNewX509SVIDRequest(params=[
            svid.NewX509SVIDParams(entry_id="entry-1", csr=csr),
            svid.NewX509SVIDParams(entry_id="entry-2", csr=csr + b"2")]), True),
        (svid.BatchNewX509SVIDResponse(results=[
            svid.BatchNewX509SVIDResponse.Result(status=status_(0, "ok"),
                                                 svid=x509("/workload/1")),
            svid.BatchNewX509SVIDResponse.Result(status=status_(7, "not authorized"))]), False),
        (svid.BatchNewX509SVIDResponse(results=[
            svid.BatchNewX509SVIDResponse.Result(status=status_(0, "ok"),
                                                 svid=x509("/workload/1"))]), True),
        (svid.NewJWTSVIDRequest(entry_id="entry-1", audience=["aud-a", "aud-b"]), True),
        (svid.NewJWTSVIDResponse(svid=jwtsvid.JWTSVID(
            token="eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.sig", id=sid("/workload/1"),
            expires_at=1_900_000_300, issued_at=1_900_000_000, hint="internal")), True),
        (bundle.GetBundleRequest(output_mask=tbundle.BundleMask(
            x509_authorities=True, jwt_authorities=True, refresh_hint=True,
            sequence_number=True)), True),
        (tbundle.Bundle(
            trust_domain="example.org",
            x509_authorities=[tbundle.X509Certificate(asn1=b"\x30\x82root1", tainted=True,
                                                      hint="old"),
                              tbundle.X509Certificate(asn1=b"\x30\x82root2", tainted=True,
                                                      hint="new")],
            jwt_authorities=[tbundle.JWTKey(public_key=b"\x30\x59spki", key_id="kid-1",
                                            expires_at=1_900_000_000, tainted=True,
                                            hint="k1")],
            refresh_hint=300, sequence_number=(1 << 63) + 5), True),
        (status.PermissionDeniedDetails(
            reason=status.PermissionDeniedDetails.AGENT_CAN_REATTEST), True),
    ]
    for msg, full in msgs:
        if full:
            assert_full(msg, msg.DESCRIPTOR.full_name)
    return [m for m, _ in msgs]


def run_roundtrip(binary, lines):
    r = subprocess.run([binary], input="".join(lines), capture_output=True, text=True,
                       timeout=60)
    check(r.returncode == 0, f"spire_proto_roundtrip exited {r.returncode}: {r.stderr}")
    return r.stdout


def parse_answers(out):
    """[(name, [F lines], [UNKNOWN lines], hex)] in input order."""
    answers, cur = [], None
    for line in out.splitlines():
        check(not line.startswith("ERR"), f"spire_proto_roundtrip: {line}")
        if line.startswith("BEGIN "):
            cur = {"name": line[6:], "f": [], "unknown": [], "hex": None}
        elif line.startswith("F "):
            cur["f"].append(line[2:])
        elif line.startswith("UNKNOWN "):
            cur["unknown"].append(line[8:])
        elif line.startswith("HEX "):
            cur["hex"] = line[4:]
        elif line == "END":
            answers.append(cur)
            cur = None
        else:
            fail(f"spire_proto_roundtrip: unexpected line {line!r}")
    return answers


def check_roundtrip(binary, messages):
    lines = [f"{m.DESCRIPTOR.full_name} {m.SerializeToString().hex()}\n" for m in messages]
    answers = parse_answers(run_roundtrip(binary, lines))
    check(len(answers) == len(messages), f"{len(answers)} answers for {len(messages)} messages")
    for m, a in zip(messages, answers):
        name = m.DESCRIPTOR.full_name
        check(a["name"] == name, f"answer for {a['name']}, expected {name}")
        check(not a["unknown"], f"{name}: protobuf-c does not know {a['unknown']}")
        check(sorted(a["f"]) == sorted(dump(m)),
              f"{name}: C decoded\n  {sorted(a['f'])}\nPython set\n  {sorted(dump(m))}")
        check(a["hex"] == m.SerializeToString().hex(), f"{name}: bytes differ after C round trip")
        back = type(m).FromString(bytes.fromhex(a["hex"]))
        check(back == m, f"{name}: Python reads C's bytes back differently")


def check_detector(binary, entry_msg):
    """The C side flags a field it does not know, at top level and nested."""
    extra = bytes([0x98, 0x06, 0x01])  # field 99, varint 1: key 99 << 3 = 0x98 0x06
    top = entry_msg.SerializeToString() + extra
    sel = b"\x0a\x04unix\x12\x01x" + extra  # a Selector with an extra field 99
    nested = bytes([0x22, len(sel)]) + sel   # as Entry.selectors (field 4)
    out = run_roundtrip(binary, [f"spire.api.types.Entry {top.hex()}\n",
                                 f"spire.api.types.Entry {nested.hex()}\n"])
    answers = parse_answers(out)
    check(answers[0]["unknown"] == [". 99"], f"top-level unknown field not flagged: {answers[0]}")
    check(answers[1]["unknown"] == ["selectors[0]. 99"],
          f"nested unknown field not flagged: {answers[1]}")
    check(answers[0]["hex"] == top.hex(), "protobuf-c no longer re-emits unknown fields")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--roundtrip", required=True)
    ap.add_argument("--proto-root", required=True)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ae-spire-proto-")
    try:
        generate_stubs(args.proto_root, os.path.join(work, "py"))
        from spire.api.types import (spiffeid_pb2, selector_pb2, federateswith_pb2,
                                     attestation_pb2, status_pb2, x509svid_pb2, jwtsvid_pb2,
                                     bundle_pb2 as tbundle_pb2, entry_pb2 as tentry_pb2)
        from spire.api.server.agent.v1 import agent_pb2, agent_pb2_grpc
        from spire.api.server.entry.v1 import entry_pb2, entry_pb2_grpc
        from spire.api.server.svid.v1 import svid_pb2, svid_pb2_grpc
        from spire.api.server.bundle.v1 import bundle_pb2, bundle_pb2_grpc
        types_mods = (spiffeid_pb2, selector_pb2, federateswith_pb2, attestation_pb2,
                      status_pb2, x509svid_pb2, jwtsvid_pb2, tbundle_pb2, tentry_pb2)

        check_against_upstream(types_mods + (agent_pb2, entry_pb2, svid_pb2, bundle_pb2))
        check_stub_paths([(agent_pb2_grpc, "AgentStub"), (entry_pb2_grpc, "EntryStub"),
                          (svid_pb2_grpc, "SVIDStub"), (bundle_pb2_grpc, "BundleStub")])
        check_vendored(args.proto_root, work)

        messages = build_messages(types_mods, agent_pb2, entry_pb2, svid_pb2, bundle_pb2)
        check_roundtrip(args.roundtrip, messages)
        full_entry = next(m for m in messages
                          if m.DESCRIPTOR.name == "GetAuthorizedEntriesResponse").entries[0]
        check_detector(args.roundtrip, full_entry)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"spire_proto_interop: {checks} checks passed")


if __name__ == "__main__":
    main()
