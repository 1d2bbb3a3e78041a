#!/usr/bin/env python3
"""workload_fetch.py --proto-root DIR --socket PATH --stubs DIR [--out PREFIX] [--serials]

One FetchX509SVID through Debian's grpcio (a Workload API client we did not
write), as a workload of aegis-agent would make it. Prints every SVID's
SPIFFE ID (with --serials, then a space and its leaf's serial in hex), a
line each, the default first, and writes PREFIX.pem (the
default's chain) and PREFIX-bundle.pem; exit 0. A refusal prints "status <CODE> <details>" and exits 1. Exit 77
without grpcio."""
import argparse
import os
import subprocess
import sys

try:
    import grpc
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)


def stubs(proto_root, out):
    if not os.path.exists(os.path.join(out, "spiffe", "workload_pb2.py")):
        os.makedirs(out, exist_ok=True)
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_root}",
                        f"--python_out={out}", f"--grpc_python_out={out}",
                        os.path.join(proto_root, "spiffe", "workload.proto")], check=True)
    sys.path.insert(0, out)
    from spiffe import workload_pb2, workload_pb2_grpc  # noqa: E402 (generated above)
    return workload_pb2, workload_pb2_grpc


def pem_chain(blob):
    """Concatenated DER certificates as PEM."""
    out, i = b"", 0
    while i < len(blob):
        n = blob[i + 1]
        hdr, length = (2, n) if n < 0x80 else (2 + (n & 0x7F),
                                                int.from_bytes(blob[i + 2:i + 2 + (n & 0x7F)], "big"))
        cert = x509.load_der_x509_certificate(blob[i:i + hdr + length])
        out += cert.public_bytes(serialization.Encoding.PEM)
        i += hdr + length
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proto-root", required=True)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--stubs", required=True)
    ap.add_argument("--out")
    ap.add_argument("--serials", action="store_true")
    a = ap.parse_args()
    pb, pb_grpc = stubs(a.proto_root, a.stubs)
    with grpc.insecure_channel(f"unix:{a.socket}") as ch:
        stub = pb_grpc.SpiffeWorkloadAPIStub(ch)
        try:
            stream = stub.FetchX509SVID(pb.X509SVIDRequest(), timeout=10,
                                        metadata=(("workload.spiffe.io", "true"),))
            resp = next(stream)
            stream.cancel()
        except grpc.RpcError as e:
            print(f"status {e.code().name} {e.details()}")
            return 1
    svid = resp.svids[0]
    if a.out:
        with open(a.out + ".pem", "wb") as f:
            f.write(pem_chain(svid.x509_svid))
        with open(a.out + "-bundle.pem", "wb") as f:
            f.write(pem_chain(svid.bundle))
    for s in resp.svids:
        if a.serials:
            leaf = x509.load_pem_x509_certificate(pem_chain(s.x509_svid))
            print(f"{s.spiffe_id} {leaf.serial_number:x}")
        else:
            print(s.spiffe_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
