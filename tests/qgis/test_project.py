#!/usr/bin/env python3
"""The QGIS project that `hotspot run` writes, opened in real QGIS (headless): every layer
loads valid, with the renderer its style names (categorized on gi_bin / rate_class, the heat
ramp on the density rasters), grouped by profile over the boundaries.

    test_project.py --hotspot build/hotspot --source-dir . --work DIR

Exit codes: 0 passed, 1 failed, 77 skipped (QGIS's Python bindings are not installed).
"""
import argparse
import os
import subprocess
import sys

SKIP = 77


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--hotspot', required=True)
    ap.add_argument('--source-dir', required=True)
    ap.add_argument('--work', required=True)
    a = ap.parse_args()
    try:
        from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsVectorLayer
    except ImportError as err:
        if os.path.exists('/usr/bin/python3') and not os.environ.get('HOTSPOT_QGIS_REEXEC') \
                and os.path.realpath(sys.executable) != os.path.realpath('/usr/bin/python3'):
            os.environ['HOTSPOT_QGIS_REEXEC'] = '1'
            os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)
        print('skipped: QGIS Python bindings cannot be imported ({}); make deps-qgis'.format(err))
        return SKIP
    os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')
    os.environ.setdefault('XDG_RUNTIME_DIR', '/tmp/runtime-hotspot')
    os.makedirs(os.environ['XDG_RUNTIME_DIR'], mode=0o700, exist_ok=True)
    out = os.path.join(a.work, 'project-run')
    subprocess.run([a.hotspot, '-q', 'run', os.path.join(a.source_dir, 'examples', 'demo.toml'),
                    '--out', out, '--overwrite'], check=True)
    app = QgsApplication([], False)
    app.initQgis()
    failures = []
    try:
        project = QgsProject.instance()
        if not project.read(os.path.join(out, 'hotspot_run.qgs')):
            failures.append('QGIS could not read the project: ' + project.error())
        layers = list(project.mapLayers().values())
        if len(layers) < 20:
            failures.append('only {} layers loaded'.format(len(layers)))
        if project.crs().authid() != 'EPSG:27700':
            failures.append('project CRS is ' + project.crs().authid())
        for layer in layers:
            if not layer.isValid():
                failures.append('invalid layer: ' + layer.name() + ' ' + layer.source())
                continue
            if isinstance(layer, QgsVectorLayer):
                r = layer.renderer()
                kind = r.type() if r else None
                if layer.name().endswith('Gi* hot spot cells'):
                    if kind != 'categorizedSymbol' or r.classAttribute() != 'gi_bin':
                        failures.append(layer.name() + ': renderer ' + str(kind))
                if ' rates' in layer.name() and 'violence' not in layer.name().lower():
                    if kind != 'categorizedSymbol' or r.classAttribute() != 'rate_class':
                        failures.append(layer.name() + ': renderer ' + str(kind))
                if layer.featureCount() < 0:
                    failures.append(layer.name() + ': no features')
            elif isinstance(layer, QgsRasterLayer):
                if layer.renderer().type() != 'singlebandpseudocolor':
                    failures.append(layer.name() + ': raster renderer ' + layer.renderer().type())
        groups = [g.name() for g in project.layerTreeRoot().children()]
        if 'Boundaries' not in groups or len(groups) < 5:
            failures.append('groups: ' + ', '.join(groups))
    finally:
        app.exitQgis()
    for f in failures:
        print('FAILED: ' + f)
    print('{} layers checked'.format(len(layers)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
