"""The Mentors page's search function at size: 100,000 vetted mentors.

    .venv/bin/python bench/mentor_search.py                  # SQLite, then PostgreSQL
    .venv/bin/python bench/mentor_search.py --mentors 20000 --only sqlite

For each database: a fresh database (migrations), mentors with names, headlines, bios
and cities; the text drawn by Zipf's law from 30,000 words, as real writing is (a few
words in almost every bio, most in a handful); their search rows written by
`reindex_mentors`. Then the median and p95 of `search_mentors` (first page) for a word
in ~40%, ~5% and ~0.5% of mentors, a rare one, two words, a name, no words, and a few
filtered cases, both databases side by side in one table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import _population
import numpy as np
from _http import PG_SERVER, ROOT, adult_who_accepted, postgres_database, use_database
from sqlalchemy import insert
from sqlalchemy import text as sql

sys.path.insert(0, str(ROOT))


def _split(words: str) -> list[str]:
    return words.split()


FIRST = _split(
    "Ana Marcus Joana Kim Zoé Ravi Lena Tomás Ade Mei Sam Noor Chidi Ingrid Mateo Priya"
    " Yusuf Hana Oskar Leïla Diego Aiko Kwame Sofia Émile Nadia Bruno Amara Felix Ines"
    " Jonas Zara Omar Lucía Pavel Ama Henrik Malia Tariq Björn"
)
LAST = _split(
    "Silva Lindqvist Okafor Müller Rossi Tanaka Nguyen García Kowalski Mensah Dubois"
    " Haddad Novak Sato Fischer Costa Ivanova Moreau Adeyemi Jensen Kaur Ramírez Bakker"
    " Petrov O'Neill Schäfer Ferreira Yilmaz Nakamura Lefèvre Andersson Chen Owusu Popescu"
    " Horvat Mahmoud Varga Santos Kim Abara Eriksen Duarte Sørensen Castillo Wright Hughes"
)
# The words bios are made of, most common first. Real writing follows Zipf's law: a
# few words are in almost every bio, most are in a handful.
COMMON = _split(
    "the and i with for music of to a in my on studio have records recording mixing"
    " production producer sessions artists work years sound working album tracks songs"
    " engineer beats vocals live from love mastering jazz soul band house gear analog"
    " mixes drums synths release label film score strings tape piano guitar bass techno"
    " ambient hip hop grime dub reggae gospel choir orchestral sampling songwriting"
    " arrangement modular lofi trap drill afrobeats folk rock metal punk indie pop"
    " electronic classical opera podcast radio theatre games dance disco funk blues"
    " country latin salsa cumbia samba bossa tango flamenco fado highlife kpop jpop"
    " shoegaze garage jungle dubstep breakbeat trance hardstyle vaporwave chiptune"
    " foley sync licensing publishing touring teaching editing restoration vinyl cassette"
)
# Real words placed deep in the tail, so the rare classes have readable words too.
NICHE = {
    300: "zydeco",
    900: "qawwali",
    1_400: "gamelan",
    5_000: "mbira",
    15_000: "theremin",
    29_000: "ondioline",
}
VOCABULARY_SIZE = 30_000
# (label, target share of mentors) for the single-word classes; the bench picks the
# word nearest each share as the index counts it (prefixes included).
SHARES = [("word in ~40%", 0.40), ("word in ~5%", 0.05), ("word in ~0.5%", 0.005)]


def vocabulary(rng: np.random.Generator) -> list[str]:
    """COMMON first, NICHE at their ranks, and made-up words of two to four syllables."""
    onsets = _split("b c d f g k l m n p r s t v z br kr pl st tr sh ch")
    vowels = _split("a e i o u ai ou ei")
    words = list(COMMON)
    seen = set(words) | set(NICHE.values())
    while len(words) < VOCABULARY_SIZE:
        for rank, word in NICHE.items():
            if len(words) == rank:
                words.append(word)
        syllables = rng.integers(2, 5)
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words[:VOCABULARY_SIZE]


def writing(rng: np.random.Generator, words: list[str], n: int, low: int, high: int):
    """n texts of low to high words drawn by Zipf's law (s = 1) over the vocabulary."""
    weights = 1 / np.arange(1, len(words) + 1)
    weights /= weights.sum()
    lengths = rng.integers(low, high + 1, size=n)
    drawn = rng.choice(len(words), size=int(lengths.sum()), p=weights)
    vocab = np.array(words, dtype=object)
    texts, at = [], 0
    for length in lengths:
        texts.append(" ".join(vocab[drawn[at : at + length]]))
        at += length
    return texts


def _postgres_has(name: str) -> bool:
    """Whether a kept bench database of that name is there, built to the end."""
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/{name}", connect_timeout=3) as conn:
            return bool(conn.execute("SELECT count(*) FROM mentor_search").fetchone()[0])
    except Exception:  # no such database, or a build cut short
        return False


def build(database_url: str, count: int, kept: bool = False):
    use_database(database_url)
    from flask_migrate import upgrade

    from mentorapp import create_app
    from mentorapp.extensions import db
    from mentorapp.mentors.index import reindex_mentors
    from mentorapp.models import MentorApplication, MentorProfile, Place, User
    from mentorapp.models.types import utcnow
    from mentorapp.profiles.vocabulary import GENRES

    app = create_app()
    rng = np.random.default_rng(7)
    words = vocabulary(rng)
    genres = [slug for slug, _ in GENRES]
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if kept:
            return app
        towns, _ = _population.towns()
        db.session.execute(insert(Place), _population.place_rows())
        adult, now = adult_who_accepted(), utcnow()
        for start in range(1000, 1000 + count, 20_000):
            ids = range(start, min(start + 20_000, 1000 + count))
            n = len(ids)
            headlines = writing(rng, words, n, 3, 8)
            bios = writing(rng, words, n, 30, 90)
            credits = writing(rng, words, n, 4, 16)
            picked = rng.integers(0, len(genres), size=(n, 2))
            accepting = rng.random(n) < 0.8
            db.session.execute(
                insert(User),
                [
                    {
                        "id": i,
                        "email": f"m{i}@bench.example.com",
                        "display_name": f"{FIRST[i % len(FIRST)]} {LAST[(i // 7) % len(LAST)]}",
                        "password_hash": "x",
                        "is_mentor": True,
                        **adult,
                    }
                    for i in ids
                ],
            )
            db.session.execute(
                insert(MentorProfile),
                [
                    {
                        "user_id": i,
                        "headline": headlines[k][:120],
                        "bio": bios[k],
                        "credits": credits[k],
                        "place_id": towns[i % len(towns)].geonameid,
                        "genres": sorted({genres[g] for g in picked[k]}),
                        "tools": [],
                        "portfolio_links": [],
                        "accepting": bool(accepting[k]),
                    }
                    for k, i in enumerate(ids)
                ],
            )
            db.session.execute(
                insert(MentorApplication),
                [
                    {
                        "user_id": i,
                        "state": "approved",
                        "data": {},
                        "evidence_links": [],
                        "vetted_at": now,
                        "submitted_at": now,
                    }
                    for i in ids
                ],
            )
        db.session.flush()
        reindex_mentors()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # As autovacuum leaves a table in use: statistics, the visibility map, and
            # the GIN index's pending list merged in.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    return app


def index_count(text: str) -> int:
    """How many mentors the index alone matches (every word a prefix), counted
    straight from the database's own index: the share each query class stands for."""
    from mentorapp.extensions import db
    from mentorapp.mentors.index import search_words

    words = search_words(text)
    if not words:
        return db.session.execute(sql("SELECT count(*) FROM mentor_search")).scalar_one()
    if db.engine.dialect.name == "postgresql":
        return db.session.execute(
            sql("SELECT count(*) FROM mentor_search WHERE vector @@ to_tsquery('simple', :q)"),
            {"q": " & ".join(f"{w}:*" for w in words)},
        ).scalar_one()
    return db.session.execute(
        sql("SELECT count(*) FROM mentor_search_fts WHERE mentor_search_fts MATCH :q"),
        {"q": " ".join(f'"{w}"*' for w in words)},
    ).scalar_one()


def queries(count: int) -> list[tuple[str, dict]]:
    """(class, MentorQuery fields): words picked by how many mentors the index finds."""
    shares = {w: index_count(w) / count for w in [*COMMON, *NICHE.values()]}

    def nearest(share: float) -> str:
        return min(shares, key=lambda w: abs(shares[w] - share))

    picked = [(label, nearest(share)) for label, share in SHARES]
    common, middle = picked[0][1], picked[1][1]
    return [
        *((label, {"text": word}) for label, word in picked),
        ("rare word", {"text": nearest(15 / count)}),
        ("two words", {"text": f"{common} {middle}"}),
        ("a name", {"text": "Lindqvist"}),
        ("no words", {"text": ""}),
        ("~40% + genre", {"text": common, "genre": "jazz"}),
        ("no words, taking", {"text": "", "taking": True}),
        ("~40%, newest", {"text": common, "sort": "newest"}),
    ]


def _server_cpu():
    """A clock of the CPU seconds the session's PostgreSQL backend has used (read from
    /proc, the server being local); zero on SQLite, whose work is this process's."""
    from mentorapp.extensions import db

    if db.engine.dialect.name != "postgresql":
        return lambda: 0.0
    pid = db.session.execute(sql("SELECT pg_backend_pid()")).scalar_one()
    tick = os.sysconf("SC_CLK_TCK")

    def seconds() -> float:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # a server elsewhere: its share is not counted
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    return seconds


def measure(app, count: int, runs: int) -> dict[str, tuple[str, int, str, float, float, float]]:
    """Per class: (query, index matches, total as the page words it, median, p95, and
    the mean CPU time per search: this process's and, on PostgreSQL, its server
    backend's; the load of other work on the machine inflates wall times, not these)."""
    from mentorapp.database import read_only
    from mentorapp.extensions import db
    from mentorapp.mentors.search import MentorQuery, search_mentors

    rows = {}
    # As a GET request runs: a read-only transaction (BEGIN, not BEGIN IMMEDIATE).
    with app.test_request_context(), read_only():
        for label, fields in queries(count):
            times = []
            server = _server_cpu()
            began_cpu, server_began = time.process_time(), server()
            for _ in range(runs):
                began = time.perf_counter()
                page = search_mentors(MentorQuery(**fields))
                times.append((time.perf_counter() - began) * 1000)
                db.session.rollback()
            spent = time.process_time() - began_cpu + server() - server_began
            shown = f"{'>' if getattr(page, 'capped', False) else ''}{page.total}"
            query = fields["text"] or "(none)"
            if len(fields) > 1:
                query += " +" + ",".join(k for k in fields if k != "text")
            rows[label] = (
                query,
                index_count(fields["text"]),
                shown,
                statistics.median(times),
                _population.percentile(times, 0.95),
                spent * 1000 / runs,
            )
            db.session.rollback()
            print(f"  {label}: {rows[label]}", file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentors", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the databases built (by size) and measure them again on the next run",
    )
    args = parser.parse_args()
    targets = []
    if args.only in (None, "sqlite"):
        folder = tempfile.gettempdir() if args.keep else tempfile.mkdtemp()
        path = f"{folder}/bench_mentor_search_{args.mentors}.sqlite3"
        targets.append(("SQLite", f"sqlite:///{path}", args.keep and os.path.exists(path)))
    if args.only in (None, "postgresql"):
        # Its own database, made afresh each run (dropped first if an old run left it).
        name = f"bench_mentor_search_{args.mentors}" if args.keep else "bench_mentor_search"
        kept = args.keep and _postgres_has(name)
        url = f"{PG_SERVER}/{name}" if kept else postgres_database(name)
        if url:
            targets.append(("PostgreSQL", url, kept))
    results = {}
    for name, url, kept in targets:
        began = time.perf_counter()
        app = build(url, args.mentors, kept)
        print(f"{name}: built in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        results[name] = measure(app, args.mentors, args.runs)
        from mentorapp.extensions import db

        with app.app_context():
            db.engine.dispose()
    print(f"\n{args.mentors:,} vetted mentors, {args.runs} runs each, first page (12)")
    names = list(results)
    head = f"{'class':<17} {'query':<24} {'matches':>8}"
    for name in names:
        head += f" | {name + ' shown':>17} {'median':>7} {'p95':>7} {'cpu':>6}"
    print(head + "\n" + "-" * len(head))
    for label in results[names[0]] if names else []:
        query, matches, *_ = results[names[0]][label]
        line = f"{label:<17} {query[:24]:<24} {matches:>8}"
        for name in names:
            _, _, shown, median, p95, cpu = results[name][label]
            line += f" | {shown:>17} {median:>7.1f} {p95:>7.1f} {cpu:>6.1f}"
        print(line)
    print(
        "(ms; median and p95 wall time; cpu: mean CPU time per search, the bench"
        " process's and its PostgreSQL backend's; matches: mentors the index holds for"
        " the words, before any filter)"
    )


if __name__ == "__main__":
    main()
