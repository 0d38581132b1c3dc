"""Where the plugin's one setting lives: the path of the hotspot executable.

It is a Processing provider setting (Settings > Options > Processing > Providers > hotspot),
stored by Processing in QgsSettings under Processing/Configuration/HOTSPOT_PATH, so it can
also be read when Processing's Python module is not loaded (qgis_process, tests).
"""

from qgis.core import QgsSettings

from .engine import Engine, find_executable

HOTSPOT_PATH = 'HOTSPOT_PATH'
SETTINGS_KEY = 'Processing/Configuration/' + HOTSPOT_PATH


def configured_path():
    try:
        from processing.core.ProcessingConfig import ProcessingConfig
        value = ProcessingConfig.getSetting(HOTSPOT_PATH)
        if value:
            return str(value)
    except Exception:  # Processing's Python module is absent (bare qgis_process run)
        pass
    return str(QgsSettings().value(SETTINGS_KEY, '') or '')


def engine():
    """The Engine to run; raises engine.EngineNotFound with what to do."""
    return Engine(find_executable(configured_path()))
