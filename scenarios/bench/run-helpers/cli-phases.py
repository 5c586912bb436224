#!/usr/bin/env python3
"""Where the netstack CLI's own time goes, from its opt-in trace (NETSTACK_TRACE_TIMING=1).

Input: for each traced call, a line "shell-t0 EPOCH_US" written by the caller just before starting
the CLI, the CLI's "netstack-timing PHASE +MS jit=N/MSms EPOCH_US" lines, and "shell-t1 EPOCH_US"
after it returned. Prints, per phase, the median time since the caller's clock started (so the
first row, "main", is process start-up up to Main) and the median JIT count and JIT time by then.

    cli-phases.py TRACE.txt"""
import re
import statistics
import sys

calls, current = [], None
for line in open(sys.argv[1]):
    fields = line.split()
    if not fields:
        continue
    if fields[0] == 'shell-t0':
        current = {'t0': int(fields[1]), 'phases': []}
        calls.append(current)
    elif fields[0] == 'shell-t1' and current:
        current['phases'].append(('returned', (int(fields[1]) - current['t0']) / 1000, None, None))
    elif fields[0] == 'netstack-timing' and current:
        m = re.match(r'netstack-timing (.*) \+[\d.]+ jit=(\d+)/(\d+)ms (\d+)$', line.strip())
        if not m:
            continue
        phase = re.sub(r'[0-9a-f]{64}', '{id}', m.group(1))
        phase = re.sub(r'\?.*', '', phase)
        current['phases'].append((phase, (int(m.group(4)) - current['t0']) / 1000, int(m.group(2)), int(m.group(3))))

if not calls:
    sys.exit('no traced calls in ' + sys.argv[1])
# The same phase can occur twice in one call (connected, sent, answered for each request): number them.
rows = {}
order = []
for call in calls:
    seen = {}
    for phase, at, jit, jit_ms in call['phases']:
        seen[phase] = seen.get(phase, 0) + 1
        key = phase if seen[phase] == 1 else f'{phase} #{seen[phase]}'
        if key not in rows:
            rows[key] = []
            order.append(key)
        rows[key].append((at, jit, jit_ms))

print(f'CLI phases, medians of {len(calls)} traced calls (ms since the caller started the process):')
print('| phase | at ms | JIT methods | JIT ms |')
print('|---|---|---|---|')
for key in order:
    r = rows[key]
    at = statistics.median(x[0] for x in r)
    jits = [x[1] for x in r if x[1] is not None]
    jit_ms = [x[2] for x in r if x[2] is not None]
    print(f'| {key} | {at:.1f} | {statistics.median(jits) if jits else "":} | {statistics.median(jit_ms) if jit_ms else ""} |')
