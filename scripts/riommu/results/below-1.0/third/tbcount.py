#!/usr/bin/env python3
# tbcount.py FILE_A FILE_B: tbdis.py listings of the same function in two kernels -> per-block (offset, n) executions A, B
import sys, re, collections
def rd(f):
    d = collections.OrderedDict()
    for l in open(f):
        m = re.match(r'-- TB .*\+0x([0-9a-f]+)\s+n=(\d+)\s+x(\d+)', l)
        if m: d[int(m.group(1), 16)] = (int(m.group(2)), int(m.group(3)))
    return d
A, B = rd(sys.argv[1]), rd(sys.argv[2])
ta = tb = 0
for off in sorted(set(A) | set(B)):
    na, ca = A.get(off, (0, 0)); nb, cb = B.get(off, (0, 0)); n = na or nb
    ta += na * ca; tb += nb * cb
    print('+0x%-5x n=%-3d  %6d %6d  %+7d' % (off, n, ca, cb, nb * cb - na * ca))
print('total %d %d %+d' % (ta, tb, tb - ta))
