#!/usr/bin/env python3
# tbdis.py PROFILE T2FILE SEG SUBSTR: executed TBs of symbols matching SUBSTR in segment SEG, with their instructions
import sys, subprocess, collections, re
src = open('/tmp/prof/work/prof.py').read().split("if sys.argv[1] == 'segs'")[0]
exec(src)
prof, tf, sg, sub = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
m = load_map('/tmp/prof/%s/System.map' % prof)
seg = load_segs(tf, {sg})[sg]
tbs = sorted((a, n, c) for (a, n), c in seg['tb'].items() if sub in sym_of(m, a)[0])
if not tbs: sys.exit()
lo, hi = tbs[0][0], tbs[-1][0] + 64
out = subprocess.run(['llvm-objdump-22', '-d', '--no-show-raw-insn', '--start-address=0x%x' % lo, '--stop-address=0x%x' % hi, '/tmp/prof/%s/vmlinux' % prof], capture_output=True, text=True).stdout
ins = []
for line in out.split('\n'):
    mm = re.match(r'\s*([0-9a-f]+):\s+(.*)', line)
    if mm: ins.append((int(mm.group(1), 16), mm.group(2).strip()))
idx = {a: i for i, (a, _) in enumerate(ins)}
total = 0
for a, n, c in tbs:
    s, base = sym_of(m, a)
    print('-- TB %s+0x%x  n=%d  x%d' % (subprocess.run(['llvm-cxxfilt-22', s], capture_output=True, text=True).stdout.strip()[:100], a - base, n, c))
    total += n * c
    i = idx.get(a)
    if i is None: continue
    for k in range(n):
        if i + k < len(ins): print('      ', re.sub(r'\s+', ' ', ins[i + k][1])[:150])
print('total', total)
