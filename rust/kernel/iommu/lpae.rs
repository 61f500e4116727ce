// SPDX-License-Identifier: GPL-2.0

//! Paging domains on io-pgtable's Arm LPAE formats (the SMMUv3 stage-1 and stage-2 tables).
//!
//! C header: [`include/linux/io-pgtable.h`](srctree/include/linux/io-pgtable.h)
//!
//! generic_pt has no Arm LPAE format in this kernel, so an SMMU driver keeps its page tables in
//! io-pgtable (`drivers/iommu/io-pgtable-arm.c`), as the C driver does. [`ArmLpae`] is a
//! [`Format`] whose stage, `ARM_64_LPAE_S1` or `ARM_64_LPAE_S2`, each domain's [`LpaeConfig`]
//! chooses (an SMMU driver has one paging-domain type for both, as C's `struct arm_smmu_domain`):
//! a driver names it as `PagingOps::Format` and gets a [`PagingDomain`] whose `map_pages`, `unmap_pages` and `iova_to_phys` operations are
//! io-pgtable's (C: `arm_smmu_map_pages()`, `arm_smmu_unmap_pages()`,
//! `arm_smmu_iova_to_phys()`), and whose TLB maintenance io-pgtable asks of the driver through
//! [`PagingOps::tlb_flush_all`], [`PagingOps::tlb_flush_walk`] and [`PagingOps::tlb_add_page`]
//! (C `struct iommu_flush_ops`, whose cookie is the domain). The values the hardware is
//! programmed with are read from the domain: TTBR, TCR and MAIR for a stage-1 table (an SMMUv3
//! context descriptor, [`S1Cfg`]), VTTBR and VTCR for a stage-2 table (a stream table entry,
//! [`S2Cfg`]).
//!
//! The table is freed (`free_io_pgtable_ops()`, which calls `tlb_flush_all`) when the domain is
//! freed, which the core does only once no device is attached to it: a driver must stop the
//! hardware from walking the table when a device is attached elsewhere.

use super::{
    domain::{PagingDomain, PagingOps},
    pgtable::{Config, Gather, Tcr, Vtcr},
    pt::{private, Format, MapPagesFn, ReadAndClearDirtyFn, UnmapPagesFn},
};
use crate::{bindings, device::Device, error::to_result, prelude::*, sync::aref::ARef};
use core::marker::PhantomData;

/// The stage of an LPAE table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LpaeStage {
    /// `ARM_64_LPAE_S1`: IOVA to PA (or to IPA under a nest parent), for a context descriptor.
    S1,
    /// `ARM_64_LPAE_S2`: IPA to PA, for a stream table entry (e.g. a nest parent).
    S2,
}

/// The table of an LPAE paging domain: the `struct iommu_domain` and the io-pgtable that
/// translates for it.
///
/// # Invariants
///
/// Once initialised by [`Format::init`] and until [`Format::deinit`]: `ops` is a table of stage
/// `stage` allocated by `alloc_io_pgtable_ops()` whose cookie is the `PagingDomain` this is the
/// first field of, and `dev` the walker device given to it, on which this holds a reference.
#[repr(C)]
pub struct LpaeTable {
    domain: bindings::iommu_domain,
    ops: *mut bindings::io_pgtable_ops,
    dev: *mut bindings::device,
    stage: LpaeStage,
}

/// The configuration of an LPAE table.
pub struct LpaeConfig {
    /// The stage.
    pub stage: LpaeStage,
    /// Sizes (`ias`: IOVA or IPA bits, `oas`: output address bits), page sizes, quirks and walk
    /// coherency (`struct io_pgtable_cfg`).
    pub pgtable: Config,
    /// The device that walks the table (the SMMU): io-pgtable allocates the table on its NUMA
    /// node and, if walks are not coherent, maps the table for it with the DMA API.
    pub dev: ARef<Device>,
}

/// io-pgtable's Arm LPAE formats, the stage chosen per domain by [`LpaeConfig::stage`].
pub struct ArmLpae;

impl private::Sealed for ArmLpae {}

/// What a context descriptor needs of a stage-1 table (`struct arm_lpae_s1_cfg`).
#[derive(Clone, Copy, Debug)]
pub struct S1Cfg {
    /// The physical address of the root table, for `CD.TTB0`.
    pub ttbr: u64,
    /// The translation controls.
    pub tcr: Tcr,
    /// The memory attributes the entries index, for `CD.MAIR`.
    pub mair: u64,
}

/// What a stream table entry needs of a stage-2 table (`struct arm_lpae_s2_cfg`).
#[derive(Clone, Copy, Debug)]
pub struct S2Cfg {
    /// The physical address of the root table, for `STE.S2TTB`.
    pub vttbr: u64,
    /// The translation controls.
    pub vtcr: Vtcr,
}

/// The `struct iommu_flush_ops` of the domains of `T`, whose cookie is the domain.
struct FlushTable<T: PagingOps>(PhantomData<T>);

impl<T: PagingOps> FlushTable<T> {
    const OPS: bindings::iommu_flush_ops = bindings::iommu_flush_ops {
        tlb_flush_all: Some(Self::tlb_flush_all),
        tlb_flush_walk: Some(Self::tlb_flush_walk),
        tlb_add_page: Some(Self::tlb_add_page),
    };

    /// # Safety
    ///
    /// `cookie` is the cookie of a table [`lpae_init`] made for a `PagingDomain<T>` that is live
    /// for the call.
    unsafe fn domain<'a>(cookie: *mut c_void) -> &'a PagingDomain<T> {
        // SAFETY: `lpae_init` gave io-pgtable the address of the domain's `table` field as the
        // cookie, and the domain is live for the call (this function's `# Safety` section).
        unsafe { PagingDomain::<T>::from_table(cookie.cast()) }
    }

    /// # Safety
    ///
    /// Called by io-pgtable with the cookie of a table of `T`.
    unsafe extern "C" fn tlb_flush_all(cookie: *mut c_void) {
        // SAFETY: io-pgtable calls the flush operations with the table's cookie, from its
        // operations on the table (called by the core through the domain's operations, while the
        // domain is live) or from `free_io_pgtable_ops()`, which `Format::deinit` calls while the
        // domain is still live.
        T::tlb_flush_all(unsafe { Self::domain(cookie) })
    }

    /// # Safety
    ///
    /// As for `tlb_flush_all`.
    unsafe extern "C" fn tlb_flush_walk(
        iova: usize,
        size: usize,
        granule: usize,
        cookie: *mut c_void,
    ) {
        // SAFETY: As in `tlb_flush_all`: the cookie of a table whose domain is live.
        T::tlb_flush_walk(unsafe { Self::domain(cookie) }, iova, size, granule)
    }

    /// # Safety
    ///
    /// As for `tlb_flush_all`; `gather` is NULL or the unmap's gather.
    unsafe extern "C" fn tlb_add_page(
        gather: *mut bindings::iommu_iotlb_gather,
        iova: usize,
        granule: usize,
        cookie: *mut c_void,
    ) {
        if gather.is_null() {
            // No gather (an unmap without one, which the core never does): nothing is queued,
            // so invalidate at once.
            // SAFETY: As in `tlb_flush_all`.
            return T::tlb_flush_walk(unsafe { Self::domain(cookie) }, iova, granule, granule);
        }
        // SAFETY: As in `tlb_flush_all` for the cookie; io-pgtable-arm passes on the gather of
        // the unmap that runs (`__iommu_unmap()`'s, initialised and not moved during the call),
        // which nothing else uses until the unmap returns.
        let (d, g) = unsafe { (Self::domain(cookie), Gather::from_raw(gather)) };
        T::tlb_add_page(d, g, iova, granule)
    }
}

/// `alloc_io_pgtable_ops()` for the table of a domain of `T`.
///
/// # Safety
///
/// `table` is a zeroed table, the first field of a `PagingDomain<T>` pinned until
/// [`Format::deinit`].
unsafe fn lpae_init<T: PagingOps>(table: *mut LpaeTable, cfg: &LpaeConfig) -> Result {
    let fmt = match cfg.stage {
        LpaeStage::S1 => bindings::io_pgtable_fmt_ARM_64_LPAE_S1,
        LpaeStage::S2 => bindings::io_pgtable_fmt_ARM_64_LPAE_S2,
    } as bindings::io_pgtable_fmt;
    let p = &cfg.pgtable;
    let mut raw = bindings::io_pgtable_cfg {
        quirks: p.quirks,
        pgsize_bitmap: p.pgsize_bitmap,
        ias: p.ias,
        oas: p.oas,
        coherent_walk: p.coherent_walk,
        tlb: &FlushTable::<T>::OPS,
        iommu_dev: cfg.dev.as_raw(),
        ..pin_init::zeroed()
    };
    // SAFETY: `raw` is valid for the call, which copies it; its `tlb` points to the constant
    // (promoted to a static) flush operations of `T`, which take the cookie, `table`: the first
    // field of a `PagingDomain<T>` that stays pinned until `deinit` frees the table (this
    // function's `# Safety` section). `iommu_dev` is referenced until then (below).
    let ops = unsafe { bindings::alloc_io_pgtable_ops(fmt, &mut raw, table.cast()) };
    if ops.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: `ops` is the `ops` field of the `struct io_pgtable` just allocated
    // (`alloc_io_pgtable_ops()` returns `&iop->ops`), whose `cfg` the format completed.
    let done = unsafe { &(*crate::container_of!(ops, bindings::io_pgtable, ops)).cfg };
    // SAFETY: `table` is zeroed, pinned memory not yet shared (this function's `# Safety`
    // section); `get_device()` takes the reference the invariant of `LpaeTable` holds.
    // INVARIANT: `ops` is the table of stage `cfg.stage` allocated above with `table` as its
    // cookie; `dev` is its walker device, referenced.
    unsafe {
        (*table).ops = ops;
        (*table).stage = cfg.stage;
        (*table).dev = bindings::get_device(cfg.dev.as_raw());
        let d = &mut (*table).domain;
        // As `arm_smmu_domain_finalise()`: io-pgtable trims the page sizes to the format's.
        d.pgsize_bitmap = done.pgsize_bitmap;
        d.geometry.aperture_start = 0;
        d.geometry.aperture_end = (1u64 << done.ias) - 1;
        d.geometry.force_aperture = true;
    }
    Ok(())
}

/// `free_io_pgtable_ops()` of an initialised table, and the device reference.
///
/// # Safety
///
/// `table` was initialised by [`lpae_init`], is no longer used, and its domain is live.
unsafe fn lpae_deinit(table: *mut LpaeTable) {
    // SAFETY: `ops` was allocated by `alloc_io_pgtable_ops()` (the invariant of `LpaeTable`),
    // and nothing uses it any more (this function's `# Safety` section);
    // `free_io_pgtable_ops()` calls `tlb_flush_all` with the cookie, the still-live domain.
    // `dev` holds the reference `lpae_init` took.
    unsafe {
        bindings::free_io_pgtable_ops((*table).ops);
        bindings::put_device((*table).dev);
    }
}

/// The `struct io_pgtable_ops` of the domain `domain`.
///
/// # Safety
///
/// `domain` is the domain of a live, initialised LPAE table.
unsafe fn ops_of(domain: *mut bindings::iommu_domain) -> *mut bindings::io_pgtable_ops {
    // SAFETY: The domain is the first field of the `repr(C)` `LpaeTable`, initialised (this
    // function's `# Safety` section), so `ops` is the io-pgtable.
    unsafe { (*domain.cast::<LpaeTable>()).ops }
}

/// `iommu_domain_ops.iova_to_phys` (C `arm_smmu_iova_to_phys()`).
///
/// # Safety
///
/// Called by the core with an LPAE paging domain.
unsafe extern "C" fn lpae_iova_to_phys(domain: *mut bindings::iommu_domain, iova: u64) -> u64 {
    // SAFETY: The core calls `domain->ops->iova_to_phys` (`iommu_iova_to_phys()`) for a live
    // domain, whose ops are those of an LPAE `PagingDomain` (only `PagingTable::new` of an LPAE
    // format installs this function).
    unsafe {
        let ops = ops_of(domain);
        match (*ops).iova_to_phys {
            Some(f) => f(ops, iova as usize),
            None => 0,
        }
    }
}

/// `iommu_domain_ops.map_pages` (C `arm_smmu_map_pages()`).
///
/// # Safety
///
/// Called by the core with an LPAE paging domain and valid arguments.
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn lpae_map_pages(
    domain: *mut bindings::iommu_domain,
    iova: usize,
    paddr: bindings::phys_addr_t,
    pgsize: usize,
    pgcount: usize,
    prot: c_int,
    gfp: bindings::gfp_t,
    mapped: *mut usize,
) -> c_int {
    // SAFETY: `__iommu_map_domain_pgtbl()` calls `domain->ops->map_pages` for a live domain,
    // installed only on LPAE `PagingDomain`s; the range rules io-pgtable needs (no concurrent
    // operation on the range) are the core's contract with every driver, and `mapped` is the
    // caller's counter.
    unsafe {
        let ops = ops_of(domain);
        match (*ops).map_pages {
            Some(f) => f(ops, iova, paddr, pgsize, pgcount, prot, gfp, mapped),
            None => ENODEV.to_errno(),
        }
    }
}

/// `iommu_domain_ops.unmap_pages` (C `arm_smmu_unmap_pages()`).
///
/// # Safety
///
/// Called by the core with an LPAE paging domain and the gather of the unmap.
unsafe extern "C" fn lpae_unmap_pages(
    domain: *mut bindings::iommu_domain,
    iova: usize,
    pgsize: usize,
    pgcount: usize,
    gather: *mut bindings::iommu_iotlb_gather,
) -> usize {
    // SAFETY: `__iommu_unmap_domain_pgtbl()` calls `domain->ops->unmap_pages` for a live domain,
    // installed only on LPAE `PagingDomain`s, with its initialised gather; the range rules are
    // the core's contract with every driver.
    unsafe {
        let ops = ops_of(domain);
        match (*ops).unmap_pages {
            Some(f) => f(ops, iova, pgsize, pgcount, gather),
            None => 0,
        }
    }
}

impl Format for ArmLpae {
    type Table = LpaeTable;
    type Config = LpaeConfig;

    const IOVA_TO_PHYS: unsafe extern "C" fn(*mut bindings::iommu_domain, u64) -> u64 =
        lpae_iova_to_phys;
    const READ_AND_CLEAR_DIRTY: Option<ReadAndClearDirtyFn> = None;
    const MAP_UNMAP: Option<(MapPagesFn, UnmapPagesFn)> = Some((lpae_map_pages, lpae_unmap_pages));

    unsafe fn init<T: PagingOps<Format = Self>>(
        table: *mut Self::Table,
        cfg: &Self::Config,
    ) -> Result {
        // SAFETY: `Format::init`'s `# Safety` section: a zeroed table, the first field of a
        // `PagingDomain<T>` pinned until `deinit`.
        unsafe { lpae_init::<T>(table, cfg) }
    }

    unsafe fn deinit(table: *mut Self::Table) {
        // SAFETY: `Format::deinit`'s `# Safety` section.
        unsafe { lpae_deinit(table) }
    }
}

/// The `struct io_pgtable_cfg` of an initialised LPAE table.
fn cfg_of(table: *mut LpaeTable) -> *const bindings::io_pgtable_cfg {
    // SAFETY: `table` belongs to a live `PagingDomain` (the callers' `&self`), initialised (its
    // type invariant), so `ops` is the `ops` field of a `struct io_pgtable`
    // (`alloc_io_pgtable_ops()`), whose `cfg` lives until the domain is freed.
    unsafe { &raw const (*crate::container_of!((*table).ops, bindings::io_pgtable, ops)).cfg }
}

impl<T: PagingOps<Format = ArmLpae>> PagingDomain<T> {
    /// The stage of the domain's table.
    pub fn stage(&self) -> LpaeStage {
        // SAFETY: The table is initialised (the invariant of `PagingDomain`); `stage` is set
        // once by `lpae_init`.
        unsafe { (*self.table_ptr()).stage }
    }

    /// The stage-1 values for a context descriptor, `None` for a stage-2 table. The table lives
    /// as long as the domain.
    pub fn s1_cfg(&self) -> Option<S1Cfg> {
        if self.stage() != LpaeStage::S1 {
            return None;
        }
        // SAFETY: The configuration of an `ARM_64_LPAE_S1` table (checked above), whose union
        // member is `arm_lpae_s1_cfg`, filled in by `alloc_io_pgtable_ops()`.
        unsafe {
            let cfg = &*cfg_of(self.table_ptr());
            let s1 = cfg.__bindgen_anon_1.arm_lpae_s1_cfg;
            Some(S1Cfg {
                ttbr: s1.ttbr,
                tcr: Tcr::from_cfg(cfg),
                mair: s1.mair,
            })
        }
    }

    /// The stage-2 values for a stream table entry, `None` for a stage-1 table. The table lives
    /// as long as the domain.
    pub fn s2_cfg(&self) -> Option<S2Cfg> {
        if self.stage() != LpaeStage::S2 {
            return None;
        }
        // SAFETY: The configuration of an `ARM_64_LPAE_S2` table (checked above), whose union
        // member is `arm_lpae_s2_cfg`, filled in by `alloc_io_pgtable_ops()`.
        unsafe {
            let cfg = &*cfg_of(self.table_ptr());
            Some(S2Cfg {
                vttbr: cfg.__bindgen_anon_1.arm_lpae_s2_cfg.vttbr,
                vtcr: Vtcr::from_cfg(cfg),
            })
        }
    }
}

impl LpaeConfig {
    /// The configuration of a `stage` table walked by `dev`, with `pgtable`.
    pub fn new(stage: LpaeStage, dev: &Device, pgtable: Config) -> Self {
        Self {
            stage,
            pgtable,
            dev: dev.into(),
        }
    }
}

#[cfg(CONFIG_IOMMUFD_TEST)]
#[kunit_tests(rust_iommu_lpae_domain)]
mod tests {
    use super::*;
    use crate::{
        device::Bound,
        faux,
        iommu::{
            device::{ProbeInstances, ProbedDevice},
            domain::{Domain, NestedOps, NestedTable, PagingOptions, PagingTable},
            ops::{Driver, OpsTable, Probed},
            viommu::{ViommuOps, ViommuTable},
        },
        sizes::{SZ_1G, SZ_2M, SZ_4K},
        sync::{
            atomic::{Atomic, Relaxed},
            Arc,
        },
    };

    /// What the flush operations of a test domain were asked to do.
    struct Log {
        /// `tlb_flush_all` calls.
        all: Atomic<usize>,
        /// `tlb_flush_walk` calls, and the union of their ranges (first IOVA, last IOVA).
        walks: Atomic<usize>,
        walk_first: Atomic<usize>,
        walk_last: Atomic<usize>,
        /// `tlb_add_page` calls.
        pages: Atomic<usize>,
        /// `iotlb_sync` calls, and the union of their gathered ranges.
        syncs: Atomic<usize>,
        sync_first: Atomic<usize>,
        sync_last: Atomic<usize>,
    }

    impl Log {
        fn new() -> Self {
            Self {
                all: Atomic::new(0),
                walks: Atomic::new(0),
                walk_first: Atomic::new(usize::MAX),
                walk_last: Atomic::new(0),
                pages: Atomic::new(0),
                syncs: Atomic::new(0),
                sync_first: Atomic::new(usize::MAX),
                sync_last: Atomic::new(0),
            }
        }

        fn clear(&self) {
            for a in [
                &self.walks,
                &self.pages,
                &self.syncs,
                &self.walk_last,
                &self.sync_last,
            ] {
                a.store(0, Relaxed);
            }
            self.walk_first.store(usize::MAX, Relaxed);
            self.sync_first.store(usize::MAX, Relaxed);
        }

        fn widen(first: &Atomic<usize>, last: &Atomic<usize>, start: usize, end: usize) {
            if start < first.load(Relaxed) {
                first.store(start, Relaxed);
            }
            if end > last.load(Relaxed) {
                last.store(end, Relaxed);
            }
        }

        /// Whether the invalidated ranges (walks and syncs) cover `[iova, iova + len)`.
        fn covers(&self, iova: usize, len: usize) -> bool {
            let last = iova + len - 1;
            let by = |f: &Atomic<usize>, l: &Atomic<usize>| {
                f.load(Relaxed) <= iova && l.load(Relaxed) >= last
            };
            by(&self.walk_first, &self.walk_last) || by(&self.sync_first, &self.sync_last)
        }
    }

    struct Drv;
    struct Paging {
        log: Arc<Log>,
    }
    struct Nested;
    struct Viommu;

    #[vtable]
    impl Driver for Drv {
        type DevData = ();
        type Instance = ();
        type Paging = Paging;
        type Nested = Nested;
        type Viommu = Viommu;
        const OPS: &'static OpsTable<Self> = crate::iommu_static_table!(OpsTable<Drv>);

        fn probe_device<'p>(
            _dev: &'p Device,
            _instances: ProbeInstances<'p, Self>,
        ) -> Result<Probed<'p, Self>> {
            Err(ENODEV)
        }
    }

    #[vtable]
    impl PagingOps for Paging {
        type Driver = Drv;
        type Format = ArmLpae;
        const TABLE: &'static PagingTable<Self> = crate::iommu_static_table!(PagingTable<Paging>);

        fn attach_dev(_: &PagingDomain<Self>, _: &ProbedDevice<Drv>, _: Option<&Domain>) -> Result {
            Err(EINVAL)
        }

        fn iotlb_sync(domain: &PagingDomain<Self>, gather: &Gather) {
            let log = &domain.log;
            log.syncs.fetch_add(1, Relaxed);
            if gather.start() <= gather.end() {
                Log::widen(
                    &log.sync_first,
                    &log.sync_last,
                    gather.start(),
                    gather.end(),
                );
            }
        }

        fn tlb_flush_all(domain: &PagingDomain<Self>) {
            domain.log.all.fetch_add(1, Relaxed);
        }

        fn tlb_flush_walk(domain: &PagingDomain<Self>, iova: usize, size: usize, _granule: usize) {
            let log = &domain.log;
            log.walks.fetch_add(1, Relaxed);
            Log::widen(&log.walk_first, &log.walk_last, iova, iova + size - 1);
        }

        fn tlb_add_page(
            domain: &PagingDomain<Self>,
            gather: Pin<&mut Gather>,
            iova: usize,
            granule: usize,
        ) {
            domain.log.pages.fetch_add(1, Relaxed);
            // SAFETY: The domain is live and its `iotlb_sync` may run here (it only logs).
            unsafe { gather.add_page(domain.domain().as_raw(), iova, granule) };
        }
    }

    #[vtable]
    impl NestedOps for Nested {
        type Driver = Drv;
        const TABLE: &'static NestedTable<Self> = crate::iommu_static_table!(NestedTable<Nested>);

        fn attach_dev(
            _: &crate::iommu::domain::NestedDomain<Self>,
            _: &ProbedDevice<Drv>,
            _: Option<&Domain>,
        ) -> Result {
            Err(EINVAL)
        }
    }

    #[vtable]
    impl ViommuOps for Viommu {
        type Driver = Drv;
        type HwQueue = ();
        type Vdevice = ();
        const TABLE: &'static ViommuTable<Self> = crate::iommu_static_table!(ViommuTable<Viommu>);
    }

    fn config(stage: LpaeStage, dev: &Device) -> LpaeConfig {
        LpaeConfig::new(
            stage,
            dev,
            Config {
                quirks: 0,
                pgsize_bitmap: SZ_4K | SZ_2M | SZ_1G,
                ias: 48,
                oas: 48,
                coherent_walk: true,
            },
        )
    }

    fn map(d: &PagingDomain<Paging>, iova: usize, pa: u64, len: usize) -> Result {
        let prot = (bindings::IOMMU_READ | bindings::IOMMU_WRITE) as i32;
        // SAFETY: `d` is a valid, unattached paging domain: no DMA uses it, and mapping does not
        // touch `pa`.
        to_result(unsafe {
            bindings::iommu_map(
                d.domain().as_raw(),
                iova,
                pa,
                len,
                prot,
                GFP_KERNEL.as_raw(),
            )
        })
    }

    fn unmap(d: &PagingDomain<Paging>, iova: usize, len: usize) -> usize {
        // SAFETY: As in `map`; the unmap calls the domain's `unmap_pages` and `iotlb_sync`.
        unsafe { bindings::iommu_unmap(d.domain().as_raw(), iova, len) }
    }

    #[test]
    fn s1_map_unmap_flush() -> Result {
        let reg = faux::Registration::new(c"rust-lpae-domain", None)?;
        let fdev: &faux::Device<Bound> = reg.as_ref();
        let dev: &Device<Bound> = fdev.as_ref();
        let log = Arc::new(Log::new(), GFP_KERNEL)?;
        let d = PagingDomain::<Paging>::new(
            &config(LpaeStage::S1, dev),
            PagingOptions::default(),
            Ok::<_, Error>(Paging { log: log.clone() }),
        )?;
        let dom = d.domain();
        assert_eq!(dom.pgsize_bitmap(), SZ_4K | SZ_2M | SZ_1G);
        assert_eq!(dom.aperture(), (0, (1u64 << 48) - 1));
        assert_eq!(d.stage(), LpaeStage::S1);
        assert!(d.s2_cfg().is_none());
        let s1 = d.s1_cfg().ok_or(EINVAL)?;
        assert_eq!(s1.tcr.tsz, 16);
        assert!(s1.ttbr != 0 && s1.ttbr & 0xfff == 0);
        assert!(s1.mair != 0);

        // Four 4 KiB pages: each cleared leaf is queued, one sync covers them.
        let (iova, pa) = (0x1000_0000usize, 0x8000_0000u64);
        map(&d, iova, pa, 4 * SZ_4K)?;
        assert_eq!(dom.iova_to_phys(iova as u64 + 0x1234), pa + 0x1234);
        assert_eq!(dom.iova_to_phys((iova + 4 * SZ_4K) as u64), 0);
        log.clear();
        assert_eq!(unmap(&d, iova, 4 * SZ_4K), 4 * SZ_4K);
        assert_eq!(log.pages.load(Relaxed), 4);
        assert!(log.syncs.load(Relaxed) >= 1);
        assert!(log.covers(iova, 4 * SZ_4K));
        assert_eq!(dom.iova_to_phys(iova as u64), 0);

        // A 2 MiB block.
        let (iova, pa) = (0x4000_0000usize, 0xc000_0000u64);
        map(&d, iova, pa, SZ_2M)?;
        assert_eq!(dom.iova_to_phys(iova as u64 + 0x1_2345), pa + 0x1_2345);
        log.clear();
        assert_eq!(unmap(&d, iova, SZ_2M), SZ_2M);
        assert!(log.pages.load(Relaxed) >= 1);
        assert!(log.covers(iova, SZ_2M));

        // 512 pages that fill a last-level table, unmapped as one 2 MiB range: io-pgtable frees
        // the table and asks for a walk flush of the whole range.
        let (iova, pa) = (0x6000_0000usize, 0xa000_0000u64);
        for i in 0..512 {
            map(&d, iova + i * SZ_4K, pa + (i * SZ_4K) as u64, SZ_4K)?;
        }
        log.clear();
        assert_eq!(unmap(&d, iova, SZ_2M), SZ_2M);
        assert!(log.walks.load(Relaxed) >= 1);
        assert!(log.covers(iova, SZ_2M));
        assert_eq!(dom.iova_to_phys((iova + SZ_4K) as u64), 0);

        // Freeing the domain frees the table, which flushes everything once.
        assert_eq!(log.all.load(Relaxed), 0);
        drop(d);
        assert_eq!(log.all.load(Relaxed), 1);
        Ok(())
    }

    #[test]
    fn s2_map_unmap_flush() -> Result {
        let reg = faux::Registration::new(c"rust-lpae-domain-s2", None)?;
        let fdev: &faux::Device<Bound> = reg.as_ref();
        let dev: &Device<Bound> = fdev.as_ref();
        let log = Arc::new(Log::new(), GFP_KERNEL)?;
        let d = PagingDomain::<Paging>::new(
            &config(LpaeStage::S2, dev),
            PagingOptions::default(),
            Ok::<_, Error>(Paging { log: log.clone() }),
        )?;
        assert_eq!(d.stage(), LpaeStage::S2);
        assert!(d.s1_cfg().is_none());
        let s2 = d.s2_cfg().ok_or(EINVAL)?;
        // A 48-bit IPA space with 4 KiB granules starts at level 0: SL0 = 2, T0SZ = 16.
        assert_eq!((s2.vtcr.tsz, s2.vtcr.sl, s2.vtcr.tg), (16, 2, 0));
        assert!(s2.vttbr != 0 && s2.vttbr & 0xfff == 0);

        let (ipa, pa) = (0x1000_0000usize, 0x8000_0000u64);
        map(&d, ipa, pa, 4 * SZ_4K)?;
        assert_eq!(d.domain().iova_to_phys(ipa as u64 + 0x3008), pa + 0x3008);
        log.clear();
        assert_eq!(unmap(&d, ipa, 4 * SZ_4K), 4 * SZ_4K);
        assert_eq!(log.pages.load(Relaxed), 4);
        assert!(log.covers(ipa, 4 * SZ_4K));
        drop(d);
        assert_eq!(log.all.load(Relaxed), 1);
        Ok(())
    }

    #[test]
    fn dirty_tracking_refused() -> Result {
        let reg = faux::Registration::new(c"rust-lpae-dirty", None)?;
        let fdev: &faux::Device<Bound> = reg.as_ref();
        let dev: &Device<Bound> = fdev.as_ref();
        let log = Arc::new(Log::new(), GFP_KERNEL)?;
        let opts = PagingOptions {
            dirty_tracking: true,
            ..Default::default()
        };
        let r = PagingDomain::<Paging>::new(
            &config(LpaeStage::S1, dev),
            opts,
            Ok::<_, Error>(Paging { log }),
        );
        assert_eq!(r.err(), Some(EOPNOTSUPP));
        Ok(())
    }
}
