// SPDX-License-Identifier: GPL-2.0
/*
 * riommu nested translation test on the (emulated) Arm SMMUv3, as a VMM.
 *
 * Run as root in an arm64 QEMU guest (-M virt,iommu=smmuv3, QEMU >= 9.2:
 * stage=nested) with QEMU's "edu" device (PCI 1234:11e8) behind the SMMU.
 * The program plays the VMM of a guest whose IPA space is an IOAS: it maps
 * buffers into the IOAS at fixed IOVAs (the guest's IPAs), writes a stage-1
 * translation into them as a guest kernel would (an AArch64 LPAE 4 KiB table,
 * T0SZ=25, three levels, whose descriptors hold IPAs, and one Context
 * Descriptor), and hands the SMMU driver a virtual STE through iommufd:
 *
 *   IOMMU_HWPT_ALLOC(NEST_PARENT) on the IOAS      kernel stage 2
 *   IOMMU_VIOMMU_ALLOC(ARM_SMMUV3) on it           the vSMMU
 *   IOMMU_VDEVICE_ALLOC(vSID 0x42)                 edu's virtual StreamID
 *   IOMMU_VEVENTQ_ALLOC(ARM_SMMUV3)                stage-1 faults for the VMM
 *   IOMMU_HWPT_ALLOC(vIOMMU, vSTE S1_TRANS -> CD)  user stage 1
 *
 * then makes edu DMA through both stages and proves, each step a TAP result:
 * - the bytes land in the page the stage-1 PTE points to (through stage 2),
 *   both directions, and nowhere else (every page at an IPA equal to a
 *   stage-1 IOVA is a decoy that a stage-2 only translation would hit);
 * - a PTE change is not seen until IOMMU_HWPT_INVALIDATE with TLBI_NH_VA or
 *   TLBI_NH_ASID (of the right ASID), a CD change (new ASID and TTB0) not
 *   until CFGI_CD for the vSID, which the kernel must turn into the physical
 *   StreamID and tag with the parent's VMID;
 * - a stage-1 fault reaches the vEVENTQ as F_TRANSLATION with the vSID and
 *   the IOVA, and not the host log; a stage-2 fault reaches the host log
 *   (event: F_TRANSLATION ... s2) and not the vEVENTQ;
 * - replacing the nested HWPT by its parent (IOVA = IPA) and back works, as
 *   do abort, bypass (stage 2 only) and V=0 vSTEs;
 * - invalid vSTEs, allocation arguments and invalidation commands, a
 *   translating vSTE without a vDEVICE and destroys in the wrong order fail
 *   with the errnos of the C arm-smmu-v3 driver (the reference), which are
 *   written here as the expectations.
 * Every ioctl result (return value, errno, the ids, IOVAs and entry_num the
 * kernel wrote back), every DMA outcome (the data page it reached, the pages
 * it changed) and the first vEVENT of each fault go into per-group digests in
 * riommu_dev_diff's format (riommu_digest.h), so scripts/riommu/diffcmp.py
 * --suite nested_smmu compares two drivers' runs step by step. Left out, as
 * they may differ between runs: file descriptors, buffer addresses, the
 * taint value (only whether TAINT_USER is set goes in), vEVENT sequence
 * numbers and counts.
 *
 * The vSMMU needs the SMMU driver's test-only parameter
 * nesting_without_coherent_s2=1 on the kernel command line: QEMU's SMMUv3 has
 * neither S2FWB nor CANWBS, which the driver requires so that a guest cannot
 * make DMA non-coherent. Without it the test asserts the refusal
 * (IOMMU_VIOMMU_ALLOC fails with EOPNOTSUPP, no TAINT_USER) and stops; with
 * it, that the kernel is tainted (TAINT_USER) once the vSMMU exists.
 *
 * What holds under emulation only: the coherency the driver would check is
 * vacuous under TCG (QEMU reads and writes guest RAM directly), so the DMA
 * results say nothing about memory attributes on hardware. The stale-TLB and
 * stale-CD checks rely on QEMU caching translations and decoded
 * configurations until an invalidation (its IOTLB keyed by ASID, VMID and
 * IOVA; its config cache per device until CFGI_STE/CD); hardware may cache
 * less, and then a "still the old page" result is not guaranteed there.
 * QEMU reports a blocked DMA as one event per 4-byte access; the count is
 * printed, not asserted.
 *
 * Usage: riommu_nested_smmu [PCI-BDF]
 */
#include <stdio.h>

#ifndef __aarch64__
int main(void)
{
	printf("TAP version 13\n1..0 # SKIP arm64 only\n");
	return 0;
}
#else
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "riommu_digest.h"
#include "riommu_edu.h"
#include "riommu_smmuv3.h"

#define PG		4096UL
#define BUF_ALIGN	(2UL << 20)

/*
 * The guest's IPA space (IOAS IOVAs). Clear of the SMMUv3 drivers' software
 * MSI window (0x8000000-0x80fffff), below 2^28 (edu's default DMA mask) and
 * so below 2^44 (QEMU's OAS).
 */
#define IPA_TBL		0x1000000ULL	/* 8 pages: stage-1 tables and the CD */
#define IPA_DATA	0x2000000ULL	/* NDATA pages D0..: the DMA targets */
#define IPA_HOLE	0x3000000ULL	/* never mapped in the IOAS */
#define NTBL		8
#define NDATA		9
#define NPAGES		(NTBL + NDATA)

/* Table pages: two stage-1 tables (A, then B after the CD switch), the CD. */
#define P_L1A		0
#define P_L2A		1
#define P_L3A		2
#define P_CD		3
#define P_L1B		4
#define P_L2B		5
#define P_L3B		6
#define IPA_P(p)	(IPA_TBL + (uint64_t)(p) * PG)
#define IPA_D(k)	(IPA_DATA + (uint64_t)(k) * PG)

/*
 * Stage-1 IOVAs, in the 2 MiB at IPA_DATA (one L3 table). Each equals the IPA
 * of a decoy data page: a translation that skipped stage 1 would hit it.
 */
#define IOVA_X		(IPA_DATA + 0 * PG)	/* the remapped page; decoy D0 */
#define IOVA_S		(IPA_DATA + 1 * PG)	/* staging, always D4; decoy D1 */
#define IOVA_F		(IPA_DATA + 5 * PG)	/* no stage-1 PTE; decoy D5 */
#define IOVA_H		(IPA_DATA + 6 * PG)	/* PTE to IPA_HOLE; decoy D6 */
#define D_X1		2	/* IOVA_X first */
#define D_X2		3	/* after TLBI_NH_VA */
#define D_STAGE		4	/* staging */
#define D_XB		7	/* IOVA_X through tables B (after CFGI_CD) */
#define D_X3		8	/* after TLBI_NH_ASID */

#define DMA_OFF		0x100	/* offset in the page: translation keeps it */
#define DMA_LEN		256
#define FAULT_LEN	8	/* a blocked DMA: few accesses, few events */

#define VSID		0x42
#define ASID_A		0x11
#define ASID_B		0x22

/* The guest's stage 1 (its encodings: riommu_smmuv3.h). */
#define T0SZ		25	/* 39-bit input: levels 1 to 3 */

#define TAINT_USER	(1UL << 6)

static int iommufd = -1, devfd = -1, veventq_fd = -1;
static uint32_t dev_id, ioas, parent, viommu, vdev, veventq, nested;
static char bdf[NAME_MAX + 1];
static uint8_t *buf;		/* NPAGES pages, 2 MiB aligned */
static uint64_t stage_iova;	/* where the device sees the staging page */
static bool stage_ok;		/* false: nothing translates (abort) */
static unsigned int gen;

static uint8_t *tbl(unsigned int p)
{
	return buf + p * PG;
}

static uint8_t *data(unsigned int k)
{
	return buf + (NTBL + k) * PG;
}

/* --- ioctls, each one a step ------------------------------------------------ */

static int ioctl_rec(const char *name, unsigned long req, void *p)
{
	return rec(name, ioctl(iommufd, req, p));
}

static int destroy(const char *name, uint32_t id)
{
	struct iommu_destroy *c = arg(sizeof(*c));

	c->id = id;
	return ioctl_rec(name, IOMMU_DESTROY, c);
}

/* Map NPAGES buffer pages from page FIRST at the fixed IOVA (IPA) IOVA. */
static int map(const char *name, unsigned int first, unsigned int npages, uint64_t iova)
{
	struct iommu_ioas_map *c = arg(sizeof(*c));

	c->flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		   IOMMU_IOAS_MAP_WRITEABLE;
	c->ioas_id = ioas;
	c->user_va = (uintptr_t)(buf + first * PG);
	c->length = npages * PG;
	c->iova = iova;
	if (ioctl_rec(name, IOMMU_IOAS_MAP, c))
		return -1;
	out(c->iova);
	return 0;
}

/* IOMMU_HWPT_ALLOC on PT; the id or 0. */
static uint32_t hwpt_alloc(const char *name, uint32_t pt, uint32_t flags, uint32_t type,
			   const void *ptr, uint32_t len)
{
	struct iommu_hwpt_alloc *c = arg(sizeof(*c));

	c->flags = flags;
	c->dev_id = dev_id;
	c->pt_id = pt;
	c->data_type = type;
	c->data_len = len;
	c->data_uptr = (uintptr_t)ptr;
	if (ioctl_rec(name, IOMMU_HWPT_ALLOC, c))
		return 0;
	out(c->out_hwpt_id);
	return c->out_hwpt_id;
}

/* A nested HWPT on VIOMMU_ID from a vSTE. */
static uint32_t nested_alloc(const char *name, uint32_t viommu_id, uint64_t ste0, uint64_t ste1)
{
	static struct iommu_hwpt_arm_smmuv3 vste;

	vste.ste[0] = ste0;
	vste.ste[1] = ste1;
	return hwpt_alloc(name, viommu_id, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, &vste, sizeof(vste));
}

static int attach(const char *name, uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt c = { .argsz = sizeof(c), .pt_id = pt };

	if (rec(name, ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &c)))
		return -1;
	out(c.pt_id);
	return 0;
}

static uint32_t viommu_alloc(const char *name, uint32_t hwpt)
{
	struct iommu_viommu_alloc *c = arg(sizeof(*c));

	c->type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
	c->dev_id = dev_id;
	c->hwpt_id = hwpt;
	if (ioctl_rec(name, IOMMU_VIOMMU_ALLOC, c))
		return 0;
	out(c->out_viommu_id);
	return c->out_viommu_id;
}

static uint32_t vdevice_alloc(const char *name, uint32_t viommu_id, uint64_t virt_id)
{
	struct iommu_vdevice_alloc *c = arg(sizeof(*c));

	c->viommu_id = viommu_id;
	c->dev_id = dev_id;
	c->virt_id = virt_id;
	if (ioctl_rec(name, IOMMU_VDEVICE_ALLOC, c))
		return 0;
	out(c->out_vdevice_id);
	return c->out_vdevice_id;
}

/* The vEVENTQ's id (its fd in *FD, not digested) or 0. */
static uint32_t veventq_alloc(const char *name, uint32_t viommu_id, int *fd)
{
	struct iommu_veventq_alloc *c = arg(sizeof(*c));

	c->viommu_id = viommu_id;
	c->type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
	c->veventq_depth = 256;
	if (ioctl_rec(name, IOMMU_VEVENTQ_ALLOC, c))
		return 0;
	out(c->out_veventq_id);
	*fd = c->out_veventq_fd;
	return c->out_veventq_id;
}

/*
 * IOMMU_HWPT_INVALIDATE on ID of N entries of ENTRY_LEN bytes at CMDS, data
 * type TYPE; records entry_num as the kernel wrote it back.
 */
static int invalidate_raw(const char *name, uint32_t id, uint32_t type, const void *cmds,
			  uint32_t entry_len, uint32_t n, uint32_t *done_num)
{
	struct iommu_hwpt_invalidate *c = arg(sizeof(*c));
	int rc;

	c->hwpt_id = id;
	c->data_uptr = (uintptr_t)cmds;
	c->data_type = type;
	c->entry_len = entry_len;
	c->entry_num = n;
	rc = ioctl_rec(name, IOMMU_HWPT_INVALIDATE, c);
	out(c->entry_num);
	if (done_num)
		*done_num = c->entry_num;
	return rc;
}

/* The vIOMMU invalidation of N commands; the step's entry_num in *DONE. */
static int invalidate(const char *name, const uint64_t (*cmds)[2], uint32_t n, uint32_t *done)
{
	return invalidate_raw(name, viommu, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
			      sizeof(struct iommu_viommu_arm_smmuv3_invalidate), n, done);
}

/* --- the guest's stage 1 ----------------------------------------------------- */

static void pte_write(unsigned int table, unsigned int idx, uint64_t pte)
{
	((volatile uint64_t *)tbl(table))[idx] = pte;
	__sync_synchronize();
}

static uint64_t page_pte(uint64_t ipa)
{
	return PTE_ADDR(ipa) | PTE_AF | PTE_SH_IS | PTE_AP_EL0 | PTE_TYPE_PAGE;
}

/* L3 index of a stage-1 IOVA in the 2 MiB at IPA_DATA. */
static unsigned int l3_idx(uint64_t iova)
{
	return (iova >> 12) & 0x1ff;
}

/* A three-level table at L1, L2, L3 mapping IOVA_X to page X, staging, hole. */
static void build_tables(unsigned int l1, unsigned int l2, unsigned int l3, unsigned int x)
{
	memset(tbl(l1), 0, PG);
	memset(tbl(l2), 0, PG);
	memset(tbl(l3), 0, PG);
	pte_write(l1, (IPA_DATA >> 30) & 0x1ff, PTE_ADDR(IPA_P(l2)) | PTE_TYPE_TABLE);
	pte_write(l2, (IPA_DATA >> 21) & 0x1ff, PTE_ADDR(IPA_P(l3)) | PTE_TYPE_TABLE);
	pte_write(l3, l3_idx(IOVA_X), page_pte(IPA_D(x)));
	pte_write(l3, l3_idx(IOVA_S), page_pte(IPA_D(D_STAGE)));
	pte_write(l3, l3_idx(IOVA_H), page_pte(IPA_HOLE));
	/* IOVA_F: no PTE. */
}

/*
 * The CD as arm_smmu_make_s1_cd() writes one for a stage-1 domain: TTB0 at
 * an IPA, 4 KiB granule, WBWA inner shareable walks, TTB1 disabled, 44-bit
 * IPA size, AArch64, faults recorded (R) and aborted (A), ASID set. The
 * valid bit goes in last.
 */
static void write_cd(uint16_t asid, uint64_t ttb0)
{
	volatile uint64_t *cd = (volatile uint64_t *)tbl(P_CD);

	cd[0] &= ~CD0_V;
	__sync_synchronize();
	for (int i = 1; i < 8; i++)
		cd[i] = 0;
	cd[1] = CD1_TTB0(ttb0);
	cd[3] = MAIR_WBWA;
	__sync_synchronize();
	cd[0] = CD0_T0SZ(T0SZ) | CD0_TG0_4K | CD0_IRGN0_WBWA | CD0_ORGN0_WBWA | CD0_SH0_IS |
		CD0_EPD1 | CD0_V | CD0_IPS_44 | CD0_AA64 | CD0_R | CD0_A | CD0_ASET |
		CD0_ASID(asid);
	__sync_synchronize();
}

/* The vSTE of a CD table at the CD's IPA, word 1 as arm_smmu_make_cdtable_ste(). */
#define VSTE_S1_0	(STE0_V | STE0_CFG(STE_CFG_S1) | STE0_CTXPTR(IPA_P(P_CD)))
#define VSTE_S1_1	(STE1_S1CIR_WBRA | STE1_S1COR_WBRA | STE1_S1CSH_IS)
#define VSTE_ABORT_0	(STE0_V | STE0_CFG(STE_CFG_ABORT))
#define VSTE_BYPASS_0	(STE0_V | STE0_CFG(STE_CFG_BYPASS))

/* --- DMA through edu ---------------------------------------------------------- */

static void use_s1(void)
{
	stage_iova = IOVA_S;
	stage_ok = true;
}

static void use_s2(void)
{
	stage_iova = IPA_D(D_STAGE);
	stage_ok = true;
}

static void use_none(void)
{
	stage_iova = IPA_D(D_STAGE);
	stage_ok = false;
}

static uint8_t pat_w(size_t i)
{
	return (uint8_t)(i * 13 + gen * 71 + 1);
}

static uint8_t pat_r(unsigned int k, size_t i)
{
	return (uint8_t)(i * 7 + k * 29 + gen * 53 + 3);
}

static uint8_t fill(unsigned int k)
{
	return (uint8_t)(0x80 + k * 16 + gen);
}

static const char *pname(int k)
{
	static const char *const n[] = { "D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8" };

	if (k == -2)
		return "timeout";
	return k >= 0 && k < NDATA ? n[k] : "none";
}

struct wres {
	int landed;		/* the data page the bytes landed in, -1 none, -2 timeout */
	uint32_t changed;	/* the data pages that changed at all */
};

/*
 * edu -> RAM at IOVA + DMA_OFF, LEN bytes. edu is loaded through the staging
 * page first; then every data page is filled with its own byte and the DMA
 * runs. Records step NAME: where the data landed and which pages changed.
 */
static struct wres dma_w(const char *name, uint64_t iova, size_t len)
{
	struct wres r = { .landed = -1 };
	bool to = false;

	done();
	gen++;
	for (size_t i = 0; i < len; i++)
		data(D_STAGE)[DMA_OFF + i] = pat_w(i);
	if (stage_ok)
		to |= edu_dma(stage_iova + DMA_OFF, EDU_BUF, len, 0) != 0;
	for (unsigned int k = 0; k < NDATA; k++)
		memset(data(k), fill(k), PG);
	__sync_synchronize();
	to |= edu_dma(EDU_BUF, iova + DMA_OFF, len, EDU_CMD_TO_RAM) != 0;
	for (unsigned int k = 0; k < NDATA; k++) {
		bool landed = true, same = true;

		for (size_t i = 0; i < PG; i++)
			same &= data(k)[i] == fill(k);
		for (size_t i = 0; i < len; i++)
			landed &= data(k)[DMA_OFF + i] == pat_w(i);
		if (!same)
			r.changed |= 1U << k;
		if (landed && r.landed == -1)
			r.landed = k;
	}
	if (to)
		r.landed = -2;
	rec(name, 0);
	out((uint64_t)(int64_t)r.landed);
	out(r.changed);
	return r;
}

/*
 * RAM at IOVA + DMA_OFF -> edu, LEN bytes: every data page holds its own
 * pattern; edu's copy is written back through the staging page (refilled
 * with a sentinel before each step, so that a blocked DMA on either side
 * shows). Records step NAME: whose pattern edu read, -1 none, -2 timeout.
 */
static int dma_r(const char *name, uint64_t iova, size_t len)
{
	int got = -1;
	bool to = false;

	done();
	gen++;
	memset(data(D_STAGE) + DMA_OFF, 0x5a, len);
	if (stage_ok)
		to |= edu_dma(stage_iova + DMA_OFF, EDU_BUF, len, 0) != 0;
	for (unsigned int k = 0; k < NDATA; k++)
		for (size_t i = 0; i < PG; i++)
			data(k)[i] = pat_r(k, i);
	__sync_synchronize();
	to |= edu_dma(iova + DMA_OFF, EDU_BUF, len, 0) != 0;
	memset(data(D_STAGE) + DMA_OFF, 0x5a, len);
	__sync_synchronize();
	if (stage_ok)
		to |= edu_dma(EDU_BUF, stage_iova + DMA_OFF, len, EDU_CMD_TO_RAM) != 0;
	for (unsigned int k = 0; k < NDATA && got < 0; k++) {
		bool match = true;

		for (size_t i = 0; i < len; i++)
			match &= data(D_STAGE)[DMA_OFF + i] == pat_r(k, DMA_OFF + i);
		if (match)
			got = k;
	}
	if (to)
		got = -2;
	rec(name, 0);
	out((uint64_t)(int64_t)got);
	return got;
}

static void tap_w(struct wres r, int want, const char *what)
{
	uint32_t mask = want >= 0 ? 1U << want : 0;

	tap(r.landed == want && r.changed == mask,
	    "%s: landed in %s, pages changed 0x%03x (expected %s, 0x%03x)",
	    what, pname(r.landed), r.changed, pname(want), mask);
}

/* A write to IOVA, its step and its result both named NAME. */
static void check_w(const char *name, uint64_t iova, int want)
{
	tap_w(dma_w(name, iova, DMA_LEN), want, name);
}

static void tap_r(int got, int want, const char *what)
{
	tap(got == want, "%s: read %s (expected %s)", what, pname(got), pname(want));
}

/* Write, then read, at IOVA: both must reach data page WANT (-1: neither). */
static void dma_both(const char *wname, const char *rname, uint64_t iova, int want)
{
	check_w(wname, iova, want);
	tap_r(dma_r(rname, iova, DMA_LEN), want, rname);
}

/* --- vEVENTQ and host log ------------------------------------------------------- */

struct vevent {
	uint32_t flags;
	uint64_t evt[4];
};

/*
 * Wait up to MS for the vEVENTQ, then read until it has been quiet for
 * 300 ms. Returns the number of vEVENTs (the first in *FIRST); lost-events
 * headers are counted in *LOST.
 */
static int vevents(int ms, struct vevent *first, unsigned int *lost)
{
	struct pollfd p = { .fd = veventq_fd, .events = POLLIN };
	uint8_t rbuf[4096];
	int n = 0;

	*lost = 0;
	memset(first, 0, sizeof(*first));
	while (poll(&p, 1, n || *lost ? 300 : ms) > 0) {
		ssize_t len = read(veventq_fd, rbuf, sizeof(rbuf));
		size_t off = 0;

		if (len <= 0)
			break;
		while (off + sizeof(struct iommufd_vevent_header) <= (size_t)len) {
			struct iommufd_vevent_header h;

			memcpy(&h, rbuf + off, sizeof(h));
			off += sizeof(h);
			if (h.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
				(*lost)++;
				continue;
			}
			if (off + sizeof(struct iommu_vevent_arm_smmuv3) > (size_t)len)
				break;
			if (!n++) {
				first->flags = h.flags;
				memcpy(first->evt, rbuf + off, sizeof(first->evt));
			}
			off += sizeof(struct iommu_vevent_arm_smmuv3);
		}
	}
	return n;
}

/* Records step NAME with the first vEVENT (sequence numbers and count left out). */
static int vevent_step(const char *name, int ms, struct vevent *ev)
{
	unsigned int lost;
	int n = vevents(ms, ev, &lost);

	rec(name, 0);
	out(n > 0);
	out(lost);
	if (n > 0) {
		out(ev->flags);
		for (int i = 0; i < 4; i++)
			out(ev->evt[i]);
	}
	printf("# %s: %d vEVENT(s), %u lost-events header(s)\n", name, n, lost);
	return n;
}

static void tap_vevent(int n, const struct vevent *ev, uint64_t iova, bool read, const char *what)
{
	uint64_t e0 = ev->evt[0], e1 = ev->evt[1];
	bool ok = n > 0 && (e0 & 0xff) == EVT_F_TRANSLATION && (e0 >> 32) == VSID &&
		  ev->evt[2] == iova && !(e1 & EVT1_S2) && !!(e1 & EVT1_RNW) == read;

	tap(ok, "%s: %d, id 0x%02" PRIx64 " sid 0x%" PRIx64 " iova 0x%" PRIx64 " %s %s"
	    " (expected F_TRANSLATION vSID 0x%x iova 0x%" PRIx64 " s1 %s)",
	    what, n, e0 & 0xff, e0 >> 32, ev->evt[2], e1 & EVT1_S2 ? "s2" : "s1",
	    e1 & EVT1_RNW ? "read" : "write", VSID, iova, read ? "read" : "write");
}

static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* The next kernel log record's text, or false if there is none now. */
static bool kmsg_next(int fd, char *msg, size_t len)
{
	char rec[2048];

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *m;

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: keep reading */
		if (n <= 0)
			return false;
		rec[n] = 0;
		m = strchr(rec, ';');
		m = m ? m + 1 : rec;
		m[strcspn(m, "\n")] = 0;
		snprintf(msg, len, "%.*s", (int)len - 1, m);
		return true;
	}
}

/*
 * Look for the driver's "event: F_TRANSLATION client: BDF" line in the log
 * from FD's position, for up to 2 s; *S2 tells whether the line after it
 * (the event's decoded fields) says s2, -1 if there is no line after it.
 */
static bool kmsg_fault(int fd, char *line, size_t len, int *s2)
{
	char want[NAME_MAX + 64], msg[1024];

	snprintf(want, sizeof(want), "event: F_TRANSLATION client: %s ", bdf);
	*s2 = -1;
	for (int t = 0; t < 20; t++) {
		while (kmsg_next(fd, msg, sizeof(msg))) {
			if (!strstr(msg, want))
				continue;
			snprintf(line, len, "%s", msg);
			for (int u = 0; u < 10; u++) {
				if (kmsg_next(fd, msg, sizeof(msg))) {
					*s2 = strstr(msg, " s2 ") != NULL;
					printf("# host log: %s\n# host log: %s\n", line, msg);
					return true;
				}
				usleep(100000);
			}
			printf("# host log: %s\n", line);
			return true;
		}
		usleep(100000);
	}
	return false;
}

/* --- mode, taint ------------------------------------------------------------- */

static unsigned long tainted(void)
{
	unsigned long v = 0;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static bool cmdline_nesting(void)
{
	char line[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	return strstr(line, "arm_smmu_v3.nesting_without_coherent_s2=1") ||
	       strstr(line, "arm_smmu_v3_rs.nesting_without_coherent_s2=1");
}

/* The driver's view of the parameter: 'Y', 'N', or 0 if no driver has it. */
static char param_value(void)
{
	static const char *const paths[] = {
		"/sys/module/arm_smmu_v3/parameters/nesting_without_coherent_s2",
		"/sys/module/arm_smmu_v3_rs/parameters/nesting_without_coherent_s2",
	};
	char v = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && !v; i++) {
		FILE *f = fopen(paths[i], "r");

		if (!f)
			continue;
		v = fgetc(f);
		fclose(f);
		printf("# %s: %c\n", paths[i], v);
	}
	return v;
}

/* --- the groups ------------------------------------------------------------- */

static void g_setup(const char *cdev, bool full)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	struct iommu_ioas_alloc *a;
	uint16_t cmd;
	char p;

	group_begin("setup");
	rec("mode_nesting_without_coherent_s2", 0);
	out(full);
	p = param_value();
	/*
	 * The C driver's parameter is in sysfs (0444); the Rust module! macro
	 * registers parameters without a sysfs node. For it the vSMMU
	 * allocation and the taint below are what show the setting.
	 */
	if (full && p)
		tap(p == 'Y', "nesting_param_set: the driver reads %c", p);
	else if (full)
		printf("# the parameter has no sysfs node (a Rust module's)\n");

	devfd = open(cdev, O_RDWR);
	iommufd = open("/dev/iommu", O_RDWR);
	if (devfd < 0 || iommufd < 0)
		bail("open vfio cdev or /dev/iommu");
	bind.iommufd = iommufd;
	if (!rec("bind_iommufd", ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind)))
		out(bind.out_devid);
	tap(!R.ret, "bind_iommufd");
	dev_id = bind.out_devid;
	a = arg(sizeof(*a));
	if (!ioctl_rec("ioas_alloc", IOMMU_IOAS_ALLOC, a)) {
		out(a->out_ioas_id);
		ioas = a->out_ioas_id;
	}
	tap(ioas != 0, "ioas_alloc");

	/* The guest's RAM: the table pages and the data pages at fixed IPAs. */
	tap(!map("ioas_map_tables", 0, NTBL, IPA_TBL) &&
	    !map("ioas_map_data", NTBL, NDATA, IPA_DATA),
	    "ioas_map_fixed: tables at 0x%llx, data at 0x%llx",
	    (unsigned long long)IPA_TBL, (unsigned long long)IPA_DATA);

	parent = hwpt_alloc("hwpt_alloc_nest_parent", ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
			    NULL, 0);
	tap(parent != 0, "hwpt_alloc_nest_parent");

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
	group_end();
}

/* Without the parameter: the C driver's refusal, and no taint from it. */
static void g_refusal(void)
{
	unsigned long t0, t1;
	uint32_t id;

	group_begin("refusal");
	t0 = tainted();
	id = viommu_alloc("viommu_alloc", parent);
	tap(!id && failed_with(EOPNOTSUPP), "viommu_alloc_eopnotsupp: errno %d (expected %d)",
	    R.err, EOPNOTSUPP);
	if (id)
		destroy("destroy_viommu", id);
	t1 = tainted();
	rec("taint_user_gained", 0);
	out(!(t0 & TAINT_USER) && (t1 & TAINT_USER));
	tap(!(!(t0 & TAINT_USER) && (t1 & TAINT_USER)),
	    "no_taint_user: tainted %lu before, %lu after", t0, t1);
	group_end();
}

static void g_viommu(void)
{
	unsigned long t0, t1;
	int fd2 = -1;
	uint32_t id;

	group_begin("viommu");
	/* The guest's stage 1: tables A map IOVA_X to D2; CD A. */
	build_tables(P_L1A, P_L2A, P_L3A, D_X1);
	write_cd(ASID_A, IPA_P(P_L1A));

	t0 = tainted();
	viommu = viommu_alloc("viommu_alloc", parent);
	tap(viommu != 0, "viommu_alloc");
	t1 = tainted();
	rec("taint_user", 0);
	out(!!(t1 & TAINT_USER));
	tap(t1 & TAINT_USER, "taint_user: tainted %lu before, %lu after the vSMMU", t0, t1);

	vdev = vdevice_alloc("vdevice_alloc", viommu, VSID);
	tap(vdev != 0, "vdevice_alloc vSID 0x%x", VSID);
	veventq = veventq_alloc("veventq_alloc", viommu, &veventq_fd);
	tap(veventq != 0, "veventq_alloc");
	id = veventq_alloc("veventq_alloc_again", viommu, &fd2);
	tap(!id && failed_with(EEXIST), "veventq_alloc_again_eexist");
	if (id) {
		close(fd2);
		destroy("destroy", id);
	}

	nested = nested_alloc("hwpt_alloc_nested_s1", viommu, VSTE_S1_0, VSTE_S1_1);
	tap(nested != 0, "hwpt_alloc_nested_s1: vSTE S1_TRANS, CD at IPA 0x%llx",
	    (unsigned long long)IPA_P(P_CD));
	tap(!attach("attach_nested", nested), "attach_nested");
	use_s1();
	group_end();
}

static void g_dma(void)
{
	group_begin("dma");
	dma_both("dma_w_x", "dma_r_x", IOVA_X, D_X1);
	dma_both("dma_w_staging", "dma_r_staging", IOVA_S, D_STAGE);
	group_end();
}

static void g_remap(void)
{
	const uint64_t nh_va[1][2] = { { OP_TLBI_NH_VA | CMD_ASID(ASID_A), IOVA_X | CMD_LEAF } };
	const uint64_t nh_asid_b[1][2] = { { OP_TLBI_NH_ASID | CMD_ASID(ASID_B), 0 } };
	const uint64_t nh_asid_a[1][2] = { { OP_TLBI_NH_ASID | CMD_ASID(ASID_A), 0 } };
	const uint64_t batch[5][2] = {
		{ OP_TLBI_NH_VA | CMD_ASID(ASID_A), IOVA_X | CMD_LEAF },
		{ OP_TLBI_NH_ASID | CMD_ASID(ASID_A), 0 },
		{ OP_CFGI_CD | CMD_SID(VSID), CMD_LEAF },
		{ OP_TLBI_NH_ALL, 0 },
		{ OP_TLBI_NSNH_ALL, 0 },
	};
	uint32_t n;
	int rc;

	group_begin("remap");
	/* The guest changes the PTE and does not invalidate: the IOTLB has the old one. */
	pte_write(P_L3A, l3_idx(IOVA_X), page_pte(IPA_D(D_X2)));
	dma_both("dma_w_x_stale", "dma_r_x_stale", IOVA_X, D_X1);

	rc = invalidate("inv_tlbi_nh_va", nh_va, 1, &n);
	tap(!rc && n == 1, "inv_tlbi_nh_va: rc %d entry_num %u (expected 1)", rc, n);
	dma_both("dma_w_x_after_nh_va", "dma_r_x_after_nh_va", IOVA_X, D_X2);

	/* Again, invalidated by ASID: another ASID's does not do it. */
	pte_write(P_L3A, l3_idx(IOVA_X), page_pte(IPA_D(D_X3)));
	rc = invalidate("inv_tlbi_nh_asid_other", nh_asid_b, 1, &n);
	tap(!rc && n == 1, "inv_tlbi_nh_asid_other: rc %d entry_num %u (expected 1)", rc, n);
	check_w("dma_w_x_after_other_asid", IOVA_X, D_X2);
	rc = invalidate("inv_tlbi_nh_asid", nh_asid_a, 1, &n);
	tap(!rc && n == 1, "inv_tlbi_nh_asid: rc %d entry_num %u (expected 1)", rc, n);
	check_w("dma_w_x_after_nh_asid", IOVA_X, D_X3);

	/* Every command a guest may send, in one batch. */
	rc = invalidate("inv_batch_valid", batch, 5, &n);
	tap(!rc && n == 5, "inv_batch_valid: rc %d entry_num %u (expected 5)", rc, n);
	check_w("dma_w_x_after_batch", IOVA_X, D_X3);
	group_end();
}

static void g_cd_switch(void)
{
	const uint64_t cfgi_cd[1][2] = { { OP_CFGI_CD | CMD_SID(VSID), CMD_LEAF } };
	uint32_t n;
	int rc;

	group_begin("cd_switch");
	/* Tables B map IOVA_X to D7; the CD moves to them with ASID B. */
	build_tables(P_L1B, P_L2B, P_L3B, D_XB);
	write_cd(ASID_B, IPA_P(P_L1B));
	check_w("dma_w_x_cd_stale", IOVA_X, D_X3);
	rc = invalidate("inv_cfgi_cd", cfgi_cd, 1, &n);
	tap(!rc && n == 1, "inv_cfgi_cd vSID 0x%x: rc %d entry_num %u (expected 1)", VSID, rc, n);
	dma_both("dma_w_x_after_cfgi_cd", "dma_r_x_after_cfgi_cd", IOVA_X, D_XB);
	group_end();
}

static void g_fault_s1(void)
{
	struct vevent ev;
	char line[1024];
	int kfd, n, s2;

	group_begin("fault_s1");
	kfd = kmsg_open();
	tap_w(dma_w("dma_w_unmapped", IOVA_F, FAULT_LEN), -1, "dma_w_unmapped");
	n = vevent_step("vevent_w_unmapped", 2000, &ev);
	tap_vevent(n, &ev, IOVA_F + DMA_OFF, false, "vevent_w_unmapped");
	tap_r(dma_r("dma_r_unmapped", IOVA_F, FAULT_LEN), -1, "dma_r_unmapped");
	n = vevent_step("vevent_r_unmapped", 2000, &ev);
	tap_vevent(n, &ev, IOVA_F + DMA_OFF, true, "vevent_r_unmapped");
	/* Reported to the VMM, so not in the host log. */
	rec("host_log_s1_fault", 0);
	out(kfd >= 0 && kmsg_fault(kfd, line, sizeof(line), &s2));
	tap(kfd >= 0 && !R.out[0], "host_log_no_s1_fault");
	if (kfd >= 0)
		close(kfd);
	/* edu finished its DMA and the device translates as before. */
	check_w("dma_w_x_after_s1_fault", IOVA_X, D_XB);
	group_end();
}

static void g_fault_s2(void)
{
	struct vevent ev;
	char line[1024] = "";
	int kfd, n, s2 = -1;
	bool logged;

	group_begin("fault_s2");
	kfd = kmsg_open();
	tap_w(dma_w("dma_w_ipa_hole", IOVA_H, FAULT_LEN), -1, "dma_w_ipa_hole");
	n = vevent_step("vevent_ipa_hole", 1000, &ev);
	tap(n == 0, "vevent_none_for_s2_fault: %d vEVENT(s)", n);
	logged = kfd >= 0 && kmsg_fault(kfd, line, sizeof(line), &s2);
	rec("host_log_s2_fault", 0);
	out(logged);
	out((uint64_t)(int64_t)s2);
	tap(logged && s2 != 0, "host_log_s2_fault: %s%s", logged ? "logged" : "not logged",
	    s2 == 1 ? ", s2" : s2 == 0 ? ", not s2" : "");
	if (kfd >= 0)
		close(kfd);
	check_w("dma_w_x_after_s2_fault", IOVA_X, D_XB);
	group_end();
}

static void g_replace(void)
{
	group_begin("replace");
	tap(!attach("replace_parent", parent), "replace_nested_by_parent");
	use_s2();
	/* Stage 2 only: the IOVA is an IPA. */
	dma_both("dma_w_parent_ipa", "dma_r_parent_ipa", IPA_D(D_X1), D_X1);
	check_w("dma_w_parent_iova_x", IOVA_X, 0);
	tap(!attach("replace_nested", nested), "replace_parent_by_nested");
	use_s1();
	dma_both("dma_w_x_nested_again", "dma_r_x_nested_again", IOVA_X, D_XB);
	group_end();
}

static void g_vste_invalid(void)
{
	static const struct {
		const char *name;
		uint64_t ste0, ste1;
	} bad[] = {
		{ "vste_cfg_s2", STE0_V | STE0_CFG(STE_CFG_S2), 0 },
		{ "vste_cfg_nested", STE0_V | STE0_CFG(STE_CFG_NESTED), 0 },
		{ "vste_cfg_1", STE0_V | STE0_CFG(1), 0 },
		{ "vste_ste0_bit52", VSTE_S1_0 | (1ULL << 52), VSTE_S1_1 },
		{ "vste_ste1_mev", VSTE_S1_0, VSTE_S1_1 | STE1_MEV },
		{ "vste_ste1_bit8", VSTE_S1_0, VSTE_S1_1 | (1ULL << 8) },
		{ "vste_eats_2", VSTE_S1_0, VSTE_S1_1 | STE1_EATS(2) },
		{ "vste_eats_3", VSTE_S1_0, VSTE_S1_1 | STE1_EATS(3) },
	};
	static struct {
		struct iommu_hwpt_arm_smmuv3 v;
		uint64_t tail;
	} big;
	static struct iommu_hwpt_arm_smmuv3 ok;
	uint32_t id;

	group_begin("vste_invalid");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		id = nested_alloc(bad[i].name, viommu, bad[i].ste0, bad[i].ste1);
		tap(!id && failed_with(EIO), "%s_eio: errno %d", bad[i].name, R.err);
		if (id)
			destroy("destroy", id);
	}

	ok.ste[0] = VSTE_S1_0;
	ok.ste[1] = VSTE_S1_1;
	id = hwpt_alloc("vste_flags_pasid", viommu, IOMMU_HWPT_ALLOC_PASID,
			IOMMU_HWPT_DATA_ARM_SMMUV3, &ok, sizeof(ok));
	tap(!id && failed_with(EOPNOTSUPP), "vste_flags_pasid_eopnotsupp: errno %d", R.err);
	if (id)
		destroy("destroy", id);
	id = hwpt_alloc("vste_flags_nest_parent", viommu, IOMMU_HWPT_ALLOC_NEST_PARENT,
			IOMMU_HWPT_DATA_ARM_SMMUV3, &ok, sizeof(ok));
	tap(!id && failed_with(EOPNOTSUPP), "vste_flags_nest_parent_eopnotsupp: errno %d", R.err);
	if (id)
		destroy("destroy", id);
	id = hwpt_alloc("vste_type_vtd_s1", viommu, 0, IOMMU_HWPT_DATA_VTD_S1, &ok, sizeof(ok));
	tap(!id && failed_with(EINVAL), "vste_type_vtd_s1_einval: errno %d", R.err);
	if (id)
		destroy("destroy", id);
	id = hwpt_alloc("vste_type_none_len", viommu, 0, IOMMU_HWPT_DATA_NONE, &ok, sizeof(ok));
	tap(!id && failed_with(EINVAL), "vste_type_none_len_einval: errno %d", R.err);
	if (id)
		destroy("destroy", id);
	id = hwpt_alloc("vste_no_data", viommu, 0, IOMMU_HWPT_DATA_NONE, NULL, 0);
	tap(!id && failed_with(EOPNOTSUPP), "vste_no_data_eopnotsupp: errno %d", R.err);
	if (id)
		destroy("destroy", id);
	id = hwpt_alloc("vste_short", viommu, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, &ok, 8);
	tap(!id && failed_with(EINVAL), "vste_short_einval: errno %d", R.err);
	if (id)
		destroy("destroy", id);
	/*
	 * Longer than the kernel's struct: iommu_copy_struct_from_user()
	 * refuses it before copy_struct_from_user() looks at the tail.
	 */
	big.v = ok;
	big.tail = 0;
	id = hwpt_alloc("vste_long_zero_tail", viommu, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, &big,
			sizeof(big));
	tap(!id && failed_with(EINVAL), "vste_long_zero_tail_einval: errno %d", R.err);
	if (id)
		destroy("destroy", id);
	big.tail = 1;
	id = hwpt_alloc("vste_long_nonzero_tail", viommu, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, &big,
			sizeof(big));
	tap(!id && failed_with(EINVAL), "vste_long_nonzero_tail_einval: errno %d", R.err);
	if (id)
		destroy("destroy", id);
	/*
	 * Valid for the driver (S1CDMAX, S1STALLD pass through), not for QEMU,
	 * which reports C_BAD_STE: allocated, never attached.
	 */
	id = nested_alloc("vste_s1cdmax_1", viommu, VSTE_S1_0 | STE0_S1CDMAX(1), VSTE_S1_1);
	tap(id != 0, "vste_s1cdmax_1_allocated");
	destroy("destroy", id);
	group_end();
}

static void g_inv_invalid(void)
{
	const uint64_t nh_va[2] = { OP_TLBI_NH_VA | CMD_ASID(ASID_B), IOVA_X | CMD_LEAF };
	const uint64_t sync_batch[4][2] = {
		{ nh_va[0], nh_va[1] }, { nh_va[0], nh_va[1] },
		{ OP_CMD_SYNC, 0 }, { nh_va[0], nh_va[1] },
	};
	const uint64_t s2_batch[3][2] = {
		{ nh_va[0], nh_va[1] }, { OP_TLBI_S2_IPA, IOVA_X }, { nh_va[0], nh_va[1] },
	};
	const uint64_t asid_bad[1][2] = { { OP_TLBI_NH_ASID | CMD_ASID(ASID_B), 1 } };
	/* NUM (range invalidation) is for TLBI_NH_VA(A) only. */
	const uint64_t asid_num[1][2] = {
		{ OP_TLBI_NH_ASID | CMD_ASID(ASID_B) | (1ULL << 12), 0 }
	};
	const uint64_t atc[1][2] = { { OP_ATC_INV | CMD_SID(VSID), 0 } };
	const uint64_t cfgi_unknown[1][2] = { { OP_CFGI_CD | CMD_SID(0x99), CMD_LEAF } };
	const uint64_t one[1][2] = { { nh_va[0], nh_va[1] } };
	uint32_t n;
	int rc;

	group_begin("inv_invalid");
	rc = invalidate("inv_batch_cmd_sync", sync_batch, 4, &n);
	tap(rc && R.err == EIO && n == 2,
	    "inv_batch_cmd_sync_eio: errno %d entry_num %u (expected EIO, 2)", R.err, n);
	rc = invalidate("inv_batch_tlbi_s2_ipa", s2_batch, 3, &n);
	tap(rc && R.err == EIO && n == 1,
	    "inv_batch_tlbi_s2_ipa_eio: errno %d entry_num %u (expected EIO, 1)", R.err, n);
	rc = invalidate("inv_nh_asid_cmd1_bit0", asid_bad, 1, &n);
	tap(rc && R.err == EIO && n == 0, "inv_nh_asid_cmd1_bit0_eio: errno %d entry_num %u",
	    R.err, n);
	rc = invalidate("inv_nh_asid_num", asid_num, 1, &n);
	tap(rc && R.err == EIO && n == 0, "inv_nh_asid_num_eio: errno %d entry_num %u", R.err, n);
	rc = invalidate("inv_atc_inv", atc, 1, &n);
	tap(rc && R.err == EIO && n == 0, "inv_atc_inv_eio (no ATS): errno %d entry_num %u",
	    R.err, n);
	rc = invalidate("inv_cfgi_cd_unknown_vsid", cfgi_unknown, 1, &n);
	tap(rc && R.err == EIO && n == 0, "inv_cfgi_cd_unknown_vsid_eio: errno %d entry_num %u",
	    R.err, n);
	/* The uAPI around the commands. */
	rc = invalidate("inv_entry_num_0", one, 0, &n);
	tap(rc && R.err == EINVAL && n == 0, "inv_entry_num_0_einval: errno %d", R.err);
	rc = invalidate_raw("inv_entry_len_0", viommu, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
			    one, 0, 1, &n);
	tap(rc && R.err == EINVAL && n == 0, "inv_entry_len_0_einval: errno %d", R.err);
	rc = invalidate_raw("inv_type_vtd_s1", viommu, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
			    one, sizeof(one[0]), 1, &n);
	tap(rc && R.err == EINVAL && n == 0, "inv_type_vtd_s1_einval: errno %d", R.err);
	rc = invalidate_raw("inv_on_nested_hwpt", nested, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
			    one, sizeof(one[0]), 1, &n);
	tap(rc && R.err == EOPNOTSUPP && n == 0, "inv_on_nested_hwpt_eopnotsupp: errno %d", R.err);
	rc = invalidate_raw("inv_on_parent", parent, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
			    one, sizeof(one[0]), 1, &n);
	tap(rc && R.err == EINVAL && n == 0, "inv_on_parent_einval: errno %d", R.err);
	/* Nothing of it changed the translation. */
	check_w("dma_w_x_after_bad_inv", IOVA_X, D_XB);
	group_end();
}

static void g_vste_attach(void)
{
	uint32_t abort_id, bypass_id, v0_id, vi2, s1_2, byp2, id;

	group_begin("vste_attach");
	abort_id = nested_alloc("hwpt_alloc_vste_abort", viommu, VSTE_ABORT_0, 0);
	bypass_id = nested_alloc("hwpt_alloc_vste_bypass", viommu, VSTE_BYPASS_0, 0);
	/* V=0: the rest is ignored (zeroed), an abort STE. */
	v0_id = nested_alloc("hwpt_alloc_vste_v0", viommu, STE0_CFG(STE_CFG_S2) | (1ULL << 52),
			     STE1_MEV);
	tap(abort_id && bypass_id && v0_id, "hwpt_alloc_vste_abort_bypass_v0");

	tap(!attach("attach_vste_bypass", bypass_id), "attach_vste_bypass");
	use_s2();
	dma_both("dma_w_bypass_ipa", "dma_r_bypass_ipa", IPA_D(D_X1), D_X1);
	check_w("dma_w_bypass_iova_x", IOVA_X, 0);

	tap(!attach("attach_vste_abort", abort_id), "attach_vste_abort");
	use_none();
	dma_both("dma_w_abort", "dma_r_abort", IPA_D(D_X1), -1);

	tap(!attach("attach_vste_v0", v0_id), "attach_vste_v0");
	dma_both("dma_w_v0", "dma_r_v0", IPA_D(D_X1), -1);

	tap(!attach("attach_nested_again", nested), "attach_nested_again");
	use_s1();
	check_w("dma_w_x_nested_after_vste", IOVA_X, D_XB);

	/* A second vIOMMU on the same parent: edu has no vDEVICE there. */
	vi2 = viommu_alloc("viommu_alloc_second", parent);
	tap(vi2 != 0, "viommu_alloc_second");
	id = vdevice_alloc("vdevice_alloc_second", vi2, VSID + 1);
	tap(!id && failed_with(EEXIST), "vdevice_alloc_second_eexist: errno %d", R.err);
	if (id)
		destroy("destroy", id);
	s1_2 = nested_alloc("hwpt_alloc_nested_s1_no_vdevice", vi2, VSTE_S1_0, VSTE_S1_1);
	tap(s1_2 != 0, "hwpt_alloc_nested_s1_no_vdevice");
	tap(attach("attach_s1_no_vdevice", s1_2) && failed_with(ENOENT),
	    "attach_s1_no_vdevice_enoent: errno %d", R.err);
	/* Still on the first nested HWPT. */
	check_w("dma_w_x_after_failed_attach", IOVA_X, D_XB);
	/* Bypass and abort need no vDEVICE. */
	byp2 = nested_alloc("hwpt_alloc_bypass_no_vdevice", vi2, VSTE_BYPASS_0, 0);
	tap(!attach("attach_bypass_no_vdevice", byp2), "attach_bypass_no_vdevice");
	use_s2();
	check_w("dma_w_bypass_no_vdevice", IPA_D(D_X1), D_X1);

	tap(!attach("attach_nested_back", nested), "attach_nested_back");
	use_s1();
	tap(!destroy("destroy_bypass_no_vdevice", byp2) &&
	    !destroy("destroy_nested_s1_no_vdevice", s1_2) &&
	    !destroy("destroy_viommu_second", vi2), "destroy_second_viommu");
	tap(!destroy("destroy_vste_abort", abort_id) &&
	    !destroy("destroy_vste_bypass", bypass_id) &&
	    !destroy("destroy_vste_v0", v0_id), "destroy_vste_abort_bypass_v0");
	check_w("dma_w_x_final", IOVA_X, D_XB);
	group_end();
}

static void g_teardown(void)
{
	struct vfio_device_detach_iommufd_pt det = { .argsz = sizeof(det) };
	struct iommu_ioas_unmap *u;
	bool ok;

	group_begin("teardown");
	destroy("destroy_viommu_busy", viommu);
	tap(failed_with(EBUSY), "destroy_viommu_with_nested_ebusy: errno %d", R.err);
	destroy("destroy_parent_busy", parent);
	tap(failed_with(EBUSY), "destroy_parent_with_viommu_ebusy: errno %d", R.err);
	destroy("destroy_nested_attached", nested);
	tap(failed_with(EBUSY), "destroy_nested_attached_ebusy: errno %d", R.err);

	tap(!rec("detach", ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &det)), "detach");
	use_none();
	check_w("dma_w_detached", IPA_D(D_X1), -1);
	tap(!destroy("destroy_nested", nested), "destroy_nested");
	destroy("destroy_viommu_busy_vdevice", viommu);
	tap(failed_with(EBUSY), "destroy_viommu_with_vdevice_ebusy: errno %d", R.err);
	tap(!destroy("destroy_vdevice", vdev), "destroy_vdevice");
	destroy("destroy_viommu_busy_veventq", viommu);
	tap(failed_with(EBUSY), "destroy_viommu_with_veventq_ebusy: errno %d", R.err);
	destroy("destroy_veventq_fd_open", veventq);
	tap(failed_with(EBUSY), "destroy_veventq_fd_open_ebusy: errno %d", R.err);
	close(veventq_fd);
	tap(!destroy("destroy_veventq", veventq), "destroy_veventq");
	tap(!destroy("destroy_viommu", viommu), "destroy_viommu");
	tap(!destroy("destroy_parent", parent), "destroy_parent");

	u = arg(sizeof(*u));
	u->ioas_id = ioas;
	u->iova = 0;
	u->length = UINT64_MAX;
	ok = !ioctl_rec("ioas_unmap_all", IOMMU_IOAS_UNMAP, u);
	out(u->length);
	ok &= u->length == NPAGES * PG;
	ok &= !destroy("destroy_ioas", ioas);
	ok &= !rec("close_device", close(devfd));
	ok &= !rec("close_iommufd", close(iommufd));
	tap(ok, "teardown");
	group_end();
}

/* NPAGES pages at a 2 MiB aligned address, populated, no huge pages. */
static int map_buffer(void)
{
	size_t len = NPAGES * PG + BUF_ALIGN;
	uintptr_t p;
	void *m;

	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	p = ((uintptr_t)m + BUF_ALIGN - 1) & ~(BUF_ALIGN - 1);
	buf = (uint8_t *)p;
	madvise(buf, NPAGES * PG, MADV_NOHUGEPAGE);
	memset(buf, 0, NPAGES * PG);
	return 0;
}

int main(int argc, char **argv)
{
	char cdev[NAME_MAX + 32] = "";
	bool full = cmdline_nesting();
	unsigned int bus, slot, fn;

	printf("TAP version 13\n");
	fflush(stdout);
	if (sysconf(_SC_PAGESIZE) != (long)PG) {
		printf("1..0 # SKIP page size %ld: the stage-1 tables here are 4 KiB\n",
		       sysconf(_SC_PAGESIZE));
		return 0;
	}
	if (argc > 1)
		snprintf(bdf, sizeof(bdf), "%s", argv[1]);
	else if (find_edu(bdf, sizeof(bdf)))
		bail("no edu device (PCI 1234:11e8)");
	if (sscanf(bdf, "%*x:%x:%x.%x", &bus, &slot, &fn) == 3)
		printf("# edu's physical StreamID 0x%x (PCI RID), vSID 0x%x\n",
		       bus << 8 | slot << 3 | fn, VSID);
	printf("# edu device %s; %s\n", bdf, full ?
	       "nesting_without_coherent_s2=1: the full nested flow" :
	       "no nesting_without_coherent_s2=1: the vSMMU must be refused");
	if (full) {
		/* The guest's memory map, for a reader of the DMA results. */
		printf("# IPA space (the IOAS; stage 2 is the kernel's nest parent):\n"
		       "#   0x%llx-0x%llx  stage-1 tables A and B, CD at 0x%llx\n"
		       "#   0x%llx-0x%llx  data pages D0..D%d (Dk at 0x%llx + k * 4 KiB)\n"
		       "#   0x%llx           not mapped (a stage-2 fault)\n"
		       "# stage 1 (the guest's, ASID 0x%x then 0x%x), IOVA -> IPA:\n"
		       "#   0x%llx -> D%d, after the remap D%d, after TLBI_NH_ASID D%d, tables B D%d\n"
		       "#   0x%llx -> D%d (staging)   0x%llx -> none (a stage-1 fault)"
		       "   0x%llx -> 0x%llx\n",
		       IPA_TBL, IPA_P(NTBL) - 1, IPA_P(P_CD), IPA_DATA, IPA_D(NDATA) - 1,
		       NDATA - 1, IPA_DATA, IPA_HOLE, ASID_A, ASID_B, IOVA_X, D_X1, D_X2,
		       D_X3, D_XB, IOVA_S, D_STAGE, IOVA_F, IOVA_H, IPA_HOLE);
	}
	if (bind_vfio(bdf, cdev, sizeof(cdev)))
		bail("bind to vfio-pci");
	if (map_buffer())
		bail("mmap");

	g_setup(cdev, full);
	if (!full) {
		g_refusal();
		group_begin("teardown");
		tap(!destroy("destroy_parent", parent) && !destroy("destroy_ioas", ioas) &&
		    !rec("close_device", close(devfd)) && !rec("close_iommufd", close(iommufd)),
		    "teardown");
		group_end();
	} else {
		g_viommu();
		g_dma();
		g_remap();
		g_cd_switch();
		g_fault_s1();
		g_fault_s2();
		g_replace();
		g_vste_invalid();
		g_inv_invalid();
		g_vste_attach();
		g_teardown();
	}

	printf("# riommu-devdiff total digest=%016" PRIx64 " groups=%u\n", total, ngroups);
	printf("1..%d\n", tap_no);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       tap_no - tap_fail, tap_fail);
	return tap_fail ? 1 : 0;
}
#endif /* __aarch64__ */
