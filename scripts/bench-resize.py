#!/usr/bin/env python3
"""Benchmark: downscale 20 generated 4000x3000 JPEGs to 800 px wide at JPEG quality 85.

Compares `mdembed embed --max-width 800 --image-format jpeg --quality 85` with Pillow
(`Image.thumbnail`), libvips (`vipsthumbnail`) and ImageMagick (`mogrify -resize`, the batch
form of `convert -resize`), each run as one process over all 20 images and timed with
hyperfine. Prints a Markdown table with the median wall time of each tool, its ratio to
mdembed and the PSNR of its output against a reference Lanczos downscale of the full-size image.

Usage: scripts/bench-resize.py [--install] [--runs N] [--workdir DIR]

Tools that are not installed are skipped, unless --install is given, in which case missing
ones are installed with apt-get (hyperfine, libvips-tools, imagemagick) and pip (numpy, pillow).
The images are generated from a fixed seed, so every run and machine gets the same bytes.
"""

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COUNT = 20
WIDTH, HEIGHT = 4000, 3000
SOURCE_QUALITY = 90
TARGET_WIDTH = 800
QUALITY = 85
SEED = 20240611


def install_missing():
    """Installs the tools and Python packages the benchmark uses, where they are missing."""
    apt = [
        package
        for command, package in [
            ("hyperfine", "hyperfine"),
            ("vipsthumbnail", "libvips-tools"),
            ("mogrify", "imagemagick"),
        ]
        if shutil.which(command) is None
    ]
    if apt:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *apt], check=True)
    try:
        import numpy  # noqa: F401
        import PIL  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "numpy", "pillow"], check=True)


def generate(directory: Path):
    """Writes COUNT photo-like JPEGs: smooth gradients, soft shapes, and fine grain."""
    import numpy as np
    from PIL import Image

    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    for index in range(COUNT):
        path = directory / f"photo-{index:02d}.jpg"
        if path.exists():
            continue
        base = rng.uniform(40, 200, size=3).astype(np.float32)
        slope = rng.uniform(-0.02, 0.02, size=(3, 2)).astype(np.float32)
        channels = [base[c] + slope[c, 0] * x + slope[c, 1] * y for c in range(3)]
        picture = np.stack(channels, axis=-1)
        # Soft blobs at several scales stand in for objects.
        for _ in range(40):
            cx, cy = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT)
            radius = rng.uniform(40, 700)
            colour = rng.uniform(-90, 90, size=3).astype(np.float32)
            weight = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius * radius))
            picture += weight[..., None] * colour
        # Low-frequency texture, upsampled from a coarse random grid.
        coarse = rng.normal(0, 18, size=(HEIGHT // 50 + 1, WIDTH // 50 + 1, 3)).astype(np.float32)
        texture = np.asarray(
            Image.fromarray(np.clip(coarse + 128, 0, 255).astype(np.uint8)).resize(
                (WIDTH, HEIGHT), Image.Resampling.BICUBIC
            ),
            dtype=np.float32,
        )
        picture += texture - 128
        # Sharp edges, as in buildings or text.
        for _ in range(12):
            x0, y0 = int(rng.uniform(0, WIDTH - 400)), int(rng.uniform(0, HEIGHT - 300))
            w, h = int(rng.uniform(50, 400)), int(rng.uniform(30, 300))
            picture[y0 : y0 + h, x0 : x0 + w] = rng.uniform(0, 255, size=3)
        # Sensor grain.
        picture += rng.normal(0, 4, size=picture.shape).astype(np.float32)
        pixels = np.clip(picture, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(path, quality=SOURCE_QUALITY)


PILLOW_SCRIPT = """
import sys
from pathlib import Path
from PIL import Image
out = Path(sys.argv[1])
for name in sys.argv[2:]:
    with Image.open(name) as image:
        image.thumbnail(({width}, 100000))
        image.save(out / Path(name).name, quality={quality})
"""


def imagemagick():
    """Returns the real ImageMagick mogrify, or None."""
    for name in ["mogrify-im6.q16", "mogrify"]:
        found = shutil.which(name)
        if found:
            return found
    return None


def commands(work: Path, sources: list[Path]):
    """Returns (name, shell command, output directory) for each installed tool."""
    mdembed = REPO / "target" / "release" / "mdembed"
    found = []
    out = work / "out"
    found.append(
        (
            "mdembed",
            f"{mdembed} embed --max-width {TARGET_WIDTH} --image-format jpeg --quality {QUALITY}"
            f" {work / 'doc.md'} -o {out / 'mdembed' / 'doc.md'}",
            out / "mdembed",
        )
    )
    try:
        import PIL  # noqa: F401

        script = work / "pillow_thumbnail.py"
        script.write_text(PILLOW_SCRIPT.format(width=TARGET_WIDTH, quality=QUALITY))
        names = " ".join(str(s) for s in sources)
        found.append(
            ("Pillow", f"{sys.executable} {script} {out / 'pillow'} {names}", out / "pillow")
        )
    except ImportError:
        print("skipped Pillow: not installed (pip install pillow)", file=sys.stderr)
    if shutil.which("vipsthumbnail"):
        names = " ".join(str(s) for s in sources)
        found.append(
            (
                "libvips",
                f"vipsthumbnail --size {TARGET_WIDTH}x -o {out / 'libvips'}/%s.jpg[Q={QUALITY}] {names}",
                out / "libvips",
            )
        )
    else:
        print("skipped libvips: vipsthumbnail not installed (apt-get install libvips-tools)", file=sys.stderr)
    mogrify = imagemagick()
    if mogrify:
        names = " ".join(str(s) for s in sources)
        found.append(
            (
                "ImageMagick",
                f"{mogrify} -path {out / 'imagemagick'} -resize {TARGET_WIDTH}x -quality {QUALITY} {names}",
                out / "imagemagick",
            )
        )
    else:
        print("skipped ImageMagick: not installed (apt-get install imagemagick)", file=sys.stderr)
    for _, _, directory in found:
        directory.mkdir(parents=True, exist_ok=True)
    return found


def outputs(name: str, directory: Path, sources: list[Path]):
    """Returns the encoded output of `name` for each source, in source order."""
    if name == "mdembed":
        text = (directory / "doc.md").read_text()
        payloads = re.findall(r"data:image/jpeg;base64,([A-Za-z0-9+/=]+)", text)
        return [base64.b64decode(p) for p in payloads]
    return [(directory / (s.stem + ".jpg")).read_bytes() for s in sources]


def psnr(reference, candidate):
    import numpy as np

    if reference.shape != candidate.shape:
        return float("nan")
    error = np.mean((reference.astype(np.float64) - candidate.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else 10 * np.log10(255.0**2 / error)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--install", action="store_true", help="install missing tools")
    parser.add_argument("--runs", type=int, default=5, help="hyperfine runs per tool (default 5)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/mdembed-bench-resize"))
    args = parser.parse_args()

    if args.install:
        install_missing()
    if shutil.which("hyperfine") is None:
        sys.exit("hyperfine is not installed: rerun with --install or apt-get install hyperfine")

    import io

    import numpy as np
    from PIL import Image

    work = args.workdir.resolve()
    sources = sorted((work / "src").glob("photo-*.jpg"))
    if len(sources) != COUNT:
        generate(work / "src")
        sources = sorted((work / "src").glob("photo-*.jpg"))
    (work / "doc.md").write_text("".join(f"![photo {i}](src/{s.name})\n\n" for i, s in enumerate(sources)))

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    tools = commands(work, sources)

    hyperfine = ["hyperfine", "--runs", str(args.runs), "--warmup", "1", "--export-json", str(work / "times.json")]
    for name, command, _ in tools:
        hyperfine += ["-n", name, command]
    subprocess.run(hyperfine, check=True, cwd=work)
    times = {r["command"]: r for r in json.loads((work / "times.json").read_text())["results"]}

    # The reference: the full-size decode, downscaled with Pillow's Lanczos filter, unrounded
    # by any encoder.
    references = []
    for source in sources:
        with Image.open(source) as image:
            height = round(image.height * TARGET_WIDTH / image.width)
            references.append(np.asarray(image.convert("RGB").resize((TARGET_WIDTH, height), Image.Resampling.LANCZOS)))

    base = times["mdembed"]["median"]
    print()
    print(f"| tool | median s (min-max, {args.runs} runs) | ratio to mdembed (time) | PSNR dB mean (min) | output KB |")
    print("|---|---|---|---|---|")
    for name, _, directory in tools:
        timing = times[name]
        encoded = outputs(name, directory, sources)
        scores = []
        for reference, data in zip(references, encoded):
            decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
            scores.append(psnr(reference, decoded))
        size = sum(len(data) for data in encoded) / 1024
        if len(encoded) != COUNT:
            scores = [float("nan")]
        ratio = timing["median"] / base
        print(
            f"| {name} | {timing['median']:.3f} ({timing['min']:.3f}-{timing['max']:.3f}) | {ratio:.2f} | "
            f"{np.mean(scores):.2f} ({np.min(scores):.2f}) | {size:.0f} |"
        )


if __name__ == "__main__":
    main()
