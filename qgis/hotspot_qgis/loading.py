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


def _move_to_group(layer, project, group_name):
    if project is None:
        return
    root = project.layerTreeRoot()
    node = root.findLayer(layer.id())
    if node is None:
        return
    group = root.findGroup(group_name) or root.insertGroup(0, group_name)
    clone = node.clone()
    group.addChildNode(clone)
    node.parent().removeChildNode(node)


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
