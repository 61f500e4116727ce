// SPDX-License-Identifier: GPL-2.0

//! Intel VT-d DMA remapping in Rust, on the C DMAR units.
//!
//! The plan (`Documentation/rust/iommu.rst`): the DMAR units, their invalidation queue, fault
//! reporting and interrupt remapping stay C (`drivers/iommu/intel/dmar.c`, `irq_remapping.c`:
//! early x86 boot sets them up); the DMA-remapping driver above them (`iommu_ops`, paging,
//! identity, blocked and nested domains, PASID-table entries, cache invalidation, nesting: the C
//! `iommu.c`, `pasid.c`, `nested.c`, `cache.c`) is written here.
//!
//! So far this holds the driver's hardware formats ([`hw`]): PASID-table entries, invalidation
//! descriptors and ranges, and the checks of the nesting uAPI, each compared bit for bit with the
//! C encoders by the KUnit suite `intel_iommu_rs_hw`. The C driver still does all DMA remapping.

pub mod hw;

#[cfg(CONFIG_INTEL_IOMMU_RUST_KUNIT_TEST)]
mod c_ref;

/// The log prefix of `pr_*!` (this object has no `module!`: it is built in, with no init).
pub const __LOG_PREFIX: &[u8] = b"intel_iommu_rs\0";
