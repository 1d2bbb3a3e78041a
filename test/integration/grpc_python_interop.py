#!/usr/bin/python3
"""The gRPC layer (common/grpc_*) against a client we did not write: Debian's
python3-grpcio, with stubs generated here from test/unit/grpc_echo.proto by
python3-grpc-tools, calling the C Echo server (grpc_echo_server) over its
Unix socket (grpc.insecure_channel("unix:/path")).

1. Unary: the reply names this very process (pid, uid, gid) as the caller
   the server saw through SO_PEERCRED.
2. Metadata reaches the handler: one "workload.spiffe.io: true", none, and
   the key twice are told apart.
3. Status codes and messages come back as the handler set them; an unknown
   method is UNIMPLEMENTED, a request past the server's limit
   RESOURCE_EXHAUSTED, a held call past its deadline DEADLINE_EXCEEDED.
4. Server streaming: count replies in order, then OK; a held stream gets
   the server's pushes (from its own thread) and, when this client cancels
   it, the server's handler hears the call end.
5. Bidi: one reply per request, in order, then OK on half-close.
6. Many Python channels at once, each its own connection and caller.
7. The server stops cleanly (exit 0) when told, with a stream still open.

Exits 0 when everything holds, 1 on the first failure, 77 (skipped) without
grpcio or grpc-tools.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

try:
    import grpc
    from grpc_tools import protoc
except ImportError as e:  # pragma: no cover
    print(f"SKIP: {e} (install python3-grpcio and python3-grpc-tools)")
    sys.exit(77)

WAIT_S = 20


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def generate_stubs(proto, out):
    """python -m grpc_tools.protoc into out; returns the two modules."""
    inc = os.path.dirname(os.path.abspath(proto))
    os.makedirs(out)
    r = subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{inc}",
                        f"--python_out={out}", f"--grpc_python_out={out}",
                        os.path.abspath(proto)], capture_output=True, text=True)
    check(r.returncode == 0, f"grpc_tools.protoc: {r.stderr}")
    sys.path.insert(0, out)
    import grpc_echo_pb2  # noqa: E402 (generated above)
    import grpc_echo_pb2_grpc  # noqa: E402
    return grpc_echo_pb2, grpc_echo_pb2_grpc


def start_server(binary, sock):
    p = subprocess.Popen([binary, sock], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    line = p.stdout.readline()
    check(line.strip() == "READY", f"server did not start: {line!r}")
    return p


def stats(stub, pb):
    text = stub.Unary(pb.EchoRequest(text="stats"), timeout=WAIT_S).text
    return dict(kv.split("=") for kv in text.split())


def test_unary_peer(stub, pb):
    rep = stub.Unary(pb.EchoRequest(text="hi", payload=b"\x00\x01"), timeout=WAIT_S)
    check(rep.text == "hi" and rep.payload == b"\x00\x01", f"echo: {rep}")
    check(rep.peer_pid == os.getpid(), f"peer pid {rep.peer_pid} != {os.getpid()}")
    check(rep.peer_uid == os.getuid(), f"peer uid {rep.peer_uid} != {os.getuid()}")
    check(rep.peer_gid == os.getgid(), f"peer gid {rep.peer_gid} != {os.getgid()}")


def test_metadata(stub, pb):
    req = pb.EchoRequest(text="md", echo_key="workload.spiffe.io")
    rep = stub.Unary(req, timeout=WAIT_S, metadata=(("workload.spiffe.io", "true"),))
    check(rep.echoed == "true", f"one header: {rep.echoed!r}")
    rep = stub.Unary(req, timeout=WAIT_S)
    check(rep.echoed == "<absent>", f"no header: {rep.echoed!r}")
    rep = stub.Unary(req, timeout=WAIT_S, metadata=(("workload.spiffe.io", "true"),
                                                    ("workload.spiffe.io", "true")))
    check(rep.echoed == "<repeated>", f"header twice: {rep.echoed!r}")


def expect_code(fn, code, what, details=None):
    try:
        fn()
    except grpc.RpcError as e:
        check(e.code() == code, f"{what}: {e.code()} {e.details()!r}, wanted {code}")
        if details is not None:
            check(e.details() == details, f"{what}: details {e.details()!r}")
        return
    fail(f"{what}: succeeded, wanted {code}")


def test_status(channel, stub, pb):
    expect_code(lambda: stub.Unary(pb.EchoRequest(text="fail:7"), timeout=WAIT_S),
                grpc.StatusCode.PERMISSION_DENIED, "fail:7", "asked to fail")
    expect_code(lambda: stub.Unary(pb.EchoRequest(text="fail:3"), timeout=WAIT_S),
                grpc.StatusCode.INVALID_ARGUMENT, "fail:3", "asked to fail")
    nope = channel.unary_unary("/aegis.test.Echo/Nope",
                               request_serializer=pb.EchoRequest.SerializeToString,
                               response_deserializer=pb.EchoReply.FromString)
    expect_code(lambda: nope(pb.EchoRequest(), timeout=WAIT_S),
                grpc.StatusCode.UNIMPLEMENTED, "unknown method")
    big = pb.EchoRequest(text="big", payload=b"x" * (65 * 1024))
    expect_code(lambda: stub.Unary(big, timeout=WAIT_S),
                grpc.StatusCode.RESOURCE_EXHAUSTED, "oversized request")
    expect_code(lambda: stub.Unary(pb.EchoRequest(text="hold"), timeout=0.3),
                grpc.StatusCode.DEADLINE_EXCEEDED, "held call")


def test_server_stream(stub, pb):
    reps = list(stub.ServerStream(pb.EchoRequest(text="s", count=5), timeout=WAIT_S))
    check([r.seq for r in reps] == list(range(5)), f"seqs {[r.seq for r in reps]}")
    check(all(r.text == "s" and r.peer_pid == os.getpid() for r in reps), "stream replies")

    before = int(stats(stub, pb)["cancelled"])
    it = stub.ServerStream(pb.EchoRequest(text="held", count=0))
    first = next(it)
    check(first.text == "held", f"first reply {first.text!r}")
    for _ in range(3):
        check(next(it).text == "tick", "a pushed tick")
    it.cancel()
    deadline = time.monotonic() + WAIT_S
    while int(stats(stub, pb)["cancelled"]) <= before:
        check(time.monotonic() < deadline, "server never heard the cancel")
        time.sleep(0.01)


def test_bidi(stub, pb):
    reqs = [pb.EchoRequest(text=f"b{i}") for i in range(4)]
    reps = list(stub.Bidi(iter(reqs), timeout=WAIT_S))
    check([r.text for r in reps] == [f"b{i}" for i in range(4)], f"bidi {reps}")
    check([r.seq for r in reps] == list(range(4)), "bidi seqs")


def test_many_channels(sock, stub_cls, pb):
    errors = []

    def one(i):
        try:
            with grpc.insecure_channel(f"unix:{sock}") as ch:
                rep = stub_cls(ch).Unary(pb.EchoRequest(text=f"c{i}"), timeout=WAIT_S)
                if rep.text != f"c{i}" or rep.peer_pid != os.getpid():
                    errors.append(f"channel {i}: {rep}")
        except grpc.RpcError as e:
            errors.append(f"channel {i}: {e.code()}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not errors, "; ".join(errors))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--proto", required=True)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="aegis-grpc-py-")
    server = None
    try:
        pb, pb_grpc = generate_stubs(args.proto, os.path.join(tmp, "stubs"))
        sock = os.path.join(tmp, "echo.sock")
        server = start_server(args.server, sock)
        with grpc.insecure_channel(f"unix:{sock}") as channel:
            stub = pb_grpc.EchoStub(channel)
            test_unary_peer(stub, pb)
            test_metadata(stub, pb)
            test_status(channel, stub, pb)
            test_server_stream(stub, pb)
            test_bidi(stub, pb)
            test_many_channels(sock, pb_grpc.EchoStub, pb)
            # An open stream at stop: the server cancels it and exits 0.
            it = stub.ServerStream(pb.EchoRequest(text="left open", count=0))
            check(next(it).text == "left open", "open stream")
            server.stdin.close()
            check(server.wait(timeout=WAIT_S) == 0, f"server exit {server.returncode}")
            try:
                for _ in it:
                    pass
                fail("stream outlived the server")
            except grpc.RpcError as e:
                check(e.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED),
                      f"stream at stop: {e.code()}")
        check(not os.path.exists(sock), "socket left behind")
        server = None
        print("OK: grpcio client against the C server: unary, metadata, status, "
              "server streaming with pushes and cancel, bidi, 32 channels, clean stop")
    finally:
        if server is not None:
            server.kill()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
