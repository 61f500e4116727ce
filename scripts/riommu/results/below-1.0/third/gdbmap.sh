#!/bin/bash
# gdbmap.sh KERNEL: boot KERNEL (arm64) stopped, gdb prints iova/paddr/size of iommu_map for the 2m_x64 row, then kills QEMU
cd /tmp/prof3/work
k=$1
ka=$( [ $k = arm64-default ] && echo arm_smmu_v3.nesting_without_coherent_s2=1 || echo arm_smmu_v3_rs.nesting_without_coherent_s2=1 )
QEMU_EXTRA="-s -S" ./boot.sh arm64 ${k#*-} logs/$k-gdbmap-2m_x64.log RIOMMU_BENCH_SCALE=0.1 $ka &
qpid=$!
sleep 1
timeout 900 gdb-multiarch -q --batch -x gdb/map-2m_x64-arm64.gdb /tmp/prof2/$k/vmlinux > gdb/map-2m_x64-$k.out 2>&1
sleep 1; kill $qpid 2>/dev/null; wait $qpid 2>/dev/null
echo "$k done $(date)"
