#!/usr/bin/python3
"""id,month,easting,northing,lsoa,category -> police.uk street-level CSV (WGS84)."""
import sys
from osgeo import osr
src, dst = sys.argv[1], sys.argv[2]
a = osr.SpatialReference(); a.ImportFromEPSG(27700)
b = osr.SpatialReference(); b.ImportFromEPSG(4326); b.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
t = osr.CoordinateTransformation(a, b)
rows = [l.rstrip('\n').split(',') for l in open(src)][1:]
pts = t.TransformPoints([(float(r[2]), float(r[3])) for r in rows])
with open(dst, 'w') as f:
    f.write('Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n')
    for r, p in zip(rows, pts):
        f.write(f'{r[0]},{r[1]},Synthetic Police,Synthetic Police,{p[0]:.6f},{p[1]:.6f},On or near Synthetic Street,{r[4]},,{r[5]},,\n')
