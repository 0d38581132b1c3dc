from qgis.core import (QgsProcessingOutputString, QgsProcessingParameterDefinition, QgsProcessingParameterEnum,
                       QgsProcessingParameterFileDestination, QgsProcessingParameterNumber,
                       QgsProcessingParameterString)

from .base import Args, HotspotAlgorithm, is_set, num


class NearRepeatAlgorithm(HotspotAlgorithm):
    """`hotspot near-repeat`: the Knox table and the risk windows, loaded styled (the windows
    carry their style in the GeoPackage's layer_styles table)."""
    COMMAND = 'near-repeat'
    NAME = 'near_repeat'
    DISPLAY_NAME = 'Near repeats (Knox test) and risk windows'
    HELP = ('<p>The Knox test of near repeats: pairs of incidents per distance band &times; time band, '
            'observed against expected by permuting the dates (seeded), the Knox ratio and a pseudo p-value '
            'per cell, with the same-location band kept apart. Then the raised-risk windows (for '
            'cocooning): buffers round the incidents of the last days of the data, labelled with the date '
            'they expire. Needs day-level dates: police.uk files (months only) are refused.</p>')
    STAGES = {'read': 10, 'near-repeat': 50, 'write': 90}
    CLI_OPTIONS = dict(HotspotAlgorithm.INCIDENT_OPTIONS, DISTANCE_BAND='--distance-band',
                       DISTANCE_BANDS='--distance-bands', DAY_BAND='--day-band', DAY_BANDS='--day-bands',
                       PERMUTATIONS='--permutations', SEED='--seed', ALPHA='--alpha', RECENT_DAYS='--recent-days',
                       WHAT='--what')
    COMPAT = ['true limits (0\u2013100 m, 7\u201314 days)', 'Near Repeat Calculator (1 to 100, 8 to 14)']

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_incident_parameters()
        self.add_distance('DISTANCE_BAND', 'Width of each distance band', self.cli_default('--distance-band', 100),
                          minimum=0.0)
        self.addParameter(QgsProcessingParameterNumber('DISTANCE_BANDS', 'Number of distance bands',
                                                       QgsProcessingParameterNumber.Integer,
                                                       self.cli_default('--distance-bands', 3), minValue=1))
        self.addParameter(QgsProcessingParameterNumber('DAY_BAND', 'Width of each time band, days',
                                                       QgsProcessingParameterNumber.Integer,
                                                       self.cli_default('--day-band', 7), minValue=1))
        self.addParameter(QgsProcessingParameterNumber('DAY_BANDS', 'Number of time bands',
                                                       QgsProcessingParameterNumber.Integer,
                                                       self.cli_default('--day-bands', 3), minValue=1))
        self.addParameter(QgsProcessingParameterNumber('PERMUTATIONS', 'Monte Carlo permutations of the dates',
                                                       QgsProcessingParameterNumber.Integer,
                                                       self.cli_default('--permutations', 999), minValue=1))
        seed = QgsProcessingParameterNumber('SEED', 'Seed of the permutations', QgsProcessingParameterNumber.Integer,
                                            self.cli_default('--seed'), optional=True, minValue=0)
        seed.setFlags(seed.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(seed)
        self.addParameter(QgsProcessingParameterNumber('ALPHA', 'Significance level', QgsProcessingParameterNumber.Double,
                                                       self.cli_default('--alpha', 0.05), minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterNumber('RECENT_DAYS',
                                                       'Risk windows round the incidents of the last N days (0: none)',
                                                       QgsProcessingParameterNumber.Integer,
                                                       self.cli_default('--recent-days', 28), minValue=0))
        self.addParameter(QgsProcessingParameterEnum('COMPAT', 'Band labels', self.COMPAT, defaultValue=0))
        self.addParameter(QgsProcessingParameterString('WHAT', 'What the incidents are, for the sentence',
                                                       self.cli_default('--what', 'incidents')))
        self.addParameter(QgsProcessingParameterFileDestination('OUTPUT', 'Knox table and risk windows',
                                                                'GeoPackage (*.gpkg)'))
        self.addOutput(QgsProcessingOutputString('LAYERS', 'Layers written'))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine = self.engine()
        args = Args(self.COMMAND, engine.flags(self.COMMAND))
        self.incident_args(parameters, context, feedback, args)
        args.add('--distance-band', num(self.parameterAsDouble(parameters, 'DISTANCE_BAND', context)))
        for name, flag in (('DISTANCE_BANDS', '--distance-bands'), ('DAY_BAND', '--day-band'),
                           ('DAY_BANDS', '--day-bands'), ('PERMUTATIONS', '--permutations'),
                           ('RECENT_DAYS', '--recent-days')):
            args.add(flag, self.parameterAsInt(parameters, name, context))
        if is_set(parameters, 'SEED'):
            args.add('--seed', self.parameterAsInt(parameters, 'SEED', context))
        args.add('--alpha', num(self.parameterAsDouble(parameters, 'ALPHA', context)))
        if self.parameterAsEnum(parameters, 'COMPAT', context) == 1:
            args.add('--compat', 'nrc')
        args.add('--what', self.parameterAsString(parameters, 'WHAT', context) or 'incidents')
        out, layers = self.run_to_gpkg(engine, args, parameters, context, feedback)
        return {'OUTPUT': out, 'LAYERS': ','.join(layers)}
