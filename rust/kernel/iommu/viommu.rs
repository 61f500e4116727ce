// SPDX-License-Identifier: GPL-2.0

//! vIOMMUs and their hardware queues.
//!
//! C header: [`include/linux/iommufd.h`](srctree/include/linux/iommufd.h)
//!
//! A vIOMMU (`struct iommufd_viommu`) is the user's view of one IOMMU instance for a VM: it holds
//! the nesting parent (stage 2), the virtual IDs of the devices behind it (vDEVICEs), the nested
//! domains allocated on it, and hardware queues the guest owns. iommufd allocates it with a size
//! the driver gives, the core structure first and the driver's part after it, and calls the
//! driver to initialise its part; it frees the memory after the driver's `destroy`.
//!
//! [`Viommu<T>`] is that allocation for a driver type `T`: the core part ([`ViommuCore`]) followed
//! by `T`, initialised in place by [`super::ops::Driver::viommu_init`] and dropped in place by the
//! abstraction's `destroy`. [`HwQueue<T>`] is the same for a hardware queue, with
//! `T::HwQueue` as the driver's part.

use super::{
    device::ProbedDevice,
    domain::{ret_of, NestedDomain, PagingDomain},
    ops::Driver,
    user_data::{UserData, UserDataArray},
};
use crate::{
    bindings,
    device::Device,
    error::{from_result, to_result, VTABLE_DEFAULT_ERROR},
    prelude::*,
    transmute::AsBytes,
    types::Opaque,
};
use core::{marker::PhantomData, ops::Deref, ptr::NonNull};
use pin_init::PinInit;

/// The core part of a vIOMMU (`struct iommufd_viommu`).
#[repr(transparent)]
pub struct ViommuCore(Opaque<bindings::iommufd_viommu>);

impl ViommuCore {
    #[inline]
    fn as_raw(&self) -> *mut bindings::iommufd_viommu {
        self.0.get()
    }

    /// Registers `len` bytes at physical address `phys` for `mmap()` by the user of this vIOMMU;
    /// returns the mmap offset to report to the user. Undo with [`Self::destroy_mmap`].
    pub fn alloc_mmap(&self, phys: u64, len: usize) -> Result<usize> {
        let mut offset = 0usize;
        // SAFETY: The vIOMMU is valid and initialised by the core (`ictx` and `obj`).
        to_result(unsafe {
            bindings::_iommufd_alloc_mmap(
                (*self.as_raw()).ictx,
                &raw mut (*self.as_raw()).obj,
                phys,
                len,
                &mut offset,
            )
        })?;
        Ok(offset)
    }

    /// Undoes [`Self::alloc_mmap`].
    pub fn destroy_mmap(&self, offset: usize) {
        // SAFETY: The vIOMMU is valid; `_iommufd_destroy_mmap` ignores unknown offsets.
        unsafe {
            bindings::_iommufd_destroy_mmap(
                (*self.as_raw()).ictx,
                &raw mut (*self.as_raw()).obj,
                offset,
            )
        }
    }

    /// The virtual ID of `dev` on this vIOMMU (its vDEVICE); `ENOENT` if it has none.
    pub fn vdev_id<D: Driver>(&self, dev: &ProbedDevice<D>) -> Result<u64> {
        let mut id = 0usize;
        // SAFETY: Both are valid.
        to_result(unsafe {
            bindings::iommufd_viommu_get_vdev_id(self.as_raw(), dev.as_raw(), &mut id)
        })?;
        Ok(id as u64)
    }

    /// Calls `f` with the device whose vDEVICE on this vIOMMU has virtual ID `vdev_id`, holding
    /// the vIOMMU's vDEVICE lock (a spinlock: `f` must not sleep). `None` if there is no such
    /// device.
    pub fn with_vdev<D: Driver, R>(
        &self,
        vdev_id: u64,
        f: impl FnOnce(&ProbedDevice<D>) -> R,
    ) -> Option<R> {
        let vdevs = self.vdevs();
        // SAFETY: The xarray is initialised by the core.
        unsafe { bindings::xa_lock(vdevs) };
        // SAFETY: The vIOMMU is valid; the lock is held.
        let dev = unsafe { bindings::iommufd_viommu_find_dev(self.as_raw(), vdev_id as usize) };
        let r = if dev.is_null() {
            None
        } else {
            // SAFETY: The device has a vDEVICE on this vIOMMU, so it is bound to iommufd and was
            // probed by the vIOMMU's driver, `D` (a vIOMMU only takes devices of its own IOMMU
            // instance); the vDEVICE cannot go while the lock is held.
            let d = unsafe { Device::from_raw(dev) };
            ProbedDevice::<D>::from_device(d).map(f)
        };
        // SAFETY: Locked above.
        unsafe { bindings::xa_unlock(vdevs) };
        r
    }

    fn vdevs(&self) -> *mut bindings::xarray {
        // SAFETY: The vIOMMU is valid.
        unsafe { &raw mut (*self.as_raw()).vdevs }
    }

    /// Reports a vEVENT of type `event_type` (`IOMMU_VEVENTQ_TYPE_*`) with payload `event` to the
    /// user's vEVENTQ of that type.
    pub fn report_event<E: AsBytes>(&self, event_type: u32, event: &E) -> Result {
        // SAFETY: The vIOMMU is valid; the core copies `size_of::<E>()` bytes of `event`.
        to_result(unsafe {
            bindings::iommufd_viommu_report_event(
                self.as_raw(),
                event_type,
                core::ptr::from_ref(event).cast_mut().cast(),
                size_of::<E>(),
            )
        })
    }
}

/// Operations of a driver's vIOMMU.
#[vtable]
pub trait ViommuOps: Sized + Send + Sync + 'static {
    /// The driver.
    type Driver: Driver<Viommu = Self>;
    /// The driver's part of a hardware queue.
    type HwQueue: Send + Sync;

    /// The static operations table of this type (`static TABLE: ViommuTable<Self> =
    /// ViommuTable::new();`).
    const TABLE: &'static ViommuTable<Self>;
    /// The hardware queue type (`IOMMU_HW_QUEUE_TYPE_*`) of [`ViommuOps::HwQueue`].
    const HW_QUEUE_TYPE: u32 = 0;

    /// Called when the vIOMMU is destroyed, before its data is dropped.
    fn destroy(_viommu: &Viommu<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Allocates the driver data of a nested domain on this vIOMMU; the abstraction creates the
    /// domain on the vIOMMU's parent.
    fn alloc_domain_nested(
        _viommu: &Viommu<Self>,
        _flags: u32,
        _user_data: &UserData,
    ) -> Result<impl PinInit<<Self::Driver as Driver>::Nested, Error>> {
        build_error!(VTABLE_DEFAULT_ERROR);
        #[allow(unreachable_code)]
        Err::<Result<<Self::Driver as Driver>::Nested>, _>(EINVAL)
    }

    /// Invalidates caches as the entries of `array` say; the number handled reaches the user on
    /// every exit path.
    fn cache_invalidate(_viommu: &Viommu<Self>, _array: &mut UserDataArray<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Initialises the driver's part of the hardware queue `queue` at `index`, whose guest memory
    /// starts at host physical address `base_pa`.
    fn hw_queue_init(
        _viommu: &Viommu<Self>,
        _queue: &HwQueueCore,
        _index: u32,
        _base_pa: u64,
    ) -> Result<impl PinInit<Self::HwQueue, Error>> {
        build_error!(VTABLE_DEFAULT_ERROR);
        #[allow(unreachable_code)]
        Err::<Result<Self::HwQueue>, _>(EINVAL)
    }

    /// Called when a hardware queue is destroyed, before its data is dropped.
    fn hw_queue_destroy(_viommu: &Viommu<Self>, _queue: &HwQueue<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A vIOMMU of a driver: the core part, the paging parent, and the driver's data `T`.
///
/// # Invariants
///
/// - The allocation is iommufd's, of `size_of::<Self>()` bytes, with `core` initialised by
///   iommufd; `data` is initialised from the return of `viommu_init` until `destroy`.
/// - `parent` is the vIOMMU's nesting parent, which iommufd keeps (`viommu->hwpt`) until the
///   vIOMMU is destroyed.
#[repr(C)]
pub struct Viommu<T: ViommuOps> {
    core: ViommuCore,
    parent: NonNull<PagingDomain<<T::Driver as Driver>::Paging>>,
    data: T,
}

impl<T: ViommuOps> Viommu<T> {
    /// Initialises the driver's part of the vIOMMU at `viommu` (the `viommu_init` operation).
    ///
    /// # Safety
    ///
    /// `viommu` is a zeroed allocation of `size_of::<Self>()` bytes whose core part iommufd
    /// initialised, not yet published; `parent` is its nesting parent.
    pub(crate) unsafe fn init(
        viommu: *mut bindings::iommufd_viommu,
        parent: &PagingDomain<<T::Driver as Driver>::Paging>,
        user_data: Option<&UserData>,
    ) -> Result {
        let this = viommu.cast::<Self>();
        // SAFETY: The core part is at offset 0 (`repr(C)`) and initialised.
        let core = unsafe { &*this.cast::<ViommuCore>() };
        let init = <T::Driver as Driver>::viommu_init(core, parent, user_data)?;
        // SAFETY: `this` is valid for writes (by the function's contract); `data` is not
        // initialised yet and is initialised in place, never moved afterwards (iommufd does not
        // move the vIOMMU).
        unsafe {
            (&raw mut (*this).parent).write(NonNull::from(parent));
            init.__init(&raw mut (*this).data)?;
            (*viommu).ops = T::TABLE.as_ptr();
        }
        Ok(())
    }

    /// The core part.
    pub fn core(&self) -> &ViommuCore {
        &self.core
    }

    /// The nesting parent.
    pub fn parent(&self) -> &PagingDomain<<T::Driver as Driver>::Paging> {
        // SAFETY: The parent outlives the vIOMMU (type invariant).
        unsafe { self.parent.as_ref() }
    }

    /// # Safety
    ///
    /// `viommu` is the core part of a live `Viommu<T>` whose data is initialised.
    #[inline]
    unsafe fn from_raw<'a>(viommu: *mut bindings::iommufd_viommu) -> &'a Self {
        // SAFETY: By the caller; the core part is at offset 0.
        unsafe { &*viommu.cast::<Self>() }
    }
}

impl<T: ViommuOps> Deref for Viommu<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

/// A reference to a vIOMMU that the caller keeps alive by other means; see [`Self::get`].
pub struct ViommuRef<T: ViommuOps>(NonNull<Viommu<T>>);

impl<T: ViommuOps> Clone for ViommuRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ViommuOps> Copy for ViommuRef<T> {}

impl<T: ViommuOps> PartialEq for ViommuRef<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

// SAFETY: `Viommu<T>` is `Sync` through `T: Sync` and the core's own locking.
unsafe impl<T: ViommuOps> Send for ViommuRef<T> {}
// SAFETY: As above.
unsafe impl<T: ViommuOps> Sync for ViommuRef<T> {}

impl<T: ViommuOps> ViommuRef<T> {
    /// A reference to `viommu`.
    pub fn new(viommu: &Viommu<T>) -> Self {
        Self(NonNull::from(viommu))
    }

    /// The vIOMMU.
    ///
    /// # Safety
    ///
    /// The vIOMMU is still alive for `'a` (for example: a domain allocated on it is attached, and
    /// the caller holds the lock under which the driver replaces the reference on attach).
    pub unsafe fn get<'a>(self) -> &'a Viommu<T> {
        // SAFETY: By the caller.
        unsafe { self.0.as_ref() }
    }
}

/// The core part of a hardware queue (`struct iommufd_hw_queue`).
#[repr(transparent)]
pub struct HwQueueCore(Opaque<bindings::iommufd_hw_queue>);

impl HwQueueCore {
    #[inline]
    fn as_raw(&self) -> *mut bindings::iommufd_hw_queue {
        self.0.get()
    }

    /// The guest physical (stage-2 input) address of the queue memory.
    pub fn base_addr(&self) -> u64 {
        // SAFETY: Set by the core before it calls the driver, not changed afterwards.
        unsafe { (*self.as_raw()).base_addr }
    }

    /// A handle to this queue for [`Self::depend`].
    pub fn handle(&self) -> HwQueueHandle {
        HwQueueHandle(NonNull::new(self.as_raw()).unwrap_or(NonNull::dangling()))
    }

    /// Makes this queue depend on `on` (of the same vIOMMU): `on` cannot be destroyed before
    /// [`Self::undepend`] (`iommufd_hw_queue_depend()`).
    ///
    /// # Safety
    ///
    /// `on` is a live hardware queue.
    pub unsafe fn depend(&self, on: HwQueueHandle) -> Result {
        let on = on.0.as_ptr();
        // SAFETY: Both are live (`on` by the caller).
        unsafe {
            if (*self.as_raw()).viommu != (*on).viommu {
                return Err(EINVAL);
            }
            to_result(bindings::_iommufd_object_depend(
                &raw mut (*self.as_raw()).obj,
                &raw mut (*on).obj,
            ))
        }
    }

    /// Undoes [`Self::depend`].
    ///
    /// # Safety
    ///
    /// `self` depends on `on` (which is therefore alive).
    pub unsafe fn undepend(&self, on: HwQueueHandle) {
        let on = on.0.as_ptr();
        // SAFETY: By the caller.
        unsafe {
            bindings::_iommufd_object_undepend(&raw mut (*self.as_raw()).obj, &raw mut (*on).obj)
        }
    }
}

/// A raw handle to a hardware queue, for dependencies between queues; using it is `unsafe`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HwQueueHandle(NonNull<bindings::iommufd_hw_queue>);

// SAFETY: Only a handle; the users of the pointer are `unsafe` and state their conditions.
unsafe impl Send for HwQueueHandle {}
// SAFETY: As above.
unsafe impl Sync for HwQueueHandle {}

/// A hardware queue of a vIOMMU of type `T`: the core part and the driver's data.
///
/// # Invariants
///
/// The allocation is iommufd's, of `size_of::<Self>()` bytes, `core` initialised by iommufd;
/// `data` is initialised from `hw_queue_init` until the queue's `destroy`.
#[repr(C)]
pub struct HwQueue<T: ViommuOps> {
    core: HwQueueCore,
    data: T::HwQueue,
}

impl<T: ViommuOps> HwQueue<T> {
    /// The core part.
    pub fn core(&self) -> &HwQueueCore {
        &self.core
    }
}

impl<T: ViommuOps> Deref for HwQueue<T> {
    type Target = T::HwQueue;

    fn deref(&self) -> &T::HwQueue {
        &self.data
    }
}

/// The const `struct iommufd_viommu_ops` of a [`ViommuOps`] type.
#[repr(transparent)]
pub struct ViommuTable<T: ViommuOps>(bindings::iommufd_viommu_ops, PhantomData<T>);

// SAFETY: The table is read-only.
unsafe impl<T: ViommuOps> Sync for ViommuTable<T> {}

impl<T: ViommuOps> Default for ViommuTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: ViommuOps> ViommuTable<T> {
    /// Builds the table.
    pub const fn new() -> Self {
        Self(
            bindings::iommufd_viommu_ops {
                destroy: Some(Self::destroy),
                alloc_domain_nested: if T::HAS_ALLOC_DOMAIN_NESTED {
                    Some(Self::alloc_domain_nested)
                } else {
                    None
                },
                cache_invalidate: if T::HAS_CACHE_INVALIDATE {
                    Some(Self::cache_invalidate)
                } else {
                    None
                },
                get_hw_queue_size: if T::HAS_HW_QUEUE_INIT {
                    Some(Self::get_hw_queue_size)
                } else {
                    None
                },
                hw_queue_init_phys: if T::HAS_HW_QUEUE_INIT {
                    Some(Self::hw_queue_init_phys)
                } else {
                    None
                },
                ..pin_init::zeroed()
            },
            PhantomData,
        )
    }

    /// The C table.
    pub const fn as_ptr(&self) -> *const bindings::iommufd_viommu_ops {
        &self.0
    }

    /// # Safety
    ///
    /// Called once by iommufd for a vIOMMU with this table (so its data is initialised); iommufd
    /// frees the memory afterwards.
    unsafe extern "C" fn destroy(viommu: *mut bindings::iommufd_viommu) {
        let this = viommu.cast::<Viommu<T>>();
        // SAFETY: By the function's contract.
        let v = unsafe { Viommu::<T>::from_raw(viommu) };
        if T::HAS_DESTROY {
            T::destroy(v);
        }
        // SAFETY: Initialised, dropped once, never used again.
        unsafe { core::ptr::drop_in_place(&raw mut (*this).data) };
    }

    /// # Safety
    ///
    /// Called by iommufd for a vIOMMU with this table and a valid `user_data`.
    unsafe extern "C" fn alloc_domain_nested(
        viommu: *mut bindings::iommufd_viommu,
        flags: u32,
        user_data: *const bindings::iommu_user_data,
    ) -> *mut bindings::iommu_domain {
        // SAFETY: By the function's contract.
        let (v, ud) = unsafe { (Viommu::<T>::from_raw(viommu), UserData::from_raw(user_data)) };
        let r = T::alloc_domain_nested(v, flags, ud)
            .and_then(|init| NestedDomain::<<T::Driver as Driver>::Nested>::new_on_viommu(v, init));
        match r {
            Ok(d) => NestedDomain::into_raw(d),
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// Called by iommufd for a vIOMMU with this table and a valid array.
    unsafe extern "C" fn cache_invalidate(
        viommu: *mut bindings::iommufd_viommu,
        array: *mut bindings::iommu_user_data_array,
    ) -> c_int {
        // SAFETY: By the function's contract.
        let v = unsafe { Viommu::<T>::from_raw(viommu) };
        // SAFETY: Valid for the call; the handled count is written back on drop, before return.
        let mut array = unsafe { UserDataArray::from_raw(array) };
        ret_of(T::cache_invalidate(v, &mut array))
    }

    /// # Safety
    ///
    /// Called by iommufd for a vIOMMU with this table.
    unsafe extern "C" fn get_hw_queue_size(
        _viommu: *mut bindings::iommufd_viommu,
        queue_type: bindings::iommu_hw_queue_type,
    ) -> usize {
        if queue_type != T::HW_QUEUE_TYPE {
            return 0;
        }
        size_of::<HwQueue<T>>()
    }

    /// # Safety
    ///
    /// Called by iommufd on a zeroed hardware queue of `get_hw_queue_size()` bytes whose core part
    /// is initialised, of a vIOMMU with this table.
    unsafe extern "C" fn hw_queue_init_phys(
        hw_queue: *mut bindings::iommufd_hw_queue,
        index: u32,
        base_pa: bindings::phys_addr_t,
    ) -> c_int {
        let this = hw_queue.cast::<HwQueue<T>>();
        // SAFETY: By the function's contract: the core part (offset 0) and its vIOMMU are valid.
        let (core, v) = unsafe {
            (
                &*hw_queue.cast::<HwQueueCore>(),
                Viommu::<T>::from_raw((*hw_queue).viommu),
            )
        };
        from_result(|| {
            let init = T::hw_queue_init(v, core, index, base_pa)?;
            // SAFETY: `data` is uninitialised memory of the queue that iommufd does not move;
            // `destroy` is set only once `data` is initialised.
            unsafe {
                init.__init(&raw mut (*this).data)?;
                (*hw_queue).destroy = Some(Self::hw_queue_destroy);
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called once by iommufd for a queue whose `hw_queue_init_phys` succeeded.
    unsafe extern "C" fn hw_queue_destroy(hw_queue: *mut bindings::iommufd_hw_queue) {
        let this = hw_queue.cast::<HwQueue<T>>();
        // SAFETY: By the function's contract; the vIOMMU outlives its queues.
        let (q, v) = unsafe { (&*this, Viommu::<T>::from_raw((*hw_queue).viommu)) };
        if T::HAS_HW_QUEUE_DESTROY {
            T::hw_queue_destroy(v, q);
        }
        // SAFETY: Initialised, dropped once, never used again.
        unsafe { core::ptr::drop_in_place(&raw mut (*this).data) };
    }
}

impl<T: super::domain::NestedOps> NestedDomain<T> {
    /// The vIOMMU the domain was allocated on, if any.
    pub fn viommu(&self) -> Option<&Viommu<<T::Driver as Driver>::Viommu>> {
        // SAFETY: iommufd keeps the vIOMMU of a nested HWPT (`hwpt_nested->viommu`) until the
        // HWPT, and so this domain, is destroyed.
        self.viommu_ptr().map(|v| unsafe { v.as_ref() })
    }
}

/// Physically contiguous, zeroed kernel pages (`iommu_alloc_pages_sz()`), e.g. memory a vIOMMU
/// exposes to the user with [`ViommuCore::alloc_mmap`].
pub struct Pages {
    addr: NonNull<u8>,
    order: u32,
}

// SAFETY: Plain memory owned by `Pages`.
unsafe impl Send for Pages {}
// SAFETY: `&self` only reads the address; writes need `&mut self`.
unsafe impl Sync for Pages {}

impl Pages {
    /// Allocates `1 << order` zeroed pages.
    pub fn alloc(order: u32) -> Result<Self> {
        let size = bindings::PAGE_SIZE.checked_shl(order).ok_or(EINVAL)?;
        // SAFETY: No preconditions; the memory is zeroed.
        let addr = unsafe {
            bindings::iommu_alloc_pages_node_sz(bindings::NUMA_NO_NODE, GFP_KERNEL.as_raw(), size)
        };
        let addr = NonNull::new(addr.cast::<u8>()).ok_or(ENOMEM)?;
        Ok(Self { addr, order })
    }

    /// The size in bytes.
    pub fn len(&self) -> usize {
        bindings::PAGE_SIZE << self.order
    }

    /// Always false: at least one page.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The physical address.
    pub fn phys(&self) -> u64 {
        // SAFETY: A valid direct-map address.
        unsafe { bindings::virt_to_phys(self.addr.as_ptr().cast()) }
    }

    /// Writes `value` at byte `offset`.
    pub fn write<T: AsBytes>(&mut self, offset: usize, value: &T) -> Result {
        let end = offset.checked_add(size_of::<T>()).ok_or(EINVAL)?;
        if end > self.len() {
            return Err(EINVAL);
        }
        let src = value.as_bytes();
        // SAFETY: The destination is in bounds (checked) and does not overlap `value`.
        unsafe {
            core::ptr::copy_nonoverlapping(src.as_ptr(), self.addr.as_ptr().add(offset), src.len())
        };
        Ok(())
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        // SAFETY: Allocated by `alloc`, not used any more.
        unsafe { bindings::iommu_free_pages(self.addr.as_ptr().cast()) };
    }
}
