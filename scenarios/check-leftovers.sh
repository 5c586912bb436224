#!/usr/bin/env bash
# Fails if a test run left anything of netstack's on the machine: namespaces under netstack's
# test prefix, netstack links in the host namespace, NETSTACK chains, or test files in /tmp.
set -uo pipefail
bad=0
if ls /run/netns 2>/dev/null | grep -E '^(nst|netstack)-' ; then echo "leftover test namespaces above"; bad=1; fi
if ls /run/netstack/netns 2>/dev/null | grep -q . ; then ls /run/netstack/netns; echo "leftover netstack namespaces above"; bad=1; fi
if ip -o link show 2>/dev/null | grep -E ': (nst|br-[0-9a-f]{12}|nsv)' ; then echo "leftover links above"; bad=1; fi
if command -v iptables-save >/dev/null && iptables-save 2>/dev/null | grep -E '^:NETSTACK' ; then echo "leftover chains above"; bad=1; fi
if command -v ip6tables-save >/dev/null && ip6tables-save 2>/dev/null | grep -E '^:NETSTACK' ; then echo "leftover IPv6 chains above"; bad=1; fi
# Test state directories, key files, databases and image tarballs are all named /tmp/nst-*.
if ls -d /tmp/nst-* 2>/dev/null ; then echo "leftover temp files above"; bad=1; fi
exit $bad
