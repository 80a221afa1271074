"""How fast the place search answers, and what loading the gazetteer costs.

    .venv/bin/python bench/gazetteer.py

Prints a table: one row per query, median and p95 over many runs, plus the one-off
load time and the memory the index holds.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

from mentorapp.places.gazetteer import Gazetteer

QUERIES = ["s", "sa", "par", "lon", "new york", "san", "spring", "münch", "zzz"]
RUNS = 500


def main() -> None:
    start = time.perf_counter()
    gazetteer = Gazetteer.load()
    load_seconds = time.perf_counter() - start
    # Build a second copy under tracemalloc to see what the index keeps.
    tracemalloc.start()
    copy = Gazetteer.load.__wrapped__()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del copy

    print(
        f"gazetteer: {len(gazetteer):,} cities, loaded in {load_seconds * 1000:.0f} ms, "
        f"index holds {held / 1e6:.1f} MB (peak while loading {peak / 1e6:.0f} MB)\n"
    )
    print(f"{'query':<12}{'results':>8}{'median ms':>12}{'p95 ms':>10}")
    for query in QUERIES:
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            results = gazetteer.search(query, limit=8)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(
            f"{query!r:<12}{len(results):>8}{statistics.median(times):>12.3f}"
            f"{times[int(len(times) * 0.95)]:>10.3f}"
        )
    print(f"\n{'through HTTP':<20}{'median ms':>12}{'p95 ms':>10}")
    client = _client()
    for query in ["lon", "s"]:
        times = []
        for _ in range(200):
            t0 = time.perf_counter()
            client.get(f"/places/search?q={query}")
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(
            f"{'/places/search?q=' + query:<20}{statistics.median(times):>12.3f}"
            f"{times[int(len(times) * 0.95)]:>10.3f}"
        )
    print("\ntarget: under 20 ms a search")


def _client():
    import tempfile

    from mentorapp import create_app

    folder = tempfile.mkdtemp()
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "PUBLIC_URL": "http://bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
        }
    )
    return app.test_client()


if __name__ == "__main__":
    main()
