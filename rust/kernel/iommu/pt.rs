// SPDX-License-Identifier: GPL-2.0

//! The kernel's generic IOMMU page tables (generic_pt).
//!
//! C header: [`include/linux/generic_pt/iommu.h`](srctree/include/linux/generic_pt/iommu.h)
//!
//! generic_pt implements a page-table format once, in C, for every IOMMU driver that uses it: the
//! driver embeds a `struct pt_iommu_<fmt>` (which begins with the `struct iommu_domain`) in its
//! domain, calls `pt_iommu_<fmt>_init()`, and the IOMMU core then maps and unmaps through the
//! table's own operations (`iommupt_from_domain()`), without a driver callback. The driver
//! provides attach and the IOTLB flushes.
//!
//! A [`Format`] names one format: its table type, its configuration, its init function and the
//! two domain operations the format exports (`iova_to_phys` and `read_and_clear_dirty`).
//! [`super::domain::PagingDomain`] is generic over it, so a driver gets a paging domain without
//! writing a page table.

use crate::{bindings, error::to_result, prelude::*};

mod private {
    pub trait Sealed {}
}

/// A generic_pt page-table format.
///
/// Sealed: the formats are the ones the kernel builds (`drivers/iommu/generic_pt/fmt`).
pub trait Format: private::Sealed + 'static {
    /// The format's table (`struct pt_iommu_<fmt>`), whose first member is a `struct pt_iommu`,
    /// whose first member is the `struct iommu_domain`.
    type Table;
    /// The format's configuration (`struct pt_iommu_<fmt>_cfg`).
    type Config;

    /// `pt_iommu_<fmt>_iova_to_phys`.
    const IOVA_TO_PHYS: unsafe extern "C" fn(*mut bindings::iommu_domain, u64) -> u64;

    /// `pt_iommu_<fmt>_read_and_clear_dirty`.
    const READ_AND_CLEAR_DIRTY: unsafe extern "C" fn(
        *mut bindings::iommu_domain,
        usize,
        usize,
        usize,
        *mut bindings::iommu_dirty_bitmap,
    ) -> c_int;

    /// Initialises a table (`pt_iommu_<fmt>_init`).
    ///
    /// # Safety
    ///
    /// `table` points to a zeroed table that is not in use. On error nothing is allocated.
    unsafe fn init(table: *mut Self::Table, cfg: &Self::Config) -> Result;
}

/// Common configuration of all formats (`struct pt_iommu_cfg`).
#[derive(Clone, Copy, Default)]
pub struct CommonConfig {
    /// `PT_FEAT_*` features to enable.
    pub features: u32,
    /// Largest virtual address width the hardware walks, log2.
    pub hw_max_vasz_lg2: u8,
    /// Largest output address width the hardware supports, log2.
    pub hw_max_oasz_lg2: u8,
}

impl CommonConfig {
    fn to_raw(self) -> bindings::pt_iommu_cfg {
        bindings::pt_iommu_cfg {
            features: self.features,
            hw_max_vasz_lg2: self.hw_max_vasz_lg2,
            hw_max_oasz_lg2: self.hw_max_oasz_lg2,
        }
    }
}

/// Configuration of the AMD v1 formats (`struct pt_iommu_amdv1_cfg`).
#[derive(Clone, Copy, Default)]
pub struct AmdV1Config {
    /// Common configuration.
    pub common: CommonConfig,
    /// Level of the top table.
    pub starting_level: u32,
}

impl AmdV1Config {
    fn to_raw(self) -> bindings::pt_iommu_amdv1_cfg {
        bindings::pt_iommu_amdv1_cfg {
            common: self.common.to_raw(),
            starting_level: self.starting_level,
        }
    }
}

/// Sets the fields of a `struct pt_iommu` a caller may initialise before `init`.
///
/// # Safety
///
/// `table` points to a zeroed table whose first member is a `struct pt_iommu`.
unsafe fn preset<T>(table: *mut T) {
    let pt = table.cast::<bindings::pt_iommu>();
    // SAFETY: By the caller.
    unsafe { (*pt).nid = bindings::NUMA_NO_NODE };
}

/// The AMD v1 format with the 2 KiB page size of the iommufd selftest mock
/// (`drivers/iommu/generic_pt/fmt/iommu_mock.c`).
#[cfg(CONFIG_IOMMUFD_TEST)]
pub struct AmdV1Mock;

#[cfg(CONFIG_IOMMUFD_TEST)]
impl private::Sealed for AmdV1Mock {}

#[cfg(CONFIG_IOMMUFD_TEST)]
impl Format for AmdV1Mock {
    type Table = bindings::pt_iommu_amdv1;
    type Config = AmdV1Config;

    const IOVA_TO_PHYS: unsafe extern "C" fn(*mut bindings::iommu_domain, u64) -> u64 =
        bindings::pt_iommu_amdv1_mock_iova_to_phys;
    const READ_AND_CLEAR_DIRTY: unsafe extern "C" fn(
        *mut bindings::iommu_domain,
        usize,
        usize,
        usize,
        *mut bindings::iommu_dirty_bitmap,
    ) -> c_int = bindings::pt_iommu_amdv1_mock_read_and_clear_dirty;

    unsafe fn init(table: *mut Self::Table, cfg: &Self::Config) -> Result {
        let cfg = cfg.to_raw();
        // SAFETY: By the caller, `table` is a zeroed table.
        unsafe { preset(table) };
        // SAFETY: As above; `cfg` is valid for the call.
        to_result(unsafe { bindings::pt_iommu_amdv1_mock_init(table, &cfg, GFP_KERNEL.as_raw()) })
    }
}
