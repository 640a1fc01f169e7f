#!/usr/bin/env python3
"""Renders a benchmark's results file into its section of a report.

    render.py soak RESULTS.tsv docs/benchmarks.md

The results file is the one record of a run (written once by the benchmark); the section between
<!-- soak --> and <!-- /soak --> is rewritten from it, and appended when the report has none, so
re-rendering never measures anything again.
"""
import re
import statistics
import sys

TARGETS = {"rss_mib": 450, "last_over_first": 0.9}


def read(path):
    rows, meta = [], {}
    with open(path) as f:
        header = None
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# "):
                key, _, value = line[2:].partition("\t")
                meta[key] = value
            elif header is None:
                header = line.split("\t")
            elif line:
                rows.append(dict(zip(header, line.split("\t"))))
    return rows, meta


def num(row, key):
    try:
        return float(row[key])
    except (KeyError, ValueError):
        return 0.0


def slope_per_10_min(xs, ys):
    """Least-squares slope of ys over xs (minutes), per 10 minutes."""
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 10 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0


def soak_section(rows, meta):
    minutes = [int(r["minute"]) for r in rows]
    rps = [num(r, "purchases_rps") + num(r, "herd_rps") for r in rows]
    heap = [num(r, "heap_after_gc_mib") for r in rows]
    rss = [num(r, "rss_mib") for r in rows]
    window = min(5, len(rows))
    first, last = statistics.fmean(rps[:window]), statistics.fmean(rps[-window:])
    ratio = last / first if first else 0.0
    # bounded caches fill during the first minutes (the buyers of each ended sale are remembered up
    # to flashsale.ended-sales.max-memory): "flat" is read over the second half of the run
    half = [(m, h) for m, h in zip(minutes, heap) if m > minutes[-1] / 2] or list(zip(minutes, heap))
    trend = slope_per_10_min([m for m, _ in half], [h for _, h in half])
    half_range = max(h for _, h in half) - min(h for _, h in half)
    pids = {r["pid"] for r in rows}
    errors = int(meta.get("errors", "0"))

    def verdict(ok):
        return "met" if ok else "**not met**"

    out = [
        "## Soak: a long sale of millions of distinct shoppers (`./flashsale bench soak`)",
        "",
        f"Run of {meta.get('run', '?')}: {len(rows)} minutes against one sale-api (the local launcher's JVM"
        " settings), two wrk streams at once, every request a shopper never seen before: real decisions on"
        " the sale of the minute (a new sale every minute; the last one cancelled and deleted once"
        " PostgreSQL holds it) and a herd on a sold-out sale. Heap is measured right after a full GC"
        " (`jcmd GC.run`) at the end of each minute; it rises while the pod's bounded caches fill (it"
        " remembers the buyers of each ended sale, up to `flashsale.ended-sales.max-memory`, 48 MB) and"
        " must then stay flat. Figures from `docs/bench-results/soak.tsv`.",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
        f"| no error | {errors} errors (5xx, 429, socket errors, timeouts) | {verdict(errors == 0)} |",
        f"| no restart | {len(pids)} sale-api process(es) over the run | {verdict(len(pids) == 1)} |",
        f"| heap after GC flat (second half: range < 16 MiB, trend < 4 MiB per 10 min) | {heap[0]:.0f} → {heap[-1]:.0f} MiB"
        f" (max {max(heap):.0f}); second half: range {half_range:.0f} MiB, trend {trend:+.1f} MiB per 10 min"
        f" | {verdict(half_range < 16 and abs(trend) < 4)} |",
        f"| last 5 min ≥ 90% of first 5 | {last:,.0f} vs {first:,.0f} req/s: {ratio:.2f} | {verdict(ratio >= TARGETS['last_over_first'])} |",
        f"| RSS ≤ 450 MiB | max {max(rss):.0f} MiB | {verdict(max(rss) <= TARGETS['rss_mib'])} |",
        f"| ≥ 10 million distinct shoppers | {int(meta.get('shoppers', '0')):,} over {meta.get('sales', '?')} sales |"
        f" {verdict(int(meta.get('shoppers', '0')) >= 10_000_000)} |",
        f"| invariants | {meta.get('sold', '?')} purchases, PostgreSQL rows == sold for every sale"
        f" (sales broken: {meta.get('broken_sales', '?')}), shoppers over their limit: {meta.get('users_over_limit', '?')} |"
        f" {verdict(meta.get('broken_sales') == '0' and meta.get('users_over_limit') == '0')} |",
        "",
        "| minute | purchases req/s | herd req/s | requests | errors | heap after GC (MiB) | RSS (MiB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        out.append(f"| {r['minute']} | {num(r, 'purchases_rps'):,.0f} | {num(r, 'herd_rps'):,.0f} | {int(num(r, 'requests')):,} |"
                   f" {r['errors']} | {r['heap_after_gc_mib']} | {r['rss_mib']} |")
    return "\n".join(out)


def main():
    kind, results, report = sys.argv[1:4]
    if kind != "soak":
        sys.exit(f"render.py: unknown section {kind!r}")
    rows, meta = read(results)
    if not rows:
        sys.exit(f"render.py: {results} holds no minute")
    block = "<!-- soak -->\n" + soak_section(rows, meta) + "\n<!-- /soak -->"
    with open(report) as f:
        text = f.read()
    if "<!-- soak -->" in text:
        text = re.sub(r"<!-- soak -->.*?<!-- /soak -->", lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(report, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
