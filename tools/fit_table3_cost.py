#!/usr/bin/python3
"""Fit the few free prices of the Table 3 cost preset, once, by least squares over Table 3's columns.

What it does (rerun it after changing the layout, the topologies or the fixed prices):
  1. runs scenarios/paper/table3.yaml with the clustersim binary into a scratch database, so the
     counts, the ports bought and the cables (number and metres per medium, from the layout) are the
     simulator's own; cable counts and lengths do not depend on the prices;
  2. reads the paper's values from the scenario's report block (cost_musd, cost_per_endpoint_kusd);
  3. the cost is linear in the prices:
        total = switch_port_usd x ports + switch_base_usd x switches
              + sum over media m of (cable_usd[m] x cables[m] + cable_usd_per_m[m] x metres[m])
     so the prices named by --fit are found by linear least squares on the relative deviations of
     both compared figures (total cost and cost per endpoint) of every column; the other prices are
     held at the preset's values;
  4. prints the fitted values and each column's deviation. It does not edit the preset: copy the
     values into scenarios/hardware/cost-ndr400-64port.yaml and say there what was fitted.

usage: tools/fit_table3_cost.py [--clustersim build/clustersim] [--fit switch_port_usd ...]
                                [--set KEY=VALUE ...]
"""
import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile

import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRICE_KEYS = ["switch_base_usd", "switch_port_usd", "electrical_cable_usd", "electrical_cable_usd_per_m",
              "optical_cable_usd", "optical_cable_usd_per_m"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clustersim", default=os.path.join(ROOT, "build", "clustersim"))
    ap.add_argument("--scenario", default=os.path.join(ROOT, "scenarios", "paper", "table3.yaml"))
    ap.add_argument("--preset", default=os.path.join(ROOT, "scenarios", "hardware", "cost-ndr400-64port.yaml"))
    ap.add_argument("--fit", nargs="+", default=["switch_port_usd", "electrical_cable_usd", "optical_cable_usd"],
                    choices=PRICE_KEYS, help="prices to fit (the others stay at the preset's values)")
    ap.add_argument("--set", action="append", default=[], help="scenario override passed to clustersim")
    ap.add_argument("--fix", action="append", default=[], help="PRICE=VALUE: hold a price at another value")
    args = ap.parse_args()

    with open(args.preset) as f:
        preset = yaml.safe_load(f)
    fixed = {k: float(preset.get(k, 0.0)) for k in PRICE_KEYS}
    for kv in args.fix:
        k, v = kv.split("=", 1)
        fixed[k] = float(v)
    with open(args.scenario) as f:
        scen = yaml.safe_load(f)
    table = next(t for t in scen["report"]["tables"] if t["name"] == "table3")
    paper = {v["metric"]: v["paper"] for v in table["values"] if "paper" in v}
    rows = table["rows"]

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "fit.sqlite")
        cmd = [args.clustersim, "run", args.scenario, "--db", db, "-q"]
        for s in args.set:
            cmd += ["--set", s]
        subprocess.run(cmd, check=True)
        con = sqlite3.connect(db)
        q = ("SELECT p.value, m.name, m.value FROM runs r JOIN params p ON p.run = r.id AND p.key = 'topology.name' "
             "JOIN metrics m ON m.run = r.id WHERE r.status = 'ok'")
        got = {}
        for row, name, value in con.execute(q):
            got.setdefault(row, {})[name] = value
        con.close()

    # Quantity each price multiplies, per column (the network: switch-switch cables only).
    def quantities(m):
        return {"switch_base_usd": m["switches"], "switch_port_usd": m["switch_ports"],
                "electrical_cable_usd": m["electrical_cables"], "electrical_cable_usd_per_m": m["electrical_cable_m"],
                "optical_cable_usd": m["optical_cables"], "optical_cable_usd_per_m": m["optical_cable_m"]}

    A, b, labels = [], [], []
    for r in rows:
        m = got[r]
        qty = quantities(m)
        const = sum(fixed[k] * qty[k] for k in PRICE_KEYS if k not in args.fit)
        for metric, scale in (("cost_musd", 1e-6), ("cost_per_endpoint_kusd", 1e-3 / m["endpoints"])):
            want = paper[metric][r]
            # relative deviation = (const + sum_k x_k qty_k) * scale / want - 1
            A.append([qty[k] * scale / want for k in args.fit])
            b.append(1.0 - const * scale / want)
            labels.append((r, metric, want))
    A, b = np.array(A), np.array(b)
    x, *_ = np.linalg.lstsq(A, b, rcond=None)
    prices = dict(fixed)
    prices.update(dict(zip(args.fit, x)))

    print("fitted (least squares over %d relative deviations):" % len(b))
    for k in PRICE_KEYS:
        print("  %-28s %12.2f %s" % (k, prices[k], "fitted" if k in args.fit else "fixed"))
    print("\n%-5s %-24s %10s %10s %9s" % ("col", "metric", "paper", "model", "dev"))
    worst = 0.0
    for r in rows:
        m = got[r]
        qty = quantities(m)
        total = sum(prices[k] * qty[k] for k in PRICE_KEYS)
        for metric, val in (("cost_musd", total * 1e-6), ("cost_per_endpoint_kusd", total * 1e-3 / m["endpoints"])):
            want = paper[metric][r]
            dev = val / want - 1.0
            worst = max(worst, abs(dev))
            print("%-5s %-24s %10.3f %10.3f %+8.2f%%" % (r, metric, want, val, 100 * dev))
    print("\nworst |deviation|: %.2f%%" % (100 * worst))
    print("average switch-switch cable: " + ", ".join(
        "%s %.1f m optical x %d, %.1f m electrical x %d" % (
            r, got[r]["optical_cable_m"] / max(got[r]["optical_cables"], 1), got[r]["optical_cables"],
            got[r]["electrical_cable_m"] / max(got[r]["electrical_cables"], 1), got[r]["electrical_cables"])
        for r in rows))
    return 0 if worst <= 0.02 else 1


if __name__ == "__main__":
    sys.exit(main())
