/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the Rust VT-d driver (drivers/iommu/intel/rust/, CONFIG_INTEL_IOMMU_RUST)
 * uses of the C DMAR units. C keeps the units, their registers, root and
 * context tables, invalidation queue, fault reporting and interrupt remapping
 * (dmar.c, irq_remapping.c, set up in early boot), the probe of a device
 * (device_lookup_iommu(), ATS/PRI capabilities, its PASID table and
 * scalable-mode context entry: __intel_iommu_probe_device()) and the RMRR
 * reserved regions; the Rust driver provides the iommu_ops and domains, writes
 * the PASID-table entries and submits its invalidation descriptors with
 * qi_submit_sync().
 *
 * Rules of the seam:
 * - intel_iommu_init() adds the units to sysfs but does not register them: it
 *   calls intel_iommu_rs_init() (the Rust driver's), which registers each
 *   unit's struct iommu_device (embedded in struct intel_iommu) with the Rust
 *   ops, then turns DMA remapping on, as C does after registering them. If the
 *   Rust driver fails, remapping stays off. Units are never removed: DMAR
 *   hotplug is refused (dmar_iommu_hotplug()).
 * - A device's struct device_domain_info is the first member of the Rust
 *   driver's per-device data, so that dev_iommu_priv_get() finds it as C's
 *   PASID-table code expects.
 * - PASID-table entries are written under iommu->lock, as pasid.c does.
 */
#ifndef __INTEL_RUST_SEAM_H
#define __INTEL_RUST_SEAM_H

#include "iommu.h"
#include "pasid.h"

/* The Rust driver's init, called by intel_iommu_init(); 0 or -errno. */
int intel_iommu_rs_init(void);
/* The active unit after @prev (the first one for NULL), or NULL. */
struct intel_iommu *intel_iommu_rs_next_unit(struct intel_iommu *prev);
/*
 * Before an attach of probed @dev: 1 if it has no PASID-table entry of its own
 * to write (a real DMA subdevice, which translates through its parent's), 0 if
 * it has, or the error of setting up a context entry copied from the previous
 * kernel (kdump), which paging_domain_compatible() replaces at the first
 * attach.
 */
int intel_iommu_rs_attach_prepare(struct device *dev);
/* Whether large pages may be used (intel_iommu=sp_off clears it). */
bool intel_iommu_rs_superpage(void);
/* intel_iommu_get_resv_regions(): RMRRs and the IOAPIC/MSI range. */
void intel_iommu_rs_get_resv_regions(struct device *dev, struct list_head *head);
/*
 * intel_iommu_probe_finalize() without PASID and PRI: enables PCI ATS on
 * probed @dev if it and its unit support it; whether ATS is on now.
 * __intel_iommu_release_device() disables it.
 */
bool intel_iommu_rs_enable_ats(struct device *dev);
/*
 * The device quirks of device_def_domain_type(): whether probed @dev needs an
 * identity default domain (an Azalia sound or integrated GPU device that the
 * command line or a chipset quirk left untranslated, IDENTMAP_*).
 */
bool intel_iommu_rs_identity_quirk(struct device *dev);
/* Whether PCI device @dev is still present (pci_device_is_present()). */
bool intel_iommu_rs_dev_present(struct device *dev);
/* Whether @iommu translates DMA now (DMA_GCMD_TE, as qi_flush_dev_iotlb() checks). */
bool intel_iommu_rs_translation_enabled(struct intel_iommu *iommu);
/* sm_supported(): scalable mode is on for @iommu. */
bool intel_iommu_rs_sm_supported(struct intel_iommu *iommu);

#endif /* __INTEL_RUST_SEAM_H */
