#!/usr/bin/env python3
"""A force-sized year of incidents for the `hotspot run` benchmark (issue 5's target: 150,000
incidents over the Staffordshire force area's wards and LSOAs, three profiles, 25 m cells).

The demo town's year (shapes/demo/incidents.csv, 10,008 rows with offence codes, times,
location types and MO text, so every profile selects what it should) is copied to 15 town
centres across Staffordshire, each copy shifted from the demo town's centre. Deterministic.

    make_force_year.py SOURCE_DIR OUT.csv
"""
import csv
import sys

DEMO_CENTRE = (421000, 304000)
# Approximate British National Grid centres of Staffordshire towns.
CENTRES = [(388000, 347000), (383000, 344000), (392000, 323000), (421000, 304000), (424000, 323000),
           (412000, 309000), (398000, 310000), (398000, 356000), (409000, 333000), (390000, 334000),
           (404000, 318000), (384000, 354000), (388000, 358000), (401000, 343000), (392000, 314000)]


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src + '/shapes/demo/incidents.csv', newline='') as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    ix, iy, iid = header.index('easting'), header.index('northing'), header.index('incident_id')
    with open(out, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        for k, (cx, cy) in enumerate(CENTRES):
            dx, dy = cx - DEMO_CENTRE[0], cy - DEMO_CENTRE[1]
            for r in body:
                r = list(r)
                r[iid] = 'T%02d-%s' % (k, r[iid])
                if r[ix] and r[iy] and not (r[ix] == '0' and r[iy] == '0'):
                    r[ix] = str(round(float(r[ix]) + dx, 2))
                    r[iy] = str(round(float(r[iy]) + dy, 2))
                w.writerow(r)


if __name__ == '__main__':
    main()
