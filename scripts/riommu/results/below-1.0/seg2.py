#!/usr/bin/env python3
"""seg2.py: per-op segments of tbprof.so (trig2) output.
  seg2.py epochs T2FILE                         per write-epoch: ops per trigger kind, min/median kernel insns
  seg2.py pick T2FILE EPOCH KIND WHICH          print segment index of min/median/all op of KIND in EPOCH
  seg2.py prof MAP T2FILE SEGIDX [SEGIDX2 MAP2 T2FILE2]  per-symbol insns of one segment (or diff of two)
"""
import sys, collections, statistics, subprocess, bisect
sys.path.insert(0, '/tmp/prof/work')
src = open('/tmp/prof/work/prof.py').read().split("if sys.argv[1] == 'segs'")[0]
exec(src)
KN = {None: 'W', '0': 'hwpt_alloc', '1': 'ioas_map', '2': 'ioas_unmap'}
def headers(path):
    segs = []  # (idx, start_kind, k, u)
    start = 'W'; pending = None; idx = -1
    with open(path) as f:
        for line in f:
            c = line[0]
            if c == 'T':
                pending = KN[line.split()[1]]
            elif c == 'S':
                idx += 1
                p = line.split()
                segs.append((idx, start, int(p[3]), int(p[5])))
                start = pending if pending else 'W'
                pending = None
    return segs
def epochs(segs):
    ep = []; cur = None
    for s in segs:
        if s[1] == 'W':
            cur = collections.defaultdict(list); ep.append(cur)
        cur[s[1]].append(s)
    return ep
cmd = sys.argv[1]
if cmd == 'epochs':
    ep = epochs(headers(sys.argv[2]))
    for i, e in enumerate(ep):
        kinds = {k: v for k, v in e.items() if k != 'W'}
        if not kinds: continue
        print(i, ' '.join('%s:n=%d,min=%d,med=%d' % (k, len(v), min(x[2] for x in v), statistics.median_low([x[2] for x in v])) for k, v in kinds.items()))
elif cmd == 'pick':
    ep = epochs(headers(sys.argv[2]))[int(sys.argv[3])]
    v = ep[sys.argv[4]]
    if sys.argv[5] == 'min': print(min(v, key=lambda x: x[2])[0])
    elif sys.argv[5] == 'median':
        ks = sorted(v, key=lambda x: x[2]); print(ks[len(ks)//2][0])
    else:
        for x in v: print(x)
elif cmd == 'prof':
    def one(m, t, i):
        ins, ent = profile(load_map(m), load_segs(t, {i})[i])
        a = collections.Counter(); e = collections.Counter()
        for k, v in ins.items(): a[norm(k)] += v
        for k, v in ent.items(): e[norm(k)] += v
        return a, e
    A, EA = one(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    if len(sys.argv) > 5:
        B, EB = one(sys.argv[6], sys.argv[7], int(sys.argv[5]))
    else:
        B, EB = collections.Counter(), collections.Counter()
    keys = sorted(set(A) | set(B), key=lambda k: -abs(B[k] - A[k]) if len(sys.argv) > 5 else -A[k])
    dem = subprocess.run(['llvm-cxxfilt-22'], input='\n'.join(keys), capture_output=True, text=True).stdout.split('\n')
    print('total A %d B %d diff %+d' % (sum(A.values()), sum(B.values()), sum(B.values()) - sum(A.values())))
    for k, d in zip(keys, dem):
        if A[k] != B[k] or len(sys.argv) <= 5:
            print('%7d %7d %+6d  %2d %2d  %s' % (A[k], B[k], B[k] - A[k], EA[k], EB[k], d[:150]))
if cmd == 'epochidx':
    ep = epochs(headers(sys.argv[2]))[int(sys.argv[3])]
    for k, v in ep.items():
        for x in v: print(k, x)
