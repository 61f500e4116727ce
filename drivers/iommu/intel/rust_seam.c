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

int intel_iommu_rs_attach_prepare(struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);

	if (dev_is_real_dma_subdevice(dev))
		return 1;
	if (sm_supported(info->iommu) &&
	    context_copied(info->iommu, info->bus, info->devfn))
		return intel_pasid_setup_sm_context(dev);
	return 0;
}

bool intel_iommu_rs_superpage(void)
{
	return intel_iommu_superpage;
}

void intel_iommu_rs_get_resv_regions(struct device *dev, struct list_head *head)
{
	intel_iommu_get_resv_regions(dev, head);
}

bool intel_iommu_rs_sm_supported(struct intel_iommu *iommu)
{
	return sm_supported(iommu);
}

bool intel_iommu_rs_enable_ats(struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);

	if (!sm_supported(info->iommu) || dev_is_real_dma_subdevice(dev))
		return false;
	/* Checks info->ats_supported, set only for PCI devices at probe. */
	iommu_enable_pci_ats(info);
	return info->ats_enabled;
}

bool intel_iommu_rs_identity_quirk(struct device *dev)
{
	struct pci_dev *pdev;

	if (!dev_is_pci(dev))
		return false;
	pdev = to_pci_dev(dev);
	return ((iommu_identity_mapping & IDENTMAP_AZALIA) && IS_AZALIA(pdev)) ||
	       ((iommu_identity_mapping & IDENTMAP_INTGPU) && IS_INTGPU_DEVICE(pdev));
}

bool intel_iommu_rs_dev_present(struct device *dev)
{
	return dev_is_pci(dev) && pci_device_is_present(to_pci_dev(dev));
}

bool intel_iommu_rs_translation_enabled(struct intel_iommu *iommu)
{
	return READ_ONCE(iommu->gcmd) & DMA_GCMD_TE;
}
