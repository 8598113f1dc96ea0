"""Throughput and memory of `taxonomy tag` and `taxonomy build` on a replicated real corpus.

Builds a corpus of N papers by replicating ../shared/corpus/abstracts-ml.jsonl (each copy gets new
ids and a copy number in the title, so nothing is a duplicate), then measures, in the same run and on
the same file:

- the floors: reading + JSON parsing alone (orjson), bare spaCy tokenization (``blank("en")``), the
  same tokenization split over two processes run at once (what two processes can do on this
  machine now: the ceiling of ``--jobs 2`` over ``--jobs 1``), and the candidate automaton alone
  (``taxonomy/tag/candidates.py``, over every title and abstract);
- ``taxonomy tag`` with ``--jobs 1`` and ``--jobs 2``;
- ``taxonomy build`` with ``--jobs 2``.

Each command runs in a child process (after one untimed run on 10 papers, so every command starts
with the compiled tagger in the cache); its wall time, the CPU time of it and its workers, and its
peak resident memory (the largest of the process and its workers, from ``getrusage``) are printed
with papers/s and MB/s. Then the ratios issue 18 asks for, measured in this run: ``tag --jobs 1``
over the tokenizer floor (target 3.0), ``tag --jobs 2`` over ``tag --jobs 1`` (target 1.8) beside
the two-process tokenizer over the one-process one, and the peak memory (target 200 MB). The load average is printed before and after: figures taken on a busy
machine are not comparable with others.

    python bench/scale.py                    # 100,000 papers
    python bench/scale.py --papers 1000000 --only tag-1,tag-2
    python bench/scale.py --repeat 3         # median of 3 runs of each command
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "corpus" / "abstracts-ml.jsonl"
DATA = ROOT / "bench" / "data"
TARGETS = {"tag-1 / tokenizer": 3.0, "tag-2 / tag-1": 1.8}
TARGET_RSS_MB = 200

# Runs a command; prints its wall time, the user + system CPU seconds and the peak RSS (KiB) of it
# and its children, and its exit code.
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code)
"""

# Every floor script gets the corpus path and prints the seconds its loop took (imports and set-up
# not counted, as they are not in the commands' per-paper cost either).
_PARSE = """
import sys, time, orjson
start = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    for line in f:
        orjson.loads(line)
print(time.perf_counter() - start)
"""

# With a second argument K of N ("0/2"), only the lines whose number is K modulo N are tokenized (the
# share of one of N processes; the others' lines are read and skipped).
_TOKENIZE = """
import sys, time, orjson, spacy
nlp = spacy.blank("en")
share, of = map(int, (sys.argv[2] if len(sys.argv) > 2 else "0/1").split("/"))
start = time.perf_counter()
def texts():
    with open(sys.argv[1], "rb") as f:
        for i, line in enumerate(f):
            if i % of != share:
                continue
            d = orjson.loads(line)
            yield " ".join(d["title"].split())
            yield " ".join(d["abstract"].split())
for doc in nlp.tokenizer.pipe(texts(), batch_size=256):
    pass
print(time.perf_counter() - start)
"""

#: The third floor: the candidate automaton alone over every title and abstract (read and parsed as
#: above): where a concept name may start, which decides the sentences the tagger tokenizes.
AUTOMATON = """
import sys, time, orjson
from taxonomy.rules import load_rules
from taxonomy.runs import compiled_tagger
candidates = compiled_tagger(load_rules())._candidates
start = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    for line in f:
        d = orjson.loads(line)
        candidates.starts(" ".join(d["title"].split()))
        candidates.starts(" ".join(d["abstract"].split()))
print(time.perf_counter() - start)
"""


@dataclass(frozen=True)
class Floor:
    """A floor: a script over the corpus that prints its own seconds ("" when not written yet)."""

    label: str
    script: str


FLOORS = {
    "parse": Floor("floor: read + JSON parse (orjson)", _PARSE),
    "tokenizer": Floor("floor: + spaCy blank tokenizer", _TOKENIZE),
    "automaton": Floor("floor: candidate automaton alone", AUTOMATON),
}

COMMANDS = {
    "tag-1": ("taxonomy tag --jobs 1", ["tag", "--jobs", "1"]),
    "tag-2": ("taxonomy tag --jobs 2", ["tag", "--jobs", "2"]),
    "build-2": ("taxonomy build --jobs 2", ["build", "--jobs", "2"]),
}


@dataclass(frozen=True)
class Run:
    """One measured command: wall and CPU seconds, peak RSS in MB."""

    wall: float
    cpu: float
    rss_mb: float


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


def run_measured(argv: list[str]) -> Run:
    """Wall and CPU seconds and peak RSS in MB of a command (and its children)."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *argv], capture_output=True, text=True, check=True)
    wall, cpu, rss_kib, code = done.stdout.split()
    if code != "0":
        raise SystemExit(f"command failed ({code}): {' '.join(argv)}")
    return Run(float(wall), float(cpu), int(rss_kib) / 1024)


def python_seconds(script: str, corpus: Path) -> float:
    """Seconds a floor script reports for the corpus."""
    done = subprocess.run(
        [sys.executable, "-c", script, str(corpus)], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip())


def two_processes_seconds(script: str, corpus: Path) -> float:
    """Seconds of the tokenizer floor split over two processes started at once (each tokenizing
    every other paper), the longer of the two loops: what two processes can do on this machine
    now, the ceiling of any two-job speed-up (``--jobs 2`` over ``--jobs 1``) in the same run."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(corpus), f"{share}/2"], stdout=subprocess.PIPE, text=True
        )
        for share in (0, 1)
    ]
    outputs = [proc.communicate()[0] for proc in procs]
    if any(proc.returncode for proc in procs):
        raise SystemExit("the two-process tokenizer floor failed")
    return max(float(out.strip()) for out in outputs)


def load() -> str:
    """The load averages of the last 1, 5 and 15 minutes."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def warm_up(corpus: Path, out: str) -> None:
    """Tag 10 papers once, so the commands measured find the compiled tagger in the cache."""
    head = Path(out) / "head.jsonl"
    with corpus.open("rb") as f:
        head.write_bytes(b"".join(itertools.islice(f, 10)))
    taxonomy = [sys.executable, "-m", "taxonomy", "tag", str(head), "-o", str(Path(out) / "head")]
    subprocess.run([*taxonomy, "--no-progress"], stdout=subprocess.DEVNULL, check=True)


def ratios(papers_per_s: dict[str, float], rss: dict[str, float]) -> list[str]:
    """The lines of the ratios issue 18 asks for, from what this run measured."""
    lines = []
    pairs = {
        "tag-1 / tokenizer": ("tag-1", "tokenizer"),
        "tag-2 / tag-1": ("tag-2", "tag-1"),
        "tokenizer, 2 processes / 1": ("tokenizer-2", "tokenizer"),
    }
    if "automaton" in papers_per_s:
        pairs["tag-1 / automaton"] = ("tag-1", "automaton")
    for name, (top, bottom) in pairs.items():
        if top in papers_per_s and bottom in papers_per_s:
            value = papers_per_s[top] / papers_per_s[bottom]
            target = TARGETS.get(name)
            aim = f" (target >= {target:.1f}: {'met' if value >= target else 'not met'})" if target else ""
            lines.append(f"{name:<34} {value:8.2f}{aim}")
    if rss:
        worst = max(rss, key=lambda k: rss[k])
        met = "met" if rss[worst] <= TARGET_RSS_MB else "not met"
        lines.append(
            f"{'peak RSS, largest':<34} {rss[worst]:8.0f} MB ({worst}; target <= {TARGET_RSS_MB} MB: {met})"
        )
    return lines


def main() -> int:
    """Build the corpus, run the floors and the commands, print a table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command; the median is shown")
    parser.add_argument(
        "--only",
        default="floors,tag-1,tag-2,build-2",
        help="comma-separated: floors (all three), parse, tokenizer, automaton, tag-1, tag-2, build-2",
    )
    args = parser.parse_args()
    if not SOURCE.is_file():
        print(f"skipped: {SOURCE} is not present")
        return 0
    corpus = make_corpus(args.papers)
    size_mb = corpus.stat().st_size / 1e6
    only = set(args.only.split(","))
    if "floors" in only:
        only |= set(FLOORS)
    print(
        f"corpus: {corpus.name}, {args.papers:,} papers, {size_mb:.0f} MB; cpus: {os.cpu_count()}; "
        f"python {sys.version.split()[0]}; load average {load()}"
    )
    print(f"{'what':<34} {'seconds':>8} {'papers/s':>9} {'MB/s':>7} {'CPU s':>7} {'peak RSS MB':>12}")
    papers_per_s: dict[str, float] = {}
    rss: dict[str, float] = {}

    def show(key: str, label: str, seconds: float, run: Run | None = None) -> None:
        papers_per_s[key] = args.papers / seconds
        cpu = f"{run.cpu:7.1f}" if run is not None else f"{'':>7}"
        peak = f"{run.rss_mb:12.0f}" if run is not None else f"{'':>12}"
        print(
            f"{label:<34} {seconds:8.1f} {papers_per_s[key]:9,.0f} {size_mb / seconds:7.1f} {cpu} {peak}",
            flush=True,
        )

    for key, floor in FLOORS.items():
        if key not in only:
            continue
        if not floor.script:
            print(f"{floor.label:<34} {'not measured (bench/scale.py AUTOMATON is empty)':>40}")
            continue
        seconds = statistics.median(python_seconds(floor.script, corpus) for _ in range(args.repeat))
        show(key, floor.label, seconds)
        if key == "tokenizer":
            seconds = statistics.median(
                two_processes_seconds(floor.script, corpus) for _ in range(args.repeat)
            )
            show("tokenizer-2", "floor: tokenizer, 2 processes", seconds)
    with tempfile.TemporaryDirectory() as out:
        if only & set(COMMANDS):
            warm_up(corpus, out)
        for key, (label, argv) in COMMANDS.items():
            if key not in only:
                continue
            command = [sys.executable, "-m", "taxonomy", *argv, str(corpus), "-o", out, "--no-progress"]
            runs = [run_measured(command) for _ in range(args.repeat)]
            middle = sorted(runs, key=lambda r: r.wall)[len(runs) // 2]
            peak = Run(middle.wall, middle.cpu, max(r.rss_mb for r in runs))
            rss[key] = peak.rss_mb
            show(key, label, middle.wall, peak)
    for line in ratios(papers_per_s, rss):
        print(line)
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
