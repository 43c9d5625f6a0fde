"""Benchmark: processing one 12-megapixel phone JPEG receipt, in a process of its own.

    .venv/bin/python bench/receipt.py [--megapixels 12]

Makes (once, in a child process, so its memory is not counted) a 4000 × 3000 JPEG like a
phone's: a photo-like picture with sensor noise, quality 92, an EXIF orientation that
asks for a turn and a GPS position. Then it loads Django, reads the file, resets this
process's peak memory (``/proc/self/clear_refs``, Linux 4.0+) and runs
``reimbursements.receipts.process_receipt`` on it: the check, decode, turn upright,
re-encode without metadata and thumbnail that an upload goes through. Prints one line of
JSON: seconds, and the process's memory before and at its peak.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where bench/http.py would hide the
# standard library's http package: put the project's root there instead.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import os
import subprocess
import time

from bench.common import status_kb

ROOT = Path(__file__).resolve().parent.parent


def make_photo(path: Path, megapixels: int) -> None:
    from PIL import Image, ImageDraw, ImageFilter

    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5) // 16 * 16
    height = width * 3 // 4
    # A smooth picture (gradients and shapes, as paper under a lamp) plus sensor noise.
    img = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(img)
    for i in range(60):
        x, y = (i * 7919) % width, (i * 104729) % height
        draw.rectangle((x, y, x + width // 8, y + height // 40), fill=(240 - i, 235, 220 + i % 30))
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    img = Image.blend(img.filter(ImageFilter.GaussianBlur(2)), noise, 0.15)
    exif = img.getexif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to view
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    img.save(path, "JPEG", quality=92, exif=exif)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megapixels", type=int, default=12)
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        make_photo(args.make, args.megapixels)
        return

    photo = Path(os.environ.get("VAR_DIR", ROOT / "var")) / f"receipt-{args.megapixels}mp.jpg"
    if not photo.exists():
        photo.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, __file__, "--megapixels", str(args.megapixels), "--make", str(photo)]
        subprocess.run(command, check=True)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningday.settings")
    import django

    django.setup()
    from PIL import Image

    from reimbursements.receipts import process_receipt

    data = photo.read_bytes()
    with Image.open(photo) as img:
        size = img.size
    before = status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    processed = process_receipt(data=data, filename=photo.name)
    seconds = time.perf_counter() - started
    peak = status_kb("VmHWM")
    print(
        json.dumps(
            {
                "width": size[0],
                "height": size[1],
                "megapixels": round(size[0] * size[1] / 1e6, 1),
                "input_mb": round(len(data) / 2**20, 2),
                "stored_mb": round(processed.size / 2**20, 2),
                "seconds": round(seconds, 3),
                "rss_before_mb": round(before / 1024, 1),
                "peak_mb": round(peak / 1024, 1),
                "growth_mb": round((peak - before) / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
