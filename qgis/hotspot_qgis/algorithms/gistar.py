from qgis.core import (QgsProcessing, QgsProcessingOutputString, QgsProcessingParameterBoolean,
                       QgsProcessingParameterDefinition, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber)

from .. import loading
from .base import Args, HotspotAlgorithm, is_set, num

WEIGHTS = ['binary', 'inverse-distance']
CORRECTIONS = ['fdr', 'bonferroni', 'none']


def add_permutation_parameters(alg, label='Conditional permutations for pseudo p-values (0: analytic only)',
                               default=0):
    # `default` is the CLI's own default for the command, so the toolbox and the CLI agree.
    alg.addParameter(QgsProcessingParameterNumber('PERMUTATIONS', label, QgsProcessingParameterNumber.Integer,
                                                  default, minValue=0))
    seed = QgsProcessingParameterNumber('SEED', 'Seed of the permutations (empty: the engine default)',
                                        QgsProcessingParameterNumber.Integer, None, optional=True, minValue=0)
    seed.setFlags(seed.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    alg.addParameter(seed)
    alg.addParameter(QgsProcessingParameterEnum('CORRECTION', 'Multiple-testing correction of p-values',
                                                CORRECTIONS, defaultValue=0))


def permutation_args(alg, parameters, context, args):
    # Always passed: 0 means analytic p-values, not "the engine's default".
    args.add('--permutations', alg.parameterAsInt(parameters, 'PERMUTATIONS', context))
    if is_set(parameters, 'SEED'):
        args.add('--seed', alg.parameterAsInt(parameters, 'SEED', context))
    args.add('--correction', CORRECTIONS[alg.parameterAsEnum(parameters, 'CORRECTION', context)])


class GiStarAlgorithm(HotspotAlgorithm):
    COMMAND = 'gistar'
    NAME = 'gistar'
    DISPLAY_NAME = 'Gi* hot spots'
    HELP = ('<p>Getis-Ord Gi* hot and cold spots of incident counts on grid cells aligned with the heat '
            'map\'s. Each cell gets its z-score, p-value, corrected p-value and a bin from -3 (cold, 99%) to '
            '+3 (hot, 99%), styled as in ArcGIS. Optionally also a z-score GeoTIFF.</p>')
    STAGES = {'read': 20, 'grid': 35, 'gistar': 60, 'write': 85}

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_incident_parameters()
        self.addParameter(QgsProcessingParameterFeatureSource(
            'STUDY_AREA', 'Study area (only cells whose centres lie inside count)',
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.add_distance('CELL', 'Cell size', 100.0, minimum=0.0)
        self.add_distance('BAND', 'Distance band between cell centres (empty: chosen from the data)', None,
                          optional=True)
        self.addParameter(QgsProcessingParameterEnum('WEIGHTS', 'Spatial weights', WEIGHTS, defaultValue=0))
        add_permutation_parameters(self)
        self.addParameter(QgsProcessingParameterBoolean(
            'ALL_CELLS', 'Write every study-area cell (default: cells with incidents or a significant bin)', False))
        self.addParameter(QgsProcessingParameterFileDestination('OUTPUT', 'Gi* cells', 'GeoPackage (*.gpkg)'))
        self.addParameter(QgsProcessingParameterFileDestination(
            'RASTER', 'Gi* z-scores as a GeoTIFF', 'GeoTIFF (*.tif)', optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputString('LAYERS', 'Layers written'))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine = self.engine()
        args = Args(self.COMMAND, engine.flags(self.COMMAND))
        self.incident_args(parameters, context, feedback, args)
        if is_set(parameters, 'STUDY_AREA'):
            args.add('--areas', 'study=' + self.area_path(parameters, 'STUDY_AREA', context, feedback))
        args.add('--cell', num(self.parameterAsDouble(parameters, 'CELL', context)))
        if is_set(parameters, 'BAND') and self.parameterAsDouble(parameters, 'BAND', context) > 0:
            args.add('--band', num(self.parameterAsDouble(parameters, 'BAND', context)))
        args.add('--weights', WEIGHTS[self.parameterAsEnum(parameters, 'WEIGHTS', context)])
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
