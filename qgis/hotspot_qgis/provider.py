"""The Processing provider: one algorithm class per engine command."""

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import settings
from .algorithms import ALGORITHMS

ICON = os.path.join(os.path.dirname(__file__), 'icon.png')


class HotspotProvider(QgsProcessingProvider):
    def id(self):
        return 'hotspot'

    def name(self):
        return 'hotspot'

    def longName(self):  # noqa: N802
        return 'hotspot crime hot spot engine'

    def icon(self):
        return QIcon(ICON)

    def svgIconPath(self):  # noqa: N802
        return ICON

    def load(self):
        try:
            from processing.core.ProcessingConfig import ProcessingConfig, Setting
            ProcessingConfig.settingIcons[self.name()] = self.icon()
            ProcessingConfig.addSetting(Setting(self.name(), settings.HOTSPOT_PATH,
                                                'hotspot executable (empty: found on PATH)', '',
                                                valuetype=Setting.FILE))
            ProcessingConfig.readSettings()
        except ImportError:  # no Processing Python module: the QgsSettings key still works
            pass
        self.refreshAlgorithms()
        return True

    def unload(self):
        try:
            from processing.core.ProcessingConfig import ProcessingConfig
            ProcessingConfig.removeSetting(settings.HOTSPOT_PATH)
        except (ImportError, KeyError):
            pass

    def loadAlgorithms(self):  # noqa: N802
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())
