#!/bin/bash
# The commands behind REPORT.md (run from /tmp/prof3/work; no kernel build; one VM at a time).
set -e
cd /tmp/prof3/work
# 0. tools copied from /tmp/prof2/work (seg2.py, prof.py, tbdis.py, calls.py, group.py, diffseg.sh, ratio.sh, boot.sh,
#    runprof.sh, plain.sh; /tmp/prof2/work paths -> /tmp/prof3/work); the plugin profiles of /tmp/prof2/work are reused
#    read-only through symlinks prof/*.t2 -> /tmp/prof2/work/prof/*.t2 (made by /tmp/prof2/work/runprof.sh on the same frozen kernels)
# new: opstats.py (per-op distribution, last op of the epoch left out), diffpair.sh (diff of two given segments),
#      tbcount.py (per-block execution counts of one function in two kernels), reps.py / reps_ku.py (per-rep means), gdbmap.sh
# 1. per-op distributions (write-epochs: 21 4k_x1, 25 4k_x64, 29 4k_x4096, 33 4k_x65536, 37 64k_x1, 41 64k_x64, 45 64k_x4096,
#    49 2m_x1, 53 2m_x64, 57 2m_x128; dev_ rows = +57: 86 dev 4k_x4096)
for e in 21 25 29 33 37 41 45 49 53 57; do python3 opstats.py arm64-default arm64-rust-rhwpt $e ioas_unmap; done
for e in 21 25 29 33 37 41 45 49 53 57; do python3 opstats.py x86_64-default x86_64-rust-rhwpt $e ioas_unmap; done
for e in 21 25 29 33 37 41 45 49 53 57 78 82 86 90 94 98 102 106 110 114; do python3 opstats.py arm64-default arm64-rust-rhwpt $e ioas_map; done
for e in 29 33 45 53 57; do python3 seg2.py pick prof/arm64-default.t2 $e ioas_unmap all; python3 seg2.py pick prof/arm64-rust-rhwpt.t2 $e ioas_unmap all; done
# 2. per-function diffs, arm64 mock unmap (min op = typical op for x1/x64 rows; same-tick pairs for the large ones)
for e in 21 37 25 41 29 45 49 53 57; do ./diffseg.sh arm64-default arm64-rust-rhwpt $e ioas_unmap > prof/arm64-unmap-e$e-min.txt; done
./diffpair.sh arm64-default arm64-rust-rhwpt 1739 1739 > prof/arm64-unmap-4k_x65536-mode.txt
./diffpair.sh arm64-default arm64-rust-rhwpt 2825 2825 > prof/arm64-unmap-2m_x128-mode.txt
./diffpair.sh arm64-default arm64-rust-rhwpt 2805 2807 > prof/arm64-unmap-2m_x64-pair.txt
python3 tbdis.py arm64-rust-rhwpt prof/arm64-rust-rhwpt.t2 1425 _RNvMs6_NtNtCsl7L7n58I0Vr_6kernel5iommu6domainINtB5_11PagingTableNtCs8WXsvdzfAt2_13selftest_mock10MockPagingE10iotlb_sync > obj/arm64-rust-mock-iotlb_sync.txt
python3 tbdis.py arm64-rust-rhwpt prof/arm64-rust-rhwpt.t2 1425 _RNvXsb_NtCs2DxGA1hvVcO_4core3pinINtB5_3PinQNtNtNtCsl7L7n58I0Vr_6kernel5iommu7pgtable6GatherENtNtNtB7_3ops5deref5Deref5derefBL_ > obj/arm64-rust-gather-deref.txt
python3 tbdis.py arm64-default prof/arm64-default.t2 1425 mock_iotlb_sync > obj/arm64-c-mock_iotlb_sync.txt
# 3. x86 mock unmap
./diffpair.sh x86_64-default x86_64-rust-rhwpt 1721 1721 > prof/x86-unmap-4k_x4096-mode.txt
./diffpair.sh x86_64-default x86_64-rust-rhwpt 2465 2465 > prof/x86-unmap-64k_x64-mode.txt
./diffpair.sh x86_64-default x86_64-rust-rhwpt 2805 2805 > prof/x86-unmap-2m_x64-mode.txt
./diffpair.sh x86_64-default x86_64-rust-rhwpt 2497 2497 > prof/x86-unmap-64k_x4096-mode.txt
python3 tbdis.py x86_64-rust-rhwpt prof/x86_64-rust-rhwpt.t2 2465 MockPagingE10iotlb_sync > obj/x86-rust-mock-iotlb_sync.txt
python3 tbdis.py x86_64-default prof/x86_64-default.t2 2465 mock_iotlb_sync > obj/x86-c-mock_iotlb_sync.txt
python3 tbdis.py x86_64-default prof/x86_64-default.t2 2465 __unmap_range > obj/x86-c-unmap_range-64k_x64.txt
python3 tbdis.py x86_64-rust-rhwpt prof/x86_64-rust-rhwpt.t2 2465 __unmap_range > obj/x86-rust-unmap_range-64k_x64.txt
python3 tbcount.py obj/x86-c-unmap_range-64k_x64.txt obj/x86-rust-unmap_range-64k_x64.txt
for f in arm64-default arm64-rust-rhwpt; do python3 tbdis.py $f prof/$f.t2 2463 __unmap_range > obj/$f-unmap_range-64k_x64.txt; done
python3 tbcount.py obj/arm64-default-unmap_range-64k_x64.txt obj/arm64-rust-rhwpt-unmap_range-64k_x64.txt
# 4. arm64 dev_ioas_map_4k_x4096 (epoch 86, all ops but one identical; segment 15969 in both)
./diffpair.sh arm64-default arm64-rust-rhwpt 15969 15969 > prof/arm64-dev_map-4k_x4096-mode.txt
for k in arm64-default arm64-rust-rhwpt; do python3 tbdis.py $k prof/$k.t2 15969 __free_one_page > obj/$k-dev_map_4k_x4096-free_one_page.txt; python3 tbdis.py $k prof/$k.t2 15969 __zone_watermark_ok > obj/$k-dev_map_4k_x4096-zone_wm.txt; done
# 5. arm64 mock map rows: per-function and per-block diff of __map_range_leaf
for s in "41 2464 64k_x64" "45 2498 64k_x4096" "53 2802 2m_x64" "57 2822 2m_x128" "29 1718 4k_x4096" "33 1736 4k_x65536"; do set -- $s
	./diffpair.sh arm64-default arm64-rust-rhwpt $2 $2 > prof/arm64-map-$3-mode.txt; done
for s in "1718 4k_x4096" "2464 64k_x64" "2822 2m_x128" "2802 2m_x64" "1736 4k_x65536"; do set -- $s
	for k in arm64-default arm64-rust-rhwpt; do python3 tbdis.py $k prof/$k.t2 $1 __map_range_leaf > obj/$k-map_range_leaf-$2.txt; done
	python3 tbcount.py obj/arm64-default-map_range_leaf-$2.txt obj/arm64-rust-rhwpt-map_range_leaf-$2.txt; done > prof/arm64-map_range_leaf-blocks.txt
for k in arm64-default arm64-rust-rhwpt; do python3 tbdis.py $k prof/$k.t2 2464 amdv1_mock_map_range > obj/$k-amdv1_mock_map_range-64k_x64.txt; done
# 6. physical address of the 2 MiB (THP) buffer on arm64, row ioas_map_2m_x64 (gdb on the gdbstub; QEMU killed by gdb after 2 ops)
./gdbmap.sh arm64-default; ./gdbmap.sh arm64-rust-rhwpt     # -> gdb/map-2m_x64-*.out
# 7. per-repetition means (tick phase): 2m_x1 and the x1/x64 rows
for k in arm64-default arm64-rust-rhwpt; do python3 reps.py $k 49 ioas_unmap 20; python3 reps.py $k 21 ioas_unmap 100; python3 reps_ku.py $k 25 ioas_unmap 20; python3 reps.py $k 37 ioas_map 50; done
