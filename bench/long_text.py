"""Time and peak memory of tagging one very long abstract (1 MB and 5 MB by default).

The abstract is the bundled sample corpus's abstracts repeated until it has the size asked for, so
it reads like real text (sentences, method names, cues). Two measures per size, each in a child
process:

- ``tagger``: compile the bundled rules, then tag one paper holding the whole abstract with
  ``Tagger.tag`` (no input reading). Its time per MB should not grow with the size: tagging is
  linear in text length. Printed: characters, mentions, seconds, s/MB, the peak resident memory
  and that peak above what the compiled tagger held before tagging.
- ``cli``: ``taxonomy tag`` on a JSON Lines file holding that one paper, as a user would run it
  (reading cuts the abstract at 100,000 characters, with a warning in summary.json). Printed: wall
  seconds, peak resident memory and CPU seconds of the whole command, start-up included (``--mb
  0.001`` shows the start-up alone).

    python bench/long_text.py              # 1 MB and 5 MB
    python bench/long_text.py --mb 0.5 1 2 4 8
    python bench/long_text.py --repeat 3   # median of 3 runs per size
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import resource, sys, time
import orjson
from taxonomy.models import Paper
from taxonomy.pipeline import sample_corpus
from taxonomy.rules import load_rules
from taxonomy.tag import Tagger

abstracts = [orjson.loads(line)["abstract"] for line in sample_corpus().read_bytes().splitlines()]
text = sys.stdin.read()
tagger = Tagger(load_rules())
tagger.tag(Paper(id="warm", title="Warm up", abstract=abstracts[0]))

def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

before = rss_kib()
start = time.perf_counter()
tagged = tagger.tag(Paper(id="long", title="A long abstract", abstract=text))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(text), len(tagged.mentions), seconds, peak, before)
"""


def long_text(mb: float) -> str:
    """The sample corpus's abstracts, repeated and joined, cut to ``mb`` million characters."""
    import orjson

    from taxonomy.pipeline import sample_corpus

    size = int(mb * 1_000_000)
    abstracts = [orjson.loads(line)["abstract"] for line in sample_corpus().read_bytes().splitlines()]
    copies = size // sum(len(a) + 1 for a in abstracts) + 1
    return " ".join(abstracts * copies)[:size]


def measure(text: str) -> tuple[int, int, float, int, int]:
    """(characters, mentions, seconds, peak RSS KiB, RSS KiB before tagging) of tagging ``text``."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], input=text, check=True, capture_output=True, text=True
    ).stdout.split()
    chars, mentions, seconds, peak, before = done
    return int(chars), int(mentions), float(seconds), int(peak), int(before)


_CLI = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(time.perf_counter() - start, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
"""


def measure_cli(text: str) -> tuple[float, int, dict[str, int], float]:
    """(wall seconds, peak RSS KiB, summary warnings, CPU seconds) of ``taxonomy tag`` on one paper."""
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "long.jsonl"
        corpus.write_text(json.dumps({"title": "A long abstract", "abstract": text}) + "\n")
        command = [sys.executable, "-m", "taxonomy", "tag", str(corpus), "-o", str(Path(folder) / "out")]
        done = subprocess.run(
            [sys.executable, "-c", _CLI, *command], check=True, capture_output=True, text=True
        ).stdout.split()
        summary = json.loads((Path(folder) / "out" / "summary.json").read_text())
        return float(done[0]), int(done[1]), summary["corpus"].get("warnings", {}), float(done[2])


def main() -> None:
    """Run each size ``--repeat`` times and print the median time and the largest peak."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[1.0, 5.0], help="abstract sizes in MB")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (median time)")
    parser.add_argument("--only", choices=("tagger", "cli"), help="run one of the two measures")
    args = parser.parse_args()
    print(
        f"{'measure':>7} {'size':>6} {'chars':>10} {'mentions':>9} {'seconds':>8} {'s/MB':>6} {'peak MB':>8} {'+MB':>6}"
    )
    for mb in args.mb:
        text = long_text(mb)
        if args.only != "cli":
            runs = [measure(text) for _ in range(args.repeat)]
            chars, mentions = runs[0][0], runs[0][1]
            seconds = statistics.median(r[2] for r in runs)
            peak = max(r[3] for r in runs) / 1024
            extra = max(r[3] - r[4] for r in runs) / 1024
            print(
                f"{'tagger':>7} {mb:>4.1f}MB {chars:>10,} {mentions:>9,} {seconds:>8.2f} "
                f"{seconds / mb:>6.2f} {peak:>8.0f} {extra:>6.0f}"
            )
        if args.only != "tagger":
            cli = [measure_cli(text) for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in cli)
            cpu = statistics.median(r[3] for r in cli)
            peak = max(r[1] for r in cli) / 1024
            print(
                f"{'cli':>7} {mb:>4.1f}MB {len(text):>10,} {'':>9} {seconds:>8.2f} {'':>6} {peak:>8.0f}   "
                f"CPU {cpu:.2f} s; {cli[0][2]}"
            )


if __name__ == "__main__":
    main()
