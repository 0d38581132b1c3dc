"""hotspot: the crime hot spot engine in the QGIS Processing toolbox.

QGIS calls classFactory() when the plugin is loaded; the Processing provider is registered
from initProcessing() so that the algorithms also exist in headless `qgis_process` runs.
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import HotspotPlugin
    return HotspotPlugin(iface)
