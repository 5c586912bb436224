#!/usr/bin/env python3
"""Where netstack's time goes in run.sh: for every netstack run, the times from the start of the
CLI call (results.txt's 4th column, epoch ms) to netstackd's log lines "Created container" (the
CLI process has started and its create request was handled), "sandbox ... created" and
"Started container" (runc's container process runs), and the measured total. Prints medians.

    breakdown.py RESULTS.txt NETSTACKD.log"""
import datetime
import re
import statistics
import sys

results, log = sys.argv[1], open(sys.argv[2]).read().splitlines()


def stamp(line):
    t = datetime.datetime.strptime(line[:23], '%Y-%m-%dT%H:%M:%S.%f')
    return t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000


events = {}
for line in log:
    m = re.search(r'Created container (\w+) \((rb-[\w-]+)\)', line)
    if m:
        events[m.group(2)] = {'id': m.group(1), 'created': stamp(line)}
for line in log:
    for name, e in events.items():
        if 'started' not in e and f"Started container {e['id']} " in line:
            e['started'] = stamp(line)
        if 'sandbox' not in e and f'sandbox {name} (' in line and 'created at' in line:
            e['sandbox'] = stamp(line)

rows = {'run': [], 'port': []}
count = {'run': 0, 'port': 0}
for fields in (l.split() for l in open(results)):
    case, system, total, t0 = fields[0], fields[1], float(fields[2]), float(fields[3])
    if system != 'netstack' or case not in count:
        continue
    count[case] += 1
    e = events.get(f'rb-{case}-{count[case]}')
    if e and 'started' in e and 'sandbox' in e:
        rows[case].append((e['created'] - t0, e['sandbox'] - e['created'], e['started'] - e['sandbox'], total))

for case, r in rows.items():
    if not r:
        continue
    med = [statistics.median(x[i] for x in r) for i in range(4)]
    print(f'netstack {case} (medians of {len(r)}): CLI start + create request {med[0]:.0f} ms, '
          f'create -> sandbox made {med[1]:.0f} ms, sandbox -> runc started {med[2]:.0f} ms, total {med[3]:.0f} ms')
