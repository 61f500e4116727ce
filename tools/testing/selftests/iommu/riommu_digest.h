/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Step records and digests of the riommu device differential tests
 * (riommu_dev_diff, riommu_nested_smmu): each step's return value, errno and
 * output fields, folded per group into a 64-bit FNV-1a digest, printed as
 *
 *   # riommu-devdiff-step GROUP.N NAME rc=R errno=E[:NAME] out=...
 *   # riommu-devdiff group=GROUP steps=N digest=HEX ok=N err=M
 *
 * for scripts/riommu/diffcmp.py, with TAP lines in between; and the zeroed
 * argument buffer the ioctls are built in. Static functions and state: each
 * program includes it once.
 */
#ifndef RIOMMU_DIGEST_H
#define RIOMMU_DIGEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FNV_BASIS	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL
#define MAX_OUT		40
#define MAX_BLOB	256

/* --- output: steps, groups, TAP ------------------------------------------ */

static struct {
	const char *name;
	int ret, err;
	uint64_t out[MAX_OUT];
	unsigned int nout;
	uint8_t blob[MAX_BLOB];	/* a copy: the caller's buffer is reused */
	size_t blen;
	bool open;
} R;

static const char *group;
static unsigned int nsteps, n_ok, n_err, ngroups;
static uint64_t gdigest, total = FNV_BASIS;
static int tap_no, tap_fail;

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv_u64(fnv_bytes(h, s, strlen(s)), strlen(s));
}

static const char *errname(int e)
{
	switch (e) {
	case 0: return "";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOTTY: return "ENOTTY";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EMSGSIZE: return "EMSGSIZE";
	case ENXIO: return "ENXIO";
	default: return "?";
	}
}

/* Fold the open record into the group's digest and print it. */
static void done(void)
{
	if (!R.open)
		return;
	R.open = false;
	gdigest = fnv_str(gdigest, R.name);
	gdigest = fnv_u64(gdigest, (uint64_t)(int64_t)R.ret);
	gdigest = fnv_u64(gdigest, (uint64_t)R.err);
	gdigest = fnv_u64(gdigest, R.nout);
	for (unsigned int i = 0; i < R.nout; i++)
		gdigest = fnv_u64(gdigest, R.out[i]);
	gdigest = fnv_u64(gdigest, R.blen);
	gdigest = fnv_bytes(gdigest, R.blob, R.blen);
	nsteps++;
	if (R.ret)
		n_err++;
	else
		n_ok++;
	printf("# riommu-devdiff-step %s.%u %s rc=%d errno=%d%s%s out=", group, nsteps,
	       R.name, R.ret, R.err, R.err ? ":" : "", errname(R.err));
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
	fflush(stdout);
}

/*
 * Open the record of step NAME whose call returned RET; errno is read here,
 * so call it right after the call. Fields go in with out().
 */
static int rec(const char *name, int ret)
{
	int e = errno;

	done();
	memset(&R, 0, sizeof(R));
	R.open = true;
	R.name = name;
	R.ret = ret < 0 ? -1 : ret;
	R.err = ret < 0 ? e : 0;
	errno = e;
	return ret;
}

static void out(uint64_t v)
{
	if (R.nout < MAX_OUT)
		R.out[R.nout++] = v;
}

static void out_blob(const void *p, size_t n)
{
	R.blen = n < MAX_BLOB ? n : MAX_BLOB;
	memcpy(R.blob, p, R.blen);
}

static void group_begin(const char *name)
{
	group = name;
	nsteps = n_ok = n_err = 0;
	gdigest = fnv_str(FNV_BASIS, name);
}

static void group_end(void)
{
	done();
	gdigest = fnv_u64(gdigest, nsteps);
	printf("# riommu-devdiff group=%s steps=%u digest=%016" PRIx64 " ok=%u err=%u\n",
	       group, nsteps, gdigest, n_ok, n_err);
	fflush(stdout);
	total = fnv_str(total, group);
	total = fnv_u64(total, gdigest);
	ngroups++;
}

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	done();
	printf("%s %d ", ok ? "ok" : "not ok", ++tap_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_fail++;
}

/* The last step failed with errno E. */
static bool failed_with(int e)
{
	return R.ret && R.err == e;
}

static void bail(const char *what)
{
	done();
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

/* An argument buffer: a struct, room for a tail, zeroed. */
static union {
	uint8_t raw[512];
	uint64_t align;
} A;

static void *arg(size_t size)
{
	memset(&A, 0, sizeof(A));
	*(uint32_t *)A.raw = size;
	return A.raw;
}

/* Present the struct in A as SIZE + 8 bytes with a non-zero tail. */
static void big_tail(size_t size)
{
	*(uint32_t *)A.raw = size + 8;
	A.raw[size + 3] = 0x5a;
}

#endif /* RIOMMU_DIGEST_H */
