#!/usr/bin/env python3
"""Latency readers and statistics for scenario (f) of bench/run.sh.

  latency.py file DIR     follows a cdcd file sink directory the way a consumer of committed data
                          must: it polls DIR/offsets.json every 2 ms and, when the commit point
                          moves, reads the lines it newly covers; for each line holding "t_us"
                          (the row's commit wall-clock time, microseconds since the epoch) it
                          prints now - t_us in microseconds, "now" being when the commit point
                          was seen to move.
  latency.py stdin        the same for lines on stdin (kcat -C -u of a read_committed consumer):
                          "now" is when the line arrived.
  latency.py stats FILE   prints "p50_ms p99_ms max_ms count" of the numbers in FILE.
"""
import json
import os
import re
import sys
import time

T_US = re.compile(rb'"t_us":\s*(-?\d+)')


def now_us():
    return time.time_ns() // 1000


def emit(out, t, chunk):
    for m in T_US.finditer(chunk):
        out.write(f"{t - int(m.group(1))}\n")


def follow_file(d):
    out = sys.stdout
    seg, pos, last = 1, 0, None
    cp_path = os.path.join(d, "offsets.json")
    while True:
        try:
            st = os.stat(cp_path)
        except FileNotFoundError:
            time.sleep(0.002)
            continue
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key != last:
            t = now_us()
            try:
                with open(cp_path, "rb") as f:
                    cp = json.load(f)
            except (OSError, ValueError):
                continue  # replaced while we read it: try again
            last = key
            cseg, clen = int(cp["segment"]), int(cp["length"])
            while seg <= cseg:
                path = os.path.join(d, "events-%06d.jsonl" % seg)
                with open(path, "rb") as f:
                    f.seek(pos)
                    chunk = f.read() if seg < cseg else f.read(max(0, clen - pos))
                emit(out, t, chunk)
                if seg < cseg:
                    seg, pos = seg + 1, 0
                else:
                    pos = max(pos, clen)
                    break
            out.flush()
        time.sleep(0.002)


def follow_stdin():
    out = sys.stdout
    for line in sys.stdin.buffer:
        emit(out, now_us(), line)
        out.flush()


def stats(path):
    with open(path) as f:
        v = sorted(int(x) for x in f if x.strip())
    if not v:
        print("- - - 0")
        return
    n = len(v)

    def pct(p):
        return v[min(n - 1, int(p * n))] / 1000.0

    print(f"{pct(0.50):.1f} {pct(0.99):.1f} {v[-1] / 1000.0:.1f} {n}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    mode = sys.argv[1]
    try:
        if mode == "file" and len(sys.argv) == 3:
            follow_file(sys.argv[2])
        elif mode == "stdin":
            follow_stdin()
        elif mode == "stats" and len(sys.argv) == 3:
            stats(sys.argv[2])
        else:
            sys.exit(__doc__)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
