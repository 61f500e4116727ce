#!/bin/bash
# ratio.sh C_LOG RUST_LOG: per row insn/op (1e9/ops_per_sec) in each and Rust/C ratio
join <(grep '^# riommu-bench' $1 | sed 's/.*bench \([^ ]*\) ops_per_sec=\([0-9.]*\).*/\1 \2/' | sort) \
     <(grep '^# riommu-bench' $2 | sed 's/.*bench \([^ ]*\) ops_per_sec=\([0-9.]*\).*/\1 \2/' | sort) |
awk '{printf "%-46s %12.1f %12.1f %8.4f\n", $1, 1e9/$2, 1e9/$3, $3/$2}'
