"""Builds the installable plugin zip (`make qgis-plugin`): one top folder hotspot_qgis/ holding
__init__.py, metadata.txt, icon.png, the provider and algorithms, and styles/ (the repository's
styles/*.qml, for layers the engine writes without a style). This is the layout QGIS's
Plugins > Manage and Install Plugins > Install from ZIP expects.

    python3 qgis/build_zip.py --out build/hotspot_qgis.zip [--styles styles] [--unpacked DIR]
"""

import argparse
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = 'hotspot_qgis'
FIXED_TIME = (2025, 1, 1, 0, 0, 0)  # same sources give the same zip


def plugin_files(styles_dir):
    """(path on disk, path in the zip), sorted."""
    src = os.path.join(HERE, PLUGIN)
    files = []
    for root, dirs, names in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        for n in sorted(names):
            if n.endswith(('.py', '.txt', '.png', '.qml')):
                full = os.path.join(root, n)
                files.append((full, os.path.join(PLUGIN, os.path.relpath(full, src))))
    for n in sorted(os.listdir(styles_dir)):
        if n.endswith('.qml'):
            files.append((os.path.join(styles_dir, n), os.path.join(PLUGIN, 'styles', n)))
    return files


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True, help='zip to write')
    ap.add_argument('--styles', default=os.path.join(os.path.dirname(HERE), 'styles'),
                    help="the repository's styles/ folder")
    ap.add_argument('--unpacked', help='also unpack the zip into this folder (for tests)')
    a = ap.parse_args(argv)
    files = plugin_files(a.styles)
    for required in ('__init__.py', 'metadata.txt', 'icon.png', 'provider.py'):
        if not any(z == os.path.join(PLUGIN, required) for _, z in files):
            sys.exit('build_zip: {} is missing from qgis/{}'.format(required, PLUGIN))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + '.tmp'
    with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as z:
        # The folder first: QGIS's installer takes the plugin's name from the first entry.
        folder = zipfile.ZipInfo(PLUGIN + '/', FIXED_TIME)
        folder.external_attr = (0o40755 << 16) | 0x10
        z.writestr(folder, b'')
        for disk, name in files:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(disk, 'rb') as f:
                z.writestr(info, f.read())
    os.replace(tmp, a.out)
    if a.unpacked:
        with zipfile.ZipFile(a.out) as z:
            z.extractall(a.unpacked)
    print('wrote {} ({} files)'.format(a.out, len(files)))


if __name__ == '__main__':
    main()
