from qgis.core import QgsProcessingOutputString, QgsProcessingParameterFileDestination, QgsProcessingParameterString

from .base import Args, HotspotAlgorithm, is_set

# Used only while no hotspot executable is found: the CLI's --json-usage gives the real list.
MIDNIGHT = ['detect', 'unknown', 'keep']


class HoursAlgorithm(HotspotAlgorithm):
    COMMAND = 'hours'
    NAME = 'hours'
    DISPLAY_NAME = 'Hours of the week'
    HELP = ('<p>A 7 x 24 table of incidents by weekday and hour (CSV), with the incidents whose time is '
            'unknown counted apart, never as midnight. 00:00 used as "time unknown" by a records system is '
            'detected and said so. police.uk data have no times: then no table is written.</p>')
    STAGES = {'read': 40, 'write': 90}
    CLI_OPTIONS = dict(HotspotAlgorithm.INCIDENT_OPTIONS, PROFILE='--profile', MIDNIGHT='--midnight')

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_incident_parameters()
        self.addParameter(QgsProcessingParameterString(
            'PROFILE', 'Built-in profile selecting the incidents (empty: all)', self.cli_default('--profile'), optional=True))
        self.add_enum('MIDNIGHT', '00:00 as "time unknown"', '--midnight', MIDNIGHT)
        self.addParameter(QgsProcessingParameterFileDestination('OUTPUT', 'Hours of the week', 'CSV (*.csv)'))
        self.addOutput(QgsProcessingOutputString('LAYERS', 'Layers written'))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine = self.engine()
        args = Args(self.COMMAND, engine.flags(self.COMMAND))
        self.incident_args(parameters, context, feedback, args)
        profile = self.parameterAsString(parameters, 'PROFILE', context) if is_set(parameters, 'PROFILE') else ''
        if profile:
            args.add('--profile', profile)
        args.add('--midnight', self.enum_value(parameters, 'MIDNIGHT', context))
        out = self.parameterAsFileOutput(parameters, 'OUTPUT', context)
        args.add('--out', out)
        args.flag('--overwrite', True)
        self.run_engine(engine, args, feedback)
        return {'OUTPUT': out, 'LAYERS': ''}
