// SPDX-License-Identifier: GPL-2.0
/*
 * riommu_bench: throughput of the iommufd selftest mock IOMMU driver.
 *
 * Runs the same operations on whichever mock driver the kernel was built
 * with (C or Rust), so that scripts/riommu/bench.py can compare two boots.
 * Every row is one operation; a repetition runs it a fixed number of times
 * (the count, scaled by the float in $RIOMMU_BENCH_SCALE, default 1.0) and
 * gives operations per second; a row reports the median, min and max of
 * REPS repetitions, after one untimed warm-up operation.
 *
 * ioas_{map,unmap}_<size>_x<pages>: IOMMU_IOAS_MAP of pages * size bytes at
 *	a fixed IOVA of an IOAS with two mock devices attached, then
 *	IOMMU_IOAS_UNMAP of it; each ioctl is timed on its own. The 4k and 64k
 *	rows map base pages (MADV_NOHUGEPAGE), the 2m rows a 2 MiB aligned
 *	buffer with MADV_HUGEPAGE.
 * hwpt_paging_alloc_destroy: IOMMU_HWPT_ALLOC of a paging HWPT + IOMMU_DESTROY.
 * hwpt_nested_alloc_destroy: the same for a nested HWPT on a NEST_PARENT one.
 * hwpt_invalidate_x<n>: IOMMU_HWPT_INVALIDATE of n entries on a nested HWPT
 *   (n = 0: the cost of the call itself).
 * ctl_option_get: IOMMU_OPTION get of IOMMU_OPTION_RLIMIT_MODE, a control:
 *   only iommufd's C ioctl code runs, which is the same in every build, so
 *   its ratio shows how much two kernels differ for reasons other than the
 *   code under test (code layout, emulation).
 *
 * The dev_* rows measure the hardware IOMMU driver (VT-d on x86_64, SMMUv3 on
 * arm64) on QEMU's edu device (PCI 1234:11e8), bound to vfio-pci and its VFIO
 * cdev to iommufd as riommu_dma_smoke does, in an iommufd of their own:
 *
 * dev_ioas_{map,unmap}_<size>_x<pages>: the ioas_ rows on an IOAS that edu is
 *	attached to (a paging domain of the real driver), at IOVA 4 GiB: the
 *	driver's map, unmap and IOTLB invalidation.
 * dev_hwpt_paging_alloc_destroy: IOMMU_HWPT_ALLOC of a paging HWPT for edu
 *	on an empty IOAS + IOMMU_DESTROY, edu detached.
 * dev_hwpt_paging_alloc_attach_detach_destroy: the same with edu attached to
 *	it (VFIO_DEVICE_ATTACH_IOMMUFD_PT) and detached between the two; the
 *	difference of the two rows is an attach and a detach (on SMMUv3 the STE
 *	and CD updates with their CFGI + CMD_SYNC).
 * dev_dma_roundtrip_4k_paging: edu copies 4 KiB RAM -> edu -> RAM through
 *	the paging domain, checked byte for byte. edu starts each copy from a
 *	timer 100 ms (of guest time) after the command, riommu_edu.h polls for
 *	its end at the guest's timer tick, and the IOMMU's translation is
 *	QEMU's work, not the guest's: a round trip is 200 ms whatever the
 *	driver, so the row is a control that also proves the translation
 *	works (count 4, scaled).
 * arm64 only, with a vSMMU (the SMMUv3 driver's nesting_without_coherent_s2=1;
 *	without it, or on x86_64, these rows are skipped, not failed): a nest
 *	parent on an IOAS holding a stage-1 table and a CD at fixed IPAs, a vSMMU,
 *	a vDEVICE and a nested HWPT (vSTE S1_TRANS, as riommu_nested_smmu does):
 * dev_hwpt_nested_alloc_destroy: IOMMU_HWPT_ALLOC of a nested HWPT on the
 *	vSMMU from that vSTE + IOMMU_DESTROY.
 * dev_viommu_invalidate_x<n>: IOMMU_HWPT_INVALIDATE on the vSMMU of n
 *	TLBI_NH_ASID commands, edu attached to the nested HWPT.
 * dev_dma_roundtrip_4k_nested: the DMA control through the user's stage 1
 *	and the kernel's stage 2.
 *
 * Output is KTAP; each row's result line is preceded by
 * "# riommu-bench <row> ops_per_sec=<median> min=<> max=<> reps=<> count=<>"
 * (the dev_ rows with 7 significant digits, the others with one decimal); a
 * row that cannot run here is "ok N <row> # SKIP <why>".
 * Exit status 0 if every row passed (or was skipped), 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#include "../../../../drivers/iommu/iommufd/iommufd_test.h"
#include "riommu_edu.h"
#include "riommu_smmuv3.h"

#define REPS		7
#define SZ_4K		(4UL << 10)
#define SZ_64K		(64UL << 10)
#define SZ_2M		(2UL << 20)
#define BUF_SIZE	(256UL << 20)	/* the largest row maps all of it */
#define MAP_IOVA	((__u64)MOCK_APERTURE_START)
#define INV_MAX		256

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct map_row {
	const char *size_name;
	unsigned long size;
	unsigned long pages;
	unsigned long count;
	bool huge;
};

/* Counts: a repetition is roughly 100 ms under TCG on a slow 2-core host. */
static const struct map_row map_rows[] = {
	{ "4k",  SZ_4K,  1,     1000, false },
	{ "4k",  SZ_4K,  64,    200,  false },
	{ "4k",  SZ_4K,  4096,  4,    false },
	{ "4k",  SZ_4K,  65536, 1,    false },
	{ "64k", SZ_64K, 1,     500,  false },
	{ "64k", SZ_64K, 64,    16,   false },
	{ "64k", SZ_64K, 4096,  1,    false },
	{ "2m",  SZ_2M,  1,     200,  true },
	{ "2m",  SZ_2M,  64,    4,    true },
	{ "2m",  SZ_2M,  128,   2,    true },
};

#define COUNT_PAGING_ALLOC	1000
#define COUNT_NESTED_ALLOC	2000
#define COUNT_OPTION_GET	5000
static const struct {
	unsigned int entries;
	unsigned long count;
} inv_rows[] = {
	{ 0,   5000 },	/* the cost of a call, without entries */
	{ 1,   5000 },
	{ 16,  3000 },
	{ 256, 300 },
};

/* The hardware IOMMU rows. */
#define DEV_MAP_IOVA		(1ULL << 32)	/* clear of both MSI windows */
#define DEV_DMA_IOVA		0x1000000ULL	/* the paging DMA row's 2 pages */
#define DEV_DMA_LEN		4096		/* edu's buffer */
#define COUNT_DEV_PAGING_ALLOC	1000
#define COUNT_DEV_PAGING_ATTACH	500
#define COUNT_DEV_NESTED_ALLOC	1000
#define COUNT_DEV_DMA		4	/* 200 ms of guest time each */
static const struct {
	unsigned int cmds;
	unsigned long count;
} viommu_inv_rows[] = {
	{ 1,   5000 },
	{ 16,  3000 },
	{ 256, 300 },
};

#define NR_MOCK_ROWS	(2 * ARRAY_SIZE(map_rows) + 2 + ARRAY_SIZE(inv_rows) + 1)
#define NR_DEV_ROWS	(2 * ARRAY_SIZE(map_rows) + 2 + 1 + \
			 1 + ARRAY_SIZE(viommu_inv_rows) + 1)
#define NR_ROWS		(NR_MOCK_ROWS + NR_DEV_ROWS)

/* Why an operation failed: the ioctl (or step) and its errno. */
struct failure {
	const char *what;
	int err;
};

/* The hardware IOMMU rows' state: edu, its iommufd and objects. */
struct dev {
	int fd;			/* an iommufd of their own */
	int devfd;		/* edu's VFIO cdev, bound to fd */
	__u32 dev_id;
	__u32 ioas_id;		/* edu attached: the map rows, the paging DMA */
	__u32 hwpt_ioas_id;	/* empty: the paging HWPT rows */
	uint8_t *dma;		/* 2 pages: RAM -> edu, edu -> RAM */
	struct failure fail;	/* of the setup: every row fails with it */
	struct failure dma_fail;
	/* The nested rows (arm64): skipped with nest_skip, or nest_fail. */
	const char *nest_skip;
	struct failure nest_fail;
	__u32 nest_ioas_id, parent_id, viommu_id, vdev_id, nested_id;
	uint8_t *nbuf;		/* the guest's RAM: tables, CD, data */
	uint64_t inv[INV_MAX][2];
};

struct bench {
	int fd;
	__u32 ioas_id;		/* two mock devices attached: the map rows */
	__u32 hwpt_ioas_id;	/* empty: the HWPT rows */
	__u32 idev_id;		/* the first mock device */
	__u32 parent_id;	/* paging HWPT with IOMMU_HWPT_ALLOC_NEST_PARENT */
	__u32 nested_id;	/* nested HWPT on parent_id, for the invalidations */
	void *buf[2];		/* [0] base pages, [1] 2 MiB aligned THP */
	struct failure dev_fail, hwpt_fail, parent_fail, nested_fail;
	struct failure buf_fail[2];
	struct iommu_hwpt_invalidate_selftest inv[INV_MAX];
	struct dev dev;
};

static struct failure last_fail;
static double scale = 1.0;
static int test_no;
static int nr_failed;

static int fail(const char *what, int err)
{
	last_fail.what = what;
	last_fail.err = err;
	return -1;
}

static int bench_ioctl(int fd, unsigned long req, void *arg, const char *what)
{
	if (ioctl(fd, req, arg))
		return fail(what, errno);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static double ops_per_sec(unsigned long count, uint64_t ns)
{
	return count * 1e9 / (double)(ns ? ns : 1);
}

static unsigned long scaled(unsigned long count)
{
	double n = count * scale + 0.5;

	return n < 1 ? 1 : (unsigned long)n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * A row's result, its ops/s with DECIMALS decimals, or (DECIMALS < 0) with
 * at least 7 significant digits: a row at a few operations per second (the
 * DMA controls) keeps its precision.
 */
static void report_row(const char *row, const double *ops, unsigned long count,
		       int decimals)
{
	double s[REPS], v;

	memcpy(s, ops, sizeof(s));
	qsort(s, REPS, sizeof(s[0]), cmp_double);
	if (decimals < 0)
		for (decimals = 1, v = 1e6; v > s[0] && decimals < 9; v /= 10)
			decimals++;
	test_no++;
	printf("# riommu-bench %s ops_per_sec=%.*f min=%.*f max=%.*f reps=%d count=%lu\n",
	       row, decimals, s[REPS / 2], decimals, s[0], decimals, s[REPS - 1],
	       REPS, count);
	printf("ok %d %s\n", test_no, row);
}

static void report_ok(const char *row, const double *ops, unsigned long count)
{
	report_row(row, ops, count, 1);
}

static void report_skip(const char *row, const char *why)
{
	test_no++;
	printf("ok %d %s # SKIP %s\n", test_no, row, why);
}

static void report_fail(const char *row, const struct failure *f)
{
	test_no++;
	nr_failed++;
	printf("# %s: %s failed: errno %d (%s)\n", row, f->what, f->err,
	       strerror(f->err));
	printf("not ok %d %s\n", test_no, row);
}

/* Generic uAPI helpers: 0 on success, -1 with last_fail set on failure. */

static int ioas_alloc(int fd, __u32 *ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (bench_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd, "IOMMU_IOAS_ALLOC"))
		return -1;
	*ioas_id = cmd.out_ioas_id;
	return 0;
}

static int destroy(int fd, __u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return bench_ioctl(fd, IOMMU_DESTROY, &cmd, "IOMMU_DESTROY");
}

static int mock_domain(int fd, __u32 ioas_id, __u32 *hwpt_id, __u32 *idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = ioas_id,
	};

	if (bench_ioctl(fd, IOMMU_TEST_CMD, &cmd,
			"IOMMU_TEST_CMD(IOMMU_TEST_OP_MOCK_DOMAIN)"))
		return -1;
	*hwpt_id = cmd.mock_domain.out_hwpt_id;
	*idev_id = cmd.mock_domain.out_idev_id;
	return 0;
}

static int hwpt_alloc(int fd, __u32 dev_id, __u32 pt_id, __u32 flags,
		      const struct iommu_hwpt_selftest *data, __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data ? IOMMU_HWPT_DATA_SELFTEST : IOMMU_HWPT_DATA_NONE,
		.data_len = data ? sizeof(*data) : 0,
		.data_uptr = (uintptr_t)data,
	};

	if (bench_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd, "IOMMU_HWPT_ALLOC"))
		return -1;
	*hwpt_id = cmd.out_hwpt_id;
	return 0;
}

static const struct iommu_hwpt_selftest nested_data = {
	.iotlb = IOMMU_TEST_IOTLB_DEFAULT,
};

/* Unmap everything left in an IOAS after a failure; errors do not matter. */
static void ioas_unmap_all(int fd, __u32 ioas_id)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = 0,
		.length = UINT64_MAX,
	};

	ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
}

/* Setup */

static void *alloc_buffer(bool huge, struct failure *f)
{
	size_t len = huge ? BUF_SIZE + SZ_2M : BUF_SIZE;
	uintptr_t aligned;
	unsigned long off;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		*f = (struct failure){ "mmap", errno };
		return NULL;
	}
	if (huge) {
		/* Trim to a 2 MiB aligned BUF_SIZE region. */
		aligned = ((uintptr_t)p + SZ_2M - 1) & ~(uintptr_t)(SZ_2M - 1);
		if (aligned != (uintptr_t)p)
			munmap(p, aligned - (uintptr_t)p);
		if (aligned + BUF_SIZE != (uintptr_t)p + len)
			munmap((void *)(aligned + BUF_SIZE),
			       (uintptr_t)p + len - (aligned + BUF_SIZE));
		p = (char *)aligned;
	}
	/*
	 * The guest runs THP "always": the base page rows must say no, or
	 * they would measure huge pages too.
	 */
	if (madvise(p, BUF_SIZE, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		printf("# madvise(%s) failed: errno %d (%s)\n",
		       huge ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", errno,
		       strerror(errno));
	for (off = 0; off < BUF_SIZE; off += SZ_4K)
		p[off] = 1;
	return p;
}

/* How much of [p, p + BUF_SIZE) is backed by THP, from /proc/self/smaps. */
static void print_thp(void *p)
{
	unsigned long start, end, kb, total = 0;
	bool in_buf = false;
	char line[256];
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in_buf = start >= (uintptr_t)p &&
				 end <= (uintptr_t)p + BUF_SIZE;
			continue;
		}
		if (in_buf && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			total += kb;
	}
	fclose(f);
	printf("# 2m buffer: %lu of %lu KiB in transparent huge pages\n",
	       total, BUF_SIZE >> 10);
}

static void setup(struct bench *b)
{
	__u32 hwpt_id[2], idev_id[2];
	int i;

	for (i = 0; i < INV_MAX; i++)
		b->inv[i] = (struct iommu_hwpt_invalidate_selftest){
			.flags = 0,
			.iotlb_id = i % (MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1),
		};

	b->fd = open("/dev/iommu", O_RDWR);
	if (b->fd < 0) {
		fail("open /dev/iommu", errno);
		goto no_dev;
	}
	if (ioas_alloc(b->fd, &b->ioas_id) ||
	    mock_domain(b->fd, b->ioas_id, &hwpt_id[0], &idev_id[0]) ||
	    mock_domain(b->fd, b->ioas_id, &hwpt_id[1], &idev_id[1]))
		goto no_dev;
	b->idev_id = idev_id[0];
	printf("# mock devices %u, %u attached to HWPTs %u, %u of IOAS %u\n",
	       idev_id[0], idev_id[1], hwpt_id[0], hwpt_id[1], b->ioas_id);
	for (i = 0; i < 2; i++) {
		b->buf[i] = alloc_buffer(i, &b->buf_fail[i]);
		if (i && b->buf[i])
			print_thp(b->buf[i]);
	}

	/*
	 * A paging HWPT allocated on an IOAS gets that IOAS's mappings: use
	 * an empty IOAS so that nothing else costs in the HWPT rows.
	 */
	if (ioas_alloc(b->fd, &b->hwpt_ioas_id))
		goto no_hwpt;
	if (hwpt_alloc(b->fd, b->idev_id, b->hwpt_ioas_id,
		       IOMMU_HWPT_ALLOC_NEST_PARENT, NULL, &b->parent_id))
		goto no_parent;
	if (hwpt_alloc(b->fd, b->idev_id, b->parent_id, 0, &nested_data,
		       &b->nested_id))
		goto no_nested;
	return;

no_dev:
	b->dev_fail = last_fail;
no_hwpt:
	b->hwpt_fail = last_fail;
no_parent:
	b->parent_fail = last_fail;
no_nested:
	b->nested_fail = last_fail;
}

/* ioas_map / ioas_unmap */

/* Where a map row maps: an IOAS of an iommufd, at a fixed IOVA. */
struct map_target {
	const char *prefix;	/* of the row names */
	int fd;
	__u32 ioas_id;
	__u64 iova;
	const struct failure *prereq;
	int decimals;		/* report_row() */
};

static int map_rep(const struct map_target *t, void *buf, unsigned long len,
		   unsigned long count, double *map_ops, double *unmap_ops)
{
	uint64_t t0, t1, t2, map_ns = 0, unmap_ns = 0;
	unsigned long i;
	int rc;

	for (i = 0; i < count; i++) {
		struct iommu_ioas_map map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA |
				 IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = t->ioas_id,
			.user_va = (uintptr_t)buf,
			.length = len,
			.iova = t->iova,
		};
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap),
			.ioas_id = t->ioas_id,
			.iova = t->iova,
			.length = len,
		};

		t0 = now_ns();
		rc = ioctl(t->fd, IOMMU_IOAS_MAP, &map);
		t1 = now_ns();
		if (rc)
			return fail("IOMMU_IOAS_MAP", errno);
		rc = ioctl(t->fd, IOMMU_IOAS_UNMAP, &unmap);
		t2 = now_ns();
		if (rc)
			return fail("IOMMU_IOAS_UNMAP", errno);
		if (unmap.length != len)
			return fail("IOMMU_IOAS_UNMAP (short unmap)", EIO);
		map_ns += t1 - t0;
		unmap_ns += t2 - t1;
	}
	*map_ops = ops_per_sec(count, map_ns);
	*unmap_ops = ops_per_sec(count, unmap_ns);
	return 0;
}

static void bench_map(struct bench *b, const struct map_target *t,
		      const struct map_row *r)
{
	unsigned long len = r->size * r->pages, count = scaled(r->count);
	double map_ops[REPS], unmap_ops[REPS], dummy;
	char map_name[64], unmap_name[64];
	struct failure f;
	int rep;

	snprintf(map_name, sizeof(map_name), "%sioas_map_%s_x%lu", t->prefix,
		 r->size_name, r->pages);
	snprintf(unmap_name, sizeof(unmap_name), "%sioas_unmap_%s_x%lu",
		 t->prefix, r->size_name, r->pages);

	if (t->prereq->what) {
		f = *t->prereq;
		goto err;
	}
	if (!b->buf[r->huge]) {
		f = b->buf_fail[r->huge];
		goto err;
	}
	if (len > BUF_SIZE) {
		f = (struct failure){ "row larger than the buffer", EINVAL };
		goto err;
	}
	if (map_rep(t, b->buf[r->huge], len, 1, &dummy, &dummy))
		goto err_last;
	for (rep = 0; rep < REPS; rep++)
		if (map_rep(t, b->buf[r->huge], len, count, &map_ops[rep],
			    &unmap_ops[rep]))
			goto err_last;
	report_row(map_name, map_ops, count, t->decimals);
	report_row(unmap_name, unmap_ops, count, t->decimals);
	return;

err_last:
	f = last_fail;
	ioas_unmap_all(t->fd, t->ioas_id);
err:
	report_fail(map_name, &f);
	report_fail(unmap_name, &f);
}

/* HWPT rows: one operation, timed as a whole */

static int op_paging_alloc(struct bench *b, unsigned int arg)
{
	__u32 id;

	if (hwpt_alloc(b->fd, b->idev_id, b->hwpt_ioas_id, 0, NULL, &id))
		return -1;
	return destroy(b->fd, id);
}

static int op_nested_alloc(struct bench *b, unsigned int arg)
{
	__u32 id;

	if (hwpt_alloc(b->fd, b->idev_id, b->parent_id, 0, &nested_data, &id))
		return -1;
	return destroy(b->fd, id);
}

static int op_invalidate(struct bench *b, unsigned int entries)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = b->nested_id,
		.data_uptr = (uintptr_t)b->inv,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(b->inv[0]),
		.entry_num = entries,
	};

	if (bench_ioctl(b->fd, IOMMU_HWPT_INVALIDATE, &cmd,
			"IOMMU_HWPT_INVALIDATE"))
		return -1;
	if (cmd.entry_num != entries)
		return fail("IOMMU_HWPT_INVALIDATE (entry_num changed)", EIO);
	return 0;
}

static int op_option_get(struct bench *b, unsigned int arg)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
	};

	return bench_ioctl(b->fd, IOMMU_OPTION, &cmd, "IOMMU_OPTION");
}

/*
 * Time COUNT (scaled) calls of OP per repetition; report with DECIMALS
 * (report_row()), or skip the row with SKIP if that is set.
 */
static void run_op(struct bench *b, const char *row, const char *skip,
		   const struct failure *prereq, unsigned long count,
		   int (*op)(struct bench *b, unsigned int arg),
		   unsigned int arg, int decimals)
{
	double ops[REPS];
	unsigned long i;
	uint64_t t0;
	int rep;

	count = scaled(count);
	if (skip) {
		report_skip(row, skip);
		return;
	}
	if (prereq->what) {
		report_fail(row, prereq);
		return;
	}
	if (op(b, arg))
		goto err;
	for (rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		for (i = 0; i < count; i++)
			if (op(b, arg))
				goto err;
		ops[rep] = ops_per_sec(count, now_ns() - t0);
	}
	report_row(row, ops, count, decimals);
	return;
err:
	report_fail(row, &last_fail);
}

static void bench_op(struct bench *b, const char *row,
		     const struct failure *prereq, unsigned long count,
		     int (*op)(struct bench *b, unsigned int arg),
		     unsigned int arg)
{
	run_op(b, row, NULL, prereq, count, op, arg, 1);
}

/* The hardware IOMMU rows (dev_*): edu behind VT-d or SMMUv3 */

#define DEV_DECIMALS	-1	/* report_row(): 7 significant digits */

static int dev_hwpt_alloc(struct dev *d, __u32 pt_id, __u32 flags, __u32 type,
			  const void *data, __u32 len, __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = d->dev_id,
		.pt_id = pt_id,
		.data_type = type,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};

	if (bench_ioctl(d->fd, IOMMU_HWPT_ALLOC, &cmd, "IOMMU_HWPT_ALLOC"))
		return -1;
	*hwpt_id = cmd.out_hwpt_id;
	return 0;
}

static int dev_attach(struct dev *d, __u32 pt_id)
{
	struct vfio_device_attach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.pt_id = pt_id,
	};

	return bench_ioctl(d->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd,
			   "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
}

static int dev_detach(struct dev *d)
{
	struct vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };

	return bench_ioctl(d->devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd,
			   "VFIO_DEVICE_DETACH_IOMMUFD_PT");
}

static int dev_map_fixed(struct dev *d, __u32 ioas_id, void *va, size_t len,
			 __u64 iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return bench_ioctl(d->fd, IOMMU_IOAS_MAP, &cmd, "IOMMU_IOAS_MAP");
}

/* NPAGES populated base pages, or NULL with last_fail set. */
static uint8_t *dev_pages(unsigned int npages)
{
	size_t len = npages * SZ_4K;
	uint8_t *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail("mmap", errno);
		return NULL;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 0, len);
	return p;
}

/*
 * edu bound to vfio-pci, its cdev bound to an iommufd of its own, attached to
 * an IOAS; BAR0 mapped (edu.h's bar0) with memory space and bus mastering on.
 */
static int dev_setup(struct dev *d)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	char bdf[NAME_MAX + 1], cdev[NAME_MAX + 32];
	uint16_t cmd;
	void *p;

	if (find_edu(bdf, sizeof(bdf)))
		return fail("finding edu (PCI 1234:11e8)", ENODEV);
	if (bind_vfio(bdf, cdev, sizeof(cdev)))
		return fail("binding edu to vfio-pci", errno ? errno : EIO);
	d->devfd = open(cdev, O_RDWR);
	if (d->devfd < 0)
		return fail("open the VFIO cdev", errno);
	d->fd = open("/dev/iommu", O_RDWR);
	if (d->fd < 0)
		return fail("open /dev/iommu", errno);
	bind.iommufd = d->fd;
	if (bench_ioctl(d->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind,
			"VFIO_DEVICE_BIND_IOMMUFD"))
		return -1;
	d->dev_id = bind.out_devid;
	if (ioas_alloc(d->fd, &d->ioas_id) ||
	    ioas_alloc(d->fd, &d->hwpt_ioas_id) ||
	    dev_attach(d, d->ioas_id))
		return -1;

	if (bench_ioctl(d->devfd, VFIO_DEVICE_GET_REGION_INFO, &cfg,
			"VFIO_DEVICE_GET_REGION_INFO(config)") ||
	    bench_ioctl(d->devfd, VFIO_DEVICE_GET_REGION_INFO, &bar,
			"VFIO_DEVICE_GET_REGION_INFO(BAR0)"))
		return -1;
	if (pread(d->devfd, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
		return fail("reading PCI_COMMAND", errno ? errno : EIO);
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(d->devfd, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
		return fail("writing PCI_COMMAND", errno ? errno : EIO);
	p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->devfd,
		 bar.offset);
	if (p == MAP_FAILED)
		return fail("mmap BAR0", errno);
	bar0 = p;
	printf("# dev rows: edu %s (%s) device %u attached to IOAS %u\n", bdf,
	       cdev, d->dev_id, d->ioas_id);
	return 0;
}

/*
 * A DMA round trip: OUT (at IOVA_OUT) -> edu -> IN (at IOVA_IN), 4 KiB, and
 * IN compared with OUT. OUT gets new bytes first and IN is cleared, so both
 * directions must have happened (edu ignores a blocked DMA).
 */
static int dma_roundtrip(uint8_t *out, uint8_t *in, __u64 iova_out,
			 __u64 iova_in)
{
	static unsigned int gen;
	size_t i;

	gen++;
	for (i = 0; i < DEV_DMA_LEN; i++)
		out[i] = (uint8_t)(i * 13 + gen * 71 + 1);
	memset(in, 0, DEV_DMA_LEN);
	__sync_synchronize();
	if (edu_dma(iova_out, EDU_BUF, DEV_DMA_LEN, 0))
		return fail("edu DMA RAM -> edu (timeout)", ETIMEDOUT);
	if (edu_dma(EDU_BUF, iova_in, DEV_DMA_LEN, EDU_CMD_TO_RAM))
		return fail("edu DMA edu -> RAM (timeout)", ETIMEDOUT);
	if (memcmp(out, in, DEV_DMA_LEN))
		return fail("edu DMA round trip (the bytes differ)", EIO);
	return 0;
}

static int op_dev_dma_paging(struct bench *b, unsigned int arg)
{
	struct dev *d = &b->dev;

	return dma_roundtrip(d->dma, d->dma + SZ_4K, DEV_DMA_IOVA,
			     DEV_DMA_IOVA + SZ_4K);
}

static int op_dev_paging_alloc(struct bench *b, unsigned int arg)
{
	struct dev *d = &b->dev;
	__u32 id;

	if (dev_hwpt_alloc(d, d->hwpt_ioas_id, 0, IOMMU_HWPT_DATA_NONE, NULL, 0,
			   &id))
		return -1;
	return destroy(d->fd, id);
}

static int op_dev_paging_attach(struct bench *b, unsigned int arg)
{
	struct dev *d = &b->dev;
	__u32 id;

	if (dev_hwpt_alloc(d, d->hwpt_ioas_id, 0, IOMMU_HWPT_DATA_NONE, NULL, 0,
			   &id))
		return -1;
	if (dev_attach(d, id) || dev_detach(d)) {
		destroy(d->fd, id);
		return -1;
	}
	return destroy(d->fd, id);
}

#if defined(__aarch64__)
/*
 * The nested rows' guest, a minimal riommu_nested_smmu: its RAM (the IOAS of
 * the nest parent) holds a three-level AArch64 stage-1 table and a CD at
 * N_IPA_TBL, and two data pages at N_IPA_DATA; stage 1 maps N_IOVA and the
 * page after it to them. Nothing is mapped at IPA N_IOVA, so a DMA that
 * skipped stage 1 would fault.
 */
#define N_IPA_TBL	0x1000000ULL	/* L1, L2, L3, CD */
#define N_IPA_DATA	0x2000000ULL	/* out, in */
#define N_IOVA		0x5000000ULL
#define N_TBL		4
#define N_PAGES		(N_TBL + 2)
#define N_L1		0
#define N_L2		1
#define N_L3		2
#define N_CD		3
#define N_IPA_P(p)	(N_IPA_TBL + (uint64_t)(p) * SZ_4K)
#define N_VSID		0x42
#define N_ASID		0x11
#define N_T0SZ		25	/* 39-bit input: levels 1 to 3 */
#define N_VSTE_0	(STE0_V | STE0_CFG(STE_CFG_S1) | STE0_CTXPTR(N_IPA_P(N_CD)))
#define N_VSTE_1	(STE1_S1CIR_WBRA | STE1_S1COR_WBRA | STE1_S1CSH_IS)

static uint64_t *n_tbl(struct dev *d, unsigned int p)
{
	return (uint64_t *)(d->nbuf + p * SZ_4K);
}

static uint64_t n_page_pte(uint64_t ipa)
{
	return PTE_ADDR(ipa) | PTE_AF | PTE_SH_IS | PTE_AP_EL0 | PTE_TYPE_PAGE;
}

/* The guest's stage 1 and CD, as riommu_nested_smmu writes them. */
static void n_write_guest(struct dev *d)
{
	uint64_t *cd = n_tbl(d, N_CD);

	n_tbl(d, N_L1)[(N_IOVA >> 30) & 0x1ff] = PTE_ADDR(N_IPA_P(N_L2)) | PTE_TYPE_TABLE;
	n_tbl(d, N_L2)[(N_IOVA >> 21) & 0x1ff] = PTE_ADDR(N_IPA_P(N_L3)) | PTE_TYPE_TABLE;
	n_tbl(d, N_L3)[(N_IOVA >> 12) & 0x1ff] = n_page_pte(N_IPA_DATA);
	n_tbl(d, N_L3)[((N_IOVA >> 12) + 1) & 0x1ff] = n_page_pte(N_IPA_DATA + SZ_4K);
	cd[1] = CD1_TTB0(N_IPA_P(N_L1));
	cd[3] = MAIR_WBWA;
	__sync_synchronize();
	cd[0] = CD0_T0SZ(N_T0SZ) | CD0_TG0_4K | CD0_IRGN0_WBWA | CD0_ORGN0_WBWA |
		CD0_SH0_IS | CD0_EPD1 | CD0_V | CD0_IPS_44 | CD0_AA64 | CD0_R |
		CD0_A | CD0_ASET | CD0_ASID(N_ASID);
	__sync_synchronize();
}

static int n_nested_alloc(struct dev *d, __u32 *id)
{
	static struct iommu_hwpt_arm_smmuv3 vste = {
		.ste = { N_VSTE_0, N_VSTE_1 },
	};

	return dev_hwpt_alloc(d, d->viommu_id, 0, IOMMU_HWPT_DATA_ARM_SMMUV3,
			      &vste, sizeof(vste), id);
}

/*
 * The nest parent, vSMMU, vDEVICE and nested HWPT, edu attached to it (edu
 * detached before). The nested rows are skipped when the vSMMU is refused
 * with EOPNOTSUPP (no nesting_without_coherent_s2=1) or the kernel's page
 * size is not the tables' 4 KiB.
 */
static void dev_nested_setup(struct dev *d)
{
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
		.dev_id = d->dev_id,
	};
	struct iommu_vdevice_alloc vd = {
		.size = sizeof(vd),
		.dev_id = d->dev_id,
		.virt_id = N_VSID,
	};
	size_t i;

	if (sysconf(_SC_PAGESIZE) != SZ_4K) {
		d->nest_skip = "the stage-1 tables here need 4 KiB pages";
		return;
	}
	for (i = 0; i < INV_MAX; i++) {
		d->inv[i][0] = OP_TLBI_NH_ASID | CMD_ASID(N_ASID);
		d->inv[i][1] = 0;
	}
	d->nbuf = dev_pages(N_PAGES);
	if (!d->nbuf)
		goto err;
	n_write_guest(d);
	if (ioas_alloc(d->fd, &d->nest_ioas_id) ||
	    dev_map_fixed(d, d->nest_ioas_id, d->nbuf, N_TBL * SZ_4K, N_IPA_TBL) ||
	    dev_map_fixed(d, d->nest_ioas_id, d->nbuf + N_TBL * SZ_4K, 2 * SZ_4K,
			  N_IPA_DATA) ||
	    dev_hwpt_alloc(d, d->nest_ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT,
			   IOMMU_HWPT_DATA_NONE, NULL, 0, &d->parent_id))
		goto err;
	va.hwpt_id = d->parent_id;
	if (ioctl(d->fd, IOMMU_VIOMMU_ALLOC, &va)) {
		if (errno == EOPNOTSUPP) {
			d->nest_skip = "no vSMMU: IOMMU_VIOMMU_ALLOC fails with EOPNOTSUPP "
				       "(the SMMUv3 driver needs nesting_without_coherent_s2=1)";
			return;
		}
		fail("IOMMU_VIOMMU_ALLOC", errno);
		goto err;
	}
	d->viommu_id = va.out_viommu_id;
	vd.viommu_id = d->viommu_id;
	if (bench_ioctl(d->fd, IOMMU_VDEVICE_ALLOC, &vd, "IOMMU_VDEVICE_ALLOC"))
		goto err;
	d->vdev_id = vd.out_vdevice_id;
	if (n_nested_alloc(d, &d->nested_id) || dev_attach(d, d->nested_id))
		goto err;
	printf("# dev rows: vSMMU %u on nest parent %u, vSID 0x%x, nested HWPT %u "
	       "(CD at IPA 0x%llx, ASID 0x%x) attached\n", d->viommu_id,
	       d->parent_id, N_VSID, d->nested_id,
	       (unsigned long long)N_IPA_P(N_CD), N_ASID);
	return;
err:
	d->nest_fail = last_fail;
}

static int op_dev_nested_alloc(struct bench *b, unsigned int arg)
{
	struct dev *d = &b->dev;
	__u32 id;

	if (n_nested_alloc(d, &id))
		return -1;
	return destroy(d->fd, id);
}

static int op_dev_viommu_invalidate(struct bench *b, unsigned int cmds)
{
	struct dev *d = &b->dev;
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = d->viommu_id,
		.data_uptr = (uintptr_t)d->inv,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
		.entry_len = sizeof(struct iommu_viommu_arm_smmuv3_invalidate),
		.entry_num = cmds,
	};

	if (bench_ioctl(d->fd, IOMMU_HWPT_INVALIDATE, &cmd,
			"IOMMU_HWPT_INVALIDATE"))
		return -1;
	if (cmd.entry_num != cmds)
		return fail("IOMMU_HWPT_INVALIDATE (entry_num changed)", EIO);
	return 0;
}

static int op_dev_dma_nested(struct bench *b, unsigned int arg)
{
	struct dev *d = &b->dev;
	uint8_t *data = d->nbuf + N_TBL * SZ_4K;

	return dma_roundtrip(data, data + SZ_4K, N_IOVA, N_IOVA + SZ_4K);
}
#else
#define NEST_SKIP	"arm64 only (QEMU's VT-d has no nesting)"

static void dev_nested_setup(struct dev *d)
{
}

static int op_dev_nested_alloc(struct bench *b, unsigned int arg)
{
	return fail("nested rows", EOPNOTSUPP);
}

#define op_dev_viommu_invalidate	op_dev_nested_alloc
#define op_dev_dma_nested		op_dev_nested_alloc
#endif

static void dev_rows(struct bench *b)
{
	struct dev *d = &b->dev;
	struct map_target t;
	char row[64];
	size_t i;

#ifdef NEST_SKIP
	d->nest_skip = NEST_SKIP;
#endif
	if (dev_setup(d))
		d->fail = last_fail;
	if (d->fail.what)
		d->dma_fail = d->nest_fail = d->fail;

	t = (struct map_target){ "dev_", d->fd, d->ioas_id, DEV_MAP_IOVA,
				 &d->fail, DEV_DECIMALS };
	for (i = 0; i < ARRAY_SIZE(map_rows); i++)
		bench_map(b, &t, &map_rows[i]);

	/* The paging DMA row: two pages in the attached IOAS. */
	if (!d->fail.what &&
	    (!(d->dma = dev_pages(2)) ||
	     dev_map_fixed(d, d->ioas_id, d->dma, 2 * SZ_4K, DEV_DMA_IOVA)))
		d->dma_fail = last_fail;
	run_op(b, "dev_dma_roundtrip_4k_paging", NULL, &d->dma_fail,
	       COUNT_DEV_DMA, op_dev_dma_paging, 0, DEV_DECIMALS);

	/* The HWPT rows, and the nested ones after them, start detached. */
	if (!d->fail.what && dev_detach(d))
		d->fail = d->nest_fail = last_fail;
	run_op(b, "dev_hwpt_paging_alloc_destroy", NULL, &d->fail,
	       COUNT_DEV_PAGING_ALLOC, op_dev_paging_alloc, 0, DEV_DECIMALS);
	run_op(b, "dev_hwpt_paging_alloc_attach_detach_destroy", NULL, &d->fail,
	       COUNT_DEV_PAGING_ATTACH, op_dev_paging_attach, 0, DEV_DECIMALS);

	if (!d->fail.what && !d->nest_skip)
		dev_nested_setup(d);
	if (d->nest_skip)
		printf("# dev rows: nested rows skipped: %s\n", d->nest_skip);
	run_op(b, "dev_hwpt_nested_alloc_destroy", d->nest_skip, &d->nest_fail,
	       COUNT_DEV_NESTED_ALLOC, op_dev_nested_alloc, 0, DEV_DECIMALS);
	for (i = 0; i < ARRAY_SIZE(viommu_inv_rows); i++) {
		snprintf(row, sizeof(row), "dev_viommu_invalidate_x%u",
			 viommu_inv_rows[i].cmds);
		run_op(b, row, d->nest_skip, &d->nest_fail,
		       viommu_inv_rows[i].count, op_dev_viommu_invalidate,
		       viommu_inv_rows[i].cmds, DEV_DECIMALS);
	}
	run_op(b, "dev_dma_roundtrip_4k_nested", d->nest_skip, &d->nest_fail,
	       COUNT_DEV_DMA, op_dev_dma_nested, 0, DEV_DECIMALS);

	/* Closing the cdev detaches edu; closing the iommufd frees the rest. */
	if (d->devfd >= 0)
		close(d->devfd);
	if (d->fd >= 0)
		close(d->fd);
}

int main(void)
{
	struct map_target mock_target;
	struct bench *b;
	const char *env;
	char row[64];
	char *end;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	env = getenv("RIOMMU_BENCH_SCALE");
	if (env && *env) {
		scale = strtod(env, &end);
		if (*end || !(scale > 0) || scale > 1e6) {
			fprintf(stderr, "riommu_bench: bad RIOMMU_BENCH_SCALE '%s'\n",
				env);
			return 1;
		}
	}

	printf("TAP version 13\n");
	printf("1..%zu\n", NR_ROWS);
	printf("# riommu_bench: reps=%d scale=%g page_size=%ld\n", REPS, scale,
	       sysconf(_SC_PAGESIZE));

	b = calloc(1, sizeof(*b));
	if (!b) {
		printf("Bail out! out of memory\n");
		return 1;
	}
	b->fd = -1;
	b->dev.fd = b->dev.devfd = -1;
	setup(b);
	mock_target = (struct map_target){ "", b->fd, b->ioas_id, MAP_IOVA,
					   &b->dev_fail, 1 };

	for (i = 0; i < ARRAY_SIZE(map_rows); i++)
		bench_map(b, &mock_target, &map_rows[i]);
	bench_op(b, "hwpt_paging_alloc_destroy", &b->hwpt_fail,
		 COUNT_PAGING_ALLOC, op_paging_alloc, 0);
	bench_op(b, "hwpt_nested_alloc_destroy", &b->parent_fail,
		 COUNT_NESTED_ALLOC, op_nested_alloc, 0);
	for (i = 0; i < ARRAY_SIZE(inv_rows); i++) {
		snprintf(row, sizeof(row), "hwpt_invalidate_x%u",
			 inv_rows[i].entries);
		bench_op(b, row, &b->nested_fail, inv_rows[i].count,
			 op_invalidate, inv_rows[i].entries);
	}
	bench_op(b, "ctl_option_get", &b->dev_fail, COUNT_OPTION_GET,
		 op_option_get, 0);

	dev_rows(b);

	if (b->fd >= 0)
		close(b->fd);	/* frees every object */
	printf("# %d of %zu rows failed\n", nr_failed, NR_ROWS);
	return nr_failed ? 1 : 0;
}
