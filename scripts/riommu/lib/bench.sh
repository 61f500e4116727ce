# SPDX-License-Identifier: GPL-2.0
# 'riommu bench': the Rust mock against the C mock, booted alternately.

# riommu bench [--pairs N] [ARCH]: build the C-mock (default) and Rust-mock
# (rust) kernels, boot them alternately C, Rust, C, Rust, ... N times each
# (default 5) running the upstream iommufd suite (its wall time is a row)
# and riommu_bench, then write out/bench-summary.json, out/bench-table.md
# and out/bench.png: per row, the Rust/C ratio over the pairs.
cmd_bench() {
	local pairs=5 arch=x86_64 i p t0 args=() logd rc=0
	while [ $# -gt 0 ]; do
		case $1 in
		--pairs) pairs=$2; shift 2 ;;
		x86_64|arm64) arch=$1; shift ;;
		*) die "usage: riommu bench [--pairs N] [x86_64|arm64]" ;;
		esac
	done
	[ "$pairs" -ge 1 ] 2>/dev/null || die "--pairs needs a positive number"
	t0=$(date +%s)
	cmd_setup
	for p in default rust; do
		cmd_build "$arch" "$p"
		cmd_initramfs "$arch" "$p"
	done
	logd=$OUT/bench-logs
	rm -rf "$logd"
	mkdir -p "$logd"
	for i in $(seq 1 "$pairs"); do
		for p in default rust; do
			vm_run "$arch" "$p" iommufd,bench "$logd/$arch-$p-$i.log" 900 ||
				log "VM $arch-$p ($i) exited with $?"
		done
		args+=(--pair "$logd/$arch-default-$i.log" "$logd/$arch-rust-$i.log")
	done
	python3 "$RIOMMU_DIR/bench.py" --out-dir "$OUT" \
		--meta "base_kernel=$(base_version)" \
		--meta "arch=$arch" \
		--meta "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--meta "commit=$(git -C "$RIOMMU_TOP" rev-parse --short HEAD 2>/dev/null || echo none)" \
		--meta "qemu=$(qemu-system-x86_64 --version | head -n1)" \
		"${args[@]}" || rc=$?
	log "bench: $pairs pairs on $arch in $(( $(date +%s) - t0 )) s; $OUT/bench-table.md, $OUT/bench.png (rc $rc)"
	return $rc
}
