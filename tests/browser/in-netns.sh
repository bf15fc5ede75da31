#!/bin/sh
# Runs a command in a fresh, private network namespace that dies with it: `lo` up, plus a
# veth pair carrying 10.99.0.1/24 and a default route into it. The veth exists only so
# Chromium has a "real" interface: with only `lo`, its default (mDNS-hiding) mode gathers
# nothing. Nothing here can reach the host's network. Needs root (unshare -n).
#
# `in-netns.sh --lo-only CMD...` leaves the veth out: only `lo` is up. Enough for pages
# launched with real IPs (camera+microphone permission), and what the benchmarks use so
# every candidate pair is 127.0.0.1 <-> 127.0.0.1 for Rust and Chromium alike.
set -e
if [ "$1" = "--lo-only" ]; then
  shift
  exec unshare -n sh -c 'ip link set lo up && exec "$@"' in-netns "$@"
fi
exec unshare -n sh -c '
  ip link set lo up &&
  ip link add tc0 type veth peer name tc1 &&
  ip addr add 10.99.0.1/24 dev tc0 &&
  ip link set tc1 up && ip link set tc0 up &&
  ip route add default via 10.99.0.2 dev tc0 &&
  exec "$@"' in-netns "$@"
