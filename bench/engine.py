"""The matching engine alone: ranking from 1,000 to 1,000,000 mentors, and bulk pairing.

    .venv/bin/python bench/engine.py            # the full run (about a minute)
    .venv/bin/python bench/engine.py --quick    # up to 100,000 mentors, no exact optimum

Prints three tables:
1. ranking the top 10 mentors for one mentee: median and p95 over many different
   mentees, how the time grows with the number of mentors, the pool's memory;
2. ranking mentees for one mentor (the mentor's suggestions page);
3. bulk pairing 10,000 mentees with 2,000 mentors: each strategy's time (scoring
   included), placed, total score, blocking pairs, and the gap to the exact optimum
   (min-cost flow over every feasible pair, not just each mentee's top 50).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from functools import partial

from _population import VOCABULARY, mentees, mentors, percentile

from mentorapp.matching import MenteePool, MentorPool, rank_mentees, rank_mentors
from mentorapp.matching.bulk import candidates, pair_cohort, pair_optimal

TARGETS = "targets: 100,000 mentors under 2 ms median, 1,000,000 under 25 ms; bulk under 1 s"


def pool_bytes(pool) -> int:
    return sum(
        getattr(pool, name).nbytes for name in vars(pool) if hasattr(getattr(pool, name), "nbytes")
    )


def _rank_mentors(mentee, pool):
    return rank_mentors(mentee, pool, limit=10)


def _rank_mentees(mentor, pool):
    return rank_mentees(mentor, pool, limit=10)


def time_calls(call, inputs, repeat: int) -> list[float]:
    call(inputs[0])  # warm up
    times = []
    for k in range(repeat):
        t0 = time.perf_counter()
        call(inputs[k % len(inputs)])
        times.append((time.perf_counter() - t0) * 1000)
    return times


def ranking_table(sizes: list[int]) -> None:
    asking = mentees(200, seed=7)
    print("Ranking the top 10 mentors for one mentee (different mentees each call)")
    print(f"{'mentors':>10}{'build s':>9}{'pool MB':>9}{'median ms':>11}", end="")
    print(f"{'p95 ms':>9}{'peak MB':>9}{'growth':>8}")
    previous = None
    for size in sizes:
        records = mentors(size)
        t0 = time.perf_counter()
        pool = MentorPool.build(records, VOCABULARY)
        build = time.perf_counter() - t0
        del records
        gc.collect()
        repeat = 200 if size <= 100_000 else 60
        times = time_calls(partial(_rank_mentors, pool=pool), asking, repeat)
        tracemalloc.start()
        _rank_mentors(asking[0], pool)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        median = statistics.median(times)
        growth = f"x{median / previous:.1f}" if previous else ""
        previous = median
        print(
            f"{size:>10,}{build:>9.2f}{pool_bytes(pool) / 1e6:>9.1f}{median:>11.2f}"
            f"{percentile(times, 0.95):>9.2f}{peak / 1e6:>9.1f}{growth:>8}"
        )
        del pool
        gc.collect()
    print()


def mentee_ranking_table(sizes: list[int]) -> None:
    asking = mentors(200, seed=8, first_id=50_000_001)
    print("Ranking the top 10 mentees for one mentor")
    print(f"{'mentees':>10}{'median ms':>11}{'p95 ms':>9}")
    for size in sizes:
        pool = MenteePool.build(mentees(size), VOCABULARY)
        times = time_calls(partial(_rank_mentees, pool=pool), asking, 200)
        print(f"{size:>10,}{statistics.median(times):>11.2f}{percentile(times, 0.95):>9.2f}")
    print()


def bulk_table(n_mentees: int, n_mentors: int, exact: bool) -> None:
    students = MenteePool.build(mentees(n_mentees), VOCABULARY)
    teachers = MentorPool.build(mentors(n_mentors, seed=3), VOCABULARY)
    print(
        f"Bulk pairing {n_mentees:,} mentees with {n_mentors:,} mentors "
        f"({int(teachers.free[teachers.open].sum()):,} free places);\n"
        "each mentee's 50 best mentors, and their 30 best among mentors few others list"
    )
    print(f"{'strategy':<22}{'seconds':>9}{'placed':>9}{'total':>11}{'mean':>7}", end="")
    print(f"{'blocking':>10}{'vs exact':>10}")
    results = {}
    for strategy in ("optimal", "stable"):
        runs = [pair_cohort(students, teachers, strategy=strategy, top=50) for _ in range(3)]
        result = min(runs, key=lambda r: r.seconds)
        results[strategy] = result
    best = None
    if exact:
        t0 = time.perf_counter()
        everyone = candidates(students, teachers, top=n_mentors)
        best = pair_optimal(students, teachers, everyone)
        best_seconds = time.perf_counter() - t0
    for strategy, result in results.items():
        gap = f"{(best.total_score - result.total_score) / best.total_score:.2%}" if best else "-"
        print(
            f"{strategy:<22}{result.seconds:>9.3f}{result.placed:>9,}{result.total_score:>11,.1f}"
            f"{result.mean_score:>7.3f}{result.blocking_pairs:>10,}{gap:>10}"
        )
    if best is not None:
        print(
            f"{'exact (every pair)':<22}{best_seconds:>9.3f}{best.placed:>9,}"
            f"{best.total_score:>11,.1f}"
            f"{best.mean_score:>7.3f}{'':>10}{'0.00%':>10}"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop at 100,000 mentors")
    args = parser.parse_args()
    sizes = [1_000, 10_000, 100_000] + ([] if args.quick else [1_000_000])
    ranking_table(sizes)
    mentee_ranking_table([10_000, 100_000])
    bulk_table(10_000, 2_000, exact=not args.quick)
    print(TARGETS)


if __name__ == "__main__":
    main()
