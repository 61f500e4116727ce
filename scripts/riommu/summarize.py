#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse riommu guest console logs into out/test-summary.json.

Each run is one VM boot. Its console log holds suites between
"### riommu-suite-begin NAME" and "### riommu-suite-end NAME rc=R
centiseconds=C" markers, each emitting KTAP/TAP. Results are counted from the
TAP lines themselves (leaf results only, so KUnit suite lines are not counted
twice); a suite whose rc is non-zero while no test failed counts one failure of
its own. Kernel splats anywhere in the log are failures, listed by name.

usage: summarize.py --out FILE --meta K=V ... RUNSPEC...
RUNSPEC is a JSON object: {"log": PATH, "arch": ..., "profile": ...,
"expect": [suite, ...], "checks": {name: regex}, ...}; extra keys are copied
(a guest run's "mock", "hwpt": C or Rust; "iommu": its hardware IOMMU driver,
and on x86_64 the VT-d translation stage QEMU offers: "c-vtd-fs", "c-vtd-ss",
"c-smmuv3" or "rust-smmuv3"; host runs have none of them).
"""
import argparse
import json
import re
import sys

RESULT = re.compile(r'^(\s*)(not ok|ok)\s+(\d+)\s*-?\s*([^#]*?)\s*(#.*)?$')
BEGIN = re.compile(r'### riommu-suite-begin (\S+)')
END = re.compile(r'### riommu-suite-end (\S+) rc=(-?\d+) centiseconds=(\d+)')

# A kernel report of any of these kinds fails the run.
SPLATS = [
    ('oops', re.compile(r'\bOops\b|Unable to handle kernel|general protection fault')),
    ('bug', re.compile(r'\bBUG: (?!KASAN)')),
    ('kasan', re.compile(r'BUG: KASAN|KASAN: ')),
    ('ubsan', re.compile(r'UBSAN: ')),
    # Lockdep reports open with one of these (not the boot banner
    # "RCU lockdep checking is enabled").
    ('lockdep', re.compile(r'WARNING: (possible|inconsistent|suspicious RCU)|'
                           r'circular locking dependency|lock held when returning|'
                           r'bad unlock balance')),
    ('warn', re.compile(r'WARNING: (?!possible|inconsistent|suspicious RCU)|'
                        r'\bWARNING: CPU:')),
    ('kmemleak', re.compile(r'kmemleak: \d+ new suspected memory leaks|'
                            r'unreferenced object 0x')),
    ('panic', re.compile(r'Kernel panic')),
    # SMMUv3 global errors and command-queue failures (both drivers' messages).
    ('smmu_error', re.compile(r'(arm-smmu-v3|arm_smmu_v3_rs) .*(unexpected global error|'
                              r'CMDQ error|CMD_SYNC timeout)')),
    ('hung', re.compile(r'blocked for more than|rcu_.*detected stall|'
                        r'soft lockup|hard LOCKUP')),
]


def strip_console(line):
    # Drop a printk timestamp so kernel lines and TAP lines look alike.
    return re.sub(r'^\[\s*\d+\.\d+\]\s?', '', line.rstrip('\r\n'))


def count_tap(lines):
    """Count leaf results of (K)TAP lines; returns passed, failed, skipped,
    xfail. A "not ok ... # TODO reason" is an expected failure (a known bug
    the test names, e.g. of an upstream C driver): neither a pass nor a
    failure; an "ok ... # TODO" is an unexpected pass, counted as a failure,
    so that the expectation is revisited."""
    passed = failed = skipped = xfail = 0
    child_seen = {}
    for line in lines:
        m = RESULT.match(line)
        if not m:
            continue
        depth = len(m.group(1).expandtabs(8))
        directive = (m.group(5) or '').lower()
        is_parent = child_seen.get(depth, False)
        for d in list(child_seen):
            if d >= depth:
                child_seen[d] = False
        for d in range(depth):
            child_seen[d] = True
        if is_parent:
            continue
        if '# skip' in directive:
            skipped += 1
        elif '# todo' in directive:
            if m.group(2) == 'ok':
                failed += 1
            else:
                xfail += 1
        elif m.group(2) == 'ok':
            passed += 1
        else:
            failed += 1
    return passed, failed, skipped, xfail


def parse_log(path):
    with open(path, errors='replace') as f:
        lines = [strip_console(l) for l in f]
    suites = {}
    splats = []
    cur = None
    body = []
    for i, line in enumerate(lines):
        m = BEGIN.search(line)
        if m:
            cur, body = m.group(1), []
            continue
        m = END.search(line)
        if m and cur == m.group(1):
            p, fl, s, xf = count_tap(body)
            rc = int(m.group(2))
            suites[cur] = {'passed': p, 'failed': fl, 'skipped': s, 'xfail': xf, 'rc': rc,
                           'seconds': int(m.group(3)) / 100.0}
            if rc != 0 and fl == 0:
                suites[cur]['failed'] = 1
                suites[cur]['note'] = f'exit status {rc} with no failed test'
            cur = None
            continue
        if cur:
            body.append(line)
        for name, rx in SPLATS:
            if rx.search(line):
                splats.append({'kind': name, 'line': i + 1, 'text': line.strip()[:300]})
                break
    if cur:
        p, fl, s, xf = count_tap(body)
        suites[cur] = {'passed': p, 'failed': fl + 1, 'skipped': s, 'xfail': xf, 'rc': None,
                       'seconds': None, 'note': 'did not finish (guest died or timed out)'}
    done = any('### riommu-guest-done' in l for l in lines)
    return lines, suites, splats, done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--meta', action='append', default=[])
    ap.add_argument('runs', nargs='+')
    a = ap.parse_args()
    meta = dict(kv.split('=', 1) for kv in a.meta)
    runs = []
    tot = {'passed': 0, 'failed': 0, 'skipped': 0, 'xfail': 0}
    failures = []
    for spec in a.runs:
        r = json.loads(spec)
        name = r.get('name', f"{r.get('arch')}-{r.get('profile')}")
        try:
            lines, suites, splats, done = parse_log(r['log'])
        except OSError as e:
            lines, suites, splats, done = [], {}, [], False
            failures.append(f'{name}: no log ({e})')
        for s in r.get('expect', []):
            if s not in suites:
                suites[s] = {'passed': 0, 'failed': 1, 'skipped': 0, 'xfail': 0, 'rc': None,
                             'seconds': None, 'note': 'did not run'}
        checks = {}
        for cname, chk in r.get('checks', {}).items():
            # A check is a regex some log line must match; with "bits", its
            # first group is a hex number that must have all those bits set.
            if isinstance(chk, str):
                chk = {'regex': chk}
            hit = None
            for l in lines:
                m = re.search(chk['regex'], l)
                if m and ('bits' not in chk or
                          int(m.group(1), 16) & chk['bits'] == chk['bits']):
                    hit = l.strip()
                    break
            checks[cname] = {'passed': hit is not None, 'evidence': hit}
            if hit is None:
                failures.append(f'{name}: check {cname} failed: {chk}')
        if not done:
            failures.append(f'{name}: guest did not reach the end of its plan')
        for sp in splats:
            failures.append(f"{name}: kernel {sp['kind']} report at log line {sp['line']}: {sp['text']}")
        for sname, s in suites.items():
            for k in tot:
                tot[k] += s.get(k, 0)
            if s['failed']:
                failures.append(f"{name}: {sname}: {s['failed']} failed"
                                + (f" ({s['note']})" if 'note' in s else ''))
        # Splats, failed checks and an unfinished plan are failures of their own.
        extra = len(splats) + sum(not c['passed'] for c in checks.values()) + (0 if done else 1)
        tot['failed'] += extra
        run = {k: v for k, v in r.items() if k not in ('expect', 'checks')}
        run.update(name=name, suites=suites, checks=checks, splats=splats,
                   completed=done)
        runs.append(run)
    summary = dict(meta, runs=runs, totals=tot, failures=failures)
    with open(a.out, 'w') as f:
        json.dump(summary, f, indent=2)
        f.write('\n')
    for run in runs:
        if run.get('mock') or run.get('hwpt') or run.get('iommu'):
            print(f"{run['name']:<28} mock {run.get('mock') or '-'}, "
                  f"HWPT layer {run.get('hwpt') or '-'}, "
                  f"IOMMU driver {run.get('iommu') or '-'}")
    print(f"{'run':<28} {'suite':<18} {'pass':>6} {'fail':>5} {'skip':>5} {'sec':>7}")
    for run in runs:
        for sname, s in run['suites'].items():
            sec = '-' if s['seconds'] is None else f"{s['seconds']:.1f}"
            print(f"{run['name']:<28} {sname:<18} {s['passed']:>6} {s['failed']:>5} {s['skipped']:>5} {sec:>7}")
        for cname, c in run['checks'].items():
            print(f"{run['name']:<28} check {cname}: {'ok' if c['passed'] else 'FAILED'}"
                  + (f" ({c['evidence']})" if c['evidence'] else ''))
    for fl in failures:
        print(f'FAILURE: {fl}')
    if tot['skipped']:
        print(f"note: {tot['skipped']} skipped tests are not passes (see {a.out})")
    if tot['xfail']:
        print(f"note: {tot['xfail']} expected failures (known bugs the tests name, "
              f"'# TODO'), not passes (see {a.out})")
    print(f"{tot['passed']} passed, {tot['failed']} failed, {tot['skipped']} skipped")
    return 1 if tot['failed'] or failures else 0


if __name__ == '__main__':
    sys.exit(main())
