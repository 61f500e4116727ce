# SPDX-License-Identifier: GPL-2.0
# 'riommu test' and 'riommu demo'.

SUITES_ALL=kunit,iommufd,iommufd_fail_nth,dma_smoke,hwpt_diff,dev_diff,vfio_selftests

# The suites of a run on ARCH: all, and on arm64 the nested translation of
# riommu_nested_smmu (the SMMUv3's; QEMU's VT-d has no nesting).
suites_of() {
	case $1 in
	arm64) echo "$SUITES_ALL,nested_smmu" ;;
	*) echo "$SUITES_ALL" ;;
	esac
}

# vtd_ss_profiles ARCH PROFILE...: those of PROFILE... that x86_64 also boots
# with QEMU's VT-d offering second-stage translation (no x-flts): the C
# baseline and the all-Rust build (the C and the Rust VT-d driver). Their runs
# are "<arch>-<profile>-ss"; their dev_diff digests are compared with the
# first one's.
vtd_ss_profiles() {
	local arch=$1 p
	shift
	[ "$arch" = x86_64 ] || return 0
	for p in "$@"; do
		case $p in default | rust-rhwpt) echo "$p" ;; esac
	done
}

# nesting_karg ARCH PROFILE: on arm64 the test-only
# nesting_without_coherent_s2=1 of PROFILE's SMMUv3 driver (the C driver's
# from patch 0013, or the Rust driver's), which lets a vSMMU be created on
# QEMU; nothing on x86_64.
nesting_karg() {
	local arch=$1 profile=$2
	[ "$arch" = arm64 ] || return 0
	case $(profile_iommu "$arch" "$profile") in
	c-smmuv3) echo arm_smmu_v3.nesting_without_coherent_s2=1 ;;
	rust-smmuv3) echo arm_smmu_v3_rs.nesting_without_coherent_s2=1 ;;
	esac
}

# Kernel arguments of a run: nesting_karg in every profile but the two with
# the Rust HWPT layer (rhwpt: the C SMMUv3 driver, rust-rhwpt: the Rust one),
# which keep the default and so check the refusal, C against Rust.
run_kargs() {
	local arch=$1 profile=$2
	case $profile in rhwpt | rust-rhwpt) return 0 ;; esac
	nesting_karg "$arch" "$profile"
}

# nest_base ARCH PROFILE CANDIDATE...: the first candidate with PROFILE's
# vSMMU setting, whose real-device digests (dev_diff, nested_smmu) PROFILE's
# are compared with.
nest_base() {
	local arch=$1 p=$2 q a b
	shift 2
	a=$(run_kargs "$arch" "$p")
	for q in "$@"; do
		b=$(run_kargs "$arch" "$q")
		if [ "${a:+1}" = "${b:+1}" ]; then
			echo "$q"
			return
		fi
	done
}

# Lines every run's console must show, beyond the suites' own results.
run_checks() {
	local arch=$1 iommu=$2 hdr mask=0 b
	case $arch in
	x86_64)
		# The stage QEMU offers, in the unit's ECAP (FLTS bit 47, SLTS bit
		# 46), and with the Rust driver its registration of the unit.
		case $iommu in
		*-fs) b=$(( 1 << 47 )) ;;
		*) b=$(( 1 << 46 )) ;;
		esac
		printf '{"vtd_scalable_mode": "DMAR: .*ecap [0-9a-f]+", "dmar_enabled": "DMAR: Intel\\\\(R\\\\) Virtualization Technology for Directed I/O", "vtd_%s_stage": {"regex": "DMAR: dmar0: .*ecap ([0-9a-f]+)", "bits": %d}' \
			"$([ $b = $(( 1 << 47 )) ] && echo first || echo second)" "$b"
		case $iommu in
		rust-vtd-fs) printf ', "rust_vtd_registered": "intel_iommu_rs: dmar0: DMA remapping by the Rust driver .*first stage"' ;;
		rust-vtd-ss) printf ', "rust_vtd_registered": "intel_iommu_rs: dmar0: DMA remapping by the Rust driver .*second stage"' ;;
		esac
		printf '}'
		;;
	arm64)
		# The SMMUv3 driver of the run (C arm-smmu-v3 or Rust arm_smmu_v3_rs)
		# must probe with stage 1, stage 2 and nesting, in the C driver's
		# feature bits, which both print.
		hdr=$CACHE/tree/drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h
		for b in TRANS_S1 TRANS_S2 NESTING; do
			mask=$(( mask | $(sed -n "s/^#define ARM_SMMU_FEAT_$b[[:space:]]*(\(.*\))$/(\1)/p" "$hdr") ))
		done
		if [ "$iommu" = rust-smmuv3 ]; then
			printf '{"rust_smmuv3_s1_s2_nesting": {"regex": "arm_smmu_v3_rs .*oas [0-9]+-bit \\\\(features 0x([0-9a-f]+)\\\\)", "bits": %d}}' "$mask"
		else
			printf '{"smmuv3_s1_s2_nesting": {"regex": "arm-smmu-v3 .*oas [0-9]+-bit \\\\(features 0x([0-9a-f]+)\\\\)", "bits": %d}}' "$mask"
		fi
		;;
	esac
}

# The kernel arguments of the second-stage VT-d runs (vtd_flts: a unit
# without pass-through).
VTD_SS_KARGS=iommu.passthrough=1

# The Rust files that may use the C bindings (bindings::): the kernel crate's
# abstractions (rust/kernel) and, outside it, files that abstract a C interface
# private to one driver and live next to it. Every other Rust file is a driver
# written on the abstractions.
ABSTRACTION_FILES="
drivers/iommu/iommufd/hwpt_glue.rs
drivers/iommu/iommufd/selftest_mock_glue.rs
drivers/iommu/intel/rust/c_ref.rs
drivers/iommu/intel/rust/dmar.rs
"
is_abstraction_file() {
	case $1 in rust/*) return 0 ;; esac
	printf '%s\n' $ABSTRACTION_FILES | grep -qxF "$1"
}

# The crate root a Rust file of ours is compiled with: itself, or the file in
# the same directory that includes it (`#[path = "<name>"]` or `mod <name>;`).
crate_root() {
	local f=$1 p stem
	[ "${f#rust/}" = "$f" ] || { echo "$f"; return; }
	stem=$(basename "$f" .rs)
	p=$(grep -lE "#\[path = \"$stem\.rs\"\]|^(pub(\([a-z]+\))? )?mod $stem;" \
		"$RIOMMU_TOP/$(dirname "$f")"/*.rs 2>/dev/null | grep -vxF "$RIOMMU_TOP/$f" | head -n1)
	if [ -n "$p" ]; then echo "${p#"$RIOMMU_TOP"/}"; else echo "$f"; fi
}

# Host-side lint of the project's Rust code, written as a log in the
# guests' format so that summarize.py counts it like any other suite:
# rustfmtcheck, and no compiler or Clippy warning pointing into our files.
lint_log() {
	local profile=$1 logf=$2 arch odir n=0 fail=0 f w t0 blog root
	shift 2
	odir=$(build_dir "$1" "$profile")
	t0=$(date +%s%N)
	{
		echo "### riommu-suite-begin rust_lint"
		echo "TAP version 13"
		if kmake "$1" "$odir" -s rustfmtcheck >"$odir/rustfmtcheck.log" 2>&1; then
			echo "ok $((n += 1)) rustfmtcheck"
		else
			{ sed 's/^/# /' "$odir/rustfmtcheck.log" | head -n 40; } || true
			echo "not ok $((n += 1)) rustfmtcheck"
		fi
		# The warnings of every arch's build: some files are built for one only.
		for arch in "$@"; do
		odir=$(build_dir "$arch" "$profile")
		for f in $(overlay_files | grep '\.rs$'); do
			# A module file of a driver crate (`#[path = "x.rs"] mod x;`) is
			# compiled, and warned about, with its crate root.
			root=$(crate_root "$f")
			case $f in rust/*) blog=$odir/build-rust-kernel.log ;; *) blog=$odir/$(rust_log_name "$root") ;; esac
			if [ "${f#rust/}" = "$f" ] && [ ! -f "$odir/${root%.rs}.o" ]; then
				echo "ok $((n += 1)) no_warnings $arch $f # SKIP not built in $arch-$profile"
				continue
			fi
			if [ ! -f "$blog" ]; then
				echo "not ok $((n += 1)) no_warnings $arch $f # no log of a compile of it"
				continue
			fi
			w=$(grep -A3 -E '^(warning|error)' "$blog" | grep -F -- "--> $CACHE/tree/$f" || true)
			if [ -z "$w" ]; then
				echo "ok $((n += 1)) no_warnings $arch $f"
			else
				echo "$w" | sed 's/^/# /'
				echo "not ok $((n += 1)) no_warnings $arch $f"
			fi
		done
		done
		# Only the abstraction files may use the C bindings.
		for f in $(overlay_files | grep '\.rs$' | grep -v '^rust/'); do
			if is_abstraction_file "$f"; then
				echo "# $f: an abstraction file, may use bindings::"
				continue
			fi
			w=$(grep -n 'bindings::' "$RIOMMU_TOP/$f" || true)
			if [ -z "$w" ]; then
				echo "ok $((n += 1)) no_bindings $f"
			else
				echo "$w" | sed 's/^/# /'
				echo "not ok $((n += 1)) no_bindings $f"
			fi
		done
		echo "1..$n"
		echo "### riommu-suite-end rust_lint rc=0 centiseconds=$(( ($(date +%s%N) - t0) / 10000000 ))"
		echo "### riommu-guest-done"
	} >"$logf"
}

# diff_log A_LOG B_LOG JSON LOG [SUITE]: compare the digests of two runs'
# SUITE (hwpt_diff, the default, or dev_diff), as the suite SUITE_cmp.
diff_log() {
	local rc=0 t0 suite=${5:-hwpt_diff}
	t0=$(date +%s%N)
	{
		echo "### riommu-suite-begin ${suite}_cmp"
		python3 "$RIOMMU_DIR/diffcmp.py" --suite "$suite" --out "$3" "$1" "$2" || rc=$?
		echo "### riommu-suite-end ${suite}_cmp rc=$rc centiseconds=$(( ($(date +%s%N) - t0) / 10000000 ))"
		echo "### riommu-guest-done"
	} >"$4" 2>&1
}

cmd_test() {
	local profiles=() arches=() t0 specs=() rc=0 a p mock hwpt iommu
	while [ $# -gt 0 ]; do
		case $1 in
		--profile) check_profile "$2"; profiles+=("$2"); shift 2 ;;
		x86_64|arm64) arches+=("$1"); shift ;;
		*) die "usage: riommu test [--profile PROFILE]... [x86_64] [arm64]; PROFILE one of: $PROFILES" ;;
		esac
	done
	[ ${#arches[@]} -gt 0 ] || arches=(x86_64 arm64)
	local given=("${profiles[@]}")
	t0=$(date +%s)
	cmd_setup
	mkdir -p "$OUT/logs"
	for a in "${arches[@]}"; do
		# By default: the C baseline, the four {C, Rust} mock x {C, Rust}
		# HWPT layer combinations built in, and all-Rust with iommufd as a
		# module; on arm64 also all-C with iommufd and the SMMUv3 driver as
		# modules, so that both SMMUv3 drivers run built in and as modules.
		profiles=("${given[@]}")
		if [ ${#profiles[@]} = 0 ]; then
			profiles=(default rust rhwpt rust-rhwpt rust-mod)
			[ "$a" != arm64 ] || profiles=(default rust rhwpt rust-rhwpt default-mod rust-mod)
		fi
		for p in "${profiles[@]}"; do
			local logf=$OUT/logs/$a-$p.log vt0 plan kargs
			plan=$(suites_of "$a") kargs=$(run_kargs "$a" "$p")
			mock=$(profile_mock "$p") hwpt=$(profile_hwpt "$p") iommu=$(profile_iommu "$a" "$p")
			case $p in *-mod) plan=modload,$plan,modunload ;; esac
			cmd_build "$a" "$p"
			cmd_initramfs "$a" "$p"
			vt0=$(date +%s)
			# riommu.iommu= names the run's IOMMU driver to the tests that
			# expect a known bug of an upstream C driver (riommu_dma_smoke).
			vm_run "$a" "$p" "$plan" "$logf" 1500 "${kargs:+$kargs }riommu.iommu=$iommu" ||
				log "VM $a-$p exited with $?"
			specs+=("$(printf '{"name": "%s-%s", "arch": "%s", "profile": "%s", "mock": "%s", "hwpt": "%s", "iommu": "%s", "kernel_args": "%s", "log": "%s", "build_seconds": %s, "vm_seconds": %s, "expect": ["%s"], "checks": %s}' \
				"$a" "$p" "$a" "$p" "$mock" "$hwpt" "$iommu" "$kargs" "$logf" \
				"$(cat "$(build_dir "$a" "$p")/.riommu-build-seconds")" \
				"$(( $(date +%s) - vt0 ))" "${plan//,/\", \"}" "$(run_checks "$a" "$iommu")")")
		done
		# x86_64 again with QEMU's VT-d offering the second stage instead of
		# the first (RIOMMU_VTD_STAGE=ss), for the profiles of vtd_ss_profiles.
		local ss=()
		for p in $(vtd_ss_profiles "$a" "${profiles[@]}"); do
			local logf=$OUT/logs/$a-$p-ss.log vt0
			iommu=$(profile_iommu "$a" "$p" ss)
			ss+=("$p")
			vt0=$(date +%s)
			# QEMU's unit has no pass-through there (vtd_flts): the command
			# line asks for it, and riommu_dma_smoke checks the DMA domains.
			RIOMMU_VTD_STAGE=ss vm_run "$a" "$p" "$(suites_of "$a")" "$logf" 1500 "$VTD_SS_KARGS riommu.iommu=$iommu" ||
				log "VM $a-$p-ss exited with $?"
			specs+=("$(printf '{"name": "%s-%s-ss", "arch": "%s", "profile": "%s", "mock": "%s", "hwpt": "%s", "iommu": "%s", "kernel_args": "%s", "log": "%s", "build_seconds": 0, "vm_seconds": %s, "expect": ["%s"], "checks": %s}' \
				"$a" "$p" "$a" "$p" "$(profile_mock "$p")" "$(profile_hwpt "$p")" "$iommu" "$VTD_SS_KARGS" "$logf" \
				"$(( $(date +%s) - vt0 ))" "$(suites_of "$a" | sed 's/,/", "/g')" "$(run_checks "$a" "$iommu")")")
		done
		# The differential test: every profile's digests against the first's.
		for p in "${profiles[@]:1}"; do
			local dlog=$OUT/logs/$a-diff-${profiles[0]}-$p.log
			diff_log "$OUT/logs/$a-${profiles[0]}.log" "$OUT/logs/$a-$p.log" "$OUT/diff-$a-${profiles[0]}-$p.json" "$dlog"
			specs+=("$(printf '{"name": "host-diff-%s-%s-%s", "arch": "host", "profile": "%s", "log": "%s", "expect": ["hwpt_diff_cmp"]}' \
				"$a" "${profiles[0]}" "$p" "$p" "$dlog")")
		done
		# The same for the IOMMU driver on the real device (dev_diff, and
		# nested_smmu on arm64), against the first profile with the same
		# vSMMU setting (run_kargs).
		for p in "${profiles[@]}"; do
			local b s
			b=$(nest_base "$a" "$p" "${profiles[@]}")
			[ "$b" != "$p" ] || continue
			for s in dev_diff nested_smmu; do
				case ,$(suites_of "$a"), in *,$s,*) ;; *) continue ;; esac
				local n=${s//_/} dlog
				dlog=$OUT/logs/$a-$n-$b-$p.log
				diff_log "$OUT/logs/$a-$b.log" "$OUT/logs/$a-$p.log" "$OUT/$n-$a-$b-$p.json" "$dlog" $s
				specs+=("$(printf '{"name": "host-%s-%s-%s-%s", "arch": "host", "profile": "%s", "log": "%s", "expect": ["%s_cmp"]}' \
					"$n" "$a" "$b" "$p" "$p" "$dlog" "$s")")
			done
		done
		# The second-stage runs' real-device digests against the first's.
		for p in "${ss[@]:1}"; do
			local dlog=$OUT/logs/$a-devdiff-${ss[0]}-ss-$p-ss.log
			diff_log "$OUT/logs/$a-${ss[0]}-ss.log" "$OUT/logs/$a-$p-ss.log" \
				"$OUT/devdiff-$a-${ss[0]}-ss-$p-ss.json" "$dlog" dev_diff
			specs+=("$(printf '{"name": "host-devdiff-%s-%s-ss-%s-ss", "arch": "host", "profile": "%s", "log": "%s", "expect": ["dev_diff_cmp"]}' \
				"$a" "${ss[0]}" "$p" "$p" "$dlog")")
		done
		# The benchmark gate (lib/bench.sh): no row of the all-Rust build
		# below BENCH_GATE_MIN of the all-C one, by instruction count; its
		# two boots' consoles are checked like any run's.
		if [[ " ${profiles[*]} " == *" default "* && " ${profiles[*]} " == *" rust-rhwpt "* ]]; then
			bench_gate_log "$a" "$OUT/logs/$a-bench-gate.log"
			specs+=("$(printf '{"name": "host-bench-gate-%s", "arch": "host", "profile": "rust-rhwpt", "log": "%s", "expect": ["bench_gate"]}' \
				"$a" "$OUT/logs/$a-bench-gate.log")")
			for p in default rust-rhwpt; do
				specs+=("$(printf '{"name": "%s-%s-icount", "arch": "%s", "profile": "%s", "log": "%s", "expect": ["bench"]}' \
					"$a" "$p" "$a" "$p" "$OUT/logs/$a-bench-gate-$p.log")")
			done
		fi
	done
	local profile=${profiles[-1]}
	lint_log "$profile" "$OUT/logs/host-rust-lint.log" "${arches[@]}"
	specs+=("$(printf '{"name": "host-rust-lint", "arch": "host", "profile": "%s", "log": "%s", "expect": ["rust_lint"]}' \
		"$profile" "$OUT/logs/host-rust-lint.log")")
	# The series of 'riommu export' applies to the base and gives the build tree.
	export_check_log "$OUT/logs/host-export.log"
	specs+=("$(printf '{"name": "host-export", "arch": "host", "log": "%s", "expect": ["export"]}' \
		"$OUT/logs/host-export.log")")
	log "total $(( $(date +%s) - t0 )) s; summary in $OUT/test-summary.json, logs in $OUT/logs/"
	# The summary's last line is the closing 'N passed, N failed, N skipped'.
	python3 "$RIOMMU_DIR/summarize.py" --out "$OUT/test-summary.json" \
		--meta "base_kernel=$(base_version)" \
		--meta "qemu=$(qemu-system-x86_64 --version | head -n1)" \
		--meta "rustc=$($KRUSTC --version)" \
		--meta "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--meta "commit=$(git -C "$RIOMMU_TOP" rev-parse --short HEAD 2>/dev/null || echo none)" \
		--meta "profiles=${profiles[*]}" \
		--meta "total_seconds=$(( $(date +%s) - t0 ))" \
		"${specs[@]}" || rc=$?
	return $rc
}

# The main job: build the kernel with the project's code and boot it on the
# emulated IOMMU, showing it and the project's code at work. x86_64 (the
# default): the C VT-d driver under the project's iommufd code, DMA through
# it. arm64: the all-Rust build on the Rust SMMUv3 driver, DMA through it,
# and a VMM's nested translation (riommu_nested_smmu): the guest memory map,
# DMA through stage 1 and stage 2, invalidation, a stage-1 fault delivered to
# the vEVENTQ, a stage-2 fault in the host log.
cmd_demo() {
	local arch=${1:-x86_64} logf profile plan
	case $arch in
	x86_64) profile=rust plan=kunit,dma_smoke ;;
	arm64) profile=rust plan=kunit,dma_smoke,nested_smmu ;;
	*) die "usage: riommu demo [x86_64|arm64]" ;;
	esac
	logf=$OUT/logs/demo-$arch.log
	cmd_setup
	cmd_build "$arch" "$profile"
	cmd_initramfs "$arch" "$profile"
	mkdir -p "$OUT/logs"
	local kargs
	kargs=$(run_kargs "$arch" "$profile")
	vm_run "$arch" "$profile" "$plan" "$logf" 900 \
		"${kargs:+$kargs }riommu.iommu=$(profile_iommu "$arch" "$profile")" || true
	log "the IOMMU and the project's code at work (full console: $logf):"
	tr -d '\r' <"$logf" | awk '
		/DMAR: (IOMMU enabled|dmar0|Intel\(R\)|.*Queued)|iommu: Default domain|Adding to iommu group/ { print; next }
		/arm_smmu_v3_rs .*(features|vSMMU)|# arm_smmu_v3_rs_hw: pass/ { print; next }
		/intel_iommu_rs: |# intel_iommu_rs_hw: pass/ { print; next }
		/# rust_iommu_user_data: pass|rust_doctest_kernel_iommu/ { print; next }
		/riommu-suite-begin (dma_smoke|nested_smmu)/ { on = 1 }
		on && !/riommu-devdiff/ { print }
		/riommu-suite-end (dma_smoke|nested_smmu)/ { on = 0 }'
}
