#!/usr/bin/env python3
"""maxmin_ref.py: a third, deliberately naive opinion on the exported all-to-all (small N only).

    maxmin_ref.py DIR BYTES [--latency after|before] [--rtt] [--dump FILE]

Reads DIR/links.tsv and DIR/routes.tsv (cli/app/exp_net_export.h, version 1), starts one flow of BYTES
per route, and runs an event-driven fluid simulation written from the definition, sharing nothing
with clustersim or SimGrid: at every event (a flow starts or ends) all rates are recomputed from
scratch by weighted progressive filling (the arc with the smallest remaining capacity / sum of
unfrozen weights freezes its flows at weight x that share; repeat). No incrementality, no heap,
no rounding to picoseconds.

  --latency after   (default) every flow starts at 0 and is delivered at its bandwidth end + its
                    route latency: clustersim's definition (models/net.h), a2a_simgrid --latency=post
  --latency before  a flow takes bandwidth only after its route latency: SimGrid CM02's order,
                    a2a_simgrid --latency=link
  --rtt             weight 1 / route latency (clustersim rtt_fair: true; SimGrid CM02's penalty)
  --dump FILE       one line per message: src dst delivery_s

Prints one line: ref ... last_s= first_s= events=. Cost: O(events x levels x arcs) in pure Python;
64 GPUs (4,032 flows) take seconds, 128 GPUs minutes: use it to check the two simulators on small
cases, not to benchmark.
"""
import argparse
import sys


def read_platform(d):
    def check(first, magic, path):
        f = first.rstrip("\n").split("\t")
        if f[0] != "#" + magic or f[1] != "1":
            sys.exit("maxmin_ref: %s: not a version-1 #%s file" % (path, magic))

    cap = {}
    with open(d + "/links.tsv") as fh:
        check(fh.readline(), "clustersim-a2a-links", d + "/links.tsv")
        for line in fh:
            if line[0] != "#":
                a, bw = line.split()
                cap[int(a)] = float(bw)
    flows = []  # (src, dst, latency_s, arcs)
    with open(d + "/routes.tsv") as fh:
        check(fh.readline(), "clustersim-a2a-routes", d + "/routes.tsv")
        for line in fh:
            if line[0] != "#":
                p = line.split()
                flows.append((int(p[0]), int(p[1]), float(p[2]), [int(x) for x in p[3:]]))
    return cap, flows


def rates(active, flows, weight, cap):
    """Weighted progressive filling over the active flows, from scratch."""
    rem, wsum, on = {}, {}, {}
    for f in active:
        for a in flows[f][3]:
            rem[a] = cap[a]
            wsum[a] = wsum.get(a, 0.0) + weight[f]
            on.setdefault(a, []).append(f)
    rate = {}
    live = set(wsum)
    while live:
        best, level = None, float("inf")
        for a in live:
            if wsum[a] > 0 and rem[a] / wsum[a] < level:
                best, level = a, rem[a] / wsum[a]
        if best is None:
            break
        for f in on[best]:
            if f not in rate:
                rate[f] = level * weight[f]
                for b in flows[f][3]:
                    rem[b] -= rate[f]
                    wsum[b] -= weight[f]
        live = {a for a in live if a != best and any(f not in rate for f in on[a])}
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("bytes", type=float)
    ap.add_argument("--latency", choices=["after", "before"], default="after")
    ap.add_argument("--rtt", action="store_true")
    ap.add_argument("--dump")
    o = ap.parse_args()
    cap, flows = read_platform(o.dir)
    n = len(flows)
    weight = [1.0 / fl[2] if o.rtt else 1.0 for fl in flows]
    start = [fl[2] if o.latency == "before" else 0.0 for fl in flows]
    order = sorted(range(n), key=lambda i: start[i])
    left = [o.bytes] * n
    deliver = [0.0] * n
    active, t, k, events = set(), 0.0, 0, 0
    while k < n or active:
        while k < n and start[order[k]] <= t:
            active.add(order[k])
            k += 1
        events += 1
        r = rates(active, flows, weight, cap)
        t_next = min((t + left[f] / r[f] for f in active), default=float("inf"))
        if k < n:
            t_next = min(t_next, start[order[k]])
        for f in list(active):
            left[f] -= r[f] * (t_next - t)
            if left[f] <= o.bytes * 1e-12:   # ends now (up to rounding of the subtraction)
                active.discard(f)
                deliver[f] = t_next + (flows[f][2] if o.latency == "after" else 0.0)
        t = t_next
    print("ref latency=%s rtt=%d flows=%d last_s=%.12f first_s=%.12f events=%d"
          % (o.latency, o.rtt, n, max(deliver), min(deliver), events))
    if o.dump:
        with open(o.dump, "w") as fh:
            for f in range(n):
                fh.write("%d %d %.12f\n" % (flows[f][0], flows[f][1], deliver[f]))


if __name__ == "__main__":
    main()
