#!/bin/bash
# boot.sh ARCH PROFILE LOG [extra kernel args...]: one icount boot of /tmp/prof2/ARCH-PROFILE, plan=bench
# (QEMU command = qemu_cmd of /work/main/scripts/riommu/lib/guest.sh with RIOMMU_ICOUNT=1)
arch=$1 prof=$2 log=$3; shift 3
extra="$*"
d=/tmp/prof2/$arch-$prof
QEMU_EXTRA=${QEMU_EXTRA:-}
plan=${PLAN:-bench}
common=(-accel tcg,thread=single -smp 1 -icount shift=0,sleep=off -rtc base=2000-01-01T00:00:00,clock=vm -m 4G -nographic -no-reboot -nic none -initrd ${INITRD:-$d/initramfs.cpio.gz})
case $arch in
x86_64) exec timeout 1800 qemu-system-x86_64 -M q35 -cpu max,rdrand=off,rdseed=off "${common[@]}" \
  -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,aw-bits=48,device-iotlb=on -device edu,dma_mask=0xffffffffffffffff \
  -device pcie-root-port,id=rp0,chassis=1 -device virtio-rng-pci,bus=rp0,disable-legacy=on,ats=on \
  -kernel $d/arch/x86/boot/bzImage $QEMU_EXTRA \
  -append "console=ttyS0 intel_iommu=on,sm_on panic=-1 riommu.plan=$plan riommu.clock=icount norandmaps $extra" </dev/null >$log 2>&1 ;;
arm64) exec timeout 1800 qemu-system-aarch64 -M virt,gic-version=3,iommu=smmuv3,dtb-randomness=off -cpu cortex-a57 "${common[@]}" \
  -device edu,dma_mask=0xffffffffffffffff -kernel $d/arch/arm64/boot/Image $QEMU_EXTRA \
  -append "console=ttyAMA0 panic=-1 riommu.plan=$plan riommu.clock=icount norandmaps $extra" </dev/null >$log 2>&1 ;;
esac
