#!/usr/bin/env python3
# opstats.py A B EPOCH KIND: per-op kernel insn counts of KIND in write-epoch EPOCH, kernels A and B,
# the last op of the epoch excluded (its segment ends at the row's write, not at the next ioctl).
# prints: n, mode (count of ops at mode), min, mean of A and B, and the mode/mean differences
import sys, collections, statistics
sys.argv = [sys.argv[0], 'x'] + sys.argv[1:]
exec(open('/tmp/prof3/work/seg2.py').read().split("cmd = sys.argv[1]")[0])
def ops(k, e, kind):
    v = epochs(headers('/tmp/prof3/work/prof/%s.t2' % k))[e][kind]
    return v[:-1] if v is epochs else v
def stat(v):
    c = [x[2] for x in v]
    cnt = collections.Counter(c); mode, mc = cnt.most_common(1)[0]
    seg = [x[0] for x in v if x[2] == mode][0]
    return dict(n=len(c), mode=mode, mc=mc, min=min(c), mean=sum(c)/len(c), seg=seg, max=max(c))
a, b, e, kind = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
EP = {}
for k in (a, b):
    v = epochs(headers('/tmp/prof3/work/prof/%s.t2' % k))[e][kind]
    EP[k] = stat(v[:-1])
A, B = EP[a], EP[b]
print('epoch %d %s: n=%d  mode C %d (x%d, seg %d) Rust %d (x%d, seg %d) d=%+d | min %d %d | mean %.1f %.1f d=%+.1f | max %d %d' % (
    e, kind, A['n'], A['mode'], A['mc'], A['seg'], B['mode'], B['mc'], B['seg'], B['mode'] - A['mode'], A['min'], B['min'], A['mean'], B['mean'], B['mean'] - A['mean'], A['max'], B['max']))
