from qgis.core import (QgsProcessing, QgsProcessingOutputString, QgsProcessingParameterBoolean,
                       QgsProcessingParameterDefinition,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber)

from .. import loading
from .base import HotspotAlgorithm, is_set, num

# Used only while no hotspot executable is found: the CLI's --json-usage gives the real lists.
WEIGHTS = ['binary', 'inverse-distance']
CORRECTIONS = ['fdr', 'bonferroni', 'none']
PERMUTATION_OPTIONS = {'PERMUTATIONS': '--permutations', 'SEED': '--seed', 'CORRECTION': '--correction'}


def add_permutation_parameters(alg, label='Conditional permutations for pseudo p-values (0: analytic only)'):
    # The defaults are the command's own (gistar and rates differ), read from the CLI.
    alg.addParameter(QgsProcessingParameterNumber('PERMUTATIONS', label, QgsProcessingParameterNumber.Integer,
                                                  alg.cli_default('--permutations', 0), minValue=0))
    seed = QgsProcessingParameterNumber('SEED', 'Seed of the permutations', QgsProcessingParameterNumber.Integer,
                                        alg.cli_default('--seed'), optional=True, minValue=0)
    seed.setFlags(seed.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    alg.addParameter(seed)
    alg.add_enum('CORRECTION', 'Multiple-testing correction of p-values', '--correction', CORRECTIONS)


def permutation_args(alg, parameters, context, args):
    # Always passed: 0 means analytic p-values, not "the engine's default".
    args.add('--permutations', alg.parameterAsInt(parameters, 'PERMUTATIONS', context))
    if is_set(parameters, 'SEED'):
        args.add('--seed', alg.parameterAsInt(parameters, 'SEED', context))
    args.add('--correction', alg.enum_value(parameters, 'CORRECTION', context))


class GiStarAlgorithm(HotspotAlgorithm):
    COMMAND = 'gistar'
    NAME = 'gistar'
    DISPLAY_NAME = 'Gi* hot spots'
    HELP = ('<p>Getis-Ord Gi* hot and cold spots of incident counts on grid cells aligned with the heat '
            'map\'s. Each cell gets its z-score, p-value, corrected p-value and a bin from -3 (cold, 99%) to '
            '+3 (hot, 99%), styled as in ArcGIS. Optionally also a z-score GeoTIFF.</p>')
    STAGES = {'read': 20, 'grid': 35, 'gistar': 60, 'write': 85}
    CLI_OPTIONS = dict(HotspotAlgorithm.INCIDENT_OPTIONS, CELL='--cell', BAND='--band', WEIGHTS='--weights',
                       ALL_CELLS='--all-cells', **PERMUTATION_OPTIONS)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_incident_parameters()
        self.addParameter(QgsProcessingParameterFeatureSource(
            'STUDY_AREA', 'Study area (only cells whose centres lie inside count)',
            [QgsProcessing.TypeVectorPolygon], optional=True))
        # No default cell: the CLI has none (cells should match the heat map's).
        self.add_distance('CELL', 'Cell size (use the heat map\'s)', self.cli_default('--cell'), minimum=0.0)
        self.add_distance('BAND', 'Distance band between cell centres (empty: chosen from the data)',
                          self.cli_default('--band'), optional=True)
        self.add_enum('WEIGHTS', 'Spatial weights', '--weights', WEIGHTS)
        add_permutation_parameters(self)
        self.addParameter(QgsProcessingParameterBoolean(
            'ALL_CELLS', 'Write every study-area cell (default: cells with incidents or a significant bin)',
            self.cli_default('--all-cells', False)))
        self.addParameter(QgsProcessingParameterFileDestination('OUTPUT', 'Gi* cells', 'GeoPackage (*.gpkg)'))
        self.addParameter(QgsProcessingParameterFileDestination(
            'RASTER', 'Gi* z-scores as a GeoTIFF', 'GeoTIFF (*.tif)', optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputString('LAYERS', 'Layers written'))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine, args = self.study_command(parameters, context, feedback)
        args.add('--cell', num(self.parameterAsDouble(parameters, 'CELL', context)))
        if is_set(parameters, 'BAND') and self.parameterAsDouble(parameters, 'BAND', context) > 0:
            args.add('--band', num(self.parameterAsDouble(parameters, 'BAND', context)))
        args.add('--weights', self.enum_value(parameters, 'WEIGHTS', context))
        permutation_args(self, parameters, context, args)
        args.flag('--all-cells', self.parameterAsBool(parameters, 'ALL_CELLS', context))
        out = self.parameterAsFileOutput(parameters, 'OUTPUT', context)
        args.add('--out', out)
        raster = self.parameterAsFileOutput(parameters, 'RASTER', context) if is_set(parameters, 'RASTER') else ''
        if raster:
            args.add('--raster', raster)
        args.flag('--overwrite', True)
        self.run_engine(engine, args, feedback)
        layers = loading.load_gpkg(context, feedback, out, 'OUTPUT')
        if raster:
            layers.append(loading.load_raster(context, feedback, raster, 'RASTER'))
        return {'OUTPUT': out, 'RASTER': raster or None, 'LAYERS': ','.join(layers)}
