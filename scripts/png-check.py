#!/usr/bin/env python3
"""Checks that a screenshot shows a rendered page: big enough, not blank, with charts' colours.

Decodes the PNG with zlib only (no imaging library needed)."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8, "only 8-bit PNGs"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = {2: 3, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    rows = []
    i = 0
    for _ in range(height):
        f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line)); prev = line
    return width, height, channels, rows


def main():
    path = sys.argv[1]
    width, height, ch, rows = pixels(path)
    seen, ink, total = set(), 0, 0
    for y in range(0, height, 4):
        row = rows[y]
        for x in range(0, width * ch, 4 * ch):
            px = row[x:x + 3]
            seen.add(px)
            total += 1
            if sum(px) < 600:
                ink += 1
    share = ink / max(total, 1)
    print(f"{path}: {width}x{height}, {len(seen)} colours, {share:.1%} non-background")
    if width < 800 or height < 2000:
        sys.exit("the screenshot is too small: the page did not render")
    if len(seen) < 20 or share < 0.02:
        sys.exit("the screenshot is blank or nearly so")
    print("rendered: ok")


if __name__ == "__main__":
    main()
