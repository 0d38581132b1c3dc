from qgis.core import (QgsProcessingParameterBoolean, QgsProcessingParameterDefinition, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterFileDestination,
                       QgsProcessingOutputRasterLayer, QgsProcessing)

from .. import loading
from .base import Args, HotspotAlgorithm, is_set, num

KERNELS = ['quartic', 'triweight', 'epanechnikov', 'triangular', 'uniform', 'gaussian']
BANDWIDTHS = ['fixed (the distance below)', 'auto:scott', 'auto:silverman', 'auto:arcgis', 'auto:ppl']
UNITS = ['per-km2', 'per-m2', 'raw', 'relative']
COMPAT = ['none', 'qgis-raw', 'qgis-scaled', 'qgis-scaled-legacy', 'arcgis', 'spatstat']


class KdeAlgorithm(HotspotAlgorithm):
    COMMAND = 'kde'
    NAME = 'kde'
    DISPLAY_NAME = 'Kernel density heat map'
    HELP = ('<p>Kernel density surface of the incidents as a styled Cloud Optimized GeoTIFF on a grid aligned '
            'to a multiple of the cell size, so surfaces of different runs overlay. The default (quartic '
            'kernel, per km²) integrates to the number of incidents. Cells outside the study area are '
            'nodata.</p>')
    STAGES = {'read': 20, 'kde': 50, 'raster': 85}

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_incident_parameters()
        self.addParameter(QgsProcessingParameterFeatureSource(
            'STUDY_AREA', 'Study area (cells outside it are nodata)', [QgsProcessing.TypeVectorPolygon],
            optional=True))
        self.addParameter(QgsProcessingParameterEnum('KERNEL', 'Kernel', KERNELS, defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum('BANDWIDTH_METHOD', 'Bandwidth', BANDWIDTHS, defaultValue=0))
        self.add_distance('BANDWIDTH', 'Bandwidth (search radius; sigma for gaussian)', 250.0, minimum=0.0)
        self.add_distance('CELL', 'Cell size (empty: shorter side of the study area / 150)', None, optional=True)
        self.addParameter(QgsProcessingParameterEnum('UNITS', 'Units', UNITS, defaultValue=0))
        compat = QgsProcessingParameterEnum('COMPAT', "Reproduce another tool's convention", COMPAT, defaultValue=0)
        compat.setFlags(compat.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(compat)
        self.addParameter(QgsProcessingParameterBoolean(
            'EDGE_CORRECTION', 'Diggle edge correction against the study area', False))
        self.addParameter(QgsProcessingParameterBoolean('PNG', 'Also write an RGBA quick-look PNG', False))
        self.addParameter(QgsProcessingParameterFileDestination('OUTPUT', 'Heat map', 'GeoTIFF (*.tif)'))
        self.addOutput(QgsProcessingOutputRasterLayer('OUTPUT_LAYER', 'Heat map layer'))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine = self.engine()
        args = Args(self.COMMAND, engine.flags(self.COMMAND))
        self.incident_args(parameters, context, feedback, args)
        if is_set(parameters, 'STUDY_AREA'):
            args.add('--areas', 'study=' + self.area_path(parameters, 'STUDY_AREA', context, feedback))
        args.add('--kernel', KERNELS[self.parameterAsEnum(parameters, 'KERNEL', context)])
        method = self.parameterAsEnum(parameters, 'BANDWIDTH_METHOD', context)
        args.add('--bandwidth', BANDWIDTHS[method] if method else num(
            self.parameterAsDouble(parameters, 'BANDWIDTH', context)))
        if is_set(parameters, 'CELL') and self.parameterAsDouble(parameters, 'CELL', context) > 0:
            args.add('--cell', num(self.parameterAsDouble(parameters, 'CELL', context)))
        args.add('--units', UNITS[self.parameterAsEnum(parameters, 'UNITS', context)])
        compat = COMPAT[self.parameterAsEnum(parameters, 'COMPAT', context)]
        if compat != 'none':
            args.add('--compat', compat)
        args.flag('--edge-correction', self.parameterAsBool(parameters, 'EDGE_CORRECTION', context))
        args.flag('--png', self.parameterAsBool(parameters, 'PNG', context))
        out = self.parameterAsFileOutput(parameters, 'OUTPUT', context)
        args.add('--out', out)
        args.flag('--overwrite', True)
        self.run_engine(engine, args, feedback)
        loading.load_raster(context, feedback, out, 'OUTPUT')
        return {'OUTPUT': out, 'OUTPUT_LAYER': out}
