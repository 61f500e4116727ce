#!/usr/bin/env python3
# calls.py MAP TB SEG OPS [MINABS]: per-symbol insns/op and entries/op, demangled, for one segment
import sys, subprocess, collections
sys.path.insert(0, '/tmp/prof/work')
import importlib.util
spec = importlib.util.spec_from_file_location('prof', '/tmp/prof/work/prof.py')
m, t, s, ops = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
src = open('/tmp/prof/work/prof.py').read().split("if sys.argv[1] == 'segs'")[0]
exec(src)
ins, ent = profile(load_map(m), load_segs(t, {s})[s])
names = list(ins)
dem = subprocess.run(['llvm-cxxfilt-22'], input='\n'.join(names), capture_output=True, text=True).stdout.split('\n')
for n, d in sorted(zip(names, dem), key=lambda x: -ins[x[0]]):
    if ins[n]/ops >= float(sys.argv[5]) if len(sys.argv) > 5 else 1:
        print('%8.1f %6.2f  %s' % (ins[n]/ops, ent[n]/ops, d[:200]))
