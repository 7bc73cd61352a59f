"""Pictures for the demo catalog, drawn with Pillow: a plain illustration per kind of good."""

import io
import random

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 900
WOOD = [(181, 129, 80), (160, 110, 62), (204, 158, 104), (122, 82, 48)]
CANVAS = [(226, 214, 190), (94, 120, 98), (173, 72, 54), (52, 84, 122)]
ACRYLIC = [(20, 20, 24), (36, 86, 150), (180, 40, 40), (30, 110, 70)]


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _board(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    colour = rng.choice(WOOD)
    box = (220, 250, 980, 650)
    draw.rounded_rectangle(box, radius=60, fill=colour, outline=(90, 60, 35), width=6)
    for y in range(box[1] + 30, box[3] - 20, 28):
        wave = rng.randint(-8, 8)
        draw.line([(box[0] + 40, y), (box[2] - 40, y + wave)], fill=(120, 80, 45), width=3)
    draw.ellipse((880, 420, 930, 470), fill=(245, 240, 230))


def _shelf(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    colour = rng.choice(WOOD)
    for y in (260, 450, 640):
        draw.rectangle((260, y, 940, y + 36), fill=colour, outline=(90, 60, 35), width=4)
    draw.rectangle((260, 260, 296, 676), fill=colour)
    draw.rectangle((904, 260, 940, 676), fill=colour)
    for x in range(330, 860, 70):
        h = rng.randint(80, 150)
        draw.rectangle((x, 450 - h, x + 44, 450), fill=rng.choice(CANVAS))


def _sign(draw: ImageDraw.ImageDraw, rng: random.Random, text: str) -> None:
    colour = rng.choice(ACRYLIC)
    draw.rounded_rectangle((160, 230, 1040, 640), radius=24, fill=colour)
    draw.ellipse((190, 260, 220, 290), fill=(210, 210, 210))
    draw.ellipse((980, 260, 1010, 290), fill=(210, 210, 210))
    words = text.upper()[:22]
    draw.text((600, 435), words, fill=(250, 250, 245), font=_font(64), anchor="mm")


def _bag(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    colour = rng.choice(CANVAS)
    draw.arc((430, 140, 770, 480), start=180, end=360, fill=(110, 90, 60), width=22)
    draw.polygon([(330, 330), (870, 330), (920, 760), (280, 760)], fill=colour)
    draw.line([(330, 400), (870, 400)], fill=(255, 255, 255), width=4)


def _planter(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for _ in range(9):
        x, h = rng.randint(380, 820), rng.randint(160, 300)
        draw.ellipse(
            (x - 50, 460 - h, x + 50, 560 - h), fill=rng.choice([(52, 128, 62), (84, 160, 70)])
        )
        draw.line([(x, 560 - h), (x, 480)], fill=(60, 110, 50), width=8)
    draw.polygon([(300, 470), (900, 470), (840, 760), (360, 760)], fill=rng.choice(WOOD))


def _printed(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    colour = rng.choice(ACRYLIC)
    draw.polygon(
        [(600, 230), (820, 340), (600, 450), (380, 340)],
        fill=tuple(min(255, c + 60) for c in colour),
    )
    draw.polygon([(380, 340), (600, 450), (600, 700), (380, 590)], fill=colour)
    draw.polygon(
        [(600, 450), (820, 340), (820, 590), (600, 700)], fill=tuple(c // 2 for c in colour)
    )


def _shirt(draw: ImageDraw.ImageDraw, rng: random.Random, text: str) -> None:
    colour = rng.choice(CANVAS)
    draw.polygon(
        [
            (420, 220),
            (520, 200),
            (600, 250),
            (680, 200),
            (780, 220),
            (900, 360),
            (820, 420),
            (780, 380),
            (780, 760),
            (420, 760),
            (420, 380),
            (380, 420),
            (300, 360),
        ],
        fill=colour,
    )
    ink = (40, 40, 36) if sum(colour) > 500 else (250, 250, 245)
    draw.text((600, 480), text.upper()[:14], fill=ink, font=_font(44), anchor="mm")


def _seedlings(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((240, 420, 960, 720), fill=(70, 60, 50))
    for row in range(2):
        for col in range(6):
            x, y = 300 + col * 110, 470 + row * 130
            draw.rectangle((x - 40, y, x + 40, y + 100), fill=(40, 32, 26))
            draw.ellipse((x - 34, y - 60, x, y - 10), fill=(90, 170, 80))
            draw.ellipse((x, y - 70, x + 34, y - 20), fill=(70, 150, 66))


DRAWINGS = {
    "board": _board,
    "shelf": _shelf,
    "sign": _sign,
    "bag": _bag,
    "planter": _planter,
    "printed": _printed,
    "shirt": _shirt,
    "seedlings": _seedlings,
}


def draw_product(kind: str, title: str, *, seed: int = 0) -> bytes:
    """A PNG illustration of a product: its shape on a soft background, its name below."""
    rng = random.Random(f"{kind}:{title}:{seed}")
    background = tuple(rng.randint(232, 248) for _ in range(3))
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    drawing = DRAWINGS[kind]
    if kind in {"sign", "shirt"}:
        drawing(draw, rng, title)
    else:
        drawing(draw, rng)
    draw.text((600, 830), title, fill=(40, 40, 36), font=_font(42), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
