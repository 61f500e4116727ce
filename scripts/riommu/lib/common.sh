# SPDX-License-Identifier: GPL-2.0
# Shared settings for scripts/riommu/riommu. Sourced, not run.

RIOMMU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
RIOMMU_DIR=$RIOMMU_TOP/scripts/riommu
# Everything big lives outside the repo, so that builds stay incremental
# across clones and CI runs on the same machine.
CACHE=${RIOMMU_CACHE:-/var/cache/riommu}
OUT=${RIOMMU_OUT:-$RIOMMU_TOP/out}

# Base kernel: Debian's linux-source-7.3 from trixie-backports.
BASE_PKG=linux-source-7.3
BASE_SUITE=trixie-backports

LLVM_BIN=/usr/lib/llvm-22/bin
export PATH=$LLVM_BIN:$PATH
export LIBCLANG_PATH=/usr/lib/llvm-22/lib
BINDGEN=${BINDGEN:-${CARGO_HOME:-${HOME:-/root}/.cargo}/bin/bindgen}
# The rustup rustc has no rust-src; Debian's rustc-web does.
KRUSTC=/usr/bin/rustc
KRUSTDOC=/usr/bin/rustdoc
# Same for the lint and format tools (Debian rust-web-clippy, rustfmt-web).
# Clippy runs on every build: its warnings in our files fail the lint suite.
KTOOLS=(RUSTFMT=/usr/bin/rustfmt CLIPPY_DRIVER=/usr/bin/clippy-driver CLIPPY=1)
JOBS=${RIOMMU_JOBS:-$(( $(nproc) + 1 ))}

log() { printf '[riommu %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Path of the unpacked, pristine base tree (set up by 'riommu setup').
base_tree() {
	local f=$CACHE/base/CURRENT
	[ -f "$f" ] || die "no base kernel: run 'scripts/riommu/riommu setup'"
	echo "$CACHE/base/$(cat "$f")"
}
base_version() { cat "$CACHE/base/VERSION"; }

kmake() { # kmake ARCH ODIR args...
	local arch=$1 odir=$2; shift 2
	make -C "$CACHE/tree" O="$odir" ARCH="$arch" LLVM=1 RUSTC="$KRUSTC" RUSTDOC="$KRUSTDOC" \
		BINDGEN="$BINDGEN" "${KTOOLS[@]}" -j"$JOBS" "$@"
}
