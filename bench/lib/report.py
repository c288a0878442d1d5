#!/usr/bin/env python3
"""Prints bench/run.sh's results (one tab-separated key=value line per measurement) as one
Markdown table of medians over the runs, then notes (EOS cost, cdcd against Debezium).

Ratios are computed within each run (a reader against the references of the same run, on the
same data) and then their median is shown: `x limit` = limit's wall time / this reader's wall time,
so > 1 means faster than the reference, as the issue's targets are written (>= 0.9x pgoutput).
"""
import statistics
import sys
from collections import OrderedDict

SCENARIO_NAMES = {
    "a": "(a)", "b": "(b)", "c": "(c)", "d": "(d)", "e": "(e)", "f": "(f)",
}


def med(values):
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def fmt(x, digits=2):
    if x is None:
        return ""
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            r = {}
            for field in line.split("\t"):
                k, _, v = field.partition("=")
                r[k] = v
            rows.append(r)
    return rows


def main():
    rows = load(sys.argv[1])
    if not rows:
        print("(no results)")
        return
    shapes = OrderedDict()  # (scenario, shape) -> reader -> list of rows
    for r in rows:
        shapes.setdefault((r["scenario"], r["shape"]), OrderedDict()).setdefault(r["reader"], []).append(r)

    def by_run(readers, role):
        out = {}
        for rs in readers.values():
            for r in rs:
                if r.get("role") == role:
                    out[r["run"]] = num(r.get("wall"))
        return out

    print("| scenario | reader | events | wall s | events/s | x limit | x peer | CPU client s "
          "| CPU server s | CPU s / M events | peak RSS MiB | start-up s | latency p50 / p99 / max ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    notes = []
    for (scen, shape), readers in shapes.items():
        limit = by_run(readers, "limit")
        peer = by_run(readers, "peer")
        first = True
        for reader, rs in readers.items():
            events = med(num(r.get("events")) for r in rs)
            wall = med(num(r.get("wall")) for r in rs)
            rate = med((num(r["events"]) / num(r["wall"])) if num(r.get("wall")) else None for r in rs)
            xl = med((limit[r["run"]] / num(r["wall"]))
                     if limit.get(r["run"]) and num(r.get("wall")) else None for r in rs)
            xp = med((peer[r["run"]] / num(r["wall"]))
                     if peer.get(r["run"]) and num(r.get("wall")) else None for r in rs)
            cpu = med(num(r.get("cpu_cli")) for r in rs)
            srv = med(num(r.get("cpu_srv")) for r in rs)
            per_m = med((num(r["cpu_cli"]) * 1e6 / num(r["events"]))
                        if num(r.get("cpu_cli")) is not None and num(r.get("events")) else None
                        for r in rs)
            rss = med((num(r.get("rss_kib")) / 1024) if num(r.get("rss_kib")) else None for r in rs)
            start = med(num(r.get("start")) for r in rs)
            lat = ""
            lats = [r.get("lat") for r in rs if r.get("lat")]
            if lats:
                parts = list(zip(*[[num(x) for x in l.split("/")] for l in lats]))
                lat = " / ".join(fmt(med(p), 1) for p in parts)
            name = f"{SCENARIO_NAMES.get(scen, scen)} {shape}" if first else ""
            first = False
            bold = "**" if rs[0].get("role") == "cdcd" else ""
            print(f"| {name} | {bold}{reader}{bold} | {fmt(events, 0)} | {fmt(wall)} | {fmt(rate, 0)} "
                  f"| {fmt(xl)} | {fmt(xp)} | {fmt(cpu)} | {fmt(srv)} | {fmt(per_m)} | {fmt(rss, 1)} "
                  f"| {fmt(start)} | {lat} |")

        # Exactly-once against at_least_once, run by run.
        eos = {r["run"]: r for r in readers.get("cdcd exactly_once", [])}
        alo = {r["run"]: r for r in readers.get("cdcd at_least_once", [])}
        common = sorted(set(eos) & set(alo))
        if common:
            w = med(num(eos[k]["wall"]) / num(alo[k]["wall"]) - 1 for k in common)
            c = med(num(eos[k]["cpu_cli"]) / num(alo[k]["cpu_cli"]) - 1 for k in common
                    if num(alo[k]["cpu_cli"]))
            notes.append(f"{shape}: exactly-once costs {w * 100:+.0f} % wall time and "
                         f"{(c or 0) * 100:+.0f} % cdcd CPU against at_least_once (target <= 15 %).")
        # cdcd against Debezium, run by run.
        cd = {r["run"]: r for rs in readers.values() for r in rs if r.get("role") == "cdcd"}
        dz = {r["run"]: r for rs in readers.values() for r in rs if r.get("role") == "debezium"}
        common = sorted(set(cd) & set(dz))
        if common:
            thr = med(num(dz[k]["wall"]) / num(cd[k]["wall"]) for k in common)
            rss = med(num(dz[k]["rss_kib"]) / num(cd[k]["rss_kib"]) for k in common
                      if num(cd[k].get("rss_kib")))
            st = med(num(dz[k]["start"]) / num(cd[k]["start"]) for k in common
                     if num(cd[k].get("start")) and num(dz[k].get("start")))
            after = med((num(dz[k]["wall"]) - num(dz[k]["start"])) / (num(cd[k]["wall"]) - num(cd[k]["start"]))
                        for k in common if num(cd[k].get("start")) is not None
                        and num(dz[k].get("start")) is not None
                        and num(cd[k]["wall"]) > num(cd[k]["start"]))
            text = f"{shape}: cdcd against Debezium: {thr:.1f}x the throughput"
            if after:
                text += f" ({after:.1f}x after both started)"
            if rss:
                text += f", 1/{rss:.0f} of its peak RSS"
            if st:
                text += f", 1/{st:.0f} of its start-up time"
            notes.append(text + " (targets: >= 3x, <= 1/10, <= 1/10).")
    print()
    for n in notes:
        print(f"- {n}")


if __name__ == "__main__":
    main()
