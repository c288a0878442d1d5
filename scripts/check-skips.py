#!/usr/bin/env python3
"""Fails when ctest skipped a test that tests/expected-skips.txt does not list.

Usage: check-skips.py CTEST_OUTPUT EXPECTED_SKIPS
A skip reads as a pass in a summary; in CI (CDCD_REQUIRE_SERVICES=1) only the
skips listed with their reason are allowed.
"""
import fnmatch
import re
import sys

SKIPPED = re.compile(r"Test +#\d+: (.*?) \.{3,}.*\*\*\*Skipped")


def main(output_path, expected_path):
    allowed = []
    with open(expected_path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            glob, _, reason = line.partition("\t")
            if not reason:
                sys.exit(f"{expected_path}: '{glob}' has no reason (glob, a tab, why)")
            allowed.append(glob)
    skipped = []
    with open(output_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = SKIPPED.search(line)
            if m:
                skipped.append(m.group(1).rstrip())
    unexpected = [s for s in skipped if not any(fnmatch.fnmatchcase(s, g) for g in allowed)]
    print(f"skipped tests: {len(skipped)}, of them not in {expected_path}: {len(unexpected)}")
    for s in unexpected:
        print(f"  unexpected skip: {s}")
    return 1 if unexpected else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
