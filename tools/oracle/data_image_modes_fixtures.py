#!/usr/bin/env python3
"""Golden files for the image modes beyond 8-bit L/LA/RGB/RGBA/P (tests/data/media_modes_test.cpp),
made and decoded by PIL, as datasets' Image feature decodes them (PIL.Image.open + np.asarray):

- bw.png      1-bit grayscale PNG  → PIL mode "1" (np.asarray: bool)
- gray16.png  16-bit grayscale PNG → PIL mode "I;16" (np.asarray: uint16)
- cmyk.jpg    CMYK JPEG with PIL's Adobe marker (inverted samples) → mode "CMYK"
- p.png's palette expansions: P → RGB / RGBA / L / LA (Image.convert)

Each entry: mode, shape, pixels (flattened, ints), and convert: {mode: pixels} for L, LA, RGB, RGBA.
Writes tests/fixtures/data/media_modes/ and tests/fixtures/data/media_modes_expected.json.

Run: $AFINAR_VENV/bin/python3 tools/oracle/data_image_modes_fixtures.py
"""
import json, pathlib

import numpy as np
from PIL import Image

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/fixtures/data"


def entry(path: pathlib.Path):
    im = Image.open(path)
    im.load()
    arr = np.asarray(im)
    e = {"mode": im.mode, "shape": list(arr.shape), "pixels": arr.astype(np.int64).reshape(-1).tolist(), "convert": {}}
    for m in ("L", "LA", "RGB", "RGBA"):
        if m != im.mode:
            e["convert"][m] = np.asarray(im.convert(m)).astype(np.int64).reshape(-1).tolist()
    return e


def main() -> int:
    d = OUT / "media_modes"
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:5, 0:9]
    Image.fromarray(((xx * 3 + yy) % 4 == 0)).save(d / "bw.png")
    g16 = rng.integers(0, 700, (4, 6)).astype(np.uint16)
    g16[0, 0], g16[3, 5] = 65535, 256
    Image.fromarray(g16).save(d / "gray16.png")
    cmyk = np.stack([xx * 28, yy * 60, (xx + yy) * 20, 255 - xx * 25], axis=-1).astype(np.uint8)
    Image.fromarray(cmyk, "CMYK").save(d / "cmyk.jpg", quality=95)
    pal = Image.fromarray(rng.integers(0, 4, (3, 5), dtype=np.uint8), "P")
    pal.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 10, 20, 250])
    pal.info["transparency"] = 2  # palette index 2 transparent: a tRNS chunk
    pal.save(d / "ptrns.png", transparency=2)
    exp = {name: entry(d / name) for name in ("bw.png", "gray16.png", "cmyk.jpg", "ptrns.png")}
    (OUT / "media_modes_expected.json").write_text(json.dumps(exp) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
