/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test only: the C VT-d driver's encoders, called by the KUnit tests of the
 * Rust driver (drivers/iommu/intel/rust/hw.rs) to compare its PASID-table
 * entries, invalidation descriptors and invalidation ranges with C's, bit for
 * bit. Defined in pasid_rust_ref.c and cache_rust_ref.c, which pasid.c and
 * cache.c include with CONFIG_INTEL_IOMMU_RUST_KUNIT_TEST, so that they reach
 * the static encoders there. A PASID-table entry is 8 u64s (struct
 * pasid_entry), a descriptor 4 (struct qi_desc).
 */
#ifndef __INTEL_RUST_REF_H
#define __INTEL_RUST_REF_H

#include <linux/types.h>

#if IS_ENABLED(CONFIG_INTEL_IOMMU_RUST_KUNIT_TEST)
/* pasid_pte_config_first_level() on a unit with @cap, @ecap and @agaw. */
int intel_rust_ref_pasid_fs(u64 *pte, u64 cap, u64 ecap, int agaw,
			    u64 fsptptr, u16 did, int flags);
/*
 * pasid_pte_config_second_level() for a second-stage table of @top_level
 * (2: 3 levels, 39 bits; 3: 4 levels, 48 bits; 4: 5 levels, 57 bits), made
 * for the call; its root and address width are returned in @ssptptr and @aw.
 */
int intel_rust_ref_pasid_ss(u64 *pte, u64 *ssptptr, u8 *aw, u64 cap, u64 ecap,
			    unsigned int top_level, u16 did, bool incoherent,
			    bool dirty_tracking);
/* pasid_pte_config_pass_through(). */
int intel_rust_ref_pasid_pt(u64 *pte, u64 cap, u64 ecap, int agaw, u16 did);
/*
 * pasid_pte_config_nested() for the user's stage 1 (@s1_flags: IOMMU_VTD_S1_*,
 * @pgtbl_addr, @addr_width) on a second stage as in intel_rust_ref_pasid_ss().
 */
int intel_rust_ref_pasid_nested(u64 *pte, u64 *ssptptr, u8 *aw, u64 cap,
				u64 ecap, unsigned int top_level, u16 did,
				u64 s1_flags, u64 pgtbl_addr, u32 addr_width,
				bool incoherent, bool dirty_tracking,
				bool force_snooping);
/* qi_desc_iotlb() on a unit with @cap; @type is DMA_TLB_*_FLUSH. */
void intel_rust_ref_qi_iotlb(u64 *desc, u64 cap, u16 did, u64 addr,
			     unsigned int size_order, u64 type);
/* qi_desc_dev_iotlb(). */
void intel_rust_ref_qi_dev_iotlb(u64 *desc, u16 sid, u16 pfsid, u16 qdep,
				 u64 addr, unsigned int mask);
/* qi_desc_piotlb_all(). */
void intel_rust_ref_qi_piotlb_all(u64 *desc, u16 did, u32 pasid);
/* qi_desc_piotlb(). */
void intel_rust_ref_qi_piotlb(u64 *desc, u16 did, u32 pasid, u64 addr,
			      unsigned int size_order, bool ih);
/* qi_desc_dev_iotlb_pasid(). */
void intel_rust_ref_qi_dev_iotlb_pasid(u64 *desc, u16 sid, u16 pfsid,
				       u32 pasid, u16 qdep, u64 addr,
				       unsigned int size_order);
/* The descriptor of qi_flush_pasid_cache(). */
void intel_rust_ref_qi_pasid_cache(u64 *desc, u16 did, u64 granu, u32 pasid);
/* The descriptor of qi_flush_context(); @type is DMA_CCMD_*_INVL. */
void intel_rust_ref_qi_context(u64 *desc, u16 did, u16 sid, u8 fm, u64 type);
/* calculate_psi_aligned_address() (cache.c): the address, and @size_order. */
u64 intel_rust_ref_psi_aligned(u64 start, u64 last, u64 *size_order);
#endif

#endif /* __INTEL_RUST_REF_H */
