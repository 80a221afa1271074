"""How long turning an upload into the three photo sizes takes, and how much memory.

    .venv/bin/python bench/photos.py            # each kind of upload, 5 runs each
    .venv/bin/python bench/photos.py --runs 10

Each upload is made here with Pillow (noise, so the files are as large as real photos'
are): a phone's 12 MP JPEG, a 40 MP JPEG (the largest accepted), a 3 MP PNG and a 12 MP
WebP, and a decompression bomb (refused). Each upload is written to a file and read by a child
process of its own, so the peak memory printed (the child's maximum resident size, less
the same before decoding) is that upload's alone. This is the work a request does before anything
is stored.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = {
    "JPEG 4000x3000 (12 MP)": ("JPEG", 4000, 3000),
    "JPEG 7300x5450 (40 MP)": ("JPEG", 7300, 5450),
    "PNG 2000x1500 (3 MP)": ("PNG", 2000, 1500),
    "WebP 4000x3000 (12 MP)": ("WEBP", 4000, 3000),
    "WebP 4600x3450 (16 MP)": ("WEBP", 4600, 3450),
    "PNG bomb 15000x15000": ("BOMB", 15000, 15000),
}


def make_upload(kind: str, width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    if kind == "BOMB":
        Image.new("1", (width, height)).save(out, "PNG")
        return out.getvalue()
    # Smooth noise: blocks of random colour, scaled up, compress like a photo does.
    small = Image.frombytes(
        "RGB", (width // 32, height // 32), os.urandom((width // 32) * (height // 32) * 3)
    )
    picture = small.resize((width, height), Image.Resampling.BILINEAR)
    options = {"quality": 80} if kind in ("JPEG", "WEBP") else {"compress_level": 6}
    picture.save(out, kind, **options)
    return out.getvalue()


def child(path: str, runs: int) -> None:
    from mentorapp.photos import images

    data = Path(path).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, refused, stored = [], "", 0
    for _ in range(runs):
        start = time.perf_counter()
        try:
            photo = images.make_photo(data)
        except images.PhotoRefused as error:
            refused = str(error).split(":")[0].split(".")[0]
        else:
            stored = sum(len(b) for b in photo.sizes.values())
        times.append((time.perf_counter() - start) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "bytes": len(data),
                "median_ms": statistics.median(times),
                "max_ms": max(times),
                "extra_mb": max(0, peak - before) / 1024,
                "stored": stored,
                "refused": refused,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the upload's file
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return
    print(f"{'upload':26} {'file':>9} {'median':>9} {'max':>9} {'memory':>9} {'kept':>9}  result")
    for name, (kind, width, height) in CASES.items():
        with tempfile.NamedTemporaryFile(suffix=".upload") as upload:
            upload.write(make_upload(kind, width, height))
            upload.flush()
            answer = subprocess.run(
                [sys.executable, __file__, "--child", upload.name, "--runs", str(args.runs)],
                capture_output=True,
                text=True,
                check=True,
            )
        row = json.loads(answer.stdout.strip().splitlines()[-1])
        result = f"refused: {row['refused']}" if row["refused"] else "3 sizes"
        print(
            f"{name:26} {row['bytes'] / 1e6:>7.2f}MB {row['median_ms']:>7.0f}ms "
            f"{row['max_ms']:>7.0f}ms {row['extra_mb']:>7.0f}MB {row['stored'] / 1e3:>7.1f}kB  "
            f"{result}"
        )


if __name__ == "__main__":
    main()
