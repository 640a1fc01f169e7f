#!/usr/bin/env python3
"""Renders the benchmark reports from the results files; never measures anything.

    render.py [--bench RESULTS.tsv] [--soak RESULTS.tsv] [--report FILE] [--sizing FILE|none] [--summary]

The results files are the one record of a run, each written once by its benchmark:
docs/bench-results/bench.tsv by ./flashsale bench (every scenario's figure of every round, and the
machine) and docs/bench-results/soak.tsv by ./flashsale bench soak (one row per minute). From them
this writes the whole of docs/benchmarks.md (the soak's section too, when its file exists) and the
sizing table of docs/operations.md between <!-- bench figures --> markers (--sizing none: left
alone), so that the docs cannot drift from the figures. --summary prints the console summary.
"""
import argparse
import os
import re
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGETS = {"rss_mib": 450, "last_over_first": 0.9}
# the reference system (Node.js), measured by the founders on 2026-12-02 on this machine kind
# (docs/contract/performance-targets.md): it cannot run here, so its figures are quoted
REFERENCE = {"decisions": "3,050 req/s, p50 80 ms", "herd": "3,660 req/s, p50 156 ms, 100 sold",
             "reads": "4,911 req/s, p50 49 ms", "persisted": "16–17% after 30 s", "rss": "~300 MiB"}
REFERENCE_DECISIONS_RPS = 3050
# the parts of the stack whose CPU is priced per request (scripts/bench/cpu.py)
CPU_PARTS = (("machine", "whole machine"), ("sale_api", "sale-api"), ("redis", "Redis"),
             ("postgres", "PostgreSQL"), ("kafka", "Kafka"), ("operator", "operator"),
             ("control_plane", "etcd + kube-apiserver"), ("rest", "load generator, kernel, rest"))


def read(path):
    """A results file: `# key<TAB>value` lines (facts of the run), a header line, then rows."""
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


# ---- ./flashsale bench ----

class Figures:
    """The bench results: each figure's values, one per round, as the benchmark printed them."""

    def __init__(self, path):
        rows, self.meta = read(path)
        self.rounds = {r["figure"]: r.get("rounds", "").split() for r in rows}
        if not self.rounds:
            sys.exit(f"render.py: {path} holds no figure")
        self.path = path

    def values(self, figure):
        if not self.rounds.get(figure):
            sys.exit(f"render.py: {self.path} has no value for {figure} (a results file of an older benchmark?"
                     " run ./flashsale bench)")
        return self.rounds[figure]

    def has(self, figure):
        """Whether the run measured it (results of a benchmark older than the figure lack it)."""
        return bool(self.rounds.get(figure))

    def median(self, figure):
        """The middle round as printed (52.02 stays 52.02); for an even count the mean of the middle two."""
        values = sorted(self.values(figure), key=float)
        mid = len(values) // 2
        return values[mid] if len(values) % 2 else f"{(float(values[mid - 1]) + float(values[mid])) / 2:.6g}"

    def f(self, figure):
        return float(self.median(figure))

    def spread(self, figure):
        """The lowest and highest round: how far a median can be trusted on a noisy machine."""
        values = [float(v) for v in self.values(figure)]
        return f"{min(values):,.0f}–{max(values):,.0f}"

    def fact(self, key):
        """A fact of the run (`# key` line): date, machine, rounds."""
        if key not in self.meta:
            sys.exit(f"render.py: {self.path} has no '# {key}' line")
        return self.meta[key]

    def per_round(self, figure):
        """Every round's value, for the figures where each run matters (sold, persisted, invariants)."""
        return " ".join(self.values(figure))

    def calls(self, figure):
        """A script benchmark figure: JMH's runs carry its error (99.9% half-width), median over rounds."""
        return f"{self.median(figure)} ± {self.f(figure + '_error'):.0f} calls/s"

    def rps(self, scenario):
        return f"{self.f(scenario + '_rps'):,.0f} req/s ({self.spread(scenario + '_rps')})"

    def latency(self, scenario, connections):
        """wrk's percentiles, and Little's mean: under a closed loop, connections ÷ throughput."""
        little = 1000 * connections / self.f(scenario + "_rps") if self.f(scenario + "_rps") else float("inf")
        return f"p50 {self.median(scenario + '_p50_ms')} ms, p99 {self.median(scenario + '_p99_ms')} ms, Little's mean {little:.0f} ms"

    def ratio(self, a, b):
        return self.f(a) / self.f(b) if self.f(b) else 0.0

    def cpu(self, scenario, part):
        return self.f(f"{scenario}_cpu_{part}_us")

    def sse(self):
        return " ".join(f"{k}={self.median('sse_' + k)}" for k in ("subscribers", "received", "p50_ms", "p99_ms", "max_ms"))


def verdict(ok):
    return "met" if ok else "**not met**"


def targets(b):
    """The targets of docs/contract/performance-targets.md, each with its figure of this run."""
    f, r = b.f, b.ratio
    sold_exactly = all(v == "100" for v in b.values("herd_sold"))
    persisted = max(float(v) for v in b.values("decisions_persisted_after_ms"))
    cpu_ratio = b.cpu("decisions", "machine") / b.cpu("ping_post", "machine") if b.cpu("ping_post", "machine") else 0.0
    tokens = []
    if b.has("decisions_token_rps"):
        tokens = [
            ("real decisions with a verified bearer token per shopper ÷ the same without (256 connections)", "≥ 0.9",
             f"{r('decisions_token_rps', 'decisions_rps'):.2f} ({b.rps('decisions_token')} against {b.rps('decisions')})",
             r("decisions_token_rps", "decisions_rps") >= 0.9),
            ("per-user limit with tokens under a retrying herd (3,000 shoppers, 100 units, limit 1)",
             "exactly 100 sold, nobody over the limit",
             f"sold {b.per_round('retry_token_sold')}, shoppers over their limit {b.per_round('retry_token_over_limit')}",
             all(v == "100" for v in b.values("retry_token_sold")) and all(v == "0" for v in b.values("retry_token_over_limit"))),
        ]
    return [
        ("real decisions, 256 connections", "≥ 10,000 req/s, p99 ≤ 60 ms",
         f"{b.rps('decisions')}, p99 {b.median('decisions_p99_ms')} ms",
         f("decisions_rps") >= 10_000 and f("decisions_p99_ms") <= 60),
        ("the same ÷ the reference's 3,050 (2026-12-02)", "≥ 3", f"{f('decisions_rps') / REFERENCE_DECISIONS_RPS:.1f}×",
         f("decisions_rps") >= 3 * REFERENCE_DECISIONS_RPS),
        ("the same ÷ trivial POST (256 connections)", "≥ 0.5", f"{r('decisions_rps', 'ping_post_rps'):.2f}",
         r("decisions_rps", "ping_post_rps") >= 0.5),
        ("herd, 1,000 connections", "≥ 20,000 req/s, p99 ≤ 100 ms, exactly 100 sold",
         f"{b.rps('herd')}, p99 {b.median('herd_p99_ms')} ms, sold per round: {b.per_round('herd_sold')}",
         f("herd_rps") >= 20_000 and f("herd_p99_ms") <= 100 and sold_exactly),
        ("sold-out answers ÷ trivial POST (1,000 connections)", "≥ 0.9", f"{r('soldout_rps', 'ping_post_c1000_rps'):.2f}",
         r("soldout_rps", "ping_post_c1000_rps") >= 0.9),
        ("sale view reads ÷ trivial GET (256 connections)", "≥ 0.9", f"{r('reads_rps', 'ping_rps'):.2f}",
         r("reads_rps", "ping_rps") >= 0.9),
        ("machine CPU per real decision ÷ per trivial POST", "≤ 2.0",
         f"{cpu_ratio:.2f} ({b.cpu('decisions', 'machine'):.0f} µs against {b.cpu('ping_post', 'machine'):.0f} µs)",
         cpu_ratio <= 2.0),
        ("purchase script inside Redis (`INFO commandstats`, light load)", "≤ 12 µs per call",
         f"{b.median('script_us_per_call')} µs", f("script_us_per_call") <= 12),
        ("confirmed purchases in PostgreSQL after the load", "100% within 1 s",
         f"100% after {b.per_round('decisions_persisted_after_ms')} ms", persisted <= 1000),
        ("sale-api RSS at 1,000 connections", "≤ 450 MiB", f"max {b.median('c1000_rss_max_mib')} MiB",
         f("c1000_rss_max_mib") <= TARGETS["rss_mib"]),
        ("SSE: 10,000 subscribers on one pod get the final state", "all, p99 ≤ 1 s",
         f"{b.median('sse_received')} of {b.median('sse_subscribers')}, p99 {b.median('sse_p99_ms')} ms",
         f("sse_received") == f("sse_subscribers") and f("sse_p99_ms") <= 1000),
    ] + tokens


SCENARIOS = (  # figure prefix, what it is, connections, reference
    ("ping", "trivial GET `/api/v1/ping`", 256, "–"),
    ("ping_post", "trivial POST `/api/v1/ping`, the purchase wrk script", 256, "–"),
    ("decisions", "real decisions: 20 s, 10 million units (cannot sell out)", 256, REFERENCE["decisions"]),
    ("c1000", "real decisions, 10 s, 10 million units", 1000, "–"),
    ("ping_post_c1000", "trivial POST `/api/v1/ping`", 1000, "–"),
    ("herd", "herd: 10 s, 100 units, opens 3 s into the run", 1000, REFERENCE["herd"]),
    ("soldout", "sold-out answers: new shoppers on the herd's sold-out sale", 1000, "–"),
    ("retry", "herd of retriers (3,000 ids again and again), 100 units", 1000, "0 sold"),
    ("reads", "sale view reads", 256, REFERENCE["reads"]),
    ("decisions_token", "real decisions, a bearer token per shopper (RS256, verified): 10 s, 10 million units", 256, "–"),
    ("retry_token", "herd of retriers with tokens (3,000 signed shoppers), 100 units", 1000, "–"),
)


def bench_report(b):
    fact = b.fact
    rows = "\n".join(f"| {what} | {c:,} | {b.rps(key)} | {b.latency(key, c)} | {ref} |" for key, what, c, ref in SCENARIOS
                     if b.has(key + "_rps"))
    goals = "\n".join(f"| {what} | {target} | {measured} | {verdict(ok)} |" for what, target, measured, ok in targets(b))
    columns = ["ping_post", "decisions"] + (["decisions_token"] if b.has("decisions_token_rps") else [])
    cpu = "\n".join(f"| {name} | " + " | ".join(f"{b.cpu(c, part):,.0f}" for c in columns) + " |" for part, name in CPU_PARTS)
    cpu += "\n" + "\n".join(f"| context switches per request, {name} | " + " | ".join(b.median(f"{c}_{key}") for c in columns) + " |"
                            for key, name in (("machine_cs", "whole machine"), ("sale_api_cs", "sale-api")))
    cpu_header = "| part of the stack | trivial POST | real decision |" + (" real decision with token |" if len(columns) > 2 else "")
    cpu_header += "\n| --- | ---: | ---: |" + (" ---: |" if len(columns) > 2 else "")
    return f"""\
# Benchmarks

Measured by `./flashsale bench` on {fact('run')[:10]} on this project's machine kind: {fact('cores')} cores,
{fact('memory_gib')} GiB, Debian {fact('debian')}, {fact('cpu')}. Load generator (wrk 4.1, `-t2 --timeout 10s --latency`,
a Lua script sending every request as the SPA does, a JSON body and a new `X-User-Id`), sale-api, Redis,
PostgreSQL and Kafka all share the same two cores, as in docs/contract/performance-targets.md. Each scenario
ran {fact('repeat')} times: figures are medians with the lowest and highest round in brackets; the raw wrk output of the
last run is under `.flashsale/bench/`. Ratios compare figures of the same run. The reference system (Node.js)
cannot run here: its figures are quoted from performance-targets.md (the founders' run of 2026-12-02 on the
same machine kind). Figures from `docs/bench-results/bench.tsv`.

## Targets (docs/contract/performance-targets.md)

| what | target | measured | |
| --- | --- | --- | --- |
{goals}

## Scenarios

| scenario | connections | throughput (median, rounds' range) | latency | reference |
| --- | ---: | --- | --- | --- |
{rows}

Little's mean is the mean latency a closed loop of that many connections must show at that throughput
(connections ÷ throughput); wrk's percentiles beside it show the spread.

## CPU per request (µs, medians)

{cpu_header}
{cpu}

CPU ticks of each process (`/proc/PID/stat`) and of the whole machine (`/proc/stat`) over the scenario,
divided by the requests wrk counted; context switches from `/proc/stat` and from each sale-api thread
(scripts/bench/cpu.py).

## Redis alone

| figure | median |
| --- | --- |
| purchase script calls through one Lettuce connection, 256 in flight (JMH) | {b.calls('script_calls_per_s')} |
| the same with Redis at `appendfsync always` (no acknowledged write lost) | {b.calls('script_always_calls_per_s')} |
| the purchase script's own time inside Redis (`INFO commandstats`, 8 connections) | {b.median('script_us_per_call')} µs per call |

The JMH benchmark (`tools/`, `PurchaseScriptBenchmark`) issues 4,096 purchase calls per invocation
through one Lettuce connection, as a sale-api pod makes them, against a sale that cannot sell out
({fact('script_tool')}); ± is JMH's 99.9% error.

## Invariants

After every 1,000-connection run of real decisions: {b.per_round('c1000_held')} (1 = held). No oversell and nothing
lost: the units sold in Redis lie between the 201 answers wrk counted and that plus its 1,000 connections
(wrk drops the answers still in flight when its time is up), and PostgreSQL holds exactly the units sold.
Retrying herd, sold per round: {b.per_round('retry_sold')}.

Method notes: sales are created through sale-core (`./flashsale sale upsert`) before each scenario and
deleted once PostgreSQL holds them. Per-IP rate limiting is off locally (one client address); per-user
limits stay on. Persistence time is measured from the end of the real-decisions run until PostgreSQL
holds every unit sold. The SSE crowd (scripts/bench/sse-crowd.mjs) opens 10,000 event streams on one
pod, sells the sale's last units and times each stream's final state: {b.sse()}.
{token_note(b)}"""


def token_note(b):
    if not b.has("decisions_token_rps"):
        return ""
    return """
Signed shoppers: every scenario above runs with sale-api in the `none` auth mode (a self-named
`X-User-Id`), so that it prices the purchase alone. The token rounds follow them on a restarted
sale-api in `oidc` mode that trusts the benchmark's RSA key (a public key: no discovery, no JWKS
fetch), after their own 20 s warm-up; each request carries the access token of a shopper never seen
before (RS256, minted once by tools' `BenchTokens`), verified on the event loop.
"""


def sizing_table(b):
    m = b.median
    return f"""\
| figure (docs/benchmarks.md, {b.fact('run')[:10]}, medians) | value |
| --- | --- |
| raw purchase script through Lettuce, one Redis (the per-shard ceiling) | {m('script_calls_per_s')} calls/s |
| the same with `appendfsync always` | {m('script_always_calls_per_s')} calls/s |
| real decisions per sale-api pod (HTTP, `-t2`, 256 connections; load generator on the same {b.fact('cores')} cores) | {m('decisions_rps')} req/s, p99 {m('decisions_p99_ms')} ms |
| sale reads per pod (256 connections) | {m('reads_rps')} req/s |
| sale-api RSS under load (1,000 connections) | {m('c1000_rss_max_mib')} MiB |"""


def summary(b):
    lines = [f"\n== Flashsale benchmark ({b.fact('run')}, medians of {b.fact('repeat')}, rounds' range in brackets) =="]
    for key, what, c, _ in SCENARIOS:
        lines.append(f"{key:<16} c{c:<5} {b.rps(key)}  {b.latency(key, c)}")
    lines.append(f"script via Lettuce     {b.calls('script_calls_per_s')}  (appendfsync always: {b.calls('script_always_calls_per_s')})")
    lines.append(f"CPU µs per request     trivial POST {b.cpu('ping_post', 'machine'):.0f}, real decision {b.cpu('decisions', 'machine'):.0f}"
                 f" (sale-api {b.cpu('decisions', 'sale_api'):.0f}, Redis {b.cpu('decisions', 'redis'):.0f})")
    lines.append(f"SSE                    {b.sse()}")
    lines.append("targets:")
    for what, target, measured, ok in targets(b):
        lines.append(f"  [{'met' if ok else 'NOT MET'}] {what}: {measured} (target {target})")
    return "\n".join(lines)


# ---- ./flashsale bench soak ----

def slope_per_10_min(xs, ys):
    """Least-squares slope of ys over xs (minutes), per 10 minutes."""
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 10 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0


def soak_section(path):
    rows, meta = read(path)
    if not rows:
        sys.exit(f"render.py: {path} holds no minute")
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
    return "\n".join(out) + "\n"


# ---- the files ----

def with_sizing(path, table):
    """The text of docs/operations.md with the table between its bench figures markers."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        sys.exit(f"render.py: cannot read the sizing doc: {e}")
    pattern = r"<!-- bench figures -->.*?<!-- /bench figures -->"
    if not re.search(pattern, text, flags=re.S):
        sys.exit(f"render.py: {path} has no <!-- bench figures --> ... <!-- /bench figures --> block")
    block = "<!-- bench figures -->\n" + table + "\n<!-- /bench figures -->"
    return re.sub(pattern, lambda _: block, text, flags=re.S)


def main():
    docs = os.path.join(ROOT, "docs")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bench", default=os.path.join(docs, "bench-results", "bench.tsv"))
    p.add_argument("--soak", default=os.path.join(docs, "bench-results", "soak.tsv"))
    p.add_argument("--report", default=os.path.join(docs, "benchmarks.md"))
    p.add_argument("--sizing", default=os.path.join(docs, "operations.md"), help="'none' leaves it alone")
    p.add_argument("--summary", action="store_true", help="print the console summary of the bench figures")
    args = p.parse_args()

    # everything is rendered before anything is written: a bad results file changes no doc
    bench = Figures(args.bench)
    report = ("<!-- Rendered by scripts/bench/render.py from docs/bench-results/ (./flashsale bench render):"
              " edit those, not this file. -->\n" + bench_report(bench))
    if os.path.exists(args.soak):
        report += "\n" + soak_section(args.soak)
    sizing = None if args.sizing == "none" else with_sizing(args.sizing, sizing_table(bench))
    with open(args.report, "w") as f:
        f.write(report)
    if sizing:
        with open(args.sizing, "w") as f:
            f.write(sizing)
    if args.summary:
        print(summary(bench))


if __name__ == "__main__":
    main()
