#!/usr/bin/env python3
"""The QGIS project that `hotspot run` writes, opened in real QGIS (headless, offscreen Qt, a
real QgsMapCanvas reading the project as QGIS's main window does):

- every layer loads valid and styled (categorized on gi_bin / rate_class, the heat classes on
  the density rasters), with an abstract in its metadata;
- the canvas opens on the study area and not much more (issue 15: it opened at 1:1);
- exactly one profile group is visible, its rates layers off; the boundaries are a hierarchy
  (one labelled level);
- the density legend has no "(Gray)" header, no long digit strings, and carries units;
- opening raises no coordinate transform warning;
- a PNG of the opened view with its legend is written for a person to look at (--shots).

Run on the demo, and on the Leicestershire pack when ../shared/data is beside the checkout
(skipped cleanly otherwise).

    test_project.py --hotspot build/hotspot --source-dir . --work DIR [--shots DIR] [--leics]

Exit codes: 0 passed, 1 failed, 77 skipped (QGIS's Python bindings are not installed).
"""
import argparse
import os
import re
import subprocess
import sys

SKIP = 77


def pdf_pages(path):
    """Pages of a PDF, by its /Type /Page objects (no PDF library needed)."""
    import re as _re
    with open(path, 'rb') as f:
        return len(_re.findall(rb'/Type\s*/Page(?![s\w])', f.read()))


def check_project(qgs, name, shots, failures):
    from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsLayerTreeModel, QgsLayoutExporter, QgsLayoutItemLegend,
                           QgsLayoutItemMap, QgsLayoutPoint, QgsLayoutSize, QgsPrintLayout, QgsProject,
                           QgsRasterLayer, QgsRectangle, QgsUnitTypes, QgsVectorLayer, QgsLayoutItemLabel)
    from qgis.gui import QgsLayerTreeMapCanvasBridge, QgsMapCanvas
    from qgis.PyQt.QtCore import QSize, Qt
    from qgis.PyQt.QtGui import QFont

    def fail(msg):
        failures.append('{}: {}'.format(name, msg))

    project = QgsProject.instance()
    project.clear()
    canvas = QgsMapCanvas()
    canvas.setObjectName('theMapCanvas')  # the name QGIS's main canvas reads from the project
    canvas.resize(1200, 800)
    canvas.setDestinationCrs(project.crs())
    bridge = QgsLayerTreeMapCanvasBridge(project.layerTreeRoot(), canvas)
    if not project.read(qgs):
        fail('QGIS could not read the project: ' + project.error())
        return
    root = project.layerTreeRoot()
    layers = list(project.mapLayers().values())
    if len(layers) < 10:
        fail('only {} layers loaded'.format(len(layers)))
    if project.crs().authid() != 'EPSG:27700':
        fail('project CRS is ' + project.crs().authid())

    # every layer valid, styled and described
    for layer in layers:
        if not layer.isValid():
            fail('invalid layer: ' + layer.name() + ' ' + layer.source())
            continue
        if not layer.metadata().abstract():
            fail(layer.name() + ': no abstract in its metadata')
        if re.search(r'(^|[ :])[a-z]+_[a-z_]+$', layer.name()):
            fail(layer.name() + ': a raw table name')
        if isinstance(layer, QgsVectorLayer) and layer.isSpatial():  # a table (Knox) draws nothing
            r = layer.renderer()
            kind = r.type() if r else None
            if kind is None:
                fail(layer.name() + ': no renderer')
            if layer.name().endswith('Gi* hot spot cells'):
                if kind != 'categorizedSymbol' or r.classAttribute() != 'gi_bin':
                    fail(layer.name() + ': renderer ' + str(kind))
            if ' rates' in layer.name() and 'violence' not in layer.name().lower():
                if kind != 'categorizedSymbol' or r.classAttribute() != 'rate_class':
                    fail(layer.name() + ': renderer ' + str(kind))
        elif isinstance(layer, QgsRasterLayer):
            if layer.renderer().type() != 'singlebandpseudocolor':
                fail(layer.name() + ': raster renderer ' + layer.renderer().type())
            elif layer.name().endswith('density'):
                items = layer.renderer().shader().rasterShaderFunction().colorRampItemList()
                if len(items) < 2:
                    fail(layer.name() + ': {} heat classes'.format(len(items)))
                resampler = layer.resampleFilter().zoomedInResampler()
                if resampler is None:
                    fail(layer.name() + ': no zoomed-in resampling (blocky cells)')

    # groups: exactly one profile visible, boundaries as a hierarchy
    groups = root.children()
    names = [g.name() for g in groups]
    if 'Boundaries' not in names or len(groups) < 3:
        fail('groups: ' + ', '.join(names))
    profile_groups = [g for g in groups if g.name() != 'Boundaries']
    visible = [g.name() for g in profile_groups if g.itemVisibilityChecked()]
    if len(visible) != 1 or visible[0] != profile_groups[0].name():
        fail('visible profile groups: {} (want only the first, {})'.format(visible, profile_groups[0].name()))
    for g in profile_groups:
        for node in g.findLayers():
            if ' rates' in node.name() and node.itemVisibilityChecked():
                fail(node.name() + ': rates layer on by default')
    bnodes = [n for n in root.findGroup('Boundaries').findLayers()]
    labelled = [n.name() for n in bnodes if n.layer().labelsEnabled()]
    if len(bnodes) >= 2 and len(labelled) != 1:
        fail('boundaries labelled: {} (want one level)'.format(labelled))

    # the opened view: on the study area, not 1:1
    study = QgsRectangle()
    for n in bnodes:
        study.combineExtentWith(n.layer().extent())
    ext = canvas.extent()
    if not (ext.contains(study.buffered(-1)) if hasattr(ext, 'contains') else True):
        fail('canvas extent {} does not cover the study area {}'.format(ext.toString(0), study.toString(0)))
    ratio = min(ext.width() / study.width(), ext.height() / study.height())
    if ratio > 1.2:
        fail('canvas extent {} is {:.2f} x the study area in its tighter direction'.format(ext.toString(0), ratio))
    if canvas.scale() < 1000:
        fail('canvas opens at 1:{:.0f}'.format(canvas.scale()))

    # legends: no "(Gray)" header, no long digit strings, units on the density
    model = QgsLayerTreeModel(root)
    for node in root.findLayers():
        texts = [ln.data(Qt.DisplayRole) or '' for ln in model.layerLegendNodes(node)]
        for t in texts:
            if '(Gray)' in t:
                fail(node.name() + ': legend header ' + t)
            if re.search(r'\d\.\d{4,}|\d{6,}', t):
                fail(node.name() + ': legend label with long digits: ' + t)
        if node.name().endswith('density') and not any('per km²' in t for t in texts):
            fail(node.name() + ': legend without units: {}'.format(texts))

    # no "Cannot use preferred transform" on open: the project's transform context names an
    # operation to WGS 84 (what QGIS computes layer extents in) whose grids are installed.
    # (PyQGIS does not expose QGIS's missing-grid handlers; this is the condition they test.)
    wgs84 = QgsCoordinateReferenceSystem('EPSG:4326')
    for crs in {l.crs().authid(): l.crs() for l in layers}.values():
        if crs.authid() == 'EPSG:4326':
            continue
        if not project.transformContext().hasTransform(crs, wgs84):
            fail('no transform context entry {} -> EPSG:4326: QGIS would warn on open'.format(crs.authid()))
            continue
        ct = QgsCoordinateTransform(crs, wgs84, project)
        p = ct.transform(study.center())
        details = ct.instantiatedCoordinateOperationDetails()
        if not details.isAvailable or ct.fallbackOperationOccurred() or not (49 < p.y() < 61):
            fail('transform {} -> EPSG:4326 not usable: {} ({})'.format(crs.authid(), details.name, p.toString()))

    # a print layout per profile; the first profile's atlas exports one PDF page per numbered hot spot
    layouts = project.layoutManager().printLayouts()
    with_hotspots = [g for g in profile_groups if any(n.name().endswith('hot spots') for n in g.findLayers())]
    if len(layouts) != len(with_hotspots):
        fail('{} print layouts for {} profiles with hot spots'.format(len(layouts), len(with_hotspots)))
    elif layouts:
        layout = [l for l in layouts if l.name().startswith(profile_groups[0].name())][0]
        atlas = layout.atlas()
        coverage = atlas.coverageLayer()
        if not atlas.enabled() or coverage is None or not coverage.name().endswith('hot spots'):
            fail(layout.name() + ': no atlas over the hot spots layer')
        else:
            pdf = os.path.join(shots or '.', 'qgis-atlas-{}.pdf'.format(name))
            result, error = QgsLayoutExporter.exportToPdf(atlas, pdf, QgsLayoutExporter.PdfExportSettings())
            pages = pdf_pages(pdf) if result == QgsLayoutExporter.Success else -1
            # one page per numbered hot spot (those with a label), counted from the layer itself
            numbered = sum(1 for f in coverage.getFeatures() if f['label'] not in (None, '') and str(f['label']) != 'NULL')
            if pages != numbered or numbered == 0:
                fail('{}: atlas PDF has {} pages for {} numbered hot spots ({})'.format(layout.name(), pages,
                                                                                     numbered, error))
            else:
                print('atlas: {} ({} pages)'.format(pdf, pages))
            # the legend (sized to its contents) must lie on the page: its class labels ran off
            # the A4 page's right edge ("densest 2.9% of a...")
            legend = layout.itemById('legend')
            page_w = layout.pageCollection().page(0).pageSize().width()
            if legend is None:
                fail(layout.name() + ': no legend')
            else:
                legend.adjustBoxSize()
                right = legend.positionWithUnits().x() + legend.sizeWithUnits().width()
                if right > page_w - 5:
                    fail('{}: the legend ends {:.1f} mm from the left of a {:.0f} mm page (margin 5 mm)'.format(
                        layout.name(), right, page_w))
                else:
                    print('atlas legend: right edge at {:.1f} mm of {:.0f}'.format(right, page_w))

    # a picture of the opened view with its legend (visible layers only)
    if shots:
        os.makedirs(shots, exist_ok=True)
        layout = QgsPrintLayout(project)
        layout.initializeDefaults()
        page = layout.pageCollection().page(0)
        page.setPageSize(QgsLayoutSize(420, 297, QgsUnitTypes.LayoutMillimeters))
        title = QgsLayoutItemLabel(layout)
        title.setText(project.title() + ' — as QGIS opens it')
        title.setFont(QFont('Sans Serif', 14))
        title.attemptMove(QgsLayoutPoint(8, 5, QgsUnitTypes.LayoutMillimeters))
        title.attemptResize(QgsLayoutSize(400, 10, QgsUnitTypes.LayoutMillimeters))
        layout.addLayoutItem(title)
        m = QgsLayoutItemMap(layout)
        m.attemptMove(QgsLayoutPoint(8, 18, QgsUnitTypes.LayoutMillimeters))
        m.attemptResize(QgsLayoutSize(290, 272, QgsUnitTypes.LayoutMillimeters))
        m.setLayers(canvas.layers())
        m.setKeepLayerSet(True)
        m.setCrs(project.crs())
        m.setExtent(ext)
        layout.addLayoutItem(m)
        legend = QgsLayoutItemLegend(layout)
        legend.setLinkedMap(m)
        legend.setAutoUpdateModel(False)
        lroot = legend.model().rootGroup()
        for node in list(lroot.findLayers()):
            src = root.findLayer(node.layerId())
            if src is None or not src.isVisible():
                node.parent().removeChildNode(node)
        for g in list(lroot.children()):
            if hasattr(g, 'findLayers') and not g.findLayers():
                lroot.removeChildNode(g)
        legend.attemptMove(QgsLayoutPoint(302, 18, QgsUnitTypes.LayoutMillimeters))
        layout.addLayoutItem(legend)
        exporter = QgsLayoutExporter(layout)
        settings = QgsLayoutExporter.ImageExportSettings()
        settings.dpi = 60
        path = os.path.join(shots, 'qgis-project-{}.png'.format(name))
        if exporter.exportToImage(path, settings) != QgsLayoutExporter.Success:
            fail('could not write the screenshot ' + path)
        else:
            print('screenshot: ' + path)
    del bridge
    project.clear()
    print('{}: {} layers checked, view {}, groups visible {}'.format(name, len(layers), ext.toString(0), visible))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--hotspot', required=True)
    ap.add_argument('--source-dir', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--shots', default='')
    ap.add_argument('--leics', action='store_true', help='also the Leicestershire pack, when its data exist')
    a = ap.parse_args()
    os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')
    os.environ.setdefault('XDG_RUNTIME_DIR', '/tmp/runtime-hotspot')
    try:
        from qgis.core import QgsApplication
    except ImportError as err:
        if os.path.exists('/usr/bin/python3') and not os.environ.get('HOTSPOT_QGIS_REEXEC') \
                and os.path.realpath(sys.executable) != os.path.realpath('/usr/bin/python3'):
            os.environ['HOTSPOT_QGIS_REEXEC'] = '1'
            os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)
        print('skipped: QGIS Python bindings cannot be imported ({}); make deps-qgis'.format(err))
        return SKIP
    os.makedirs(os.environ['XDG_RUNTIME_DIR'], mode=0o700, exist_ok=True)
    runs = [('demo', os.path.join(a.source_dir, 'examples', 'demo.toml'))]
    leics = os.path.join(a.source_dir, 'examples', 'leicestershire.toml')
    data = os.path.join(a.source_dir, '..', 'shared', 'data', 'police_uk', 'leicestershire')
    if a.leics:
        if os.path.isdir(data):
            runs.append(('leicestershire', leics))
        else:
            print('Leicestershire skipped: no shared data at ' + os.path.normpath(data))
    app = QgsApplication([], True)  # with a GUI: the canvas reads the project's saved view
    app.initQgis()
    failures = []
    try:
        for name, config in runs:
            out = os.path.join(a.work, 'project-' + name)
            subprocess.run([a.hotspot, '-q', 'run', config, '--out', out, '--overwrite'], check=True)
            check_project(os.path.join(out, 'hotspot_run.qgs'), name, a.shots or a.work, failures)
    finally:
        app.exitQgis()
    for f in failures:
        print('FAILED: ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
