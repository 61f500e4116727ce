# SPDX-License-Identifier: GPL-2.0
# 'riommu initramfs' and 'riommu vm': guest userspace and the QEMU runner.

cross_cc() { case $1 in x86_64) echo gcc ;; arm64) echo aarch64-linux-gnu-gcc ;; esac; }

busybox_bin() {
	case $1 in
	x86_64) echo /bin/busybox ;;
	arm64) echo "$CACHE/busybox-arm64/bin/busybox" ;;
	esac
}

# Build the test programs statically against this build's UAPI headers:
# the upstream iommufd selftests unchanged, from the synced tree, and ours.
build_tests() {
	local arch=$1 profile=$2 odir=$3 dst=$4 cc st=$CACHE/tree/tools/testing/selftests/iommu
	cc=$(cross_cc "$arch")
	local cflags=(-static -O2 -Wall -Wno-unused-function -D_GNU_SOURCE -I"$odir/hdr/include"
		-I"$CACHE/tree/tools/testing/selftests" -I"$CACHE/tree/tools/include")
	# A debug kernel under TCG is ~10x slower: the harness's 30 s per test
	# is not a correctness limit there (patch 0003 makes it a build option).
	case $profile in *debug*) cflags+=(-DTEST_TIMEOUT_DEFAULT=300) ;; esac
	mkdir -p "$dst"
	local t
	for t in iommufd iommufd_fail_nth; do
		"$cc" "${cflags[@]}" -o "$dst/$t" "$st/$t.c" -lcap -lpthread ||
			die "building selftest $t for $arch failed"
	done
	for t in "$st"/riommu_*.c; do
		"$cc" "${cflags[@]}" -o "$dst/$(basename "$t" .c)" "$t" -lpthread ||
			die "building $(basename "$t") for $arch failed"
	done
	build_vfio_tests "$arch" "$profile" "$odir" "$dst"
}

# The upstream VFIO selftests that run on QEMU's edu device, unchanged, with
# their library as tools/testing/selftests/vfio/lib/libvfio.mk builds it (its
# device drivers included: vfio_pci_driver.c refers to them, although edu has
# none). The UAPI headers come in with -isystem, as the selftests' own
# KHDR_INCLUDES, so that tools/include's linux/types.h (u64, list_head) wins.
# The tests left out, and why, are listed at the vfio_selftests suite in
# guest/init.
VFIO_TESTS="vfio_iommufd_setup_test vfio_pci_device_test vfio_dma_mapping_test
vfio_dma_mapping_mmio_test vfio_pci_device_init_perf_test"
build_vfio_tests() {
	local arch=$1 profile=$2 odir=$3 dst=$4 cc st=$CACHE/tree/tools/testing/selftests c t obj
	local vd=$st/vfio lib=(iommu.c iova_allocator.c libvfio.c sysfs.c vfio_pci_device.c
		vfio_pci_driver.c drivers/nv_falcon/nv_falcon.c drivers/igb/igb.c)
	cc=$(cross_cc "$arch")
	# libvfio.mk builds the Intel DMA engines' drivers on x86 only.
	case $arch in x86_64) lib+=(drivers/ioat/ioat.c drivers/dsa/dsa.c) ;; esac
	local cflags=(-static -O2 -Wall -Wno-unused-function -D_GNU_SOURCE -isystem "$odir/hdr/include"
		-I"$st" -I"$CACHE/tree/tools/include" -I"$vd/lib/include")
	case $profile in *debug*) cflags+=(-DTEST_TIMEOUT_DEFAULT=300) ;; esac
	obj=$(mktemp -d)
	for c in "${lib[@]}"; do
		"$cc" "${cflags[@]}" -c -o "$obj/$(basename "$c" .c).o" "$vd/lib/$c" ||
			die "building the VFIO selftests' $c for $arch failed"
	done
	for t in $VFIO_TESTS; do
		"$cc" "${cflags[@]}" -o "$dst/$t" "$vd/$t.c" "$obj"/*.o -pthread -luuid ||
			die "building VFIO selftest $t for $arch failed"
	done
	rm -rf "$obj"
}

cmd_initramfs() {
	local arch=${1:?usage: riommu initramfs ARCH [PROFILE]} profile=${2:-default} odir root
	odir=$(build_dir "$arch" "$profile")
	[ -f "$odir/hdr/include/linux/iommufd.h" ] || die "build $arch-$profile first"
	root=$odir/initramfs
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,tests,etc}
	cp "$(busybox_bin "$arch")" "$root/bin/busybox"
	cp "$RIOMMU_DIR/guest/init" "$root/init"
	chmod +x "$root/init"
	build_tests "$arch" "$profile" "$odir" "$root/tests"
	[ -d "$odir/modinst/lib/modules" ] && cp -a "$odir/modinst/lib" "$root/"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$odir/initramfs.cpio.gz"
	log "initramfs $odir/initramfs.cpio.gz ($(du -h "$odir/initramfs.cpio.gz" | cut -f1))"
}

# vtd_flts: the VT-d translation stage QEMU offers, RIOMMU_VTD_STAGE=fs (the
# default: first stage, x-flts=on) or ss (second stage). QEMU's scalable mode
# has one or the other, never both, and no nesting. The second-stage unit also
# has no pass-through (pt=off, ECAP.PT clear): with iommu.passthrough=1, which
# the test's second-stage runs add, the driver's def_domain_type must still
# give every device a DMA domain.
vtd_flts() {
	case ${RIOMMU_VTD_STAGE:-fs} in
	fs) echo ,x-flts=on ;;
	ss) echo ,pt=off ;;
	*) die "RIOMMU_VTD_STAGE=$RIOMMU_VTD_STAGE: fs or ss" ;;
	esac
}

# qemu_cmd ARCH PROFILE PLAN [ARGS]: print the QEMU command line, one word a
# line. ARGS are extra kernel arguments.
#
# With RIOMMU_ICOUNT=1 in the environment the guest runs deterministically:
# one vCPU on single-threaded TCG with -icount shift=0,sleep=off, so that its
# clock counts the instructions it executed, 1 ns each, and skips idle time
# instead of waiting for the host. Its timings are then instruction counts,
# which host load does not change ('riommu bench --icount'); the kernel
# argument riommu.clock=icount records that in the console log. The host's
# randomness and date are kept out too, or the guest's random numbers (user
# mmap addresses, allocation order) move its counts by up to 0.5% from one
# boot to the next: no RDRAND/RDSEED (x86_64) or DTB rng-seed (arm64), the
# RTC at a fixed date on the virtual clock, and norandmaps. Two boots of a
# kernel then print the same console log, timestamps included.
qemu_cmd() {
	local arch=$1 profile=$2 plan=$3 extra=${4:-} odir
	local cpus=(-accel tcg,thread=multi -smp 2) x86_cpu=max virt=virt,gic-version=3,iommu=smmuv3
	if [ "${RIOMMU_ICOUNT:-0}" = 1 ]; then
		cpus=(-accel tcg,thread=single -smp 1 -icount shift=0,sleep=off
			-rtc base=2000-01-01T00:00:00,clock=vm)
		x86_cpu=max,rdrand=off,rdseed=off virt=$virt,dtb-randomness=off
		extra="riommu.clock=icount norandmaps${extra:+ $extra}"
	fi
	odir=$(build_dir "$arch" "$profile")
	local common=("${cpus[@]}" -m 4G -nographic -no-reboot
		-nic none -initrd "$odir/initramfs.cpio.gz")
	case $arch in
	x86_64)
		# The vIOMMU must come before the other PCI devices.
		printf '%s\n' qemu-system-x86_64 -M q35 -cpu "$x86_cpu" "${common[@]}" \
			-device "intel-iommu,intremap=on,x-scalable-mode=on$(vtd_flts),aw-bits=48,device-iotlb=on,snoop-control=on" \
			-device edu,dma_mask=0xffffffffffffffff \
			-device pcie-root-port,id=rp0,chassis=1 \
			-device virtio-rng-pci,bus=rp0,disable-legacy=on,ats=on \
			-kernel "$odir/arch/x86/boot/bzImage" \
			-append "console=ttyS0 intel_iommu=on,sm_on panic=-1 riommu.plan=$plan $extra"
		;;
	arm64)
		printf '%s\n' qemu-system-aarch64 -M "$virt" -cpu cortex-a57 \
			"${common[@]}" -device edu,dma_mask=0xffffffffffffffff \
			-kernel "$odir/arch/arm64/boot/Image" \
			-append "console=ttyAMA0 panic=-1 riommu.plan=$plan $extra"
		;;
	esac
}

# vm_run ARCH PROFILE PLAN LOG TIMEOUT [ARGS]: boot, run the plan, log the
# console.
vm_run() {
	local arch=$1 profile=$2 plan=$3 logf=$4 tmo=${5:-900} extra=${6:-} cmd rc=0
	mapfile -t cmd < <(qemu_cmd "$arch" "$profile" "$plan" "$extra")
	mkdir -p "$(dirname "$logf")"
	log "booting $arch-$profile (plan $plan, at most ${tmo}s), console: $logf"
	timeout --foreground -k 10 "$tmo" "${cmd[@]}" </dev/null >"$logf" 2>&1 || rc=$?
	[ $rc = 124 ] && log "VM $arch-$profile timed out after ${tmo}s"
	return $rc
}

cmd_vm() {
	local arch=${1:?usage: riommu vm ARCH [PROFILE] [PLAN] [KERNEL_ARG]...} profile=${2:-default} plan=${3:-shell} cmd
	mapfile -t cmd < <(qemu_cmd "$arch" "$profile" "$plan" "${*:4}")
	exec "${cmd[@]}"
}
