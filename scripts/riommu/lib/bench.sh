# SPDX-License-Identifier: GPL-2.0
# 'riommu bench': Rust against C, booted alternately.

# riommu bench [--icount] [--pairs N] [--rust PROFILE] [--base PROFILE] [ARCH]:
# build the all-C kernel (default, unless --base picks another profile) and a
# Rust one (rust-rhwpt: Rust mock driver and Rust HWPT layer, unless --rust
# picks another profile), boot them alternately C, Rust, C,
# Rust, ... N times each (default 5) running the upstream iommufd suite (its
# wall time is a row) and riommu_bench, then write out/bench-summary.json,
# out/bench-table.md and out/bench.png: per row, the Rust/C ratio over the
# pairs.
#
# --icount boots them in QEMU's instruction-count mode (RIOMMU_ICOUNT in
# qemu_cmd): every time the guest measures is then a count of executed
# instructions, the same from one boot of a kernel to the next, and the
# ratio is Rust/C by instruction count. One pair is the default there.
#
# On arm64 both kernels boot with their SMMUv3 driver's
# nesting_without_coherent_s2=1 (nesting_karg, lib/test.sh), so that
# riommu_bench's vSMMU rows run (they are skipped without it).
cmd_bench() {
	local pairs= arch=x86_64 i p t0 args=() logd rc=0 rp=rust-rhwpt cp=default parts icount=0 tmo
	while [ $# -gt 0 ]; do
		case $1 in
		--icount) icount=1; shift ;;
		--pairs) pairs=$2; shift 2 ;;
		--rust) check_profile "$2"; rp=$2; shift 2 ;;
		--base) check_profile "$2"; cp=$2; shift 2 ;;
		x86_64|arm64) arch=$1; shift ;;
		*) die "usage: riommu bench [--icount] [--pairs N] [--rust PROFILE] [--base PROFILE] [x86_64|arm64]" ;;
		esac
	done
	[ -n "$pairs" ] || pairs=$(( icount ? 1 : 5 ))
	# One vCPU and instruction counting make a boot slower.
	tmo=$(( icount ? 1800 : 900 ))
	# What the two profiles differ in.
	case "$(profile_mock "$cp")$(profile_mock "$rp")/$(profile_hwpt "$cp")$(profile_hwpt "$rp")" in
	CRust/CRust) parts="mock IOMMU driver and HWPT layer" ;;
	CRust/*) parts="mock IOMMU driver" ;;
	*/CRust) parts="HWPT layer" ;;
	*) die "--base $cp --rust $rp: no part is C in one and Rust in the other" ;;
	esac
	[ "$(profile_iommu "$arch" "$cp")" = "$(profile_iommu "$arch" "$rp")" ] ||
		parts="$parts, with the SMMUv3 driver"
	[ "$pairs" -ge 1 ] 2>/dev/null || die "--pairs needs a positive number"
	t0=$(date +%s)
	cmd_setup
	for p in "$cp" "$rp"; do
		cmd_build "$arch" "$p"
		cmd_initramfs "$arch" "$p"
	done
	logd=$OUT/bench-logs
	rm -rf "$logd"
	mkdir -p "$logd"
	for i in $(seq 1 "$pairs"); do
		for p in "$cp" "$rp"; do
			RIOMMU_ICOUNT=$icount vm_run "$arch" "$p" iommufd,bench "$logd/$arch-$p-$i.log" \
				"$tmo" "$(nesting_karg "$arch" "$p")" || log "VM $arch-$p ($i) exited with $?"
		done
		args+=(--pair "$logd/$arch-$cp-$i.log" "$logd/$arch-$rp-$i.log")
	done
	python3 "$RIOMMU_DIR/bench.py" --out-dir "$OUT" \
		--meta "base_kernel=$(base_version)" \
		--meta "arch=$arch" \
		--meta "c_profile=$cp" --meta "rust_profile=$rp" --meta "rust_parts=$parts" \
		--meta "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--meta "commit=$(git -C "$RIOMMU_TOP" rev-parse --short HEAD 2>/dev/null || echo none)" \
		--meta "qemu=$(qemu-system-x86_64 --version | head -n1)" \
		"${args[@]}" || rc=$?
	log "bench: $pairs pairs on $arch$([ $icount = 0 ] || echo ' (icount)') in $(( $(date +%s) - t0 )) s; $OUT/bench-table.md, $OUT/bench.png (rc $rc)"
	return $rc
}

# The benchmark as a regression gate for 'riommu test': every Rust/C ratio by
# instruction count of riommu_bench, between the all-C kernel (default) and
# the all-Rust one (rust-rhwpt), must be at least BENCH_GATE_MIN, that is no
# operation may run more than 1/0.90 = 1.11 times C's instructions in Rust.
# In icount mode two boots of a kernel print the same console log, so one
# boot of each is enough and a row below the threshold is a change in the
# code (or the compiler), not noise. The lowest ratios of the mock driver's
# rows are 0.912 (arm64) and 0.931 (x86_64), both hwpt_invalidate_x1
# (README.md, benchmarks). Of the hardware IOMMU rows (dev_*), the arm64
# vSMMU invalidations are below the threshold: dev_viommu_invalidate_x1,
# _x16 and _x256 at 0.881, 0.715 and 0.567 (the Rust SMMUv3 driver's
# ~140 instructions per command against C's ~77), so the arm64 gate fails
# until that path is made cheaper. riommu_bench's counts are scaled by
# BENCH_GATE_SCALE (its RIOMMU_BENCH_SCALE) to keep the boots short; a
# deterministic count needs no repetitions to average out noise.
BENCH_GATE_MIN=0.90
BENCH_GATE_SCALE=0.1

# bench_gate_log ARCH LOG: boot the default and rust-rhwpt kernels of ARCH
# (built, with their initramfs) in icount mode running riommu_bench alone,
# their consoles in LOG-default.log and LOG-rust-rhwpt.log (LOG without its
# .log), and write LOG in the guests' format, as suite bench_gate: a TAP line
# per row, "ok N ROW ratio R >= MIN" or "not ok N ROW ratio R < MIN".
# On arm64 both boot with their SMMUv3 driver's nesting_without_coherent_s2=1
# (nesting_karg: rust-rhwpt's 'riommu test' run keeps the default, to check
# the refusal), so that the vSMMU rows are measured, C against Rust.
bench_gate_log() {
	local arch=$1 logf=$2 p rc=0 t0 k
	t0=$(date +%s%N)
	for p in default rust-rhwpt; do
		# A NAME=VALUE kernel argument the kernel does not know is in
		# init's environment, and so in riommu_bench's.
		k=$(nesting_karg "$arch" "$p")
		RIOMMU_ICOUNT=1 vm_run "$arch" "$p" bench "${logf%.log}-$p.log" 600 \
			"RIOMMU_BENCH_SCALE=$BENCH_GATE_SCALE${k:+ $k}" ||
			log "VM $arch-$p (bench gate) exited with $?"
	done
	{
		echo "### riommu-suite-begin bench_gate"
		python3 "$RIOMMU_DIR/bench.py" --gate "$BENCH_GATE_MIN" \
			--pair "${logf%.log}-default.log" "${logf%.log}-rust-rhwpt.log" || rc=$?
		echo "### riommu-suite-end bench_gate rc=$rc centiseconds=$(( ($(date +%s%N) - t0) / 10000000 ))"
		echo "### riommu-guest-done"
	} >"$logf" 2>&1
}
