#!/usr/bin/env python3
"""The plugin's overall progress bar (qgis/hotspot_qgis/progress.py), without QGIS: replay the
--progress-json lines of a measured Leicestershire `hotspot run` (4 profiles, with the report;
the seconds at which each line arrived, 24 s in all) and check that the bar follows the elapsed
time, never goes backwards and reaches 100% only at the end. Before (issue 15) it read each
stage's own fraction as overall progress and showed 100% after reading, 2.8 s into the run.

    test_progress.py --source-dir .        exit 0 passed, 1 failed
"""
import argparse
import os
import sys

# (seconds since start, stage, the stage's fraction), as the CLI printed them
LEICS = [(0.35, 'read', 0.00), (0.71, 'read', 0.10), (1.08, 'read', 0.31), (1.52, 'read', 0.55),
         (2.01, 'read', 0.79), (2.32, 'read', 0.97), (2.80, 'read', 1.00), (3.09, 'geocode', 1.00),
         (3.83, 'profile car-key-burglary', 0.00), (7.04, 'profile drug-possession', 0.25),
         (9.20, 'profile public-place-violence', 0.50), (13.49, 'profile all-crime', 0.75),
         (23.85, 'finish', 1.00)]
END = 23.95


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--source-dir', required=True)
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.source_dir, 'qgis', 'hotspot_qgis'))
    from progress import OverallProgress
    failures = []
    bar = OverallProgress()
    last = 0.0
    for t, stage, fraction in LEICS:
        p = bar.update(stage, fraction)
        elapsed = 100.0 * t / END
        print('{:6.2f} s {:32s} {:4.2f} -> bar {:5.1f}%  (elapsed {:5.1f}%)'.format(t, stage, fraction, p, elapsed))
        if p < last:
            failures.append('the bar went back at {} s: {} -> {}'.format(t, last, p))
        if stage != 'finish' and p >= 100:
            failures.append('the bar shows 100% at {} s of {} s ({})'.format(t, END, stage))
        if abs(p - elapsed) > 25:
            failures.append('at {} s the bar shows {:.0f}% for {:.0f}% of the time'.format(t, p, elapsed))
        last = p
    if last != 100:
        failures.append('the bar ends at {}%'.format(last))
    # a single command (kde): its own stage fills the bar, short of 100% until it ends
    one = OverallProgress()
    if not (40 < one.update('kde', 0.42) < 43 and one.update('kde', 1.0) < 100):
        failures.append('a single command: {}'.format(one.percent))
    # an unknown stage in a run does not move the bar; nonsense fractions are ignored
    run = OverallProgress()
    run.update('read', 1.0)
    if run.update('styles', 0.9) != run.update('read', 1.0) or run.update('read', 'x') != run.percent:
        failures.append('unknown stages or fractions moved the bar')
    for f in failures:
        print('FAILED: ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
