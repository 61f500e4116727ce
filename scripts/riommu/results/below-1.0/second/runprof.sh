#!/bin/bash
# plugin boots: one segment per ksys_write and per entry of iommufd_hwpt_alloc / ioas_map / ioas_unmap / hwpt_invalidate
cd /tmp/prof2/work
sym() { grep -m1 " $2\$" /tmp/prof2/$1/System.map | cut -d' ' -f1; }
karg() { case $1 in arm64-default) echo arm_smmu_v3.nesting_without_coherent_s2=1;; arm64-rust-rhwpt) echo arm_smmu_v3_rs.nesting_without_coherent_s2=1;; esac; }
for k in "$@"; do
	QEMU_EXTRA="-plugin /tmp/prof2/work/plugin/tbprof.so,trig=$(sym $k ksys_write),trig2=$(sym $k iommufd_hwpt_alloc),trig2=$(sym $k iommufd_ioas_map),trig2=$(sym $k iommufd_ioas_unmap),trig2=$(sym $k iommufd_hwpt_invalidate),out=/tmp/prof2/work/prof/$k.t2" \
		./boot.sh ${k%%-*} ${k#*-} logs/$k-s01-plugin.log RIOMMU_BENCH_SCALE=0.1 $(karg $k)
	echo "$k rc=$? $(date)"
done
