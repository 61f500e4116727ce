#!/bin/bash
# The commands behind REPORT.md, in order (run from /tmp/prof/work; one VM at a time).
set -e
cd /tmp/prof/work
# 0. plugin (QEMU 10.0.2 exports the plugin API; the plugin declares the 6 functions it uses)
gcc -O2 -shared -fPIC -fvisibility=hidden -o plugin/tbprof.so plugin/tbprof.c
sym() { grep -m1 " $2\$" /tmp/prof/$1/System.map | cut -d' ' -f1; }
karg() { case $1 in arm64-default) echo arm_smmu_v3.nesting_without_coherent_s2=1;; arm64-rust-rhwpt) echo arm_smmu_v3_rs.nesting_without_coherent_s2=1;; esac; }
# 1. plain icount boots at the gate's scale (bench.sh's bench_gate_log uses RIOMMU_BENCH_SCALE=0.1)
for k in x86_64-default x86_64-rhwpt x86_64-rust-rhwpt arm64-default arm64-rust-rhwpt; do
	./boot.sh ${k%%-*} ${k#*-} logs/$k-s01.log RIOMMU_BENCH_SCALE=0.1 $(karg $k)
done
./ratio.sh logs/x86_64-default-s01.log logs/x86_64-rust-rhwpt-s01.log   # insn/op C, Rust, Rust/C
./ratio.sh logs/x86_64-rhwpt-s01.log logs/x86_64-rust-rhwpt-s01.log
# 2. instruction profiles: one segment per ksys_write and per entry of the 3 ioctls
for k in x86_64-default x86_64-rhwpt x86_64-rust-rhwpt arm64-default arm64-rust-rhwpt; do
	QEMU_EXTRA="-plugin /tmp/prof/work/plugin/tbprof.so,trig=$(sym $k ksys_write),trig2=$(sym $k iommufd_hwpt_alloc),trig2=$(sym $k iommufd_ioas_map),trig2=$(sym $k iommufd_ioas_unmap),out=/tmp/prof/work/prof/$k.t2" \
		./boot.sh ${k%%-*} ${k#*-} logs/$k-s01-plugin2.log RIOMMU_BENCH_SCALE=0.1 $(karg $k)
	cmp <(grep riommu-bench logs/$k-s01-plugin2.log) <(grep riommu-bench logs/$k-s01.log)  # the plugin changes no count
done
python3 seg2.py epochs prof/x86_64-default.t2       # per row: ops, min/median kernel insns per op
pick() { python3 seg2.py pick prof/$1.t2 $2 $3 min; }
diffseg() { python3 seg2.py prof /tmp/prof/$1/System.map prof/$1.t2 $(pick $1 $3 $4) $(pick $2 $3 $4) /tmp/prof/$2/System.map prof/$2.t2; }
diffseg x86_64-rhwpt x86_64-rust-rhwpt 25 ioas_map      # row 1 (ioas_map_4k_x64)
diffseg x86_64-default x86_64-rhwpt 61 hwpt_alloc       # hwpt_paging_alloc_destroy, HWPT layer
diffseg x86_64-rhwpt x86_64-rust-rhwpt 61 hwpt_alloc    # ... mock
diffseg x86_64-default x86_64-rhwpt 63 hwpt_alloc       # hwpt_nested_alloc_destroy
diffseg x86_64-rhwpt x86_64-rust-rhwpt 63 hwpt_alloc
diffseg x86_64-rhwpt x86_64-rust-rhwpt 86 ioas_unmap    # dev_ioas_unmap_4k_x4096 (VT-d)
diffseg arm64-default arm64-rust-rhwpt 49 ioas_map      # arm64 ioas_map_2m_x1
# invalidate rows have no trigger of their own: their write epoch is one segment (segments 4947 = x0 and 4949 = x1 on both arches)
python3 seg2.py epochidx prof/x86_64-default.t2 65; python3 seg2.py epochidx prof/x86_64-default.t2 67
# per-TB listing with instructions: python3 tbdis.py PROFILE prof/PROFILE.t2 SEG SYMBOL_SUBSTRING
# 3. the slab perturbation (init copies that keep N FIFOs / N seq files open before riommu_bench)
for n in 0 1 2 3 4 5 6; do
	INITRD=initrd/x86_64-default/initramfs-perturb.cpio.gz ./boot.sh x86_64 default logs/x86_64-default-s01-perturb$n.log RIOMMU_BENCH_SCALE=0.1 RIOMMU_PERTURB=$n
done
for n in 0 1 2 3; do
	INITRD=initrd/x86_64-rust-rhwpt/initramfs-perturb.cpio.gz ./boot.sh x86_64 rust-rhwpt logs/x86_64-rust-rhwpt-s01-perturb$n.log RIOMMU_BENCH_SCALE=0.1 RIOMMU_PERTURB=$n
done
for k in arm64-default arm64-rust-rhwpt; do for n in 1 2 3; do
	INITRD=initrd/$k/initramfs-perturb.cpio.gz ./boot.sh arm64 ${k#*-} logs/$k-s01-p4k$n.log RIOMMU_BENCH_SCALE=0.1 RIOMMU_PERTURB4K=$n $(karg $k)
done; done
# 4. which slab cache: gdb on the gdbstub (x86: gdb, arm64: gdb-multiarch)
(QEMU_EXTRA="-s -S" ./boot.sh x86_64 rust-rhwpt logs/x86_64-rust-rhwpt-gdb.log RIOMMU_BENCH_SCALE=0.1 &); sleep 1
gdb -q --batch -x gdb/slab.gdb /tmp/prof/x86_64-rust-rhwpt/vmlinux > gdb/slab-rust-rhwpt.out
