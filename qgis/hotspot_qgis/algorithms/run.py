"""`hotspot run`: the full pack of every offence profile, from a config file or from parameters.

The run folder holds one GeoPackage whose layers carry their styles, GeoTIFFs with .qml
sidecars, a QGIS project, manifest.json and, with the report option, the HTML tasking pack.
The run's layers are loaded into the current project as its own .qgs has them (a group per
profile, only the first switched on, rates off, human names, the project's styles and
abstracts), in a group named after the folder.
"""

import glob
import json
import os
import subprocess

from qgis.core import (QgsProcessingException, QgsProcessingOutputFile, QgsProcessingOutputHtml,
                       QgsProcessingOutputString, QgsProcessingParameterBoolean, QgsProcessingParameterEnum,
                       QgsProcessingParameterFile,
                       QgsProcessingParameterFolderDestination, QgsProcessingParameterString)


from .. import loading, settings
from .base import Args, HotspotAlgorithm, is_set

# Used only when the CLI cannot be asked (not found yet): the built-in profiles of hotspot 0.1.
BUILTIN_PROFILES = ['car-key-burglary', 'drug-possession', 'public-place-violence', 'all-crime']

_profiles_cache = {}

# Parameter name -> label; the flag is the name in lower case with dashes (--period-from).
PERIODS = [('PERIOD_FROM', 'Period from (YYYY-MM or YYYY-MM-DD)'), ('PERIOD_TO', 'Period to (inclusive)'),
           ('COMPARISON_FROM', 'Comparison period from'), ('COMPARISON_TO', 'Comparison period to')]


def profile_names():
    """Profile names from `hotspot profiles --json` (for the enum), else the built-in list."""
    try:
        path = settings.engine().path
    except Exception:
        return BUILTIN_PROFILES
    if path not in _profiles_cache:
        try:
            p = subprocess.run([path, 'profiles', '--json'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=60)
            names = [str(x['name']) for x in json.loads(p.stdout)] if p.returncode == 0 else []
        except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError):
            names = []
        _profiles_cache[path] = names or BUILTIN_PROFILES
    return _profiles_cache[path]


class RunAlgorithm(HotspotAlgorithm):
    COMMAND = 'run'
    NAME = 'run'
    DISPLAY_NAME = 'Run offence profiles'
    HELP = ('<p>The complete map pack for each offence profile: incidents selected by the profile, geocoded, '
            'a heat map, hot spot polygons with PAI, Gi* cells, area rates with significance and change '
            'against a comparison period, in one run folder (a GeoPackage with styles, GeoTIFFs, a QGIS '
            'project, manifest.json). Optionally the HTML tasking report.</p>'
            '<p>Give a run config (TOML, see examples/ of hotspot), or the incidents and areas here; '
            'parameters given here override the config.</p>')
    STAGES = {'read': 10, 'select': 15, 'geocode': 25, 'kde': 40, 'hotspots': 50, 'gistar': 60, 'rates': 70,
              'write': 80, 'project': 88, 'report': 93}
    CLI_OPTIONS = dict({name: '--' + name.lower().replace('_', '-') for name, _ in PERIODS}, CRS='--crs',
                       TITLE='--title', REPORT='--report', PUBLISH='--publish')

    def initAlgorithm(self, config=None):  # noqa: N802
        self.profiles = profile_names()
        self.addParameter(QgsProcessingParameterFile(
            'CONFIG', 'Run config (TOML)', extension='toml', optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            'PROFILES', 'Offence profiles (none: those of the config, or all)', self.profiles,
            allowMultiple=True, optional=True))
        self.add_incident_parameters(optional=True, label='Incidents (instead of the config\'s)')
        for prefix, label, level in (('AREAS', 'Areas (e.g. wards; when not in the config)', 'ward'),
                                     ('AREAS2', 'Second areas (e.g. LSOAs)', 'lsoa')):
            self.add_area_parameters(prefix, label, level, optional=True)
            self.addParameter(QgsProcessingParameterFile(
                prefix + '_POPULATION', 'Population CSV (code, population) of ' + label.split(' (')[0].lower(),
                extension='csv', optional=True))
        for name, label in PERIODS:
            self.addParameter(QgsProcessingParameterString(name, label, optional=True))
        self.addParameter(QgsProcessingParameterString('TITLE', 'Title (report cover, QGIS project)', optional=True))
        self.addParameter(QgsProcessingParameterBoolean('REPORT', 'Also write the HTML tasking report',
                                                        self.cli_default('--report', False)))
        self.addParameter(QgsProcessingParameterBoolean(
            'PUBLISH', 'Outputs meant to leave the force: no points, small counts suppressed',
            self.cli_default('--publish', False)))
        self.addParameter(QgsProcessingParameterFolderDestination('OUTPUT', 'Run folder'))
        self.addOutput(QgsProcessingOutputFile('GPKG', 'Run GeoPackage'))
        self.addOutput(QgsProcessingOutputFile('PROJECT', 'QGIS project of the run'))
        self.addOutput(QgsProcessingOutputFile('MANIFEST', 'manifest.json'))
        self.addOutput(QgsProcessingOutputHtml('REPORT_HTML', 'Tasking report'))
        self.addOutput(QgsProcessingOutputString('LAYERS', 'Layers loaded'))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine = self.engine()
        args = Args(self.COMMAND, engine.flags(self.COMMAND))
        config = self.parameterAsFile(parameters, 'CONFIG', context) if is_set(parameters, 'CONFIG') else ''
        if config:
            args.positional(config)
        elif not is_set(parameters, 'INCIDENTS'):
            raise QgsProcessingException('hotspot run: give a run config or the incidents and areas')
        if is_set(parameters, 'INCIDENTS'):
            self.incident_args(parameters, context, feedback, args)
        for prefix in ('AREAS', 'AREAS2'):
            if is_set(parameters, prefix):
                level, spec = self.area_spec(parameters, prefix, context, feedback)
                args.add('--areas', spec)
                if is_set(parameters, prefix + '_POPULATION'):
                    args.add('--population', '{}={}'.format(
                        level, self.parameterAsFile(parameters, prefix + '_POPULATION', context)))
        if is_set(parameters, 'PROFILES'):
            names = profile_names()
            for i in self.parameterAsEnums(parameters, 'PROFILES', context):
                args.add('--profiles', names[i])
        for name, _ in PERIODS + [('TITLE', '')]:
            if is_set(parameters, name):
                args.add('--' + name.lower().replace('_', '-'), self.parameterAsString(parameters, name, context))
        args.flag('--publish', self.parameterAsBool(parameters, 'PUBLISH', context))
        report = self.parameterAsBool(parameters, 'REPORT', context)
        args.flag('--report', report)
        out = self.parameterAsString(parameters, 'OUTPUT', context)
        args.add('--out', out)
        args.flag('--overwrite', True)
        self.run_engine(engine, args, feedback)
        return self.load_run_folder(out, context, feedback)

    def load_run_folder(self, out, context, feedback):
        group = 'hotspot run ' + os.path.basename(os.path.normpath(out))
        gpkgs = sorted(glob.glob(os.path.join(out, '*.gpkg')))
        projects = sorted(glob.glob(os.path.join(out, '*.qgs')) + glob.glob(os.path.join(out, '*.qgz')))
        layers = []
        if projects and projects[0].endswith('.qgs'):
            # the run's own project: its groups, names, visibility and styles (issue 15)
            layers = loading.load_project_groups(context, feedback, projects[0], group)
        else:
            for g in gpkgs:
                layers += loading.load_gpkg(context, feedback, g, 'GPKG', group)
            for tif in sorted(glob.glob(os.path.join(out, '**', '*.tif'), recursive=True)):
                layers.append(loading.load_raster(context, feedback, tif, 'OUTPUT', group))
        reports = sorted(glob.glob(os.path.join(out, '*.html')))
        manifest = os.path.join(out, 'manifest.json')
        return {'OUTPUT': out, 'GPKG': gpkgs[0] if gpkgs else None, 'PROJECT': projects[0] if projects else None,
                'MANIFEST': manifest if os.path.exists(manifest) else None,
                'REPORT_HTML': reports[0] if reports else None, 'LAYERS': ','.join(layers)}



