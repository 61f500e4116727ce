// SPDX-License-Identifier: GPL-2.0
/*
 * Test only, included at the end of pasid.c with
 * CONFIG_INTEL_IOMMU_RUST_KUNIT_TEST: the C driver's PASID-table entry and
 * invalidation descriptor encoders, called on crafted units and domains by
 * the Rust driver's KUnit tests (rust_ref.h). Nothing here touches hardware.
 */
#include "rust_ref.h"

/* A unit with only what the encoders read: cap, ecap, agaw and the lock. */
static struct intel_iommu *rust_ref_iommu(u64 cap, u64 ecap, int agaw)
{
	struct intel_iommu *iommu = kzalloc_obj(*iommu);

	if (!iommu)
		return NULL;
	iommu->cap = cap;
	iommu->ecap = ecap;
	iommu->agaw = agaw;
	spin_lock_init(&iommu->lock);
	return iommu;
}

/* A second-stage paging domain with a real VTDSS table of @top_level. */
static struct dmar_domain *rust_ref_ss_domain(unsigned int top_level,
					      bool dirty_tracking)
{
	static const unsigned int vasz[] = { [2] = 39, [3] = 48, [4] = 57 };
	struct pt_iommu_vtdss_cfg cfg = {};
	struct dmar_domain *domain;

	if (top_level < 2 || top_level > 4)
		return NULL;
	domain = kzalloc_obj(*domain);
	if (!domain)
		return NULL;
	cfg.top_level = top_level;
	cfg.common.hw_max_vasz_lg2 = vasz[top_level];
	cfg.common.hw_max_oasz_lg2 = 52;
	cfg.common.features = BIT(PT_FEAT_FLUSH_RANGE);
	domain->iommu.nid = NUMA_NO_NODE;
	domain->dirty_tracking = dirty_tracking;
	if (pt_iommu_vtdss_init(&domain->sspt, &cfg, GFP_KERNEL)) {
		kfree(domain);
		return NULL;
	}
	return domain;
}

static void rust_ref_ss_domain_free(struct dmar_domain *domain)
{
	pt_iommu_deinit(&domain->iommu);
	kfree(domain);
}

int intel_rust_ref_pasid_fs(u64 *pte, u64 cap, u64 ecap, int agaw,
			    u64 fsptptr, u16 did, int flags)
{
	struct intel_iommu *iommu = rust_ref_iommu(cap, ecap, agaw);

	if (!iommu)
		return -ENOMEM;
	spin_lock(&iommu->lock);
	pasid_pte_config_first_level(iommu, (struct pasid_entry *)pte, fsptptr,
				     did, flags);
	spin_unlock(&iommu->lock);
	kfree(iommu);
	return 0;
}

/*
 * The encoder reads DMA incoherence from the table's features; it is set
 * after the table is made (an incoherent table needs a device to map its
 * pages with) and cleared before it is freed.
 */
static void rust_ref_set_incoherent(struct dmar_domain *domain, bool on)
{
	if (on)
		domain->sspt.vtdss_pt.common.features |= BIT(PT_FEAT_DMA_INCOHERENT);
	else
		domain->sspt.vtdss_pt.common.features &= ~BIT(PT_FEAT_DMA_INCOHERENT);
}

int intel_rust_ref_pasid_ss(u64 *pte, u64 *ssptptr, u8 *aw, u64 cap, u64 ecap,
			    unsigned int top_level, u16 did, bool incoherent,
			    bool dirty_tracking)
{
	struct intel_iommu *iommu = rust_ref_iommu(cap, ecap, 0);
	struct pt_iommu_vtdss_hw_info info;
	struct dmar_domain *domain;

	if (!iommu)
		return -ENOMEM;
	domain = rust_ref_ss_domain(top_level, dirty_tracking);
	if (!domain) {
		kfree(iommu);
		return -ENOMEM;
	}
	rust_ref_set_incoherent(domain, incoherent);
	spin_lock(&iommu->lock);
	pasid_pte_config_second_level(iommu, (struct pasid_entry *)pte, domain,
				      did);
	spin_unlock(&iommu->lock);
	rust_ref_set_incoherent(domain, false);
	pt_iommu_vtdss_hw_info(&domain->sspt, &info);
	*ssptptr = info.ssptptr;
	*aw = info.aw;
	rust_ref_ss_domain_free(domain);
	kfree(iommu);
	return 0;
}

int intel_rust_ref_pasid_pt(u64 *pte, u64 cap, u64 ecap, int agaw, u16 did)
{
	struct intel_iommu *iommu = rust_ref_iommu(cap, ecap, agaw);

	if (!iommu)
		return -ENOMEM;
	spin_lock(&iommu->lock);
	pasid_pte_config_pass_through(iommu, (struct pasid_entry *)pte, did);
	spin_unlock(&iommu->lock);
	kfree(iommu);
	return 0;
}

int intel_rust_ref_pasid_nested(u64 *pte, u64 *ssptptr, u8 *aw, u64 cap,
				u64 ecap, unsigned int top_level, u16 did,
				u64 s1_flags, u64 pgtbl_addr, u32 addr_width,
				bool incoherent, bool dirty_tracking,
				bool force_snooping)
{
	struct intel_iommu *iommu = rust_ref_iommu(cap, ecap, 0);
	struct iommu_hwpt_vtd_s1 s1 = {
		.flags = s1_flags,
		.pgtbl_addr = pgtbl_addr,
		.addr_width = addr_width,
	};
	struct pt_iommu_vtdss_hw_info info;
	struct dmar_domain *domain;

	if (!iommu)
		return -ENOMEM;
	domain = rust_ref_ss_domain(top_level, dirty_tracking);
	if (!domain) {
		kfree(iommu);
		return -ENOMEM;
	}
	domain->force_snooping = force_snooping;
	rust_ref_set_incoherent(domain, incoherent);
	spin_lock(&iommu->lock);
	pasid_pte_config_nested(iommu, (struct pasid_entry *)pte, &s1, domain,
				did);
	spin_unlock(&iommu->lock);
	rust_ref_set_incoherent(domain, false);
	pt_iommu_vtdss_hw_info(&domain->sspt, &info);
	*ssptptr = info.ssptptr;
	*aw = info.aw;
	rust_ref_ss_domain_free(domain);
	kfree(iommu);
	return 0;
}

static void rust_ref_desc_out(u64 *out, const struct qi_desc *desc)
{
	out[0] = desc->qw0;
	out[1] = desc->qw1;
	out[2] = desc->qw2;
	out[3] = desc->qw3;
}

void intel_rust_ref_qi_iotlb(u64 *out, u64 cap, u16 did, u64 addr,
			     unsigned int size_order, u64 type)
{
	struct intel_iommu iommu_cap = { .cap = cap };
	struct qi_desc desc = {};

	qi_desc_iotlb(&iommu_cap, did, addr, size_order, type, &desc);
	rust_ref_desc_out(out, &desc);
}

void intel_rust_ref_qi_dev_iotlb(u64 *out, u16 sid, u16 pfsid, u16 qdep,
				 u64 addr, unsigned int mask)
{
	struct qi_desc desc = {};

	qi_desc_dev_iotlb(sid, pfsid, qdep, addr, mask, &desc);
	rust_ref_desc_out(out, &desc);
}

void intel_rust_ref_qi_piotlb_all(u64 *out, u16 did, u32 pasid)
{
	struct qi_desc desc = {};

	qi_desc_piotlb_all(did, pasid, &desc);
	rust_ref_desc_out(out, &desc);
}

void intel_rust_ref_qi_piotlb(u64 *out, u16 did, u32 pasid, u64 addr,
			      unsigned int size_order, bool ih)
{
	struct qi_desc desc = {};

	qi_desc_piotlb(did, pasid, addr, size_order, ih, &desc);
	rust_ref_desc_out(out, &desc);
}

void intel_rust_ref_qi_dev_iotlb_pasid(u64 *out, u16 sid, u16 pfsid,
				       u32 pasid, u16 qdep, u64 addr,
				       unsigned int size_order)
{
	struct qi_desc desc = {};

	qi_desc_dev_iotlb_pasid(sid, pfsid, pasid, qdep, addr, size_order,
				&desc);
	rust_ref_desc_out(out, &desc);
}

void intel_rust_ref_qi_pasid_cache(u64 *out, u16 did, u64 granu, u32 pasid)
{
	struct qi_desc desc = {};

	/* As qi_flush_pasid_cache() (dmar.c) builds it. */
	desc.qw0 = QI_PC_PASID(pasid) | QI_PC_DID(did) | QI_PC_GRAN(granu) |
		   QI_PC_TYPE;
	rust_ref_desc_out(out, &desc);
}

void intel_rust_ref_qi_context(u64 *out, u16 did, u16 sid, u8 fm, u64 type)
{
	struct qi_desc desc = {};

	/* As qi_flush_context() (dmar.c) builds it. */
	desc.qw0 = QI_CC_FM(fm) | QI_CC_SID(sid) | QI_CC_DID(did) |
		   QI_CC_GRAN(type) | QI_CC_TYPE;
	rust_ref_desc_out(out, &desc);
}
