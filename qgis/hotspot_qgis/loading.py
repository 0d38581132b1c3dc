"""Loading the engine's outputs into the project, each with its style.

The engine's outputs are finished products: a GeoPackage layer carries its style in the
GeoPackage's layer_styles table, a GeoTIFF has a .qml sidecar. Processing loads result layers
with loadDefaultStyle off, so a post-processor loads that default style once the layer is in
the project. Layers the engine writes without a style (geocode's, today) get the plugin's copy
of the matching file of the repository's styles/ folder.

Each loaded layer gets the custom property `hotspot/style` saying where its style came from
("engine" or "plugin:NAME.qml"), so tests and users can check it.
"""

import os
import re

from qgis.core import (QgsMapLayerType, QgsProcessingContext, QgsProcessingLayerPostProcessorInterface,
                       QgsProcessingUtils, QgsProviderRegistry)

STYLE_DIR = os.path.join(os.path.dirname(__file__), 'styles')
STYLE_PROPERTY = 'hotspot/style'

# Layer name -> the plugin's style, for layers the engine writes without one.
FALLBACK_STYLES = [
    (re.compile(r'^incidents$'), 'incidents.qml'),
    (re.compile(r'_counts$'), 'boundaries.qml'),
    (re.compile(r'hotspots?$'), 'hotspots.qml'),
]


def fallback_style(layer_name):
    for pattern, qml in FALLBACK_STYLES:
        if pattern.search(layer_name):
            path = os.path.join(STYLE_DIR, qml)
            if os.path.exists(path):
                return path
    return None


def apply_style(layer, layer_name):
    """Applies the engine's default style (layer_styles or .qml sidecar), else the plugin's.
    Returns where it came from, or '' when the layer has none (e.g. a table)."""
    has_engine_style = False
    if layer.type() == QgsMapLayerType.VectorLayer:
        try:
            has_engine_style = layer.listStylesInDatabase()[0] > 0
        except Exception:
            has_engine_style = False
    elif layer.type() == QgsMapLayerType.RasterLayer:
        has_engine_style = os.path.exists(os.path.splitext(layer.source())[0] + '.qml')
    if has_engine_style:
        _, ok = layer.loadDefaultStyle()
        if ok:
            layer.triggerRepaint()
            return 'engine'
    qml = fallback_style(layer_name)
    if qml and (layer.type() != QgsMapLayerType.VectorLayer or layer.isSpatial()):
        _, ok = layer.loadNamedStyle(qml)
        if ok:
            layer.triggerRepaint()
            return 'plugin:' + os.path.basename(qml)
    return ''


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Applies the style after Processing has added the layer to the project."""

    # Processing keeps only a C++ pointer: Python must keep the objects alive.
    _alive = []

    def __init__(self, layer_name, group):
        super().__init__()
        self.layer_name = layer_name
        self.group = group

    @classmethod
    def create(cls, layer_name, group):
        processor = cls(layer_name, group)
        cls._alive.append(processor)
        return processor

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        source = apply_style(layer, self.layer_name)
        layer.setCustomProperty(STYLE_PROPERTY, source)
        if self.group:
            _move_to_group(layer, context.project(), self.group)


def _move_to_group(layer, project, group_name, parent_name=None, make_group=None, position=None):
    """Moves the layer's tree node into the group `group_name` of the group `parent_name` (made at
    the top of the root when missing), or of the root when parent_name is None. A missing group
    is made by `make_group(parent)`, else at the top of its parent. The node goes at
    `position(group)`, else last. Returns the moved node, or None when the layer is not in the
    project's tree."""
    if project is None:
        return None
    root = project.layerTreeRoot()
    node = root.findLayer(layer.id())
    if node is None:
        return None
    parent = root
    if parent_name is not None:
        parent = root.findGroup(parent_name) or root.insertGroup(0, parent_name)
    group = parent.findGroup(group_name)
    if group is None:
        group = make_group(parent) if make_group else parent.insertGroup(0, group_name)
    clone = node.clone()
    if position is None:
        group.addChildNode(clone)
    else:
        group.insertChildNode(position(group), clone)
    node.parent().removeChildNode(node)
    return clone


def gpkg_layers(path):
    """Layer names of a GeoPackage (or any OGR dataset), in file order."""
    try:
        return [sub.name() for sub in QgsProviderRegistry.instance().querySublayers(path)]
    except AttributeError:  # QGIS < 3.22
        from osgeo import ogr
        ds = ogr.Open(path)
        return [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())] if ds else []


def load_on_completion(context, feedback, uri, name, output_name, layer_type, group=None):
    """Asks Processing to add `uri` to the project when the algorithm completes."""
    details = QgsProcessingContext.LayerDetails(name, context.project(), output_name, layer_type)
    details.setPostProcessor(StylePostProcessor.create(name, group))
    context.addLayerToLoadOnCompletion(uri, details)
    feedback.pushInfo('will load {} ({})'.format(name, uri))


def load_gpkg(context, feedback, path, output_name, group=None, skip=()):
    """Loads every layer of a GeoPackage; returns their names."""
    names = [n for n in gpkg_layers(path) if n not in skip and n != 'layer_styles']
    for n in names:
        load_on_completion(context, feedback, '{}|layername={}'.format(path, n), n, output_name,
                           QgsProcessingUtils.LayerHint.Vector, group)
    return names


def load_raster(context, feedback, path, output_name, group=None):
    name = os.path.splitext(os.path.basename(path))[0]
    load_on_completion(context, feedback, path, name, output_name, QgsProcessingUtils.LayerHint.Raster, group)
    return name


# ---- a run's project: its groups, names, visibility, styles and metadata (issue 15)

def read_project_groups(qgs_path):
    """The layer tree of a run's .qgs, without QGIS: [(group name, group checked, [layer])],
    each layer a dict: name, source (absolute), provider, checked, style (a <qgis> QML document
    from the project's <maplayer>), abstract. In the project's order (top first)."""
    import xml.etree.ElementTree as ET
    root = ET.parse(qgs_path).getroot()
    folder = os.path.dirname(os.path.abspath(qgs_path))
    maplayers = {}
    for ml in root.iter('maplayer'):
        lid = ml.findtext('id')
        qml = ET.Element('qgis', {k: v for k, v in ml.attrib.items()
                                  if k in ('hasScaleBasedVisibilityFlag', 'maxScale', 'minScale')})
        qml.set('styleCategories', 'AllStyleCategories')
        for child in ml:
            if child.tag not in ('id', 'datasource', 'layername', 'srs', 'provider', 'resourceMetadata'):
                qml.append(child)
        maplayers[lid] = {'style': ET.tostring(qml, encoding='unicode'),
                          'abstract': ml.findtext('resourceMetadata/abstract') or ''}
    groups = []
    tree = root.find('layer-tree-group')
    for g in (tree.findall('layer-tree-group') if tree is not None else []):
        layers = []
        for node in g.findall('layer-tree-layer'):
            source = node.get('source', '')
            path, sep, rest = source.partition('|')
            if path.startswith('./'):
                path = path[2:]
            layer = {'name': node.get('name'), 'source': os.path.join(folder, path) + sep + rest,
                     'provider': node.get('providerKey'), 'checked': node.get('checked') == 'Qt::Checked'}
            layer.update(maplayers.get(node.get('id'), {'style': '', 'abstract': ''}))
            layers.append(layer)
        groups.append((g.get('name'), g.get('checked') == 'Qt::Checked', layers))
    return groups


class ProjectLayerPostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Puts a layer of a run's project where the project has it: its group (under the run's
    group), position, name, check state, style (the project's, with scale range) and abstract."""

    _alive = []

    def __init__(self, run_group, group, group_checked, order, layer):
        super().__init__()
        self.run_group, self.group, self.group_checked = run_group, group, group_checked
        self.order, self.layer = order, layer  # order: (group index, layer index)

    @classmethod
    def create(cls, *args):
        processor = cls(*args)
        cls._alive.append(processor)
        return processor

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        from qgis.PyQt.QtXml import QDomDocument
        layer.setName(self.layer['name'])
        source = ''
        if self.layer['style']:
            doc = QDomDocument()
            if doc.setContent(self.layer['style']):
                ok, _ = layer.importNamedStyle(doc)
                source = 'engine' if ok else ''
        if not source:
            source = apply_style(layer, self.layer['name'])
        layer.setCustomProperty(STYLE_PROPERTY, source)
        if self.layer['abstract']:
            md = layer.metadata()
            md.setAbstract(self.layer['abstract'])
            md.setTitle(self.layer['name'])
            layer.setMetadata(md)
        layer.triggerRepaint()

        def ordered_at(parent, key):
            return sum(1 for n in parent.children() if n.customProperty('hotspot/order', 1e9) < key)

        def make_group(run):  # groups in the project's order
            group = run.insertGroup(ordered_at(run, self.order[0]), self.group)
            group.setCustomProperty('hotspot/order', self.order[0])
            group.setItemVisibilityChecked(self.group_checked)
            group.setExpanded(self.group_checked)
            return group

        moved = _move_to_group(layer, context.project(), self.group, parent_name=self.run_group,
                               make_group=make_group, position=lambda group: ordered_at(group, self.order[1]))
        if moved is not None:
            moved.setCustomProperty('hotspot/order', self.order[1])
            moved.setItemVisibilityChecked(self.layer['checked'])
            moved.setExpanded(False)


def load_project_groups(context, feedback, qgs_path, run_group, output_name='OUTPUT'):
    """Loads every layer of a run's .qgs into the current project as the run's project has them:
    a group per profile under `run_group`, only the first profile's group on, the same names,
    styles, check states and abstracts. Returns the layers' names."""
    names = []
    for gi, (group, checked, layers) in enumerate(read_project_groups(qgs_path)):
        for li, layer in enumerate(layers):
            hint = (QgsProcessingUtils.LayerHint.Raster if layer['provider'] == 'gdal'
                    else QgsProcessingUtils.LayerHint.Vector)
            details = QgsProcessingContext.LayerDetails(layer['name'], context.project(), output_name, hint)
            details.setPostProcessor(ProjectLayerPostProcessor.create(run_group, group, checked, (gi, li), layer))
            context.addLayerToLoadOnCompletion(layer['source'], details)
            feedback.pushInfo('will load {} / {} ({})'.format(group, layer['name'], layer['source']))
            names.append(layer['name'])
    return names
