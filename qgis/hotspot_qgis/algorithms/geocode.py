import os

from qgis.core import (QgsProcessingOutputFile, QgsProcessingOutputString, QgsProcessingParameterDefinition,
                       QgsProcessingParameterFileDestination, QgsProcessingParameterString)

from .base import Args, HotspotAlgorithm, is_set, num


class GeocodeAlgorithm(HotspotAlgorithm):
    COMMAND = 'geocode'
    NAME = 'geocode'
    DISPLAY_NAME = 'Geocode incidents to areas'
    HELP = ('<p>Places every incident in its ward and LSOA (or any polygon layers), with nothing lost: '
            'rows in = assigned + outside + rejected. Writes a GeoPackage with the incidents (with each '
            'area\'s code and name), the rejected rows with their reason, and the count of incidents per '
            'area, and loads them all.</p>')
    STAGES = {'read': 20, 'areas': 30, 'geocode': 60, 'write': 85}
    CLI_OPTIONS = dict(HotspotAlgorithm.INCIDENT_OPTIONS, SNAP='--snap', BY_CODE='--by-code')

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_incident_parameters()
        self.add_area_parameters('AREAS', 'Areas (e.g. wards)', 'ward', optional=False)
        self.add_area_parameters('AREAS2', 'Second areas (e.g. LSOAs)', 'lsoa', optional=True)
        self.add_distance('SNAP', 'Snap points outside every area to the nearest within (metres, 0: no snapping)',
                          self.cli_default('--snap', 0.0), advanced=True)
        by_code = QgsProcessingParameterString(
            'BY_CODE', "Assign an area level by the incidents' own code instead of location: AREA=FIELD "
            "(e.g. lsoa=LSOA code for police.uk)", optional=True)
        by_code.setFlags(by_code.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(by_code)
        self.addParameter(QgsProcessingParameterFileDestination(
            'OUTPUT', 'Geocoded incidents', 'GeoPackage (*.gpkg)'))
        self.addOutput(QgsProcessingOutputFile('MANIFEST', 'Manifest (<output>.manifest.json)'))
        self.addOutput(QgsProcessingOutputString('LAYERS', 'Layers written'))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        engine = self.engine()
        args = Args(self.COMMAND, engine.flags(self.COMMAND))
        self.incident_args(parameters, context, feedback, args)
        for prefix in ('AREAS', 'AREAS2'):
            if prefix == 'AREAS' or is_set(parameters, prefix):
                args.add('--areas', self.area_spec(parameters, prefix, context, feedback)[1])
        snap = self.parameterAsDouble(parameters, 'SNAP', context)
        if snap > 0:
            args.add('--snap', num(snap))
        if is_set(parameters, 'BY_CODE'):
            args.add('--by-code', self.parameterAsString(parameters, 'BY_CODE', context))
        out, layers = self.run_to_gpkg(engine, args, parameters, context, feedback)
        return {'OUTPUT': out, 'MANIFEST': os.path.splitext(out)[0] + '.manifest.json', 'LAYERS': ','.join(layers)}

