from qgis.core import (QgsProcessing, QgsProcessingException, QgsProcessingOutputString,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterFileDestination, QgsProcessingParameterNumber)

from .base import Args, HotspotAlgorithm, is_set, num
from .gistar import PERMUTATION_OPTIONS, add_permutation_parameters, permutation_args

# Used only while no hotspot executable is found: the CLI's --json-usage gives the real list.
CI = ['exact', 'byar']


class RatesAlgorithm(HotspotAlgorithm):
    COMMAND = 'rates'
    NAME = 'rates'
    DISPLAY_NAME = 'Area rates and significance'
    HELP = ('<p>Crime rates per ward/LSOA per 1,000 residents with 95% confidence intervals, classed '
            'against the reference rate (e.g. the force rate): significantly above, above, similar, below, '
            'significantly below; with funnel limits, local Moran\'s I and Gi* of the rates. One styled '
            'layer per area level.</p><p>Populations come from a table (CSV or any table loaded in QGIS) '
            'joined by area code, or from a field of the area layer.</p>')
    STAGES = {'read': 20, 'areas': 30, 'geocode': 50, 'rates': 65, 'lisa': 75, 'write': 85}
    CLI_OPTIONS = dict(HotspotAlgorithm.INCIDENT_OPTIONS, POPULATION_FIELD='--population-field',
                       REFERENCE_RATE='--reference-rate', PER='--per', CI='--ci', SNAP='--snap',
                       CONTIGUITY_SNAP='--contiguity-snap', **PERMUTATION_OPTIONS)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_incident_parameters()
        for prefix, label, level, optional in (('AREAS', 'Areas (e.g. wards)', 'ward', False),
                                               ('AREAS2', 'Second areas (e.g. LSOAs)', 'lsoa', True)):
            self.add_area_parameters(prefix, label, level, optional)
            self.addParameter(QgsProcessingParameterFeatureSource(
                prefix + '_POPULATION', 'Population table of ' + label.split(' (')[0].lower() + ' (CSV or table)',
                [QgsProcessing.TypeVector], optional=True))
            self.addParameter(QgsProcessingParameterField(
                prefix + '_POPULATION_CODE', 'Area code column of the population table (default: the first)',
                parentLayerParameterName=prefix + '_POPULATION', optional=True))
            self.addParameter(QgsProcessingParameterField(
                prefix + '_POPULATION_VALUE', 'Population column of the population table (default: the second)',
                parentLayerParameterName=prefix + '_POPULATION', optional=True))
        self.addParameter(QgsProcessingParameterField(
            'POPULATION_FIELD', 'Or: population field of the area layers themselves',
            parentLayerParameterName='AREAS', type=QgsProcessingParameterField.Numeric, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            'REFERENCE_RATE', 'Reference rate per 1,000 residents, e.g. the force rate (empty: the study area\'s '
            'own)', QgsProcessingParameterNumber.Double, self.cli_default('--reference-rate'), optional=True,
            minValue=0))
        self.addParameter(QgsProcessingParameterNumber('PER', 'Rates per this many residents',
                                                       QgsProcessingParameterNumber.Double,
                                                       self.cli_default('--per', 1000), minValue=1))
        self.add_enum('CI', 'Confidence intervals', '--ci', CI)
        self.add_distance('SNAP', 'Snap incidents outside every area to the nearest within (0: none)',
                          self.cli_default('--snap', 0.0), advanced=True)
        self.add_distance('CONTIGUITY_SNAP', 'Areas closer than this are neighbours',
                          self.cli_default('--contiguity-snap'), optional=True, advanced=True)
        add_permutation_parameters(self, 'LISA/Gi* conditional permutations (0: analytic; raised to 2m/q - 1 for m areas under a correction)')
        self.addParameter(QgsProcessingParameterFileDestination('OUTPUT', 'Area rates', 'GeoPackage (*.gpkg)'))
        self.addOutput(QgsProcessingOutputString('LAYERS', 'Layers written'))

    def population_spec(self, parameters, prefix, level, context, feedback):
        path = self.parameterAsCompatibleSourceLayerPath(parameters, prefix + '_POPULATION', context, ['csv'],
                                                         'csv', feedback)
        if not path:
            raise QgsProcessingException('hotspot rates: the population table of {} cannot be read'.format(level))
        spec = '{}={}'.format(level, path)
        code = self.parameterAsString(parameters, prefix + '_POPULATION_CODE', context) \
            if is_set(parameters, prefix + '_POPULATION_CODE') else ''
        value = self.parameterAsString(parameters, prefix + '_POPULATION_VALUE', context) \
            if is_set(parameters, prefix + '_POPULATION_VALUE') else ''
        if value and not code:
            raise QgsProcessingException('hotspot rates: {}: pick the code column too when you pick the '
                                         'population column'.format(level))
        return spec + (':' + code if code else '') + (':' + value if value else '')

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine = self.engine()
        args = Args(self.COMMAND, engine.flags(self.COMMAND))
        self.incident_args(parameters, context, feedback, args)
        for prefix in ('AREAS', 'AREAS2'):
            if prefix == 'AREAS' or is_set(parameters, prefix):
                level, spec = self.area_spec(parameters, prefix, context, feedback)
                args.add('--areas', spec)
                if is_set(parameters, prefix + '_POPULATION'):
                    args.add('--population', self.population_spec(parameters, prefix, level, context, feedback))
        if is_set(parameters, 'POPULATION_FIELD'):
            args.add('--population-field', self.parameterAsString(parameters, 'POPULATION_FIELD', context))
        if is_set(parameters, 'REFERENCE_RATE'):
            args.add('--reference-rate', num(self.parameterAsDouble(parameters, 'REFERENCE_RATE', context)))
        per = self.parameterAsDouble(parameters, 'PER', context)
        if per != self.cli_default('--per', 1000):
            args.add('--per', num(per))
        args.add('--ci', self.enum_value(parameters, 'CI', context))
        snap = self.parameterAsDouble(parameters, 'SNAP', context)
        if snap > 0:
            args.add('--snap', num(snap))
        if is_set(parameters, 'CONTIGUITY_SNAP'):
            args.add('--contiguity-snap', num(self.parameterAsDouble(parameters, 'CONTIGUITY_SNAP', context)))
        permutation_args(self, parameters, context, args)
        out, layers = self.run_to_gpkg(engine, args, parameters, context, feedback)
        return {'OUTPUT': out, 'LAYERS': ','.join(layers)}
