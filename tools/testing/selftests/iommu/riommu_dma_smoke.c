// SPDX-License-Identifier: GPL-2.0
/*
 * riommu DMA smoke test: real DMA through the (emulated) IOMMU.
 *
 * QEMU's "edu" device (PCI 1234:11e8) copies up to 4 KiB between guest memory
 * and its on-device buffer. This test binds it to vfio-pci, opens its VFIO
 * cdev, binds that to iommufd, allocates an IOAS, maps a buffer, attaches the
 * device (iommufd allocates the paging domain of the IOMMU driver), and makes
 * the device DMA out of and into the buffer. Then it allocates a nest parent
 * HWPT (IOMMU_HWPT_ALLOC_NEST_PARENT) on the IOAS and attaches the device
 * directly to it: on arm64 (SMMUv3, a stage-2 only STE) the DMA must work
 * through it both ways; on x86_64 QEMU's VT-d has no nesting and the driver
 * must refuse it with EOPNOTSUPP. The device goes back to the IOAS. Then it
 * unmaps the buffer, makes the device write to the stale IOVA and checks that
 * memory did not change and that the IOMMU driver reported a translation fault
 * in the kernel log. On x86_64 it then checks PCI ATS on a second device (see
 * test_ats()) and the enforced cache coherency of edu's domain (test_cc()).
 *
 * Output is KTAP. Usage: riommu_dma_smoke [PCI-BDF]
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "riommu_edu.h"

#define EDU_BUF_SIZE	4096

/*
 * A nest parent HWPT on the real IOMMU: QEMU's SMMUv3 (stage=nested) gives
 * one that the device can be attached to directly; QEMU's VT-d never reports
 * nesting, so the C driver refuses it and one check asserts that errno.
 */
#if defined(__aarch64__)
#define NEST_PARENT_TESTS	6
/* The SMMUv3 drivers' software MSI window (MSI_IOVA_BASE, MSI_IOVA_LENGTH). */
#define MSI_REGION	"0x0000000008000000 0x00000000080fffff msi"
#elif defined(__x86_64__)
#define NEST_PARENT_TESTS	1
/* VT-d's interrupt address range, which is not translated. */
#define MSI_REGION	"0x00000000fee00000 0x00000000feefffff msi"
#else
#error "riommu_dma_smoke: no nest parent expectation for this architecture"
#endif

static const char *const fault_patterns[] = {
	"DMAR: \\[DMA Write",			/* intel-iommu */
	/* SMMUv3 F_TRANSLATION .. F_PERMISSION: the C driver (arm-smmu-v3) or the Rust one (arm_smmu_v3_rs) */
	"(arm-smmu-v3|arm_smmu_v3_rs) .*event 0x1[0-3]",
	"(arm-smmu-v3|arm_smmu_v3_rs) .*(F_TRANSLATION|F_ADDR_SIZE|F_ACCESS|F_PERMISSION)",
	"riommu.*fault",			/* our drivers */
};

static int test_no;
static int failures;

static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d ", ok ? "ok" : "not ok", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

/*
 * An expected failure: with KNOWN_BUG (a reason) set, a failure is reported
 * as "not ok ... # TODO KNOWN_BUG" and not counted, a pass as "ok ... # TODO"
 * (the harness counts that unexpected pass as a failure, so that the
 * expectation is revisited).
 */
static void result_known_bug(bool ok, const char *known_bug, const char *name)
{
	if (!known_bug) {
		result(ok, "%s", name);
		return;
	}
	printf("%s %d %s # TODO %s\n", ok ? "ok" : "not ok", ++test_no, name, known_bug);
	fflush(stdout);
}

/*
 * The IOMMU driver of the run as the harness names it on the kernel command
 * line (riommu.iommu=, e.g. c-vtd-fs or rust-vtd-ss): whether it starts with
 * PREFIX.
 */
static bool iommu_driver_is(const char *prefix)
{
	char line[4096], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	bool is = false;

	if (f && fgets(line, sizeof(line), f)) {
		p = strstr(line, "riommu.iommu=");
		is = p && !strncmp(p + strlen("riommu.iommu="), prefix, strlen(prefix));
	}
	if (f)
		fclose(f);
	return is;
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}


/*
 * RAM -> device -> RAM through the IOMMU at IOVA (out, then in), then compare.
 * Reports one result, NAME.
 */
static void dma_roundtrip(const char *name, uint64_t iova, const unsigned char *out,
			  unsigned char *in)
{
	bool same;

	if (edu_dma(iova, EDU_BUF, EDU_BUF_SIZE, 0) ||
	    edu_dma(EDU_BUF, iova + EDU_BUF_SIZE, EDU_BUF_SIZE, EDU_CMD_TO_RAM)) {
		result(false, "%s (timeout)", name);
		return;
	}
	same = !memcmp(out, in, EDU_BUF_SIZE);
	if (!same)
		diag("first bytes in=%02x%02x%02x%02x out=%02x%02x%02x%02x",
		     in[0], in[1], in[2], in[3], out[0], out[1], out[2], out[3]);
	result(same, "%s %d bytes", name, EDU_BUF_SIZE);
}

/* Allocate a nest parent HWPT on IOAS_ID for DEV_ID: its id, or -errno. */
static long nest_parent_alloc(int iommufd, uint32_t dev_id, uint32_t ioas_id)
{
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
		.dev_id = dev_id,
		.pt_id = ioas_id,
	};

	if (ioctl(iommufd, IOMMU_HWPT_ALLOC, &hwpt))
		return -errno;
	return hwpt.out_hwpt_id;
}

static int hwpt_destroy(int iommufd, uint32_t id)
{
	struct iommu_destroy destroy = { .size = sizeof(destroy), .id = id };

	return ioctl(iommufd, IOMMU_DESTROY, &destroy);
}

#if defined(__aarch64__)
/*
 * Attach the device, attached to IOAS_ID now, directly to a nest parent HWPT
 * allocated on that IOAS (the SMMUv3 driver gives it a stage-2 only STE), DMA
 * through it both ways at IOVA, then detach it and attach it to the IOAS
 * again. Reports NEST_PARENT_TESTS results.
 */
static void test_nest_parent(int devfd, int iommufd, uint32_t dev_id, uint32_t ioas_id,
			     uint64_t iova, unsigned char *out, unsigned char *in)
{
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_device_detach_iommufd_pt detach = { .argsz = sizeof(detach) };
	uint32_t hwpt_id = 0;
	long id;
	size_t i;
	int rc;

	id = nest_parent_alloc(iommufd, dev_id, ioas_id);
	if (id < 0)
		diag("IOMMU_HWPT_ALLOC(NEST_PARENT): %s", strerror(-id));
	else
		hwpt_id = id;
	result(id >= 0, "hwpt_alloc_nest_parent id=%u", hwpt_id);

	/* Replaces the IOAS's automatic domain; pt_id comes back unchanged. */
	attach.pt_id = hwpt_id;
	rc = id < 0 || ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) ||
	     attach.pt_id != hwpt_id;
	result(!rc, "attach_nest_parent hwpt=%u", attach.pt_id);

	/*
	 * New data, every byte unlike what edu holds from the last DMA, and a
	 * cleared destination: each direction must have gone through. Without
	 * the attach the device is still on the IOAS: no DMA then.
	 */
	for (i = 0; i < EDU_BUF_SIZE; i++) {
		out[i] = ~out[i];
		in[i] = 0;
	}
	if (rc)
		result(false, "dma_roundtrip_nest_parent (not attached)");
	else
		dma_roundtrip("dma_roundtrip_nest_parent", iova, out, in);

	rc = ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
	result(!rc, "detach_nest_parent");
	attach.pt_id = ioas_id;
	rc = ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	result(!rc, "reattach_ioas hwpt=%u", attach.pt_id);
	result(id >= 0 && !hwpt_destroy(iommufd, hwpt_id), "destroy_nest_parent");
}
#elif defined(__x86_64__)
/*
 * QEMU's VT-d reports no nesting: the driver must refuse a nest parent with
 * EOPNOTSUPP, and the device stays on IOAS_ID. Reports NEST_PARENT_TESTS
 * results.
 */
static void test_nest_parent(int devfd, int iommufd, uint32_t dev_id, uint32_t ioas_id,
			     uint64_t iova, unsigned char *out, unsigned char *in)
{
	long id = nest_parent_alloc(iommufd, dev_id, ioas_id);

	if (id < 0) {
		diag("IOMMU_HWPT_ALLOC(NEST_PARENT): %s", strerror(-id));
	} else {
		diag("IOMMU_HWPT_ALLOC(NEST_PARENT) succeeded: id=%ld", id);
		hwpt_destroy(iommufd, id);
	}
	result(id == -EOPNOTSUPP, "hwpt_alloc_nest_parent_eopnotsupp");
}
#endif

#if defined(__x86_64__)
#define FAILED_REPLACE_TESTS	2
/*
 * A replace the IOMMU driver refuses must leave the device translating through
 * its current domain (iommufd_device_replace(): "no change is made to the
 * attachment"). The new HWPT is fault-capable (IOMMU_HWPT_FAULT_ID_VALID), which
 * VT-d attaches only to a device with PRI enabled; edu has none, so the attach
 * fails in the driver with ENODEV (the C driver's intel_iommu_enable_iopf()),
 * after every check of the core. The C driver has blocked the device by then
 * (intel_iommu_attach_device() calls device_block_translation() first) and the
 * core re-attaches the old domain; the Rust driver changes nothing before its
 * checks pass. Then DMA through the old domain at IOVA, both ways. Reports
 * FAILED_REPLACE_TESTS results.
 */
static void test_failed_replace(int devfd, int iommufd, uint32_t dev_id, uint64_t iova,
				unsigned char *out, unsigned char *in)
{
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = dev_id,
	};
	int rc, err;

	if (ioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &fault) ||
	    ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		bail("IOMMU_FAULT_QUEUE_ALLOC or IOMMU_IOAS_ALLOC");
	hwpt.pt_id = ioas.out_ioas_id;
	hwpt.fault_id = fault.out_fault_id;
	if (ioctl(iommufd, IOMMU_HWPT_ALLOC, &hwpt))
		bail("IOMMU_HWPT_ALLOC(FAULT_ID_VALID)");
	attach.pt_id = hwpt.out_hwpt_id;
	rc = ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	err = rc ? errno : 0;
	diag("replace with a fault-capable HWPT: %s", rc ? strerror(err) : "succeeded");
	result(rc && err == ENODEV, "replace_iopf_hwpt_enodev");
	/* A DMA that did not happen must not look like one that did. */
	memset(in, 0, EDU_BUF_SIZE);
	if (edu_dma(iova, EDU_BUF, EDU_BUF_SIZE, 0) ||
	    edu_dma(EDU_BUF, iova + EDU_BUF_SIZE, EDU_BUF_SIZE, EDU_CMD_TO_RAM))
		diag("DMA after the failed replace timed out");
	/*
	 * The upstream C driver fails this: the device stays blocked (its PASID
	 * entry cleared), also after the core re-attached the old domain.
	 */
	result_known_bug(!memcmp(out, in, EDU_BUF_SIZE),
			 iommu_driver_is("c-vtd") ?
			 "upstream C VT-d driver: intel_iommu_attach_device() blocks the device before checks that can fail" :
			 NULL, "dma_after_failed_replace");
	hwpt_destroy(iommufd, hwpt.out_hwpt_id);
	hwpt_destroy(iommufd, ioas.out_ioas_id);
	hwpt_destroy(iommufd, fault.out_fault_id);
	close(fault.out_fault_fd);
}
#else
#define FAILED_REPLACE_TESTS	0
static void test_failed_replace(int devfd, int iommufd, uint32_t dev_id, uint64_t iova,
				unsigned char *out, unsigned char *in)
{
}
#endif

/* Kernel log reader positioned at the end, for fault reports. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Reads the kernel log from FD to its end; whether a record matched one of
 * the NPATS extended regular expressions PATS (the first is copied to LINE).
 */
static bool kmsg_find(int fd, const char *const *pats, size_t npats, char *line, size_t len)
{
	char rec[2048];
	regex_t re[8];
	bool found = false;
	size_t i;

	if (npats > sizeof(re) / sizeof(re[0]))
		return false;
	for (i = 0; i < npats; i++)
		if (regcomp(&re[i], pats[i], REG_EXTENDED | REG_NOSUB))
			return false;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: keep reading */
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (i = 0; i < npats && !found; i++) {
			if (!regexec(&re[i], msg, 0, NULL, 0)) {
				found = true;
				snprintf(line, len, "%.*s", (int)len - 1, msg);
				line[strcspn(line, "\n")] = 0;
			}
		}
	}
	for (i = 0; i < npats; i++)
		regfree(&re[i]);
	return found;
}

static bool kmsg_find_fault(int fd, char *line, size_t len)
{
	return kmsg_find(fd, fault_patterns,
			 sizeof(fault_patterns) / sizeof(fault_patterns[0]), line, len);
}

#if defined(__x86_64__)
/*
 * PCI ATS (x86_64): QEMU's VT-d has device TLBs (device-iotlb=on) and the
 * guest a virtio-rng device (1af4:1044) with an ATS capability behind a PCIe
 * root port. The IOMMU driver enables ATS when it probes the device (the C
 * driver's intel_iommu_probe_finalize(), the Rust driver's probe_finalize)
 * and invalidates the device's TLB after the IOTLB when a mapping goes and
 * when the device leaves a domain. QEMU fails a descriptor it rejects (a
 * reserved bit set, for example) with an invalidation queue error, which the
 * drivers log; it traces no accepted device-TLB descriptor, so their encoding
 * is compared with the C driver's by KUnit (intel_iommu_rs_hw).
 */
#define ATS_TESTS	5
#define ATS_VENDOR	0x1af4
#define ATS_DEVICE	0x1044

static const char *const invalidation_errors[] = {
	"Invalidation Queue Error|Invalidation Time-out Error",	/* C, dmar.c */
	"invalidation .*failed",			/* the Rust driver */
};

/* The ATS Control register of the device, or -1 if it has no ATS capability. */
static int ats_ctrl(const char *bdf)
{
	unsigned char cfg[4096];
	char path[PATH_MAX];
	unsigned int pos = 0x100, hops = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = pread(fd, cfg, sizeof(cfg), 0);
	close(fd);
	if (n < (ssize_t)sizeof(cfg))
		return -1;
	while (pos >= 0x100 && pos + 8 <= sizeof(cfg) && hops++ < 64) {
		uint32_t hdr = cfg[pos] | cfg[pos + 1] << 8 | cfg[pos + 2] << 16 |
			       (uint32_t)cfg[pos + 3] << 24;

		if (PCI_EXT_CAP_ID(hdr) == PCI_EXT_CAP_ID_ATS)
			return cfg[pos + PCI_ATS_CTRL] | cfg[pos + PCI_ATS_CTRL + 1] << 8;
		pos = PCI_EXT_CAP_NEXT(hdr);
	}
	return -1;
}

static void test_ats(void)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .flags = 0 };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_hw_info hw = { .size = sizeof(hw) };
	char bdf[NAME_MAX + 1] = "", cdev[NAME_MAX + 32] = "", err[512] = "";
	const size_t len = 64 * 1024;
	int ctrl, devfd, iommufd, kmsg, rc;
	bool ok;
	void *buf;

	if (find_pci(ATS_VENDOR, ATS_DEVICE, bdf, sizeof(bdf))) {
		result(false, "ats_enabled: no virtio-rng device (PCI %04x:%04x)",
		       ATS_VENDOR, ATS_DEVICE);
		result(false, "ats_hw_info_supported");
		result(false, "ats_attach");
		result(false, "ats_unmap");
		result(false, "ats_no_invalidation_error");
		return;
	}
	ctrl = ats_ctrl(bdf);
	diag("ATS device %s, ATS control 0x%x", bdf, ctrl);
	result(ctrl >= 0 && (ctrl & PCI_ATS_CTRL_ENABLE), "ats_enabled %s", bdf);

	kmsg = kmsg_open();
	devfd = bind_vfio(bdf, cdev, sizeof(cdev)) ? -1 : open(cdev, O_RDWR);
	iommufd = open("/dev/iommu", O_RDWR);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bind.iommufd = iommufd;
	ok = devfd >= 0 && iommufd >= 0 && buf != MAP_FAILED &&
	     !ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	/* The driver's capable(IOMMU_CAP_PCI_ATS_SUPPORTED), as iommufd reports it. */
	hw.dev_id = bind.out_devid;
	rc = ok ? ioctl(iommufd, IOMMU_GET_HW_INFO, &hw) : -1;
	result(!rc && !(hw.out_capabilities & IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED),
	       "ats_hw_info_supported capabilities=0x%llx",
	       (unsigned long long)hw.out_capabilities);
	ok = ok && !ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc);
	if (ok) {
		map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
		map.ioas_id = alloc.out_ioas_id;
		map.user_va = (uintptr_t)buf;
		map.length = len;
		attach.pt_id = alloc.out_ioas_id;
		ok = !ioctl(iommufd, IOMMU_IOAS_MAP, &map) &&
		     !ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	}
	result(ok, "ats_attach %s", cdev);
	/* The unmap invalidates the IOTLB, then the device's TLB. */
	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = map.iova;
	unmap.length = len;
	result(ok && !ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap) && unmap.length == len,
	       "ats_unmap iova=0x%llx", (unsigned long long)map.iova);
	/* Closing detaches the device: its entry and device TLB go. */
	if (devfd >= 0)
		close(devfd);
	if (iommufd >= 0)
		close(iommufd);
	if (buf != MAP_FAILED)
		munmap(buf, len);
	if (kmsg >= 0 &&
	    kmsg_find(kmsg, invalidation_errors,
		      sizeof(invalidation_errors) / sizeof(invalidation_errors[0]),
		      err, sizeof(err)))
		diag("%s", err);
	result(kmsg >= 0 && !err[0], "ats_no_invalidation_error");
	if (kmsg >= 0)
		close(kmsg);
}
/*
 * Cache coherency (x86_64): QEMU's VT-d has snoop control (snoop-control=on),
 * so both VT-d drivers report IOMMU_CAP_ENFORCE_CACHE_COHERENCY and iommufd
 * has the domain of each new paging HWPT of the device enforce it (PGSNP in a
 * first-stage entry, SNP in second-stage leaves). VFIO's container
 * compatibility reports that as VFIO_DMA_CC_IOMMU: the device through its
 * group on iommufd's /dev/vfio/vfio, then the extension.
 */
#define CC_TESTS	1

static void test_cc(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX], *grp;
	int container = -1, group = -1, dev = -1, cc = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = 0;
		grp = strrchr(link, '/');
		/* A group number: a few digits. */
		snprintf(path, sizeof(path), "/dev/vfio/%.16s", grp ? grp + 1 : link);
		container = open("/dev/vfio/vfio", O_RDWR);
		group = open(path, O_RDWR);
	}
	if (container >= 0 && group >= 0 &&
	    !ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) &&
	    !ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		/* Opening the device attaches it to the compat IOAS. */
		dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
		if (dev >= 0)
			cc = ioctl(container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU);
	}
	result(cc == 1, "vfio_dma_cc_iommu %s: %d", path, cc);
	if (dev >= 0)
		close(dev);
	if (group >= 0)
		close(group);
	if (container >= 0)
		close(container);
}
#else
#define ATS_TESTS	0
#define CC_TESTS	0
static void test_ats(void)
{
}

static void test_cc(const char *bdf)
{
}
#endif

/*
 * The default domain type of the device's group (the driver's
 * def_domain_type): identity only if the command line asks for pass-through
 * (iommu.passthrough=1) and the IOMMU can do it. A VT-d unit without
 * pass-through (ECAP.PT, bit 6, clear: QEMU's pt=off) must give its devices
 * DMA domains whatever the command line asks (device_def_domain_type()).
 */
#define DDT_TESTS	1

static bool cmdline_has(const char *word)
{
	char line[4096], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	bool has = false;

	if (f && fgets(line, sizeof(line), f)) {
		for (p = strtok(line, " \n"); p && !has; p = strtok(NULL, " \n"))
			has = !strcmp(p, word);
	}
	if (f)
		fclose(f);
	return has;
}

static void test_def_domain_type(const char *bdf)
{
	char path[PATH_MAX], type[32] = "";
	unsigned long long ecap = 0;
	bool passthrough = cmdline_has("iommu.passthrough=1"), pt = true, ok;
	FILE *f;

	f = fopen("/sys/class/iommu/dmar0/intel-iommu/ecap", "r");
	if (f) {
		pt = fscanf(f, "%llx", &ecap) == 1 && (ecap & (1ULL << 6));
		fclose(f);
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type", bdf);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(type, sizeof(type), f))
			type[0] = 0;
		type[strcspn(type, "\n")] = 0;
		fclose(f);
	}
	if (passthrough && pt)
		ok = !strcmp(type, "identity");
	else
		ok = !strcmp(type, "DMA") || !strcmp(type, "DMA-FQ");
	result(ok, "default_domain_type %s (passthrough asked: %d, unit pass-through: %d)",
	       type[0] ? type : "none", passthrough, pt);
}

/*
 * Whether the reserved regions of the device's IOMMU group (the driver's
 * get_resv_regions) include the MSI window.
 */
static bool has_msi_region(const char *bdf)
{
	char path[PATH_MAX], line[128];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/reserved_regions", bdf);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		diag("reserved region: %s", line);
		if (!strcmp(line, MSI_REGION))
			found = true;
	}
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	char bdf[NAME_MAX + 1] = "", cdev[NAME_MAX + 32] = "", fault[512] = "";
	const size_t len = 2 * EDU_BUF_SIZE;
	unsigned char *buf, *in, *out;
	uint16_t cmd;
	int devfd, iommufd, kmsg, rc;
	bool untouched;
	size_t i;

	printf("KTAP version 1\n1..%d\n",
	       11 + DDT_TESTS + NEST_PARENT_TESTS + FAILED_REPLACE_TESTS + ATS_TESTS + CC_TESTS);
	fflush(stdout);

	if (argc > 1)
		snprintf(bdf, sizeof(bdf), "%s", argv[1]);
	else if (find_edu(bdf, sizeof(bdf)))
		bail("no edu device (PCI 1234:11e8)");
	diag("edu device %s", bdf);
	result(has_msi_region(bdf), "resv_regions_msi %s", MSI_REGION);
	test_def_domain_type(bdf);

	result(!bind_vfio(bdf, cdev, sizeof(cdev)), "bind_vfio_pci %s", cdev);
	devfd = open(cdev, O_RDWR);
	iommufd = open("/dev/iommu", O_RDWR);
	if (devfd < 0 || iommufd < 0)
		bail("open vfio cdev or /dev/iommu");

	/*
	 * Each ioctl runs before its result() line: the order in which
	 * function arguments are evaluated is unspecified, and the output
	 * fields must be read after the call.
	 */
	bind.iommufd = iommufd;
	rc = ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	result(!rc, "bind_iommufd devid=%u", bind.out_devid);
	rc = ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc);
	result(!rc, "ioas_alloc id=%u", alloc.out_ioas_id);

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		bail("mmap");
	out = buf;			/* RAM -> edu */
	in = buf + EDU_BUF_SIZE;	/* edu -> RAM */
	srand(getpid());
	for (i = 0; i < EDU_BUF_SIZE; i++) {
		out[i] = rand();
		in[i] = 0;
	}
	map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = alloc.out_ioas_id;
	map.user_va = (uintptr_t)buf;
	map.length = len;
	rc = ioctl(iommufd, IOMMU_IOAS_MAP, &map);
	result(!rc, "ioas_map iova=0x%llx", (unsigned long long)map.iova);

	attach.pt_id = alloc.out_ioas_id;
	rc = ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	result(!rc, "attach_ioas hwpt=%u", attach.pt_id);

	/* Memory space and bus mastering on, then map BAR0. */
	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &cfg) ||
	    ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &bar))
		bail("region info");
	if (pread(devfd, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
		bail("config read");
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(devfd, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
		bail("config write");
	bar0 = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, devfd, bar.offset);
	if (bar0 == MAP_FAILED)
		bail("mmap BAR0");

	/* RAM -> device -> RAM through the IOMMU, then compare. */
	dma_roundtrip("dma_roundtrip", map.iova, out, in);

	/* The same through a nest parent HWPT, back on the IOAS after it. */
	test_nest_parent(devfd, iommufd, bind.out_devid, alloc.out_ioas_id, map.iova, out, in);

	/* A refused replace keeps the device on the IOAS. */
	test_failed_replace(devfd, iommufd, bind.out_devid, map.iova, out, in);

	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = map.iova;
	unmap.length = len;
	result(!ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap) && unmap.length == len,
	       "ioas_unmap");

	/* A DMA to the stale IOVA must neither reach memory nor go unreported. */
	memset(in, 0x5a, EDU_BUF_SIZE);
	kmsg = kmsg_open();
	if (edu_dma(EDU_BUF, map.iova + EDU_BUF_SIZE, EDU_BUF_SIZE, EDU_CMD_TO_RAM))
		diag("stale DMA did not complete");
	untouched = true;
	for (i = 0; i < EDU_BUF_SIZE; i++)
		untouched &= in[i] == 0x5a;
	result(untouched, "dma_after_unmap_blocked");
	/* Fault reporting goes through an IRQ thread: give it a moment. */
	for (i = 0; i < 50 && kmsg >= 0 && !fault[0]; i++) {
		if (kmsg_find_fault(kmsg, fault, sizeof(fault)))
			break;
		usleep(100000);
	}
	if (fault[0])
		diag("fault report: %s", fault);
	result(fault[0] != 0, "iommu_fault_reported");

	/* Detach, unbind and free the IOAS: every step must succeed. */
	result(!munmap((void *)bar0, bar.size) && !close(devfd) &&
	       !close(iommufd) && !munmap(buf, len), "teardown");

	test_ats();
	test_cc(bdf);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       test_no - failures, failures);
	return failures ? 1 : 0;
}
