#!/bin/bash
# plain icount boots (no plugin), to check that the plugin changes no count
cd /tmp/prof2/work
karg() { case $1 in arm64-default) echo arm_smmu_v3.nesting_without_coherent_s2=1;; arm64-rust-rhwpt) echo arm_smmu_v3_rs.nesting_without_coherent_s2=1;; esac; }
for k in "$@"; do ./boot.sh ${k%%-*} ${k#*-} logs/$k-s01.log RIOMMU_BENCH_SCALE=0.1 $(karg $k); echo "$k rc=$?"; done
