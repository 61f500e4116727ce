#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the riommu_hwpt_diff digests of two guest console logs.

Each log holds a run of tools/testing/selftests/iommu/riommu_hwpt_diff
between "### riommu-suite-begin hwpt_diff" and "### riommu-suite-end
hwpt_diff ..." markers; the program prints one line per seed:

    # riommu-diff seed=S ops=K digest=HEX ok=N err=M

possibly behind a kernel timestamp or other console noise. Two kernels that
behave the same print the same digest for every seed. A seed missing on
either side (the guest died, the program could not run it) is a failure too,
as is a log with no seed at all, or one that gives a seed two digests.

usage: diffcmp.py --out FILE.json A_LOG B_LOG
Prints a KTAP summary; exits 1 on any difference, 0 if all digests match.

With --suite dev_diff it compares the digests of
tools/testing/selftests/iommu/riommu_dev_diff instead (the hardware IOMMU
driver on a real device), from its "dev_diff" suite; the program prints one
line per group of steps and one per step:

    # riommu-devdiff group=G steps=N digest=HEX ok=N err=M
    # riommu-devdiff-step G.I NAME rc=R errno=E out=...

and the result is one TAP line per group (a group missing on either side, or
given two digests, fails too), with the steps that differ as diagnostics and
in the JSON file. --suite nested_smmu does the same for
tools/testing/selftests/iommu/riommu_nested_smmu (nested translation on the
SMMUv3 through a vIOMMU), which prints the same lines in its "nested_smmu"
suite.
"""
import argparse
import json
import re
import sys

SUITE = 'hwpt_diff'
BEGIN = re.compile(r'### riommu-suite-begin (\S+)\s*$')
END = re.compile(r'### riommu-suite-end (\S+)(\s|$)')
# Not anchored at the end: a kernel message may follow on the same console line.
SEED = re.compile(r'# riommu-diff seed=(\d+) ops=(\d+) digest=([0-9a-fA-F]{16})'
                  r' ok=(\d+) err=(\d+)')
TOTAL = re.compile(r'# riommu-diff total digest=([0-9a-fA-F]{16})\s*$')
MAX_LISTED = 20


def suite_lines(path, suite, prefix, notes):
    """The parts of the lines of `suite` in a log from `prefix` on; counts the suite's runs in
    notes['suite_runs'] and sets notes['unterminated'] if the last run never ended (the guest
    died in it: what it printed still counts, the rest shows up as missing)."""
    inside = False
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\r\n')
            m = BEGIN.search(line)
            if m:
                inside = m.group(1) == suite
                notes['suite_runs'] += inside
                continue
            m = END.search(line)
            if m:
                if m.group(1) == suite:
                    inside = False
                continue
            i = line.find(prefix) if inside else -1
            if i >= 0:
                yield line[i:]
    notes['unterminated'] = inside


def parse(path):
    """Seeds of the hwpt_diff suite in a log: {seed: record}, and notes."""
    seeds = {}
    notes = {'suite_runs': 0, 'unterminated': False, 'conflicts': [],
             'totals': []}
    for tail in suite_lines(path, SUITE, '# riommu-diff', notes):
        m = SEED.match(tail)
        if m:
            seed = int(m.group(1))
            rec = {'ops': int(m.group(2)), 'digest': m.group(3).lower(),
                   'ok': int(m.group(4)), 'err': int(m.group(5))}
            old = seeds.get(seed)
            if old and (old['digest'], old['ops']) != (rec['digest'], rec['ops']):
                notes['conflicts'].append({'seed': seed, 'first': old,
                                           'again': rec})
            elif not old:
                seeds[seed] = rec
            continue
        m = TOTAL.match(tail)
        if m:
            notes['totals'].append(m.group(1).lower())
    return seeds, notes


def seed_list(seeds, n=8):
    s = ', '.join(str(x) for x in seeds[:n])
    return s + (', ...' if len(seeds) > n else '')


DEV_SUITE = 'dev_diff'
NESTED_SUITE = 'nested_smmu'
DEV_GROUP = re.compile(r'# riommu-devdiff group=(\S+) steps=(\d+) digest=([0-9a-fA-F]{16})'
                       r' ok=(\d+) err=(\d+)')
DEV_TOTAL = re.compile(r'# riommu-devdiff total digest=([0-9a-fA-F]{16}) groups=(\d+)')
DEV_STEP = re.compile(r'# riommu-devdiff-step (\S+)\.(\d+) (\S+) (rc=.*?)\s*$')
STEPS_LISTED = 8


def parse_dev(path, suite=DEV_SUITE):
    """Groups of a dev_diff style suite in a log: {group: record} in order, and notes."""
    groups = {}
    steps = {}
    notes = {'suite_runs': 0, 'unterminated': False, 'conflicts': [],
             'totals': []}
    for tail in suite_lines(path, suite, '# riommu-devdiff', notes):
        m = DEV_STEP.match(tail)
        if m:
            # The first run of the suite gives the steps.
            steps.setdefault(m.group(1), {}).setdefault(
                int(m.group(2)), f'{m.group(3)} {m.group(4)}')
            continue
        m = DEV_GROUP.match(tail)
        if m:
            g = m.group(1)
            rec = {'steps': int(m.group(2)), 'digest': m.group(3).lower(),
                   'ok': int(m.group(4)), 'err': int(m.group(5))}
            old = groups.get(g)
            if old and (old['digest'], old['steps']) != (rec['digest'], rec['steps']):
                notes['conflicts'].append({'group': g, 'first': old, 'again': rec})
            elif not old:
                groups[g] = rec
            continue
        m = DEV_TOTAL.match(tail)
        if m:
            notes['totals'].append(m.group(1).lower())
    for g, rec in groups.items():
        rec['step_lines'] = [steps.get(g, {}).get(i + 1)
                             for i in range(rec['steps'])]
    return groups, notes


def main_dev(args):
    try:
        a, a_notes = parse_dev(args.a_log, args.suite)
        b, b_notes = parse_dev(args.b_log, args.suite)
    except OSError as e:
        print('TAP version 13\n1..1')
        print(f'not ok 1 digests_identical # cannot read a log: {e}')
        return 1

    order = list(a) + [g for g in b if g not in a]
    results = []
    mismatches = []
    for g in order:
        ra, rb = a.get(g), b.get(g)
        if ra is None or rb is None:
            results.append((g, False, f"missing in {'A' if ra is None else 'B'}", []))
            continue
        if (ra['digest'], ra['steps']) == (rb['digest'], rb['steps']):
            results.append((g, True, f"{ra['steps']} steps", []))
            continue
        # The steps that differ, by their place in the group.
        diff = []
        for i in range(max(ra['steps'], rb['steps'])):
            sa = ra['step_lines'][i] if i < ra['steps'] else None
            sb = rb['step_lines'][i] if i < rb['steps'] else None
            if sa != sb:
                diff.append({'step': i + 1, 'a': sa, 'b': sb})
        mismatches.append({'group': g,
                           'a': {k: ra[k] for k in ('steps', 'digest', 'ok', 'err')},
                           'b': {k: rb[k] for k in ('steps', 'digest', 'ok', 'err')},
                           'differing_steps': len(diff), 'steps': diff})
        results.append((g, False, f"digest {ra['digest']} != {rb['digest']}, "
                        f"{len(diff)} of {max(ra['steps'], rb['steps'])} steps differ", diff))

    problems = [f'group {g}: {why}' for g, ok, why, _ in results if not ok]
    for side, notes in (('A', a_notes), ('B', b_notes)):
        if notes['conflicts']:
            problems.append(f"{side} gives {len(notes['conflicts'])} groups two digests: "
                            + ', '.join(c['group'] for c in notes['conflicts']))
    if not a and not b:
        problems = [f'no "# riommu-devdiff group=" line in a {args.suite} suite of either log']

    result = {
        'suite': args.suite,
        'a': {'log': args.a_log, 'groups': len(a), **a_notes},
        'b': {'log': args.b_log, 'groups': len(b), **b_notes},
        'groups_compared': sum(1 for g in order if g in a and g in b),
        'identical': sum(1 for _, ok, _, _ in results if ok),
        'mismatch_count': len(mismatches),
        'mismatches': mismatches,
        'missing_in_a': [g for g in order if g not in a],
        'missing_in_b': [g for g in order if g not in b],
        'identical_all': not problems,
        'problems': problems,
    }
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
        f.write('\n')

    print('TAP version 13')
    if not a and not b:
        print('1..1')
        print('not ok 1 digests_identical # ' + problems[0])
        return 1
    print(f'1..{len(results)}')
    for n, (g, ok, why, diff) in enumerate(results, 1):
        for d in diff[:STEPS_LISTED]:
            print(f"# {g}.{d['step']} A: {d['a']}")
            print(f"# {g}.{d['step']} B: {d['b']}")
        if len(diff) > STEPS_LISTED:
            print(f'# ... and {len(diff) - STEPS_LISTED} more steps of {g} differ')
        print(f"{'ok' if ok else 'not ok'} {n} group_{g} # {why}")
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True, help='JSON result file')
    ap.add_argument('--suite', choices=(SUITE, DEV_SUITE, NESTED_SUITE), default=SUITE,
                    help='whose digests to compare (default %(default)s)')
    ap.add_argument('a_log')
    ap.add_argument('b_log')
    args = ap.parse_args()
    if args.suite in (DEV_SUITE, NESTED_SUITE):
        return main_dev(args)

    try:
        a, a_notes = parse(args.a_log)
        b, b_notes = parse(args.b_log)
    except OSError as e:
        print('TAP version 13\n1..1')
        print(f'not ok 1 digests_identical # cannot read a log: {e}')
        return 1

    common = sorted(set(a) & set(b))
    missing_a = sorted(set(b) - set(a))
    missing_b = sorted(set(a) - set(b))
    differ = [s for s in common
              if (a[s]['digest'], a[s]['ops']) != (b[s]['digest'], b[s]['ops'])]
    ops = sorted({a[s]['ops'] for s in common} | {b[s]['ops'] for s in common})

    result = {
        'a': {'log': args.a_log, 'seeds': len(a), **a_notes},
        'b': {'log': args.b_log, 'seeds': len(b), **b_notes},
        'ops_per_seed': ops[0] if len(ops) == 1 else ops,
        'seeds_compared': len(common),
        'identical': len(common) - len(differ),
        'mismatch_count': len(differ),
        'mismatches': [{'seed': s, 'a': a[s], 'b': b[s]}
                       for s in differ[:MAX_LISTED]],
        'missing_in_a': missing_a,
        'missing_in_b': missing_b,
    }
    problems = []
    if differ:
        problems.append(f'{len(differ)} of {len(common)} seeds differ: '
                        + seed_list(differ))
    if missing_a:
        problems.append(f'{len(missing_a)} seeds missing in A: ' + seed_list(missing_a))
    if missing_b:
        problems.append(f'{len(missing_b)} seeds missing in B: ' + seed_list(missing_b))
    for side, notes in (('A', a_notes), ('B', b_notes)):
        if notes['conflicts']:
            problems.append(f"{side} gives {len(notes['conflicts'])} seeds two digests: "
                            + seed_list([c['seed'] for c in notes['conflicts']]))
    if not a and not b:
        problems = [f'no "# riommu-diff seed=" line in a {SUITE} suite of either log']
    elif not common and not problems:
        problems.append('no seed in common')
    result['identical_all'] = not problems
    result['problems'] = problems

    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
        f.write('\n')

    print('TAP version 13\n1..1')
    if problems:
        print('not ok 1 digests_identical # ' + '; '.join(problems))
        return 1
    k = ops[0] if len(ops) == 1 else '/'.join(str(o) for o in ops)
    print(f'ok 1 digests_identical # {len(common)} seeds x {k} ops')
    return 0


if __name__ == '__main__':
    sys.exit(main())
