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
//! writing a page table. A format whose hardware is programmed with the table's root (the VT-d
//! formats: [`X86_64`] for the first stage, [`VtdSs`] for the second) also implements
//! [`FormatHwInfo`], which reads what the hardware needs (`pt_iommu_<fmt>_hw_info()`).
//!
//! Formats, by the configuration option that builds them (built in: the kernel crate is):
//!
//! | format | C | option | used by |
//! |---|---|---|---|
//! | [`AmdV1Mock`] | `amdv1_mock` | `IOMMUFD_TEST` | the iommufd selftest's mock |
//! | [`X86_64`] | `x86_64` | `IOMMU_PT_X86_64=y` | VT-d first stage (and AMD v2) |
//! | [`VtdSs`] | `vtdss` | `IOMMU_PT_VTDSS=y` | VT-d second stage |

use super::domain::PagingOps;
use crate::{bindings, error::to_result, prelude::*};

pub(super) mod private {
    pub trait Sealed {}
}

/// A page-table format of a paging domain.
///
/// Sealed: the formats are the ones the kernel builds, generic_pt's (`drivers/iommu/generic_pt/fmt`)
/// and io-pgtable's Arm LPAE stages ([`super::lpae`]).
pub trait Format: private::Sealed + 'static {
    /// The format's table, whose first member is the `struct iommu_domain`: `struct
    /// pt_iommu_<fmt>` for generic_pt (whose `struct pt_iommu` begins with the domain), or
    /// [`super::lpae::LpaeTable`].
    type Table;
    /// The format's configuration (`struct pt_iommu_<fmt>_cfg`, or
    /// [`super::lpae::LpaeConfig`]).
    type Config;

    /// The `iova_to_phys` domain operation (`pt_iommu_<fmt>_iova_to_phys`).
    const IOVA_TO_PHYS: unsafe extern "C" fn(*mut bindings::iommu_domain, u64) -> u64;

    /// The `read_and_clear_dirty` dirty operation (`pt_iommu_<fmt>_read_and_clear_dirty`), if
    /// the format tracks dirty pages.
    const READ_AND_CLEAR_DIRTY: Option<ReadAndClearDirtyFn>;

    /// For a format with two kinds of table ([`Vtd`]: a first- or a second-stage table), the
    /// `iova_to_phys` and `read_and_clear_dirty` operations of the second kind. Its domains get
    /// operation tables of their own with these ([`PagingTable`](super::domain::PagingTable)), so
    /// that no operation chooses at run time, as C drivers have a table per kind
    /// (`intel_ss_paging_domain_ops`): `iommu_iova_to_phys()` runs for each page iommufd unmaps.
    const SECOND_KIND: Option<(IovaToPhysFn, Option<ReadAndClearDirtyFn>)> = None;

    /// Whether a table of `cfg` is of the second kind ([`Format::SECOND_KIND`]).
    fn is_second_kind(_cfg: &Self::Config) -> bool {
        false
    }

    /// The `map_pages` and `unmap_pages` domain operations, for a format the IOMMU core does not
    /// map through by itself (generic_pt tables are: `iommupt_from_domain()`).
    const MAP_UNMAP: Option<(MapPagesFn, UnmapPagesFn)> = None;

    /// Initialises a table (`pt_iommu_<fmt>_init`, `alloc_io_pgtable_ops()`) for a domain of
    /// `T`, whose IOTLB maintenance the table may call ([`PagingOps`]' TLB operations).
    ///
    /// # Safety
    ///
    /// `table` points to a zeroed table that is not in use, the first field of a
    /// `PagingDomain<T>` whose driver data is initialised and which stays pinned until
    /// [`Format::deinit`]. On error nothing is allocated.
    unsafe fn init<T: PagingOps<Format = Self>>(
        table: *mut Self::Table,
        cfg: &Self::Config,
    ) -> Result;

    /// Frees the table's memory (`pt_iommu_deinit()`, `free_io_pgtable_ops()`).
    ///
    /// # Safety
    ///
    /// `table` was initialised by [`Format::init`], is no longer used by the hardware or the
    /// core, and is not deinitialised yet; its domain is still live.
    unsafe fn deinit(table: *mut Self::Table);

    /// Marks `iova` dirty as the hardware would on a DMA write (`pt_iommu_ops.set_dirty`), for
    /// the iommufd selftest.
    ///
    /// # Errors
    ///
    /// `EOPNOTSUPP` if the format does not track dirty pages.
    ///
    /// # Safety
    ///
    /// `table` is initialised by [`Format::init`] and not deinitialised.
    unsafe fn set_dirty(_table: *mut Self::Table, _iova: u64) -> Result {
        Err(EOPNOTSUPP)
    }
}

/// The type of `iommu_dirty_ops.read_and_clear_dirty`.
/// The `iova_to_phys` domain operation.
pub type IovaToPhysFn = unsafe extern "C" fn(*mut bindings::iommu_domain, u64) -> u64;

/// The `read_and_clear_dirty` dirty operation.
pub type ReadAndClearDirtyFn = unsafe extern "C" fn(
    *mut bindings::iommu_domain,
    usize,
    usize,
    usize,
    *mut bindings::iommu_dirty_bitmap,
) -> c_int;

/// The type of `iommu_domain_ops.map_pages`.
pub type MapPagesFn = unsafe extern "C" fn(
    *mut bindings::iommu_domain,
    usize,
    bindings::phys_addr_t,
    usize,
    usize,
    c_int,
    bindings::gfp_t,
    *mut usize,
) -> c_int;

/// The type of `iommu_domain_ops.unmap_pages`.
pub type UnmapPagesFn = unsafe extern "C" fn(
    *mut bindings::iommu_domain,
    usize,
    usize,
    usize,
    *mut bindings::iommu_iotlb_gather,
) -> usize;

/// `pt_iommu_deinit()` of a generic_pt table.
///
/// # Safety
///
/// `table` is a generic_pt table (its first member a `struct pt_iommu`) that [`Format::init`]
/// initialised and that is no longer used.
unsafe fn pt_deinit<T>(table: *mut T) {
    let pt = table.cast::<bindings::pt_iommu>();
    // SAFETY: `pt` is the `struct pt_iommu` of an initialised table (this function's `# Safety`
    // section), whose `ops` the format's init set; `deinit` frees the table memory.
    unsafe {
        if let Some(deinit) = (*(*pt).ops).deinit {
            deinit(pt);
        }
    }
}

/// `pt_iommu_ops.set_dirty` of a generic_pt table.
#[cfg_attr(not(CONFIG_IOMMUFD_TEST), allow(dead_code))]
///
/// # Safety
///
/// `table` is a generic_pt table that [`Format::init`] initialised and did not deinitialise.
unsafe fn pt_set_dirty<T>(table: *mut T, iova: u64) -> Result {
    let pt = table.cast::<bindings::pt_iommu>();
    // SAFETY: `pt` is the `struct pt_iommu` of an initialised table (this function's `# Safety`
    // section), so `ops` is set; `set_dirty` needs no lock.
    to_result(unsafe {
        match (*(*pt).ops).set_dirty {
            Some(f) => f(pt, iova),
            None => return Err(EOPNOTSUPP),
        }
    })
}

/// A format whose hardware information (the root pointer and the table's shape, as the IOMMU is
/// programmed with them) can be read from an initialised table.
///
/// Implemented only for formats whose top level is fixed at init: their
/// `PT_SUPPORTED_FEATURES` (`drivers/iommu/generic_pt/fmt/iommu_<fmt>.c`) exclude
/// `PT_FEAT_DYNAMIC_TOP`, so `pt_iommu_<fmt>_init()` refuses it (`EOPNOTSUPP`) and the root does
/// not change while the table lives.
pub trait FormatHwInfo: Format {
    /// `struct pt_iommu_<fmt>_hw_info`.
    type HwInfo: Copy;

    /// Reads the hardware information of `table` (`pt_iommu_<fmt>_hw_info()`).
    ///
    /// # Safety
    ///
    /// `table` points to a table initialised by [`Format::init`] and not yet deinitialised.
    unsafe fn hw_info(table: *mut Self::Table) -> Self::HwInfo;
}

/// The `PT_FEAT_*` features of [`CommonConfig::features`] (`enum pt_features` in
/// `include/linux/generic_pt/common.h`), as bits.
pub mod features {
    use crate::bindings;

    /// `PT_FEAT_DMA_INCOHERENT`: the walker does not snoop; table writes are flushed.
    pub const DMA_INCOHERENT: u32 = 1 << bindings::pt_features_PT_FEAT_DMA_INCOHERENT;
    /// `PT_FEAT_SIGN_EXTEND`: the top VA bit is sign-extended (x86 first stage).
    pub const SIGN_EXTEND: u32 = 1 << bindings::pt_features_PT_FEAT_SIGN_EXTEND;
    /// `PT_FEAT_FLUSH_RANGE`: IOTLB maintenance flushes IOVA ranges.
    pub const FLUSH_RANGE: u32 = 1 << bindings::pt_features_PT_FEAT_FLUSH_RANGE;
    /// `PT_FEAT_VTDSS_FORCE_COHERENCE`: second-stage leaves set SNP.
    pub const VTDSS_FORCE_COHERENCE: u32 = 1 << bindings::PT_FEAT_VTDSS_FORCE_COHERENCE;
    /// `PT_FEAT_VTDSS_FORCE_WRITEABLE`: second-stage leaves are writable (erratum 772415, nest
    /// parents).
    pub const VTDSS_FORCE_WRITEABLE: u32 = 1 << bindings::PT_FEAT_VTDSS_FORCE_WRITEABLE;
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
    // SAFETY: By this function's `# Safety` requirement `table` points to a zeroed table whose
    // first member is a `struct pt_iommu` (as `IOMMU_FORMAT()` lays out every
    // `struct pt_iommu_<fmt>`), so `pt` is valid for writing its plain `nid` field.
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
    const READ_AND_CLEAR_DIRTY: Option<ReadAndClearDirtyFn> =
        Some(bindings::pt_iommu_amdv1_mock_read_and_clear_dirty);

    unsafe fn init<T: PagingOps<Format = Self>>(
        table: *mut Self::Table,
        cfg: &Self::Config,
    ) -> Result {
        let cfg = cfg.to_raw();
        // SAFETY: `table` is a zeroed `struct pt_iommu_amdv1` not in use (`Format::init`'s
        // `# Safety` section), whose first member is its `struct pt_iommu` (`IOMMU_FORMAT()`).
        unsafe { preset(table) };
        // SAFETY: `table` is that zeroed, unused table (only `nid` preset above); `cfg` is a local
        // valid for the call; on error `pt_iommu_amdv1_mock_init()` frees what it allocated.
        to_result(unsafe { bindings::pt_iommu_amdv1_mock_init(table, &cfg, GFP_KERNEL.as_raw()) })
    }

    unsafe fn deinit(table: *mut Self::Table) {
        // SAFETY: An initialised, unused amdv1 table (`Format::deinit`'s `# Safety` section).
        unsafe { pt_deinit(table) }
    }

    unsafe fn set_dirty(table: *mut Self::Table, iova: u64) -> Result {
        // SAFETY: An initialised amdv1 table (`Format::set_dirty`'s `# Safety` section).
        unsafe { pt_set_dirty(table, iova) }
    }
}

/// Configuration of the formats with a fixed top level, [`X86_64`] and [`VtdSs`]
/// (`struct pt_iommu_x86_64_cfg`, `struct pt_iommu_vtdss_cfg`).
#[derive(Clone, Copy, Default)]
pub struct TopLevelConfig {
    /// Common configuration.
    pub common: CommonConfig,
    /// Level of the top table: 3 for a 48-bit (4-level), 4 for a 57-bit (5-level) table.
    pub top_level: u32,
}

/// Defines a format with a [`TopLevelConfig`] and hardware information.
macro_rules! top_level_format {
    ($(#[$m:meta])* $name:ident, $cfg:meta, $fmt:ident, $hw:ident { $($f:ident: $t:ty),* }) => {
        crate::macros::paste! {
            $(#[$m])*
            #[cfg($cfg)]
            pub struct $name;

            #[cfg($cfg)]
            impl private::Sealed for $name {}

            #[cfg($cfg)]
            impl Format for $name {
                type Table = bindings::[<pt_iommu_ $fmt>];
                type Config = TopLevelConfig;

                const IOVA_TO_PHYS: unsafe extern "C" fn(*mut bindings::iommu_domain, u64) -> u64 =
                    bindings::[<pt_iommu_ $fmt _iova_to_phys>];
                const READ_AND_CLEAR_DIRTY: Option<ReadAndClearDirtyFn> =
                    Some(bindings::[<pt_iommu_ $fmt _read_and_clear_dirty>]);

                unsafe fn init<T: PagingOps<Format = Self>>(
                    table: *mut Self::Table,
                    cfg: &Self::Config,
                ) -> Result {
                    let cfg = bindings::[<pt_iommu_ $fmt _cfg>] {
                        common: cfg.common.to_raw(),
                        top_level: cfg.top_level,
                    };
                    // SAFETY: `table` is a zeroed table of this format not in use (`Format::init`'s
                    // `# Safety` section); `struct pt_iommu_<fmt>` starts with its
                    // `struct pt_iommu` (`IOMMU_FORMAT()`).
                    unsafe { preset(table) };
                    // SAFETY: `table` is that zeroed, unused table (only `nid` preset above);
                    // `cfg` is a local valid for the call, which copies it; on error
                    // `pt_iommu_<fmt>_init()` frees what it allocated.
                    to_result(unsafe {
                        bindings::[<pt_iommu_ $fmt _init>](table, &cfg, GFP_KERNEL.as_raw())
                    })
                }

                unsafe fn deinit(table: *mut Self::Table) {
                    // SAFETY: An initialised, unused table of this generic_pt format
                    // (`Format::deinit`'s `# Safety` section).
                    unsafe { pt_deinit(table) }
                }
            }

            /// Hardware information of a table of this format.
            #[cfg($cfg)]
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            pub struct $hw {
                $(#[doc = concat!("`", stringify!($f), "`.")] pub $f: $t,)*
            }

            #[cfg($cfg)]
            impl FormatHwInfo for $name {
                type HwInfo = $hw;

                unsafe fn hw_info(table: *mut Self::Table) -> $hw {
                    let mut info = bindings::[<pt_iommu_ $fmt _hw_info>] { $($f: 0),* };
                    // SAFETY: `table` is initialised by `Format::init` and not deinitialised
                    // (`FormatHwInfo::hw_info`'s `# Safety` section) and its top level is
                    // fixed (the format has no `PT_FEAT_DYNAMIC_TOP`), so reading the top does
                    // not race with a map; `info` is valid for writes.
                    unsafe { bindings::[<pt_iommu_ $fmt _hw_info>](table, &mut info) };
                    $hw { $($f: info.$f),* }
                }
            }
        }
    };
}

top_level_format!(
    /// The x86 64-bit 4/5-level format: the VT-d first stage (`drivers/iommu/generic_pt/fmt/x86_64.h`).
    X86_64, CONFIG_IOMMU_PT_X86_64 = "y", x86_64, X86_64HwInfo {
        gcr3_pt: u64,
        levels: u8
    }
);

top_level_format!(
    /// The VT-d second-stage 3/4/5-level format (`drivers/iommu/generic_pt/fmt/vtdss.h`).
    VtdSs, CONFIG_IOMMU_PT_VTDSS = "y", vtdss, VtdSsHwInfo {
        ssptptr: u64,
        aw: u8
    }
);

/// The translation stage of a [`Vtd`] table.
#[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VtdStage {
    /// A first-stage table, of the [`X86_64`] format.
    First,
    /// A second-stage table, of the [`VtdSs`] format.
    Second,
}

/// Configuration of a [`Vtd`] table.
#[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
#[derive(Clone, Copy)]
pub struct VtdConfig {
    /// Which format the table has.
    pub stage: VtdStage,
    /// Its configuration.
    pub table: TopLevelConfig,
    /// The device the table's pages are made visible to when the IOMMU does not snoop its page
    /// walks ([`features::DMA_INCOHERENT`], which needs one: `struct pt_iommu.iommu_device`). On
    /// x86 generic_pt writes such pages back with `clflush` and does not use the device
    /// (`iommu_pages_flush_incoherent()`), but still requires it to be set.
    pub dma_dev: Option<&'static crate::device::Device>,
}

/// The two tables a [`Vtd`] domain may have (C: the union in `struct dmar_domain`): both begin
/// with their `struct pt_iommu`, whose first member is the `struct iommu_domain`.
#[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
#[repr(C)]
union VtdTables {
    fs: core::mem::ManuallyDrop<bindings::pt_iommu_x86_64>,
    ss: core::mem::ManuallyDrop<bindings::pt_iommu_vtdss>,
}

/// The table of a [`Vtd`] domain: a first- or a second-stage table, and which one.
///
/// # Invariants
///
/// Once [`Format::init`] succeeded, `stage` says which member of `tables` is initialised, and
/// does not change.
#[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
#[repr(C)]
pub struct VtdTable {
    tables: VtdTables,
    /// 1: [`VtdStage::First`], 2: [`VtdStage::Second`]; 0 before init (the table is zeroed).
    stage: u8,
}

/// The Intel VT-d paging format: each domain chooses its stage, first ([`X86_64`]) or second
/// ([`VtdSs`]), when it is created, as a VT-d driver does that has both (C:
/// `intel_iommu_domain_alloc_paging_flags()`, which prefers the first stage and makes nest
/// parents and dirty-tracking domains second-stage). The domain operations that are the
/// format's own (`iova_to_phys`, `read_and_clear_dirty`) are the stage's: a second-stage domain
/// gets the operation tables of [`Format::SECOND_KIND`].
#[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
pub struct Vtd;

#[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
impl private::Sealed for Vtd {}

#[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
impl Vtd {
    /// Makes the leaves that maps write from now on set SNP (`PT_FEAT_VTDSS_FORCE_COHERENCE`, as
    /// `intel_iommu_enforce_cache_coherency_ss()` does), on a second-stage table; false for a
    /// first-stage table, which has no such bit (its PASID-table entry's PGSNP does that).
    /// Leaves already written keep theirs.
    ///
    /// # Safety
    ///
    /// `table` is initialised and not deinitialised, and no map of it runs concurrently (every
    /// map reads the features).
    pub(crate) unsafe fn force_coherence(table: *mut VtdTable) -> bool {
        // SAFETY: Initialised (this function's `# Safety` section): `stage` names the initialised
        // member (type invariant of `VtdTable`); `features` is a plain field of that member that
        // no map reads concurrently.
        unsafe {
            if (*table).stage != 2 {
                return false;
            }
            let ss = (&raw mut (*table).tables.ss).cast::<bindings::pt_iommu_vtdss>();
            let f = &raw mut (*ss).vtdss_pt.common.features;
            f.write(f.read() | features::VTDSS_FORCE_COHERENCE);
        }
        true
    }
}

#[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
impl Format for Vtd {
    type Table = VtdTable;
    type Config = VtdConfig;

    // The first kind is the first stage, the second the second stage: each domain's operations
    // are its stage's (`PagingDomain::new` picks them with `is_second_kind`).
    const IOVA_TO_PHYS: IovaToPhysFn = bindings::pt_iommu_x86_64_iova_to_phys;
    const READ_AND_CLEAR_DIRTY: Option<ReadAndClearDirtyFn> =
        Some(bindings::pt_iommu_x86_64_read_and_clear_dirty);
    const SECOND_KIND: Option<(IovaToPhysFn, Option<ReadAndClearDirtyFn>)> = Some((
        bindings::pt_iommu_vtdss_iova_to_phys,
        Some(bindings::pt_iommu_vtdss_read_and_clear_dirty),
    ));

    fn is_second_kind(cfg: &VtdConfig) -> bool {
        cfg.stage == VtdStage::Second
    }

    unsafe fn init<T: PagingOps<Format = Self>>(table: *mut VtdTable, cfg: &VtdConfig) -> Result {
        if cfg.table.common.features & features::DMA_INCOHERENT != 0 && cfg.dma_dev.is_none() {
            return Err(EINVAL);
        }
        // SAFETY: `table` is a zeroed `VtdTable` not in use (`Format::init`'s `# Safety`
        // section); both union members begin with their `struct pt_iommu`, at the table's
        // address.
        unsafe {
            preset(table);
            if let Some(dev) = cfg.dma_dev {
                // The device is `'static`: it outlives the table.
                (*table.cast::<bindings::pt_iommu>()).iommu_device = dev.as_raw();
            }
        }
        let common = cfg.table.common.to_raw();
        // SAFETY: `table` is that zeroed, unused table (only `nid` and `iommu_device` preset,
        // which the init functions keep); the member initialised is the one `stage` then names
        // (the type invariant of `VtdTable`); the configurations are locals valid for the call;
        // on error the init function frees what it allocated.
        unsafe {
            match cfg.stage {
                VtdStage::First => {
                    let c = bindings::pt_iommu_x86_64_cfg {
                        common,
                        top_level: cfg.table.top_level,
                    };
                    to_result(bindings::pt_iommu_x86_64_init(
                        (&raw mut (*table).tables.fs).cast(),
                        &c,
                        GFP_KERNEL.as_raw(),
                    ))?;
                    (*table).stage = 1;
                }
                VtdStage::Second => {
                    let c = bindings::pt_iommu_vtdss_cfg {
                        common,
                        top_level: cfg.table.top_level,
                    };
                    to_result(bindings::pt_iommu_vtdss_init(
                        (&raw mut (*table).tables.ss).cast(),
                        &c,
                        GFP_KERNEL.as_raw(),
                    ))?;
                    (*table).stage = 2;
                }
            }
        }
        Ok(())
    }

    unsafe fn deinit(table: *mut VtdTable) {
        // SAFETY: An initialised, unused table (`Format::deinit`'s `# Safety` section): either
        // member's `struct pt_iommu` is at the table's address.
        unsafe { pt_deinit(table) }
    }
}

/// Hardware information of a [`Vtd`] table: that of its format.
#[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VtdHwInfo {
    /// A first-stage table: its root (FSPTPTR) and number of levels.
    First(X86_64HwInfo),
    /// A second-stage table: its root (SSPTPTR) and address width (AW).
    Second(VtdSsHwInfo),
}

#[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
impl FormatHwInfo for Vtd {
    type HwInfo = VtdHwInfo;

    unsafe fn hw_info(table: *mut VtdTable) -> VtdHwInfo {
        // SAFETY: `table` is initialised (`FormatHwInfo::hw_info`'s `# Safety` section), so
        // `stage` names its initialised member (type invariant), whose format's `hw_info` reads
        // its fixed top.
        unsafe {
            if (*table).stage == 2 {
                VtdHwInfo::Second(VtdSs::hw_info((&raw mut (*table).tables.ss).cast()))
            } else {
                VtdHwInfo::First(X86_64::hw_info((&raw mut (*table).tables.fs).cast()))
            }
        }
    }
}
