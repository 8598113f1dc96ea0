"""Check that every way of running ``taxonomy build`` writes the same bytes.

    python bench/identical.py [--papers 20000] [--only listing,abstracts] [--work DIR] [--corpus DIR]

Builds two corpora from ``--corpus`` (by default ../shared/corpus beside the repository; exits 0 with
a note when it is not there):

- *listing*: ``hf-papers-listing.txt``, as it is;
- *abstracts*: the first ``--papers`` records of ``abstracts-ml.jsonl`` (when the file holds fewer,
  the rest are replicas of its records, each title ending in "(replica k)", so none is a duplicate).

Each corpus is built, each time with ``python -m taxonomy build`` in a subprocess, into its own
output folder, by these runs:

- ``jobs-1``: ``--jobs 1``, the reference;
- ``jobs-2``: ``--jobs 2`` (a process pool);
- ``dask``: ``--engine dask --jobs 2`` (a local Dask cluster; left out when dask is not installed);
- ``interrupted``: ``--cache`` with an empty cache, interrupted (SIGINT) once some papers are stored
  in the cache, then run again with the same cache: the second run takes those papers from it;
- ``resumed`` (JSON Lines only): ``--cache``, first on the corpus's first half, then on the whole
  file (the second half appended), interrupted once some new papers are stored, then run again:
  that run resumes after the first half. Its report has a "Since the last run" section, so its
  reference is a ``--jobs 1`` build of the whole file into a folder holding the first half's
  summary.json.

Every output file is compared with the reference's by SHA-256; for a file that differs, the first
differing line of each is shown. Exit status 1 when any file differs or is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
LISTING, ABSTRACTS = "hf-papers-listing.txt", "abstracts-ml.jsonl"


def main(argv: list[str] | None = None) -> int:
    """Build each corpus every way, compare the outputs, print what differs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--papers", type=int, default=20_000, help="papers of the abstracts corpus")
    parser.add_argument("--only", default="listing,abstracts", help="corpora to build (comma-separated)")
    parser.add_argument("--work", type=Path, help="working folder, kept (default: a temporary one)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"folder of {LISTING} and {ABSTRACTS}")
    args = parser.parse_args(argv)
    if not ((args.corpus / LISTING).is_file() and (args.corpus / ABSTRACTS).is_file()):
        print(f"skipped: {args.corpus} is not here (the shared corpus is needed)")
        return 0
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
        return run(args, args.work.resolve())
    with tempfile.TemporaryDirectory(prefix="taxonomy-identical-") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, work: Path) -> int:
    """Every corpus asked for, every run; 1 when any output differs."""
    status = 0
    for corpus in args.only.split(","):
        inputs = work / "inputs"
        inputs.mkdir(exist_ok=True)
        if corpus == "listing":
            name = "listing.txt"
            shutil.copyfile(args.corpus / LISTING, inputs / name)
            status |= check(work, corpus, name, None)
        elif corpus == "abstracts":
            name = "abstracts.jsonl"
            lines = first_papers(args.corpus / ABSTRACTS, args.papers)
            (inputs / name).write_bytes(b"".join(lines))
            status |= check(work, corpus, name, lines)
        else:
            sys.exit(f"unknown corpus '{corpus}' (choose from listing, abstracts)")
    return status


def check(work: Path, corpus: str, name: str, lines: list[bytes] | None) -> int:
    """Build one corpus every way and compare each run's files with the reference's."""
    out = work / "out" / corpus
    shutil.rmtree(out, ignore_errors=True)
    source = f"inputs/{name}"
    print(f"\n{corpus}: {source}")
    build(work, [source, "-o", f"out/{corpus}/jobs-1", "--jobs", "1"], "jobs-1")
    runs: dict[str, Path] = {}
    build(work, [source, "-o", f"out/{corpus}/jobs-2", "--jobs", "2"], "jobs-2")
    runs["jobs-2"] = out / "jobs-2"
    if importlib.util.find_spec("dask") and importlib.util.find_spec("distributed"):
        build(work, [source, "-o", f"out/{corpus}/dask", "--engine", "dask", "--jobs", "2"], "dask")
        runs["dask"] = out / "dask"
    else:
        print("  dask: not installed (pip install '.[dask]'), left out")
    cached = [source, "-o", f"out/{corpus}/interrupted", "--cache", f"out/{corpus}/interrupted.sqlite"]
    interrupt(work, cached, out / "interrupted.sqlite", 1)
    build(work, cached, "interrupted, run again")
    runs["interrupted"] = out / "interrupted"
    differ = {mode: compare(out / "jobs-1", folder) for mode, folder in runs.items()}
    if lines is not None:
        differ["resumed"] = resumed(work, corpus, name, lines)
    for mode, files in differ.items():
        print(f"  {mode:12} {'identical' if not files else 'DIFFERS'}: " + (", ".join(files) or "all files"))
    return int(any(differ.values()))


def resumed(work: Path, corpus: str, name: str, lines: list[bytes]) -> list[str]:
    """First half with a cache, the rest appended, an interrupted run, a resumed one; against a fresh build."""
    out = work / "out" / corpus
    half = len(lines) // 2
    resume_input = work / "inputs" / f"resume-{name}"
    resume_input.write_bytes(b"".join(lines[:half]))
    cached = [f"inputs/{resume_input.name}", "-o", f"out/{corpus}/resumed", "--cache"]
    cached.append(f"out/{corpus}/resumed.sqlite")
    build(work, cached, f"resumed: first {half:,} papers")
    (out / "reference").mkdir()
    shutil.copyfile(out / "resumed" / "summary.json", out / "reference" / "summary.json")
    with resume_input.open("ab") as handle:
        handle.writelines(lines[half:])
    stored = count_cached(out / "resumed.sqlite")
    interrupt(work, cached, out / "resumed.sqlite", stored + 1)
    said = build(work, cached, "resumed, the rest appended")
    if "resumed after" not in said:
        print(f"    (did not resume: {said.strip().splitlines()[-1]})")
    build(work, [f"inputs/{resume_input.name}", "-o", f"out/{corpus}/reference"], "resumed: reference")
    return compare(out / "reference", out / "resumed")


def first_papers(source: Path, papers: int) -> list[bytes]:
    """The first ``papers`` lines of a JSON Lines file, made up with retitled replicas when it is short."""
    import orjson

    records = [line for line in source.read_bytes().splitlines() if line.strip()]
    lines = []
    for n in range(papers):
        copy, index = divmod(n, len(records))
        if not copy:
            lines.append(records[index] + b"\n")
            continue
        record = orjson.loads(records[index])
        record["title"] = f"{record.get('title', '')} (replica {copy})"
        lines.append(orjson.dumps(record) + b"\n")
    return lines


def build(work: Path, args: list[str], label: str) -> str:
    """``python -m taxonomy build ARGS`` in ``work``; its standard output."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "taxonomy", "build", "--no-progress", *args],
        cwd=work,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"taxonomy build {' '.join(args)} failed:\n{done.stderr}")
    print(f"  {label}: {time.perf_counter() - started:.1f} s")
    return done.stdout


def interrupt(work: Path, args: list[str], cache: Path, at_least: int) -> None:
    """Start a cached build with small batches and interrupt it (SIGINT) once ``at_least`` papers are stored."""
    child = subprocess.Popen(
        [sys.executable, "-m", "taxonomy", "build", "--no-progress", "--batch-size", "8", *args],
        cwd=work,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until(lambda: child.poll() is not None or count_cached(cache) >= at_least)
    if child.poll() is not None:
        sys.exit(f"taxonomy build {' '.join(args)} ended before it could be interrupted:\n{child.stderr}")
    child.send_signal(signal.SIGINT)
    child.communicate()
    stored = count_cached(cache)
    print(f"  interrupted with {stored:,} papers in the cache (exit status {child.returncode})")


def wait_until(done: Callable[[], bool]) -> None:
    """Poll every 20 ms."""
    while not done():
        time.sleep(0.02)


def count_cached(cache: Path) -> int:
    """Papers stored in a tag cache so far (0 while it has no table)."""
    if not cache.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.Error:
        return 0


def compare(reference: Path, other: Path) -> list[str]:
    """The files that differ (or exist in one folder only), each with the first line that differs."""
    names = sorted(set(_files(reference)) | set(_files(other)))
    differ = []
    for name in names:
        a, b = reference / name, other / name
        if not (a.is_file() and b.is_file()):
            differ.append(f"{name} (only in {reference.name if a.is_file() else other.name})")
        elif _sha256(a) != _sha256(b):
            differ.append(name)
            _show_first_difference(a, b)
    return differ


def _show_first_difference(a: Path, b: Path) -> None:
    for number, (x, y) in enumerate(
        zip(a.read_bytes().splitlines(), b.read_bytes().splitlines(), strict=False), 1
    ):
        if x != y:
            print(f"    {a.parent.name}/{a.name}:{number}: {x[:200]!r}")
            print(f"    {b.parent.name}/{b.name}:{number}: {y[:200]!r}")
            return
    print(f"    {a.name}: one file is longer ({a.stat().st_size:,} and {b.stat().st_size:,} bytes)")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _env() -> dict[str, str]:
    return dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )


if __name__ == "__main__":
    sys.exit(main())
