#!/usr/bin/env python3
"""A police.uk street-level CSV of N rows built from the real Leicestershire months in
../shared/data/police_uk (issue 20's reading benchmarks): the 29 months in order, repeated until
N rows, each repeat's Crime IDs made new (a SHA-256 of the ID and the repeat) so no row is a
duplicate of another. Unlike bench/police_uk_csv.hpp's uniform random points, its locations are
the real snap points (13,001 for 241,832 rows), its text the real text.

    python3 bench/make_police_real.py SHARED_DIR OUT.csv [N=1000000]
"""
import glob, hashlib, os, sys

shared, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
files = sorted(glob.glob(os.path.join(shared, "data", "police_uk", "leicestershire", "*-street.csv")))
if not files:
    sys.exit(f"make_police_real: no *-street.csv under {shared}/data/police_uk/leicestershire")
rows, header = [], None
for f in files:
    with open(f, "rb") as fh:
        lines = fh.read().split(b"\n")
    header = header or lines[0]
    rows.extend(l for l in lines[1:] if l.strip())
with open(out, "wb") as fh:
    fh.write(header + b"\n")
    written, rep = 0, 0
    while written < n:
        for r in rows:
            if written == n:
                break
            if rep and not r.startswith(b","):
                cid, rest = r.split(b",", 1)
                r = hashlib.sha256(cid + b"/%d" % rep).hexdigest().encode() + b"," + rest
            fh.write(r + b"\n")
            written += 1
        rep += 1
print(f"make_police_real: {written} rows from {len(rows)} real rows ({len(files)} months) -> {out}")
