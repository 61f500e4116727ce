/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's edu PCI device for the riommu test programs (riommu_dma_smoke,
 * riommu_dev_diff, riommu_nested_smmu, riommu_bench): finding it, binding it
 * to vfio-pci, and its DMA engine through BAR0. Static functions: each
 * program includes it once.
 */
#ifndef RIOMMU_EDU_H
#define RIOMMU_EDU_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2	/* direction: edu buffer -> guest memory */
#define EDU_BUF		0x40000	/* device-side address of edu's buffer */
#define DMA_TIMEOUT_MS	5000

static int read_hex(const char *dir, const char *name, unsigned long *val)
{
	char path[512], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	*val = strtoul(buf, NULL, 0);
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The BDF of the first PCI device VENDOR:DEVICE. */
static int find_pci(unsigned long vendor, unsigned long device, char *bdf, size_t len)
{
	const char *base = "/sys/bus/pci/devices";
	struct dirent *de;
	DIR *d = opendir(base);

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char dir[512];
		unsigned long v, dv;

		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
		if (read_hex(dir, "vendor", &v) || read_hex(dir, "device", &dv))
			continue;
		if (v == vendor && dv == device) {
			snprintf(bdf, len, "%s", de->d_name);
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	return -1;
}

static int find_edu(char *bdf, size_t len)
{
	return find_pci(EDU_VENDOR, EDU_DEVICE, bdf, len);
}

/* Bind the device to vfio-pci and return the path of its VFIO cdev. */
static int bind_vfio(const char *bdf, char *cdev, size_t len)
{
	char path[512], link[512];
	struct dirent *de;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = 0;
		if (!strstr(link, "vfio-pci")) {
			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
			if (write_str(path, bdf))
				return -1;
		}
	}
	if (n <= 0 || !strstr(link, "vfio-pci")) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
		if (write_str(path, "vfio-pci"))
			return -1;
		if (write_str("/sys/bus/pci/drivers_probe", bdf))
			return -1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "vfio", 4)) {
			snprintf(cdev, len, "/dev/vfio/devices/%s", de->d_name);
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	errno = ENOENT;
	return -1;
}

static volatile uint64_t *bar0;

static void edu_write(unsigned int off, uint64_t val)
{
	bar0[off / 8] = val;
	__sync_synchronize();
}

static uint64_t edu_read(unsigned int off)
{
	__sync_synchronize();
	return bar0[off / 8];
}

/* Start a DMA and wait for edu to clear its start bit. Returns 0 or -1. */
static int edu_dma(uint64_t src, uint64_t dst, uint64_t cnt, uint64_t cmd)
{
	struct timespec t0, t;

	edu_write(EDU_DMA_SRC, src);
	edu_write(EDU_DMA_DST, dst);
	edu_write(EDU_DMA_CNT, cnt);
	edu_write(EDU_DMA_CMD, cmd | EDU_CMD_START);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (!(edu_read(EDU_DMA_CMD) & EDU_CMD_START))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >
		    DMA_TIMEOUT_MS)
			return -1;
		usleep(1000);
	}
}

#endif /* RIOMMU_EDU_H */
