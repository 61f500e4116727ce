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
 * Output is KTAP; each row's result line is preceded by
 * "# riommu-bench <row> ops_per_sec=<median> min=<> max=<> reps=<> count=<>".
 * Exit status 0 if every row passed, 1 otherwise.
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

#include "../../../../drivers/iommu/iommufd/iommufd_test.h"

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

#define NR_ROWS	(2 * ARRAY_SIZE(map_rows) + 2 + ARRAY_SIZE(inv_rows) + 1)

/* Why an operation failed: the ioctl (or step) and its errno. */
struct failure {
	const char *what;
	int err;
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

static void report_ok(const char *row, const double *ops, unsigned long count)
{
	double s[REPS];

	memcpy(s, ops, sizeof(s));
	qsort(s, REPS, sizeof(s[0]), cmp_double);
	test_no++;
	printf("# riommu-bench %s ops_per_sec=%.1f min=%.1f max=%.1f reps=%d count=%lu\n",
	       row, s[REPS / 2], s[0], s[REPS - 1], REPS, count);
	printf("ok %d %s\n", test_no, row);
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

static int map_rep(struct bench *b, void *buf, unsigned long len,
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
			.ioas_id = b->ioas_id,
			.user_va = (uintptr_t)buf,
			.length = len,
			.iova = MAP_IOVA,
		};
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap),
			.ioas_id = b->ioas_id,
			.iova = MAP_IOVA,
			.length = len,
		};

		t0 = now_ns();
		rc = ioctl(b->fd, IOMMU_IOAS_MAP, &map);
		t1 = now_ns();
		if (rc)
			return fail("IOMMU_IOAS_MAP", errno);
		rc = ioctl(b->fd, IOMMU_IOAS_UNMAP, &unmap);
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

static void bench_map(struct bench *b, const struct map_row *r)
{
	unsigned long len = r->size * r->pages, count = scaled(r->count);
	double map_ops[REPS], unmap_ops[REPS], dummy;
	char map_name[64], unmap_name[64];
	struct failure f;
	int rep;

	snprintf(map_name, sizeof(map_name), "ioas_map_%s_x%lu",
		 r->size_name, r->pages);
	snprintf(unmap_name, sizeof(unmap_name), "ioas_unmap_%s_x%lu",
		 r->size_name, r->pages);

	if (b->dev_fail.what) {
		f = b->dev_fail;
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
	if (map_rep(b, b->buf[r->huge], len, 1, &dummy, &dummy))
		goto err_last;
	for (rep = 0; rep < REPS; rep++)
		if (map_rep(b, b->buf[r->huge], len, count, &map_ops[rep],
			    &unmap_ops[rep]))
			goto err_last;
	report_ok(map_name, map_ops, count);
	report_ok(unmap_name, unmap_ops, count);
	return;

err_last:
	f = last_fail;
	ioas_unmap_all(b->fd, b->ioas_id);
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

static void bench_op(struct bench *b, const char *row,
		     const struct failure *prereq, unsigned long count,
		     int (*op)(struct bench *b, unsigned int arg),
		     unsigned int arg)
{
	double ops[REPS];
	unsigned long i;
	uint64_t t0;
	int rep;

	count = scaled(count);
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
	report_ok(row, ops, count);
	return;
err:
	report_fail(row, &last_fail);
}

int main(void)
{
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
	setup(b);

	for (i = 0; i < ARRAY_SIZE(map_rows); i++)
		bench_map(b, &map_rows[i]);
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

	if (b->fd >= 0)
		close(b->fd);	/* frees every object */
	printf("# %d of %zu rows failed\n", nr_failed, NR_ROWS);
	return nr_failed ? 1 : 0;
}
