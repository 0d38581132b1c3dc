#!/usr/bin/python3
"""Synthetic national incidents placed by LSOA population (issue 20 scaling bench).
gen_national.py LSOA_GPKG POPULATION_CSV N OUT.csv [SEED]
Each incident: an LSOA drawn with probability proportional to its population, a point drawn
uniformly inside it (rejection sampling in its bounding box, OGR Contains), a police.uk category
(shares near England's), a month of 2025. Deterministic for a seed."""
import csv, sys
import numpy as np
from osgeo import ogr
gpkg, popcsv, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
seed = int(sys.argv[5]) if len(sys.argv) > 5 else 20261201
rng = np.random.default_rng(seed)
pop = {r['LSOA11CD']: float(r['population']) for r in csv.DictReader(open(popcsv))}
ds = ogr.Open(gpkg); lyr = ds.GetLayer(0)
geoms, codes, weights = [], [], []
for f in lyr:
    c = f.GetField('LSOA11CD')
    if c in pop and f.GetGeometryRef() is not None:
        geoms.append(f.GetGeometryRef().Clone()); codes.append(c); weights.append(pop[c])
w = np.array(weights); w /= w.sum()
counts = rng.multinomial(n, w)
cats = ['Violence and sexual offences', 'Anti-social behaviour', 'Criminal damage and arson', 'Shoplifting',
        'Burglary', 'Vehicle crime', 'Public order', 'Other theft', 'Drugs', 'Robbery']
cp = np.array([0.33, 0.20, 0.09, 0.07, 0.06, 0.07, 0.09, 0.05, 0.03, 0.01]); cp /= cp.sum()
with open(out, 'w') as fo:
    fo.write('Crime ID,Month,Longitude,Latitude,easting,northing,LSOA code,Crime type\n')
    i = 0
    for g, c, k in zip(geoms, codes, counts):
        if k == 0: continue
        minx, maxx, miny, maxy = g.GetEnvelope()
        pts = []
        while len(pts) < k:
            xs = rng.uniform(minx, maxx, 2 * k + 4); ys = rng.uniform(miny, maxy, 2 * k + 4)
            for x, y in zip(xs, ys):
                p = ogr.Geometry(ogr.wkbPoint); p.AddPoint_2D(float(x), float(y))
                if g.Contains(p):
                    pts.append((x, y))
                    if len(pts) == k: break
        ci = rng.choice(len(cats), size=k, p=cp); mo = rng.integers(1, 13, size=k)
        for (x, y), a, m in zip(pts, ci, mo):
            fo.write(f'N{i},2025-{m:02d},,,{x:.1f},{y:.1f},{c},{cats[a]}\n'); i += 1
print(i, 'incidents in', len(geoms), 'LSOAs')
