#!/usr/bin/env python3
"""Generate the documentation tree that scripts/bench-folder.py embeds.

At scale 1 the tree has 200 Markdown documents in nested folders, each with 2 to 6 (on average 4)
inline image references into a shared pool of 300 images: 260 screenshots (PNG, 30-300 KB) and
40 photos (JPEG, 0.5-3 MB). Scale N multiplies the documents and the pool by N. Every byte comes
from a NumPy generator with a fixed seed, so the same Pillow and NumPy versions give the same
tree on every run and machine.

Usage: scripts/bench-folder.gen.py OUT [--scale N] [--seed S]

OUT is created and must not exist yet. Besides the tree (OUT/docs), the script writes
OUT/references.txt: the image path of every reference, relative to OUT, one per line in document
order. The floor measurement reads it.
"""

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

DOCUMENTS = 200
SCREENSHOTS = 260
PHOTOS = 40
SCREENSHOT_BYTES = (30_000, 300_000)
PHOTO_BYTES = (500_000, 3_000_000)
REFERENCES_PER_DOCUMENT = (2, 6)
SECTIONS = 8
CHAPTERS = 5
DEFAULT_SEED = 20240612

WORDS = (
    "the configure install server client option folder image build release run test check "
    "value default path file setting screen window menu button click select open save close "
    "user account project page section guide step example note warning update version list"
).split()


def encode(picture: np.ndarray, kind: str) -> bytes:
    """Returns `picture` encoded as PNG (fast, level 1) or JPEG (quality 90)."""
    buffer = io.BytesIO()
    if kind == "png":
        Image.fromarray(picture).save(buffer, "PNG", compress_level=1)
    else:
        Image.fromarray(picture).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def screenshot(rng: np.random.Generator, noise_rows: int) -> np.ndarray:
    """Returns a 1280-pixel-wide screenshot: flat panels, plus a band of noise whose height sets
    the PNG size (noise does not compress, about 3 bytes per pixel)."""
    width = 1280
    height = max(720, noise_rows + 200)
    picture = np.empty((height, width, 3), dtype=np.uint8)
    picture[:] = rng.integers(200, 256, 3, dtype=np.uint8)
    picture[:48] = rng.integers(20, 80, 3, dtype=np.uint8)
    picture[48:, :220] = rng.integers(120, 200, 3, dtype=np.uint8)
    band = rng.integers(0, 256, (noise_rows, width - 260, 3), dtype=np.uint8)
    picture[100 : 100 + noise_rows, 240 : width - 20] = band
    return picture


def photo(rng: np.random.Generator, pixels: int) -> np.ndarray:
    """Returns a 4:3 photo-like picture of about `pixels` pixels: gradients with grain."""
    height = max(64, int((pixels * 3 / 4) ** 0.5))
    width = max(64, pixels // height)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    tint = rng.uniform(40, 215, 3).astype(np.float32)
    picture = np.empty((height, width, 3), dtype=np.float32)
    for channel in range(3):
        picture[:, :, channel] = tint[channel] + 60 * np.sin(
            (x * rng.uniform(1, 6) + y * rng.uniform(1, 6)) * np.pi
        )
    picture += rng.normal(0, 30, (height, width, 3)).astype(np.float32)
    return np.clip(picture, 0, 255).astype(np.uint8)


def image_bytes(rng: np.random.Generator, kind: str, target: int) -> bytes:
    """Returns an image of `kind` whose size is near `target` bytes: one encode at an estimated
    size, then one more scaled by how far the first one missed."""
    if kind == "png":
        rows = max(1, target // (3 * 1020))
        data = encode(screenshot(rng, rows), "png")
        rows = max(1, int(rows * target / len(data)))
        return encode(screenshot(rng, rows), "png")
    pixels = int(target / 0.6)
    data = encode(photo(rng, pixels), "jpeg")
    pixels = max(4096, int(pixels * target / len(data)))
    return encode(photo(rng, pixels), "jpeg")


def sentence(rng: np.random.Generator) -> str:
    """Returns one sentence of filler words."""
    words = [WORDS[i] for i in rng.integers(0, len(WORDS), int(rng.integers(6, 16)))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: np.random.Generator) -> str:
    """Returns a paragraph of three to six sentences."""
    return " ".join(sentence(rng) for _ in range(int(rng.integers(3, 7))))


def generate(out: Path, scale: int, seed: int) -> None:
    """Writes the tree and the reference list into `out`."""
    rng = np.random.default_rng(seed)
    docs = out / "docs"
    pool = []
    for index in range(SCREENSHOTS * scale):
        pool.append((docs / "assets" / "shots" / f"shot-{index:05}.png", "png", SCREENSHOT_BYTES))
    for index in range(PHOTOS * scale):
        pool.append((docs / "assets" / "photos" / f"photo-{index:05}.jpg", "jpeg", PHOTO_BYTES))
    for path, kind, (low, high) in pool:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(image_bytes(rng, kind, int(rng.integers(low, high + 1))))

    references = []
    for index in range(DOCUMENTS * scale):
        # Documents spread over sections and chapters at depths 1 to 3.
        depth = int(rng.integers(1, 4))
        folder = docs / f"section-{int(rng.integers(0, SECTIONS))}"
        if depth >= 2:
            folder = folder / f"chapter-{int(rng.integers(0, CHAPTERS))}"
        if depth >= 3:
            folder = folder / "details"
        folder.mkdir(parents=True, exist_ok=True)
        document = folder / f"page-{index:05}.md"

        lines = [f"# Page {index}", "", paragraph(rng), ""]
        low, high = REFERENCES_PER_DOCUMENT
        for number in range(int(rng.integers(low, high + 1))):
            image, _, _ = pool[int(rng.integers(0, len(pool)))]
            link = Path(*[".."] * depth, image.relative_to(docs)).as_posix()
            references.append(image.relative_to(out).as_posix())
            lines += [f"![Figure {number + 1}]({link})", "", paragraph(rng), ""]
            if number == 1:
                lines += ["```sh", f"tool run --step {number}", "```", ""]
        lines += ["See [the guide](../README.md) for more.", ""]
        document.write_text("\n".join(lines), encoding="utf-8")

    (out / "references.txt").write_text("\n".join(references) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create")
    parser.add_argument("--scale", type=int, default=1, help="multiplier for documents and images")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args()
    if args.scale < 1:
        parser.error(f"invalid --scale {args.scale}: give 1 or more")
    if args.out.exists():
        parser.error(f"{args.out} exists already: give a new folder")
    generate(args.out, args.scale, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
