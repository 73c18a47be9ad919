"""How long a policy search takes, over the demo corpus and the real documents.

For each database the schema is built by the migrations, the demo's policy items
are loaded (``engine/policies/demo.py``), then, when present, the 30 real
documents of ``../shared/data/policies.jsonl`` (or ``--real PATH``). Each query
runs ``--repeat`` times through ``engine.policies.search.search`` (segmentation,
the ranked full-text query, the count, highlighting); the median and the
slowest time per query are printed, in milliseconds.

Run from the project root::

    .venv/bin/python bench/policy_search.py                    # SQLite only
    BANGBAN_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/policy_search.py                # and PostgreSQL

A PostgreSQL database named here is emptied first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from engine.db import Base
from engine.policies import importer, search
from engine.policies.demo import load_demo_policies
from engine.policies.models import Policy
from webapp import MIGRATIONS, create_app
from webapp.extensions import db

REPOSITORY = Path(__file__).resolve().parent.parent
# shared/ lies beside a clone, or beside the folder of a helper's worktrees.
REAL = next(
    (
        folder / "shared" / "data" / "policies.jsonl"
        for folder in (REPOSITORY.parent, REPOSITORY.parent.parent)
        if (folder / "shared" / "data").exists()
    ),
    REPOSITORY.parent / "shared" / "data" / "policies.jsonl",
)

QUERIES = (
    "专精特新",
    "高校毕业生 社保补贴",
    "创业担保贷款",
    "智能化技术改造 申报",
    "中小企业促进法",
    "营商环境条例",
    "拖欠中小企业货款",
    "外地人在广州怎么落户",
    "企业",
    "火星 移民",
)


def _app(url: str) -> Flask:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if not url.startswith("sqlite"):
            Base.metadata.drop_all(db.engine)
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=MIGRATIONS)
    return app


def _time(app: Flask, label: str, repeat: int) -> None:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Policy))
        print(f"\n{label}: {count} published items")
        search.search(db.session, "预热")  # jieba's dictionary loads once
        medians = []
        for query in QUERIES:
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                results = search.search(db.session, query)
                times.append((time.perf_counter() - start) * 1000)
            medians.append(statistics.median(times))
            top = results.hits[0].policy.title[:24] if results.hits else "—"
            print(
                f"  {query:<14} {results.total:>3} found  median "
                f"{statistics.median(times):6.1f} ms  max {max(times):6.1f} ms  "
                f"top: {top}"
            )
        print(f"  all queries: median of medians {statistics.median(medians):.1f} ms")


def _run(url: str, name: str, real: Path | None, repeat: int) -> None:
    app = _app(url)
    with app.app_context():
        load_demo_policies(db.session)
        db.session.commit()
    _time(app, f"{name}, demo corpus", repeat)
    if real is None:
        print(f"  real documents not found at {REAL}: only the demo corpus was timed")
        return
    with app.app_context():
        report = importer.import_path(db.session, real)
        db.session.commit()
        print(f"\n{report.summary()}")
    _time(app, f"{name}, demo and real documents", repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--real", type=Path, default=REAL)
    args = parser.parse_args()
    real = args.real if args.real.exists() else None

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        _run(url, "SQLite (FTS5, bm25)", real, args.repeat)

    postgres = os.environ.get("BANGBAN_BENCH_DATABASE_URL")
    if postgres:
        _run(postgres, "PostgreSQL (GIN, ts_rank)", real, args.repeat)
    else:
        print("\nPostgreSQL not timed: set BANGBAN_BENCH_DATABASE_URL to a database")


if __name__ == "__main__":
    main()
