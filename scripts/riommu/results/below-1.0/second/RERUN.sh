#!/bin/bash
# The commands behind REPORT.md, in order (run from /tmp/prof2/work; one VM at a time; no kernel build).
set -e
cd /tmp/prof2/work
# 0. tools copied from /tmp/prof/work (paths changed to /tmp/prof2); plugin unchanged; seg2.py knows a 4th trigger (hwpt_inval)
# boot.sh = qemu_cmd of /work/main/scripts/riommu/lib/guest.sh with RIOMMU_ICOUNT=1 (device-iotlb=on, pcie-root-port, virtio-rng-pci ats=on)
# 1. plugin boots: segments at ksys_write and at entry of iommufd_hwpt_alloc / ioas_map / ioas_unmap / hwpt_invalidate
./runprof.sh x86_64-default x86_64-rust-rhwpt arm64-default arm64-rust-rhwpt
# 2. plain boots; the plugin changes no bench line
./plain.sh x86_64-default x86_64-rust-rhwpt arm64-default arm64-rust-rhwpt
for k in x86_64-default x86_64-rust-rhwpt arm64-default arm64-rust-rhwpt; do cmp <(grep riommu-bench logs/$k-s01-plugin.log) <(grep riommu-bench logs/$k-s01.log); done
./ratio.sh logs/x86_64-default-s01.log logs/x86_64-rust-rhwpt-s01.log > ratio-x86.txt
./ratio.sh logs/arm64-default-s01.log logs/arm64-rust-rhwpt-s01.log > ratio-arm64.txt
for k in x86_64-default x86_64-rust-rhwpt arm64-default arm64-rust-rhwpt; do python3 seg2.py epochs prof/$k.t2 > prof/$k.epochs; done
# 3. row 1: x86 dev_hwpt_paging_alloc_destroy = write-epoch 120, min op
./diffseg.sh x86_64-default x86_64-rust-rhwpt 120 hwpt_alloc > prof/row1-x86-min.txt
python3 group.py prof/row1-x86-min.txt gdb/row1.groups -v > prof/row1-x86-groups.txt
python3 tbdis.py x86_64-rust-rhwpt prof/x86_64-rust-rhwpt.t2 17796 _RINvMs9_NtNtCsl7L7n58I0Vr_6kernel5iommu6domainINtB6_12PagingDomainNtCshtPO05vG0lD_14intel_iommu_rs9VtdDomainE3new > obj/row1-rust-PagingDomain-new.txt
python3 tbdis.py x86_64-rust-rhwpt prof/x86_64-rust-rhwpt.t2 17796 krealloc_node_align_noprof > obj/row1-rust-krealloc.txt
python3 tbdis.py x86_64-default prof/x86_64-default.t2 17796 paging_domain_alloc
#    memset sizes per op (gdb on the gdbstub, 7th op of the row = 2111th iommufd_hwpt_alloc)
for k in x86_64-default x86_64-rust-rhwpt; do
	(QEMU_EXTRA="-s -S" ./boot.sh x86_64 ${k#*-} logs/$k-gdb.log RIOMMU_BENCH_SCALE=0.1 &); sleep 1
	gdb -q --batch -x gdb/memset.gdb /tmp/prof2/$k/vmlinux > gdb/memset-$k.out
done
# 4. row 2: arm64 dev_ioas_unmap_4k_x64 = epoch 82 (and dev_ioas_unmap_64k_x1 = epoch 94)
./diffseg.sh arm64-default arm64-rust-rhwpt 82 ioas_unmap > prof/row2-arm64-min.txt
python3 group.py prof/row2-arm64-min.txt gdb/row2.groups -v > prof/row2-arm64-groups.txt
python3 tbdis.py arm64-rust-rhwpt prof/arm64-rust-rhwpt.t2 15962 _RNvMs_NtNtCsl7L7n58I0Vr_6kernel5iommu4lpaeINtB4_10FlushTableNtCseugH3AJU9V8_14arm_smmu_v3_rs10SmmuDomainE12tlb_add_page > obj/row2-rust-tlb_add_page.txt
python3 tbdis.py arm64-default prof/arm64-default.t2 15962 arm_smmu_tlb_inv_page_nosync > obj/row2-c-arm_smmu_tlb_inv_page_nosync.txt
./diffseg.sh arm64-default arm64-rust-rhwpt 94 ioas_unmap > prof/extra-arm64-dev_unmap_64k_x1-min.txt
# 5. row 3: hwpt_invalidate_x0 = epoch 65, _x1 = epoch 67 (one segment per iommufd_hwpt_invalidate call)
for a in x86_64 arm64; do for e in 65 67; do ./diffseg.sh $a-default $a-rust-rhwpt $e hwpt_inval > prof/row3-$a-e$e-min.txt; done; done
#    listings: obj/row3-* (tbdis.py on segment 11951, see REPORT.md)
# 6. row 4: large mock maps; per-function diff, then the physical address iommufd maps (gdb, breakpoint on iommu_map)
./diffseg.sh x86_64-default x86_64-rust-rhwpt 29 ioas_map > prof/row4-x86-4k_x4096-min.txt
./diffseg.sh x86_64-default x86_64-rust-rhwpt 41 ioas_map > prof/row4-x86-64k_x64-min.txt
./diffseg.sh x86_64-default x86_64-rust-rhwpt 53 ioas_map > prof/row4-x86-2m_x64-min.txt
./diffseg.sh arm64-default arm64-rust-rhwpt 29 ioas_map > prof/row4-arm64-4k_x4096-min.txt
./diffseg.sh arm64-default arm64-rust-rhwpt 33 ioas_map > prof/row4-arm64-4k_x65536-min.txt
for k in x86_64-default x86_64-rust-rhwpt; do
	(QEMU_EXTRA="-s -S" ./boot.sh x86_64 ${k#*-} logs/$k-gdbmap.log RIOMMU_BENCH_SCALE=0.1 &); sleep 1
	gdb -q --batch -x gdb/map.gdb /tmp/prof2/$k/vmlinux > gdb/map-$k.out
	for r in 64k_x64 2m_x64; do
		(QEMU_EXTRA="-s -S" ./boot.sh x86_64 ${k#*-} logs/$k-gdbmap-$r.log RIOMMU_BENCH_SCALE=0.1 &); sleep 1
		gdb -q --batch -x gdb/map-$r.gdb /tmp/prof2/$k/vmlinux > gdb/map-$r-$k.out
	done
done
for k in arm64-default arm64-rust-rhwpt; do
	ka=$( [ $k = arm64-default ] && echo arm_smmu_v3.nesting_without_coherent_s2=1 || echo arm_smmu_v3_rs.nesting_without_coherent_s2=1 )
	(QEMU_EXTRA="-s -S" ./boot.sh arm64 ${k#*-} logs/$k-gdbmap.log RIOMMU_BENCH_SCALE=0.1 $ka &); sleep 1
	gdb-multiarch -q --batch -x gdb/map-arm64.gdb /tmp/prof2/$k/vmlinux > gdb/map-arm64-$k.out
done
