#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare riommu_bench results of a C and a Rust build (mock IOMMU driver, HWPT layer).

usage: bench.py --out-dir DIR [--meta K=V ...] --pair C_LOG RUST_LOG ...
       bench.py --gate THRESHOLD --pair C_LOG RUST_LOG ...
       bench.py --out-dir DIR [--meta K=V ...] --wall-pair ARCH C_LOG RUST_LOG ...
                --icount-pair ARCH C_LOG RUST_LOG ...

Each LOG is the guest console log of one boot. It holds the output of
riommu_bench between "### riommu-suite-begin bench" and "### riommu-suite-end
bench rc=N centiseconds=N", one line per row:

  # riommu-bench <row> ops_per_sec=<median> min=<> max=<> reps=<> count=<>

and, optionally, the upstream iommufd suite between the same markers named
"iommufd"; its wall time becomes the row iommufd_suite_wall, in runs per
second (100 / centiseconds), valid only when the suite's rc is 0. Anything
before "# riommu-bench" or "### riommu-" on a line (a printk timestamp,
interleaved kernel output) is ignored.

For every row and pair, ratio = Rust ops/s / C ops/s: above 1.0 the Rust
driver is faster. A row's C and Rust ops/s are the medians over the pairs;
its ratio median, min and max are over the pairs that have the row on both
sides. A row absent from (or failed in) any log is kept, with null for the
pairs that lack it, and flagged as missing in the table. The row
ctl_option_get is a control: it runs only C code that is the same in both
kernels. A row's ratio normalised by the control (norm_*) is, per pair, its
ratio over the control's ratio in the same pair (the two boots' difference
in host speed, as far as the control sees it, divided out), then the
median, min and max over the pairs. With --out-dir the control row is
always in the table: absent from every log, it is missing.

A boot with riommu.clock=icount on its kernel command line (the
"Kernel command line:" line of the log; 'riommu bench --icount') ran under
QEMU's -icount shift=0,sleep=off, where the guest clock counts executed
instructions, 1 ns each: its ops/s are operations per 10^9 instructions and
the ratio is C instructions per operation over Rust instructions per
operation, "Rust/C by instruction count". Every log given with --pair must
have the same clock, or the ratios would mix the two.

With --gate THRESHOLD nothing is written: the logs must be icount boots, and
the output is TAP, one line per row, "ok N ROW ratio R >= THRESHOLD" or
"not ok N ROW ratio R < THRESHOLD" (R the median over the pairs); exit
status 0 when every row passes, 1 otherwise.

With --wall-pair and --icount-pair ('riommu bench --all') the pairs are of
one or more arches, each pair given with its arch and its clock (a log whose
own arch or clock differs is an error): the table has a row per arch and
row, with an arch column, and gives for each the wall-time ratio (median,
min, max over the arch's wall-time pairs), the same normalised by the
control, and the ratio by instruction count (median over the arch's icount
pairs); the plot shows every row of both arches, the normalised wall-time
ratio against the instruction-count one. --meta keys ending in _ARCH
(compiler_arm64, qemu_x86_64, rust_parts_arm64) are that arch's.

Otherwise writes DIR/bench-summary.json, DIR/bench-table.md and
DIR/bench.png (with gnuplot). Exit status: 0, or 1 when some row is missing
from some log (all files are still written), or 2 on a usage error, an
unreadable log, a log of another arch or clock than given, or no gnuplot.
"""
import argparse
import datetime
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

BENCH_LINE = re.compile(r'# riommu-bench (\S+) ops_per_sec=(\S+) min=(\S+) max=(\S+)'
                        r' reps=(\d+) count=(\d+)')
BEGIN = re.compile(r'### riommu-suite-begin (\S+)')
END = re.compile(r'### riommu-suite-end (\S+) rc=(-?\d+) centiseconds=(-?\d+)')
GUEST = re.compile(r'### riommu-guest-start plan=(\S*) kernel=(\S*) arch=(\S*)')
CMDLINE = re.compile(r'Kernel command line: (.*)$')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
RESULT = re.compile(r'^(not ok|ok)\s+(\d+)\s+(\S+)')
SUITE_ROW = 'iommufd_suite_wall'
CONTROL_ROW = 'ctl_option_get'
ARCHES = ('x86_64', 'arm64')
# The guest prints uname -m.
UNAME_ARCH = {'aarch64': 'arm64'}
ARCH_COLOURS = {'x86_64': 0x1f77b4, 'arm64': 0xe07b00}
FASTER, SLOWER = 0x3a9a4a, 0xd04040  # bar colours, RGB


def die(msg, code=2):
    print(f'bench.py: {msg}', file=sys.stderr)
    sys.exit(code)


def number(s):
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) and v > 0 else None


def parse_log(path):
    """Return {'rows': {row: ops}, 'failed': {row: why}, ...} for one log."""
    try:
        with open(path, errors='replace') as f:
            lines = [TIMESTAMP.sub('', l.rstrip('\r\n')) for l in f]
    except OSError as e:
        die(f'cannot read {path}: {e.strerror}')

    log = {'path': path, 'rows': {}, 'failed': {}, 'bench_rc': None,
           'bench_seen': False, 'iommufd_rc': None, 'iommufd_centiseconds': None,
           'kernel': None, 'arch': None, 'clock': None, 'warnings': []}
    suite = None
    last_diag = {}
    for line in lines:
        m = CMDLINE.search(line)
        if m and log['clock'] is None:
            log['clock'] = 'icount' if 'riommu.clock=icount' in m.group(1).split() else 'wall'
            continue
        m = GUEST.search(line)
        if m:
            log['kernel'], log['arch'] = m.group(2) or None, m.group(3) or None
            continue
        m = BEGIN.search(line)
        if m:
            suite = m.group(1)
            if suite == 'bench':
                if log['bench_seen']:
                    log['warnings'].append('second bench suite; using the last')
                log['bench_seen'] = True
                log['rows'], log['failed'] = {}, {}
            continue
        m = END.search(line)
        if m:
            name, rc, cs = m.group(1), int(m.group(2)), int(m.group(3))
            if name == 'bench':
                log['bench_rc'] = rc
            elif name == 'iommufd':
                log['iommufd_rc'], log['iommufd_centiseconds'] = rc, cs
            suite = None
            continue
        if suite != 'bench':
            continue
        m = BENCH_LINE.search(line)
        if m:
            row, ops = m.group(1), number(m.group(2))
            if ops is None:
                log['failed'][row] = f'bad ops_per_sec {m.group(2)!r}'
            else:
                if row in log['rows']:
                    log['warnings'].append(f'row {row} twice; using the last')
                log['rows'][row] = ops
            continue
        # "# <row>: <what> failed: errno N (...)" precedes a "not ok".
        m = re.search(r'# (\S+): (.* failed: .*)$', line)
        if m:
            last_diag[m.group(1)] = m.group(2)
            continue
        m = RESULT.match(line.strip())
        if m and m.group(1) == 'not ok':
            row = m.group(3)
            log['rows'].pop(row, None)
            log['failed'][row] = last_diag.get(row, 'not ok')

    if not log['bench_seen']:
        log['warnings'].append('no bench suite in the log')
    elif log['bench_rc'] is None:
        log['warnings'].append('bench suite did not finish (no end marker)')

    cs, rc = log['iommufd_centiseconds'], log['iommufd_rc']
    if cs is not None:
        if rc != 0:
            log['failed'][SUITE_ROW] = f'iommufd suite rc={rc}'
        elif cs <= 0:
            log['failed'][SUITE_ROW] = f'iommufd suite centiseconds={cs}'
        else:
            log['rows'][SUITE_ROW] = 100.0 / cs
    return log


def row_order(logs):
    """Rows in the order of their first appearance, the suite row last."""
    seen = {}
    for log in logs:
        for row in list(log['rows']) + list(log['failed']):
            seen.setdefault(row, None)
    rows = [r for r in seen if r != SUITE_ROW]
    if SUITE_ROW in seen:
        rows.append(SUITE_ROW)
    return rows


def why_missing(log, row):
    if row in log['failed']:
        return log['failed'][row]
    if row == SUITE_ROW:
        return 'no iommufd suite'
    if not log['bench_seen']:
        return 'no bench suite'
    if log['bench_rc'] is None:
        return 'bench suite cut short'
    return 'absent'


def spread(vals):
    """Median, min and max of the values that are not None (Nones when none is)."""
    vals = [v for v in vals if v is not None]
    if not vals:
        return None, None, None
    return statistics.median(vals), min(vals), max(vals)


def summarize(pairs, rows):
    def ratio(c, rust, row):
        cv, rv = c['rows'].get(row), rust['rows'].get(row)
        return rv / cv if cv is not None and rv is not None else None

    controls = [ratio(c, rust, CONTROL_ROW) for c, rust in pairs]
    out = []
    for row in rows:
        c_ops, rust_ops, ratios, missing = [], [], [], []
        for i, (c, rust) in enumerate(pairs, 1):
            cv, rv = c['rows'].get(row), rust['rows'].get(row)
            c_ops.append(cv)
            rust_ops.append(rv)
            if cv is None:
                missing.append(f'C #{i}: {why_missing(c, row)}')
            if rv is None:
                missing.append(f'Rust #{i}: {why_missing(rust, row)}')
            ratios.append(ratio(c, rust, row))
        norms = [r / k if r is not None and k is not None else None
                 for r, k in zip(ratios, controls)]
        med, lo, hi = spread(ratios)
        nmed, nlo, nhi = spread(norms)
        out.append({
            'row': row,
            'c_median_ops': spread(c_ops)[0],
            'rust_median_ops': spread(rust_ops)[0],
            'ratio_median': med,
            'ratio_min': lo,
            'ratio_max': hi,
            'ratios': ratios,
            'norm_median': nmed,
            'norm_min': nlo,
            'norm_max': nhi,
            'norm_ratios': norms,
            'c_ops': c_ops,
            'rust_ops': rust_ops,
            'complete_pairs': len([r for r in ratios if r is not None]),
            'missing': missing,
        })
    return out


def with_control(rows):
    """The rows, with the control row last but the suite row if no log has it."""
    if not rows or CONTROL_ROW in rows:
        return rows
    if rows[-1] == SUITE_ROW:
        return rows[:-1] + [CONTROL_ROW, SUITE_ROW]
    return rows + [CONTROL_ROW]


def merge_rows(lists):
    """One row order for several arches: the first arch's, each row only another
    arch has right after the row it follows there, the suite row last."""
    merged = []
    for rows in lists:
        prev = None
        for row in rows:
            if row not in merged:
                merged.insert(merged.index(prev) + 1 if prev is not None else 0, row)
            prev = row
    if SUITE_ROW in merged:
        merged.remove(SUITE_ROW)
        merged.append(SUITE_ROW)
    return merged


def fmt_ops(v):
    if v is None:
        return 'missing'
    return f'{v:,.0f}' if v >= 100 else f'{v:.3g}'


def fmt_ratio(v, digits=3):
    return '-' if v is None else f'{v:.{digits}f}'


def units(summary):
    """The words for what was measured: wall time or instruction counts."""
    if summary.get('clock') == 'icount':
        # Deterministic: a fourth digit is still a measurement.
        return {'ops': 'ops/Ginsn', 'ratio': 'Rust/C by instruction count', 'digits': 4,
                'slower': 'more instructions',
                'clock': 'guest clock counting instructions (QEMU -icount shift=0,sleep=off, '
                         '1 vCPU): ops/Ginsn are operations per 10^9 guest instructions, '
                         'Rust/C by instruction count is C instructions per operation over '
                         'Rust instructions per operation',
                'suite': 'runs per 10^9 ns of guest time (its instructions, and the time '
                         'it idled)'}
    return {'ops': 'ops/s', 'ratio': 'Rust/C by wall time', 'digits': 3,
            'slower': 'slower',
            'clock': 'guest clock following host time (TCG, 2 vCPUs)',
            'suite': 'runs per second'}


def tools_line(summary, arch=None):
    """The commit, compiler and QEMU the summary's meta names, of ARCH if given."""
    def get(key):
        return (arch and summary.get(f'{key}_{arch}')) or summary.get(key)
    parts = []
    if not arch and summary.get('commit'):
        parts.append(f"commit `{summary['commit']}`")
    if get('compiler'):
        parts.append(f"compiler {get('compiler')}")
    if get('qemu'):
        parts.append(get('qemu'))
    return ', '.join(parts)


def write_table(path, summary):
    rows = summary['rows']
    n = summary['pairs']
    u = units(summary)
    tools = tools_line(summary, summary.get('arch'))
    lines = [
        f"riommu_bench, {summary.get('rust_parts') or 'Rust mock IOMMU driver'} in Rust against C "
        f"(profiles {summary.get('c_profile') or 'default'} and {summary.get('rust_profile') or 'rust'}): "
        f"{summary.get('arch') or 'arch unknown'}, base {summary.get('base_kernel') or 'unknown'}, "
        f"{summary.get('date')}, {n} pair(s) of boots, {u['clock']}.",
        '',
    ]
    if tools:
        lines += [tools[0].upper() + tools[1:] + '.', '']
    lines += [
        f"The {u['ops']} columns are medians over the pairs (each a median of the guest's "
        "repetitions); "
        f"{u['ratio']} is the ratio of {u['ops']} per pair, above 1 Rust is faster; "
        f"/ ctl is that ratio over `{CONTROL_ROW}`'s in the same pair. "
        f"`{SUITE_ROW}` is the upstream iommufd selftest suite in {u['suite']}. "
        f'`{CONTROL_ROW}` (IOMMU_OPTION get) is a control: it runs only C code, the same in both '
        'kernels.',
        '',
        f"| row | C {u['ops']} | Rust {u['ops']} | {u['ratio']} median | min | max "
        "| / ctl median | min | max | |",
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ]
    d = u['digits']

    def is_slower(r):
        # As shown: a ratio printed as 1.000 is not slower.
        return r['ratio_median'] is not None and float(fmt_ratio(r['ratio_median'], d)) < 1.0
    for r in rows:
        notes = []
        if is_slower(r):
            notes.append(f"**{u['slower']}**")
        if r['missing']:
            notes.append(f"missing in {len(r['missing'])} log(s), "
                         f"{r['complete_pairs']}/{n} pairs: " + '; '.join(r['missing']))
        lines.append(f"| {r['row']} | {fmt_ops(r['c_median_ops'])} | "
                     f"{fmt_ops(r['rust_median_ops'])} | {fmt_ratio(r['ratio_median'], d)} | "
                     f"{fmt_ratio(r['ratio_min'], d)} | {fmt_ratio(r['ratio_max'], d)} | "
                     f"{fmt_ratio(r['norm_median'], d)} | {fmt_ratio(r['norm_min'], d)} | "
                     f"{fmt_ratio(r['norm_max'], d)} | "
                     f"{', '.join(notes).replace('|', '/')} |")
    slower = [r['row'] for r in rows if is_slower(r)]
    missing = [r['row'] for r in rows if r['missing']]
    lines += ['', f"{len(rows)} rows: {len(slower)} with Rust {u['slower']} (median < 1.0), "
              f'{len(missing)} missing in some log.', '']
    with open(path, 'w') as f:
        f.write('\n'.join(lines))


def insn_per_op(ops):
    """Instructions per operation from operations per 10^9 instructions."""
    return None if ops is None else 1e9 / ops


def write_table_all(path, summary):
    """The table of 'riommu bench --all': a row per arch and row."""
    rows = summary['rows']
    lines = [
        f"riommu_bench, Rust against C (profiles {summary.get('c_profile') or 'default'} and "
        f"{summary.get('rust_profile') or 'rust'}): {' and '.join(summary['arches'])}, "
        f"base {summary.get('base_kernel') or 'unknown'}, {summary.get('date')}"
        + (f", commit `{summary['commit']}`" if summary.get('commit') else '') + '.',
        '',
    ]
    for a in summary['arches']:
        parts = summary.get(f'rust_parts_{a}') or summary.get('rust_parts')
        tools = tools_line(summary, a)
        lines.append(f"- {a}: " + (f"in Rust: {parts}; " if parts else '') +
                     f"{summary['wall_pairs'][a]} wall-time pair(s) of boots, "
                     f"{summary['icount_pairs'][a]} instruction-count pair(s)"
                     + (f"; {tools}" if tools else '') + '.')
    lines += [
        '',
        'Wall time: guest clock following host time (TCG, 2 vCPUs); C and Rust ops/s are medians '
        "over the arch's pairs (each a median of the guest's repetitions), Rust/C is per pair, "
        f"above 1 Rust is faster, its median, min and max over the pairs; / ctl is, per pair, "
        f"that ratio over `{CONTROL_ROW}`'s (IOMMU_OPTION get, only C code, the same in both "
        'kernels), its median, min and max over the pairs. '
        'Instruction count: guest clock counting instructions (QEMU -icount shift=0,sleep=off, '
        '1 vCPU); insn/op are instructions per operation, Rust/C insn is C instructions per '
        'operation over Rust instructions per operation (median over the pairs), above 1 Rust '
        f"executes fewer. `{SUITE_ROW}` is the upstream iommufd selftest suite: runs per second, "
        'and in the insn/op columns guest nanoseconds per run (its instructions, and the time it '
        'idled).',
        '',
        '| arch | row | C ops/s | Rust ops/s | Rust/C median | min | max | / ctl median | min | '
        'max | C insn/op | Rust insn/op | Rust/C insn | |',
        '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ]

    def below(v, digits):
        # As shown: a ratio printed as 1.000 is not below 1.
        return v is not None and float(fmt_ratio(v, digits)) < 1.0
    def ops(v, r, clock):
        # No pair of that clock on the arch: nothing is missing.
        return fmt_ops(v) if summary[f'{clock}_pairs'][r['arch']] else '-'
    for r in rows:
        notes = []
        if below(r['norm_median'], 3):
            notes.append('**slower** (/ ctl)')
        if below(r['icount_ratio'], 4):
            notes.append('**more instructions**')
        if r['missing']:
            notes.append(f"missing in {len(r['missing'])} log(s): " + '; '.join(r['missing']))
        lines.append(
            f"| {r['arch']} | {r['row']} | {ops(r['c_median_ops'], r, 'wall')} | "
            f"{ops(r['rust_median_ops'], r, 'wall')} | {fmt_ratio(r['ratio_median'])} | "
            f"{fmt_ratio(r['ratio_min'])} | {fmt_ratio(r['ratio_max'])} | "
            f"{fmt_ratio(r['norm_median'])} | {fmt_ratio(r['norm_min'])} | "
            f"{fmt_ratio(r['norm_max'])} | "
            f"{ops(insn_per_op(r['icount_c_median_ops']), r, 'icount')} | "
            f"{ops(insn_per_op(r['icount_rust_median_ops']), r, 'icount')} | "
            f"{fmt_ratio(r['icount_ratio'], 4)} | {', '.join(notes).replace('|', '/')} |")
    lines.append('')
    for a in summary['arches']:
        mine = [r for r in rows if r['arch'] == a]
        lines.append(
            f"{a}: {len(mine)} rows, "
            f"{len([r for r in mine if below(r['norm_median'], 3)])} with Rust slower "
            f"(/ ctl median < 1.0), "
            f"{len([r for r in mine if below(r['icount_ratio'], 4)])} with more instructions, "
            f"{len([r for r in mine if r['missing']])} missing in some log.")
    lines.append('')
    with open(path, 'w') as f:
        f.write('\n'.join(lines))


def gp_str(s):
    return '"' + str(s).replace('\\', '\\\\').replace('"', '\\"') + '"'


def ratio_axis(vals, least=2.0):
    """A log2 x axis for ratios, at least 1/least..least: xmin, xmax and the
    gnuplot xtics list."""
    lo, hi = min(vals + [1 / least]), max(vals + [least])
    # Log scale, symmetric around 1.0 so faster and slower look alike.
    span = max(math.log2(hi), -math.log2(lo)) * 1.15
    xmin, xmax = 2 ** -span, 2 ** span
    k = math.ceil(span)
    if span < 1:
        tics = [0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.2, 1.3, 1.4]
    elif k <= 2:
        tics = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4]
    else:
        tics = [2.0 ** e for e in range(-k, k + 1, 1 if k <= 4 else math.ceil(k / 4))]
    tics = ', '.join(f'"{t:g}" {t!r}' if t >= 0.25 else f'"1/{1 / t:g}" {t!r}'
                     for t in tics if xmin <= t <= xmax)
    return xmin, xmax, tics


def run_gnuplot(gnuplot, script, path):
    res = subprocess.run([gnuplot, script], capture_output=True, text=True)
    if res.returncode or not os.path.exists(path):
        die(f'gnuplot failed (rc {res.returncode}):\n{res.stderr}')
    if res.stderr.strip():
        print(f'bench.py: gnuplot: {res.stderr.strip()}', file=sys.stderr)


def plot(path, summary, gnuplot):
    rows = summary['rows']
    vals = [v for r in rows for v in (r['ratio_min'], r['ratio_max']) if v is not None]
    xmin, xmax, tics = ratio_axis(vals)

    def label(r):
        if r['ratio_median'] is None:
            return r['row'] + ' (missing)'
        if r['missing']:
            return f"{r['row']} ({r['complete_pairs']}/{summary['pairs']} pairs)"
        return r['row']
    ytics = ', '.join(f'{gp_str(label(r))} {i}' for i, r in enumerate(rows))
    height = 140 + 24 * len(rows)
    u = units(summary)
    title = (f"riommu {summary.get('rust_parts') or 'mock IOMMU driver'}: {u['ratio']} "
             f"(Rust {u['ops']} / C {u['ops']}), {summary.get('arch') or '?'}, "
             f"median of {summary['pairs']} pair(s), bars min..max")

    gp = f"""\
set terminal pngcairo noenhanced size 1100,{height} font "sans,10"
set output {gp_str(path)}
set title {gp_str(title)}
set xlabel {gp_str(u['ratio'] + ' (log scale; right of 1.0: Rust faster)')}
set logscale x 2
set xrange [{xmin!r}:{xmax!r}]
set xtics ({tics})
set yrange [{len(rows) - 0.5}:-0.5]
set ytics ({ytics}) nomirror
set grid xtics
set key off
set style fill solid 0.6 border -1
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "black"
set lmargin {min(80, 4 + max(len(label(r)) for r in rows))}
"""
    have = [(i, r) for i, r in enumerate(rows) if r['ratio_median'] is not None]
    with tempfile.TemporaryDirectory(prefix='riommu-bench-') as tmp:
        data = os.path.join(tmp, 'bench.dat')
        with open(data, 'w') as f:
            f.write('# index median min max rust_faster\n')
            for i, r in have:
                f.write(f"{i} {r['ratio_median']!r} {r['ratio_min']!r} {r['ratio_max']!r} "
                        f"{1 if r['ratio_median'] >= 1.0 else 0}\n")
        if have:
            # A bar from 1.0 to the median, the min..max error bar, the value.
            gp += f"""\
plot {gp_str(data)} \\
	using (sqrt($2)):1:($2 < 1 ? $2 : 1):($2 < 1 ? 1 : $2):($1 - 0.35):($1 + 0.35): \\
	      ($5 > 0 ? {FASTER} : {SLOWER}) with boxxyerror lc rgb variable, \\
     '' using 2:1:3:4 with xerrorbars pt 7 ps 0.6 lc rgb "black", \\
     '' using ($4 > 1 ? $4 : 1):1:(sprintf($2 >= 0.01 ? " %.2f" : " %.2g", $2)) \\
	with labels left offset 0.5,0 font "sans,8"
"""
        else:
            gp += 'set label 1 "no row has a complete pair" at graph 0.5, graph 0.5 center\n'
            gp += 'plot 1/0 notitle\n'
        script = os.path.join(tmp, 'bench.gp')
        with open(script, 'w') as f:
            f.write(gp)
        run_gnuplot(gnuplot, script, path)


def plot_all(path, summary, gnuplot):
    """Every row of every arch on one axis: per arch a marker for the wall-time
    ratio over the control's (median, bar min..max) and one for the ratio by
    instruction count."""
    rows = summary['rows']
    arches = summary['arches']
    names = merge_rows([[r['row'] for r in rows if r['arch'] == a] for a in arches])
    at = {n: i for i, n in enumerate(names)}
    vals = [v for r in rows for v in (r['norm_min'], r['norm_max'], r['icount_ratio'])
            if v is not None]
    # Most rows are within a few percent of 1.0: a narrower least range.
    xmin, xmax, tics = ratio_axis(vals, least=1.25)

    def label(n):
        short = [a for a in arches if any(r['arch'] == a and r['row'] == n and r['missing']
                                          for r in rows)]
        return n + (f" (missing on {', '.join(short)})" if short else '')
    ytics = ', '.join(f'{gp_str(label(n))} {i}' for i, n in enumerate(names))
    height = 170 + 30 * len(names)
    title = (f"riommu_bench, {summary.get('rust_profile') or 'Rust'} against "
             f"{summary.get('c_profile') or 'C'}: Rust/C per row, "
             f"{', '.join(arches)}; {summary.get('date')}")
    gp = f"""\
set terminal pngcairo noenhanced size 1200,{height} font "sans,10"
set output {gp_str(path)}
set title {gp_str(title)}
set xlabel {gp_str('Rust/C (log scale; right of 1.0: Rust faster, or fewer instructions)')}
set logscale x 2
set xrange [{xmin!r}:{xmax!r}]
set xtics ({tics})
set yrange [{len(names) - 0.5}:-0.5]
set ytics ({ytics}) nomirror
set grid xtics ytics lc rgb "#d8d8d8"
set bmargin 7
set key at screen 0.5, screen 0.01 center bottom horizontal
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "black"
set lmargin {min(80, 4 + max(len(label(n)) for n in names))}
"""
    # Each arch a band of its own around the row's line.
    step = 0.5 / len(arches)
    plots = []
    with tempfile.TemporaryDirectory(prefix='riommu-bench-') as tmp:
        for k, a in enumerate(arches):
            y0 = -0.25 + step * (k + 0.5)
            wall = os.path.join(tmp, f'{a}-wall.dat')
            insn = os.path.join(tmp, f'{a}-icount.dat')
            nw = ni = 0
            with open(wall, 'w') as fw, open(insn, 'w') as fi:
                fw.write('# y median min max\n')
                fi.write('# y ratio\n')
                for r in rows:
                    if r['arch'] != a:
                        continue
                    y = at[r['row']] + y0
                    if r['norm_median'] is not None:
                        fw.write(f"{y!r} {r['norm_median']!r} {r['norm_min']!r} "
                                 f"{r['norm_max']!r}\n")
                        nw += 1
                    if r['icount_ratio'] is not None:
                        fi.write(f"{y!r} {r['icount_ratio']!r}\n")
                        ni += 1
            colour = gp_str(f'#{ARCH_COLOURS.get(a, 0x606060):06x}')
            if nw:
                what = a + ': wall time / ctl, median, min..max'
                plots.append(f"{gp_str(wall)} using 2:1:3:4 with xerrorbars pt 7 ps 0.8 "
                             f"lc rgb {colour} title {gp_str(what)}")
            if ni:
                plots.append(f"{gp_str(insn)} using 2:1 with points pt 12 ps 1.4 lw 2 "
                             f"lc rgb {colour} title {gp_str(a + ': instruction count')}")
        if plots:
            gp += 'plot ' + ', \\\n     '.join(plots) + '\n'
        else:
            gp += ('set label 1 "no row has a complete pair" at graph 0.5, graph 0.5 center\n'
                   'plot 1/0 notitle\n')
        script = os.path.join(tmp, 'bench.gp')
        with open(script, 'w') as f:
            f.write(gp)
        run_gnuplot(gnuplot, script, path)


def gate(summary, threshold):
    """Print TAP, a row per line: ok when its ratio is at least threshold."""
    rows = summary['rows']
    print('TAP version 13')
    print(f'1..{len(rows)}')
    print(f"# Rust/C by instruction count, {summary.get('arch') or 'arch unknown'}, "
          f"median of {summary['pairs']} pair(s), threshold {threshold:g}")
    failed = 0
    for i, r in enumerate(rows, 1):
        v = r['ratio_median']
        if r['missing'] or v is None:
            print(f"not ok {i} {r['row']} # missing: " + '; '.join(r['missing']))
        elif v >= threshold:
            print(f"ok {i} {r['row']} ratio {v:.4f} >= {threshold:g}")
            continue
        else:
            print(f"not ok {i} {r['row']} ratio {v:.4f} < {threshold:g}")
        failed += 1
    print(f'# {failed} of {len(rows)} rows below {threshold:g} or missing')
    return 1 if failed or not rows else 0


def print_warnings(logs):
    for log in logs:
        for w in log['warnings']:
            print(f"bench.py: {log['path']}: {w}", file=sys.stderr)


def log_entries(pairs, **extra):
    return [{
        **extra, 'pair': i, 'side': side, 'path': log['path'], 'kernel': log['kernel'],
        'arch': log['arch'], 'bench_rc': log['bench_rc'], 'iommufd_rc': log['iommufd_rc'],
        'iommufd_centiseconds': log['iommufd_centiseconds'], 'clock': log['clock'],
        'warnings': log['warnings'],
    } for i, p in enumerate(pairs, 1) for side, log in zip(('c', 'rust'), p)]


def write_outputs(out_dir, summary, table, draw):
    """Write the JSON, the table and the plot; 0, or 1 when a row is missing."""
    os.makedirs(out_dir, exist_ok=True)
    out_json = os.path.join(out_dir, 'bench-summary.json')
    out_md = os.path.join(out_dir, 'bench-table.md')
    out_png = os.path.join(out_dir, 'bench.png')
    with open(out_json, 'w') as f:
        json.dump(summary, f, indent=2)
        f.write('\n')
    table(out_md, summary)
    print(f'bench.py: wrote {out_json} and {out_md}')

    rows = summary['rows']
    if os.path.exists(out_png):
        os.remove(out_png)
    gnuplot = shutil.which('gnuplot')
    if not gnuplot:
        die(f'gnuplot not found, {out_png} not drawn: install gnuplot-nox '
            '(riommu setup does) and run bench.py again on the same logs')
    if rows:
        draw(out_png, summary, gnuplot)
        print(f'bench.py: wrote {out_png}')

    if not rows:
        return 1
    missing = [(f"{r['arch']}/" if 'arch' in r else '') + r['row']
               for r in rows if r['missing']]
    if missing:
        print(f"bench.py: {len(missing)} row(s) missing in some log: {', '.join(missing)}",
              file=sys.stderr)
        return 1
    return 0


def main_all(args, meta):
    """--wall-pair and --icount-pair: every arch in one table and one plot."""
    groups = {}
    for clock, given in (('wall', args.wall_pair or []), ('icount', args.icount_pair or [])):
        for arch, c, rust in given:
            if arch not in ARCHES:
                die(f'unknown arch {arch!r} (not one of {", ".join(ARCHES)})')
            g = groups.setdefault(arch, {'wall': [], 'icount': []})
            pair = (parse_log(c), parse_log(rust))
            for log in pair:
                # A log without a command line or start line (a boot that
                # died early) is not checked; its rows are missing.
                if log['clock'] and log['clock'] != clock:
                    die(f"{log['path']}: clock {log['clock']}, given as {clock}")
                if log['arch'] and UNAME_ARCH.get(log['arch'], log['arch']) != arch:
                    die(f"{log['path']}: arch {log['arch']}, given as {arch}")
            g[clock].append(pair)
    arches = [a for a in ARCHES if a in groups]
    print_warnings([log for g in groups.values() for ps in g.values() for p in ps for log in p])

    rows = []
    for a in arches:
        g = groups[a]
        names = with_control(row_order([log for ps in g.values() for p in ps for log in p]))
        if not names:
            print(f'bench.py: no benchmark row in any {a} log', file=sys.stderr)
        wall = summarize(g['wall'], names)
        insn = summarize(g['icount'], names)
        for w, i in zip(wall, insn):
            r = {'arch': a}
            r.update(w)
            r.update({
                'icount_c_median_ops': i['c_median_ops'],
                'icount_rust_median_ops': i['rust_median_ops'],
                'icount_ratio': i['ratio_median'],
                'icount_ratios': i['ratios'],
                'icount_c_ops': i['c_ops'],
                'icount_rust_ops': i['rust_ops'],
                'icount_complete_pairs': i['complete_pairs'],
                'missing': [f'wall {m}' for m in w['missing']] +
                           [f'icount {m}' for m in i['missing']],
            })
            rows.append(r)

    summary = {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'base_kernel': None,
    }
    summary.update(meta)
    summary['arches'] = arches
    summary['ratio_by'] = ('wall time, wall time over the control row ' + CONTROL_ROW +
                           "'s, and instruction count")
    summary['wall_pairs'] = {a: len(groups[a]['wall']) for a in arches}
    summary['icount_pairs'] = {a: len(groups[a]['icount']) for a in arches}
    summary['rows'] = rows
    summary['logs'] = [e for a in arches for clock in ('wall', 'icount')
                       for e in log_entries(groups[a][clock], given_arch=a, given_clock=clock)]
    return write_outputs(args.out_dir, summary, write_table_all, plot_all)


def main():
    ap = argparse.ArgumentParser(
        description='Rust/C benchmark summary of riommu_bench guest logs',
        epilog='--pair: one arch and clock, as found in the logs. --wall-pair and '
               '--icount-pair (not with --pair or --gate): pairs of one or '
               'more arches in one table and plot, with the ratio normalised by the '
               f'control row {CONTROL_ROW} and the ratio by instruction count.')
    ap.add_argument('--out-dir')
    ap.add_argument('--gate', type=float, metavar='THRESHOLD',
                    help='print TAP: ok for each row whose ratio is at least THRESHOLD')
    ap.add_argument('--pair', nargs=2, action='append',
                    metavar=('C_LOG', 'RUST_LOG'))
    ap.add_argument('--wall-pair', nargs=3, action='append',
                    metavar=('ARCH', 'C_LOG', 'RUST_LOG'),
                    help='a pair of wall-time boots of ARCH')
    ap.add_argument('--icount-pair', nargs=3, action='append',
                    metavar=('ARCH', 'C_LOG', 'RUST_LOG'),
                    help='a pair of instruction-count boots of ARCH')
    ap.add_argument('--meta', action='append', default=[], metavar='K=V')
    args = ap.parse_args()
    if (args.gate is None) == (args.out_dir is None):
        die('give either --out-dir or --gate')
    every = args.wall_pair or args.icount_pair
    if not args.pair and not every:
        die('give --pair, or --wall-pair and --icount-pair')
    if args.pair and every:
        die('give --pair, or --wall-pair and --icount-pair, not both')
    if every and args.gate is not None:
        die('--gate takes --pair')

    meta = {}
    for kv in args.meta:
        k, sep, v = kv.partition('=')
        if not sep or not k:
            die(f'--meta needs K=V, not {kv!r}')
        if k in ('pairs', 'rows', 'logs', 'clock', 'ratio_by', 'arches', 'wall_pairs',
                 'icount_pairs'):
            die(f'--meta key {k!r} is reserved')
        meta[k] = v
    if every:
        return main_all(args, meta)

    pairs = [(parse_log(c), parse_log(rust)) for c, rust in args.pair]
    logs = [log for p in pairs for log in p]
    print_warnings(logs)
    rows = row_order(logs)
    if not rows:
        print('bench.py: no benchmark row in any log, no plot', file=sys.stderr)

    arches = {log['arch'] for log in logs if log['arch']}
    # A log without a kernel command line (a boot that died early) has no
    # rows either: it does not decide the clock.
    clocks = {log['clock'] for log in logs if log['clock']}
    if len(clocks) > 1:
        die('some logs are icount boots (riommu.clock=icount) and some are not: ' +
            ', '.join(f"{log['path']}: {log['clock'] or 'unknown'}" for log in logs))
    clock = clocks.pop() if clocks else ('icount' if args.gate is not None else 'wall')
    if args.gate is not None and clock != 'icount':
        die('--gate needs icount boots (riommu.clock=icount on the kernel command line)')
    summary = {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'base_kernel': None,
        'arch': arches.pop() if len(arches) == 1 else None,
    }
    summary.update(meta)
    summary['clock'] = clock
    summary['ratio_by'] = 'instruction count' if clock == 'icount' else 'wall time'
    summary['pairs'] = len(pairs)
    if args.gate is not None:
        summary['rows'] = summarize(pairs, rows)
        return gate(summary, args.gate)
    summary['rows'] = summarize(pairs, with_control(rows))
    summary['logs'] = log_entries(pairs)
    return write_outputs(args.out_dir, summary, write_table, plot)


if __name__ == '__main__':
    sys.exit(main())
