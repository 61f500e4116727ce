/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the iommufd selftest harness and its mock IOMMU
 * driver.
 *
 * drivers/iommu/iommufd/selftest.c has two parts. The harness (the
 * IOMMU_TEST_OP_* ioctls, the mock bus and its devices, accesses, dma-buf,
 * fault injection) drives iommufd and is always C. The mock IOMMU driver (the
 * iommu_ops, the paging, nested and blocking domains, dirty tracking, the
 * vIOMMU, hw queues, IOPF and PASID) is either the C one in selftest.c or, with
 * CONFIG_IOMMUFD_TEST_RUST_MOCK, the Rust one in selftest_mock.rs. The two
 * parts only meet through the functions below; neither looks into the other's
 * structures.
 *
 * What crosses, and why:
 *  - registration: the harness owns the mock bus and the platform device, the
 *    driver owns the struct iommu_device and the iommu_ops registered on it;
 *  - device creation: the harness creates the struct device of a mock device
 *    and asks the driver to probe it; the driver asks back for the device's
 *    MOCK_FLAGS_DEVICE_* creation flags (a hardware property of the device);
 *  - inspection for the IOMMU_TEST_OP_* checks: the iotlb of a nested domain,
 *    the cache of a device, dirty bits of a paging domain, and the vEVENT a
 *    device reports; all of that is driver state the harness cannot see.
 *
 * Locking: the harness takes its per-device iopf_rwsem for write around
 * mock_iommu_device_add(), attach, replace and detach, and for read around
 * iommu_report_device_fault(); the driver does not take it.
 */
#ifndef __IOMMUFD_SELFTEST_MOCK_H
#define __IOMMUFD_SELFTEST_MOCK_H

#include <linux/types.h>

struct bus_type;
struct device;
struct iommu_domain;
struct notifier_block;

/* Provided by the driver (C or Rust) */

/*
 * Register the mock iommu_device on @bus (sysfs under @parent), create the
 * IOPF queue. Returns 0 or -errno.
 */
int mock_iommu_register(struct device *parent, const struct bus_type *bus,
			struct notifier_block *nb);
/*
 * Undo mock_iommu_register(): free the IOPF queue, wait (bounded) for the
 * vIOMMUs to go, unregister.
 */
void mock_iommu_unregister(const struct bus_type *bus,
			   struct notifier_block *nb);
/* Add @dev, a device on the mock bus, to the mock IOMMU (probes it). */
int mock_iommu_device_add(struct device *dev);
/* True if @domain is a paging domain of the mock driver. */
bool mock_domain_is_paging(struct iommu_domain *domain);
/*
 * Mark @iova dirty in the mock paging @domain. Returns 0 or -errno: -EINVAL if
 * dirty tracking is not enabled on it, or the page table's error (e.g. @iova
 * not mapped). The harness ignores it and counts the bit anyway.
 */
int mock_domain_set_dirty(struct iommu_domain *domain, unsigned long iova);
/* True if dirty tracking is enabled on the mock paging @domain. */
bool mock_domain_dirty_tracking(struct iommu_domain *domain);
/*
 * Read entry @id of the mock iotlb of a nested @domain. -EINVAL if @domain is
 * not a mock nested domain or @id is out of range.
 */
int mock_domain_nested_iotlb(struct iommu_domain *domain, u32 id, u32 *value);
/* Read entry @id of the mock cache of @dev. -EINVAL if out of range. */
int mock_dev_cache(struct device *dev, u32 id, u32 *value);
/*
 * Report an IOMMU_VEVENTQ_TYPE_SELFTEST vEVENT for @dev to the vIOMMU it is
 * attached to. -ENOENT if it is not attached through a vIOMMU with a vDEVICE.
 */
int mock_dev_trigger_vevent(struct device *dev);

/* Provided by the harness */

/* The MOCK_FLAGS_DEVICE_* flags @dev, a mock device, was created with. */
u32 mock_dev_flags(struct device *dev);

#endif
