"""What every hotspot algorithm shares: the incident-reading parameters, turning QGIS inputs
into paths the engine reads, running the CLI with feedback, and loading its outputs.

Parameters map one to one onto the CLI's options; an option this hotspot's CLI does not list is
an error naming it (the plugin may be newer or older than the CLI). A parameter that mirrors an
option (CLI_OPTIONS) takes its default, and an enum its choices, from the CLI's own description
(`hotspot COMMAND --json-usage`), so the toolbox and the CLI agree (tests/qgis/test_plugin.py
checks it). The fallbacks in the algorithms are used only while no hotspot executable is found,
so that the dialog still opens and says what to do when run.
"""

import os

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsProcessing, QgsProcessingAlgorithm,
                       QgsProcessingException, QgsProcessingParameterCrs, QgsProcessingParameterDefinition,
                       QgsProcessingParameterDistance, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterString, QgsUnitTypes)
from qgis.PyQt.QtGui import QIcon

from .. import engine as eng
from .. import loading
from .. import settings

ICON = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'icon.png')

INCIDENT_FORMATS = ['csv', 'gpkg', 'shp', 'geojson', 'json', 'fgb']
AREA_FORMATS = ['gpkg', 'geojson', 'json', 'shp', 'fgb']


def is_set(parameters, name):
    value = parameters.get(name)
    return value is not None and value != '' and value != []


class HotspotAlgorithm(QgsProcessingAlgorithm):
    """One engine command. Subclasses set COMMAND, NAME, DISPLAY_NAME, HELP and implement
    initAlgorithm() and build_args()/load_outputs()."""

    COMMAND = ''
    NAME = ''
    DISPLAY_NAME = ''
    HELP = ''
    STAGES = None  # stage name -> percent, for progress without --progress-json
    # Parameter name -> the CLI flag it mirrors; its default (and an enum's choices) are the CLI's.
    INCIDENT_OPTIONS = {'X_FIELD': '--x', 'Y_FIELD': '--y', 'ID_FIELD': '--id', 'CATEGORY_FIELD': '--category',
                        'DATE_FIELD': '--date', 'TIME_FIELD': '--time', 'CRS': '--crs',
                        'WORKING_CRS': '--working-crs'}
    CLI_OPTIONS = {}

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802
        return self.DISPLAY_NAME

    def group(self):
        return 'Crime hot spots'

    def groupId(self):  # noqa: N802
        return 'crime'

    def shortHelpString(self):  # noqa: N802
        return self.HELP + '<p>Runs <code>hotspot {}</code>; set the path of the hotspot executable in ' \
            'Settings &gt; Options &gt; Processing &gt; Providers &gt; hotspot when it is not on PATH.</p>'.format(
                self.COMMAND)

    def icon(self):
        return QIcon(ICON)

    def createInstance(self):  # noqa: N802
        return type(self)()

    # ---- the CLI's description of its options (--json-usage) ----------------------------------

    def cli_option(self, flag):
        """The CLI's description of one of this command's options (see engine.parse_usage), or None
        when no hotspot executable is found (or it predates --json-usage)."""
        try:
            return settings.engine().option(self.COMMAND, flag)
        except eng.EngineNotFound:
            return None

    def cli_default(self, flag, fallback=None):
        """The CLI's default of `flag` as a Python value (None: it has none); `fallback` only when the
        CLI cannot be asked."""
        option = self.cli_option(flag)
        return eng.typed_default(option) if option is not None else fallback

    def add_enum(self, name, label, flag, fallback_choices, advanced=False):
        """An enum parameter whose choices and default are the CLI's for `flag`. Returns the choices."""
        option = self.cli_option(flag)
        choices = list(option['choices']) if option and option.get('choices') else list(fallback_choices)
        default = eng.typed_default(option) if option is not None else choices[0]
        p = QgsProcessingParameterEnum(name, label, choices,
                                       defaultValue=choices.index(default) if default in choices else 0)
        if advanced:
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(p)
        return choices

    def enum_value(self, parameters, name, context):
        """The text of the chosen entry of an enum parameter."""
        return self.parameterDefinition(name).options()[self.parameterAsEnum(parameters, name, context)]

    # ---- parameters shared by the commands that read incidents -----------------------------

    def add_incident_parameters(self, optional=False, label='Incidents (a layer, or a CSV / GeoPackage / '
                                'Shapefile / GeoJSON file)'):
        self.addParameter(QgsProcessingParameterFeatureSource('INCIDENTS', label, [QgsProcessing.TypeVector],
                                                              optional=optional))
        fields = [
            ('X_FIELD', 'Easting / longitude column (CSV without geometry; auto-detected)', True),
            ('Y_FIELD', 'Northing / latitude column (CSV without geometry; auto-detected)', True),
            ('ID_FIELD', 'Incident id field (a repeated id rejects the later row)', False),
            ('CATEGORY_FIELD', 'Category / crime type field (auto-detected)', False),
            ('DATE_FIELD', 'Date or date-time field (auto-detected)', False),
            ('TIME_FIELD', 'Time-of-day field (auto-detected)', False),
        ]
        for name, label, advanced in fields:
            p = QgsProcessingParameterField(name, label, parentLayerParameterName='INCIDENTS', optional=True)
            if advanced:
                p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(p)
        crs = QgsProcessingParameterCrs('CRS', 'CRS of the X/Y columns (auto)', optional=True)
        crs.setFlags(crs.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(crs)
        # Optional: QGIS 3.22 rejects a missing non-optional CRS value even when it has a default.
        wcrs = QgsProcessingParameterCrs('WORKING_CRS', 'Working CRS of the outputs',
                                         self.cli_default('--working-crs', 'EPSG:27700'), optional=True)
        wcrs.setFlags(wcrs.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(wcrs)

    def add_area_parameters(self, prefix, label, default_name, optional, code_label='Area code field',
                            name_label='Area name field'):
        self.addParameter(QgsProcessingParameterFeatureSource(
            prefix, label, [QgsProcessing.TypeVectorPolygon], optional=optional))
        self.addParameter(QgsProcessingParameterString(
            prefix + '_LEVEL', 'Name of this area level (output fields and layers are named after it)',
            default_name, optional=optional))
        self.addParameter(QgsProcessingParameterField(
            prefix + '_CODE', code_label + ' (auto-detected)', parentLayerParameterName=prefix, optional=True))
        self.addParameter(QgsProcessingParameterField(
            prefix + '_NAME', name_label + ' (auto-detected)', parentLayerParameterName=prefix, optional=True))

    def add_distance(self, name, label, default, optional=False, minimum=0.0, advanced=False):
        p = QgsProcessingParameterDistance(name, label, default, optional=optional, minValue=minimum)
        p.setDefaultUnit(QgsUnitTypes.DistanceMeters)
        if advanced:
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(p)

    # ---- from QGIS inputs to CLI arguments ---------------------------------------------------

    def study_command(self, parameters, context, feedback):
        """The engine and its arguments for a command over incidents and an optional STUDY_AREA
        (kde, gistar, emerging): the incidents' flags, then `--areas study=` when one is given."""
        engine = self.engine()
        args = Args(self.COMMAND, engine.flags(self.COMMAND))
        self.incident_args(parameters, context, feedback, args)
        if is_set(parameters, 'STUDY_AREA'):
            args.add('--areas', 'study=' + self.area_path(parameters, 'STUDY_AREA', context, feedback))
        return engine, args

    def incident_args(self, parameters, context, feedback, args):
        path, layer_name = self.parameterAsCompatibleSourceLayerPathAndLayerName(
            parameters, 'INCIDENTS', context, INCIDENT_FORMATS, 'gpkg', feedback)
        if not path:
            raise QgsProcessingException('hotspot: the incidents layer cannot be read')
        source = path + ('|layername=' + layer_name if layer_name and not path.lower().endswith('.csv') else '')
        args.add('--incidents', source)
        csv = path.lower().endswith('.csv')
        for name, flag in (('X_FIELD', '--x'), ('Y_FIELD', '--y')):
            if is_set(parameters, name):
                if csv:
                    args.add(flag, self.parameterAsString(parameters, name, context))
                else:
                    feedback.pushInfo('{} ignored: the incidents have a geometry'.format(flag))
        crs = self.crs_arg(self.parameterAsCrs(parameters, 'CRS', context)) if is_set(parameters, 'CRS') else ''
        if csv and crs:
            args.add('--crs', crs)
        for name, flag in (('ID_FIELD', '--id'), ('CATEGORY_FIELD', '--category'), ('DATE_FIELD', '--date'),
                           ('TIME_FIELD', '--time')):
            if is_set(parameters, name):
                args.add(flag, self.parameterAsString(parameters, name, context))
        if is_set(parameters, 'WORKING_CRS'):
            wcrs = self.crs_arg(self.parameterAsCrs(parameters, 'WORKING_CRS', context))
            if wcrs and wcrs != self.cli_default('--working-crs', 'EPSG:27700'):
                args.add('--working-crs', wcrs)

    @staticmethod
    def crs_arg(crs):
        if not crs.isValid():
            return ''
        return crs.authid() or crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED)

    def area_path(self, parameters, name, context, feedback):
        """A file the engine reads as an area layer. Layers that are not a plain file (a layer of
        a multi-layer GeoPackage, a database, a memory layer, a selection) go to a temporary
        GeoPackage first, as --areas takes a path without a layer name."""
        path = self.parameterAsCompatibleSourceLayerPath(parameters, name, context, AREA_FORMATS, 'gpkg', feedback)
        if not path:
            raise QgsProcessingException('hotspot: the area layer {} cannot be read'.format(name))
        return path

    def area_spec(self, parameters, prefix, context, feedback):
        level = self.parameterAsString(parameters, prefix + '_LEVEL', context).strip()
        if not level:
            raise QgsProcessingException('hotspot: give the area level a name (e.g. ward, lsoa)')
        spec = '{}={}'.format(level, self.area_path(parameters, prefix, context, feedback))
        code = self.parameterAsString(parameters, prefix + '_CODE', context) if is_set(parameters, prefix + '_CODE') else ''
        name = self.parameterAsString(parameters, prefix + '_NAME', context) if is_set(parameters, prefix + '_NAME') else ''
        if name and not code:
            raise QgsProcessingException('hotspot: {}: pick the area code field too when you pick the name '
                                         'field'.format(level))
        if code:
            spec += ':' + code
        if name:
            spec += ':' + name
        return level, spec

    # ---- running -----------------------------------------------------------------------------

    def engine(self):
        try:
            e = settings.engine()
            e.require(self.COMMAND)
            return e
        except eng.EngineNotFound as err:
            raise QgsProcessingException(str(err))

    def run_to_gpkg(self, engine, args, parameters, context, feedback):
        """Runs the engine writing the OUTPUT GeoPackage (--overwrite: the save dialog has already
        asked), then loads its layers with their styles; returns (path, layer names)."""
        out = self.parameterAsFileOutput(parameters, 'OUTPUT', context)
        args.add('--out', out)
        args.flag('--overwrite', True)
        self.run_engine(engine, args, feedback)
        return out, loading.load_gpkg(context, feedback, out, 'OUTPUT')

    def run_engine(self, engine, args, feedback):
        argv = [engine.path, '-v']
        if '--progress-json' in engine.global_flags():
            argv.append('--progress-json')
        threads = QgsApplication.maxThreads()
        if threads and threads > 0:
            argv += ['--threads', str(threads)]
        argv.append(self.COMMAND)
        argv += args.argv
        try:
            return eng.run(argv, feedback, self.STAGES)
        except eng.Cancelled:
            raise QgsProcessingException('hotspot {}: cancelled'.format(self.COMMAND))
        except eng.EngineFailed as err:
            raise QgsProcessingException(str(err))


class Args:
    """CLI arguments, checked against the flags this CLI's `COMMAND --help` lists."""

    def __init__(self, command, supported):
        self.command = command
        self.supported = supported
        self.argv = []

    def check(self, flag):
        if self.supported and flag not in self.supported:
            raise QgsProcessingException(
                "hotspot {}: this hotspot has no {} option; update hotspot or leave the matching "
                "parameter empty".format(self.command, flag))

    def add(self, flag, value=None):
        self.check(flag)
        self.argv.append(flag)
        if value is not None:
            self.argv.append(str(value))

    def flag(self, flag, on):
        if on:
            self.add(flag)

    def positional(self, value):
        self.argv.append(str(value))


def num(value):
    """A number as the CLI reads it: 250, not 250.0."""
    return '{:.10g}'.format(float(value))
