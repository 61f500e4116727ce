#!/usr/bin/env python3
"""prof.py: analyse tbprof.so output.
  prof.py segs TBFILE                      list big segments
  prof.py diff MAP_A TB_A SEG_A MAP_B TB_B SEG_B [OPS]   per-symbol insns (and entries) per op
  prof.py sym MAP TB SEG SYMBOL            per-TB counts within a symbol
"""
import sys, bisect, collections, re

def load_map(path):
    addrs, names = [], []
    for line in open(path):
        p = line.split()
        if len(p) < 3 or p[1] not in 'tTwW': continue
        addrs.append(int(p[0], 16)); names.append(p[2])
    z = sorted(zip(addrs, names))
    return [a for a, _ in z], [n for _, n in z]

def load_segs(path, want=None):
    segs = {}
    cur = None; idx = -1
    for line in open(path):
        if line.startswith('T2'):
            continue
        if line.startswith('SEG'):
            idx += 1
            p = line.split()
            cur = None
            if want is None or idx in want:
                cur = {'k': int(p[3]), 'u': int(p[5]), 'tb': collections.Counter(), 'n': {}}
                segs[idx] = cur
            continue
        if cur is None: continue
        a, n, c = line.split()
        a = int(a, 16); n = int(n); c = int(c)
        cur['tb'][(a, n)] += c
    return segs

def sym_of(m, a):
    i = bisect.bisect_right(m[0], a) - 1
    return m[1][i] if i >= 0 else '?', m[0][i] if i >= 0 else 0

def profile(m, seg):
    ins = collections.Counter(); ent = collections.Counter()
    for (a, n), c in seg['tb'].items():
        s, base = sym_of(m, a)
        ins[s] += n * c
        if a == base: ent[s] += c
    return ins, ent

def norm(s):
    # strip rust hash suffixes / llvm suffixes to match names across kernels
    s = re.sub(r'17h[0-9a-f]{16}E$', '', s)
    s = re.sub(r'\.(llvm|cold|constprop|isra|part)\.\d+.*$', '', s)
    return s

if sys.argv[1] == 'segs':
    segs = load_segs(sys.argv[2])
    for i, s in sorted(segs.items()):
        if s['k'] > int(sys.argv[3] if len(sys.argv) > 3 else 100000):
            print(i, s['k'], s['u'])
elif sys.argv[1] == 'diff':
    ma, ta, sa, mb, tb, sb = sys.argv[2:8]
    ops = float(sys.argv[8]) if len(sys.argv) > 8 else 1.0
    A = profile(load_map(ma), load_segs(ta, {int(sa)})[int(sa)])
    B = profile(load_map(mb), load_segs(tb, {int(sb)})[int(sb)])
    ia = collections.Counter(); ea = collections.Counter(); ib = collections.Counter(); eb = collections.Counter()
    for k, v in A[0].items(): ia[norm(k)] += v
    for k, v in A[1].items(): ea[norm(k)] += v
    for k, v in B[0].items(): ib[norm(k)] += v
    for k, v in B[1].items(): eb[norm(k)] += v
    print('total A %.1f B %.1f diff %.1f per op' % (sum(ia.values())/ops, sum(ib.values())/ops, (sum(ib.values())-sum(ia.values()))/ops))
    keys = set(ia) | set(ib)
    rows = sorted(keys, key=lambda k: -abs(ib[k]-ia[k]))
    print('%-70s %10s %10s %9s %8s %8s' % ('symbol', 'A ins/op', 'B ins/op', 'B-A', 'A ent', 'B ent'))
    lim = int(sys.argv[9]) if len(sys.argv) > 9 else 50
    for k in rows[:lim]:
        print('%-70s %10.1f %10.1f %9.1f %8.2f %8.2f' % (k[:70], ia[k]/ops, ib[k]/ops, (ib[k]-ia[k])/ops, ea[k]/ops, eb[k]/ops))
elif sys.argv[1] == 'top':
    m, t, s = sys.argv[2:5]; ops = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
    ins, ent = profile(load_map(m), load_segs(t, {int(s)})[int(s)])
    for k, v in ins.most_common(int(sys.argv[6]) if len(sys.argv) > 6 else 40):
        print('%-80s %10.1f %8.2f' % (k[:80], v/ops, ent[k]/ops))
elif sys.argv[1] == 'sym':
    m, t, s, name = sys.argv[2:6]; ops = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0
    mm = load_map(m)
    seg = load_segs(t, {int(s)})[int(s)]
    for (a, n), c in sorted(seg['tb'].items()):
        sy, base = sym_of(mm, a)
        if name in sy:
            print('%x %s+0x%x n=%d count/op=%.2f' % (a, sy, a - base, n, c/ops))
if sys.argv[1] == 'path':
    # path MAP_A TB_A MAP_B TB_B SEG OPS [LIM]: per-op path cost per symbol, from floor(count/OPS) per TB
    ma, ta, mb, tb, sg, ops = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
    lim = int(sys.argv[8]) if len(sys.argv) > 8 else 40
    def pathprof(mp, tf):
        m = load_map(mp); seg = load_segs(tf, {sg})[sg]
        out = collections.Counter(); ent = collections.Counter()
        for (a, n), c in seg['tb'].items():
            s, base = sym_of(m, a)
            out[norm(s)] += n * (c // ops)
            if a == base: ent[norm(s)] += c // ops
        return out, ent
    A, EA = pathprof(ma, ta); B, EB = pathprof(mb, tb)
    print('path A %d B %d diff %d per op' % (sum(A.values()), sum(B.values()), sum(B.values()) - sum(A.values())))
    for k in sorted(set(A) | set(B), key=lambda k: -abs(B[k] - A[k]))[:lim]:
        if B[k] != A[k]:
            print('%-90s %7d %7d %+7d %3d %3d' % (k[:90], A[k], B[k], B[k] - A[k], EA[k], EB[k]))
