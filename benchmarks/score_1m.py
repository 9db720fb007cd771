"""Benchmark: score 1,000,000 respondents of the `standard` instrument.

Generates a CSV of N respondents (default 1,000,000; about 2% of answers missing), then in
one run times, each in a fresh child process and after imports:

  parse     pyarrow.csv.read_csv of the file alone (the baseline)
  pipeline  read_answers + score + classify + write Parquet (what `homeoffice score` does)

and prints both times (median of --repeat runs), the pipeline's peak memory (max RSS of its
process) and last ``ratio_vs_parse: X.XX``. Targets (issue 2): ratio <= 1.6, peak < 2.5 GB.

    .venv/bin/python benchmarks/score_1m.py [--rows 1000000] [--repeat 3] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv

from homeoffice.instruments import load_instrument
from homeoffice.samples.synthetic import synthetic_answers

PARSE = """
import sys, time, json
import pyarrow.csv as pacsv
t0 = time.perf_counter()
table = pacsv.read_csv(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": table.num_rows}))
"""

PIPELINE = """
import sys, time, json
from homeoffice.instruments import load_instrument
from homeoffice.samples.synthetic import synthetic_answers
from homeoffice.io import read_answers, write_table
from homeoffice.pipeline import score_table
instrument = load_instrument(sys.argv[2])
t0 = time.perf_counter()
answers = read_answers(sys.argv[1], instrument)
result = score_table(answers.codes, instrument, index=answers.respondent_id, context=answers.context)
write_table(result, sys.argv[3])
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": len(result),
                  "situations": {str(k): int(v) for k, v in result["situation"].value_counts().items()}}))
"""


def generate(path: Path, instrument_id: str, rows: int, missing: float, seed: int = 2023) -> None:
    """Write a CSV of synthetic answers in chunks (see homeoffice.samples.synthetic)."""
    ins = load_instrument(instrument_id)
    chunk = 250_000
    with pacsv.CSVWriter(str(path), synthetic_answers(ins, 1, seed=seed).schema) as writer:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            writer.write_table(synthetic_answers(ins, n, seed=seed + start, missing=missing, first_id=start + 1))


def run_child(code: str, *args: str) -> tuple[dict, int]:
    """Run ``code`` in a fresh interpreter; return its JSON line and its peak RSS in bytes."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child failed with status {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--instrument", default="standard")
    parser.add_argument("--missing", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated files in benchmarks/out/")
    args = parser.parse_args()

    workdir = Path("benchmarks/out") if args.keep else Path(tempfile.mkdtemp(prefix="homeoffice-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path = workdir / f"{args.instrument}_{args.rows}.csv"
    out_path = workdir / "scores.parquet"
    t0 = time.perf_counter()
    if not csv_path.exists():
        generate(csv_path, args.instrument, args.rows, args.missing)
    print(
        f"data: {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows; "
        f"generated in {time.perf_counter() - t0:.1f} s)"
    )

    parse_times, pipe_times, peaks = [], [], []
    for _ in range(args.repeat):
        res, _rss = run_child(PARSE, str(csv_path))
        parse_times.append(res["seconds"])
        res, rss = run_child(PIPELINE, str(csv_path), args.instrument, str(out_path))
        pipe_times.append(res["seconds"])
        peaks.append(rss)
    parse_s = statistics.median(parse_times)
    pipe_s = statistics.median(pipe_times)
    print(f"situations: {res['situations']}")
    print(f"parse_seconds: {parse_s:.2f}   (runs: {', '.join(f'{t:.2f}' for t in parse_times)})")
    print(f"pipeline_seconds: {pipe_s:.2f}   (runs: {', '.join(f'{t:.2f}' for t in pipe_times)})")
    print(f"pipeline_peak_memory_mb: {max(peaks) / 1e6:.0f}")
    print(f"ratio_vs_parse: {pipe_s / parse_s:.2f}")
    if not args.keep:
        for p in (csv_path, out_path):
            p.unlink(missing_ok=True)
        workdir.rmdir()


if __name__ == "__main__":
    main()
