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
    pt::Format,
    user_data::UserDataArray,
    viommu::Viommu, //
};
use crate::{
    bindings,
    error::{to_result, VTABLE_DEFAULT_ERROR},
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

impl Domain {
    /// Borrows a C domain.
    ///
    /// # Safety
    ///
    /// `ptr` is valid and initialised for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::iommu_domain) -> &'a Self {
        // SAFETY: `Domain` is `repr(transparent)` over the C struct; validity by the caller.
        unsafe { &*ptr.cast() }
    }

    /// Borrows a C domain pointer that may be NULL.
    ///
    /// # Safety
    ///
    /// `ptr` is NULL or valid and initialised for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw_opt<'a>(ptr: *mut bindings::iommu_domain) -> Option<&'a Self> {
        // SAFETY: By the caller.
        (!ptr.is_null()).then(|| unsafe { Self::from_raw(ptr) })
    }

    /// The C pointer.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::iommu_domain {
        self.0.get()
    }

    #[inline]
    fn raw(&self) -> &bindings::iommu_domain {
        // SAFETY: By the type invariant the domain is valid; the fields read through this are not
        // written concurrently (see the `Sync` impl).
        unsafe { &*self.0.get() }
    }

    /// The `IOMMU_DOMAIN_*` type.
    #[inline]
    pub fn domain_type(&self) -> u32 {
        self.raw().type_
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
        !self.raw().dirty_ops.is_null()
    }

    /// True if iommufd installed an I/O page-fault handler (a fault-capable HWPT).
    pub fn has_iopf_handler(&self) -> bool {
        self.raw().iopf_handler.is_some()
    }

    /// The page sizes the domain maps.
    pub fn pgsize_bitmap(&self) -> usize {
        self.raw().pgsize_bitmap
    }

    /// The aperture: the first and last IOVA that can be mapped.
    pub fn aperture(&self) -> (u64, u64) {
        let g = &self.raw().geometry;
        (g.aperture_start, g.aperture_end)
    }

    /// Translates `iova` through the domain; 0 if it is not mapped.
    pub fn iova_to_phys(&self, iova: u64) -> u64 {
        // SAFETY: The domain is valid; `iommu_iova_to_phys` accepts any domain type.
        unsafe { bindings::iommu_iova_to_phys(self.as_raw(), iova) }
    }

    #[inline]
    fn ops(&self) -> *const bindings::iommu_domain_ops {
        self.raw().ops
    }

    /// The driver's paging domain, if this is one of type `T`.
    pub fn as_paging<T: PagingOps>(&self) -> Option<&PagingDomain<T>> {
        if !core::ptr::eq(self.ops(), T::TABLE.as_ptr()) {
            return None;
        }
        // SAFETY: Only `PagingDomain<T>` uses `T::TABLE` (it is a static of `T`), and the domain
        // is the first field of the table, which is the first field of the `repr(C)`
        // `PagingDomain<T>`; it lives as long as `self`.
        Some(unsafe { &*self.as_raw().cast::<PagingDomain<T>>() })
    }

    /// The driver's nested domain, if this is one of type `T`.
    pub fn as_nested<T: NestedOps>(&self) -> Option<&NestedDomain<T>> {
        if !core::ptr::eq(self.ops(), T::TABLE.as_ptr()) {
            return None;
        }
        // SAFETY: Only `NestedDomain<T>` uses `T::TABLE`, and the domain is the first field of
        // the `repr(C)` `NestedDomain<T>`; it lives as long as `self`.
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
    // SAFETY: By the caller.
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

    /// The static operations table of this type (`static TABLE: StaticTable<Self> =
    /// StaticTable::new();`).
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
    pub const fn new() -> Self {
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
        // SAFETY: By the function's contract.
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
        // SAFETY: By the function's contract.
        let (d, dev, old) = unsafe { attach_args::<Domain, T::Driver>(domain, dev, old) };
        ret_of(T::set_dev_pasid(d, dev, pasid, old))
    }
}

impl<T: StaticOps> Default for StaticTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A static blocked or identity domain.
#[repr(transparent)]
pub struct StaticDomain(Opaque<bindings::iommu_domain>);

// SAFETY: The IOMMU core only reads static domains.
unsafe impl Sync for StaticDomain {}

impl StaticDomain {
    /// A blocked domain (`IOMMU_DOMAIN_BLOCKED`) with the operations of `T`.
    pub const fn blocked<T: StaticOps>() -> Self {
        Self::with_type::<T>(bindings::IOMMU_DOMAIN_BLOCKED)
    }

    /// An identity domain (`IOMMU_DOMAIN_IDENTITY`) with the operations of `T`.
    pub const fn identity<T: StaticOps>() -> Self {
        Self::with_type::<T>(bindings::IOMMU_DOMAIN_IDENTITY)
    }

    const fn with_type<T: StaticOps>(type_: u32) -> Self {
        Self(Opaque::new(bindings::iommu_domain {
            type_,
            ops: T::TABLE.as_ptr(),
            ..pin_init::zeroed()
        }))
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

    /// The static operations table of this type (`static TABLE: PagingTable<Self> =
    /// PagingTable::new();`).
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

    /// Flushes what an unmap gathered. Page-table pages the unmap freed are released by the
    /// abstraction after this returns (or at once if the driver has no `iotlb_sync`).
    fn iotlb_sync(_domain: &PagingDomain<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Enables or disables dirty tracking. Only called for domains created with dirty tracking;
    /// required if the driver creates such domains.
    fn set_dirty_tracking(_domain: &PagingDomain<Self>, _enable: bool) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The const `struct iommu_domain_ops` and `struct iommu_dirty_ops` of a [`PagingOps`] type.
pub struct PagingTable<T: PagingOps> {
    ops: bindings::iommu_domain_ops,
    dirty: bindings::iommu_dirty_ops,
    _p: PhantomData<T>,
}

// SAFETY: The tables are read-only.
unsafe impl<T: PagingOps> Sync for PagingTable<T> {}

impl<T: PagingOps> Default for PagingTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: PagingOps> PagingTable<T> {
    /// Builds the tables.
    pub const fn new() -> Self {
        Self {
            ops: bindings::iommu_domain_ops {
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
                iova_to_phys: Some(T::Format::IOVA_TO_PHYS),
                free: Some(Self::free),
                ..pin_init::zeroed()
            },
            dirty: bindings::iommu_dirty_ops {
                set_dirty_tracking: if T::HAS_SET_DIRTY_TRACKING {
                    Some(Self::set_dirty_tracking)
                } else {
                    None
                },
                read_and_clear_dirty: Some(T::Format::READ_AND_CLEAR_DIRTY),
            },
            _p: PhantomData,
        }
    }

    /// The C domain operations.
    pub const fn as_ptr(&self) -> *const bindings::iommu_domain_ops {
        &self.ops
    }

    /// # Safety
    ///
    /// `domain` uses this table, so it is the domain of a live `PagingDomain<T>`.
    unsafe fn domain<'a>(domain: *mut bindings::iommu_domain) -> &'a PagingDomain<T> {
        // SAFETY: By the caller; the domain is at offset 0 of `PagingDomain<T>`.
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
        // SAFETY: By the function's contract.
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
        // SAFETY: By the function's contract.
        let (d, dev, old) = unsafe { attach_args::<_, T::Driver>(domain, dev, old) };
        ret_of(T::set_dev_pasid(d, dev, pasid, old))
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a domain using this table.
    unsafe extern "C" fn flush_iotlb_all(domain: *mut bindings::iommu_domain) {
        // SAFETY: By the function's contract.
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
            // SAFETY: By the function's contract.
            T::iotlb_sync(unsafe { Self::domain(domain) });
        }
        // SAFETY: `gather` is valid; generic_pt put the table pages it unmapped on its freelist,
        // and the IOTLB no longer refers to them.
        unsafe { bindings::iommu_put_pages_list(&raw mut (*gather).freelist) };
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a domain using this table that has dirty ops.
    unsafe extern "C" fn set_dirty_tracking(
        domain: *mut bindings::iommu_domain,
        en: bool,
    ) -> c_int {
        // SAFETY: By the function's contract.
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
/// - `table` was initialised by `T::Format::init`, `table.domain.ops` is `T::TABLE`; the table is
///   deinitialised only on drop.
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
// SAFETY: As above.
unsafe impl<T: PagingOps> Sync for PagingDomain<T> {}

impl<T: PagingOps> PagingDomain<T> {
    /// Allocates a paging domain with a new, empty page table of `cfg`.
    pub fn new(
        cfg: &<T::Format as Format>::Config,
        opts: PagingOptions,
        data: impl PinInit<T, Error>,
    ) -> Result<Pin<KBox<Self>>> {
        // Dirty ops without `set_dirty_tracking` would hand iommufd a NULL operation.
        if opts.dirty_tracking && !T::HAS_SET_DIRTY_TRACKING {
            return Err(EOPNOTSUPP);
        }
        let table_init = Opaque::try_ffi_init(|table: *mut <T::Format as Format>::Table| {
            // SAFETY: `table` points to memory for the table; all zeroes is its uninitialised
            // state (`pt_iommu_deinit()` is then a no-op).
            unsafe { core::ptr::write_bytes(table, 0, 1) };
            // SAFETY: `table` is zeroed memory for the format's table; on error nothing was
            // allocated.
            unsafe { T::Format::init(table, cfg) }
        });
        let mut this = KBox::pin_init(
            try_pin_init!(Self {
                data <- data,
                table <- table_init,
            }),
            GFP_KERNEL,
        )?;
        let dom = this.domain().as_raw();
        // SAFETY: The domain was initialised by the format and is not published yet: `this` is
        // its only user. The dirty table lives in the static `T::TABLE`.
        unsafe {
            (*dom).type_ = bindings::IOMMU_DOMAIN_UNMANAGED;
            (*dom).ops = T::TABLE.as_ptr();
            if opts.dirty_tracking {
                (*dom).dirty_ops = &T::TABLE.dirty;
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

    fn pt(&self) -> *mut bindings::pt_iommu {
        // The `struct pt_iommu` is the first member of every format's table.
        self.table.get().cast()
    }

    /// Marks `iova` dirty in the page table, as the hardware would on a DMA write. Only meant for
    /// the iommufd selftest, as in C.
    pub fn set_dirty(&self, iova: u64) -> Result {
        let pt = self.pt();
        // SAFETY: The table is initialised (type invariant), so `ops` is set; `set_dirty` needs
        // no lock.
        to_result(unsafe {
            match (*(*pt).ops).set_dirty {
                Some(f) => f(pt, iova),
                None => return Err(EOPNOTSUPP),
            }
        })
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
        let pt = self.pt();
        // SAFETY: The domain is no longer used by the hardware or the core (it is being freed);
        // `pt_iommu_deinit()` frees the table memory and is a no-op if `ops` is NULL.
        unsafe {
            if !(*pt).ops.is_null() {
                if let Some(deinit) = (*(*pt).ops).deinit {
                    deinit(pt);
                }
            }
        }
    }
}

/// Operations of a driver's nested domain.
#[vtable]
pub trait NestedOps: Sized + Send + Sync + 'static {
    /// The driver.
    type Driver: Driver<Nested = Self>;

    /// The static operations table of this type (`static TABLE: NestedTable<Self> =
    /// NestedTable::new();`).
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

impl<T: NestedOps> Default for NestedTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: NestedOps> NestedTable<T> {
    /// Builds the table.
    pub const fn new() -> Self {
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
        // SAFETY: By the caller; the domain is at offset 0 of `NestedDomain<T>`.
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
        // SAFETY: By the function's contract.
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
        // SAFETY: By the function's contract.
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
        // SAFETY: By the function's contract.
        let d = unsafe { Self::domain(domain) };
        // SAFETY: `array` is valid for the call; `UserDataArray` writes the handled count back
        // when dropped, before this returns.
        let mut array = unsafe { UserDataArray::from_raw(array) };
        ret_of(T::cache_invalidate_user(d, &mut array))
    }

    /// # Safety
    ///
    /// Called once by the IOMMU core with a domain of this table that it no longer uses.
    unsafe extern "C" fn free(domain: *mut bindings::iommu_domain) {
        // SAFETY: `NestedDomain::into_raw` gave the core this pointer from a `Pin<KBox<_>>`.
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
// SAFETY: As above.
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

#[cfg(CONFIG_IOMMUFD_TEST)]
#[kunit_tests(rust_iommu_domain)]
mod tests {
    use super::*;
    use crate::{
        device::Device,
        iommu::{
            device::IommuDevice,
            ops::OpsTable,
            pt::{AmdV1Config, AmdV1Mock, CommonConfig},
            viommu::{ViommuOps, ViommuTable},
        },
    };

    struct TestDriver;
    struct TestPaging;
    struct TestNested;
    struct TestViommu;

    static OPS: OpsTable<TestDriver> = OpsTable::new();
    static PAGING: PagingTable<TestPaging> = PagingTable::new();
    static NESTED: NestedTable<TestNested> = NestedTable::new();
    static VIOMMU: ViommuTable<TestViommu> = ViommuTable::new();

    #[vtable]
    impl Driver for TestDriver {
        type DevData = ();
        type Paging = TestPaging;
        type Nested = TestNested;
        type Viommu = TestViommu;
        const OPS: &'static OpsTable<Self> = &OPS;

        fn probe_device(_dev: &Device) -> Result<(&'static IommuDevice, Pin<KBox<()>>)> {
            Err(ENODEV)
        }
    }

    /// A paging type without `set_dirty_tracking`.
    #[vtable]
    impl PagingOps for TestPaging {
        type Driver = TestDriver;
        type Format = AmdV1Mock;
        const TABLE: &'static PagingTable<Self> = &PAGING;

        fn attach_dev(
            _domain: &PagingDomain<Self>,
            _dev: &ProbedDevice<TestDriver>,
            _old: Option<&Domain>,
        ) -> Result {
            Err(EINVAL)
        }
    }

    #[vtable]
    impl NestedOps for TestNested {
        type Driver = TestDriver;
        const TABLE: &'static NestedTable<Self> = &NESTED;

        fn attach_dev(
            _domain: &NestedDomain<Self>,
            _dev: &ProbedDevice<TestDriver>,
            _old: Option<&Domain>,
        ) -> Result {
            Err(EINVAL)
        }
    }

    #[vtable]
    impl ViommuOps for TestViommu {
        type Driver = TestDriver;
        type HwQueue = ();
        const TABLE: &'static ViommuTable<Self> = &VIOMMU;
    }

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
        // SAFETY: As above; the unmap goes through the table's `iotlb_sync`, which frees the
        // table pages it released.
        let unmapped = unsafe { bindings::iommu_unmap(dom, iova as usize, len) };
        assert_eq!(unmapped, len);
        assert_eq!(d.domain().iova_to_phys(iova), 0);
        Ok(())
    }
}
