from qgis.core import (QgsProcessing, QgsProcessingOutputString, QgsProcessingParameterBoolean,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterString)

from .. import loading
from .base import HotspotAlgorithm, is_set, num

# Used only while no hotspot executable is found: the CLI's --json-usage gives the real lists.
CORRECTIONS = ['fdr', 'bonferroni', 'none']
TESTS = ['auto', 'normal', 'exact']


class EmergingAlgorithm(HotspotAlgorithm):
    COMMAND = 'emerging'
    NAME = 'emerging'
    DISPLAY_NAME = 'Emerging hot spots'
    HELP = ('<p>Emerging and persistent hot spots over monthly slices: Gi* per month on grid cells aligned with '
            'the heat map\'s, a Mann-Kendall trend of each cell\'s z, and each cell classed with ArcGIS\'s '
            'Emerging Hot Spot categories (new, consecutive, intensifying, persistent, diminishing, sporadic, '
            'oscillating, historical; hot and cold) and sfhotspot\'s persistence classes (persistent, emerging, '
            'former, intermittent). Needs at least 12 months of dated incidents by default.</p>')
    STAGES = {'read': 20, 'emerging': 60, 'write': 90}
    CLI_OPTIONS = dict(HotspotAlgorithm.INCIDENT_OPTIONS, PROFILE='--profile', CELL='--cell', BAND='--band',
                       FROM_MONTH='--from-month', TO_MONTH='--to-month', ALPHA='--alpha', CORRECTION='--correction',
                       GISTAR_TEST='--gistar-test', MIN_SLICES='--min-slices', ALL_CELLS='--all-cells')

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_incident_parameters()
        self.addParameter(QgsProcessingParameterFeatureSource(
            'STUDY_AREA', 'Study area (only cells whose centres lie inside count)',
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterString(
            'PROFILE', 'Built-in profile selecting the incidents (empty: all)', self.cli_default('--profile'), optional=True))
        self.add_distance('CELL', 'Cell size (use the heat map\'s)', self.cli_default('--cell'), minimum=0.0)
        self.add_distance('BAND', 'Distance band between cell centres (empty: the 3 x 3 neighbours)',
                          self.cli_default('--band'), optional=True)
        self.addParameter(QgsProcessingParameterString('FROM_MONTH', 'First month YYYY-MM (empty: the data\'s)',
                                                       self.cli_default('--from-month'), optional=True))
        self.addParameter(QgsProcessingParameterString('TO_MONTH', 'Last month YYYY-MM (empty: the data\'s)',
                                                       self.cli_default('--to-month'), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            'ALPHA', 'Significance of a month\'s Gi* and of the trend', QgsProcessingParameterNumber.Double,
            self.cli_default('--alpha', 0.05), minValue=0.0001, maxValue=0.5))
        self.add_enum('CORRECTION', 'Correction over each month\'s cells', '--correction', CORRECTIONS, advanced=True)
        self.add_enum('GISTAR_TEST', 'p of each cell and month', '--gistar-test', TESTS, advanced=True)
        self.addParameter(QgsProcessingParameterNumber(
            'MIN_SLICES', 'Fewest monthly slices accepted', QgsProcessingParameterNumber.Integer,
            self.cli_default('--min-slices', 12), minValue=3))
        self.addParameter(QgsProcessingParameterBoolean(
            'ALL_CELLS', 'Write every study-area cell (default: cells with a pattern)',
            self.cli_default('--all-cells', False)))
        self.addParameter(QgsProcessingParameterFileDestination('OUTPUT', 'Emerging hot spot cells', 'GeoPackage (*.gpkg)'))
        self.addOutput(QgsProcessingOutputString('LAYERS', 'Layers written'))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine, args = self.study_command(parameters, context, feedback)
        for name, flag in (('PROFILE', '--profile'), ('FROM_MONTH', '--from-month'), ('TO_MONTH', '--to-month')):
            value = self.parameterAsString(parameters, name, context) if is_set(parameters, name) else ''
            if value:
                args.add(flag, value)
        args.add('--cell', num(self.parameterAsDouble(parameters, 'CELL', context)))
        if is_set(parameters, 'BAND') and self.parameterAsDouble(parameters, 'BAND', context) > 0:
            args.add('--band', num(self.parameterAsDouble(parameters, 'BAND', context)))
        args.add('--alpha', num(self.parameterAsDouble(parameters, 'ALPHA', context)))
        args.add('--correction', self.enum_value(parameters, 'CORRECTION', context))
        args.add('--gistar-test', self.enum_value(parameters, 'GISTAR_TEST', context))
        args.add('--min-slices', self.parameterAsInt(parameters, 'MIN_SLICES', context))
        args.flag('--all-cells', self.parameterAsBool(parameters, 'ALL_CELLS', context))
        out = self.parameterAsFileOutput(parameters, 'OUTPUT', context)
        args.add('--out', out)
        args.flag('--overwrite', True)
        self.run_engine(engine, args, feedback)
        layers = loading.load_gpkg(context, feedback, out, 'OUTPUT')
        return {'OUTPUT': out, 'LAYERS': ','.join(layers)}
