from qgis.core import (QgsProcessingOutputString, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterString)

from .. import loading
from .base import Args, HotspotAlgorithm, is_set, num


class ChangeAlgorithm(HotspotAlgorithm):
    COMMAND = 'change'
    NAME = 'change'
    DISPLAY_NAME = 'Direction of travel'
    HELP = ('<p>Is crime going up or down, and is that more than chance? Counts in a period and a comparison '
            'period with the exact conditional test of two Poisson counts and a class (significant increase '
            'to significant decrease), for the study area and each area; monthly Mann-Kendall trends with '
            'Sen\'s slope. Without periods: the last 12 months against the 12 before.</p>')
    STAGES = {'read': 20, 'geocode': 50, 'change': 70, 'write': 90}
    CLI_OPTIONS = dict(HotspotAlgorithm.INCIDENT_OPTIONS, PROFILE='--profile', PERIOD_FROM='--period-from',
                       PERIOD_TO='--period-to', COMPARE_FROM='--compare-from', COMPARE_TO='--compare-to',
                       P_INCREASE='--p-increase', P_SIGNIFICANT='--p-significant', SNAP='--snap')
    MONTHS = (('PERIOD_FROM', '--period-from', 'First month of the period, YYYY-MM'),
              ('PERIOD_TO', '--period-to', 'Last month of the period, YYYY-MM'),
              ('COMPARE_FROM', '--compare-from', 'First month of the comparison period, YYYY-MM'),
              ('COMPARE_TO', '--compare-to', 'Last month of the comparison period (none of the four: the last '
                                             '12 months against the 12 before)'))

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_incident_parameters()
        self.add_area_parameters('AREAS', 'Areas (e.g. wards)', 'ward', True)
        self.addParameter(QgsProcessingParameterString(
            'PROFILE', 'Built-in profile selecting the incidents (empty: all)', self.cli_default('--profile'), optional=True))
        for name, flag, label in self.MONTHS:
            self.addParameter(QgsProcessingParameterString(name, label, self.cli_default(flag), optional=True))
        for name, flag, label in (('P_INCREASE', '--p-increase', 'p below which a change is an increase/decrease'),
                                  ('P_SIGNIFICANT', '--p-significant',
                                   'p below which a change is a significant increase/decrease')):
            self.addParameter(QgsProcessingParameterNumber(name, label, QgsProcessingParameterNumber.Double,
                                                           self.cli_default(flag), minValue=0, maxValue=1))
        self.add_distance('SNAP', 'Snap incidents outside every area to the nearest within (0: none)',
                          self.cli_default('--snap', 0.0), advanced=True)
        self.addParameter(QgsProcessingParameterFileDestination('OUTPUT', 'Direction of travel', 'GeoPackage (*.gpkg)'))
        self.addOutput(QgsProcessingOutputString('LAYERS', 'Layers written'))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine = self.engine()
        args = Args(self.COMMAND, engine.flags(self.COMMAND))
        self.incident_args(parameters, context, feedback, args)
        if is_set(parameters, 'AREAS'):
            args.add('--areas', self.area_spec(parameters, 'AREAS', context, feedback)[1])
        for name, flag in [('PROFILE', '--profile')] + [(m[0], m[1]) for m in self.MONTHS]:
            value = self.parameterAsString(parameters, name, context) if is_set(parameters, name) else ''
            if value:
                args.add(flag, value)
        for name, flag in (('P_INCREASE', '--p-increase'), ('P_SIGNIFICANT', '--p-significant')):
            if is_set(parameters, name):
                args.add(flag, num(self.parameterAsDouble(parameters, name, context)))
        snap = self.parameterAsDouble(parameters, 'SNAP', context)
        if snap > 0:
            args.add('--snap', num(snap))
        out = self.parameterAsFileOutput(parameters, 'OUTPUT', context)
        args.add('--out', out)
        args.flag('--overwrite', True)
        self.run_engine(engine, args, feedback)
        layers = loading.load_gpkg(context, feedback, out, 'OUTPUT')
        return {'OUTPUT': out, 'LAYERS': ','.join(layers)}
