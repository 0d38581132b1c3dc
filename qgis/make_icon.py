"""Writes hotspot_qgis/icon.png (64 x 64): a heat-map blob on a map tile. Run once; the PNG is
committed. Standard library only, so it needs neither Qt nor PIL."""

import os
import struct
import zlib

SIZE = 64
RAMP = [(255, 255, 178), (254, 204, 92), (253, 141, 60), (240, 59, 32), (189, 0, 38)]
SPOTS = [(24, 26, 14, 1.0), (42, 40, 10, 0.8), (44, 20, 7, 0.5)]


def pixel(x, y):
    v = 0.0
    for cx, cy, r, w in SPOTS:
        d2 = ((x - cx) ** 2 + (y - cy) ** 2) / float(r * r)
        if d2 < 1:
            v += w * (1 - d2) ** 2  # the quartic kernel
    edge = min(x, y, SIZE - 1 - x, SIZE - 1 - y)
    if edge < 2:
        return (60, 60, 60, 255)
    if v < 0.05:
        return (236, 236, 228, 255)
    t = min(v, 1.0) * (len(RAMP) - 1)
    i = min(int(t), len(RAMP) - 2)
    f = t - i
    c = [int(RAMP[i][k] + f * (RAMP[i + 1][k] - RAMP[i][k])) for k in range(3)]
    return (c[0], c[1], c[2], 255)


def chunk(tag, data):
    return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff)


def main():
    raw = b''.join(b'\x00' + b''.join(bytes(pixel(x, y)) for x in range(SIZE)) for y in range(SIZE))
    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', SIZE, SIZE, 8, 6, 0, 0, 0)) + \
        chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'hotspot_qgis', 'icon.png'), 'wb') as f:
        f.write(png)


if __name__ == '__main__':
    main()
