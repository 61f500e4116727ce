#!/usr/bin/env python3
# group.py DIFFFILE GROUPSPEC: sum the A/B columns of a seg2.py diff by groups of name substrings (first match wins)
import sys, re
groups = [l.split('|') for l in open(sys.argv[2]).read().strip().split('\n')]
tot = {}
order = []
for line in open(sys.argv[1]):
    m = re.match(r'\s*(-?\d+)\s+(-?\d+)\s+([+-]\d+)\s+(\d+)\s+(\d+)\s+(.*)', line)
    if not m: continue
    a, b, name = int(m.group(1)), int(m.group(2)), m.group(6)
    g = 'other'
    for gg in groups:
        if any(s.strip() and s.strip() in name for s in gg[1:]): g = gg[0]; break
    if g not in tot: tot[g] = [0, 0, []]; order.append(g)
    tot[g][0] += a; tot[g][1] += b; tot[g][2].append('%s %d/%d' % (name[:60], a, b))
for g in order:
    print('%-28s C %5d  Rust %5d  %+5d' % (g, tot[g][0], tot[g][1], tot[g][1] - tot[g][0]))
    if '-v' in sys.argv:
        for x in tot[g][2]: print('      ', x)
