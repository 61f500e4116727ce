# SPDX-License-Identifier: GPL-2.0
# 'riommu export': the project as a git format-patch series against the base
# kernel, in logical commits, and the host-side 'export' suite that checks it.
#
# $CACHE/export-base.git     the pristine base tree, committed once per base
# $CACHE/export-git          scratch clone the series is committed in (per run)
# $CACHE/export-check-git    scratch clone the check applies the series to
#
# Both scratch clones share the base repository's objects (clone --shared)
# and are sparse: only the files the series touches are checked out, so a run
# costs seconds, not a checkout of the whole kernel.

# Fixed identity and date: the same project gives the same series.
EXPORT_NAME='riommu developers'
EXPORT_EMAIL='riommu@localhost'
EXPORT_DATE='Sat, 21 Nov 2026 00:00:00 +0000'

# The series, in order: every commit builds on the ones before it.
#
#   patch NNNN        the upstream patch patches/NNNN-*.patch, as a commit of
#                     its own (its mail's subject, author and body)
#   files SUBJECT     a commit of overlay files, followed by:
#   match GLOB...       the overlay files it takes (bash patterns on the path;
#                       '*' also matches '/'); a path named exactly wins over
#                       a glob of another commit, else the first match wins
#   | TEXT              a line of its body
#
# Every patch must be listed once and every overlay file must match a
# 'files' commit, or the export fails.
#
# Why this order: the abstractions' wiring (0002) has bindgen read
# selftest_mock.h, so the header comes first, and the abstractions call
# iommu_from_fwnode(), which 0010 makes visible; 0009 extends io-pgtable's
# Rust wrapper with helpers that 0002 wires in; the mock driver is added before
# 0005 adds the option that builds it; the same for the HWPT layer and 0007.
export_series() {
	cat <<'EOF'
patch 0001
patch 0003
patch 0004
patch 0008
patch 0010
patch 0012
patch 0014
patch 0015

files iommufd/selftest: declare the interface of the mock IOMMU driver
match drivers/iommu/iommufd/selftest_mock.h
| Add selftest_mock.h, the functions through which the iommufd selftest
| harness and its mock IOMMU driver meet: registration, device add, and the
| driver state the IOMMU_TEST_OP_* checks inspect (paging domain test, dirty
| bits, nested iotlb, device cache, vEVENT), plus mock_dev_flags(), which the
| harness provides to the driver.
|
| Nothing includes it yet: the Rust abstractions bind it, and "iommufd/
| selftest: put the mock IOMMU driver behind an interface" makes the harness
| and the C mock driver use it.

files rust: iommu: add the IOMMU driver abstractions
match rust/kernel/iommu/*.rs rust/helpers/iommu.c
| Add the modules of kernel::iommu for IOMMU drivers written in Rust:
|
| - user_data: typed access to the driver-specific user data iommufd passes
|   to IOMMU drivers;
| - ops, domain, device, viommu, pt: struct iommu_ops, paging, nested and
|   static domains typed by their driver, IOMMU instance registrations owned
|   by the bound device, probed devices and IOPF queues, vIOMMUs and
|   hardware queues, and generic_pt page tables (the selftest mock's AMDv1
|   and the VT-d x86_64 and second-stage formats);
| - lpae: paging domains on io-pgtable's Arm LPAE stage-1 and stage-2
|   tables, whose TLB maintenance io-pgtable asks of the driver;
|
| and rust/helpers/iommu.c, the C helpers they need. Nothing builds them
| yet: the next commit wires in the helpers, with the stage-2 and flush
| operations of io-pgtable that the modules use, and the one after it the
| modules.

patch 0009
patch 0002

files iommufd/selftest: add the mock IOMMU driver in Rust
match drivers/iommu/iommufd/selftest_mock.rs drivers/iommu/iommufd/selftest_mock_glue.rs
| Add selftest_mock.rs, the mock IOMMU driver of the iommufd selftest written
| on the kernel::iommu abstractions only: the iommu_ops of the mock IOMMU,
| its blocking, paging and nested domains, dirty tracking, the vIOMMU with
| its mmap page and hardware queues, IOPF and PASID attach, behind the
| functions of selftest_mock.h. Every callback returns what the C mock
| returns, so the unchanged selftests see no difference.
|
| selftest_mock_glue.rs, a module of it, is its abstraction of the harness:
| the extern "C" functions of selftest_mock.h, the mock bus registration,
| the module metadata and the selftest's uAPI (iommufd_test.h); the only
| part of the mock that uses the C bindings.
|
| The next commit builds it with CONFIG_IOMMUFD_TEST_RUST_MOCK.

patch 0005

files iommufd: add the HWPT layer in Rust
match drivers/iommu/iommufd/hwpt.rs drivers/iommu/iommufd/hwpt_glue.rs
| Add hwpt.rs, the iommufd HWPT layer in Rust: the paging and nested HWPT
| objects and the ioctls IOMMU_HWPT_ALLOC, IOMMU_HWPT_INVALIDATE,
| IOMMU_HWPT_SET_DIRTY_TRACKING and IOMMU_HWPT_GET_DIRTY_BITMAP, with the
| checks and errnos of hw_pagetable.c in the same order; and hwpt_glue.rs,
| a module of it, the typed access to the iommufd core objects (ioctl
| commands, object references, IOAS, devices, HWPTs) it is written on: the
| abstraction of iommufd_private.h, private to iommufd.
|
| The next commit selects them with CONFIG_IOMMUFD_HWPT_RUST.

patch 0007

files iommu/arm-smmu-v3: add an SMMUv3 driver in Rust
match drivers/iommu/arm/arm-smmu-v3/rust/*
| Add arm_smmu_v3_rs, an Arm SMMUv3 driver written on the kernel::iommu
| abstractions: device-tree probe with the C driver's ID register checks,
| the reset sequence, a 2-level stream table, the command queue with
| CMD_SYNC completion, the event queue and global errors on their wired
| interrupts, one-entry CD tables, stage-1 and stage-2 (nest parent) paging
| domains on io-pgtable with TLB invalidation, identity and blocked domains,
| of_xlate, PCI device groups and the software MSI window.
|
| It covers what QEMU's SMMUv3 emulates; ATS, PRI, SVA, MSIs, substreams,
| HTTU and ACPI stay with the C driver. The next commit builds it instead
| of the C driver with CONFIG_ARM_SMMU_V3_RUST.

patch 0011
patch 0013

files iommu/vt-d: declare what a Rust driver uses of the C DMAR units
match drivers/iommu/intel/rust_seam.h drivers/iommu/intel/rust_seam.c
| Add rust_seam.h, what the Rust VT-d driver uses of the C DMAR units and
| the rules between the two (C keeps the units, their queue, faults,
| interrupt remapping and the per-device PASID tables; the Rust driver
| registers the units with its ops, writes the PASID-table entries and
| submits invalidation descriptors), and rust_seam.c, its functions that
| need iommu.c's static ones. The next commit includes rust_seam.c in
| iommu.c, only with CONFIG_INTEL_IOMMU_RUST.

patch 0018

files iommu/vt-d: TEST ONLY: wrap the C encoders for KUnit
match drivers/iommu/intel/rust_ref.h drivers/iommu/intel/*_rust_ref.c
| Add rust_ref.h and the two files that define it, pasid_rust_ref.c and
| cache_rust_ref.c: the C VT-d driver's PASID-table entry encoders
| (pasid_pte_config_*()), its queued-invalidation descriptors (qi_desc_*()
| and those of qi_flush_context() and qi_flush_pasid_cache()) and its
| invalidation range alignment (calculate_psi_aligned_address()), called on
| a unit and a domain made for the call, so that the Rust driver's KUnit
| suite can compare its encodings with C's. The next commit includes them,
| only with CONFIG_INTEL_IOMMU_RUST_KUNIT_TEST.

patch 0017

files iommu/vt-d: add a VT-d DMA-remapping driver in Rust
match drivers/iommu/intel/rust/*
| Add drivers/iommu/intel/rust/, a VT-d DMA-remapping driver in Rust on the
| C DMAR units (rust_seam.h): it registers the units with its iommu_ops,
| provides first- and second-stage paging domains on generic_pt, identity
| and blocked domains, writes the RIDs' scalable-mode PASID-table entries
| (a failed attach leaves the old translation in place) and invalidates
| the IOTLB with the C driver's descriptors. Its hardware formats (hw.rs)
| keep the C encodings they name; the KUnit suite intel_iommu_rs_hw
| compares them with the C encoders bit for bit over many inputs. dmar.rs
| is its abstraction of the C units, c_ref.rs (test only) of the C
| encoders. The next commit adds the options that build it.

patch 0016

files docs: rust: add the IOMMU driver page
match Documentation/rust/*.rst
| Add Documentation/rust/iommu.rst: the kernel::iommu abstractions, their
| types and invariants, lifetimes and errors, the iommufd selftest's Rust
| mock IOMMU driver and the Rust HWPT layer. The next commit lists it in the
| index.

patch 0006

files selftests: iommu: add the riommu test programs
match tools/testing/selftests/iommu/riommu_*
| Add the riommu test programs next to the iommufd selftests:
|
| - riommu_dma_smoke: real DMA of QEMU's edu device through the emulated
|   IOMMU, via VFIO and iommufd, and the fault of a DMA to an unmapped IOVA;
| - riommu_hwpt_diff: a differential test of the HWPT layer and the mock
|   driver, digests of pseudo-random iommufd ioctl sequences to compare
|   between two kernels (e.g. C and Rust);
| - riommu_dev_diff: a differential test of the hardware IOMMU driver, a
|   fixed sequence of iommufd and VFIO ioctls on edu (hw_info, HWPT alloc
|   flags, attach/replace/detach, maps while attached, nesting, invalid
|   inputs) with DMA checks, digests to compare between two kernels;
| - riommu_bench: throughput of the mock IOMMU driver.
|
| They are standalone programs, not part of the selftests Makefile.

files kconfig: add the riommu test kernel configurations
match kernel/configs/riommu*.config arch/*/configs/riommu*.config
| Add the config fragments of the riommu test kernels, merged over
| tinyconfig: kernel/configs/riommu.config (arch-independent) with the
| arch/x86 (q35 + emulated VT-d) and arch/arm64 (virt + emulated SMMUv3)
| riommu.config, which "make tinyconfig riommu.config" merges together, and
| the profile fragments riommu-rust-mock.config (the Rust mock driver),
| riommu-rust-hwpt.config (the Rust HWPT layer), the arm64
| riommu-rust.config (the Rust SMMUv3 driver), riommu-modules.config
| (iommufd and VFIO as modules) and riommu-debug.config (KASAN, lockdep,
| kmemleak, UBSAN).
EOF
}

# The blurb of the cover letter; its first paragraph is the subject.
export_cover() {
	cat <<EOF
riommu: Rust IOMMU driver abstractions, the iommufd mock and HWPT layer, SMMUv3 and VT-d drivers

This series adds kernel::iommu, Rust abstractions for IOMMU drivers, and
their users, each selectable against the C code it replaces: the mock
IOMMU driver of the iommufd selftest (CONFIG_IOMMUFD_TEST_RUST_MOCK),
iommufd's HWPT layer (CONFIG_IOMMUFD_HWPT_RUST), an Arm SMMUv3 driver
with the nesting uAPI of arm-smmu-v3-iommufd.c (CONFIG_ARM_SMMU_V3_RUST)
and a VT-d DMA-remapping driver on the C DMAR units
(CONFIG_INTEL_IOMMU_RUST). io-pgtable's Rust wrapper gets stage 2 and
TLB flush operations. With them come the fixes found on the way, the
inlining of three pointer accessors of the kernel crate, two TEST ONLY
patches (a vSMMU without a coherent stage 2 for QEMU, the C VT-d
encoders callable from KUnit), the documentation, the riommu test
programs and the config fragments of the test kernels.

New files come before the lines that build them (Kconfig, Makefile,
mod.rs, helpers.c), and those lines after the upstream edits the files
need.

It applies with git am to the tree of Debian's $(base_version)
($BASE_SUITE).
EOF
}

# git with the fixed identity and date, none of the user's or the system's
# configuration (format.*, diff.* and am.* settings change the output) and no
# repository from the environment. EXPORT_NICE=N runs it niced.
xgit() {
	env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE -u GIT_OBJECT_DIRECTORY \
		GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
		GIT_AUTHOR_NAME="$EXPORT_NAME" GIT_AUTHOR_EMAIL="$EXPORT_EMAIL" GIT_AUTHOR_DATE="$EXPORT_DATE" \
		GIT_COMMITTER_NAME="$EXPORT_NAME" GIT_COMMITTER_EMAIL="$EXPORT_EMAIL" GIT_COMMITTER_DATE="$EXPORT_DATE" \
		nice -n "${EXPORT_NICE:-0}" git -c core.abbrev=12 -c gc.auto=0 -c index.version=4 -c index.skipHash=true -c init.defaultBranch=base -c advice.detachedHead=false -c advice.mergeConflict=false "$@"
}

# The bare repository of the pristine base tree, committed once per base (a
# new Debian version of the same tree name makes a new one).
export_base_repo() {
	local base key repo=$CACHE/export-base.git tmp tree commit n m
	base=$(base_tree)
	key="$(basename "$base"): $(base_version)"
	if [ -f "$repo/riommu-base" ] && [ "$(cat "$repo/riommu-base")" = "$key" ]; then
		echo "$repo"
		return
	fi
	log "committing the base tree ($(base_version)) to $repo, once per base"
	tmp=$repo.new.$$
	rm -rf "$repo".new.*
	xgit init -q --bare "$tmp" || die "git init $tmp failed"
	# -f: the base has .gitignore files, and everything in it is the base.
	EXPORT_NICE=10 xgit --git-dir="$tmp" --work-tree="$base" add -A -f . || die "git add of $base failed"
	tree=$(xgit --git-dir="$tmp" write-tree) || die "git write-tree failed"
	commit=$(printf '%s\n\nThe pristine base tree of riommu, %s from %s.\n' "$(base_version)" "$(basename "$base")" "$BASE_SUITE" |
		xgit --git-dir="$tmp" commit-tree "$tree") || die "git commit-tree failed"
	xgit --git-dir="$tmp" update-ref refs/heads/base "$commit" || die "git update-ref failed"
	rm -f "$tmp/index"
	n=$(xgit --git-dir="$tmp" ls-tree -r --name-only base | wc -l)
	m=$(cd "$base" && find . \( -type f -o -type l \) | wc -l)
	[ "$n" = "$m" ] || die "the base commit has $n files, $base has $m"
	echo "$key" >"$tmp/riommu-base"
	rm -rf "$repo"
	mv -T "$tmp" "$repo" || die "cannot move $tmp to $repo"
	log "committed $n files of the base"
	echo "$repo"
}

# export_scratch DIR: a fresh sparse clone of the base at DIR, on branch
# 'riommu' at the base commit, checking out the paths read from stdin (paths
# outside them still work: git am writes what it touches).
export_scratch() {
	local dir=$1 repo
	repo=$(export_base_repo) || die "no base repository"
	rm -rf "$dir"
	xgit clone -q --shared --no-checkout "$repo" "$dir" || die "git clone of $repo failed"
	sed 's|^|/|' | xgit -C "$dir" sparse-checkout set --no-cone --stdin || die "git sparse-checkout failed"
	xgit -C "$dir" checkout -q -b riommu base || die "git checkout in $dir failed"
}

# Is patch file P a mail (git format-patch or an mbox) with a subject?
export_is_mail() { sed '/^$/q' "$1" | grep -q '^Subject: '; }

# Commit the upstream patch P in the scratch repository DIR.
export_commit_patch() {
	local dir=$1 p=$2 name subject
	name=$(basename "$p")
	if export_is_mail "$p"; then
		# git am takes the author date from the mail: give one that has no
		# Date the fixed date (after an mbox 'From ' line, if any).
		if sed '/^$/q' "$p" | grep -q '^Date: '; then
			cat "$p"
		else
			awk -v d="Date: $EXPORT_DATE" 'NR == 1 && /^From / && !/^From: / { print; print d; next }
				NR == 1 { print d } { print }' "$p"
		fi | xgit -C "$dir" am -q --signoff --patch-format=mbox ||
			die "git am of $name failed (scratch repository: $dir)"
	else
		subject=$(echo "$name" | sed -E 's/^[0-9]+-//; s/\.(patch|diff)$//; s/-/ /g')
		xgit -C "$dir" apply --index "$p" || die "$name does not apply (scratch repository: $dir)"
		xgit -C "$dir" commit -q --no-verify -s -m "$subject" \
			-m "The change of scripts/riommu/patches/$name." || die "git commit of $name failed"
	fi
}

cmd_export() {
	local out=$OUT/export dir=$CACHE/export-git t0 lock
	while [ $# -gt 0 ]; do
		case $1 in
		--out) [ $# -ge 2 ] || die "usage: riommu export [--out DIR]"; out=$2; shift 2 ;;
		*) die "usage: riommu export [--out DIR]" ;;
		esac
	done
	t0=$(date +%s%N)
	mkdir -p "$CACHE" "$out"
	out=$(cd "$out" && pwd)
	exec {lock}>"$CACHE/export.lock"
	flock "$lock"

	# The table: kind[i] is 'patch' or 'files', what[i] the patch number or
	# the subject, globs[i] and body[i] those of a 'files' commit.
	local -a kind=() what=() globs=() body=()
	local line i=-1
	while IFS= read -r line; do
		case $line in
		'') ;;
		'patch '*) kind[++i]=patch; what[i]=${line#patch }; globs[i]=; body[i]= ;;
		'files '*) kind[++i]=files; what[i]=${line#files }; globs[i]=; body[i]= ;;
		'match '*|'|'*) { [ $i -ge 0 ] && [ "${kind[i]}" = files ]; } || die "export_series: '$line' outside a 'files' commit" ;;&
		'match '*) globs[i]+=" ${line#match }" ;;
		'|'*) line=${line#|}; body[i]+="${line# }"$'\n' ;;
		*) die "export_series: cannot parse '$line'" ;;
		esac
	done < <(export_series)

	# Every upstream patch, once.
	local -a pfile=()
	local p f g n bad=
	for ((i = 0; i < ${#kind[@]}; i++)); do
		[ "${kind[i]}" = patch ] || continue
		n=$(ls "$RIOMMU_DIR/patches/${what[i]}"-*.patch 2>/dev/null | wc -l)
		[ "$n" = 1 ] || die "export_series: patch ${what[i]} matches $n files in scripts/riommu/patches"
		pfile[i]=$(ls "$RIOMMU_DIR/patches/${what[i]}"-*.patch)
	done
	for p in $(patch_files); do
		n=0
		for f in "${pfile[@]}"; do [ "$f" != "$p" ] || n=$((n + 1)); done
		[ "$n" = 1 ] || { log "export_series lists $(basename "$p") $n times"; bad=1; }
	done
	[ -z "$bad" ] || die "every patch of scripts/riommu/patches must be in export_series once (lib/export.sh)"

	# Every overlay file, in one 'files' commit.
	local -a files=()
	local -a unmatched=()
	local hit
	local -a gl
	while read -r f; do
		[ -n "$f" ] || continue
		hit=
		for ((i = 0; i < ${#kind[@]}; i++)); do
			read -ra gl <<<"${globs[i]}"
			for g in "${gl[@]}"; do [ "$g" != "$f" ] || hit=$i; done
			[ -z "$hit" ] || break
		done
		for ((i = 0; i < ${#kind[@]} && ${#hit} == 0; i++)); do
			read -ra gl <<<"${globs[i]}"
			for g in "${gl[@]}"; do
				# shellcheck disable=SC2053 # $g is a pattern
				[[ $f != $g ]] || { hit=$i; break; }
			done
		done
		if [ -n "$hit" ]; then files[hit]+="$f"$'\n'; else unmatched+=("$f"); fi
	done < <(overlay_files)
	if [ ${#unmatched[@]} -gt 0 ]; then
		for f in "${unmatched[@]}"; do log "no commit of export_series takes $f"; done
		die "${#unmatched[@]} overlay file(s) match no 'files' commit: add them to export_series (lib/export.sh)"
	fi

	{ patched_paths; overlay_files; } | sort -u | export_scratch "$dir"
	local msg=$dir/.git/riommu-msg
	for ((i = 0; i < ${#kind[@]}; i++)); do
		if [ "${kind[i]}" = patch ]; then
			export_commit_patch "$dir" "${pfile[i]}"
			continue
		fi
		if [ -z "${files[i]:-}" ]; then
			log "warning: no overlay file for '${what[i]}', no commit"
			continue
		fi
		mapfile -t gl < <(printf '%s' "${files[i]}")
		for f in "${gl[@]}"; do
			mkdir -p "$dir/$(dirname "$f")"
			cp "$RIOMMU_TOP/$f" "$dir/$f" || die "cannot copy $f"
		done
		xgit -C "$dir" add -f --sparse -- "${gl[@]}" || die "git add of ${gl[*]} failed"
		printf '%s\n\n%s' "${what[i]}" "${body[i]}" >"$msg"
		xgit -C "$dir" commit -q --no-verify -s -F "$msg" || die "git commit '${what[i]}' failed"
	done
	rm -f "$msg"

	xgit -C "$dir" config branch.riommu.description "$(export_cover)"
	rm -f "$out"/[0-9][0-9][0-9][0-9]-*.patch
	# --attr-source: the diff drivers of the base's .gitattributes (hunk
	# headers), which the sparse checkout does not have in the worktree.
	xgit -C "$dir" --attr-source=riommu format-patch -q --cover-letter --cover-from-description=subject \
		--no-signature --no-renames -o "$out" base..riommu || die "git format-patch failed"
	n=$(xgit -C "$dir" rev-list --count base..riommu)
	log "exported $n patches and a cover letter to $out in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	exec {lock}>&-
}

export_x() { if [ -x "$1" ]; then echo x; else echo -; fi; }
export_exists() { [ -e "$1" ] || [ -L "$1" ]; }

# export_try VAR LOG FUNCTION ARGS...: run FUNCTION in a subshell, its output
# in LOG and its status in VAR. Its 'die' ends the subshell only, and 'set -e'
# holds in it: bash would ignore it in a command tested by 'if' or '||', so
# this one returns 0 and must not be tested either.
export_try() {
	local -n _rc=$1
	local log=$2 e=$-
	shift 2
	set +e
	( set -e; "$@" ) >"$log" 2>&1
	_rc=$?
	case $e in *e*) set -e ;; esac
}

# The check's scratch clone: the base with the files of the series SERIES...
export_check_scratch() {
	local dir=$1; shift
	sed -n 's|^diff --git a/\(.*\) b/\(.*\)$|\1\n\2|p' "$@" | sort -u | export_scratch "$dir"
}

# Host-side check of the export, written as a log in the guests' format (like
# lint_log): the series applies with git am to the pristine base, gives
# exactly the files of the build tree that 'riommu sync' makes, and touches
# exactly the files of the patches and the overlay. No kernel build.
export_check_log() {
	local logf=$1 n=0 t0 tmp dir=$CACHE/export-check-git rc src lock f a b
	local -a series=()
	t0=$(date +%s%N)
	tmp=$(mktemp -d)
	{
		echo "### riommu-suite-begin export"
		echo "TAP version 13"
		# $CACHE/tree is only up to date after a sync.
		export_try src "$tmp/sync.log" cmd_sync
		[ $src = 0 ] || { echo "# riommu sync failed:"; sed 's/^/# /' "$tmp/sync.log" | tail -n 20; }
		export_try rc "$tmp/export.log" cmd_export --out "$tmp/series"
		if [ $rc = 0 ]; then
			series=("$tmp"/series/[0-9][0-9][0-9][0-9]-*.patch)
			series=("${series[@]:1}")	# less 0000-cover-letter.patch
			echo "# ${#series[@]} patches"
			echo "ok $((n += 1)) export"
		else
			sed 's/^/# /' "$tmp/export.log" | tail -n 20
			echo "not ok $((n += 1)) export"
		fi

		exec {lock}>"$CACHE/export-check.lock"
		flock "$lock"
		rc=1
		if [ ${#series[@]} -gt 0 ]; then
			export_try rc "$tmp/scratch.log" export_check_scratch "$dir" "${series[@]}"
			[ $rc != 0 ] || xgit -C "$dir" am -q "${series[@]}" >"$tmp/am.log" 2>&1 || rc=$?
			{ cat "$tmp/scratch.log" "$tmp/am.log" 2>/dev/null || true; } | head -n 20 | sed 's/^/# /'
		fi
		if [ $rc = 0 ]; then
			echo "ok $((n += 1)) applies"
		else
			echo "not ok $((n += 1)) applies"
		fi

		if [ $rc = 0 ]; then
			xgit -C "$dir" log --format= --name-only --no-renames base..HEAD | sort -u >"$tmp/touched"
			# Every file of the series as in the build tree.
			while read -r f; do
				a=$dir/$f b=$CACHE/tree/$f
				if ! export_exists "$a" && ! export_exists "$b"; then
					continue
				elif ! export_exists "$a"; then
					echo "# $f: in the build tree, not after the series"
				elif ! export_exists "$b"; then
					echo "# $f: after the series, not in the build tree"
				elif ! cmp -s "$a" "$b"; then
					echo "# $f: differs"
				elif [ "$(export_x "$a")" != "$(export_x "$b")" ]; then
					echo "# $f: executable bit differs"
				else
					continue
				fi
			done <"$tmp/touched" >"$tmp/differ"
			[ $src = 0 ] || echo "# riommu sync failed: $CACHE/tree may be stale" >>"$tmp/differ"
			cat "$tmp/differ"
			if [ -s "$tmp/differ" ]; then
				echo "not ok $((n += 1)) matches_build_tree"
			else
				echo "# $(wc -l <"$tmp/touched") files as in $CACHE/tree"
				echo "ok $((n += 1)) matches_build_tree"
			fi
			# The files of the series, those of the patches and the overlay.
			{ patched_paths; overlay_files; } | sort -u >"$tmp/expected"
			comm -23 "$tmp/touched" "$tmp/expected" | sed 's/^/# only in the series: /'
			comm -13 "$tmp/touched" "$tmp/expected" | sed 's/^/# not in the series: /'
			if cmp -s "$tmp/touched" "$tmp/expected"; then
				echo "ok $((n += 1)) touches_patched_and_overlay_files"
			else
				echo "not ok $((n += 1)) touches_patched_and_overlay_files"
			fi
		else
			echo "# no series applied, nothing to compare"
			echo "not ok $((n += 1)) matches_build_tree"
			echo "not ok $((n += 1)) touches_patched_and_overlay_files"
		fi
		exec {lock}>&-
		echo "1..$n"
		echo "### riommu-suite-end export rc=0 centiseconds=$(( ($(date +%s%N) - t0) / 10000000 ))"
		echo "### riommu-guest-done"
	} >"$logf"
	rm -rf "$tmp"
}
