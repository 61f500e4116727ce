# SPDX-License-Identifier: GPL-2.0
# 'riommu setup': install the toolchain, QEMU and the base kernel source.
# Idempotent: every step checks first and is skipped when already done.

# The Debian mirror this machine already uses (never a hardcoded host).
mirror_uri() {
	local u
	u=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '{print $2}' | grep -v -- '-security' | head -n1)
	[ -n "$u" ] || u=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null |
		awk '{print $2}' | grep -v -- '-security' | head -n1)
	[ -n "$u" ] || die "cannot find the Debian mirror in /etc/apt"
	echo "$u"
}

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return
	log "apt-get update"
	apt-get -qq update >/dev/null || die "apt-get update failed"
	apt_updated=1
}

have_pkgs() { dpkg-query -W -f='${Status}\n' "$@" 2>/dev/null | grep -c 'ok installed' | grep -qx "$#"; }

install_pkgs() {
	have_pkgs "$@" && return
	apt_update_once
	log "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends "$@" >/dev/null ||
		die "apt-get install $* failed"
}

setup_backports() {
	local f=/etc/apt/sources.list.d/riommu-bookworm-backports.sources
	[ -f "$f" ] && return
	log "adding bookworm-backports (for QEMU 10.0)"
	cat >"$f" <<EOS
Types: deb
URIs: $(mirror_uri)
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	apt_updated=
}

setup_arm64_arch() {
	dpkg --print-foreign-architectures | grep -qx arm64 && return
	log "adding the arm64 dpkg architecture (static arm64 libraries for guest programs)"
	dpkg --add-architecture arm64
	apt_updated=
}

setup_packages() {
	setup_backports
	setup_arm64_arch
	install_pkgs rustc-web rust-web-src rust-web-clippy rustfmt-web clang-22 libclang-22-dev lld-22 llvm-22 \
		bc bison flex libelf-dev libssl-dev cpio kmod rsync make gcc libc6-dev \
		libcap-dev uuid-dev busybox-static xz-utils python3 gnuplot-nox \
		gcc-aarch64-linux-gnu libc6-dev-arm64-cross libcap-dev:arm64 uuid-dev:arm64
	if ! have_pkgs qemu-system-x86 qemu-system-arm ||
	   ! qemu-system-x86_64 --version | grep -q 'version 10\.'; then
		apt_update_once
		log "apt-get install -t bookworm-backports qemu-system-x86 qemu-system-arm"
		DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends \
			-t bookworm-backports qemu-system-x86 qemu-system-arm >/dev/null ||
			die "QEMU install failed"
	fi
}

# 0.72.1: older bindgen with libclang >= 22 makes structs opaque (rust-bindgen PR 3278;
# the kernel warns of it), and the toolchain is LLVM 22.
setup_bindgen() {
	if [ -x "$BINDGEN" ] && "$BINDGEN" --version | grep -q ' 0\.72\.1'; then return; fi
	log "cargo install bindgen-cli 0.72.1"
	cargo install --locked bindgen-cli --version 0.72.1 -q ||
		die "bindgen install failed"
}

# Static arm64 busybox, extracted from Debian's package (no cross build).
setup_busybox_arm64() {
	local d=$CACHE/busybox-arm64
	[ -x "$d/bin/busybox" ] && return
	apt_update_once
	log "fetching busybox-static:arm64"
	local tmp; tmp=$(mktemp -d)
	(cd "$tmp" && apt-get -qq -o APT::Sandbox::User=root download busybox-static:arm64) || die "busybox-static:arm64 download failed"
	rm -rf "$d"; mkdir -p "$d"
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$d"
	rm -rf "$tmp"
	[ -x "$d/bin/busybox" ] || die "no arm64 busybox in the package"
}

# The base kernel: linux-source-7.3 from trixie-backports, fetched through a
# private apt configuration so that the system's sources stay untouched.
setup_base() {
	local b=$CACHE/base
	if [ -f "$b/CURRENT" ] && [ -f "$b/$(cat "$b/CURRENT")/Makefile" ]; then return; fi
	mkdir -p "$b/apt/lists/partial" "$b/apt/archives/partial"
	local src=$b/apt/sources.list
	# Verified with the Debian archive keyring the machine already trusts.
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror_uri) $BASE_SUITE main" >"$src"
	local aptopt=(-o Dir::Etc::SourceList="$src" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$b/apt/lists" -o Dir::Cache::Archives="$b/apt/archives"
		-o APT::Architectures::=amd64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
	log "apt-get update ($BASE_SUITE, private lists)"
	apt-get -qq "${aptopt[@]}" update >/dev/null || die "update of $BASE_SUITE failed"
	local ver
	ver=$(apt-cache "${aptopt[@]}" show "$BASE_PKG" 2>/dev/null | awk '/^Version:/{print $2}' | sort -V | tail -n1)
	[ -n "$ver" ] || die "$BASE_PKG is not in $BASE_SUITE"
	log "downloading $BASE_PKG $ver"
	(cd "$b" && apt-get -qq "${aptopt[@]}" download "$BASE_PKG=$ver") || die "download failed"
	local deb; deb=$(ls "$b"/${BASE_PKG}_*.deb | head -n1)
	rm -rf "$b/deb"; mkdir -p "$b/deb"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$b/deb" ./usr/src/
	local tarball; tarball=$(ls "$b"/deb/usr/src/linux-source-7.3*.tar.xz | head -n1)
	log "unpacking $tarball"
	rm -rf "$b/unpack"
	mkdir -p "$b/unpack"
	tar -xJf "$tarball" -C "$b/unpack"
	local name; name=$(ls "$b/unpack")
	[ "$(echo "$name" | wc -l)" = 1 ] || die "unexpected layout of $tarball"
	rm -rf "${b:?}/$name"
	mv "$b/unpack/$name" "$b/$name"
	rmdir "$b/unpack"
	chmod -R a-w "$b/$name"
	echo "$name" >"$b/CURRENT"
	echo "$BASE_PKG $ver" >"$b/VERSION"
	rm -rf "$b/deb" "$deb"
	if [ "$ver" != "7.3.4-1~bpo13+1" ]; then
		log "note: $BASE_PKG 7.3.4-1~bpo13+1 is gone, using $ver"
	fi
}

cmd_setup() {
	mkdir -p "$CACHE"
	setup_packages
	setup_bindgen
	setup_busybox_arm64
	setup_base
	local t; t=$(base_tree)
	make -s -C "$t" O="$CACHE/rustavail" LLVM=1 RUSTC="$KRUSTC" BINDGEN="$BINDGEN" rustavailable >/dev/null 2>&1 ||
		make -C "$t" O="$CACHE/rustavail" LLVM=1 RUSTC="$KRUSTC" BINDGEN="$BINDGEN" rustavailable || die "Rust is not available for the kernel"
	log "setup done: $(base_version), $($KRUSTC --version), $("$BINDGEN" --version 2>&1 | head -n1), $(qemu-system-x86_64 --version | head -n1)"
}
