#!/usr/bin/env python3
"""Polls a TCP connect to HOST:PORT until one succeeds, then prints the wall-clock time of that
success in nanoseconds since the epoch (CLOCK_REALTIME, the clock bash's EPOCHREALTIME reads).

    poll-connect.py HOST PORT TIMEOUT_SECONDS [ATTEMPT_TIMEOUT_SECONDS, default 0.5]

Started before the timed command, so the interpreter's own start-up is not billed to the run.
A refused connect (no DNAT rule yet, or nothing listening behind it) returns at once; the 2 ms
pause between attempts bounds the error of the measurement while keeping the poller cheap.
Exit status 1 and no output when nothing answered within the timeout."""
import socket
import sys
import time

host, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
attempt = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
deadline = time.monotonic() + timeout
while time.monotonic() < deadline:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(attempt)
    try:
        s.connect((host, port))
        print(time.time_ns(), flush=True)
        sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
    time.sleep(0.002)
sys.exit(1)
