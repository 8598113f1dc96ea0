"""Throughput and memory of `taxonomy tag` and `taxonomy build` on a replicated real corpus.

Builds a corpus of N papers by replicating ../shared/corpus/abstracts-ml.jsonl (each copy gets new
ids and a copy number in the title, so nothing is a duplicate), then measures, in the same run and on
the same file:

- the floors: reading + JSON parsing alone (orjson), and bare spaCy tokenization (``blank("en")``);
- ``taxonomy tag`` with ``--jobs 1`` and ``--jobs 2``;
- ``taxonomy build`` with ``--jobs 2``.

Each command runs in a child process; its wall time and peak resident memory (the largest of the
process and its workers, from ``getrusage``) are printed with papers/s and MB/s.

    python bench/scale.py                    # 100,000 papers
    python bench/scale.py --papers 1000000 --only tag-1
    python bench/scale.py --repeat 3         # median of 3 runs of each command
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "corpus" / "abstracts-ml.jsonl"
DATA = ROOT / "bench" / "data"

# Runs a command and prints its wall time and the peak RSS (KiB) of it and its children.
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""

_TOKENIZE = """
import sys, time, orjson, spacy
nlp = spacy.blank("en")
texts = []
n = 0
start = time.perf_counter()
def texts():
    with open(sys.argv[1], "rb") as f:
        for line in f:
            d = orjson.loads(line)
            yield " ".join(d["title"].split())
            yield " ".join(d["abstract"].split())
for doc in nlp.tokenizer.pipe(texts(), batch_size=256):
    n += 1
print(time.perf_counter() - start)
"""

_PARSE = """
import sys, time, orjson
start = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    for line in f:
        orjson.loads(line)
print(time.perf_counter() - start)
"""


def make_corpus(papers: int) -> Path:
    """Replicate the shared abstracts into a JSON Lines file of ``papers`` records (cached in bench/data)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"corpus-{papers}.jsonl"
    if path.is_file():
        return path
    records = [json.loads(line) for line in SOURCE.open(encoding="utf-8")]
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for i in range(papers):
            copy, record = divmod(i, len(records))
            base = records[record]
            title = base["title"] if copy == 0 else f"{base['title']} (copy {copy})"
            row = {"id": f"bench-{i}", "title": title, "abstract": base["abstract"]}
            if "keywords" in base:
                row["keywords"] = base["keywords"]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def run_measured(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of a command (and its children)."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *argv], capture_output=True, text=True, check=True)
    wall, rss_kib, code = done.stdout.split()
    if code != "0":
        raise SystemExit(f"command failed ({code}): {' '.join(argv)}")
    return float(wall), int(rss_kib) / 1024


def python_seconds(script: str, corpus: Path) -> float:
    """Seconds a helper script reports for the corpus."""
    done = subprocess.run(
        [sys.executable, "-c", script, str(corpus)], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip())


def main() -> int:
    """Build the corpus, run the floors and the commands, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command; the median is shown")
    parser.add_argument(
        "--only", default="floors,tag-1,tag-2,build-2", help="comma-separated: floors, tag-1, tag-2, build-2"
    )
    args = parser.parse_args()
    if not SOURCE.is_file():
        print(f"skipped: {SOURCE} is not present")
        return 0
    corpus = make_corpus(args.papers)
    size_mb = corpus.stat().st_size / 1e6
    only = set(args.only.split(","))
    print(
        f"corpus: {corpus.name}, {args.papers:,} papers, {size_mb:.0f} MB; cpus: {os.cpu_count()}; python {sys.version.split()[0]}"
    )
    print(f"{'what':<34} {'seconds':>8} {'papers/s':>9} {'MB/s':>7} {'peak RSS MB':>12}")

    def show(label: str, seconds: float, rss: float | None = None) -> None:
        rss_text = f"{rss:12.0f}" if rss is not None else f"{'':>12}"
        print(
            f"{label:<34} {seconds:8.1f} {args.papers / seconds:9,.0f} {size_mb / seconds:7.1f} {rss_text}",
            flush=True,
        )

    if "floors" in only:
        show(
            "floor: read + JSON parse (orjson)",
            statistics.median(python_seconds(_PARSE, corpus) for _ in range(args.repeat)),
        )
        show(
            "floor: + spaCy blank tokenizer",
            statistics.median(python_seconds(_TOKENIZE, corpus) for _ in range(args.repeat)),
        )
    commands = {
        "tag-1": ("taxonomy tag --jobs 1", ["tag", "--jobs", "1"]),
        "tag-2": ("taxonomy tag --jobs 2", ["tag", "--jobs", "2"]),
        "build-2": ("taxonomy build --jobs 2", ["build", "--jobs", "2"]),
    }
    with tempfile.TemporaryDirectory() as out:
        for key, (label, argv) in commands.items():
            if key not in only:
                continue
            runs = [
                run_measured(
                    [sys.executable, "-m", "taxonomy", *argv, str(corpus), "-o", out, "--no-progress"]
                )
                for _ in range(args.repeat)
            ]
            show(label, statistics.median(r[0] for r in runs), max(r[1] for r in runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
