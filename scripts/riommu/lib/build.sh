# SPDX-License-Identifier: GPL-2.0
# 'riommu sync' and 'riommu build': the overlay on top of the base kernel.
#
# $CACHE/base/<tree>  pristine base, read-only, never modified
# $CACHE/tree         base + patches/*.patch + our overlay files (the build source)
# $CACHE/build/<arch>-<profile>   O= build directory
#
# Sync keeps mtimes of unchanged files: a staging copy is made of every file the
# patches or the overlay touch (now or at the previous sync, so that a file we
# stop shipping goes back to its base content), and rsync --checksum copies
# only the files whose content differs.

# Our files that belong to the kernel tree: everything tracked or new, less
# our own tooling and results.
overlay_files() {
	git -C "$RIOMMU_TOP" ls-files -co --exclude-standard |
		grep -vE '^(scripts/riommu/|\.ci/|out/|README\.md$|\.gitignore$)' || true
}

patch_files() { ls "$RIOMMU_DIR"/patches/*.patch 2>/dev/null | sort || true; }

# Files a patch touches (from its +++ lines).
patched_paths() {
	local p
	for p in $(patch_files); do
		sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"
	done
}

cmd_sync() {
	local base tree=$CACHE/tree stage manifest=$CACHE/tree.manifest
	base=$(base_tree)
	if [ ! -f "$tree/.riommu-base" ] || [ "$(cat "$tree/.riommu-base")" != "$(basename "$base")" ]; then
		log "creating the build source tree from $(basename "$base")"
		rm -rf "$tree" "$manifest"
		mkdir -p "$tree"
		cp -a "$base/." "$tree/"
		chmod -R u+w "$tree"
		basename "$base" >"$tree/.riommu-base"
		: >"$manifest"
	fi
	stage=$(mktemp -d)
	local f
	# Base content of everything touched now or last time.
	{ cat "$manifest"; patched_paths; overlay_files; } | sort -u | while read -r f; do
		[ -n "$f" ] || continue
		if [ -f "$base/$f" ]; then
			mkdir -p "$stage/$(dirname "$f")"
			cp "$base/$f" "$stage/$f"
			chmod u+w "$stage/$f"
		elif [ -f "$tree/$f" ] && ! grep -qxF "$f" <(overlay_files); then
			rm -f "$tree/$f"	# a new file we no longer ship
		fi
	done
	# The patch series, checked to apply to the base every time.
	local p
	for p in $(patch_files); do
		patch -s -p1 -d "$stage" --no-backup-if-mismatch <"$p" ||
			die "patch $(basename "$p") does not apply to $(basename "$base")"
	done
	# Our files on top.
	overlay_files | while read -r f; do
		mkdir -p "$stage/$(dirname "$f")"
		cp "$RIOMMU_TOP/$f" "$stage/$f"
	done
	rsync -rc --exclude='.riommu-base' "$stage/" "$tree/"
	rm -rf "$stage"
	{ patched_paths; overlay_files; } | sort -u >"$manifest"
	log "synced $(wc -l <"$manifest") overlay/patched files into $tree"
}

arch_image() {
	case $1 in
	x86_64) echo arch/x86/boot/bzImage ;;
	arm64) echo arch/arm64/boot/Image ;;
	*) die "unknown arch $1" ;;
	esac
}

# Config fragments for ARCH and PROFILE, in merge order.
config_fragments() {
	local arch=$1 profile=$2 karch
	karch=$(kernel_arch "$arch")
	echo "$RIOMMU_TOP/kernel/configs/riommu.config"
	echo "$RIOMMU_TOP/arch/$karch/configs/riommu.config"
	case $profile in *debug*) echo "$RIOMMU_TOP/kernel/configs/riommu-debug.config" ;; esac
	case $profile in rust*) echo "$RIOMMU_TOP/kernel/configs/riommu-rust-mock.config" ;; esac
	[ "$(profile_hwpt "$profile")" = Rust ] && echo "$RIOMMU_TOP/kernel/configs/riommu-rust-hwpt.config"
	case $profile in *-mod) echo "$RIOMMU_TOP/kernel/configs/riommu-modules.config"
		[ ! -f "$RIOMMU_TOP/arch/$karch/configs/riommu-modules.config" ] ||
			echo "$RIOMMU_TOP/arch/$karch/configs/riommu-modules.config" ;; esac
	# The all-Rust profiles also take the arch's Rust hardware IOMMU driver, if
	# it has one; last, so that it overrides the C driver's options.
	case $profile in rust*) [ ! -f "$RIOMMU_TOP/arch/$karch/configs/riommu-rust.config" ] ||
		echo "$RIOMMU_TOP/arch/$karch/configs/riommu-rust.config" ;; esac
	if [ -n "${RIOMMU_EXTRA_CONFIG:-}" ]; then echo "$RIOMMU_EXTRA_CONFIG"; fi
}

kernel_arch() { case $1 in x86_64) echo x86 ;; arm64) echo arm64 ;; *) die "unknown arch $1" ;; esac; }

build_dir() { echo "$CACHE/build/$1-$2"; }

# PROFILE          mock  HWPT layer  iommufd
# default          C     C           built in   (the baseline)
# rust             Rust  C           built in
# rhwpt            C     Rust        built in
# rust-rhwpt       Rust  Rust        built in
# rust-mod         Rust  Rust        module (with VFIO)
# default-mod      C     C           module (with VFIO)
# debug            C     C           built in, KASAN, lockdep, kmemleak, UBSAN
# rust-debug       Rust  Rust        built in, KASAN, lockdep, kmemleak, UBSAN
PROFILES="default rust rhwpt rust-rhwpt rust-mod default-mod debug rust-debug"
check_profile() {
	case " $PROFILES " in *" $1 "*) ;; *) die "unknown profile $1 (one of: $PROFILES)" ;; esac
}

# Which mock IOMMU driver and which HWPT layer PROFILE builds: C or Rust.
profile_mock() { case $1 in rust*) echo Rust ;; *) echo C ;; esac; }
profile_hwpt() { case $1 in *rhwpt*|rust-mod|rust-debug) echo Rust ;; *) echo C ;; esac; }

# Which hardware IOMMU driver ARCH's kernel for PROFILE runs on, and on x86_64
# the translation stage QEMU's VT-d offers (STAGE: fs, the default, or ss;
# RIOMMU_VTD_STAGE in qemu_cmd): "c-vtd-fs"/"c-vtd-ss" for the upstream C
# VT-d driver, "rust-vtd-fs"/"rust-vtd-ss" when the profile's config
# fragments set CONFIG_INTEL_IOMMU_RUST=y; on arm64 "c-smmuv3" for the
# upstream C SMMUv3 driver, "rust-smmuv3" with CONFIG_ARM_SMMU_V3_RUST=y.
# Read from the fragments themselves, a later one overriding an earlier one
# as in configure(), so that adding the option to a profile's fragment is
# all it takes for the summary to say so.
profile_iommu() {
	local arch=$1 profile=$2 f v val=n opt
	case $arch in x86_64) opt=INTEL_IOMMU_RUST ;; *) opt=ARM_SMMU_V3_RUST ;; esac
	while read -r f; do
		v=$(sed -n -e "s/^CONFIG_$opt=\([^[:space:]]*\).*/\1/p" \
			-e "s/^# CONFIG_$opt is not set.*/n/p" "$f" | tail -n 1)
		[ -z "$v" ] || val=$v
	done < <(config_fragments "$arch" "$profile")
	case $arch/$val in
	x86_64/y) echo "rust-vtd-${3:-fs}" ;;
	x86_64/*) echo "c-vtd-${3:-fs}" ;;
	*/y) echo rust-smmuv3 ;;
	*) echo c-smmuv3 ;;
	esac
}

# The build of the same kind with fewer Rust parts: a new build directory
# starts as a copy of it, so that only what the toggles touch is rebuilt.
seed_profile() {
	case $1 in
	rust|rhwpt|default-mod) echo default ;;
	rust-rhwpt) echo rust ;;
	rust-mod) echo rust-rhwpt ;;
	rust-debug) echo debug ;;
	esac
}

# Configure: tinyconfig + our fragments. Only rewrites .config when the
# result differs, so an unchanged config costs no rebuild.
configure() {
	local arch=$1 profile=$2 odir frags new
	odir=$(build_dir "$arch" "$profile")
	mkdir -p "$odir"
	mapfile -t frags < <(config_fragments "$arch" "$profile")
	new=$odir/.config.riommu-new
	kmake "$arch" "$odir" -s KCONFIG_CONFIG=.config.riommu-new tinyconfig >/dev/null
	(cd "$odir" && KCONFIG_CONFIG=.config.riommu-new \
		"$CACHE/tree/scripts/kconfig/merge_config.sh" -m -O "$odir" .config.riommu-new "${frags[@]}" >/dev/null)
	kmake "$arch" "$odir" -s KCONFIG_CONFIG=.config.riommu-new olddefconfig >/dev/null
	# Every symbol a fragment asks for must have survived (a missing
	# dependency silently drops it otherwise); a later fragment overrides an
	# earlier one.
	local f line sym val got bad=0
	local -A want=() from=()
	for f in "${frags[@]}"; do
		while read -r line; do
			case $line in
			CONFIG_*=*) sym=${line%%=*}; val=${line#*=} ;;
			"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; val=n ;;
			*) continue ;;
			esac
			want[$sym]=$val
			from[$sym]=$(basename "$f")
		done <"$f"
	done
	for sym in "${!want[@]}"; do
		got=$(grep -E "^$sym=" "$new" | cut -d= -f2- || true)
		[ -n "$got" ] || got=n
		if [ "$got" != "${want[$sym]}" ]; then
			log "config: $sym=${want[$sym]} requested, got $got (${from[$sym]})"
			bad=1
		fi
	done
	[ $bad = 0 ] || die "configuration for $arch-$profile is not what the fragments ask for"
	if cmp -s "$new" "$odir/.config"; then rm -f "$new"; else mv "$new" "$odir/.config"; fi
}

# Our Rust files that are objects of their own (not part of the kernel crate).
driver_rs_files() { overlay_files | grep '\.rs$' | grep -v '^rust/' || true; }
# The build log kept for the lint suite of such a file.
rust_log_name() { echo "build-rust-$(echo "$1" | tr / _).log"; }

cmd_build() {
	local arch=${1:?usage: riommu build ARCH [PROFILE]} profile=${2:-default} odir t0
	check_profile "$profile"
	odir=$(build_dir "$arch" "$profile")
	t0=$(date +%s)
	cmd_sync
	local seed
	seed=$(seed_profile "$profile")
	if [ -n "$seed" ] && [ ! -f "$odir/.config" ] && [ -f "$(build_dir "$arch" "$seed")/.config" ]; then
		log "seeding $arch-$profile from $arch-$seed"
		rm -rf "$odir"
		cp -a "$(build_dir "$arch" "$seed")" "$odir"
		rm -rf "$odir/modinst" "$odir/initramfs.cpio.gz"
		# Kbuild records commands and dependencies with absolute paths of the
		# build directory (objtool, generated headers): point them at the copy,
		# or every object is rebuilt because its command line changed.
		find "$odir" -name '*.cmd' -print0 |
			xargs -0 sed -i "s|$(build_dir "$arch" "$seed")/|$odir/|g"
	fi
	configure "$arch" "$profile"
	log "building $arch-$profile in $odir"
	# The lint suite needs the warnings of a compile of the kernel crate:
	# without a log of one, make this build compile it.
	[ -f "$odir/build-rust-kernel.log" ] || rm -f "$odir/rust/kernel.o"
	local rs
	for rs in $(driver_rs_files); do
		[ -f "$odir/$(rust_log_name "$rs")" ] || rm -f "$odir/${rs%.rs}.o"
	done
	kmake "$arch" "$odir" "$(basename "$(arch_image "$arch")")" modules >"$odir/build.log" 2>&1 || {
		grep -E 'error|Error' "$odir/build.log" | head -n 40 >&2
		die "kernel build failed ($odir/build.log)"
	}
	# Warnings are only printed when a crate is compiled: keep the log of the
	# last build that compiled the kernel crate for the lint suite.
	if grep -qE ' L rust/kernel\.o$' "$odir/build.log"; then
		cp "$odir/build.log" "$odir/build-rust-kernel.log"
	fi
	# The same for each of our Rust objects outside the kernel crate.
	for rs in $(driver_rs_files); do
		if grep -qE " ${rs%.rs}\.o\$" "$odir/build.log"; then
			cp "$odir/build.log" "$odir/$(rust_log_name "$rs")"
		fi
	done
	rm -rf "$odir/modinst"
	kmake "$arch" "$odir" -s INSTALL_MOD_PATH="$odir/modinst" modules_install >/dev/null 2>&1 || true
	kmake "$arch" "$odir" -s INSTALL_HDR_PATH="$odir/hdr" headers_install >/dev/null
	log "built $arch-$profile in $(( $(date +%s) - t0 )) s"
	echo $(( $(date +%s) - t0 )) >"$odir/.riommu-build-seconds"
}
