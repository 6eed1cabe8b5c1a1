#!/usr/bin/env python3
"""Generate the PNG images of the examples/gan-notes example.

The example note embeds three GAN sample grids and a loss plot. This script
draws them with the standard library only: procedural digit strokes for the
samples, polylines for the plot, and a small PNG encoder (8-bit grayscale or
RGB, filter type 0, one IDAT chunk). Every random draw comes from a seeded
`random.Random`, so two runs with the same Python and zlib versions write
byte-identical files. NOTE: a different zlib build may compress to other
bytes while the decoded pixels stay the same.

Usage: python3 scripts/make-example.py [--out DIR]
"""

import argparse
import math
import random
import struct
import zlib
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOR_GRAY = 0
COLOR_RGB = 2

SEED = 20240501

# Sample grid layout, as torchvision's save_image(nrow=8, padding=1, pad_value=1.0) lays it out.
TILE = 28
GRID_COLUMNS = 8
GRID_ROWS = 8
GAP = 1
GAP_VALUE = 255

PLOT_WIDTH = 320
PLOT_HEIGHT = 180
EPOCHS = 200


# --- PNG encoding ---------------------------------------------------------


def png_chunk(kind, data):
    """Return one PNG chunk: length, type, data and the CRC-32 of type plus data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def encode_png(width, height, color_type, rows):
    """Encode 8-bit pixel rows (bytes objects) as a PNG file.

    color_type is COLOR_GRAY (1 byte a pixel) or COLOR_RGB (3 bytes a pixel).
    Every scanline gets filter type 0, and the whole zlib stream goes into one
    IDAT chunk.
    """
    channels = {COLOR_GRAY: 1, COLOR_RGB: 3}[color_type]
    if len(rows) != height:
        raise ValueError(f"expected {height} rows, got {len(rows)}")
    raw = bytearray()
    for index, row in enumerate(rows):
        if len(row) != width * channels:
            raise ValueError(f"row {index} has {len(row)} bytes, expected {width * channels}")
        raw.append(0)
        raw += row

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + png_chunk(b"IEND", b"")
    )


# --- digit strokes --------------------------------------------------------


def arc(cx, cy, rx, ry, start_deg, end_deg, steps=14):
    """Return points on an elliptic arc. Angles are in degrees and y grows downwards, so 90 points down."""
    points = []
    for i in range(steps + 1):
        angle = math.radians(start_deg + (end_deg - start_deg) * i / steps)
        points.append((cx + rx * math.cos(angle), cy + ry * math.sin(angle)))
    return points


# Each digit is a list of polylines in 28x28 tile coordinates. Like MNIST, the
# strokes stay inside the central 20x20 box.
DIGITS = [
    [arc(14, 14, 5.5, 8.5, 0, 360, 24)],
    [[(11, 9), (15.5, 5), (13.5, 23)]],
    [arc(14, 10, 4.8, 4.8, 180, 400) + [(9, 23), (20, 23)]],
    [arc(13.5, 9.5, 4.3, 4.3, 200, 450), arc(13.5, 18, 5, 5, 270, 520)],
    [[(17, 5), (8, 17), (21, 17)], [(17, 5), (17, 24)]],
    [[(19, 5), (10, 5), (9, 13)], arc(13.5, 17.5, 5.5, 5.5, 220, 500)],
    [[(18, 5), (10, 14)], arc(14, 18, 5, 5, 0, 360, 20)],
    [[(8, 5), (20, 5), (12, 24)]],
    [arc(14, 9.5, 4, 4, 0, 360, 18), arc(14, 18.5, 5, 5, 0, 360, 20)],
    [arc(14, 10, 4.5, 4.5, 0, 360, 18), [(18.5, 10), (16, 24)]],
]

# Rendering parameters that mimic a generator at three epochs of training.
# jitter is the spread of stroke point offsets (pixels), softness the width of
# the intensity fall-off (pixels), noise the standard deviation of per-pixel
# noise (0..1 scale), and level the quantisation step that caps the file size.
EPOCH_STYLES = {
    1: dict(stroke=0.15, jitter=4.0, softness=4.0, noise=0.22, background=0.3, level=16),
    50: dict(stroke=0.75, jitter=2.2, softness=2.6, noise=0.08, background=0.08, level=8),
    200: dict(stroke=1.0, jitter=0.6, softness=0.9, noise=0.025, background=0.0, level=4),
}


def segment_distance(px, py, ax, ay, bx, by):
    """Return the distance from point p to the segment from a to b."""
    dx = bx - ax
    dy = by - ay
    length_squared = dx * dx + dy * dy
    if length_squared == 0:
        return math.hypot(px - ax, py - ay)
    t = ((px - ax) * dx + (py - ay) * dy) / length_squared
    t = max(0.0, min(1.0, t))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def transform_strokes(strokes, rng, jitter):
    """Apply a random rotation, scale, shear and shift, then add Gaussian offsets scaled by jitter."""
    angle = math.radians(rng.uniform(-12, 12))
    scale = rng.uniform(0.85, 1.1)
    shear = rng.uniform(-0.25, 0.25)
    shift_x = rng.uniform(-1.5, 1.5)
    shift_y = rng.uniform(-1.5, 1.5)
    cos_a = math.cos(angle)
    sin_a = math.sin(angle)

    result = []
    for stroke in strokes:
        # A shared offset per stroke keeps a jittered stroke connected, and the
        # smaller per-point offset makes it wobble.
        stroke_dx = rng.gauss(0, jitter * 0.6)
        stroke_dy = rng.gauss(0, jitter * 0.6)
        points = []
        for x, y in stroke:
            x -= 14
            y -= 14
            x += shear * y
            x, y = scale * (cos_a * x - sin_a * y), scale * (sin_a * x + cos_a * y)
            x += 14 + shift_x + stroke_dx + rng.gauss(0, jitter * 0.4)
            y += 14 + shift_y + stroke_dy + rng.gauss(0, jitter * 0.4)
            points.append((x, y))
        result.append(points)
    return result


def render_digit(rng, style):
    """Render one 28x28 sample as a list of TILE*TILE intensities in 0..255."""
    strokes = transform_strokes(rng.choice(DIGITS), rng, style["jitter"])
    radius = rng.uniform(1.0, 1.8)
    reach = radius + style["softness"]

    # Compute each pixel's distance to the nearest stroke. Only pixels inside a
    # segment's bounding box, widened by reach, can get ink from that segment.
    distance = [math.inf] * (TILE * TILE)
    for points in strokes:
        for (ax, ay), (bx, by) in zip(points, points[1:]):
            x0 = max(0, int(min(ax, bx) - reach))
            x1 = min(TILE - 1, int(max(ax, bx) + reach) + 1)
            y0 = max(0, int(min(ay, by) - reach))
            y1 = min(TILE - 1, int(max(ay, by) + reach) + 1)
            for y in range(y0, y1 + 1):
                for x in range(x0, x1 + 1):
                    d = segment_distance(x + 0.5, y + 0.5, ax, ay, bx, by)
                    if d < distance[y * TILE + x]:
                        distance[y * TILE + x] = d

    level = style["level"]
    pixels = []
    for d in distance:
        if d <= radius:
            ink = 1.0
        else:
            ink = max(0.0, 1.0 - (d - radius) / style["softness"])
        value = style["background"] + style["stroke"] * ink + rng.gauss(0, style["noise"])
        value = max(0.0, min(1.0, value))
        pixels.append(min(255, round(value * 255 / level) * level))
    return pixels


def render_grid(epoch):
    """Render the 8x8 sample grid saved at the given epoch as grayscale rows."""
    style = EPOCH_STYLES[epoch]
    rng = random.Random(SEED + epoch)
    width = GRID_COLUMNS * (TILE + GAP) + GAP
    height = GRID_ROWS * (TILE + GAP) + GAP
    canvas = [bytearray([GAP_VALUE]) * width for _ in range(height)]

    for row in range(GRID_ROWS):
        for column in range(GRID_COLUMNS):
            tile = render_digit(rng, style)
            top = GAP + row * (TILE + GAP)
            left = GAP + column * (TILE + GAP)
            for y in range(TILE):
                canvas[top + y][left : left + TILE] = bytes(tile[y * TILE : (y + 1) * TILE])
    return width, height, [bytes(line) for line in canvas]


# --- loss plot ------------------------------------------------------------


def loss_curves(rng):
    """Return simulated per-epoch generator and discriminator losses."""
    generator = []
    discriminator = []
    for epoch in range(EPOCHS):
        progress = epoch / (EPOCHS - 1)
        # The generator loss jumps early while the discriminator wins, then
        # settles. The discriminator loss drops towards 0.6 after an early dip.
        g = 1.6 + 2.6 * math.exp(-epoch / 12) * math.sin(epoch / 4 + 0.5) ** 2 + 0.25 * progress
        d = 0.6 + 0.8 * math.exp(-epoch / 20) - 0.25 * math.exp(-((epoch - 15) ** 2) / 60)
        generator.append(g + rng.gauss(0, 0.12))
        discriminator.append(d + rng.gauss(0, 0.05))
    return generator, discriminator


def draw_line(canvas, x0, y0, x1, y1, color, thickness):
    """Draw a line by stepping along its longer axis and stamping a square brush."""
    steps = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) * 2))
    half = thickness / 2
    for i in range(steps + 1):
        x = x0 + (x1 - x0) * i / steps
        y = y0 + (y1 - y0) * i / steps
        for yy in range(int(round(y - half)), int(round(y + half))):
            for xx in range(int(round(x - half)), int(round(x + half))):
                if 0 <= xx < PLOT_WIDTH and 0 <= yy < PLOT_HEIGHT:
                    canvas[yy][xx] = color


def render_loss_plot():
    """Render the 320x180 loss plot: white background, grid, axes and two polylines."""
    rng = random.Random(SEED)
    generator, discriminator = loss_curves(rng)

    white = (255, 255, 255)
    grid = (228, 228, 228)
    axis = (60, 60, 60)
    generator_color = (230, 120, 20)
    discriminator_color = (30, 110, 190)

    canvas = [[white] * PLOT_WIDTH for _ in range(PLOT_HEIGHT)]
    left, right, top, bottom = 28, PLOT_WIDTH - 10, 10, PLOT_HEIGHT - 22
    max_loss = 5.0

    def to_pixel(epoch, loss):
        x = left + (right - left) * epoch / (EPOCHS - 1)
        y = bottom - (bottom - top) * min(loss, max_loss) / max_loss
        return x, y

    # Horizontal grid lines every 1.0 of loss, vertical ones every 50 epochs.
    for loss in range(1, int(max_loss) + 1):
        _, y = to_pixel(0, loss)
        draw_line(canvas, left, y, right, y, grid, 1)
    for epoch in range(50, EPOCHS + 1, 50):
        x, _ = to_pixel(epoch - 1, 0)
        draw_line(canvas, x, top, x, bottom, grid, 1)

    draw_line(canvas, left, top, left, bottom + 1, axis, 2)
    draw_line(canvas, left, bottom, right, bottom, axis, 2)
    for loss in range(0, int(max_loss) + 1):
        _, y = to_pixel(0, loss)
        draw_line(canvas, left - 4, y, left, y, axis, 1)
    for epoch in range(0, EPOCHS + 1, 50):
        x, _ = to_pixel(max(0, epoch - 1), 0)
        draw_line(canvas, x, bottom, x, bottom + 4, axis, 1)

    for series, color in ((discriminator, discriminator_color), (generator, generator_color)):
        points = [to_pixel(epoch, loss) for epoch, loss in enumerate(series)]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            draw_line(canvas, x0, y0, x1, y1, color, 2)

    rows = [bytes(channel for pixel in line for channel in pixel) for line in canvas]
    return PLOT_WIDTH, PLOT_HEIGHT, rows


# --- entry point ----------------------------------------------------------


def write_file(path, data):
    """Write bytes to path, creating parent folders, and print the path and size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"{path} ({len(data)} bytes)")


def main():
    default_out = Path(__file__).resolve().parent.parent / "examples" / "gan-notes"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=default_out,
        help=f"folder to write the images into (default: {default_out})",
    )
    out = parser.parse_args().out

    for epoch in sorted(EPOCH_STYLES):
        width, height, rows = render_grid(epoch)
        write_file(out / "samples" / f"epoch-{epoch:03d}.png", encode_png(width, height, COLOR_GRAY, rows))

    width, height, rows = render_loss_plot()
    write_file(out / "图表" / "损失曲线.png", encode_png(width, height, COLOR_RGB, rows))


if __name__ == "__main__":
    main()
