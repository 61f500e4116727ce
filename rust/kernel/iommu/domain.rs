// SPDX-License-Identifier: GPL-2.0

//! IOMMU domains.
//!
//! C header: [`include/linux/iommu.h`](srctree/include/linux/iommu.h)
//!
//! A `struct iommu_domain` is a translation context devices attach to. The IOMMU core allocates
//! them through the driver's `iommu_ops` and frees them through `iommu_domain_ops::free`; the
//! driver embeds the C structure in its own allocation. Three Rust types cover the kinds a driver
//! provides, each with its own operations trait and const operations table:
//!
//! - [`PagingDomain`]: a kernel-managed address space (`IOMMU_DOMAIN_UNMANAGED`/`__PAGING`, the
//!   stage-2 nest parent) whose page table is a generic_pt table ([`super::pt`]); map, unmap,
//!   `iova_to_phys` and dirty read-back are the page table's, the driver provides attach,
//!   PASID attach, the IOTLB flushes and dirty-tracking control ([`PagingOps`]).
//! - [`NestedDomain`]: a user-managed stage-1 (`IOMMU_DOMAIN_NESTED`) on top of a paging parent
//!   it refers to for its whole life; the driver provides attach, PASID attach and user cache
//!   invalidation ([`NestedOps`]).
//! - [`StaticDomain`]: the blocked and identity domains, static objects that are never freed
//!   ([`StaticOps`]).
//!
//! The two allocated types are distinct: a nested domain cannot be mapped, a paging domain cannot
//! take user invalidations, and a callback of one kind never sees the other.
//!
//! Every domain the core hands back to a driver (the `old` domain of an attach, the parent of a
//! nested allocation) is a [`Domain`], which can be turned into the driver's own types with
//! [`Domain::as_paging`] and [`Domain::as_nested`]; the check compares the domain's operations
//! table with the static table of the type, so it cannot confuse two types.

use super::{
    device::ProbedDevice,
    ops::Driver,
    pgtable::Gather,
    pt::{Format, FormatHwInfo, IovaToPhysFn, ReadAndClearDirtyFn},
    user_data::UserDataArray,
    viommu::Viommu, //
};
use crate::{
    bindings,
    error::VTABLE_DEFAULT_ERROR,
    prelude::*,
    types::Opaque, //
};
use core::{marker::PhantomData, ops::Deref, ptr::NonNull};

/// The value a C callback returns for `r`: 0 or a negative errno.
///
/// What `from_result(|| r.map(|()| 0))` gives, but always inlined into the callback: as a generic
/// of the kernel crate shared by all crates, `from_result()` is called out of line, one call more
/// per callback (seen in the object code of the cache invalidation path).
#[inline(always)]
pub(super) fn ret_of(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// A PASID (`ioasid_t`).
pub type Pasid = u32;

/// `IOMMU_NO_PASID`: the PASID of requests without a PASID (the RID).
pub const NO_PASID: Pasid = bindings::IOMMU_NO_PASID;

/// A borrowed `struct iommu_domain` of any kind.
///
/// # Invariants
///
/// The wrapped `struct iommu_domain` is valid and initialised for the lifetime of the reference.
#[repr(transparent)]
pub struct Domain(Opaque<bindings::iommu_domain>);

// SAFETY: The fields of `struct iommu_domain` read here are set before the domain is published
// and not changed afterwards; the core serialises its own updates.
unsafe impl Sync for Domain {}
// SAFETY: A domain is not bound to a thread.
unsafe impl Send for Domain {}

/// Reads field `$f` of the C domain of the [`Domain`] `$d`, by value through the raw pointer: no
/// reference to the whole structure is made, since the core writes some of its fields (e.g.
/// `iopf_handler`, `cookie_type`) while drivers read others.
macro_rules! field {
    ($d:expr, $f:ident) => {{
        let d: &Domain = $d;
        // SAFETY: By the type invariant of `Domain` the C domain is valid and initialised. The
        // fields read with this macro (`type_`, `ops`, `dirty_ops`, `pgsize_bitmap`, `geometry`,
        // `iopf_handler`) are set by the allocator or by iommufd before the domain is attached
        // or handed to a driver, and not written while it is in use.
        unsafe { (&raw const (*d.0.get()).$f).read() }
    }};
}

impl Domain {
    /// Borrows a C domain.
    ///
    /// # Safety
    ///
    /// `ptr` is valid and initialised for `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::iommu_domain) -> &'a Self {
        // SAFETY: `Domain` is `repr(transparent)` over `Opaque<iommu_domain>`, so the cast keeps
        // the layout; `ptr` is valid and initialised for `'a` by this function's `# Safety`
        // requirement, which is the type invariant of `Domain`.
        unsafe { &*ptr.cast() }
    }

    /// Borrows a C domain pointer that may be NULL.
    ///
    /// # Safety
    ///
    /// `ptr` is NULL or valid and initialised for `'a`.
    #[inline]
    pub unsafe fn from_raw_opt<'a>(ptr: *mut bindings::iommu_domain) -> Option<&'a Self> {
        // SAFETY: `ptr` is not NULL here, so by this function's `# Safety` requirement it is valid
        // and initialised for `'a`, as `Domain::from_raw` needs.
        (!ptr.is_null()).then(|| unsafe { Self::from_raw(ptr) })
    }

    /// The C pointer.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::iommu_domain {
        self.0.get()
    }

    /// The `IOMMU_DOMAIN_*` type.
    #[inline]
    pub fn domain_type(&self) -> u32 {
        field!(self, type_)
    }

    /// True for a nested (user-managed stage-1) domain.
    #[inline]
    pub fn is_nested(&self) -> bool {
        self.domain_type() == bindings::IOMMU_DOMAIN_NESTED
    }

    /// True for a blocked domain.
    pub fn is_blocked(&self) -> bool {
        self.domain_type() == bindings::IOMMU_DOMAIN_BLOCKED
    }

    /// True for a domain that supports map and unmap.
    pub fn is_paging(&self) -> bool {
        self.domain_type() & bindings::__IOMMU_DOMAIN_PAGING != 0
    }

    /// True if the domain has dirty-tracking operations (it was allocated with
    /// `IOMMU_HWPT_ALLOC_DIRTY_TRACKING`).
    pub fn has_dirty_ops(&self) -> bool {
        !field!(self, dirty_ops).is_null()
    }

    /// True if iommufd installed an I/O page-fault handler (a fault-capable HWPT).
    pub fn has_iopf_handler(&self) -> bool {
        field!(self, iopf_handler).is_some()
    }

    /// The page sizes the domain maps.
    pub fn pgsize_bitmap(&self) -> usize {
        field!(self, pgsize_bitmap)
    }

    /// The aperture: the first and last IOVA that can be mapped.
    pub fn aperture(&self) -> (u64, u64) {
        let g = field!(self, geometry);
        (g.aperture_start, g.aperture_end)
    }

    /// Translates `iova` through the domain; 0 if it is not mapped.
    pub fn iova_to_phys(&self, iova: u64) -> u64 {
        // SAFETY: The domain is valid; `iommu_iova_to_phys` accepts any domain type.
        unsafe { bindings::iommu_iova_to_phys(self.as_raw(), iova) }
    }

    #[inline]
    fn ops(&self) -> *const bindings::iommu_domain_ops {
        field!(self, ops)
    }

    /// The driver's paging domain, if this is one of type `T`.
    pub fn as_paging<T: PagingOps>(&self) -> Option<&PagingDomain<T>> {
        if !T::TABLE.owns(self.ops()) {
            return None;
        }
        // SAFETY: Only `PagingDomain<T>` installs `T::TABLE`'s operations, in a `static` (the contract of
        // `PagingTable::new()`), whose address no other type's table shares; the domain is the
        // first field of the page table, which is the first field of the `repr(C)`
        // `PagingDomain<T>`; it lives as long as `self`.
        Some(unsafe { &*self.as_raw().cast::<PagingDomain<T>>() })
    }

    /// The driver's nested domain, if this is one of type `T`.
    pub fn as_nested<T: NestedOps>(&self) -> Option<&NestedDomain<T>> {
        if !core::ptr::eq(self.ops(), T::TABLE.as_ptr()) {
            return None;
        }
        // SAFETY: Only `NestedDomain<T>` installs `T::TABLE`, a `static` (the contract of
        // `NestedTable::new()`) whose address no other type's table shares; the domain is the
        // first field of the `repr(C)` `NestedDomain<T>`; it lives as long as `self`.
        Some(unsafe { &*self.as_raw().cast::<NestedDomain<T>>() })
    }
}

/// Converts the arguments of an attach callback (`attach_dev`, `set_dev_pasid`).
///
/// # Safety
///
/// For `'a`: `domain` is a live domain whose Rust type is `X` (`Domain`, or the type whose
/// operations table it uses; all of them start with the `struct iommu_domain`), `dev` is a device
/// probed by `D` (the core calls domain operations only for devices of the domain's driver), and
/// `old` is NULL or a valid domain.
unsafe fn attach_args<'a, X, D: Driver>(
    domain: *mut bindings::iommu_domain,
    dev: *mut bindings::device,
    old: *mut bindings::iommu_domain,
) -> (&'a X, &'a ProbedDevice<D>, Option<&'a Domain>) {
    // SAFETY: This function's `# Safety` requirements: `domain` is live for `'a` and its Rust
    // type is `X`, which starts with the `struct iommu_domain`, so the cast reference is valid;
    // `dev` is valid and probed by `D` for `'a`, as `ProbedDevice::from_raw` needs; `old` is NULL
    // or valid and initialised for `'a`, as `Domain::from_raw_opt` needs.
    unsafe {
        (
            &*domain.cast::<X>(),
            ProbedDevice::from_raw(dev),
            Domain::from_raw_opt(old),
        )
    }
}

/// Operations of a driver's blocked or identity domain.
#[vtable]
pub trait StaticOps: Sized + 'static {
    /// The driver.
    type Driver: Driver;

    /// The operations table of this type, a `static`:
    /// `kernel::iommu_static_table!(StaticTable<MyType>)`.
    const TABLE: &'static StaticTable<Self>;

    /// Attaches `dev` (its RID) to the domain, replacing `old`.
    fn attach_dev(
        domain: &Domain,
        dev: &ProbedDevice<Self::Driver>,
        old: Option<&Domain>,
    ) -> Result;

    /// Attaches `pasid` of `dev` to the domain, replacing `old`.
    fn set_dev_pasid(
        _domain: &Domain,
        _dev: &ProbedDevice<Self::Driver>,
        _pasid: Pasid,
        _old: Option<&Domain>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The const `struct iommu_domain_ops` of a [`StaticOps`] type.
#[repr(transparent)]
pub struct StaticTable<T: StaticOps>(bindings::iommu_domain_ops, PhantomData<T>);

// SAFETY: The table is read-only.
unsafe impl<T: StaticOps> Sync for StaticTable<T> {}

impl<T: StaticOps> StaticTable<T> {
    /// Builds the table.
    ///
    /// # Safety
    ///
    /// The result initialises a `static` item (use
    /// [`iommu_static_table!`](crate::iommu_static_table)).
    pub const unsafe fn new() -> Self {
        Self(
            bindings::iommu_domain_ops {
                attach_dev: Some(Self::attach_dev),
                set_dev_pasid: if T::HAS_SET_DEV_PASID {
                    Some(Self::set_dev_pasid)
                } else {
                    None
                },
                ..pin_init::zeroed()
            },
            PhantomData,
        )
    }

    /// The C table.
    pub const fn as_ptr(&self) -> *const bindings::iommu_domain_ops {
        &self.0
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a domain using this table, a device of `T::Driver` and a
    /// valid or NULL `old`.
    unsafe extern "C" fn attach_dev(
        domain: *mut bindings::iommu_domain,
        dev: *mut bindings::device,
        old: *mut bindings::iommu_domain,
    ) -> c_int {
        // SAFETY: `domain` is a `StaticDomain` using this table (its `ops`, set only by
        // `StaticDomain::with_type`), a `static`, so valid for the call. `dev` is probed by
        // `T::Driver`: the core attaches after `domain_iommu_ops_compatible(dev_iommu_ops(dev),
        // domain)` (`__iommu_attach_group()`, `iommu_attach_device_pasid()`), which for a static
        // domain holds only if it is `dev_iommu_ops(dev)`'s own blocked or identity domain, or
        // uses `dev_iommu_ops(dev)`'s static domains directly (`iommu_deinit_device()`,
        // `iommu_remove_dev_pasid()`); a `StaticDomain<T::Driver>` can only be in
        // `T::Driver::OPS`. `old` is NULL or the domain the core still has attached (freed only
        // after it is replaced).
        let (d, dev, old) = unsafe { attach_args::<Domain, T::Driver>(domain, dev, old) };
        ret_of(T::attach_dev(d, dev, old))
    }

    /// # Safety
    ///
    /// As for `attach_dev`.
    unsafe extern "C" fn set_dev_pasid(
        domain: *mut bindings::iommu_domain,
        dev: *mut bindings::device,
        pasid: bindings::ioasid_t,
        old: *mut bindings::iommu_domain,
    ) -> c_int {
        // SAFETY: `domain` is a `StaticDomain` using this table (its `ops`, set only by
        // `StaticDomain::with_type`), a `static`, so valid for the call. `dev` is probed by
        // `T::Driver`: the core attaches after `domain_iommu_ops_compatible(dev_iommu_ops(dev),
        // domain)` (`__iommu_attach_group()`, `iommu_attach_device_pasid()`), which for a static
        // domain holds only if it is `dev_iommu_ops(dev)`'s own blocked or identity domain, or
        // uses `dev_iommu_ops(dev)`'s static domains directly (`iommu_deinit_device()`,
        // `iommu_remove_dev_pasid()`); a `StaticDomain<T::Driver>` can only be in
        // `T::Driver::OPS`. `old` is NULL or the domain the core still has attached (freed only
        // after it is replaced).
        let (d, dev, old) = unsafe { attach_args::<Domain, T::Driver>(domain, dev, old) };
        ret_of(T::set_dev_pasid(d, dev, pasid, old))
    }
}

/// A static blocked or identity domain of the driver `D`.
///
/// Typed by its driver: [`Driver::BLOCKED_DOMAIN`] and the other static-domain constants of `D`
/// only take a `StaticDomain<D>`, whose operations are those of a [`StaticOps`] type of `D`, so a
/// driver cannot name another driver's static domain (whose callbacks would misread this driver's
/// per-device data).
#[repr(transparent)]
pub struct StaticDomain<D: Driver>(Opaque<bindings::iommu_domain>, PhantomData<D>);

// SAFETY: The IOMMU core only reads static domains.
unsafe impl<D: Driver> Sync for StaticDomain<D> {}

impl<D: Driver> StaticDomain<D> {
    /// A blocked domain (`IOMMU_DOMAIN_BLOCKED`) with the operations of `T`.
    pub const fn blocked<T: StaticOps<Driver = D>>() -> Self {
        Self::with_type::<T>(bindings::IOMMU_DOMAIN_BLOCKED)
    }

    /// An identity domain (`IOMMU_DOMAIN_IDENTITY`) with the operations of `T`.
    pub const fn identity<T: StaticOps<Driver = D>>() -> Self {
        Self::with_type::<T>(bindings::IOMMU_DOMAIN_IDENTITY)
    }

    const fn with_type<T: StaticOps<Driver = D>>(type_: u32) -> Self {
        Self(
            Opaque::new(bindings::iommu_domain {
                type_,
                ops: T::TABLE.as_ptr(),
                ..pin_init::zeroed()
            }),
            PhantomData,
        )
    }

    /// The C pointer.
    pub const fn as_ptr(&'static self) -> *mut bindings::iommu_domain {
        self.0.get()
    }
}

/// Operations of a driver's paging domain.
#[vtable]
pub trait PagingOps: Sized + Send + Sync + 'static {
    /// The driver.
    type Driver: Driver<Paging = Self>;
    /// The page-table format.
    type Format: Format;

    /// The operations table of this type, a `static`:
    /// `kernel::iommu_static_table!(PagingTable<MyType>)`.
    const TABLE: &'static PagingTable<Self>;

    /// Attaches `dev` (its RID) to the domain, replacing `old`.
    fn attach_dev(
        domain: &PagingDomain<Self>,
        dev: &ProbedDevice<Self::Driver>,
        old: Option<&Domain>,
    ) -> Result;

    /// Attaches `pasid` of `dev` to the domain, replacing `old`.
    fn set_dev_pasid(
        _domain: &PagingDomain<Self>,
        _dev: &ProbedDevice<Self::Driver>,
        _pasid: Pasid,
        _old: Option<&Domain>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Flushes the whole IOTLB of the domain.
    fn flush_iotlb_all(_domain: &PagingDomain<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Flushes what an unmap gathered: the IOVA range of `gather` (C `iotlb_sync`). Page-table
    /// pages the unmap freed are released by the abstraction after this returns (or at once if
    /// the driver has no `iotlb_sync`).
    fn iotlb_sync(_domain: &PagingDomain<Self>, _gather: &Gather) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Invalidates every IOTLB entry of the domain, synchronously (C `iommu_flush_ops.tlb_flush_all`).
    ///
    /// Called by io-pgtable formats ([`super::lpae`]) when their table is freed; required for
    /// them (a build error otherwise), unused by generic_pt formats. May be called in atomic
    /// context: must not sleep.
    fn tlb_flush_all(_domain: &PagingDomain<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Invalidates the walk caches and the leaf entries of the IOVA range of `size` bytes at
    /// `iova`, whose table io-pgtable freed; `granule` is the leaf size in bytes (C
    /// `iommu_flush_ops.tlb_flush_walk`). Required for io-pgtable formats; must not sleep.
    fn tlb_flush_walk(_domain: &PagingDomain<Self>, _iova: usize, _size: usize, _granule: usize) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Queues the invalidation of the leaf entry of `granule` bytes at `iova` that io-pgtable
    /// cleared, usually with [`Gather::add_page`] for `iotlb_sync` (C
    /// `iommu_flush_ops.tlb_add_page`). Required for io-pgtable formats; must not sleep.
    fn tlb_add_page(
        _domain: &PagingDomain<Self>,
        _gather: Pin<&mut Gather>,
        _iova: usize,
        _granule: usize,
    ) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Makes every DMA through the domain snoop the CPU caches, whatever the device's no-snoop
    /// attribute, and keeps it so (C `enforce_cache_coherency`); true if the domain does. iommufd
    /// asks it of a new domain, before its first map, for a device whose driver reports
    /// [`Cap::EnforceCacheCoherency`](super::ops::Cap::EnforceCacheCoherency)
    /// (`iommufd_hwpt_paging_enforce_cc()`), and must then get true.
    fn enforce_cache_coherency(_domain: &PagingDomain<Self>) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Enables or disables dirty tracking. Only called for domains created with dirty tracking;
    /// required if the driver creates such domains.
    fn set_dirty_tracking(_domain: &PagingDomain<Self>, _enable: bool) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The const `struct iommu_domain_ops` and `struct iommu_dirty_ops` of a [`PagingOps`] type:
/// one pair, and for a format with a second kind of table ([`Format::SECOND_KIND`]) a second
/// pair with that kind's own operations.
pub struct PagingTable<T: PagingOps> {
    ops: bindings::iommu_domain_ops,
    dirty: bindings::iommu_dirty_ops,
    second_ops: bindings::iommu_domain_ops,
    second_dirty: bindings::iommu_dirty_ops,
    _p: PhantomData<T>,
}

// SAFETY: The tables are read-only.
unsafe impl<T: PagingOps> Sync for PagingTable<T> {}

impl<T: PagingOps> PagingTable<T> {
    /// Builds the tables.
    ///
    /// # Safety
    ///
    /// The result initialises a `static` item (use
    /// [`iommu_static_table!`](crate::iommu_static_table)).
    pub const unsafe fn new() -> Self {
        let (second_iova_to_phys, second_read_and_clear_dirty) = match T::Format::SECOND_KIND {
            Some(ops) => ops,
            None => (T::Format::IOVA_TO_PHYS, T::Format::READ_AND_CLEAR_DIRTY),
        };
        Self {
            ops: Self::domain_ops(T::Format::IOVA_TO_PHYS),
            dirty: Self::dirty_ops(T::Format::READ_AND_CLEAR_DIRTY),
            second_ops: Self::domain_ops(second_iova_to_phys),
            second_dirty: Self::dirty_ops(second_read_and_clear_dirty),
            _p: PhantomData,
        }
    }

    /// The domain operations, with the format's `iova_to_phys`.
    const fn domain_ops(iova_to_phys: IovaToPhysFn) -> bindings::iommu_domain_ops {
        bindings::iommu_domain_ops {
            attach_dev: Some(Self::attach_dev),
            set_dev_pasid: if T::HAS_SET_DEV_PASID {
                Some(Self::set_dev_pasid)
            } else {
                None
            },
            flush_iotlb_all: if T::HAS_FLUSH_IOTLB_ALL {
                Some(Self::flush_iotlb_all)
            } else {
                None
            },
            iotlb_sync: Some(Self::iotlb_sync),
            enforce_cache_coherency: if T::HAS_ENFORCE_CACHE_COHERENCY {
                Some(Self::enforce_cache_coherency)
            } else {
                None
            },
            iova_to_phys: Some(iova_to_phys),
            map_pages: match T::Format::MAP_UNMAP {
                Some((map, _)) => Some(map),
                None => None,
            },
            unmap_pages: match T::Format::MAP_UNMAP {
                Some((_, unmap)) => Some(unmap),
                None => None,
            },
            free: Some(Self::free),
            ..pin_init::zeroed()
        }
    }

    /// The dirty-tracking operations, with the format's `read_and_clear_dirty`.
    const fn dirty_ops(
        read_and_clear_dirty: Option<ReadAndClearDirtyFn>,
    ) -> bindings::iommu_dirty_ops {
        bindings::iommu_dirty_ops {
            set_dirty_tracking: if T::HAS_SET_DIRTY_TRACKING {
                Some(Self::set_dirty_tracking)
            } else {
                None
            },
            read_and_clear_dirty,
        }
    }

    /// The C domain operations (of the first kind of table).
    pub const fn as_ptr(&self) -> *const bindings::iommu_domain_ops {
        &self.ops
    }

    /// Whether `ops` are this table's domain operations, of either kind of table.
    pub fn owns(&self, ops: *const bindings::iommu_domain_ops) -> bool {
        core::ptr::eq(ops, &self.ops) || core::ptr::eq(ops, &self.second_ops)
    }

    /// The domain and dirty-tracking operations of a domain whose table is of the second kind
    /// (`second`) or not.
    fn ops_of(&self, second: bool) -> (&bindings::iommu_domain_ops, &bindings::iommu_dirty_ops) {
        if second {
            (&self.second_ops, &self.second_dirty)
        } else {
            (&self.ops, &self.dirty)
        }
    }

    /// # Safety
    ///
    /// `domain` uses this table, so it is the domain of a live `PagingDomain<T>`.
    unsafe fn domain<'a>(domain: *mut bindings::iommu_domain) -> &'a PagingDomain<T> {
        // SAFETY: By this function's `# Safety` requirement `domain` is the domain of a live
        // `PagingDomain<T>`, at offset 0: the first field of the table, itself the first field
        // of the `repr(C)` `PagingDomain<T>`.
        unsafe { &*domain.cast::<PagingDomain<T>>() }
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a domain using this table, a device of `T::Driver` and a
    /// valid or NULL `old`.
    unsafe extern "C" fn attach_dev(
        domain: *mut bindings::iommu_domain,
        dev: *mut bindings::device,
        old: *mut bindings::iommu_domain,
    ) -> c_int {
        // SAFETY: `domain` is the first field of a live `PagingDomain<T>`: the core reaches
        // `iommu_domain_ops` only through `domain->ops` (`__iommu_attach_device()`), which only
        // `PagingDomain::new` sets to `T::TABLE`, and frees it (`free`) only after detaching it.
        // `dev` is probed by `T::Driver`: the core attaches only after
        // `domain_iommu_ops_compatible(dev_iommu_ops(dev), domain)` (`__iommu_attach_group()`),
        // i.e. `domain->owner`, the ops whose `domain_alloc_paging_flags` made the domain
        // (`iommu_domain_init()`, `iommufd_hwpt_paging_alloc()`), is `dev_iommu_ops(dev)`; that is
        // `T::Driver::OPS` (`Driver<Paging = T>`), registered only by `Registration<T::Driver>`.
        // `old` is NULL or the domain the core still has attached (freed only after replacement).
        let (d, dev, old) = unsafe { attach_args::<_, T::Driver>(domain, dev, old) };
        ret_of(T::attach_dev(d, dev, old))
    }

    /// # Safety
    ///
    /// As for `attach_dev`.
    unsafe extern "C" fn set_dev_pasid(
        domain: *mut bindings::iommu_domain,
        dev: *mut bindings::device,
        pasid: bindings::ioasid_t,
        old: *mut bindings::iommu_domain,
    ) -> c_int {
        // SAFETY: `domain` is the first field of a live `PagingDomain<T>`:
        // `__iommu_set_group_pasid()` calls `domain->ops->set_dev_pasid`, and only
        // `PagingDomain::new` sets `domain->ops` to `T::TABLE`. `dev` is probed by `T::Driver`:
        // `iommu_attach_device_pasid()` and `iommu_replace_device_pasid()` check
        // `domain_iommu_ops_compatible(dev_iommu_ops(dev), domain)`, and `domain->owner` is
        // `T::Driver::OPS` (set by `iommu_domain_init()` or `iommufd_hwpt_paging_alloc()` for the
        // ops that allocated it). `old` is NULL or the PASID's current domain, which the core keeps
        // until it is replaced.
        let (d, dev, old) = unsafe { attach_args::<_, T::Driver>(domain, dev, old) };
        ret_of(T::set_dev_pasid(d, dev, pasid, old))
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a domain using this table.
    unsafe extern "C" fn flush_iotlb_all(domain: *mut bindings::iommu_domain) {
        // SAFETY: `iommu_flush_iotlb_all()` calls `domain->ops->flush_iotlb_all`, and only
        // `PagingDomain::new` sets `domain->ops` to `T::TABLE`, so `domain` is the domain of a
        // `PagingDomain<T>`, live while the caller uses it (it is freed only by `free`).
        T::flush_iotlb_all(unsafe { Self::domain(domain) })
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a domain using this table and the gather of an unmap.
    unsafe extern "C" fn iotlb_sync(
        domain: *mut bindings::iommu_domain,
        gather: *mut bindings::iommu_iotlb_gather,
    ) {
        if T::HAS_IOTLB_SYNC {
            // SAFETY: `iommu_iotlb_sync()` calls `domain->ops->iotlb_sync`, and only
            // `PagingDomain::new` sets `domain->ops` to `T::TABLE`, so `domain` is the domain of
            // a `PagingDomain<T>`, live during the unmap that gathered (freed only by `free`).
            // `gather` is the caller's initialised gather of that unmap (`iommu_unmap()`,
            // `iommu_iotlb_sync()`), valid for the call; it is only read through the shared
            // reference.
            let (d, g) = unsafe { (Self::domain(domain), &*Gather::from_raw(gather)) };
            T::iotlb_sync(d, g);
        }
        // SAFETY: `gather` is the caller's `struct iommu_iotlb_gather` of the unmap, passed by
        // `iommu_iotlb_sync()` (e.g. from `iommu_unmap()`) and valid for the call; generic_pt put
        // the table pages it unmapped on its `freelist`, and after `T::iotlb_sync` above (or with
        // no IOTLB to sync) nothing refers to them.
        unsafe { bindings::iommu_put_pages_list(&raw mut (*gather).freelist) };
    }

    /// # Safety
    ///
    /// Called by iommufd with a domain using this table.
    unsafe extern "C" fn enforce_cache_coherency(domain: *mut bindings::iommu_domain) -> bool {
        // SAFETY: `iommufd_hwpt_paging_enforce_cc()` (and the Rust HWPT layer) calls
        // `domain->ops->enforce_cache_coherency` for the domain of a HWPT it holds, and only
        // `PagingDomain::new` sets `domain->ops` to `T::TABLE`'s, so `domain` is the domain of a
        // live `PagingDomain<T>`.
        T::enforce_cache_coherency(unsafe { Self::domain(domain) })
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a domain using this table that has dirty ops.
    unsafe extern "C" fn set_dirty_tracking(
        domain: *mut bindings::iommu_domain,
        en: bool,
    ) -> c_int {
        // SAFETY: `iopt_set_dirty_tracking()` calls `domain->dirty_ops->set_dirty_tracking`, and
        // only `PagingDomain::new` sets `dirty_ops` to `T::TABLE.dirty`, so `domain` is the
        // domain of a `PagingDomain<T>`, kept by the HWPT iommufd holds for the ioctl.
        let d = unsafe { Self::domain(domain) };
        ret_of(T::set_dirty_tracking(d, en))
    }

    /// # Safety
    ///
    /// Called once by the IOMMU core, when `domain` is no longer used, with a domain of this
    /// table (allocated by [`PagingDomain::new`] and given to the core as a raw pointer).
    unsafe extern "C" fn free(domain: *mut bindings::iommu_domain) {
        // SAFETY: `PagingDomain::into_raw` gave the core this pointer from a `Pin<KBox<_>>`; the
        // core gives up its last use of it here.
        drop(unsafe { Pin::new_unchecked(KBox::from_raw(domain.cast::<PagingDomain<T>>())) });
    }
}

/// Options of a new paging domain.
#[derive(Clone, Copy, Default)]
pub struct PagingOptions {
    /// Install the dirty-tracking operations (`IOMMU_HWPT_ALLOC_DIRTY_TRACKING`).
    pub dirty_tracking: bool,
    /// Narrow the aperture to `[start, last]`; `EINVAL` unless it is inside the table's range.
    pub aperture: Option<(u64, u64)>,
    /// Replace the page sizes the page table offers.
    pub pgsize_bitmap: Option<u64>,
}

/// A paging domain: a generic_pt page table of format `T::Format` whose first member is the
/// `struct iommu_domain`, followed by the driver's data `T`.
///
/// # Invariants
///
/// - `table` was initialised by `T::Format::init`, `table.domain.ops` is one of `T::TABLE`'s
///   (the one of its kind of table); the table is deinitialised only on drop.
/// - The allocation came from a `Pin<KBox<Self>>`; once published through [`Self::into_raw`] it
///   is freed only by the `free` operation.
#[repr(C)]
#[pin_data(PinnedDrop)]
pub struct PagingDomain<T: PagingOps> {
    #[pin]
    table: Opaque<<T::Format as Format>::Table>,
    #[pin]
    data: T,
}

// SAFETY: The page table is safe to use from any thread (generic_pt's range locking is the
// caller's, the core's); `T` is `Send + Sync`.
unsafe impl<T: PagingOps> Send for PagingDomain<T> {}
// SAFETY: `&PagingDomain<T>` gives `&T` (`T: Sync`) and the page table, whose ops generic_pt
// allows from concurrent threads under a caller-provided VA range lock (the DOC of
// `include/linux/generic_pt/iommu.h`), which the core and iommufd provide as for any driver.
unsafe impl<T: PagingOps> Sync for PagingDomain<T> {}

impl<T: PagingOps> PagingDomain<T> {
    /// Allocates a paging domain with a new, empty page table of `cfg`.
    pub fn new(
        cfg: &<T::Format as Format>::Config,
        opts: PagingOptions,
        data: impl PinInit<T, Error>,
    ) -> Result<Pin<KBox<Self>>> {
        // Dirty ops without `set_dirty_tracking` (or a table that cannot read dirty bits) would
        // hand iommufd a NULL operation.
        if opts.dirty_tracking
            && (!T::HAS_SET_DIRTY_TRACKING || T::Format::READ_AND_CLEAR_DIRTY.is_none())
        {
            return Err(EOPNOTSUPP);
        }
        let table_init = Opaque::try_ffi_init(|table: *mut <T::Format as Format>::Table| {
            // SAFETY: `table` points to memory for the table; all zeroes is its uninitialised
            // state (`pt_iommu_deinit()` is then a no-op).
            unsafe { core::ptr::write_bytes(table, 0, 1) };
            // SAFETY: `table` is zeroed memory for the format's table, the first field of the
            // `repr(C)` `Self`, pinned in its box until drop, where `deinit` runs; `data` is
            // initialised before it (the initialiser below). On error nothing was allocated.
            unsafe { T::Format::init::<T>(table, cfg) }
        });
        let mut this = KBox::pin_init(
            try_pin_init!(Self {
                data <- data,
                table <- table_init,
            }),
            GFP_KERNEL,
        )?;
        let dom = this.domain().as_raw();
        // INVARIANT: The operations of the table's kind.
        let (ops, dirty) =
            T::TABLE.ops_of(T::Format::SECOND_KIND.is_some() && T::Format::is_second_kind(cfg));
        // SAFETY: The domain was initialised by the format and is not published yet: `this` is
        // its only user. Both tables live in the static `T::TABLE`.
        unsafe {
            (*dom).type_ = bindings::IOMMU_DOMAIN_UNMANAGED;
            (*dom).ops = ops;
            if opts.dirty_tracking {
                (*dom).dirty_ops = dirty;
            }
            if let Some((start, last)) = opts.aperture {
                let g = &mut (*dom).geometry;
                if start > last || start < g.aperture_start || last > g.aperture_end {
                    return Err(EINVAL);
                }
                g.aperture_start = start;
                g.aperture_end = last;
            }
            if let Some(bitmap) = opts.pgsize_bitmap {
                (*dom).pgsize_bitmap = bitmap as usize;
            }
        }
        let _ = &mut this;
        Ok(this)
    }

    /// The domain.
    pub fn domain(&self) -> &Domain {
        // SAFETY: The domain is the first member of the table, which is initialised (type
        // invariant).
        unsafe { Domain::from_raw(self.table.get().cast()) }
    }

    /// The hardware information of the page table (`pt_iommu_<fmt>_hw_info()`): the root the
    /// IOMMU is programmed with (a physical address) and the table's shape.
    pub fn hw_info(&self) -> <T::Format as FormatHwInfo>::HwInfo
    where
        T::Format: FormatHwInfo,
    {
        // SAFETY: The table is initialised (type invariant) and deinitialised only on drop.
        unsafe { <T::Format as FormatHwInfo>::hw_info(self.table.get()) }
    }

    /// Makes the leaves that maps write from now on set SNP, on a second-stage table
    /// ([`super::pt::Vtd::force_coherence`]); false for a first-stage one.
    ///
    /// # Safety
    ///
    /// No map or unmap of the domain runs concurrently (maps read the table's features).
    #[cfg(all(CONFIG_IOMMU_PT_X86_64 = "y", CONFIG_IOMMU_PT_VTDSS = "y"))]
    pub unsafe fn vtd_force_coherence(&self) -> bool
    where
        T: PagingOps<Format = super::pt::Vtd>,
    {
        // SAFETY: The table is initialised (type invariant) and deinitialised only on drop; no
        // map runs concurrently (this function's `# Safety` section).
        unsafe { super::pt::Vtd::force_coherence(self.table.get()) }
    }

    /// Marks `iova` dirty in the page table, as the hardware would on a DMA write. Only meant for
    /// the iommufd selftest, as in C.
    ///
    /// # Errors
    ///
    /// `EOPNOTSUPP` if the format does not track dirty pages; the format's errors.
    pub fn set_dirty(&self, iova: u64) -> Result {
        // SAFETY: The table is initialised (type invariant) and deinitialised only on drop.
        unsafe { T::Format::set_dirty(self.table.get(), iova) }
    }

    /// The paging domain whose table is `table`.
    ///
    /// # Safety
    ///
    /// `table` is the `table` field of a `PagingDomain<T>` live for `'a`.
    #[cfg_attr(not(CONFIG_IOMMU_IO_PGTABLE_LPAE), allow(dead_code))]
    pub(crate) unsafe fn from_table<'a>(table: *mut <T::Format as Format>::Table) -> &'a Self {
        // SAFETY: `table` is the first field of the `repr(C)` `Self` (this function's `# Safety`
        // section), so its address is the domain's; `Opaque<X>` has the layout of `X`.
        unsafe { &*table.cast::<Self>() }
    }

    /// The table of the domain.
    #[cfg_attr(not(CONFIG_IOMMU_IO_PGTABLE_LPAE), allow(dead_code))]
    pub(crate) fn table_ptr(&self) -> *mut <T::Format as Format>::Table {
        self.table.get()
    }

    /// Hands the domain to the IOMMU core.
    pub(crate) fn into_raw(this: Pin<KBox<Self>>) -> *mut bindings::iommu_domain {
        // SAFETY: The core does not move the domain; it gives it back to `free`.
        KBox::into_raw(unsafe { Pin::into_inner_unchecked(this) }).cast()
    }
}

impl<T: PagingOps> Deref for PagingDomain<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

#[pinned_drop]
impl<T: PagingOps> PinnedDrop for PagingDomain<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: The domain is no longer used by the hardware or the core (it is being freed);
        // the table was initialised (type invariant) and is deinitialised only here, while
        // `data` is still live (fields are dropped after this).
        unsafe { T::Format::deinit(self.table.get()) };
    }
}

/// Operations of a driver's nested domain.
#[vtable]
pub trait NestedOps: Sized + Send + Sync + 'static {
    /// The driver.
    type Driver: Driver<Nested = Self>;

    /// The operations table of this type, a `static`:
    /// `kernel::iommu_static_table!(NestedTable<MyType>)`.
    const TABLE: &'static NestedTable<Self>;

    /// Attaches `dev` (its RID) to the domain, replacing `old`.
    fn attach_dev(
        domain: &NestedDomain<Self>,
        dev: &ProbedDevice<Self::Driver>,
        old: Option<&Domain>,
    ) -> Result;

    /// Attaches `pasid` of `dev` to the domain, replacing `old`.
    fn set_dev_pasid(
        _domain: &NestedDomain<Self>,
        _dev: &ProbedDevice<Self::Driver>,
        _pasid: Pasid,
        _old: Option<&Domain>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Invalidates stage-1 caches as the entries of `array` say. The number of entries handled is
    /// reported to the user through `array` on every exit path (see [`UserDataArray`]).
    fn cache_invalidate_user(
        _domain: &NestedDomain<Self>,
        _array: &mut UserDataArray<'_>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The const `struct iommu_domain_ops` of a [`NestedOps`] type.
#[repr(transparent)]
pub struct NestedTable<T: NestedOps>(bindings::iommu_domain_ops, PhantomData<T>);

// SAFETY: The table is read-only.
unsafe impl<T: NestedOps> Sync for NestedTable<T> {}

impl<T: NestedOps> NestedTable<T> {
    /// Builds the table.
    ///
    /// # Safety
    ///
    /// The result initialises a `static` item (use
    /// [`iommu_static_table!`](crate::iommu_static_table)).
    pub const unsafe fn new() -> Self {
        Self(
            bindings::iommu_domain_ops {
                attach_dev: Some(Self::attach_dev),
                set_dev_pasid: if T::HAS_SET_DEV_PASID {
                    Some(Self::set_dev_pasid)
                } else {
                    None
                },
                cache_invalidate_user: if T::HAS_CACHE_INVALIDATE_USER {
                    Some(Self::cache_invalidate_user)
                } else {
                    None
                },
                free: Some(Self::free),
                ..pin_init::zeroed()
            },
            PhantomData,
        )
    }

    /// The C table.
    pub const fn as_ptr(&self) -> *const bindings::iommu_domain_ops {
        &self.0
    }

    /// # Safety
    ///
    /// `domain` uses this table, so it is the domain of a live `NestedDomain<T>`.
    unsafe fn domain<'a>(domain: *mut bindings::iommu_domain) -> &'a NestedDomain<T> {
        // SAFETY: By this function's `# Safety` requirement `domain` is the domain of a live
        // `NestedDomain<T>`, its first field (offset 0 of the `repr(C)` struct).
        unsafe { &*domain.cast::<NestedDomain<T>>() }
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a domain using this table, a device of `T::Driver` and a
    /// valid or NULL `old`.
    unsafe extern "C" fn attach_dev(
        domain: *mut bindings::iommu_domain,
        dev: *mut bindings::device,
        old: *mut bindings::iommu_domain,
    ) -> c_int {
        // SAFETY: `domain` is the first field of a live `NestedDomain<T>`: the core reaches
        // `iommu_domain_ops` only through `domain->ops` (`__iommu_attach_device()`), which only
        // `NestedDomain::alloc` sets to `T::TABLE`, and iommufd frees the domain (`free`, from
        // `iommufd_hwpt_nested_destroy()`) only after detaching it. `dev` is probed by
        // `T::Driver`: `__iommu_attach_group()` checks `domain_iommu_ops_compatible(
        // dev_iommu_ops(dev), domain)`, and iommufd set `domain->owner` to the ops that made it
        // (`iommufd_hwpt_nested_alloc()`, `iommufd_viommu_alloc_hwpt_nested()`), `T::Driver::OPS`.
        // `old` is NULL or the domain the core still has attached (freed only after replacement).
        let (d, dev, old) = unsafe { attach_args::<_, T::Driver>(domain, dev, old) };
        ret_of(T::attach_dev(d, dev, old))
    }

    /// # Safety
    ///
    /// As for `attach_dev`.
    unsafe extern "C" fn set_dev_pasid(
        domain: *mut bindings::iommu_domain,
        dev: *mut bindings::device,
        pasid: bindings::ioasid_t,
        old: *mut bindings::iommu_domain,
    ) -> c_int {
        // SAFETY: `domain` is the first field of a live `NestedDomain<T>`:
        // `__iommu_set_group_pasid()` calls `domain->ops->set_dev_pasid`, and only
        // `NestedDomain::alloc` sets `domain->ops` to `T::TABLE`. `dev` is probed by `T::Driver`:
        // `iommu_attach_device_pasid()` and `iommu_replace_device_pasid()` check
        // `domain_iommu_ops_compatible(dev_iommu_ops(dev), domain)`, and iommufd set
        // `domain->owner` to `T::Driver::OPS`, the ops that allocated it. `old` is NULL or the
        // PASID's current domain, which the core keeps until replaced.
        let (d, dev, old) = unsafe { attach_args::<_, T::Driver>(domain, dev, old) };
        ret_of(T::set_dev_pasid(d, dev, pasid, old))
    }

    /// # Safety
    ///
    /// Called by iommufd with a domain using this table and a valid array.
    unsafe extern "C" fn cache_invalidate_user(
        domain: *mut bindings::iommu_domain,
        array: *mut bindings::iommu_user_data_array,
    ) -> c_int {
        // SAFETY: `iommufd_hwpt_invalidate()` calls `hwpt->domain->ops->cache_invalidate_user`
        // for a nested HWPT it holds (`iommufd_get_object()`), and only `NestedDomain::alloc`
        // sets `domain->ops` to `T::TABLE`: `domain` is the domain of a live `NestedDomain<T>`.
        let d = unsafe { Self::domain(domain) };
        // SAFETY: `iommufd_hwpt_invalidate()` passes its on-stack `data_array`, valid and not
        // otherwise accessed for the call; `UserDataArray` writes the handled count back when
        // dropped, before this returns, and `iommufd_hwpt_invalidate()` reads it afterwards.
        let mut array = unsafe { UserDataArray::from_raw(array) };
        ret_of(T::cache_invalidate_user(d, &mut array))
    }

    /// # Safety
    ///
    /// Called once by the IOMMU core with a domain of this table that it no longer uses.
    unsafe extern "C" fn free(domain: *mut bindings::iommu_domain) {
        // SAFETY: `domain->ops` is `T::TABLE` only for domains `NestedDomain::into_raw` gave the
        // core from a `Pin<KBox<NestedDomain<T>>>`; `iommu_domain_free()` (from
        // `__iommufd_hwpt_destroy()`) calls `free` once, after its last use of the domain.
        drop(unsafe { Pin::new_unchecked(KBox::from_raw(domain.cast::<NestedDomain<T>>())) });
    }
}

/// A nested (user-managed stage-1) domain: the `struct iommu_domain`, the paging parent it
/// translates through, and the driver's data `T`.
///
/// # Invariants
///
/// - `domain` is initialised with type `IOMMU_DOMAIN_NESTED` and operations `T::TABLE`.
/// - `parent` points to a paging domain that outlives this domain: iommufd holds a reference on
///   the parent HWPT (`hwpt_nested->parent`, or the vIOMMU's `hwpt`, which the nested HWPT's
///   vIOMMU reference keeps) until the nested HWPT, and so this domain, is destroyed.
/// - `viommu`, if set, points to the vIOMMU the domain was allocated on, which iommufd keeps
///   (`hwpt_nested->viommu`) until the nested HWPT is destroyed.
#[repr(C)]
#[pin_data]
pub struct NestedDomain<T: NestedOps> {
    domain: Opaque<bindings::iommu_domain>,
    parent: NonNull<PagingDomain<<T::Driver as Driver>::Paging>>,
    viommu: Option<NonNull<Viommu<<T::Driver as Driver>::Viommu>>>,
    #[pin]
    data: T,
}

// SAFETY: The parent is `Sync` (a `PagingDomain`), the domain is only read, `T` is `Send + Sync`.
unsafe impl<T: NestedOps> Send for NestedDomain<T> {}
// SAFETY: `&NestedDomain<T>` gives `&T` (`T: Sync`), the parent `PagingDomain` (which is
// `Sync`), the vIOMMU (its data is `Sync`) and the domain, whose fields it only reads.
unsafe impl<T: NestedOps> Sync for NestedDomain<T> {}

impl<T: NestedOps> NestedDomain<T> {
    /// Allocates a nested domain on `parent`.
    ///
    /// Only the abstraction creates nested domains, from a parent the IOMMU core passed to
    /// `domain_alloc_nested` or a vIOMMU's parent, so that the invariant on the parent's lifetime
    /// holds.
    pub(crate) fn new(
        parent: &PagingDomain<<T::Driver as Driver>::Paging>,
        data: impl PinInit<T, Error>,
    ) -> Result<Pin<KBox<Self>>> {
        Self::alloc(parent, None, data)
    }

    /// Allocates a nested domain on the parent of `viommu`.
    pub(crate) fn new_on_viommu(
        viommu: &Viommu<<T::Driver as Driver>::Viommu>,
        data: impl PinInit<T, Error>,
    ) -> Result<Pin<KBox<Self>>> {
        Self::alloc(viommu.parent(), Some(NonNull::from(viommu)), data)
    }

    fn alloc(
        parent: &PagingDomain<<T::Driver as Driver>::Paging>,
        viommu: Option<NonNull<Viommu<<T::Driver as Driver>::Viommu>>>,
        data: impl PinInit<T, Error>,
    ) -> Result<Pin<KBox<Self>>> {
        KBox::pin_init(
            try_pin_init!(Self {
                domain: Opaque::new(bindings::iommu_domain {
                    type_: bindings::IOMMU_DOMAIN_NESTED,
                    ops: T::TABLE.as_ptr(),
                    ..pin_init::zeroed()
                }),
                parent: NonNull::from(parent),
                viommu,
                data <- data,
            }),
            GFP_KERNEL,
        )
    }

    /// The domain.
    pub fn domain(&self) -> &Domain {
        // SAFETY: Initialised (type invariant), lives as long as `self`.
        unsafe { Domain::from_raw(self.domain.get()) }
    }

    /// The paging parent (stage 2).
    pub fn parent(&self) -> &PagingDomain<<T::Driver as Driver>::Paging> {
        // SAFETY: The parent outlives `self` (type invariant).
        unsafe { self.parent.as_ref() }
    }

    pub(crate) fn viommu_ptr(&self) -> Option<NonNull<Viommu<<T::Driver as Driver>::Viommu>>> {
        self.viommu
    }

    pub(crate) fn into_raw(this: Pin<KBox<Self>>) -> *mut bindings::iommu_domain {
        // SAFETY: The core does not move the domain; it gives it back to `free`.
        KBox::into_raw(unsafe { Pin::into_inner_unchecked(this) }).cast()
    }
}

impl<T: NestedOps> Deref for NestedDomain<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

/// Defines, in a module, a test driver whose paging domains use the generic_pt format `$fmt`.
#[cfg(CONFIG_IOMMUFD_TEST)]
macro_rules! format_test_driver {
    ($m:ident, $fmt:ty) => {
        mod $m {
            use crate::{
                device::Device,
                iommu::{
                    device::{ProbeInstances, ProbedDevice},
                    domain::*,
                    ops::{Driver, OpsTable, Probed},
                    viommu::{ViommuOps, ViommuTable},
                },
            };

            pub(crate) struct Drv;
            pub(crate) struct Paging;
            pub(crate) struct Nested;
            pub(crate) struct Viommu;

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
                type Format = $fmt;
                const TABLE: &'static PagingTable<Self> =
                    crate::iommu_static_table!(PagingTable<Paging>);

                fn attach_dev(
                    _domain: &PagingDomain<Self>,
                    _dev: &ProbedDevice<Drv>,
                    _old: Option<&Domain>,
                ) -> Result {
                    Err(EINVAL)
                }
            }

            #[vtable]
            impl NestedOps for Nested {
                type Driver = Drv;
                const TABLE: &'static NestedTable<Self> =
                    crate::iommu_static_table!(NestedTable<Nested>);

                fn attach_dev(
                    _domain: &NestedDomain<Self>,
                    _dev: &ProbedDevice<Drv>,
                    _old: Option<&Domain>,
                ) -> Result {
                    Err(EINVAL)
                }
            }

            #[vtable]
            impl ViommuOps for Viommu {
                type Driver = Drv;
                type HwQueue = ();
                type Vdevice = ();
                const TABLE: &'static ViommuTable<Self> =
                    crate::iommu_static_table!(ViommuTable<Viommu>);
            }
        }
    };
}

#[cfg(CONFIG_IOMMUFD_TEST)]
#[kunit_tests(rust_iommu_domain)]
mod tests {
    use super::*;
    use crate::iommu::pt::{AmdV1Config, CommonConfig};

    format_test_driver!(amdv1, crate::iommu::pt::AmdV1Mock);
    pub(super) use amdv1::{Drv as TestDriver, Nested as TestNested, Paging as TestPaging};

    /// The selftest mock's table: 2 KiB pages, 56-bit input, starting at level 2.
    fn new(opts: PagingOptions) -> Result<Pin<KBox<PagingDomain<TestPaging>>>> {
        let cfg = AmdV1Config {
            common: CommonConfig {
                features: 0,
                hw_max_vasz_lg2: 56,
                hw_max_oasz_lg2: 51,
            },
            starting_level: 2,
        };
        PagingDomain::new(&cfg, opts, Ok::<_, Error>(TestPaging))
    }

    #[test]
    fn paging_domain_is_a_paging_domain_of_its_type() -> Result {
        let d = new(PagingOptions::default())?;
        let dom = d.domain();
        assert_eq!(dom.domain_type(), bindings::IOMMU_DOMAIN_UNMANAGED);
        assert!(dom.is_paging());
        assert!(!dom.is_nested());
        assert!(!dom.is_blocked());
        assert!(!dom.has_dirty_ops());
        assert!(!dom.has_iopf_handler());
        // 2 KiB is the smallest page of the mock format.
        assert_eq!(dom.pgsize_bitmap().trailing_zeros(), 11);
        assert!(core::ptr::eq(dom.as_paging::<TestPaging>().unwrap(), &*d));
        assert!(dom.as_nested::<TestNested>().is_none());
        // The top level of the table bounds the aperture (the C mock narrows it to 2 GiB).
        let (start, last) = dom.aperture();
        assert_eq!(start, 0);
        assert!(last >= (1 << 31) - 1);
        assert!((last + 1).is_power_of_two());
        Ok(())
    }

    #[test]
    fn aperture_and_page_sizes_can_be_narrowed() -> Result {
        let opts = PagingOptions {
            aperture: Some((1 << 24, (1 << 31) - 1)),
            pgsize_bitmap: Some(0x1000 | 0x10_0000),
            ..Default::default()
        };
        let d = new(opts)?;
        assert_eq!(d.domain().aperture(), (1 << 24, (1 << 31) - 1));
        assert_eq!(d.domain().pgsize_bitmap(), 0x1000 | 0x10_0000);
        Ok(())
    }

    #[test]
    fn aperture_outside_the_table_is_rejected() {
        for ap in [(10, 5), (0, u64::MAX), (1 << 56, (1 << 56) + 10)] {
            let opts = PagingOptions {
                aperture: Some(ap),
                ..Default::default()
            };
            assert_eq!(new(opts).err(), Some(EINVAL));
        }
    }

    #[test]
    fn dirty_tracking_needs_set_dirty_tracking() {
        let opts = PagingOptions {
            dirty_tracking: true,
            ..Default::default()
        };
        assert_eq!(new(opts).err(), Some(EOPNOTSUPP));
    }

    #[test]
    fn map_translate_unmap() -> Result {
        let d = new(PagingOptions::default())?;
        let dom = d.domain().as_raw();
        let (iova, phys, len) = (0x20_0000u64, 0x4000_0000u64, 0x4000usize);
        let prot = (bindings::IOMMU_READ | bindings::IOMMU_WRITE) as i32;
        // SAFETY: `dom` is a valid, unattached paging domain; mapping does not touch `phys`.
        let ret = unsafe {
            bindings::iommu_map(dom, iova as usize, phys, len, prot, GFP_KERNEL.as_raw())
        };
        assert_eq!(ret, 0);
        assert_eq!(d.domain().iova_to_phys(iova), phys);
        assert_eq!(d.domain().iova_to_phys(iova + 0x2804), phys + 0x2804);
        assert_eq!(d.domain().iova_to_phys(iova + len as u64), 0);
        // SAFETY: `dom` is still the valid, unattached paging domain mapped above; the unmap
        // goes through the table's `iotlb_sync`, which frees the
        // table pages it released.
        let unmapped = unsafe { bindings::iommu_unmap(dom, iova as usize, len) };
        assert_eq!(unmapped, len);
        assert_eq!(d.domain().iova_to_phys(iova), 0);
        Ok(())
    }
}

/// The registration of an IOMMU instance: created registered, unregistered on drop.
#[cfg(CONFIG_IOMMUFD_TEST)]
#[kunit_tests(rust_iommu_registration)]
mod registration_tests {
    use super::tests::TestDriver;
    use crate::{
        device::{Bound, Device},
        faux,
        iommu::{
            device::{Options, Registration},
            ops::Driver,
        },
        prelude::*,
    };

    /// Registers an instance under `parent` and checks what the core holds of it.
    fn register_and_check(parent: &Device<Bound>, max_pasids: u32) -> Result {
        let reg = KBox::pin_init(
            Registration::<TestDriver>::new(parent, Options { max_pasids }, Ok::<_, Error>(())),
            GFP_KERNEL,
        )?;
        let raw = reg.instance_ref().as_raw();
        // SAFETY: `raw` is the `struct iommu_device` of `reg`, which is registered and alive until
        // the end of this function; the fields read are written only during registration.
        let (ops, ready, dev, pasids) =
            unsafe { ((*raw).ops, (*raw).ready, (*raw).dev, (*raw).max_pasids) };
        assert!(core::ptr::eq(ops, TestDriver::OPS.as_ptr()));
        assert!(ready);
        assert!(!dev.is_null());
        assert_eq!(pasids, max_pasids);
        Ok(())
    }

    #[test]
    fn registration_lifecycle() -> Result {
        let faux = faux::Registration::new(c"riommu-kunit-iommu", None)?;
        let parent: &Device<Bound> = faux.as_ref().as_ref();
        // The sysfs entry is named after the parent: the second registration only succeeds if
        // the drop of the first removed the entry (and unregistered the instance before).
        register_and_check(parent, 16)?;
        register_and_check(parent, 0)?;
        Ok(())
    }
}

/// Paging domains on the VT-d formats of generic_pt: map, translate, unmap, hardware information.
#[cfg(all(
    CONFIG_IOMMUFD_TEST,
    CONFIG_IOMMU_PT_X86_64 = "y",
    CONFIG_IOMMU_PT_VTDSS = "y"
))]
#[kunit_tests(rust_iommu_pt_formats)]
mod format_tests {
    use super::*;
    use crate::iommu::pt::{features, CommonConfig, TopLevelConfig};

    format_test_driver!(fs, crate::iommu::pt::X86_64);
    format_test_driver!(ss, crate::iommu::pt::VtdSs);
    format_test_driver!(vtd, crate::iommu::pt::Vtd);

    const SZ_4K: usize = 0x1000;
    const SZ_2M: usize = 0x20_0000;

    /// Maps a 4 KiB page and a 2 MiB page into `dom`, checks their translations (at the page,
    /// inside it, past it), unmaps both and checks that nothing translates any more.
    fn round_trip(dom: &Domain) {
        let prot = (bindings::IOMMU_READ | bindings::IOMMU_WRITE) as i32;
        let maps = [
            (0x1000_0000usize, 0x8000_0000u64, SZ_4K),
            (0x4000_0000usize, 0x1_0020_0000u64, SZ_2M),
        ];
        for &(iova, phys, len) in &maps {
            // SAFETY: `dom` is a valid, unattached paging domain; mapping does not touch `phys`.
            let ret = unsafe {
                bindings::iommu_map(dom.as_raw(), iova, phys, len, prot, GFP_KERNEL.as_raw())
            };
            assert_eq!(ret, 0);
        }
        for &(iova, phys, len) in &maps {
            let iova = iova as u64;
            assert_eq!(dom.iova_to_phys(iova), phys);
            assert_eq!(
                dom.iova_to_phys(iova + len as u64 - 8),
                phys + len as u64 - 8
            );
            assert_eq!(dom.iova_to_phys(iova + len as u64), 0);
        }
        for &(iova, _, len) in &maps {
            // SAFETY: `dom` is a valid, unattached paging domain (no DMA uses it); the unmap goes
            // through the table's `iotlb_sync`, which frees the table pages it released.
            let unmapped = unsafe { bindings::iommu_unmap(dom.as_raw(), iova, len) };
            assert_eq!(unmapped, len);
            assert_eq!(dom.iova_to_phys(iova as u64), 0);
        }
    }

    #[test]
    fn x86_64_first_stage() -> Result {
        // As `intel_iommu_domain_alloc_first_stage()`: 4 levels, 48-bit sign-extended input.
        let cfg = TopLevelConfig {
            common: CommonConfig {
                features: features::SIGN_EXTEND | features::FLUSH_RANGE,
                hw_max_vasz_lg2: 48,
                hw_max_oasz_lg2: 52,
            },
            top_level: 3,
        };
        let d = PagingDomain::<fs::Paging>::new(
            &cfg,
            PagingOptions::default(),
            Ok::<_, Error>(fs::Paging),
        )?;
        let info = d.hw_info();
        assert_eq!(info.levels, 4);
        assert_ne!(info.gcr3_pt, 0);
        assert_eq!(info.gcr3_pt % SZ_4K as u64, 0);
        assert_eq!(d.domain().pgsize_bitmap() & (SZ_4K | SZ_2M), SZ_4K | SZ_2M);
        round_trip(d.domain());
        // The root does not move.
        assert_eq!(d.hw_info(), info);
        Ok(())
    }

    #[test]
    fn vtd_second_stage() -> Result {
        // As `intel_iommu_domain_alloc_second_stage()` for a 48-bit unit.
        let cfg = TopLevelConfig {
            common: CommonConfig {
                features: features::FLUSH_RANGE,
                hw_max_vasz_lg2: 48,
                hw_max_oasz_lg2: 52,
            },
            top_level: 3,
        };
        let d = PagingDomain::<ss::Paging>::new(
            &cfg,
            PagingOptions::default(),
            Ok::<_, Error>(ss::Paging),
        )?;
        let info = d.hw_info();
        // AW = 2: a 4-level, 48-bit table (VT-d spec 9.7, the SLPTR's AW field).
        assert_eq!(info.aw, 2);
        assert_ne!(info.ssptptr, 0);
        assert_eq!(info.ssptptr % SZ_4K as u64, 0);
        round_trip(d.domain());
        Ok(())
    }

    #[test]
    fn vtd_either_stage() -> Result {
        use crate::iommu::pt::{VtdConfig, VtdHwInfo, VtdStage};
        // One format, the stage chosen per domain: each table translates through its own
        // format's walker and reports its own hardware information.
        for (stage, features) in [
            (
                VtdStage::First,
                features::SIGN_EXTEND | features::FLUSH_RANGE,
            ),
            (VtdStage::Second, features::FLUSH_RANGE),
        ] {
            let cfg = VtdConfig {
                stage,
                table: TopLevelConfig {
                    common: CommonConfig {
                        features,
                        hw_max_vasz_lg2: 48,
                        hw_max_oasz_lg2: 52,
                    },
                    top_level: 3,
                },
                dma_dev: None,
            };
            let d = PagingDomain::<vtd::Paging>::new(
                &cfg,
                PagingOptions::default(),
                Ok::<_, Error>(vtd::Paging),
            )?;
            match (stage, d.hw_info()) {
                (VtdStage::First, VtdHwInfo::First(i)) => assert_eq!(i.levels, 4),
                (VtdStage::Second, VtdHwInfo::Second(i)) => assert_eq!(i.aw, 2),
                _ => assert!(false),
            }
            round_trip(d.domain());
            // An incoherent table needs a device (`struct pt_iommu.iommu_device`).
            let cfg = VtdConfig {
                table: TopLevelConfig {
                    common: CommonConfig {
                        features: features | features::DMA_INCOHERENT,
                        ..cfg.table.common
                    },
                    ..cfg.table
                },
                ..cfg
            };
            let r = PagingDomain::<vtd::Paging>::new(
                &cfg,
                PagingOptions::default(),
                Ok::<_, Error>(vtd::Paging),
            );
            assert_eq!(r.err(), Some(EINVAL));
        }
        Ok(())
    }

    #[test]
    fn unsupported_features_are_refused() {
        // generic_pt refuses features the format does not have (`pt_init_common()`): the
        // second-stage FORCE_WRITEABLE bit is none of the x86_64 format's.
        let cfg = TopLevelConfig {
            common: CommonConfig {
                features: features::VTDSS_FORCE_WRITEABLE,
                hw_max_vasz_lg2: 48,
                hw_max_oasz_lg2: 52,
            },
            top_level: 3,
        };
        let r = PagingDomain::<fs::Paging>::new(
            &cfg,
            PagingOptions::default(),
            Ok::<_, Error>(fs::Paging),
        );
        assert_eq!(r.err(), Some(EOPNOTSUPP));
    }
}
