"""Draw assets/treatment-room.jpg: a calm, original illustration of a treatment room in the
brand's colours (made here with Pillow; nothing downloaded). Run it again to remake it:

    .venv/bin/python scripts/draw_treatment_room.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 2400, 1350  # drawn at 2x and halved for smooth edges, then cropped
CROP = (0, 190, 2400, 1110)  # a wide banner, 2.6:1, as a cover picture prints
SCALE = 2
TEAL, SAND, CREAM, INK, RULE = "#1D4F5C", "#846339", "#F6F1EA", "#1E2A2E", "#D6CCBE"
WALL, FLOOR, LEAF, LEAF_DARK = "#EDE5D8", "#D9CCB8", "#6F8F7A", "#4E6E5C"


def s(*values: float) -> list[float]:
    """Scale coordinates to the drawing size."""
    return [v * SCALE for v in values]


def leaf(x: float, y: float, angle: float, length: float) -> list[float]:
    """Return the outline of a pointed leaf growing from (x, y) at `angle` degrees."""
    a = math.radians(angle)
    along, across = (math.cos(a), math.sin(a)), (-math.sin(a), math.cos(a))
    points = []
    for t, side in [(i / 12, 1) for i in range(13)] + [(1 - i / 12, -1) for i in range(13)]:
        half = 0.16 * length * math.sin(math.pi * t) ** 0.8 * side
        points += [
            x + along[0] * length * t + across[0] * half,
            y + along[1] * length * t + across[1] * half,
        ]
    return points


def draw() -> Image.Image:
    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), WALL)
    d = ImageDraw.Draw(image)
    d.rectangle(s(0, 960, WIDTH, HEIGHT), fill=FLOOR)  # floor
    d.rectangle(s(0, 950, WIDTH, 962), fill=RULE)  # skirting
    # A tall window with soft daylight and a linen blind.
    d.rounded_rectangle(s(1500, 140, 2050, 820), radius=18 * SCALE, fill="#F9F6F0")
    d.rectangle(s(1530, 170, 2020, 790), fill="#E4EEF0")
    d.rectangle(s(1530, 170, 2020, 380), fill=CREAM)
    d.line(s(1775, 380, 1775, 790), fill="#F9F6F0", width=14 * SCALE)
    d.line(s(1530, 585, 2020, 585), fill="#F9F6F0", width=14 * SCALE)
    # Light falling on the floor from the window.
    d.polygon(s(1420, 1350, 2150, 1350, 1990, 965, 1560, 965), fill="#E3D8C6")
    # The treatment bed: cushion, frame, legs, a folded towel.
    d.rounded_rectangle(s(330, 700, 1260, 790), radius=40 * SCALE, fill=TEAL)
    d.rounded_rectangle(s(300, 780, 1290, 830), radius=14 * SCALE, fill=SAND)
    d.rounded_rectangle(s(1120, 640, 1250, 715), radius=30 * SCALE, fill=TEAL)  # headrest
    for x in (360, 1200):
        d.rectangle(s(x, 830, x + 30, 1030), fill=SAND)
    d.rounded_rectangle(s(520, 660, 800, 712), radius=16 * SCALE, fill=CREAM)
    d.line(s(540, 686, 780, 686), fill=RULE, width=4 * SCALE)
    # A side table with bottles and a small bowl.
    d.rectangle(s(1340, 760, 1470, 780), fill=SAND)
    d.rectangle(s(1395, 780, 1415, 1030), fill=SAND)
    for x, h, colour in ((1352, 70, "#F9F6F0"), (1392, 95, TEAL), (1432, 55, CREAM)):
        d.rounded_rectangle(s(x, 760 - h, x + 30, 762), radius=8 * SCALE, fill=colour)
    # A shelf with rolled towels.
    d.rectangle(s(260, 330, 880, 346), fill=SAND)
    for i, colour in enumerate((CREAM, "#F9F6F0", CREAM, TEAL, CREAM)):
        x = 290 + i * 112
        d.ellipse(s(x, 252, x + 96, 332), fill=colour, outline=RULE, width=3 * SCALE)
        d.ellipse(s(x + 30, 278, x + 66, 306), fill=RULE)
    # A plant in a pot, leaves drawn as ellipses around the stem.
    d.rounded_rectangle(s(2140, 880, 2300, 1060), radius=20 * SCALE, fill=SAND)
    for angle, length, dark in (
        (-62, 330, 0),
        (-80, 420, 1),
        (-98, 380, 0),
        (-118, 300, 1),
        (-140, 230, 0),
        (-38, 240, 1),
        (-20, 170, 0),
        (-160, 160, 1),
    ):
        d.polygon(s(*leaf(2220, 890, angle, length)), fill=LEAF_DARK if dark else LEAF)
    image = image.filter(ImageFilter.GaussianBlur(0.6 * SCALE))
    return image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).crop(CROP)


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "assets" / "treatment-room.jpg"
    draw().save(target, quality=88, optimize=True)
    print(f"wrote {target.relative_to(target.parent.parent)}")
