// SPDX-License-Identifier: GPL-2.0
/*
 * Included at the end of iommu.c with CONFIG_INTEL_IOMMU_RUST: the functions
 * of rust_seam.h that need iommu.c's static ones.
 */
#include "rust_seam.h"

struct intel_iommu *intel_iommu_rs_next_unit(struct intel_iommu *prev)
{
	struct intel_iommu *iommu, *next = NULL;
	struct dmar_drhd_unit *drhd;
	bool found = !prev;

	down_read(&dmar_global_lock);
	for_each_active_iommu(iommu, drhd) {
		if (found) {
			next = iommu;
			break;
		}
		found = iommu == prev;
	}
	up_read(&dmar_global_lock);
	return next;
}

/* Only called from the Rust driver's init, a built-in initcall. */
void __ref intel_iommu_rs_enable_dmars(void)
{
	intel_iommu_enable_dmars();
}

void intel_iommu_rs_get_resv_regions(struct device *dev, struct list_head *head)
{
	intel_iommu_get_resv_regions(dev, head);
}

bool intel_iommu_rs_sm_supported(struct intel_iommu *iommu)
{
	return sm_supported(iommu);
}
