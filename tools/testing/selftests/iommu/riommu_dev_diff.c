// SPDX-License-Identifier: GPL-2.0
/*
 * riommu differential test of the hardware IOMMU driver, on a real device.
 *
 * QEMU's "edu" device (PCI 1234:11e8) is bound to vfio-pci and its VFIO cdev
 * to iommufd, as riommu_dma_smoke does. A fixed sequence of iommufd and VFIO
 * ioctls then exercises the IOMMU driver behind it (the C or the Rust SMMUv3
 * driver on arm64, VT-d on x86_64) through the uAPI a VMM uses:
 *
 *   setup          bind, two IOASes, a fault queue, DMA before any attach
 *   hw_info        IOMMU_GET_HW_INFO: type, length, data bytes, capabilities,
 *                  every input type, invalid flags, reserved fields, ids, sizes
 *   hwpt_alloc     IOMMU_HWPT_ALLOC on the IOAS with every combination of
 *                  NEST_PARENT, DIRTY_TRACKING, FAULT_ID_VALID and PASID, and
 *                  undefined flags
 *   hwpt_invalid   bad ids, data types, data lengths, reserved fields, sizes
 *   dirty          dirty tracking on a HWPT without it and with it (if any)
 *   attach         map, attach, replace among IOASes and HWPTs (paging, nest
 *                  parent), unmap, detach, attach from detached; a DMA round
 *                  trip through edu after every step
 *   ioas_attached  invalid and edge-case maps and unmaps while attached
 *                  (unaligned, overlapping, reserved and out-of-aperture IOVAs,
 *                  automatic IOVA, partial unmap, unmap all), with DMA checks
 *   nest           nest parent, nested HWPT on it, vIOMMU of every type,
 *                  vDEVICE, nested HWPTs on the vIOMMU (bypass, abort and
 *                  invalid vSTEs on arm64) attached with DMA through them
 *   attach_invalid attach and detach with bad ids, flags, sizes, PASIDs
 *   teardown       detach, destroy, close
 *
 * Every step is recorded: its return value, errno and the fields the kernel
 * wrote back (object ids, IOVAs, lengths, hw_info data bytes, IOVA ranges) or,
 * for a DMA, how it ended (the data arrived, the destination was untouched,
 * it arrived wrong, timeout). The records of a group fold into a 64-bit
 * FNV-1a digest. Nothing that differs between two runs of the same kernel
 * enters it: buffer addresses, physical addresses, file descriptors, timings
 * and the DMA data are left out; object ids are in (iommufd hands out the
 * lowest free id of the file, the same for the same sequence), as are fixed
 * and automatic IOVAs (the buffer is 2 MiB aligned, so the IOVA alignment
 * iommufd derives from the user address is the same in every run). Two
 * kernels whose IOMMU drivers behave the same print the same digests;
 * scripts/riommu/diffcmp.py --suite dev_diff compares two console logs.
 *
 * Output:
 *   # riommu-devdiff-step GROUP.N NAME rc=R errno=E[NAME] out=...
 *   # riommu-devdiff group=GROUP steps=N digest=HEX ok=N err=M
 *   ...
 *   # riommu-devdiff total digest=HEX groups=N
 * and TAP lines (ok/not ok) for the outcomes the uAPI or the architecture
 * fixes whatever the driver (DMA through a mapped IOVA works, a DMA after
 * unmap or detach does not reach memory, iommufd's own argument checks).
 * Driver-specific outcomes are only digested: the comparison judges them.
 *
 * Usage: riommu_dev_diff [PCI-BDF]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
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

#include "riommu_digest.h"
#include "riommu_edu.h"

/*
 * Bytes per DMA: enough to see the translation, few enough that a blocked
 * DMA raises a handful of IOMMU events (QEMU reports one per access).
 */
#define DMA_LEN		256

#define BUF_PAGES	16
#define BUF_ALIGN	(2UL << 20)

/* Fixed IOVAs, clear of both arches' reserved regions (MSI windows). */
#define IOVA_A		0x1000000ULL	/* 2 pages RW: out, in */
#define IOVA_B		0x2000000ULL	/* 2 pages RW, mapped while attached */
#define IOVA_R		0x3000000ULL	/* 1 page, device read-only */
#define IOVA_C		0x4000000ULL	/* free, for the invalid maps */
#if defined(__aarch64__)
#define IOVA_MSI	0x8000000ULL	/* the SMMUv3 drivers' software MSI window */
#define NESTED_TYPE	IOMMU_HWPT_DATA_ARM_SMMUV3
#define VIOMMU_TYPE	IOMMU_VIOMMU_TYPE_ARM_SMMUV3
#elif defined(__x86_64__)
#define IOVA_MSI	0xfee00000ULL	/* the x86 interrupt window */
#define NESTED_TYPE	IOMMU_HWPT_DATA_VTD_S1
#define VIOMMU_TYPE	IOMMU_VIOMMU_TYPE_DEFAULT
#else
#error "riommu_dev_diff: no layout for this architecture"
#endif

/* SMMUv3 STE word 0 (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h). */
#define STE_V		1ULL
#define STE_CFG(c)	((uint64_t)(c) << 1)
#define STE_CFG_ABORT	0
#define STE_CFG_BYPASS	4
#define STE_CFG_S2	6

/* How a DMA round trip ended; these values are digested. */
enum dma_class {
	DMA_OK = 0,		/* the data went out and came back */
	DMA_BLOCKED = 1,	/* the destination is untouched */
	DMA_WRONG = 2,		/* the destination changed, not to the data */
	DMA_TIMEOUT = 3,	/* edu never finished */
};
static const char *const dma_names[] = { "ok", "blocked", "wrong", "timeout" };

/*
 * RAM at SRC_IOVA (the CPU sees it at SRC) -> edu -> RAM at DST_IOVA (DST).
 * New data every time, unlike the last (and unlike what edu holds), and a
 * destination filled with 0x5a: an untouched destination, data that arrived
 * and data that did not are told apart. Records step NAME: the class only.
 */
static enum dma_class dma(const char *name, uint64_t src_iova, uint8_t *src,
			  uint64_t dst_iova, uint8_t *dst)
{
	static unsigned int gen;
	enum dma_class c;
	bool untouched = true;
	size_t i;

	done();
	gen++;
	for (i = 0; i < DMA_LEN; i++) {
		src[i] = (uint8_t)(i * 13 + gen * 71 + 1);
		dst[i] = 0x5a;
	}
	if (edu_dma(src_iova, EDU_BUF, DMA_LEN, 0) ||
	    edu_dma(EDU_BUF, dst_iova, DMA_LEN, EDU_CMD_TO_RAM)) {
		c = DMA_TIMEOUT;
	} else if (!memcmp(src, dst, DMA_LEN)) {
		c = DMA_OK;
	} else {
		for (i = 0; i < DMA_LEN; i++)
			untouched &= dst[i] == 0x5a;
		c = untouched ? DMA_BLOCKED : DMA_WRONG;
	}
	rec(name, 0);
	out(c);
	return c;
}

/* --- iommufd helpers ------------------------------------------------------ */

static int iommufd = -1, devfd = -1;
static uint32_t dev_id, ioas1, ioas2, fault_id;
static int fault_fd = -1;
static uint8_t *buf;		/* BUF_PAGES pages, 2 MiB aligned */
static long pg;

static uint8_t *page(unsigned int i)
{
	return buf + i * pg;
}

/* The buffer's pages: A (out, in), B (out, in), R, and spares. */
#define P_A_OUT		0
#define P_A_IN		1
#define P_B_OUT		2
#define P_B_IN		3
#define P_R		4
#define P_AUTO		8

static int ioctl_rec(const char *name, unsigned long req, void *p)
{
	return rec(name, ioctl(iommufd, req, p));
}

static uint32_t ioas_alloc(const char *name)
{
	struct iommu_ioas_alloc *c = arg(sizeof(*c));

	if (ioctl_rec(name, IOMMU_IOAS_ALLOC, c))
		return 0;
	out(c->out_ioas_id);
	return c->out_ioas_id;
}

static int destroy(const char *name, uint32_t id)
{
	struct iommu_destroy *c = arg(sizeof(*c));

	c->id = id;
	return ioctl_rec(name, IOMMU_DESTROY, c);
}

/* IOAS map of NPAGES pages from page FIRST; returns the IOVA or 0. */
static uint64_t map(const char *name, uint32_t ioas, unsigned int first, unsigned int npages,
		    uint64_t iova, uint32_t flags)
{
	struct iommu_ioas_map *c = arg(sizeof(*c));

	c->flags = flags;
	c->ioas_id = ioas;
	c->user_va = (uintptr_t)page(first);
	c->length = (uint64_t)npages * pg;
	c->iova = iova;
	if (ioctl_rec(name, IOMMU_IOAS_MAP, c))
		return 0;
	out(c->iova);
	return c->iova;
}

#define RW	(IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define FIXED	IOMMU_IOAS_MAP_FIXED_IOVA

static int unmap(const char *name, uint32_t ioas, uint64_t iova, uint64_t length)
{
	struct iommu_ioas_unmap *c = arg(sizeof(*c));

	c->ioas_id = ioas;
	c->iova = iova;
	c->length = length;
	if (ioctl_rec(name, IOMMU_IOAS_UNMAP, c))
		return -1;
	out(c->length);
	return 0;
}

/* The allowed IOVA ranges of IOAS: their number, alignment, each range. */
static void iova_ranges(const char *name, uint32_t ioas)
{
	static struct iommu_iova_range ranges[16];
	struct iommu_ioas_iova_ranges *c = arg(sizeof(*c));

	memset(ranges, 0, sizeof(ranges));
	c->ioas_id = ioas;
	c->num_iovas = 16;
	c->allowed_iovas = (uintptr_t)ranges;
	ioctl_rec(name, IOMMU_IOAS_IOVA_RANGES, c);
	out(c->num_iovas);
	out(c->out_iova_alignment);
	for (unsigned int i = 0; i < c->num_iovas && i < 16; i++) {
		out(ranges[i].start);
		out(ranges[i].last);
	}
}

/* IOMMU_HWPT_ALLOC of FLAGS on PT, no data; the id or 0. */
static uint32_t hwpt_alloc(const char *name, uint32_t pt, uint32_t flags, uint32_t fault)
{
	struct iommu_hwpt_alloc *c = arg(sizeof(*c));

	c->flags = flags;
	c->dev_id = dev_id;
	c->pt_id = pt;
	c->fault_id = fault;
	if (ioctl_rec(name, IOMMU_HWPT_ALLOC, c))
		return 0;
	out(c->out_hwpt_id);
	return c->out_hwpt_id;
}

/* A HWPT with user data of TYPE on PT; the id or 0. */
static uint32_t hwpt_alloc_data(const char *name, uint32_t pt, uint32_t type,
				const void *data, uint32_t len)
{
	struct iommu_hwpt_alloc *c = arg(sizeof(*c));

	c->dev_id = dev_id;
	c->pt_id = pt;
	c->data_type = type;
	c->data_len = len;
	c->data_uptr = (uintptr_t)data;
	if (ioctl_rec(name, IOMMU_HWPT_ALLOC, c))
		return 0;
	out(c->out_hwpt_id);
	return c->out_hwpt_id;
}

/* Attach (or replace) the device to PT; the pt_id written back or 0. */
static uint32_t attach(const char *name, uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt c = { .argsz = sizeof(c), .pt_id = pt };

	if (rec(name, ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &c)))
		return 0;
	out(c.pt_id);
	return c.pt_id;
}

static int detach(const char *name)
{
	struct vfio_device_detach_iommufd_pt c = { .argsz = sizeof(c) };

	return rec(name, ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &c));
}

/* DMA through IOVA_A (page A out -> page A in) */
static enum dma_class dma_a(const char *name)
{
	return dma(name, IOVA_A, page(P_A_OUT), IOVA_A + pg, page(P_A_IN));
}

static void tap_dma(enum dma_class got, enum dma_class want, const char *name)
{
	tap(got == want, "%s %s (expected %s)", name, dma_names[got], dma_names[want]);
}

/* --- the groups ------------------------------------------------------------ */

static void g_setup(const char *cdev)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	struct iommu_fault_alloc *f;
	uint16_t cmd;

	group_begin("setup");
	devfd = open(cdev, O_RDWR);
	iommufd = open("/dev/iommu", O_RDWR);
	if (devfd < 0 || iommufd < 0)
		bail("open vfio cdev or /dev/iommu");
	bind.iommufd = iommufd;
	if (!rec("bind_iommufd", ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind)))
		out(bind.out_devid);
	tap(!R.ret, "bind_iommufd");
	dev_id = bind.out_devid;
	ioas1 = ioas_alloc("ioas_alloc_1");
	ioas2 = ioas_alloc("ioas_alloc_2");
	tap(ioas1 && ioas2, "ioas_alloc");
	f = arg(sizeof(*f));
	if (!ioctl_rec("fault_queue_alloc", IOMMU_FAULT_QUEUE_ALLOC, f)) {
		out(f->out_fault_id);	/* not the fd */
		fault_id = f->out_fault_id;
		fault_fd = f->out_fault_fd;
	}
	iova_ranges("iova_ranges_unattached", ioas1);

	/* Memory space and bus mastering on, BAR0 mapped: not digested. */
	done();
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

	/* Bound to iommufd, attached to nothing: DMA is blocked. */
	tap_dma(dma_a("dma_unattached"), DMA_BLOCKED, "dma_unattached");
	group_end();
}

/* GET_HW_INFO into a 64-byte buffer filled with 0xa5 (trailing bytes are zeroed). */
static void hw_info(const char *name, uint32_t flags, uint32_t type, uint32_t dev,
		    uint32_t len, void *uptr, int mode)
{
	static uint8_t data[64];
	struct iommu_hw_info *c = arg(sizeof(*c));

	memset(data, 0xa5, sizeof(data));
	c->flags = flags;
	c->dev_id = dev;
	c->data_len = len;
	c->data_uptr = (uintptr_t)(uptr ? uptr : data);
	c->in_data_type = type;
	switch (mode) {
	case 1: c->__reserved[0] = 1; break;
	case 2: c->__reserved[2] = 0x80; break;
	case 3: c->size = 8; break;
	case 4: big_tail(sizeof(*c)); break;
	}
	ioctl_rec(name, IOMMU_GET_HW_INFO, c);
	out(c->flags);
	out(c->data_len);
	out(c->out_data_type);
	out(c->out_max_pasid_log2);
	out(c->out_capabilities);
	out_blob(data, sizeof(data));
}

static void g_hw_info(void)
{
	static const struct { const char *name; uint32_t type; } types[] = {
		{ "hw_info_in_default", IOMMU_HW_INFO_TYPE_DEFAULT },
		{ "hw_info_in_intel_vtd", IOMMU_HW_INFO_TYPE_INTEL_VTD },
		{ "hw_info_in_arm_smmuv3", IOMMU_HW_INFO_TYPE_ARM_SMMUV3 },
		{ "hw_info_in_tegra241_cmdqv", IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV },
		{ "hw_info_in_amd", IOMMU_HW_INFO_TYPE_AMD },
		{ "hw_info_in_selftest", 0xfeedbeef },
		{ "hw_info_in_undefined", 0x7777 },
	};
	const uint32_t in = IOMMU_HW_INFO_FLAG_INPUT_TYPE;

	group_begin("hw_info");
	hw_info("hw_info", 0, 0, dev_id, 64, NULL, 0);
	tap(!R.ret, "hw_info");
	hw_info("hw_info_len0", 0, 0, dev_id, 0, NULL, 0);
	hw_info("hw_info_len8", 0, 0, dev_id, 8, NULL, 0);
	/* The type field is only read with the flag: without it, any value. */
	hw_info("hw_info_type_without_flag", 0, 0x7777, dev_id, 64, NULL, 0);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		hw_info(types[i].name, in, types[i].type, dev_id, 64, NULL, 0);
	/* iommufd's own checks, before the driver is asked. */
	hw_info("hw_info_bad_flag", 1U << 1, 0, dev_id, 64, NULL, 0);
	tap(failed_with(EOPNOTSUPP), "hw_info_bad_flag_eopnotsupp");
	hw_info("hw_info_bad_flag31", 1U << 31, 0, dev_id, 64, NULL, 0);
	hw_info("hw_info_reserved0", 0, 0, dev_id, 64, NULL, 1);
	tap(failed_with(EOPNOTSUPP), "hw_info_reserved_eopnotsupp");
	hw_info("hw_info_reserved2", 0, 0, dev_id, 64, NULL, 2);
	hw_info("hw_info_dev_0", 0, 0, 0, 64, NULL, 0);
	tap(failed_with(ENOENT), "hw_info_dev_0_enoent");
	hw_info("hw_info_dev_ioas", 0, 0, ioas1, 64, NULL, 0);
	tap(failed_with(ENOENT), "hw_info_dev_ioas_enoent");
	hw_info("hw_info_dev_max", 0, 0, UINT32_MAX, 64, NULL, 0);
	hw_info("hw_info_size8", 0, 0, dev_id, 64, NULL, 3);
	tap(failed_with(EINVAL), "hw_info_short_size_einval");
	hw_info("hw_info_big_tail", 0, 0, dev_id, 64, NULL, 4);
	tap(failed_with(E2BIG), "hw_info_nonzero_tail_e2big");
	hw_info("hw_info_bad_uptr", 0, 0, dev_id, 64, (void *)8, 0);
	tap(failed_with(EFAULT), "hw_info_bad_uptr_efault");
	group_end();
}

static void g_hwpt_alloc(void)
{
	static const uint32_t undefined[] = { 1U << 4, 1U << 5, 1U << 30, 1U << 31, ~0U };
	const uint32_t defined = IOMMU_HWPT_ALLOC_NEST_PARENT |
				 IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				 IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID;
	char name[64];
	uint32_t id;
	bool ok;

	group_begin("hwpt_alloc");
	/* Every combination of the defined flags, the fault queue when it is asked for. */
	for (uint32_t f = 0; f <= defined; f++) {
		if (f & ~defined)
			continue;
		snprintf(name, sizeof(name), "hwpt_alloc_flags_%x", f);
		id = hwpt_alloc(strdup(name), ioas1, f,
				f & IOMMU_HWPT_FAULT_ID_VALID ? fault_id : 0);
		if (!f)
			tap(id != 0, "hwpt_alloc_paging");
		destroy("destroy", id);
	}
	ok = true;
	for (size_t i = 0; i < sizeof(undefined) / sizeof(undefined[0]); i++) {
		snprintf(name, sizeof(name), "hwpt_alloc_flags_%x", undefined[i]);
		id = hwpt_alloc(strdup(name), ioas1, undefined[i], 0);
		ok &= failed_with(EOPNOTSUPP);
		destroy("destroy", id);
	}
	tap(ok, "hwpt_alloc_undefined_flags_eopnotsupp");
	/* FAULT_ID_VALID with ids that are no fault queue. */
	id = hwpt_alloc("hwpt_alloc_fault_id_0", ioas1, IOMMU_HWPT_FAULT_ID_VALID, 0);
	destroy("destroy", id);
	id = hwpt_alloc("hwpt_alloc_fault_id_ioas", ioas1, IOMMU_HWPT_FAULT_ID_VALID, ioas1);
	destroy("destroy", id);
	/* A second IOAS, and two HWPTs alive at once. */
	id = hwpt_alloc("hwpt_alloc_ioas2", ioas2, 0, 0);
	{
		uint32_t id2 = hwpt_alloc("hwpt_alloc_ioas1_second", ioas1, 0, 0);

		destroy("destroy", id2);
	}
	destroy("destroy", id);
	group_end();
}

static void g_hwpt_invalid(void)
{
	static const uint64_t ste_bypass[2] = { STE_V | STE_CFG(STE_CFG_BYPASS), 0 };
	static const struct iommu_hwpt_vtd_s1 vtd = { .pgtbl_addr = 0x100000, .addr_width = 48 };
	struct iommu_hwpt_alloc *c;
	uint32_t id, dead;

	group_begin("hwpt_invalid");
	/* A destroyed id */
	dead = ioas_alloc("ioas_alloc_tmp");
	destroy("destroy_tmp", dead);

#define HWPT(name, setup, want) do {					\
		c = arg(sizeof(*c));					\
		c->dev_id = dev_id;					\
		c->pt_id = ioas1;					\
		setup;							\
		id = ioctl_rec(name, IOMMU_HWPT_ALLOC, c) ? 0 : c->out_hwpt_id; \
		out(id);						\
		if (want)						\
			tap(failed_with(want), name "_%s", errname(want)); \
		destroy("destroy", id);					\
	} while (0)

	HWPT("hwpt_dev_0", c->dev_id = 0, ENOENT);
	HWPT("hwpt_dev_ioas", c->dev_id = ioas1, ENOENT);
	HWPT("hwpt_dev_fault", c->dev_id = fault_id, ENOENT);
	HWPT("hwpt_dev_max", c->dev_id = UINT32_MAX, ENOENT);
	HWPT("hwpt_pt_0", c->pt_id = 0, 0);
	HWPT("hwpt_pt_dev", c->pt_id = dev_id, 0);
	HWPT("hwpt_pt_fault", c->pt_id = fault_id, 0);
	HWPT("hwpt_pt_dead", c->pt_id = dead, 0);
	HWPT("hwpt_pt_max", c->pt_id = UINT32_MAX, 0);
	HWPT("hwpt_reserved", c->__reserved = 1, EOPNOTSUPP);
	HWPT("hwpt_reserved2", c->__reserved2 = 1, 0);
	HWPT("hwpt_none_with_len", c->data_len = 8; c->data_uptr = (uintptr_t)ste_bypass, EINVAL);
	HWPT("hwpt_smmuv3_len0", c->data_type = IOMMU_HWPT_DATA_ARM_SMMUV3, EINVAL);
	/* User data for a paging HWPT on an IOAS: the drivers take none. */
	HWPT("hwpt_ioas_smmuv3_data", c->data_type = IOMMU_HWPT_DATA_ARM_SMMUV3;
	     c->data_len = sizeof(ste_bypass); c->data_uptr = (uintptr_t)ste_bypass, 0);
	HWPT("hwpt_ioas_vtd_data", c->data_type = IOMMU_HWPT_DATA_VTD_S1;
	     c->data_len = sizeof(vtd); c->data_uptr = (uintptr_t)&vtd, 0);
	HWPT("hwpt_ioas_undefined_type", c->data_type = 0xdead;
	     c->data_len = 8; c->data_uptr = (uintptr_t)ste_bypass, 0);
	HWPT("hwpt_ioas_bad_uptr", c->data_type = NESTED_TYPE;
	     c->data_len = 16; c->data_uptr = 8, 0);
	HWPT("hwpt_size8", c->size = 8, EINVAL);
	HWPT("hwpt_big_tail", big_tail(sizeof(*c)), E2BIG);
	HWPT("hwpt_big_zero_tail", c->size = sizeof(*c) + 8, 0);
#undef HWPT
	group_end();
}

static void g_dirty(void)
{
	static uint8_t bitmap[64] __attribute__((aligned(8)));
	struct iommu_hwpt_set_dirty_tracking *s;
	struct iommu_hwpt_get_dirty_bitmap *g;
	uint32_t ids[2];

	group_begin("dirty");
	ids[0] = hwpt_alloc("hwpt_alloc_plain", ioas1, 0, 0);
	ids[1] = hwpt_alloc("hwpt_alloc_dirty", ioas1, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0);
	for (int i = 0; i < 2; i++) {
		s = arg(sizeof(*s));
		s->flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
		s->hwpt_id = ids[i];
		ioctl_rec(i ? "set_dirty_tracking_dirty" : "set_dirty_tracking_plain",
			  IOMMU_HWPT_SET_DIRTY_TRACKING, s);
		memset(bitmap, 0, sizeof(bitmap));
		g = arg(sizeof(*g));
		g->hwpt_id = ids[i];
		g->iova = IOVA_A;
		g->length = 64 * pg;
		g->page_size = pg;
		g->data = (uintptr_t)bitmap;
		ioctl_rec(i ? "get_dirty_bitmap_dirty" : "get_dirty_bitmap_plain",
			  IOMMU_HWPT_GET_DIRTY_BITMAP, g);
		out_blob(bitmap, sizeof(bitmap));
		destroy("destroy", ids[i]);
	}
	group_end();
}

static void g_attach(void)
{
	uint32_t h, p, n, p2;
	enum dma_class d;

	group_begin("attach");
	map("map_a", ioas1, P_A_OUT, 2, IOVA_A, FIXED | RW);
	h = attach("attach_ioas1", ioas1);
	tap(h != 0, "attach_ioas1");
	iova_ranges("iova_ranges_ioas1", ioas1);
	tap_dma(dma_a("dma_a"), DMA_OK, "dma_ioas1");

	map("map_b_attached", ioas1, P_B_OUT, 2, IOVA_B, FIXED | RW);
	tap_dma(dma("dma_b", IOVA_B, page(P_B_OUT), IOVA_B + pg, page(P_B_IN)), DMA_OK,
		"dma_map_while_attached");
	map("map_r_readonly", ioas1, P_R, 1, IOVA_R, FIXED | IOMMU_IOAS_MAP_READABLE);
	tap_dma(dma("dma_read_r", IOVA_R, page(P_R), IOVA_A + pg, page(P_A_IN)), DMA_OK,
		"dma_read_readonly");
	tap_dma(dma("dma_write_r", IOVA_A, page(P_A_OUT), IOVA_R, page(P_R)), DMA_BLOCKED,
		"dma_write_readonly");

	unmap("unmap_a_attached", ioas1, IOVA_A, 2 * pg);
	tap_dma(dma_a("dma_a_unmapped"), DMA_BLOCKED, "dma_after_unmap");
	tap_dma(dma("dma_b_after_unmap_a", IOVA_B, page(P_B_OUT), IOVA_B + pg, page(P_B_IN)),
		DMA_OK, "dma_other_mapping_after_unmap");
	map("map_a_again", ioas1, P_A_OUT, 2, IOVA_A, FIXED | RW);
	tap_dma(dma_a("dma_a_remapped"), DMA_OK, "dma_after_remap");

	/* Replace with a paging HWPT of the IOAS: the automatic domain goes. */
	p = hwpt_alloc("hwpt_alloc_paging", ioas1, 0, 0);
	attach("replace_paging", p);
	d = dma_a("dma_paging");
	if (p)
		tap_dma(d, DMA_OK, "dma_paging_hwpt");
	else
		tap(false, "dma_paging_hwpt (no paging HWPT)");
	iova_ranges("iova_ranges_paging", ioas1);
	destroy("destroy_old_auto", h);

	/* A nest parent, attached directly. */
	n = hwpt_alloc("hwpt_alloc_nest_parent", ioas1, IOMMU_HWPT_ALLOC_NEST_PARENT, 0);
	attach("replace_nest_parent", n);
	d = dma_a("dma_nest_parent");
	/* Whether there is one is the driver's business (and digested). */
	if (n)
		tap_dma(d, DMA_OK, "dma_nest_parent_hwpt");
	iova_ranges("iova_ranges_nest_parent", ioas1);

	/* Another IOAS: empty, then mapped while attached. */
	attach("replace_ioas2", ioas2);
	tap_dma(dma_a("dma_ioas2_empty"), DMA_BLOCKED, "dma_empty_ioas");
	map("map_a_ioas2", ioas2, P_A_OUT, 2, IOVA_A, FIXED | RW);
	tap_dma(dma_a("dma_ioas2"), DMA_OK, "dma_second_ioas");
	iova_ranges("iova_ranges_ioas2", ioas2);

	h = attach("replace_ioas1", ioas1);
	tap_dma(dma_a("dma_ioas1_back"), DMA_OK, "dma_back_on_ioas1");
	destroy("destroy_paging", p);
	destroy("destroy_nest_parent", n);
	destroy("destroy_ioas2", ioas2);
	ioas2 = 0;
	destroy("destroy_ioas1_attached", ioas1);
	tap(failed_with(EBUSY), "destroy_attached_ioas_ebusy");
	destroy("destroy_auto_attached", h);

	detach("detach");
	tap(!R.ret, "detach");
	tap_dma(dma_a("dma_detached"), DMA_BLOCKED, "dma_after_detach");
	detach("detach_again");

	/* From detached straight to a HWPT, then back to the IOAS. */
	p2 = hwpt_alloc("hwpt_alloc_paging_2", ioas1, 0, 0);
	attach("attach_paging_from_detached", p2);
	tap_dma(dma_a("dma_paging_2"), DMA_OK, "dma_attach_hwpt_from_detached");
	attach("replace_ioas1_again", ioas1);
	destroy("destroy_paging_2", p2);
	tap_dma(dma_a("dma_ioas1_again"), DMA_OK, "dma_ioas1_again");
	group_end();
}

static void g_ioas_attached(void)
{
	struct iommu_ioas_map *m;
	struct iommu_ioas_unmap *u;
	struct iommu_ioas_iova_ranges *r;
	uint64_t iova;

	group_begin("ioas_attached");
	map("map_unaligned_iova", ioas1, P_AUTO, 1, IOVA_C + 1, FIXED | RW);
	tap(failed_with(EINVAL), "map_unaligned_iova_einval");
	/* The length is not a page multiple: a page offset into the user memory. */
	m = arg(sizeof(*m));
	m->flags = FIXED | RW;
	m->ioas_id = ioas1;
	m->user_va = (uintptr_t)page(P_AUTO);
	m->length = pg + 1;
	m->iova = IOVA_C;
	ioctl_rec("map_unaligned_length", IOMMU_IOAS_MAP, m);
	unmap("unmap", ioas1, IOVA_C, 2 * pg);
	m = arg(sizeof(*m));
	m->flags = FIXED | RW;
	m->ioas_id = ioas1;
	m->user_va = (uintptr_t)page(P_AUTO) + 1;
	m->length = pg;
	m->iova = IOVA_C;
	ioctl_rec("map_unaligned_va", IOMMU_IOAS_MAP, m);
	unmap("unmap", ioas1, IOVA_C, pg);
	map("map_length_0", ioas1, P_AUTO, 0, IOVA_C, FIXED | RW);
	tap(failed_with(EINVAL), "map_length_0_einval");
	map("map_overlap", ioas1, P_AUTO, 1, IOVA_A + pg, FIXED | RW);
	tap(failed_with(EEXIST), "map_overlap_eexist");
	map("map_no_perm", ioas1, P_AUTO, 1, IOVA_C, FIXED);
	tap(failed_with(EINVAL), "map_no_perm_einval");
	unmap("unmap", ioas1, IOVA_C, pg);
	map("map_bad_flag", ioas1, P_AUTO, 1, IOVA_C, FIXED | RW | (1U << 3));
	tap(failed_with(EOPNOTSUPP), "map_bad_flag_eopnotsupp");
	m = arg(sizeof(*m));
	m->flags = FIXED | RW;
	m->ioas_id = ioas1;
	m->__reserved = 1;
	m->user_va = (uintptr_t)page(P_AUTO);
	m->length = pg;
	m->iova = IOVA_C;
	ioctl_rec("map_reserved", IOMMU_IOAS_MAP, m);
	map("map_ioas_0", 0, P_AUTO, 1, IOVA_C, FIXED | RW);
	tap(failed_with(ENOENT), "map_ioas_0_enoent");
	map("map_ioas_dev", dev_id, P_AUTO, 1, IOVA_C, FIXED | RW);
	map("map_ioas_max", UINT32_MAX, P_AUTO, 1, IOVA_C, FIXED | RW);
	/* Reserved (MSI) and out-of-aperture IOVAs: the driver's geometry. */
	map("map_msi_window", ioas1, P_AUTO, 1, IOVA_MSI, FIXED | RW);
	unmap("unmap", ioas1, IOVA_MSI, pg);
	{
		static const struct { const char *name; uint64_t iova; } far[] = {
			{ "map_iova_2p39", 1ULL << 39 },
			{ "map_iova_2p44_m1p", (1ULL << 44) - 4096 },
			{ "map_iova_2p47_m1p", (1ULL << 47) - 4096 },
			{ "map_iova_2p48_m1p", (1ULL << 48) - 4096 },
			{ "map_iova_2p48", 1ULL << 48 },
			{ "map_iova_2p52", 1ULL << 52 },
			{ "map_iova_2p63", 1ULL << 63 },
		};

		for (size_t k = 0; k < sizeof(far) / sizeof(far[0]); k++) {
			map(far[k].name, ioas1, P_AUTO, 1, far[k].iova, FIXED | RW);
			unmap("unmap", ioas1, far[k].iova, pg);
		}
	}
	/* An automatic IOVA: the lowest allowed one that fits. */
	iova = map("map_auto_iova", ioas1, P_AUTO, 2, 0, RW);
	if (iova) {
		tap_dma(dma("dma_auto_iova", iova, page(P_AUTO), iova + pg, page(P_AUTO + 1)),
			DMA_OK, "dma_auto_iova");
		unmap("unmap_auto_iova", ioas1, iova, 2 * pg);
	} else {
		tap(false, "dma_auto_iova (no automatic IOVA)");
	}

	/* Unmaps that do not match a mapping. */
	unmap("unmap_partial_b", ioas1, IOVA_B, pg);
	unmap("unmap_middle_b", ioas1, IOVA_B + pg, pg);
	unmap("unmap_unaligned", ioas1, IOVA_B + 1, pg);
	unmap("unmap_nothing", ioas1, IOVA_C, pg);
	tap(failed_with(ENOENT), "unmap_nothing_enoent");
	unmap("unmap_length_0", ioas1, IOVA_B, 0);
	unmap("unmap_ioas_0", 0, IOVA_B, 2 * pg);
	u = arg(sizeof(*u));
	u->ioas_id = ioas1;
	u->iova = IOVA_B;
	u->length = 2 * pg;
	big_tail(sizeof(*u));
	ioctl_rec("unmap_big_tail", IOMMU_IOAS_UNMAP, u);
	/* IOVA ranges into a buffer too small. */
	r = arg(sizeof(*r));
	r->ioas_id = ioas1;
	r->num_iovas = 0;
	ioctl_rec("iova_ranges_no_room", IOMMU_IOAS_IOVA_RANGES, r);
	out(r->num_iovas);
	out(r->out_iova_alignment);
	tap(R.ret == 0 || failed_with(EMSGSIZE), "iova_ranges_no_room");

	/* None of that changed the translation. */
	tap_dma(dma_a("dma_a_after_invalid"), DMA_OK, "dma_after_invalid_ops");
	tap_dma(dma("dma_b_after_invalid", IOVA_B, page(P_B_OUT), IOVA_B + pg, page(P_B_IN)),
		DMA_OK, "dma_b_after_invalid_ops");

	/* Unmap everything, then map A back. */
	unmap("unmap_all", ioas1, 0, UINT64_MAX);
	tap(!R.ret && R.nout && R.out[0] == (uint64_t)5 * pg, "unmap_all");
	tap_dma(dma_a("dma_after_unmap_all"), DMA_BLOCKED, "dma_after_unmap_all");
	iova_ranges("iova_ranges_empty", ioas1);
	map("map_a_back", ioas1, P_A_OUT, 2, IOVA_A, FIXED | RW);
	tap_dma(dma_a("dma_a_back"), DMA_OK, "dma_a_back");
	group_end();
}

static void g_nest(void)
{
	static const uint32_t vtypes[] = {
		IOMMU_VIOMMU_TYPE_DEFAULT, IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
		IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, 0x55,
	};
	static uint64_t ste_bypass[2] = { STE_V | STE_CFG(STE_CFG_BYPASS), 0 };
	static uint64_t ste_abort[2] = { STE_V | STE_CFG(STE_CFG_ABORT), 0 };
	static uint64_t ste_s2[2] = { STE_V | STE_CFG(STE_CFG_S2), 0 };
	static struct iommu_hwpt_vtd_s1 vtd = { .pgtbl_addr = 0x100000, .addr_width = 48 };
	const void *nested = NESTED_TYPE == IOMMU_HWPT_DATA_ARM_SMMUV3 ?
			     (void *)ste_bypass : (void *)&vtd;
	uint32_t nlen = NESTED_TYPE == IOMMU_HWPT_DATA_ARM_SMMUV3 ?
			sizeof(ste_bypass) : sizeof(vtd);
	struct iommu_viommu_alloc *v;
	struct iommu_vdevice_alloc *vd;
	uint32_t n, nh, vi = 0, vdev = 0, nb, na, id;
	char name[64];
	enum dma_class d;

	group_begin("nest");
	n = hwpt_alloc("hwpt_alloc_nest_parent", ioas1, IOMMU_HWPT_ALLOC_NEST_PARENT, 0);
	/* A nested HWPT straight on the nest parent (drivers with domain_alloc_nested). */
	nh = hwpt_alloc_data("hwpt_nested_on_parent", n, NESTED_TYPE, nested, nlen);
	destroy("destroy", nh);
	/* A nested HWPT on a HWPT that is no nest parent: the automatic domain. */
	{
		struct vfio_device_attach_iommufd_pt c = { .argsz = sizeof(c), .pt_id = ioas1 };

		/* The automatic HWPT's id: attaching to the IOAS again names it. */
		rec("attach_ioas1_same", ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &c));
		out(c.pt_id);
		nh = hwpt_alloc_data("hwpt_nested_on_auto", c.pt_id, NESTED_TYPE, nested, nlen);
		destroy("destroy", nh);
	}

	for (size_t i = 0; i < sizeof(vtypes) / sizeof(vtypes[0]); i++) {
		v = arg(sizeof(*v));
		v->type = vtypes[i];
		v->dev_id = dev_id;
		v->hwpt_id = n;
		snprintf(name, sizeof(name), "viommu_alloc_type_%x", vtypes[i]);
		id = ioctl_rec(strdup(name), IOMMU_VIOMMU_ALLOC, v) ? 0 : v->out_viommu_id;
		out(id);
		destroy("destroy", id);
	}
	v = arg(sizeof(*v));
	v->type = VIOMMU_TYPE;
	v->dev_id = dev_id;
	v->hwpt_id = ioas1;
	id = ioctl_rec("viommu_alloc_on_ioas", IOMMU_VIOMMU_ALLOC, v) ? 0 : v->out_viommu_id;
	out(id);
	destroy("destroy", id);
	v = arg(sizeof(*v));
	v->type = VIOMMU_TYPE;
	v->flags = 1;
	v->dev_id = dev_id;
	v->hwpt_id = n;
	id = ioctl_rec("viommu_alloc_bad_flags", IOMMU_VIOMMU_ALLOC, v) ? 0 : v->out_viommu_id;
	out(id);
	destroy("destroy", id);

	/* The vIOMMU that stays, a vDEVICE, nested HWPTs on it. */
	v = arg(sizeof(*v));
	v->type = VIOMMU_TYPE;
	v->dev_id = dev_id;
	v->hwpt_id = n;
	if (!ioctl_rec("viommu_alloc", IOMMU_VIOMMU_ALLOC, v))
		vi = v->out_viommu_id;
	out(vi);
	vd = arg(sizeof(*vd));
	vd->viommu_id = vi;
	vd->dev_id = dev_id;
	vd->virt_id = 0x11;
	if (!ioctl_rec("vdevice_alloc", IOMMU_VDEVICE_ALLOC, vd))
		vdev = vd->out_vdevice_id;
	out(vdev);
	nb = hwpt_alloc_data("hwpt_nested_viommu_bypass", vi, NESTED_TYPE, nested, nlen);
	na = hwpt_alloc_data("hwpt_nested_viommu_abort", vi, NESTED_TYPE,
			     NESTED_TYPE == IOMMU_HWPT_DATA_ARM_SMMUV3 ? (void *)ste_abort :
			     (void *)&vtd, nlen);
	id = hwpt_alloc_data("hwpt_nested_viommu_s2_ste", vi, NESTED_TYPE,
			     NESTED_TYPE == IOMMU_HWPT_DATA_ARM_SMMUV3 ? (void *)ste_s2 :
			     (void *)&vtd, nlen);
	destroy("destroy", id);
	id = hwpt_alloc_data("hwpt_nested_viommu_short", vi, NESTED_TYPE, nested, 8);
	destroy("destroy", id);
	id = hwpt_alloc("hwpt_nested_viommu_no_data", vi, 0, 0);
	destroy("destroy", id);

	attach("replace_nested_bypass", nb);
	d = dma_a("dma_nested_bypass");
	if (nb && NESTED_TYPE == IOMMU_HWPT_DATA_ARM_SMMUV3)
		tap_dma(d, DMA_OK, "dma_nested_bypass_ste");
	attach("replace_nested_abort", na);
	d = dma_a("dma_nested_abort");
	if (na && NESTED_TYPE == IOMMU_HWPT_DATA_ARM_SMMUV3)
		tap_dma(d, DMA_BLOCKED, "dma_nested_abort_ste");
	attach("replace_ioas1", ioas1);
	tap_dma(dma_a("dma_ioas1_after_nest"), DMA_OK, "dma_ioas1_after_nest");

	destroy("destroy_nested_bypass", nb);
	destroy("destroy_nested_abort", na);
	destroy("destroy_vdevice", vdev);
	destroy("destroy_viommu", vi);
	destroy("destroy_nest_parent", n);
	group_end();
}

static void g_attach_invalid(void)
{
	struct vfio_device_attach_iommufd_pt a;
	struct vfio_device_detach_iommufd_pt dt;
	uint32_t dead;

	group_begin("attach_invalid");
	dead = ioas_alloc("ioas_alloc_tmp");
	destroy("destroy_tmp", dead);
	attach("attach_pt_0", 0);
	attach("attach_pt_dev", dev_id);
	attach("attach_pt_fault", fault_id);
	attach("attach_pt_dead", dead);
	attach("attach_pt_max", UINT32_MAX);
	a = (struct vfio_device_attach_iommufd_pt){ .argsz = sizeof(a), .flags = 1U << 1,
						    .pt_id = ioas1 };
	rec("attach_bad_flags", ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
	tap(failed_with(EINVAL), "attach_bad_flags_einval");
	a = (struct vfio_device_attach_iommufd_pt){ .argsz = 8, .pt_id = ioas1 };
	rec("attach_short_argsz", ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
	tap(failed_with(EINVAL), "attach_short_argsz_einval");
	a = (struct vfio_device_attach_iommufd_pt){ .argsz = sizeof(a),
						    .flags = VFIO_DEVICE_ATTACH_PASID,
						    .pt_id = ioas1, .pasid = 1 };
	rec("attach_pasid_1", ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a));
	out(a.pt_id);
	dt = (struct vfio_device_detach_iommufd_pt){ .argsz = sizeof(dt),
						     .flags = VFIO_DEVICE_DETACH_PASID, .pasid = 1 };
	rec("detach_pasid_1", ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	dt = (struct vfio_device_detach_iommufd_pt){ .argsz = sizeof(dt), .flags = 1U << 1 };
	rec("detach_bad_flags", ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	tap(failed_with(EINVAL), "detach_bad_flags_einval");
	dt = (struct vfio_device_detach_iommufd_pt){ .argsz = 4 };
	rec("detach_short_argsz", ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	tap(failed_with(EINVAL), "detach_short_argsz_einval");
	/* Still attached to IOAS 1, translating. */
	tap_dma(dma_a("dma_after_invalid_attach"), DMA_OK, "dma_after_invalid_attach");
	group_end();
}

static void g_teardown(void)
{
	bool ok;

	group_begin("teardown");
	ok = !detach("detach");
	ok &= !destroy("destroy_ioas1", ioas1);
	destroy("destroy_fault_open", fault_id);
	ok &= !rec("close_fault", close(fault_fd));
	ok &= !rec("close_device", close(devfd));
	ok &= !rec("close_iommufd", close(iommufd));
	tap(ok, "teardown");
	group_end();
}

/* BUF_PAGES pages at a 2 MiB aligned address. */
static int map_buffer(void)
{
	size_t len = BUF_PAGES * pg + BUF_ALIGN;
	uintptr_t p, a;
	void *m;

	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	p = (uintptr_t)m;
	a = (p + BUF_ALIGN - 1) & ~(BUF_ALIGN - 1);
	buf = (uint8_t *)a;
	madvise(buf, BUF_PAGES * pg, MADV_NOHUGEPAGE);
	memset(buf, 0, BUF_PAGES * pg);
	return 0;
}

int main(int argc, char **argv)
{
	char bdf[NAME_MAX + 1] = "", cdev[NAME_MAX + 32] = "";

	printf("TAP version 13\n");
	fflush(stdout);
	pg = sysconf(_SC_PAGESIZE);
	if (argc > 1)
		snprintf(bdf, sizeof(bdf), "%s", argv[1]);
	else if (find_edu(bdf, sizeof(bdf)))
		bail("no edu device (PCI 1234:11e8)");
	printf("# edu device %s, page size %ld\n", bdf, pg);
	if (bind_vfio(bdf, cdev, sizeof(cdev)))
		bail("bind to vfio-pci");
	if (map_buffer())
		bail("mmap");

	g_setup(cdev);
	g_hw_info();
	g_hwpt_alloc();
	g_hwpt_invalid();
	g_dirty();
	g_attach();
	g_ioas_attached();
	g_nest();
	g_attach_invalid();
	g_teardown();

	printf("# riommu-devdiff total digest=%016" PRIx64 " groups=%u\n", total, ngroups);
	printf("1..%d\n", tap_no);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       tap_no - tap_fail, tap_fail);
	return tap_fail ? 1 : 0;
}
