from qgis.core import (QgsProcessingException, QgsProcessingParameterBoolean, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterFileDestination, QgsProcessingOutputRasterLayer, QgsProcessing)

from .. import loading
from .base import HotspotAlgorithm, is_set, num

# Used only while no hotspot executable is found: the CLI's --json-usage gives the real lists.
KERNELS = ['quartic', 'triweight', 'epanechnikov', 'triangular', 'uniform', 'gaussian']
UNITS = ['per-km2', 'per-m2', 'raw', 'relative']
COMPAT = ['none', 'qgis-raw', 'qgis-scaled', 'qgis-scaled-legacy', 'arcgis', 'spatstat']
# The automatic rules of --bandwidth (bandwidth.hpp); the first entry means "the distance below".
BANDWIDTHS = ['fixed (the distance below)', 'auto:scott', 'auto:silverman', 'auto:arcgis', 'auto:ppl']


class KdeAlgorithm(HotspotAlgorithm):
    COMMAND = 'kde'
    NAME = 'kde'
    DISPLAY_NAME = 'Kernel density heat map'
    HELP = ('<p>Kernel density surface of the incidents as a styled Cloud Optimized GeoTIFF on a grid aligned '
            'to a multiple of the cell size, so surfaces of different runs overlay. The default (quartic '
            'kernel, per km²) integrates to the number of incidents. Cells outside the study area are '
            'nodata.</p>')
    STAGES = {'read': 20, 'kde': 50, 'raster': 85}
    CLI_OPTIONS = dict(HotspotAlgorithm.INCIDENT_OPTIONS, KERNEL='--kernel', BANDWIDTH='--bandwidth', CELL='--cell',
                       UNITS='--units', COMPAT='--compat', WEIGHT='--weight', EDGE_CORRECTION='--edge-correction',
                       PNG='--png')

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_incident_parameters()
        self.addParameter(QgsProcessingParameterFeatureSource(
            'STUDY_AREA', 'Study area (cells outside it are nodata)', [QgsProcessing.TypeVectorPolygon],
            optional=True))
        self.add_enum('KERNEL', 'Kernel', '--kernel', KERNELS)
        self.addParameter(QgsProcessingParameterEnum('BANDWIDTH_METHOD', 'Bandwidth', BANDWIDTHS, defaultValue=0))
        # No default: the CLI has none (a search radius is a choice to make, or take an auto rule).
        self.add_distance('BANDWIDTH', 'Bandwidth (search radius; sigma for gaussian; needed when fixed)',
                          self.cli_default('--bandwidth'), optional=True)
        self.add_distance('CELL', 'Cell size (empty: shorter side of the study area / 150)',
                          self.cli_default('--cell'), optional=True)
        self.add_enum('UNITS', 'Units', '--units', UNITS)
        self.add_enum('COMPAT', "Reproduce another tool's convention", '--compat', COMPAT, advanced=True)
        self.addParameter(QgsProcessingParameterField(
            'WEIGHT', 'Weight of each incident (a numeric field, e.g. a harm score; empty: 1 each)',
            parentLayerParameterName='INCIDENTS', type=QgsProcessingParameterField.Numeric, optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            'EDGE_CORRECTION', 'Diggle edge correction against the study area', self.cli_default('--edge-correction', False)))
        self.addParameter(QgsProcessingParameterBoolean('PNG', 'Also write an RGBA quick-look PNG',
                                                        self.cli_default('--png', False)))
        self.addParameter(QgsProcessingParameterFileDestination('OUTPUT', 'Heat map', 'GeoTIFF (*.tif)'))
        self.addOutput(QgsProcessingOutputRasterLayer('OUTPUT_LAYER', 'Heat map layer'))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine, args = self.study_command(parameters, context, feedback)
        args.add('--kernel', self.enum_value(parameters, 'KERNEL', context))
        method = self.parameterAsEnum(parameters, 'BANDWIDTH_METHOD', context)
        if method:
            args.add('--bandwidth', BANDWIDTHS[method])
        elif is_set(parameters, 'BANDWIDTH') and self.parameterAsDouble(parameters, 'BANDWIDTH', context) > 0:
            args.add('--bandwidth', num(self.parameterAsDouble(parameters, 'BANDWIDTH', context)))
        else:
            raise QgsProcessingException('hotspot kde: give the bandwidth (the search radius in metres), or choose '
                                         'an automatic bandwidth rule')
        if is_set(parameters, 'CELL') and self.parameterAsDouble(parameters, 'CELL', context) > 0:
            args.add('--cell', num(self.parameterAsDouble(parameters, 'CELL', context)))
        args.add('--units', self.enum_value(parameters, 'UNITS', context))
        compat = self.enum_value(parameters, 'COMPAT', context)
        if compat != self.cli_default('--compat', 'none'):
            args.add('--compat', compat)
        if is_set(parameters, 'WEIGHT'):
            args.add('--weight', self.parameterAsString(parameters, 'WEIGHT', context))
        args.flag('--edge-correction', self.parameterAsBool(parameters, 'EDGE_CORRECTION', context))
        args.flag('--png', self.parameterAsBool(parameters, 'PNG', context))
        out = self.parameterAsFileOutput(parameters, 'OUTPUT', context)
        args.add('--out', out)
        args.flag('--overwrite', True)
        self.run_engine(engine, args, feedback)
        loading.load_raster(context, feedback, out, 'OUTPUT')
        return {'OUTPUT': out, 'OUTPUT_LAYER': out}
