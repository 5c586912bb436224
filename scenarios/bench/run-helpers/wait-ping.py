#!/usr/bin/env python3
"""Asks a daemon's unix socket `GET /_ping` until it answers 200, then prints the wall-clock time of
that answer in nanoseconds since the epoch (CLOCK_REALTIME, the clock bash's EPOCHREALTIME reads).

    wait-ping.py SOCKET TIMEOUT_SECONDS

Started right after the daemon is spawned; a daemon takes far longer than this interpreter's
start-up to listen, so nothing is missed. A missing socket or a refused connect returns at once;
the 5 ms pause between attempts bounds the error of the measurement. Exit status 1 and no output
when nothing answered within the timeout. Both dockerd and netstackd serve /_ping (Engine API)."""
import socket
import sys
import time

path, timeout = sys.argv[1], float(sys.argv[2])
deadline = time.monotonic() + timeout
while time.monotonic() < deadline:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect(path)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: daemon\r\nConnection: close\r\n\r\n")
        answer = s.recv(64)
        if answer.startswith(b"HTTP/1.1 200") or answer.startswith(b"HTTP/1.0 200"):
            print(time.time_ns(), flush=True)
            sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
    time.sleep(0.005)
sys.exit(1)
