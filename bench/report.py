"""The scale curve: bench/http.py's results at two sizes, as a chart and as tables.

    .venv/bin/python bench/report.py [--small 500] [--large 5000] [--before]

Reads ``bench/results/http-<small>.json`` and ``http-<large>.json``, draws
``docs/performance.png`` (matplotlib: each page's p50 over its baseline's at both sizes, with
the 2× baseline line), prints the Markdown tables that docs/PERFORMANCE.md holds, and
checks the issue's targets. With ``--before``, also before/after tables at both sizes
against ``http-<size>-before.json`` (or ``--before-name``), an earlier version's results. With ``--strict``, the
exit status is 1 when a target is missed.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where bench/http.py would hide the
# standard library's http package: put the project's root there instead.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def load(path: Path) -> dict:
    if not path.exists():
        raise SystemExit(f"{path.relative_to(ROOT)} is missing: run bench/http.py at that size first")
    return json.loads(path.read_text())


def by_page(result: dict) -> dict[str, dict]:
    return {"baseline": result["baseline"]} | {row["page"]: row for row in result["pages"]}


def _ratio(row: dict, result: dict) -> float:
    """A page's p50 over the baseline's measured just before it (over the run's baseline in
    results written before the harness measured one per page)."""
    return row["p50_ms"] / row.get("baseline_p50_ms", result["baseline"]["p50_ms"])


def chart(small: dict, large: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s, big = by_page(small), by_page(large)
    # The target's own measure: each page's p50 over the baseline measured just before it (the
    # machine's speed drifts within a run, so one baseline's line would misplace the pages).
    names = [name for name in big if name in s and name != "baseline"]
    y = range(len(names))
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(names) + 1.6), dpi=120)
    height = 0.38
    ratios = {result["people"]: [_ratio(rows[n], result) for n in names] for result, rows in ((small, s), (large, big))}
    for offset, people in zip((-height / 2, height / 2), ratios, strict=True):
        ax.barh([i + offset for i in y], ratios[people], height, label=f"{people:,} people")
    ax.axvline(2, color="0.3", linestyle="--", linewidth=1, label="the target: 2 × the baseline")
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    ax.set_xlabel(
        f"p50 ÷ the p50 of a bare page measured just before it "
        f"(wrk, {large['connections']} connections, {large['duration_s']:g} s per page)"
    )
    ax.set_title("Learning Day: key pages at two sizes (gunicorn, PostgreSQL)")
    # Room right of the target's line for the legend.
    ax.set_xlim(0, max(2.9, 1.05 * max(max(row) for row in ratios.values())))
    ax.legend(loc="upper right", fontsize="small")
    ax.grid(axis="x", color="0.9")
    ax.set_axisbelow(True)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def percent(new: float, old: float) -> str:
    return f"{(new - old) / old * 100:+.0f}%"


def tables(small: dict, large: dict) -> tuple[str, list[str]]:
    s, big = by_page(small), by_page(large)
    base_large = large["baseline"]["p50_ms"]
    lines = [
        f"| page | SQL at {small['people']:,} | SQL at {large['people']:,} | p50 ms at {small['people']:,} "
        f"| p50 ms at {large['people']:,} | change of × baseline | × baseline at {large['people']:,} "
        f"| p99 ms at {large['people']:,} | req/s at {large['people']:,} | errors |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    missed = []
    for name, row in big.items():
        old = s.get(name)
        if old is None:
            continue
        ratio = row["p50_ms"] / row.get("baseline_p50_ms", base_large)
        # The change of the page's ratio to its baseline, not of its raw p50: the machine's
        # speed is not the same in two runs (the baseline's p50 moved 2.6 times within one).
        change = ratio / _ratio(old, small) - 1
        errors = row["errors"] + old["errors"]
        lines.append(
            f"| {name} | {old['queries']} | {row['queries']} | {old['p50_ms']:.1f} | {row['p50_ms']:.1f} "
            f"| {change:+.0%} | {ratio:.2f} | {row['p99_ms']:.1f} | {row['rps']:.0f} "
            f"| {errors} |"
        )
        if name == "baseline":
            continue
        if ratio > 2:
            missed.append(f"{name}: p50 is {ratio:.2f} × the baseline at {large['people']:,} people (target ≤ 2)")
        if old["queries"] != row["queries"]:
            counts = f"{old['queries']} SQL queries at {small['people']:,}, {row['queries']} at {large['people']:,}"
            missed.append(f"{name}: {counts}")
        if abs(change) > 0.20:
            missed.append(f"{name}: p50 changes {change:+.0%} from {small['people']:,} to {large['people']:,} people")
        if errors:
            missed.append(f"{name}: {errors} non-2xx answers")
    return "\n".join(lines), missed


def costs_table(small: dict, large: dict) -> tuple[str, list[str]]:
    lines = ["| cost | at " + f"{small['people']:,} | at {large['people']:,} | target |", "|---|---|---|---|"]
    missed = []
    es, el = small["costs"].get("export"), large["costs"].get("export")
    if es and el:
        lines.append(
            f"| finance CSV export of all approved and paid claims | {es['rows']:,} rows, {es['seconds']} s, "
            f"+{es['growth_mb']} MB (peak {es['peak_mb']} MB) | {el['rows']:,} rows, {el['seconds']} s, "
            f"+{el['growth_mb']} MB (peak {el['peak_mb']} MB) | serving process grows < 50 MB |"
        )
        if el["growth_mb"] >= 50:
            missed.append(f"the CSV export grew the serving process by {el['growth_mb']} MB")
    rs, rl = small["costs"].get("receipt"), large["costs"].get("receipt")
    if rs and rl:
        lines.append(
            f"| one {rl['megapixels']:g}-MP phone JPEG receipt ({rl['input_mb']} MB) | {rs['seconds']} s, peak "
            f"{rs['peak_mb']} MB | {rl['seconds']} s, peak {rl['peak_mb']} MB (+{rl['growth_mb']} MB) "
            "| < 1 s, < 200 MB |"
        )
        if rl["seconds"] >= 1 or rl["peak_mb"] >= 200:
            missed.append(f"the receipt took {rl['seconds']} s with a {rl['peak_mb']} MB peak")
    return "\n".join(lines), missed


def before_after(before: dict, after: dict) -> str:
    b, a = by_page(before), by_page(after)
    lines = [
        f"| page ({after['people']:,} people) | SQL before | SQL after | p50 ms before | p50 ms after "
        "| × baseline before | × baseline after |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for name, row in a.items():
        old = b.get(name)
        if old is None:
            continue
        lines.append(
            f"| {name} | {old['queries']} | {row['queries']} | {old['p50_ms']:.1f} | {row['p50_ms']:.1f} "
            f"| {_ratio(old, before):.2f} "
            f"| {_ratio(row, after):.2f} |"
        )
    return "\n".join(lines)


def cache_table(small: dict, large: dict) -> str:
    """Per page at both sizes: the first request after the cache was emptied (cold), the
    warm p50 under load and its ratio to the baseline, and the cache's hit rate under load."""
    s, big = by_page(small), by_page(large)
    head = f"| page | cold ms at {small['people']:,} | cold ms at {large['people']:,} "
    head += (
        f"| warm p50 × baseline at {small['people']:,} | at {large['people']:,} | cache hits at {large['people']:,} |"
    )
    lines = [head, "|---|--:|--:|--:|--:|--:|"]
    for name, row in big.items():
        old = s.get(name)
        if old is None or name == "baseline" or "cold_ms" not in row or "cold_ms" not in old:
            continue
        rate = row.get("cache", {}).get("hit_rate")
        lines.append(
            f"| {name} | {old['cold_ms']:.0f} | {row['cold_ms']:.0f} "
            f"| {_ratio(old, small):.2f} | {_ratio(row, large):.2f} "
            f"| {'—' if rate is None else f'{rate:.1%}'} |"
        )
    held = large.get("cache_held")
    if held:
        lines.append(
            f"\nThe cache after one request of each page at {large['people']:,} people: {held['keys']:,} keys, "
            f"{held['used_memory_mb']} MB (Redis used_memory)."
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument(
        "--before", action="store_true", help="also compare with results/http-<size>-before.json (an earlier version)"
    )
    parser.add_argument("--before-name", default="before", help="the earlier results: http-<size>-<name>.json")
    parser.add_argument("--strict", action="store_true", help="exit with 1 when a target is missed")
    parser.add_argument("--chart", type=Path, default=ROOT / "docs" / "performance.png")
    args = parser.parse_args()
    small = load(RESULTS / f"http-{args.small}.json")
    large = load(RESULTS / f"http-{args.large}.json")
    chart(small, large, args.chart)
    pages, missed = tables(small, large)
    costs, missed_costs = costs_table(small, large)
    print(pages, "", costs, "", cache_table(small, large), sep="\n")
    if args.before:
        for size, after in ((args.small, small), (args.large, large)):
            earlier = RESULTS / f"http-{size}-{args.before_name}.json"
            if earlier.exists():
                print("", before_after(load(earlier), after), sep="\n")
    print(f"\nchart: {args.chart.relative_to(ROOT) if args.chart.is_relative_to(ROOT) else args.chart}")
    missed += missed_costs
    print("\ntargets: " + ("all met" if not missed else "missed:\n  " + "\n  ".join(missed)))
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
