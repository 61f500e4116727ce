# SPDX-License-Identifier: GPL-2.0
# 'riommu bench': Rust against C, booted alternately.

# riommu bench [--icount] [--pairs N] [--rust PROFILE] [--base PROFILE] [ARCH]:
# build the all-C kernel (default, unless --base picks another profile) and a
# Rust one (rust-rhwpt: Rust mock driver and Rust HWPT layer, unless --rust
# picks another profile), boot them alternately C, Rust, C,
# Rust, ... N times each (default 5) running the upstream iommufd suite (its
# wall time is a row) and riommu_bench, then write out/bench-summary.json,
# out/bench-table.md and out/bench.png: per row, the Rust/C ratio over the
# pairs, and that ratio over the control row's (ctl_option_get) in the same
# pair. The consoles are out/bench-logs/ARCH-PROFILE-I.log.
#
# --icount boots them in QEMU's instruction-count mode (RIOMMU_ICOUNT in
# qemu_cmd): every time the guest measures is then a count of executed
# instructions, the same from one boot of a kernel to the next, and the
# ratio is Rust/C by instruction count. One pair is the default there.
#
# riommu bench --all [--pairs N] [--rust PROFILE] [--base PROFILE]: the same
# on x86_64 and arm64, each with its N wall-time pairs (default 5) and one
# --icount pair (consoles out/bench-logs/ARCH-PROFILE-icount.log), into one
# table and one plot with a row per arch and row: the wall-time ratio, the
# same over the control's, and the ratio by instruction count.
#
# On arm64 both kernels boot with their SMMUv3 driver's
# nesting_without_coherent_s2=1 (nesting_karg, lib/test.sh), so that
# riommu_bench's vSMMU rows run (they are skipped without it).
cmd_bench() {
	local pairs= arch= a i p t0 args=() meta=() logd rc=0 rp=rust-rhwpt cp=default
	local icount=0 all=0 arches sfx
	local -A parts=()
	while [ $# -gt 0 ]; do
		case $1 in
		--all) all=1; shift ;;
		--icount) icount=1; shift ;;
		--pairs) pairs=$2; shift 2 ;;
		--rust) check_profile "$2"; rp=$2; shift 2 ;;
		--base) check_profile "$2"; cp=$2; shift 2 ;;
		x86_64|arm64) arch=$1; shift ;;
		*) die "usage: riommu bench [--all | --icount] [--pairs N] [--rust PROFILE] [--base PROFILE] [x86_64|arm64]" ;;
		esac
	done
	if [ $all = 1 ]; then
		[ $icount = 0 ] || die "--all boots an --icount pair of its own on each arch: give one of the two"
		[ -z "$arch" ] || die "--all benchmarks both arches: give --all or $arch"
		arches=(x86_64 arm64)
	else
		arches=("${arch:=x86_64}")
	fi
	[ -n "$pairs" ] || pairs=$(( icount ? 1 : 5 ))
	[ "$pairs" -ge 1 ] 2>/dev/null || die "--pairs needs a positive number"
	for a in "${arches[@]}"; do
		parts[$a]=$(bench_parts "$a" "$cp" "$rp") || exit 1
	done
	t0=$(date +%s)
	cmd_setup
	for a in "${arches[@]}"; do
		for p in "$cp" "$rp"; do
			cmd_build "$a" "$p"
			cmd_initramfs "$a" "$p"
		done
	done
	logd=$OUT/bench-logs
	rm -rf "$logd"
	mkdir -p "$logd"
	for a in "${arches[@]}"; do
		for i in $(seq 1 "$pairs"); do
			bench_boot_pair "$a" "$icount" "$cp" "$logd/$a-$cp-$i.log" "$rp" "$logd/$a-$rp-$i.log"
			if [ $all = 1 ]; then
				args+=(--wall-pair "$a" "$logd/$a-$cp-$i.log" "$logd/$a-$rp-$i.log")
			else
				args+=(--pair "$logd/$a-$cp-$i.log" "$logd/$a-$rp-$i.log")
			fi
		done
		if [ $all = 1 ]; then
			bench_boot_pair "$a" 1 "$cp" "$logd/$a-$cp-icount.log" "$rp" "$logd/$a-$rp-icount.log"
			args+=(--icount-pair "$a" "$logd/$a-$cp-icount.log" "$logd/$a-$rp-icount.log")
		fi
		# With --all the keys are the arch's (rust_parts_arm64, ...).
		sfx=
		[ $all = 0 ] || sfx=_$a
		meta+=(--meta "rust_parts$sfx=${parts[$a]}"
			--meta "compiler$sfx=$(bench_compiler "$a" "$cp" "$rp")"
			--meta "qemu$sfx=$("$(qemu_bin "$a")" --version | head -n1)")
	done
	[ $all = 1 ] || meta+=(--meta "arch=$arch")
	python3 "$RIOMMU_DIR/bench.py" --out-dir "$OUT" \
		--meta "base_kernel=$(base_version)" \
		--meta "c_profile=$cp" --meta "rust_profile=$rp" \
		--meta "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--meta "commit=$(git -C "$RIOMMU_TOP" rev-parse --short HEAD 2>/dev/null || echo none)" \
		"${meta[@]}" "${args[@]}" || rc=$?
	if [ $all = 1 ]; then
		log "bench: $pairs wall-time pairs and 1 icount pair on each of ${arches[*]} in $(( $(date +%s) - t0 )) s; $OUT/bench-table.md, $OUT/bench.png (rc $rc)"
	else
		log "bench: $pairs pairs on $arch$([ $icount = 0 ] || echo ' (icount)') in $(( $(date +%s) - t0 )) s; $OUT/bench-table.md, $OUT/bench.png (rc $rc)"
	fi
	return $rc
}

# bench_parts ARCH C_PROFILE RUST_PROFILE: what the two profiles differ in on
# ARCH; fails when no part is C in one and Rust in the other.
bench_parts() {
	local arch=$1 cp=$2 rp=$3 parts
	case "$(profile_mock "$cp")$(profile_mock "$rp")/$(profile_hwpt "$cp")$(profile_hwpt "$rp")" in
	CRust/CRust) parts="mock IOMMU driver and HWPT layer" ;;
	CRust/*) parts="mock IOMMU driver" ;;
	*/CRust) parts="HWPT layer" ;;
	*) die "--base $cp --rust $rp: no part is C in one and Rust in the other" ;;
	esac
	if [ "$(profile_iommu "$arch" "$cp")" != "$(profile_iommu "$arch" "$rp")" ]; then
		case $arch in
		x86_64) parts="$parts, with the VT-d driver" ;;
		*) parts="$parts, with the SMMUv3 driver" ;;
		esac
	fi
	echo "$parts"
}

# bench_compiler ARCH C_PROFILE RUST_PROFILE: the C and Rust compilers the two
# builds' .config record (CONFIG_CC_VERSION_TEXT, CONFIG_RUSTC_VERSION_TEXT),
# once when they are the same.
bench_compiler() {
	local arch=$1 p cfg c r out=()
	for p in "$2" "$3"; do
		cfg=$(build_dir "$arch" "$p")/.config
		c=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$cfg" 2>/dev/null)
		r=$(sed -n 's/^CONFIG_RUSTC_VERSION_TEXT="\(.*\)"$/\1/p' "$cfg" 2>/dev/null)
		out+=("${c:-unknown}${r:+, $r}")
	done
	if [ "${out[0]}" = "${out[1]}" ]; then
		echo "${out[0]}"
	else
		echo "$2: ${out[0]}; $3: ${out[1]}"
	fi
}

qemu_bin() { case $1 in x86_64) echo qemu-system-x86_64 ;; arm64) echo qemu-system-aarch64 ;; esac; }

# bench_boot_pair ARCH ICOUNT PROFILE LOG PROFILE LOG: boot each profile in
# turn running the iommufd suite and riommu_bench, its console in its LOG;
# in instruction-count mode when ICOUNT is 1.
bench_boot_pair() {
	local arch=$1 icount=$2 p f tmo rc
	shift 2
	# One vCPU and instruction counting make a boot slower.
	tmo=$(( icount ? 1800 : 900 ))
	while [ $# -ge 2 ]; do
		p=$1 f=$2 rc=0
		shift 2
		RIOMMU_ICOUNT=$icount vm_run "$arch" "$p" iommufd,bench "$f" \
			"$tmo" "$(nesting_karg "$arch" "$p")" || rc=$?
		[ $rc = 0 ] || log "VM $arch-$p (${f##*/}) exited with $rc"
	done
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
