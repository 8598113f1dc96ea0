"""Benchmark: a rebuild with 100,000 papers cached and 1,000 new ones, against a fresh build.

    python bench/incremental.py [--papers 100000] [--new 1000] [--repeat 2] [--jobs 1] [--work DIR]

Builds a corpus by replicating ../shared/corpus/abstracts-ml.jsonl with new ids and titles (a
replica's title ends in "(replica k)", so deduplication keeps it), then times four commands, each
``python -m taxonomy build`` in a subprocess:

1. *fill*: a build of the first N papers with ``--cache`` (an empty cache: everything is tagged);
2. *incremental*: the same file with the new papers appended, with the cache from step 1;
3. *fresh*: that file again without a cache, into a folder holding step 1's summary.json (so its
   report has the same "since the last run" section as the incremental one).

Steps 2 and 3 run ``--repeat`` times each (the cache and step 1's output folder are put back between
runs: the rebuild resumes from what step 1 left, and the copies are flushed to disk before the clock
starts); the best time of each counts. The script prints the times, the ratio, and whether every
output file of the incremental build equals the fresh build's, byte for byte.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "corpus" / "abstracts-ml.jsonl"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; exit status 1 when the outputs differ."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--papers", type=int, default=100_000, help="papers cached before the rebuild")
    parser.add_argument("--new", type=int, default=1_000, help="papers added for the rebuild")
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of the rebuild and of the fresh build (best counts)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="--jobs for every build")
    parser.add_argument("--source", type=Path, default=SOURCE, help="the corpus to replicate (JSON Lines)")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed after)")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"skipped: {args.source} is not here (the shared corpus is needed)")
        return 0
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
        return run(args, args.work)
    with tempfile.TemporaryDirectory(prefix="taxonomy-bench-") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, work: Path) -> int:
    """Write the corpus, time the builds, compare the outputs."""
    corpus = work / "corpus.jsonl"
    make_corpus(args.source, corpus, args.papers)
    cache, inc, fresh = work / "cache.sqlite", work / "incremental", work / "fresh"
    for path in (cache, work / "cache.sqlite-wal", inc, fresh, work / "incremental-filled"):
        _remove(path)
    jobs = ["--jobs", str(args.jobs)]
    fill = timed(["build", str(corpus), "-o", str(inc), "--cache", str(cache), *jobs])
    print(f"fill:        {args.papers:,} papers, empty cache: {fill:7.2f} s")
    saved_cache, saved_summary = work / "cache-filled.sqlite", work / "summary-filled.json"
    saved_out = work / "incremental-filled"
    shutil.copyfile(cache, saved_cache)
    shutil.copyfile(inc / "summary.json", saved_summary)
    _remove(saved_out)
    shutil.copytree(inc, saved_out)
    append_papers(args.source, corpus, args.papers, args.new)
    total = args.papers + args.new
    rebuilds, fresh_runs = [], []
    for _ in range(max(1, args.repeat)):
        for leftover in (work / "cache.sqlite-wal", work / "cache.sqlite-shm"):
            _remove(leftover)
        shutil.copyfile(saved_cache, cache)
        _remove(inc)
        shutil.copytree(saved_out, inc)
        _settle()
        rebuilds.append(timed(["build", str(corpus), "-o", str(inc), "--cache", str(cache), *jobs]))
        print(f"incremental: {total:,} papers, {args.papers:,} cached: {rebuilds[-1]:7.2f} s")
    for _ in range(max(1, args.repeat)):
        _remove(fresh)
        fresh.mkdir()
        shutil.copyfile(saved_summary, fresh / "summary.json")
        _settle()
        fresh_runs.append(timed(["build", str(corpus), "-o", str(fresh), *jobs]))
        print(f"fresh:       {total:,} papers, no cache: {fresh_runs[-1]:7.2f} s")
    best_inc, best_fresh = min(rebuilds), min(fresh_runs)
    differ = compare(inc, fresh)
    print(
        f"\nbest of {len(rebuilds)}: fresh {best_fresh:.2f} s, incremental {best_inc:.2f} s, "
        f"ratio {best_inc / best_fresh:.1%} (target: under 10%)"
    )
    if differ:
        print(f"outputs differ from a fresh build: {', '.join(differ)}")
        return 1
    print(f"outputs identical to a fresh build: {len(list(_files(fresh)))} files compared byte for byte")
    return 0


def make_corpus(source: Path, target: Path, papers: int) -> None:
    """Write ``papers`` records replicated from ``source``, each with its own id and title."""
    with target.open("wb") as out:
        out.writelines(_replicas(source, 0, papers))


def append_papers(source: Path, target: Path, start: int, count: int) -> None:
    """Append ``count`` more replicas (numbered from ``start``) to the corpus file."""
    with target.open("ab") as out:
        out.writelines(_replicas(source, start, count))


def _replicas(source: Path, start: int, count: int) -> list[bytes]:
    records = [orjson.loads(line) for line in source.read_bytes().splitlines() if line.strip()]
    lines = []
    for n in range(start, start + count):
        copy, record = divmod(n, len(records))
        record = dict(records[record])
        record["id"] = f"bench-{n}"
        if copy:
            record["title"] = f"{record['title']} (replica {copy})"
        lines.append(orjson.dumps(record) + b"\n")
    return lines


def timed(args: list[str]) -> float:
    """Run ``python -m taxonomy ARGS`` and return its wall-clock time in seconds."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "taxonomy", *args], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"taxonomy {' '.join(args)} failed:\n{done.stderr}")
    return elapsed


def compare(a: Path, b: Path) -> list[str]:
    """Names of the output files that differ between two folders (or exist in one only)."""
    names = sorted(set(_files(a)) | set(_files(b)))
    return [
        n
        for n in names
        if not (a / n).is_file() or not (b / n).is_file() or not filecmp.cmp(a / n, b / n, shallow=False)
    ]


def _files(folder: Path) -> list[str]:
    return [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]


def _settle() -> None:
    """Write the files just copied back to disk before timing, so the timed run does not pay for it."""
    if hasattr(os, "sync"):
        os.sync()


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


if __name__ == "__main__":
    sys.exit(main())
