#!/usr/bin/env python3
"""Compare two `hotspot run` output folders layer by layer (issue 13).

    python3 bench/compare_runs.py BEFORE_DIR AFTER_DIR [--max-rows N]

Reads the GeoPackage with Python's sqlite3 (a GeoPackage is an SQLite file: no GDAL binding
needed) and the GeoTIFFs with `gdalinfo -json -checksum` (gdal-bin), so nothing of the engine
reads its own outputs. For every layer it reports: only in one run; fields added or removed;
row count; rows that differ (keyed by fid, geometry compared as its GeoPackage blob); and for
every field present in both, how many rows differ and the largest numeric difference. For
every raster: size, geotransform, CRS, the band's and its overviews' checksums and every
metadata tag. For .qml and .qgs files: same text or not. For manifest.json: the keys whose
values differ (timings and the command line left out).

Exit status: 0 when the two folders are identical by these measures, 1 when anything differs
(the report says what), 2 on a usage error.
"""

import json
import math
import os
import sqlite3
import subprocess
import sys


def layers(gpkg):
    con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    names = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]
    out = {}
    for name in names:
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
        rows = con.execute(f'SELECT * FROM "{name}" ORDER BY 1').fetchall()
        out[name] = (cols, rows)
    styles = {}
    try:
        for t, sn, qml, d in con.execute(
                "SELECT f_table_name, styleName, styleQML, useAsDefault FROM layer_styles"):
            styles[(t, sn)] = (qml, d)
    except sqlite3.Error:
        pass
    con.close()
    return out, styles


def num(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return None


def same(a, b):
    if a == b:
        return True
    fa, fb = num(a), num(b)
    return fa is not None and fb is not None and math.isnan(fa) and math.isnan(fb)


def compare_layer(name, a, b, out):
    ca, ra = a
    cb, rb = b
    diff = False
    added = [c for c in cb if c not in ca]
    removed = [c for c in ca if c not in cb]
    if added or removed:
        diff = True
        out.append(f"  layer {name}: fields added {added or '-'}, removed {removed or '-'}")
    if len(ra) != len(rb):
        diff = True
        out.append(f"  layer {name}: {len(ra)} rows before, {len(rb)} after")
    common = [c for c in ca if c in cb]
    ia = {c: i for i, c in enumerate(ca)}
    ib = {c: i for i, c in enumerate(cb)}
    for c in common:
        n_diff, max_abs, example = 0, 0.0, None
        for x, y in zip(ra, rb):
            u, v = x[ia[c]], y[ib[c]]
            if not same(u, v):
                n_diff += 1
                fu, fv = num(u), num(v)
                if fu is not None and fv is not None:
                    max_abs = max(max_abs, abs(fu - fv))
                if example is None:
                    example = (x[0], u if not isinstance(u, bytes) else f"<{len(u)} bytes>",
                               v if not isinstance(v, bytes) else f"<{len(v)} bytes>")
        if n_diff:
            diff = True
            extra = f", largest |difference| {max_abs:.6g}" if max_abs else ""
            out.append(f"  layer {name}: field {c}: {n_diff} of {min(len(ra), len(rb))} rows differ{extra}"
                       f" (first: fid {example[0]}: {example[1]!r} -> {example[2]!r})")
    if not diff:
        out.append(f"  layer {name}: identical ({len(ra)} rows, {len(ca)} fields)")
    return diff


def raster_info(path):
    j = json.loads(subprocess.run(["gdalinfo", "-json", "-checksum", path], check=True,
                                  capture_output=True, text=True).stdout)
    tags = j.get("metadata", {}).get("", {})
    # the overviews too: QGIS draws them at every scale but the finest (a GDAL option once
    # changed them and not the full-resolution band)
    bands = [(b.get("checksum"), b.get("description", ""),
              [(o.get("size"), o.get("checksum")) for o in b.get("overviews", [])])
             for b in j.get("bands", [])]
    return {"size": j.get("size"), "geotransform": j.get("geoTransform"),
            "crs": j.get("coordinateSystem", {}).get("wkt", ""), "bands": bands, "tags": tags}


def compare_raster(name, pa, pb, out):
    a, b = raster_info(pa), raster_info(pb)
    diff = False
    for k in ("size", "geotransform", "crs", "bands"):
        if a[k] != b[k]:
            diff = True
            out.append(f"  raster {name}: {k} differs: {a[k]!r} -> {b[k]!r}"[:400])
    ta, tb = a["tags"], b["tags"]
    for k in sorted(set(ta) | set(tb)):
        if k == "hotspot_version":
            continue
        if ta.get(k) != tb.get(k):
            diff = True
            out.append(f"  raster {name}: tag {k}: {ta.get(k)!r} -> {tb.get(k)!r}"[:400])
    if not diff:
        out.append(f"  raster {name}: identical pixels (checksums, overviews too) and tags")
    return diff


def flatten(j, prefix=""):
    if isinstance(j, dict):
        for k, v in j.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(j, list) and j and all(isinstance(x, dict) for x in j):
        for i, v in enumerate(j):
            yield from flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, j


def compare_manifest(pa, pb, out):
    def load(p):
        j = json.load(open(p))
        for k in ("timings_s", "command_line", "outputs_folder", "hotspot_version", "version", "created"):
            j.pop(k, None)
        return dict(flatten(j))
    a, b = load(pa), load(pb)
    diff = False
    for k in sorted(set(a) | set(b)):
        if "sha256" in k or k.startswith("inputs"):
            continue
        if a.get(k, "<absent>") != b.get(k, "<absent>"):
            diff = True
            out.append(f"  manifest {k}: {json.dumps(a.get(k, '<absent>'))[:160]} -> "
                       f"{json.dumps(b.get(k, '<absent>'))[:160]}")
    if not diff:
        out.append("  manifest: identical (timings and command line left out)")
    return diff


def main(argv):
    if len(argv) != 3 or not all(os.path.isdir(d) for d in argv[1:]):
        print(__doc__, file=sys.stderr)
        return 2
    da, db = argv[1], argv[2]
    fa, fb = set(os.listdir(da)), set(os.listdir(db))
    out = []
    diff = False
    for f in sorted(fa - fb):
        diff = True
        out.append(f"  file {f}: only before")
    for f in sorted(fb - fa):
        diff = True
        out.append(f"  file {f}: only after")
    for f in sorted(fa & fb):
        pa, pb = os.path.join(da, f), os.path.join(db, f)
        if f.endswith(".gpkg"):
            (la, sa), (lb, sb) = layers(pa), layers(pb)
            for name in sorted(set(la) - set(lb)):
                diff = True
                out.append(f"  layer {name}: only before")
            for name in sorted(set(lb) - set(la)):
                diff = True
                out.append(f"  layer {name}: only after ({len(lb[name][1])} rows, fields {lb[name][0]})"[:400])
            for name in sorted(set(la) & set(lb)):
                diff |= compare_layer(name, la[name], lb[name], out)
            changed = sorted(str(k) for k in set(sa) | set(sb) if sa.get(k) != sb.get(k))
            if changed:
                diff = True
                out.append(f"  layer_styles: {len(changed)} styles differ: {', '.join(changed)}"[:600])
        elif f.endswith((".tif", ".tiff")):
            diff |= compare_raster(f, pa, pb, out)
        elif f == "manifest.json":
            diff |= compare_manifest(pa, pb, out)
        elif f.endswith((".qml", ".qgs", ".html", ".txt")):
            if open(pa, "rb").read() != open(pb, "rb").read():
                diff = True
                out.append(f"  file {f}: text differs")
            else:
                out.append(f"  file {f}: identical")
    print(f"compare_runs: {da} -> {db}: {'DIFFERENT' if diff else 'identical'}")
    print("\n".join(out))
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
