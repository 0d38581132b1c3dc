#!/usr/bin/env python3
"""Fails (exit 1) when a source of hotspot_core, or a project header it reaches, includes an
I/O header: GDAL/OGR/CPL, PROJ, GEOS, or one of the engine's I/O or step headers. The core is
pure maths and parsing (DESIGN.md); this holds the rule by test, not by discipline.

The core has its own folder (engine/core: include/hotspot and src), so a "hotspot/..." header
that is not in engine/core/include is an engine header, and including it is a problem too.

usage: check_core_includes.py ENGINE_DIR SOURCE...   (sources relative to ENGINE_DIR)
"""
import os
import re
import sys

FORBIDDEN_SYSTEM = re.compile(r'^(proj\.h|proj/|geos_c\.h|geos/|gdal|ogr_|ogrsf_|cpl_)')
# Engine headers that are I/O edges or frames (engine/include/hotspot/...).
FORBIDDEN_PROJECT = {
    'areas_io.hpp', 'incidents_io.hpp', 'raster_out.hpp', 'vector_out.hpp', 'crs.hpp', 'population.hpp',
    'manifest.hpp', 'qgis_project.hpp', 'polygonize.hpp', 'pipeline.hpp', 'config.hpp', 'report.hpp',
    'styles.hpp', 'geocode_job.hpp', 'gistar_job.hpp', 'rates_job.hpp', 'kde_job.hpp',
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def main():
    engine = sys.argv[1]
    include_dir = os.path.join(engine, 'core', 'include')
    problems = []
    seen = set()

    def scan(path, chain):
        if path in seen:
            return
        seen.add(path)
        with open(path, encoding='utf-8', errors='replace') as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                name = m.group(2)
                where = ' <- '.join([f'{os.path.relpath(path, engine)}:{n}'] + chain)
                if FORBIDDEN_SYSTEM.match(name):
                    problems.append(f'{where}: includes <{name}>, an I/O library header')
                elif name.startswith('hotspot/'):
                    rest = name[len('hotspot/'):]
                    if rest in FORBIDDEN_PROJECT or rest.startswith('steps/') or rest.startswith('io/'):
                        problems.append(f'{where}: includes "{name}", an engine I/O or frame header')
                    header = os.path.join(include_dir, name)
                    if os.path.exists(header):
                        scan(header, [os.path.relpath(path, engine)] + chain)
                    elif not os.path.exists(os.path.join(engine, 'include', name)) and rest != 'version.hpp':
                        problems.append(f'{where}: includes "{name}", which is not a project header')
                    elif rest != 'version.hpp':
                        problems.append(f'{where}: includes "{name}", an engine header (not in core/include)')

    for src in sys.argv[2:]:
        path = src if os.path.isabs(src) else os.path.join(engine, src)
        if path.endswith(('.cpp', '.hpp', '.h')) and os.path.exists(path):
            scan(path, [])
    if len(seen) < 10:
        print(f'check_core_includes: only {len(seen)} files scanned; is the source list right?')
        return 1
    for p in problems:
        print('core purity: ' + p)
    print(f'check_core_includes: {len(seen)} files scanned, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
