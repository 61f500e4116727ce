// SPDX-License-Identifier: GPL-2.0
/*
 * riommu differential test of iommufd's HWPT layer and the selftest mock
 * IOMMU driver.
 *
 * For each seed, open a fresh /dev/iommu, run a pseudo-random sequence of
 * iommufd ioctls (most of them plausible, about a fifth deliberately invalid)
 * and fold every result (op, return value, errno and the fields the kernel
 * wrote back) into a 64-bit FNV-1a digest. The sequence only depends on the
 * seed and on what the kernel answered, so two kernels that behave the same
 * (e.g. the C and the Rust mock driver) print the same digest for every seed;
 * scripts/riommu/diffcmp.py compares two console logs.
 *
 * Operations: IOAS alloc (then IOMMU_OPTION and, mostly, a reserved range
 * below the mock aperture), map (fixed and automatic IOVA, sub-ranges of one
 * 16 MiB buffer), unmap, IOVA ranges; mock devices (MOCK_DOMAIN[_FLAGS]) and
 * their replace; paging, nested (on a nesting parent or on a vIOMMU) HWPT
 * alloc; HWPT and vIOMMU invalidation; MD_CHECK_IOTLB, DEV_CHECK_CACHE,
 * MD_CHECK_MAP; vIOMMU and vDEVICE alloc; dirty tracking on/off, test dirty
 * bits, dirty bitmap; GET_HW_INFO; destroy of any ID. A small model of the
 * live objects steers most IDs to plausible ones; an invalid op uses a stale,
 * random or wrong-kind ID, bad flags or data type, a bad data or entry length,
 * a non-zero reserved field or struct tail, out of range indexes, ...
 *
 * Nothing hashed depends on the process layout: user pointers, physical
 * addresses and timing never enter the digest. Object IDs do: iommufd
 * allocates them per file from an xarray (lowest free ID first), the same for
 * the same sequence; so does the vIOMMU mmap offset. The user buffer is
 * aligned to 32 MiB (automatic IOVA alignment follows the VA's alignment up to
 * the huge page size) and every IOAS gets IOMMU_OPTION_HUGE_PAGES=0 right
 * after its allocation, so that IOVAs are mapped PAGE_SIZE by PAGE_SIZE
 * whatever the physical layout of the buffer (it decides how large the IOPTEs
 * are, and so how many bits a dirty IOPTE sets in a dirty bitmap).
 *
 * Fault queues (IOMMU_FAULT_QUEUE_ALLOC) are allocated and given to paging
 * and nested HWPTs with IOMMU_HWPT_FAULT_ID_VALID; their file descriptors stay
 * open until the end of the seed (so destroying one fails with EBUSY) and
 * their numbers are not hashed. No fault is delivered.
 *
 * Not used: PASID attach, vEVENTQs, HW queues, dma-buf, access objects,
 * anything timing dependent.
 *
 * Output is KTAP:
 *   # riommu-diff seed=S ops=K digest=HEX ok=N err=M
 *   ok I seed_S
 * and at the end "# riommu-diff total digest=HEX" (over the per-seed ones).
 * A seed is "not ok" only if the program cannot run it (no /dev/iommu, ...);
 * failing ioctls are data.
 *
 * Usage: riommu_hwpt_diff [-s FIRST_SEED] [-n NSEEDS] [-k OPS_PER_SEED] [-v]
 * -v prints one line per ioctl: "# op N NAME rc=R errno=E out=...".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../../../drivers/iommu/iommufd/iommufd_test.h"

#define BAD_PCT		20		/* ops that are deliberately invalid */
#define BUF_SIZE	(16UL << 20)	/* the user memory mapped into IOASes */
#define BUF_ALIGN	(32UL << 20)
#define IOVA_WINDOW	(16UL << 20)	/* fixed IOVAs: [APERTURE_START, +this) */
#define BITMAP_BYTES	8192		/* dirty bitmaps, in and out */
#define MAX_OBJS	256
#define MAX_MAPS	32
#define MAX_STALE	64
#define MAX_INV		8
#define MAX_OUT		24

#ifndef offsetofend
#define offsetofend(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))
#endif

#define FNV_BASIS	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

enum op {
	OP_IOAS_ALLOC = 1, OP_IOAS_OPTION, OP_IOAS_MAP, OP_IOAS_UNMAP,
	OP_IOVA_RANGES, OP_MOCK_DOMAIN, OP_MOCK_DOMAIN_FLAGS, OP_REPLACE,
	OP_HWPT_PAGING, OP_HWPT_NESTED, OP_HWPT_NESTED_VIOMMU, OP_INV_HWPT,
	OP_INV_VIOMMU, OP_CHECK_IOTLB, OP_CHECK_CACHE, OP_CHECK_MAP,
	OP_VIOMMU_ALLOC, OP_VDEVICE_ALLOC, OP_SET_DIRTY, OP_GET_DIRTY,
	OP_TEST_DIRTY, OP_HW_INFO, OP_DESTROY, OP_IOAS_RESERVE, OP_FAULT_ALLOC,
};

/* How call() presents the struct size to the kernel */
enum { SZ_OK, SZ_BIG0, SZ_BIGX, SZ_SHORT };

enum kind {
	K_NONE, K_IOAS, K_STDEV, K_IDEV, K_PAGING, K_NESTED, K_VIOMMU, K_VDEV,
	K_FAULT, K_UNKNOWN, K_NR
};

#define PF_AUTO (1U << 31)	/* paging HWPT: the auto domain of an IOAS */

struct map {
	uint64_t iova, len;
	int64_t off;		/* offset in buf, -1: not from buf */
};

/*
 * The model: what this program believes exists. It steers the choice of
 * IDs; it is only ever updated from what the kernel answered, so it is as
 * deterministic as the kernel. It need not be exact.
 */
struct obj {
	uint32_t id;
	uint8_t kind;
	/*
	 * STDEV: a=idev, b=pt. IDEV: a=stdev. PAGING: a=ioas.
	 * NESTED: a=parent, b=viommu. VIOMMU: a=hwpt, b=idev.
	 * VDEV: a=viommu, b=idev.
	 */
	uint32_t a, b;
	uint32_t flags;		/* STDEV: dev_flags, PAGING: alloc flags */
	uint64_t virt_id;	/* VDEV */
	uint32_t val[4];	/* NESTED: iotlb, STDEV: cache */
	unsigned int nmaps;	/* IOAS */
	struct map maps[MAX_MAPS];
};

static struct obj objs[MAX_OBJS];
static uint32_t stale[MAX_STALE];
static unsigned int nstale;

static int iommufd = -1;
static int fault_fds[MAX_OBJS];	/* of the fault queues of this seed */
static unsigned int nfault_fds;
static unsigned long pg;
static uint8_t *buf;
static bool verbose;

static union {
	uint8_t raw[512];
	uint64_t align;
} A;
static uint8_t aux[1024] __attribute__((aligned(64)));	/* ioctl payloads */
static uint8_t bitmap_in[BITMAP_BYTES] __attribute__((aligned(4096)));
static uint8_t bitmap_out[BITMAP_BYTES] __attribute__((aligned(4096)));

/* Per-seed state */
static uint64_t rng;
static uint64_t digest;
static unsigned int n_ok, n_err, n_bad, opno;

/* The record of the ioctl in flight */
static struct {
	const char *name;
	unsigned int opc;
	int ret, err;
	uint64_t out[MAX_OUT];
	unsigned int nout;
	const uint8_t *blob;
	size_t blen;
	bool open;
} R;

/* splitmix64 */
static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rn(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static bool pct(unsigned int p)
{
	return rn(100) < p;
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t fnv_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* --- recording ---------------------------------------------------------- */

static void out(uint64_t v)
{
	if (R.nout < MAX_OUT)
		R.out[R.nout++] = v;
}

static void out_blob(const void *p, size_t n)
{
	R.blob = p;
	R.blen = n;
}

static void done(void)
{
	if (!R.open)
		return;
	R.open = false;
	digest = fnv_u64(digest, R.opc);
	digest = fnv_u64(digest, (uint64_t)(int64_t)R.ret);
	digest = fnv_u64(digest, (uint64_t)R.err);
	digest = fnv_u64(digest, R.nout);
	for (unsigned int i = 0; i < R.nout; i++)
		digest = fnv_u64(digest, R.out[i]);
	digest = fnv_u64(digest, R.blen);
	digest = fnv_bytes(digest, R.blob, R.blen);
	if (R.ret == 0)
		n_ok++;
	else
		n_err++;
	if (!verbose)
		return;
	printf("# op %u %s rc=%d errno=%d out=", opno, R.name, R.ret, R.err);
	for (unsigned int i = 0; i < R.nout; i++)
		printf("%s%" PRIx64, i ? "," : "", R.out[i]);
	if (R.blen) {
		printf("%sblob%zu:", R.nout ? "," : "", R.blen);
		for (size_t i = 0; i < R.blen && i < 64; i++)
			printf("%02x", R.blob[i]);
		if (R.blen > 64)
			printf("..%016" PRIx64, fnv_bytes(FNV_BASIS, R.blob, R.blen));
	}
	printf("\n");
}

/* Zero the argument buffer; the struct of @size starts at A.raw */
static void *arg(size_t size)
{
	memset(&A, 0, sizeof(A));
	*(uint32_t *)A.raw = size;
	return A.raw;
}

/*
 * Issue @req on the struct in A.raw of @size bytes, presented as @szmode
 * says. Opens the record that the caller fills with out() and closes with
 * done() (or the next call() does).
 */
static int call(unsigned int opc, const char *name, unsigned long req,
		size_t size, int szmode)
{
	static const uint32_t shorts[] = { 0, 4 };
	uint32_t *usize = (uint32_t *)A.raw;

	done();
	switch (szmode) {
	case SZ_BIG0:
		*usize = size + 8;
		break;
	case SZ_BIGX:
		*usize = size + 8;
		A.raw[size + rn(8)] = 0x5a;
		break;
	case SZ_SHORT:
		*usize = rn(3) == 2 ? size - 4 : shorts[rn(2)];
		break;
	}
	memset(&R, 0, sizeof(R));
	R.open = true;
	R.name = name;
	R.opc = opc;
	R.ret = ioctl(iommufd, req, A.raw);
	R.err = R.ret ? errno : 0;
	return R.ret;
}

/* --- the model ---------------------------------------------------------- */

static struct obj *find(uint32_t id)
{
	if (!id)
		return NULL;
	for (int i = 0; i < MAX_OBJS; i++)
		if (objs[i].kind && objs[i].id == id)
			return &objs[i];
	return NULL;
}

static int kind_of(uint32_t id)
{
	struct obj *o = find(id);

	return o ? o->kind : K_NONE;
}

static struct obj *add(int kind, uint32_t id)
{
	struct obj *o = find(id);

	if (!o) {
		for (int i = 0; i < MAX_OBJS && !o; i++)
			if (!objs[i].kind)
				o = &objs[i];
		if (!o)
			return NULL;
	}
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->kind = kind;
	return o;
}

static void del(struct obj *o)
{
	if (!o || !o->kind)
		return;
	stale[nstale++ % MAX_STALE] = o->id;
	o->kind = K_NONE;
}

typedef bool (*filter_t)(const struct obj *o);

/* A random live object of @kind (K_NONE: any) that passes @f, or NULL */
static struct obj *pick(int kind, filter_t f)
{
	unsigned int n = 0, k;

	for (int i = 0; i < MAX_OBJS; i++)
		if (objs[i].kind && (!kind || objs[i].kind == kind) &&
		    (!f || f(&objs[i])))
			n++;
	if (!n)
		return NULL;
	k = rn(n);
	for (int i = 0; i < MAX_OBJS; i++)
		if (objs[i].kind && (!kind || objs[i].kind == kind) &&
		    (!f || f(&objs[i])) && !k--)
			return &objs[i];
	return NULL;
}

static uint32_t id_of(struct obj *o)
{
	return o ? o->id : 0;
}

/* An ID that is not a live object of @kind, in one of several ways */
static uint32_t bad_id(int kind)
{
	unsigned int n = 0, k;

	switch (rn(5)) {
	case 0:
		return 0;
	case 1:
		return 1 + rn(64);
	case 2:
		if (nstale)
			return stale[rn(nstale < MAX_STALE ? nstale : MAX_STALE)];
		return 0xffffffff;
	case 3:
		for (int i = 0; i < MAX_OBJS; i++)
			if (objs[i].kind && objs[i].kind != kind)
				n++;
		if (!n)
			return 1000 + rn(1000);
		k = rn(n);
		for (int i = 0; i < MAX_OBJS; i++)
			if (objs[i].kind && objs[i].kind != kind && !k--)
				return objs[i].id;
		return 0;
	default:
		return rn(2) ? 0x7fffffff : 0xffffffff;
	}
}

static bool is_nest_parent(const struct obj *o)
{
	return (o->flags & IOMMU_HWPT_ALLOC_NEST_PARENT) && !(o->flags & PF_AUTO);
}

static bool is_dirty_capable(const struct obj *o)
{
	return o->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
}

static bool has_maps(const struct obj *o)
{
	return o->nmaps > 0;
}

static struct obj *ioas_of(struct obj *hwpt)
{
	struct obj *o = hwpt ? find(hwpt->a) : NULL;

	return o && o->kind == K_IOAS ? o : NULL;
}

/* An auto domain goes with the last device attached to it */
static void put_auto(uint32_t hwpt_id)
{
	struct obj *h = find(hwpt_id);

	if (!h || h->kind != K_PAGING || !(h->flags & PF_AUTO))
		return;
	for (int i = 0; i < MAX_OBJS; i++)
		if (objs[i].kind == K_STDEV && objs[i].b == hwpt_id)
			return;
	del(h);
}

/* A device got attached to @pt_id (an IOAS, or what the kernel said) */
static void attached(struct obj *stdev, uint32_t req_pt, uint32_t out_pt)
{
	uint32_t old = stdev->b;

	stdev->b = out_pt;
	if (!find(out_pt) && kind_of(req_pt) == K_IOAS) {
		struct obj *h = add(K_PAGING, out_pt);

		if (h) {
			h->a = req_pt;
			h->flags = PF_AUTO;
		}
	}
	if (old != out_pt)
		put_auto(old);
}

/* --- shared argument choices --------------------------------------------- */

static void op_viommu_alloc(bool bad);

/*
 * An op is valid (m = -1) or, if @bad, invalid in one of its @nm own ways
 * (m in [0, nm)) or by its struct size (too short, or longer with a non-zero
 * tail). A valid op sometimes passes a longer struct with a zero tail.
 */
#define MODES(nm)							\
	int m = bad ? (int)rn((nm) + 2) : -1;				\
	int sz = m == (nm) ? SZ_SHORT : m == (nm) + 1 ? SZ_BIGX :	\
		 pct(3) ? SZ_BIG0 : SZ_OK;				\
	n_bad += m >= 0

/* Run a prerequisite (valid) op instead of this one */
#define FALLBACK(op)							\
	do {								\
		n_bad -= m >= 0;					\
		op(false);						\
		return;							\
	} while (0)

static uint32_t ioas_id(void)
{
	return id_of(pick(K_IOAS, NULL));
}

/* An IOAS, or sometimes a HWPT, for a device to attach to */
static uint32_t attach_target(void)
{
	unsigned int r = rn(100);

	if (r < 15 && pick(K_PAGING, NULL))
		return id_of(pick(K_PAGING, NULL));
	if (r < 30 && pick(K_NESTED, NULL))
		return id_of(pick(K_NESTED, NULL));
	return ioas_id();
}

/* An IOVA range and page size for the dirty bitmap ops */
static void dirty_range(struct obj *hwpt, uint64_t *iova, uint64_t *len,
			uint64_t *psize)
{
	struct obj *ioas = ioas_of(hwpt);
	uint64_t max;

	*psize = rn(2) ? MOCK_PAGE_SIZE : pg;
	if (ioas && ioas->nmaps && pct(80)) {
		struct map *mp = &ioas->maps[rn(ioas->nmaps)];

		*iova = mp->iova;
		*len = mp->len;
	} else {
		*iova = MOCK_APERTURE_START + rn(IOVA_WINDOW / pg) * pg;
		*len = (1 + rn(64)) * pg;
	}
	max = (uint64_t)BITMAP_BYTES * 8 * *psize;
	if (*len > max)
		*len = max;
}

/* --- the operations ----------------------------------------------------- */

static void op_ioas_alloc(bool bad)
{
	struct iommu_ioas_alloc *c;
	struct iommu_option *o;
	struct iommu_test_cmd *t;
	uint32_t id;
	MODES(1);

	c = arg(sizeof(*c));
	if (m == 0)
		c->flags = 1U << rn(32);
	if (call(OP_IOAS_ALLOC, "ioas_alloc", IOMMU_IOAS_ALLOC, sizeof(*c), sz))
		return;
	id = c->out_ioas_id;
	out(id);
	add(K_IOAS, id);

	/* Map PAGE_SIZE by PAGE_SIZE: see the top of the file */
	o = arg(sizeof(*o));
	o->option_id = IOMMU_OPTION_HUGE_PAGES;
	o->op = IOMMU_OPTION_OP_SET;
	o->object_id = id;
	o->val64 = 0;
	call(OP_IOAS_OPTION, "ioas_option", IOMMU_OPTION, sizeof(*o), SZ_OK);

	/*
	 * Mostly keep automatic IOVAs inside the mock aperture, so that they
	 * do not make every later attach of a mock domain fail.
	 */
	if (pct(75)) {
		t = arg(sizeof(*t));
		t->op = IOMMU_TEST_OP_ADD_RESERVED;
		t->id = id;
		t->add_reserved.start = 0;
		t->add_reserved.length = MOCK_APERTURE_START;
		call(OP_IOAS_RESERVE, "ioas_add_reserved", IOMMU_TEST_CMD,
		     sizeof(*t), SZ_OK);
	}
}

static void op_ioas_map(bool bad)
{
	struct iommu_ioas_map *c;
	struct obj *ioas = pick(K_IOAS, NULL);
	uint64_t npages, off;
	MODES(8);

	if (!ioas && m != 1)
		FALLBACK(op_ioas_alloc);
	npages = pct(80) ? 1 + rn(32) : 1 + rn(512);
	off = rn(BUF_SIZE / pg - npages + 1) * pg;

	c = arg(sizeof(*c));
	c->ioas_id = id_of(ioas);
	c->flags = IOMMU_IOAS_MAP_READABLE;
	if (pct(80))
		c->flags |= IOMMU_IOAS_MAP_WRITEABLE;
	if (pct(70)) {
		c->flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
		c->iova = MOCK_APERTURE_START + rn(IOVA_WINDOW / pg) * pg;
	}
	c->user_va = (uintptr_t)buf + off;
	c->length = npages * pg;
	switch (m) {
	case 0:
		c->flags |= 1U << (3 + rn(29));
		break;
	case 1:
		c->ioas_id = bad_id(K_IOAS);
		break;
	case 2:		/* not pinned until a domain needs it */
		c->user_va = 0;
		break;
	case 3:
		c->length = rn(2) ? 0 : c->length - pg / 2;
		break;
	case 4:
		c->flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
		c->iova += MOCK_PAGE_SIZE;
		break;
	case 5:		/* outside the mock aperture (fine without a domain) */
		c->flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
		c->iova = rn(2) ? pg : 1ULL << 32;
		break;
	case 6:
		c->__reserved = 1 + rn(0xffff);
		break;
	case 7:		/* onto an existing mapping, or overflowing */
		c->flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
		if (ioas && ioas->nmaps)
			c->iova = ioas->maps[rn(ioas->nmaps)].iova;
		else
			c->iova = ~0ULL - pg + 1;
		break;
	}
	if (call(OP_IOAS_MAP, "ioas_map", IOMMU_IOAS_MAP, sizeof(*c), sz))
		return;
	out(c->iova);
	ioas = find(c->ioas_id);
	if (ioas && ioas->kind == K_IOAS && ioas->nmaps < MAX_MAPS) {
		struct map *mp = &ioas->maps[ioas->nmaps++];

		mp->iova = c->iova;
		mp->len = c->length;
		mp->off = c->user_va ? (int64_t)off : -1;
	}
}

static void op_ioas_unmap(bool bad)
{
	struct iommu_ioas_unmap *c;
	struct obj *ioas = pick(K_IOAS, pct(85) ? has_maps : NULL);
	struct map *mp;
	uint64_t first, last;
	MODES(4);

	if (!ioas)
		FALLBACK(op_ioas_map);
	mp = ioas->nmaps ? &ioas->maps[rn(ioas->nmaps)] : NULL;

	c = arg(sizeof(*c));
	c->ioas_id = ioas->id;
	if (!mp || pct(10)) {		/* everything */
		c->iova = 0;
		c->length = ~0ULL;
	} else {
		c->iova = mp->iova;
		c->length = mp->len;
		if (pct(15))		/* and what follows, if it fits */
			c->length += rn(64) * pg;
	}
	switch (m) {
	case 0:
		c->ioas_id = bad_id(K_IOAS);
		break;
	case 1:		/* splits a mapping */
		c->iova += pg;
		c->length = c->length > 2 * pg ? c->length - 2 * pg : pg;
		break;
	case 2:
		c->length = rn(2) ? 0 : c->length | 1;
		break;
	case 3:		/* nothing there */
		c->iova = 1ULL << 40;
		c->length = pg;
		break;
	}
	/* The kernel writes back how much it unmapped */
	first = c->iova;
	last = c->iova + c->length - 1;
	if (call(OP_IOAS_UNMAP, "ioas_unmap", IOMMU_IOAS_UNMAP, sizeof(*c), sz))
		return;
	out(c->length);
	ioas = find(c->ioas_id);
	if (!ioas || ioas->kind != K_IOAS)
		return;
	for (unsigned int i = 0; i < ioas->nmaps;) {
		mp = &ioas->maps[i];
		if (mp->iova >= first && mp->iova + mp->len - 1 <= last)
			*mp = ioas->maps[--ioas->nmaps];
		else
			i++;
	}
}

static void op_iova_ranges(bool bad)
{
	struct iommu_ioas_iova_ranges *c;
	struct iommu_iova_range *ranges = (void *)aux;
	static const uint32_t caps[] = { 0, 1, 2, 8 };
	uint32_t cap = caps[rn(4)], ioas = ioas_id();
	MODES(3);

	if (!ioas && m != 0)
		FALLBACK(op_ioas_alloc);
	memset(aux, 0xa5, sizeof(aux));
	c = arg(sizeof(*c));
	c->ioas_id = ioas;
	c->num_iovas = cap;
	c->allowed_iovas = (uintptr_t)ranges;
	switch (m) {
	case 0:
		c->ioas_id = bad_id(K_IOAS);
		break;
	case 1:
		c->__reserved = 1;
		break;
	case 2:
		c->allowed_iovas = 0;
		c->num_iovas = cap = 1 + rn(4);
		break;
	}
	call(OP_IOVA_RANGES, "iova_ranges", IOMMU_IOAS_IOVA_RANGES, sizeof(*c),
	     sz);
	out(c->num_iovas);
	out(c->out_iova_alignment);
	if (!R.ret && c->allowed_iovas)
		for (uint32_t i = 0; i < cap && i < c->num_iovas; i++) {
			out(ranges[i].start);
			out(ranges[i].last);
		}
}

static void op_mock_domain(bool bad)
{
	static const uint32_t dev_flags[] = {
		0, MOCK_FLAGS_DEVICE_NO_DIRTY, MOCK_FLAGS_DEVICE_PASID,
		MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_PASID,
	};
	struct iommu_test_cmd *c;
	bool with_flags = pct(60);
	struct obj *sd, *id;
	MODES(2);

	c = arg(sizeof(*c));
	c->op = with_flags ? IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS :
			     IOMMU_TEST_OP_MOCK_DOMAIN;
	c->id = attach_target();
	if (!c->id && m != 0)
		FALLBACK(op_ioas_alloc);
	if (with_flags)
		c->mock_domain_flags.dev_flags = dev_flags[rn(4)];
	switch (m) {
	case 0:
		c->id = bad_id(K_IOAS);
		break;
	case 1:
		c->op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS;
		with_flags = true;
		c->mock_domain_flags.dev_flags |= 1U << (rn(2) ? 1 : 3 + rn(29));
		break;
	}
	if (call(with_flags ? OP_MOCK_DOMAIN_FLAGS : OP_MOCK_DOMAIN,
		 with_flags ? "mock_domain_flags" : "mock_domain",
		 IOMMU_TEST_CMD, sizeof(*c), sz))
		return;
	out(c->mock_domain.out_stdev_id);
	out(c->mock_domain.out_hwpt_id);
	out(c->mock_domain.out_idev_id);
	sd = add(K_STDEV, c->mock_domain.out_stdev_id);
	id = add(K_IDEV, c->mock_domain.out_idev_id);
	if (!sd || !id)
		return;
	sd->a = id->id;
	sd->flags = with_flags ? c->mock_domain_flags.dev_flags : 0;
	for (int i = 0; i < 4; i++)
		sd->val[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
	id->a = sd->id;
	attached(sd, c->id, c->mock_domain.out_hwpt_id);
}

static void op_replace(bool bad)
{
	struct iommu_test_cmd *c;
	struct obj *sd = pick(K_STDEV, NULL);
	uint32_t pt;
	MODES(2);

	if (!sd)
		FALLBACK(op_mock_domain);
	c = arg(sizeof(*c));
	c->op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
	c->id = sd->id;
	c->mock_domain_replace.pt_id = attach_target();
	switch (m) {
	case 0:		/* the idev ID is not a selftest object */
		c->id = rn(2) ? sd->a : bad_id(K_STDEV);
		break;
	case 1:
		c->mock_domain_replace.pt_id = bad_id(K_PAGING);
		break;
	}
	pt = c->mock_domain_replace.pt_id;
	if (call(OP_REPLACE, "mock_domain_replace", IOMMU_TEST_CMD, sizeof(*c),
		 sz))
		return;
	out(c->mock_domain_replace.pt_id);
	sd = find(c->id);
	if (sd && sd->kind == K_STDEV)
		attached(sd, pt, c->mock_domain_replace.pt_id);
}

/* Record the HWPT that IOMMU_HWPT_ALLOC made on @pt_id */
static void hwpt_created(uint32_t pt_id, uint32_t id, uint32_t flags,
			 uint32_t iotlb)
{
	struct obj *pt = find(pt_id), *h;

	switch (pt ? pt->kind : K_NONE) {
	case K_IOAS:
		h = add(K_PAGING, id);
		if (h) {
			h->a = pt_id;
			h->flags = flags;
		}
		break;
	case K_PAGING:
	case K_VIOMMU:
		h = add(K_NESTED, id);
		if (h) {
			h->a = pt->kind == K_PAGING ? pt_id : pt->a;
			h->b = pt->kind == K_VIOMMU ? pt_id : 0;
			for (int i = 0; i < 4; i++)
				h->val[i] = iotlb;
		}
		break;
	default:
		add(K_UNKNOWN, id);
	}
}

/* The IOMMU_HWPT_DATA_SELFTEST data of IOMMU_HWPT_ALLOC, in aux */
static void hwpt_data(struct iommu_hwpt_alloc *c, uint32_t iotlb,
		      uint32_t pagetable_type)
{
	struct iommu_hwpt_selftest *d = (void *)aux;

	memset(aux, 0, sizeof(aux));
	d->iotlb = iotlb;
	d->pagetable_type = pagetable_type;
	c->data_type = IOMMU_HWPT_DATA_SELFTEST;
	/* The kernel needs up to iotlb; pagetable_type is then 0 */
	c->data_len = pct(20) ? offsetofend(struct iommu_hwpt_selftest, iotlb) :
				sizeof(*d);
	c->data_uptr = (uintptr_t)d;
}

/* Corrupt the data of IOMMU_HWPT_ALLOC in one of several ways */
static void hwpt_bad_data(struct iommu_hwpt_alloc *c)
{
	switch (rn(6)) {
	case 0:		/* shorter than iotlb */
		c->data_len = 2;
		break;
	case 1:		/* longer, non-zero tail */
		c->data_len = 16;
		aux[8 + rn(8)] = 0x5a;
		break;
	case 2:		/* longer, zero tail: fine */
		c->data_len = 16;
		break;
	case 3:
		c->data_uptr = 0;
		break;
	case 4:		/* a type with no length, or a length with no type */
		if (c->data_type == IOMMU_HWPT_DATA_NONE) {
			c->data_len = 8;
			c->data_uptr = (uintptr_t)aux;
		} else {
			c->data_len = 0;
		}
		break;
	default:	/* another driver's type */
		c->data_type = 1 + rn(3);
		if (!c->data_len) {
			c->data_len = 8;
			c->data_uptr = (uintptr_t)aux;
		}
		break;
	}
}

static void op_hwpt_paging_flags(bool bad, uint32_t force)
{
	struct iommu_hwpt_alloc *c;
	struct obj *dev = pick(K_IDEV, NULL), *ioas = pick(K_IOAS, NULL);
	uint32_t flags = force;
	MODES(7);

	if (!dev && m != 0)
		FALLBACK(op_mock_domain);
	if (!ioas && m != 1)
		FALLBACK(op_ioas_alloc);
	if (pct(30))
		flags |= IOMMU_HWPT_ALLOC_NEST_PARENT;
	if (pct(30))
		flags |= IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	if (pct(20))
		flags |= IOMMU_HWPT_ALLOC_PASID;

	memset(aux, 0, sizeof(aux));
	c = arg(sizeof(*c));
	c->dev_id = id_of(dev);
	c->pt_id = id_of(ioas);
	c->flags = flags;
	if (pct(50))
		hwpt_data(c, (uint32_t)rnd(),
			  pct(80) ? MOCK_IOMMUPT_DEFAULT : MOCK_IOMMUPT_HUGE);
	if (m < 0 && !(flags & IOMMU_HWPT_ALLOC_NEST_PARENT) && pct(20) &&
	    pick(K_FAULT, NULL)) {
		c->flags |= IOMMU_HWPT_FAULT_ID_VALID;
		c->fault_id = pick(K_FAULT, NULL)->id;
	}
	switch (m) {
	case 0:
		c->dev_id = bad_id(K_IDEV);
		break;
	case 1:		/* any other kind of pt_id takes another path */
		c->pt_id = bad_id(K_IOAS);
		break;
	case 2:
		c->flags |= 1U << (4 + rn(28));
		break;
	case 3:		/* not a fault queue, or with NEST_PARENT */
		c->flags |= IOMMU_HWPT_FAULT_ID_VALID;
		if (pick(K_FAULT, NULL) && pct(50)) {
			c->fault_id = pick(K_FAULT, NULL)->id;
			c->flags |= IOMMU_HWPT_ALLOC_NEST_PARENT;
		} else {
			c->fault_id = bad_id(K_FAULT);
		}
		break;
	case 4:
		c->__reserved = 1 + rn(0xffff);
		break;
	case 5:
		if (c->data_type != IOMMU_HWPT_DATA_SELFTEST)
			hwpt_data(c, (uint32_t)rnd(), 0);
		((struct iommu_hwpt_selftest *)aux)->pagetable_type = 2 + rn(100);
		c->data_len = sizeof(struct iommu_hwpt_selftest);
		break;
	case 6:
		hwpt_bad_data(c);
		break;
	}
	if (call(OP_HWPT_PAGING, "hwpt_alloc_paging", IOMMU_HWPT_ALLOC,
		 sizeof(*c), sz))
		return;
	out(c->out_hwpt_id);
	hwpt_created(c->pt_id, c->out_hwpt_id, c->flags,
		     ((struct iommu_hwpt_selftest *)aux)->iotlb);
}

static void op_hwpt_paging(bool bad)
{
	op_hwpt_paging_flags(bad, 0);
}

static void op_nest_parent(bool bad)
{
	op_hwpt_paging_flags(bad, IOMMU_HWPT_ALLOC_NEST_PARENT);
}

static void op_dirty_paging(bool bad)
{
	op_hwpt_paging_flags(bad, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
}

static bool not_nest_parent(const struct obj *o)
{
	return !is_nest_parent(o);
}

/* Nested HWPT on a nesting parent (@viommu false) or on a vIOMMU */
static void hwpt_nested(bool bad, bool viommu)
{
	struct iommu_hwpt_alloc *c;
	struct obj *pt = viommu ? pick(K_VIOMMU, NULL) :
				  pick(K_PAGING, is_nest_parent);
	struct obj *dev = pick(K_IDEV, NULL);
	uint32_t iotlb = pct(50) ? IOMMU_TEST_IOTLB_DEFAULT : (uint32_t)rnd();
	MODES(7);

	if (!pt && m != 0) {
		if (viommu)
			FALLBACK(op_viommu_alloc);
		FALLBACK(op_nest_parent);
	}
	if (!dev && m != 1)
		FALLBACK(op_mock_domain);

	c = arg(sizeof(*c));
	c->dev_id = id_of(dev);
	c->pt_id = id_of(pt);
	c->flags = pct(20) ? IOMMU_HWPT_ALLOC_PASID : 0;
	hwpt_data(c, iotlb, 0);
	if (m < 0 && pct(20) && pick(K_FAULT, NULL)) {
		c->flags |= IOMMU_HWPT_FAULT_ID_VALID;
		c->fault_id = pick(K_FAULT, NULL)->id;
	}
	switch (m) {
	case 0:
		if (!viommu && pct(50) && pick(K_PAGING, not_nest_parent))
			c->pt_id = pick(K_PAGING, not_nest_parent)->id;
		else
			c->pt_id = bad_id(viommu ? K_VIOMMU : K_PAGING);
		break;
	case 1:
		c->dev_id = bad_id(K_IDEV);
		break;
	case 2:
		c->flags |= rn(2) ? IOMMU_HWPT_ALLOC_NEST_PARENT |
				    IOMMU_HWPT_ALLOC_DIRTY_TRACKING :
				    1U << (4 + rn(28));
		break;
	case 3:		/* nested needs data */
		c->data_type = IOMMU_HWPT_DATA_NONE;
		c->data_len = 0;
		break;
	case 4:
		c->__reserved = 1;
		break;
	case 5:
		c->flags |= IOMMU_HWPT_FAULT_ID_VALID;
		c->fault_id = bad_id(K_FAULT);
		break;
	case 6:
		hwpt_bad_data(c);
		break;
	}
	if (call(viommu ? OP_HWPT_NESTED_VIOMMU : OP_HWPT_NESTED,
		 viommu ? "hwpt_alloc_nested_viommu" : "hwpt_alloc_nested",
		 IOMMU_HWPT_ALLOC, sizeof(*c), sz))
		return;
	out(c->out_hwpt_id);
	hwpt_created(c->pt_id, c->out_hwpt_id, c->flags, iotlb);
}

static void op_hwpt_nested(bool bad)
{
	hwpt_nested(bad, false);
}

static void op_hwpt_nested_viommu(bool bad)
{
	hwpt_nested(bad, true);
}

/* Lay @n entries of @esz bytes out in aux at @stride, maybe a dirty tail */
static void lay_out(const void *ents, size_t esz, unsigned int n,
		    size_t stride, bool dirty_tail)
{
	memset(aux, 0, sizeof(aux));
	for (unsigned int i = 0; i < n; i++) {
		memcpy(aux + i * stride, (const uint8_t *)ents + i * esz,
		       stride < esz ? stride : esz);
		if (dirty_tail && stride > esz)
			aux[i * stride + esz + rn(stride - esz)] = 0x5a;
	}
}

/* Corrupt entry_len/data_uptr of IOMMU_HWPT_INVALIDATE; 0 if not laid out */
static size_t inv_bad_layout(struct iommu_hwpt_invalidate *c, size_t esz,
			     bool *dirty)
{
	switch (rn(5)) {
	case 0:
		return esz - 4;		/* shorter than the last field */
	case 1:
		*dirty = true;
		return esz + 4;
	case 2:
		return esz + 4;		/* longer, zero tail: fine */
	case 3:
		c->entry_len = rn(2) ? 0 : pg + 8;
		return 0;
	default:
		c->data_uptr = 0;
		return 0;
	}
}

static void op_inv_hwpt(bool bad)
{
	struct iommu_hwpt_invalidate *c;
	struct iommu_hwpt_invalidate_selftest ents[MAX_INV];
	struct obj *h = pick(K_NESTED, NULL);
	unsigned int n = rn(MAX_INV + 1);
	size_t stride = sizeof(ents[0]);
	bool dirty = false;
	MODES(6);

	if (!h && m != 4)
		FALLBACK(op_hwpt_nested);
	if ((m == 0 || m == 1 || m == 3) && !n)
		n = 1 + rn(MAX_INV);
	for (unsigned int i = 0; i < n; i++) {
		ents[i].flags = pct(15) ? IOMMU_TEST_INVALIDATE_FLAG_ALL : 0;
		ents[i].iotlb_id = rn(MOCK_NESTED_DOMAIN_IOTLB_NUM);
	}
	c = arg(sizeof(*c));
	c->hwpt_id = id_of(h);
	c->data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
	c->entry_len = stride;
	c->entry_num = n;
	c->data_uptr = (uintptr_t)aux;
	switch (m) {
	case 0:
		ents[rn(n)].flags |= 1U << (1 + rn(31));
		break;
	case 1:
		ents[rn(n)].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1 +
				       rn(1000);
		break;
	case 2:
		c->data_type = rn(2) ? IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID :
				       IOMMU_HWPT_INVALIDATE_DATA_VTD_S1;
		break;
	case 3:
		stride = inv_bad_layout(c, sizeof(ents[0]), &dirty);
		if (stride)
			c->entry_len = stride;
		break;
	case 4:		/* a paging HWPT or not a HWPT */
		c->hwpt_id = rn(2) && pick(K_PAGING, NULL) ?
			     pick(K_PAGING, NULL)->id : bad_id(K_NESTED);
		break;
	case 5:
		c->__reserved = 1 + rn(0xffff);
		break;
	}
	lay_out(ents, sizeof(ents[0]), n, stride ? stride : sizeof(ents[0]),
		dirty);
	call(OP_INV_HWPT, "hwpt_invalidate", IOMMU_HWPT_INVALIDATE, sizeof(*c),
	     sz);
	out(c->entry_num);
	/* entry_num is written back unless the struct itself was refused */
	h = find(c->hwpt_id);
	if (sz == SZ_SHORT || sz == SZ_BIGX || !h || h->kind != K_NESTED ||
	    c->data_type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST)
		return;
	for (unsigned int i = 0; i < c->entry_num && i < n; i++) {
		if (ents[i].flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(h->val, 0, sizeof(h->val));
		else if (ents[i].iotlb_id < 4)
			h->val[ents[i].iotlb_id] = 0;
	}
}

static uint32_t filter_id;

static bool vdev_of_filter(const struct obj *o)
{
	return o->a == filter_id;
}

static void op_inv_viommu(bool bad)
{
	struct iommu_hwpt_invalidate *c;
	struct iommu_viommu_invalidate_selftest ents[MAX_INV];
	struct obj *v = pick(K_VIOMMU, NULL), *vd;
	unsigned int n = rn(MAX_INV + 1);
	size_t stride = sizeof(ents[0]);
	bool dirty = false;
	MODES(7);

	if (!v && m != 4)
		FALLBACK(op_viommu_alloc);
	if ((m == 0 || m == 1 || m == 3 || m == 6) && !n)
		n = 1 + rn(MAX_INV);
	filter_id = id_of(v);
	for (unsigned int i = 0; i < n; i++) {
		vd = pick(K_VDEV, vdev_of_filter);
		ents[i].flags = pct(15) ? IOMMU_TEST_INVALIDATE_FLAG_ALL : 0;
		ents[i].vdev_id = vd && pct(80) ? vd->virt_id : rn(8);
		ents[i].cache_id = rn(MOCK_DEV_CACHE_NUM);
	}
	c = arg(sizeof(*c));
	c->hwpt_id = id_of(v);
	c->data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
	c->entry_len = stride;
	c->entry_num = n;
	c->data_uptr = (uintptr_t)aux;
	switch (m) {
	case 0:
		ents[rn(n)].flags |= 1U << (1 + rn(31));
		break;
	case 1:
		ents[rn(n)].cache_id = MOCK_DEV_CACHE_ID_MAX + 1 + rn(1000);
		break;
	case 2:
		c->data_type = rn(2) ? IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID :
				       IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
		break;
	case 3:
		stride = inv_bad_layout(c, sizeof(ents[0]), &dirty);
		if (stride)
			c->entry_len = stride;
		break;
	case 4:
		c->hwpt_id = bad_id(K_VIOMMU);
		break;
	case 5:
		c->__reserved = 1;
		break;
	case 6:		/* no such virtual device */
		ents[rn(n)].vdev_id = 1000 + rn(1000);
		break;
	}
	lay_out(ents, sizeof(ents[0]), n, stride ? stride : sizeof(ents[0]),
		dirty);
	call(OP_INV_VIOMMU, "viommu_invalidate", IOMMU_HWPT_INVALIDATE,
	     sizeof(*c), sz);
	out(c->entry_num);
	v = find(c->hwpt_id);
	if (sz == SZ_SHORT || sz == SZ_BIGX || !v || v->kind != K_VIOMMU ||
	    c->data_type != IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST)
		return;
	for (unsigned int i = 0; i < c->entry_num && i < n; i++) {
		struct obj *idev, *sd = NULL;

		vd = NULL;
		for (int j = 0; j < MAX_OBJS && !vd; j++)
			if (objs[j].kind == K_VDEV && objs[j].a == v->id &&
			    objs[j].virt_id == ents[i].vdev_id)
				vd = &objs[j];
		idev = vd ? find(vd->b) : NULL;
		if (idev && idev->kind == K_IDEV)
			sd = find(idev->a);
		if (!sd || sd->kind != K_STDEV)
			continue;
		if (ents[i].flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(sd->val, 0, sizeof(sd->val));
		else if (ents[i].cache_id < 4)
			sd->val[ents[i].cache_id] = 0;
	}
}

static void op_check_iotlb(bool bad)
{
	struct iommu_test_cmd *c;
	struct obj *h = pick(K_NESTED, NULL);
	uint32_t idx = rn(MOCK_NESTED_DOMAIN_IOTLB_NUM);
	MODES(3);

	if (!h && m != 2)
		FALLBACK(op_hwpt_nested);
	c = arg(sizeof(*c));
	c->op = IOMMU_TEST_OP_MD_CHECK_IOTLB;
	c->id = id_of(h);
	c->check_iotlb.id = idx;
	c->check_iotlb.iotlb = h ? h->val[idx] : 0;
	switch (m) {
	case 0:
		c->check_iotlb.id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1 + rn(1000);
		break;
	case 1:
		c->check_iotlb.iotlb ^= 1U << rn(32);
		break;
	case 2:
		c->id = bad_id(K_NESTED);
		break;
	}
	call(OP_CHECK_IOTLB, "md_check_iotlb", IOMMU_TEST_CMD, sizeof(*c), sz);
	out(c->check_iotlb.id);
	out(c->check_iotlb.iotlb);
}

static void op_check_cache(bool bad)
{
	struct iommu_test_cmd *c;
	struct obj *d = pick(K_IDEV, NULL), *sd;
	uint32_t idx = rn(MOCK_DEV_CACHE_NUM);
	MODES(3);

	if (!d && m != 2)
		FALLBACK(op_mock_domain);
	sd = d ? find(d->a) : NULL;
	c = arg(sizeof(*c));
	c->op = IOMMU_TEST_OP_DEV_CHECK_CACHE;
	c->id = id_of(d);
	c->check_dev_cache.id = idx;
	c->check_dev_cache.cache = sd && sd->kind == K_STDEV ?
				   sd->val[idx] : IOMMU_TEST_DEV_CACHE_DEFAULT;
	switch (m) {
	case 0:
		c->check_dev_cache.id = MOCK_DEV_CACHE_ID_MAX + 1 + rn(1000);
		break;
	case 1:
		c->check_dev_cache.cache ^= 1U << rn(32);
		break;
	case 2:		/* e.g. the selftest object instead of the idev */
		c->id = sd && rn(2) ? sd->id : bad_id(K_IDEV);
		break;
	}
	call(OP_CHECK_CACHE, "dev_check_cache", IOMMU_TEST_CMD, sizeof(*c), sz);
	out(c->check_dev_cache.id);
	out(c->check_dev_cache.cache);
}

static bool paging_with_buf_map(const struct obj *o)
{
	struct obj *ioas = find(o->a);

	if (!ioas || ioas->kind != K_IOAS)
		return false;
	for (unsigned int i = 0; i < ioas->nmaps; i++)
		if (ioas->maps[i].off >= 0)
			return true;
	return false;
}

static void op_check_map(bool bad)
{
	struct iommu_test_cmd *c;
	struct obj *h = pick(K_PAGING, paging_with_buf_map), *ioas;
	struct map *mp;
	uint64_t n, first, cnt;
	MODES(4);

	if (!h) {
		if (!pick(K_PAGING, NULL))
			FALLBACK(op_mock_domain);
		FALLBACK(op_ioas_map);
	}
	ioas = find(h->a);
	do
		mp = &ioas->maps[rn(ioas->nmaps)];
	while (mp->off < 0);
	/* A sub-range in MOCK_PAGE_SIZE units */
	n = mp->len / MOCK_PAGE_SIZE;
	first = rn(n);
	cnt = 1 + rn(n - first);

	c = arg(sizeof(*c));
	c->op = IOMMU_TEST_OP_MD_CHECK_MAP;
	c->id = h->id;
	c->check_map.iova = mp->iova + first * MOCK_PAGE_SIZE;
	c->check_map.length = cnt * MOCK_PAGE_SIZE;
	c->check_map.uptr = (uintptr_t)buf + mp->off + first * MOCK_PAGE_SIZE;
	switch (m) {
	case 0:		/* the wrong memory */
		c->check_map.uptr += MOCK_PAGE_SIZE;
		break;
	case 1:
		c->check_map.iova += 1 + rn(MOCK_PAGE_SIZE - 1);
		break;
	case 2:
		c->id = bad_id(K_PAGING);
		break;
	case 3:
		c->check_map.uptr = 0;
		break;
	}
	call(OP_CHECK_MAP, "md_check_map", IOMMU_TEST_CMD, sizeof(*c), sz);
	out(c->check_map.iova);
	out(c->check_map.length);
}

static void op_viommu_alloc(bool bad)
{
	struct iommu_viommu_alloc *c;
	struct iommu_viommu_selftest *d = (void *)aux;
	struct obj *parent = pick(K_PAGING, is_nest_parent);
	struct obj *dev = pick(K_IDEV, NULL), *v;
	MODES(6);

	if (!parent && m != 2)
		FALLBACK(op_nest_parent);
	if (!dev && m != 3)
		FALLBACK(op_mock_domain);
	memset(aux, 0, sizeof(aux));
	c = arg(sizeof(*c));
	c->type = IOMMU_VIOMMU_TYPE_SELFTEST;
	c->dev_id = id_of(dev);
	c->hwpt_id = id_of(parent);
	if (pct(60)) {
		d->in_data = (uint32_t)rnd();
		c->data_uptr = (uintptr_t)d;
		c->data_len = pct(20) ? offsetofend(struct iommu_viommu_selftest,
						    out_data) :
					sizeof(*d);
	}
	switch (m) {
	case 0:
		c->flags = 1U << rn(32);
		break;
	case 1:
		c->type = rn(2) ? IOMMU_VIOMMU_TYPE_DEFAULT :
				  IOMMU_VIOMMU_TYPE_ARM_SMMUV3 + rn(2);
		break;
	case 2:
		if (pct(50) && pick(K_PAGING, not_nest_parent))
			c->hwpt_id = pick(K_PAGING, not_nest_parent)->id;
		else
			c->hwpt_id = bad_id(K_PAGING);
		break;
	case 3:
		c->dev_id = bad_id(K_IDEV);
		break;
	case 4:
		d->in_data = (uint32_t)rnd();
		c->data_uptr = (uintptr_t)d;
		switch (rn(3)) {
		case 0:
			c->data_len = 4;
			break;
		case 1:
			c->data_len = sizeof(*d) + 8;
			aux[sizeof(*d) + rn(8)] = 0x5a;
			break;
		default:
			c->data_len = sizeof(*d);
			c->data_uptr = 0;
		}
		break;
	case 5:
		c->__reserved = 1 + rn(0xffff);
		break;
	}
	if (call(OP_VIOMMU_ALLOC, "viommu_alloc", IOMMU_VIOMMU_ALLOC,
		 sizeof(*c), sz))
		return;
	out(c->out_viommu_id);
	out(d->in_data);
	out(d->out_data);
	out(d->out_mmap_offset);
	out(d->out_mmap_length);
	v = add(K_VIOMMU, c->out_viommu_id);
	if (v) {
		v->a = c->hwpt_id;
		v->b = c->dev_id;
	}
}

static bool has_vdev(const struct obj *o)
{
	for (int i = 0; i < MAX_OBJS; i++)
		if (objs[i].kind == K_VDEV && objs[i].b == o->id)
			return true;
	return false;
}

static void op_vdevice_alloc(bool bad)
{
	struct iommu_vdevice_alloc *c;
	struct obj *v = pick(K_VIOMMU, NULL), *dev = pick(K_IDEV, NULL), *vd;
	MODES(4);

	if (!v && m != 0)
		FALLBACK(op_viommu_alloc);
	if (!dev && m != 1)
		FALLBACK(op_mock_domain);
	c = arg(sizeof(*c));
	c->viommu_id = id_of(v);
	c->dev_id = id_of(dev);
	c->virt_id = rn(8);
	switch (m) {
	case 0:
		c->viommu_id = bad_id(K_VIOMMU);
		break;
	case 1:
		c->dev_id = bad_id(K_IDEV);
		break;
	case 2:		/* a taken virt_id, or a large one */
		filter_id = id_of(v);
		vd = pick(K_VDEV, vdev_of_filter);
		c->virt_id = vd ? vd->virt_id : 1ULL << (32 + rn(32));
		break;
	case 3:		/* a device that has a vDEVICE already */
		if (pick(K_IDEV, has_vdev))
			c->dev_id = pick(K_IDEV, has_vdev)->id;
		break;
	}
	if (call(OP_VDEVICE_ALLOC, "vdevice_alloc", IOMMU_VDEVICE_ALLOC,
		 sizeof(*c), sz))
		return;
	out(c->out_vdevice_id);
	vd = add(K_VDEV, c->out_vdevice_id);
	if (vd) {
		vd->a = c->viommu_id;
		vd->b = c->dev_id;
		vd->virt_id = c->virt_id;
	}
}

static struct obj *dirty_hwpt(void)
{
	return pick(K_PAGING, pct(80) ? is_dirty_capable : NULL);
}

static void op_set_dirty(bool bad)
{
	struct iommu_hwpt_set_dirty_tracking *c;
	struct obj *h = dirty_hwpt();
	MODES(3);

	if (!h && m != 1)
		FALLBACK(op_dirty_paging);
	c = arg(sizeof(*c));
	c->hwpt_id = id_of(h);
	c->flags = pct(75) ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0;
	switch (m) {
	case 0:
		c->flags |= 1U << (1 + rn(31));
		break;
	case 1:
		c->hwpt_id = bad_id(K_PAGING);
		break;
	case 2:
		c->__reserved = 1;
		break;
	}
	call(OP_SET_DIRTY, "hwpt_set_dirty_tracking",
	     IOMMU_HWPT_SET_DIRTY_TRACKING, sizeof(*c), sz);
	out(c->flags);
}

static void op_get_dirty(bool bad)
{
	struct iommu_hwpt_get_dirty_bitmap *c;
	struct obj *h = dirty_hwpt();
	uint64_t iova, len, psize, nbytes;
	MODES(7);

	if (!h && m != 5)
		FALLBACK(op_dirty_paging);
	dirty_range(h, &iova, &len, &psize);
	nbytes = (len / psize + 63) / 64 * 8;
	memset(bitmap_out, 0, sizeof(bitmap_out));
	c = arg(sizeof(*c));
	c->hwpt_id = id_of(h);
	c->flags = pct(30) ? IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR : 0;
	c->iova = iova;
	c->length = len;
	c->page_size = psize;
	c->data = (uintptr_t)bitmap_out;
	switch (m) {
	case 0:
		c->flags |= 2U << rn(31);
		break;
	case 1:
		c->__reserved = 1;
		break;
	case 2:
		c->length = 0;
		break;
	case 3:		/* not aligned to the page size */
		c->iova += MOCK_PAGE_SIZE;
		c->page_size = pg;
		break;
	case 4:
		c->page_size = 0;
		break;
	case 5:
		c->hwpt_id = bad_id(K_PAGING);
		break;
	case 6:
		c->data = 0;
		break;
	}
	call(OP_GET_DIRTY, "hwpt_get_dirty_bitmap", IOMMU_HWPT_GET_DIRTY_BITMAP,
	     sizeof(*c), sz);
	out(iova);
	out(len);
	out(psize);
	out_blob(bitmap_out, nbytes);
}

static void op_test_dirty(bool bad)
{
	struct iommu_test_cmd *c;
	struct obj *h = dirty_hwpt();
	uint64_t iova, len, psize, nbits;
	MODES(5);

	if (!h && m != 3)
		FALLBACK(op_dirty_paging);
	dirty_range(h, &iova, &len, &psize);
	nbits = len / psize;
	memset(bitmap_in, 0, sizeof(bitmap_in));
	for (unsigned int i = rn(9); i; i--) {
		uint64_t b = rn(nbits);

		bitmap_in[b / 8] |= 1 << (b % 8);
	}
	c = arg(sizeof(*c));
	c->op = IOMMU_TEST_OP_DIRTY;
	c->id = id_of(h);
	c->dirty.iova = iova;
	c->dirty.length = len;
	c->dirty.page_size = psize;
	c->dirty.uptr = (uintptr_t)bitmap_in;
	switch (m) {
	case 0:
		c->dirty.page_size = 0;
		break;
	case 1:
		c->dirty.length = rn(2) ? 0 : len + 1;
		break;
	case 2:
		c->dirty.uptr = 0;
		break;
	case 3:
		c->id = bad_id(K_PAGING);
		break;
	case 4:
		c->dirty.iova += 1 + rn(MOCK_PAGE_SIZE - 1);
		break;
	}
	call(OP_TEST_DIRTY, "test_dirty", IOMMU_TEST_CMD, sizeof(*c), sz);
	out(c->dirty.out_nr_dirty);
}

static void op_hw_info(bool bad)
{
	static const uint32_t lens[] = { 0, 4, 8, 16 };
	struct iommu_hw_info *c;
	struct obj *d = pick(K_IDEV, NULL);
	MODES(5);

	if (!d && m != 3)
		FALLBACK(op_mock_domain);
	memset(aux, 0xa5, 32);
	c = arg(sizeof(*c));
	c->dev_id = id_of(d);
	c->data_len = lens[rn(4)];
	c->data_uptr = (uintptr_t)aux;
	if (pct(30)) {
		c->flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
		c->in_data_type = rn(2) ? IOMMU_HW_INFO_TYPE_DEFAULT :
					  IOMMU_HW_INFO_TYPE_SELFTEST;
	} else if (pct(30)) {
		c->in_data_type = (uint32_t)rnd();	/* ignored */
	}
	switch (m) {
	case 0:
		c->flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
		c->in_data_type = rn(2) ? IOMMU_HW_INFO_TYPE_INTEL_VTD + rn(4) :
					  (uint32_t)rnd();
		break;
	case 1:
		c->flags |= 2U << rn(31);
		break;
	case 2:
		c->__reserved[rn(3)] = 1 + rn(255);
		break;
	case 3:
		c->dev_id = bad_id(K_IDEV);
		break;
	case 4:
		c->data_uptr = 0;
		c->data_len = 4 + rn(16);
		break;
	}
	call(OP_HW_INFO, "get_hw_info", IOMMU_GET_HW_INFO, sizeof(*c), sz);
	out(c->data_len);
	out(c->out_data_type);
	out(c->out_max_pasid_log2);
	out(c->out_capabilities);
	out_blob(aux, 32);
}

static void op_destroy(bool bad)
{
	static const uint8_t kinds[] = {
		K_VDEV, K_NESTED, K_VIOMMU, K_PAGING, K_STDEV, K_IOAS, K_IDEV,
		K_UNKNOWN,
	};
	struct iommu_destroy *c;
	struct obj *o = pick(kinds[rn(sizeof(kinds))], NULL);
	uint32_t id;
	MODES(1);

	if (!o)
		o = pick(K_NONE, NULL);
	if (!o && m != 0)
		FALLBACK(op_ioas_alloc);
	c = arg(sizeof(*c));
	c->id = m == 0 ? bad_id(K_NONE) : o->id;
	id = c->id;
	if (call(OP_DESTROY, "destroy", IOMMU_DESTROY, sizeof(*c), sz))
		return;
	o = find(id);
	if (!o)
		return;
	if (o->kind == K_STDEV) {
		/* Its idev goes, and with it its vDEVICE */
		for (int i = 0; i < MAX_OBJS; i++)
			if (objs[i].kind == K_VDEV && objs[i].b == o->a)
				del(&objs[i]);
		del(find(o->a));
		del(o);
		put_auto(o->b);
		return;
	}
	del(o);
}

static void op_fault_alloc(bool bad)
{
	struct iommu_fault_alloc *c;
	MODES(1);

	c = arg(sizeof(*c));
	if (m == 0)
		c->flags = 1U << rn(32);
	if (call(OP_FAULT_ALLOC, "fault_queue_alloc", IOMMU_FAULT_QUEUE_ALLOC,
		 sizeof(*c), sz))
		return;
	out(c->out_fault_id);	/* not the fd number */
	if (nfault_fds < MAX_OBJS)
		fault_fds[nfault_fds++] = c->out_fault_fd;
	else
		close(c->out_fault_fd);
	add(K_FAULT, c->out_fault_id);
}

static const struct {
	void (*fn)(bool bad);
	unsigned int weight;
} ops[] = {
	{ op_ioas_alloc, 4 },
	{ op_ioas_map, 10 },
	{ op_ioas_unmap, 5 },
	{ op_iova_ranges, 3 },
	{ op_mock_domain, 7 },
	{ op_replace, 5 },
	{ op_hwpt_paging, 8 },
	{ op_hwpt_nested, 5 },
	{ op_hwpt_nested_viommu, 5 },
	{ op_inv_hwpt, 6 },
	{ op_inv_viommu, 5 },
	{ op_check_iotlb, 4 },
	{ op_check_cache, 4 },
	{ op_check_map, 3 },
	{ op_viommu_alloc, 5 },
	{ op_vdevice_alloc, 5 },
	{ op_set_dirty, 4 },
	{ op_get_dirty, 4 },
	{ op_test_dirty, 4 },
	{ op_hw_info, 3 },
	{ op_destroy, 10 },
	{ op_fault_alloc, 2 },
};

/* --- driver ------------------------------------------------------------- */

static int map_buffer(void)
{
	size_t len = BUF_SIZE + BUF_ALIGN;
	uintptr_t p, a;
	void *m;

	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	p = (uintptr_t)m;
	a = (p + BUF_ALIGN - 1) & ~(BUF_ALIGN - 1);
	if (a > p)
		munmap(m, a - p);
	if (p + len > a + BUF_SIZE)
		munmap((void *)(a + BUF_SIZE), p + len - a - BUF_SIZE);
	buf = (uint8_t *)a;
	/* Small pages; the digest does not depend on it, fewer surprises */
	madvise(buf, BUF_SIZE, MADV_NOHUGEPAGE);
	for (unsigned long i = 0; i < BUF_SIZE; i += pg)
		memset(buf + i, 1 + (i / pg) % 255, pg);
	return 0;
}

/* Run one seed; 0 or an errno with *why set */
static int run_seed(uint64_t seed, unsigned int nops, const char **why)
{
	unsigned int total = 0;

	memset(objs, 0, sizeof(objs));
	nstale = 0;
	nfault_fds = 0;
	rng = seed;
	digest = fnv_u64(FNV_BASIS, seed);
	n_ok = n_err = n_bad = 0;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;

	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0) {
		*why = "cannot open /dev/iommu";
		return errno;
	}
	for (opno = 1; opno <= nops; opno++) {
		unsigned int r = rn(total);
		bool bad = pct(BAD_PCT);
		size_t i = 0;

		while (r >= ops[i].weight)
			r -= ops[i++].weight;
		ops[i].fn(bad);
		done();
	}
	/* A fault queue's file holds its object (and the context) */
	while (nfault_fds)
		close(fault_fds[--nfault_fds]);
	if (close(iommufd)) {
		*why = "close of /dev/iommu failed";
		iommufd = -1;
		return errno;
	}
	iommufd = -1;
	digest = fnv_u64(digest, nops);
	return 0;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-s FIRST_SEED] [-n NSEEDS] [-k OPS_PER_SEED] [-v]\n",
		prog);
	exit(2);
}

static unsigned long long num(const char *s, const char *prog)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end)
		usage(prog);
	return v;
}

int main(int argc, char **argv)
{
	uint64_t first = 1, total = FNV_BASIS;
	unsigned int nseeds = 100, nops = 200, fails = 0;
	const char *why = NULL;
	int opt, bufrc;

	while ((opt = getopt(argc, argv, "s:n:k:vh")) != -1) {
		switch (opt) {
		case 's':
			first = num(optarg, argv[0]);
			break;
		case 'n':
			nseeds = num(optarg, argv[0]);
			break;
		case 'k':
			nops = num(optarg, argv[0]);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc || !nseeds)
		usage(argv[0]);

	pg = sysconf(_SC_PAGESIZE);
	printf("TAP version 13\n1..%u\n", nseeds);
	fflush(stdout);
	bufrc = map_buffer() ? errno : 0;
	for (unsigned int i = 0; i < nseeds; i++) {
		uint64_t seed = first + i;
		int rc = bufrc;

		if (rc)
			why = "cannot mmap the user buffer";
		else
			rc = run_seed(seed, nops, &why);
		if (rc) {
			printf("# seed %" PRIu64 ": %s: %s\n", seed, why,
			       strerror(rc));
			printf("not ok %u seed_%" PRIu64 "\n", i + 1, seed);
			fails++;
		} else {
			printf("# riommu-diff seed=%" PRIu64
			       " ops=%u digest=%016" PRIx64 " ok=%u err=%u\n",
			       seed, nops, digest, n_ok, n_err);
			if (verbose)
				printf("# riommu-diff-stats seed=%" PRIu64
				       " invalid_ops=%u\n", seed, n_bad);
			printf("ok %u seed_%" PRIu64 "\n", i + 1, seed);
			total = fnv_u64(total, seed);
			total = fnv_u64(total, digest);
		}
		fflush(stdout);
	}
	printf("# riommu-diff total digest=%016" PRIx64 "\n", total);
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       nseeds - fails, fails);
	return fails ? 1 : 0;
}
