#!/usr/bin/env python3
# reps.py KERNEL EPOCH KIND COUNT: per-repetition mean insns/op of the 7 timed reps (op 0 = untimed warm-up;
# the epoch's last op is kept: its segment ends at the write, so its value is low by ~220 on arm64)
import sys, statistics
k, e, kind, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
sys.argv = [sys.argv[0], 'x']
exec(open('/tmp/prof3/work/seg2.py').read().split("cmd = sys.argv[1]")[0])
v = [x[2] for x in epochs(headers('/tmp/prof3/work/prof/%s.t2' % k))[e][kind]]
reps = [sum(v[1 + r * count: 1 + (r + 1) * count]) / count for r in range(7)]
print(k, e, kind, ' '.join('%.1f' % x for x in reps), ' median %.1f' % sorted(reps)[3])
