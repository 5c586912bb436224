#!/usr/bin/env python3
"""Times Engine API network connect and disconnect calls over a daemon's unix socket, the same way
for netstackd and dockerd (no CLI start-up in the figures).

    api-connects.py pairs  SOCKET NETWORK NAME ROUNDS
        ROUNDS x (POST /networks/NETWORK/connect {"Container": NAME}, then .../disconnect):
        prints one line per round: "<connect ms> <disconnect ms>".
    api-connects.py sandboxes SOCKET PREFIX COUNT
        creates netstack sandboxes PREFIX0..PREFIX{COUNT-1} (POST /sandboxes/create), 8 at a time.
    api-connects.py burst  SOCKET NETWORK PREFIX COUNT CONCURRENCY START_AT_NS
        waits until START_AT_NS (CLOCK_REALTIME), then connects PREFIX0..PREFIX{COUNT-1} with
        CONCURRENCY threads; prints "<ok> <failed> <first start ns> <last end ns>".

Every call opens its own connection (as the docker CLI does). A non-2xx answer on a pair is an
error (exit 1); in a burst it counts as failed."""
import http.client
import json
import socket
import sys
import threading
import time


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self._path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(60)
        s.connect(self._path)
        self.sock = s


def post(sock, path, body):
    conn = UnixConnection(sock)
    try:
        data = json.dumps(body).encode()
        conn.request("POST", "/v1.41" + path, body=data, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        text = resp.read().decode(errors="replace")
        return resp.status, text
    finally:
        conn.close()


def pairs(sock, network, name, rounds):
    for _ in range(rounds):
        t0 = time.perf_counter()
        status, text = post(sock, f"/networks/{network}/connect", {"Container": name})
        t1 = time.perf_counter()
        if status // 100 != 2:
            sys.exit(f"connect {name} to {network}: {status} {text}")
        status, text = post(sock, f"/networks/{network}/disconnect", {"Container": name})
        t2 = time.perf_counter()
        if status // 100 != 2:
            sys.exit(f"disconnect {name} from {network}: {status} {text}")
        print(f"{(t1 - t0) * 1000:.2f} {(t2 - t1) * 1000:.2f}", flush=True)


def burst(sock, network, prefix, count, concurrency, start_at):
    lock = threading.Lock()
    next_index = [0]
    ok = [0]
    failed = [0]
    while time.time_ns() < start_at:
        time.sleep(0.001)
    first = time.time_ns()

    def worker():
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= count:
                return
            status, _ = post(sock, f"/networks/{network}/connect", {"Container": f"{prefix}{i}"})
            with lock:
                if status // 100 == 2:
                    ok[0] += 1
                else:
                    failed[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{ok[0]} {failed[0]} {first} {time.time_ns()}", flush=True)


def sandboxes(sock, prefix, count):
    lock = threading.Lock()
    next_index = [0]
    errors = []

    def worker():
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= count:
                return
            status, text = post(sock, "/sandboxes/create", {"Name": f"{prefix}{i}"})
            if status // 100 != 2:
                errors.append(f"{prefix}{i}: {status} {text}")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit("sandbox create failed: " + "; ".join(errors[:3]))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "sandboxes":
        sandboxes(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == "pairs":
        pairs(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif mode == "burst":
        burst(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
    else:
        sys.exit(f"unknown mode {mode}")
