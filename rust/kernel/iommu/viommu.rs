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
//! `T::HwQueue` as the driver's part, and [`Vdevice<T>`] for a vDEVICE (a device's virtual ID on
//! the vIOMMU), with `T::Vdevice`, if the driver implements [`ViommuOps::vdevice_init`].

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

    /// Registers `len` bytes at physical address `phys` for `mmap()` by the user of this vIOMMU
    /// (`iommufd_viommu_alloc_mmap()`); returns the mmap offset to report to the user. Undo with
    /// [`Self::destroy_mmap`].
    ///
    /// # Safety
    ///
    /// `phys .. phys + len` is memory the caller owns and may give to user space (for example
    /// [`Pages`]), page-aligned, and stays allocated for that use until [`Self::destroy_mmap`] of
    /// the returned offset has returned and the vIOMMU is destroyed (a user mapping keeps the
    /// vIOMMU: `iommufd_fops_mmap()` takes a users reference on it).
    ///
    /// # Errors
    ///
    /// `ENOMEM`; `EINVAL` if the range is not page-aligned.
    pub unsafe fn alloc_mmap(&self, phys: u64, len: usize) -> Result<usize> {
        let mut offset = 0usize;
        // SAFETY: A `ViommuCore` is only reached through a `Viommu<T>` or during `viommu_init`,
        // so `self` is a vIOMMU whose `ictx` and `obj` `iommufd_viommu_alloc_ioctl()` set before
        // calling the driver; the range is memory the caller may give to user space until
        // `destroy_mmap` and the vIOMMU's destruction (this function's `# Safety` section).
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
        // SAFETY: `self` is a live vIOMMU with `ictx` and `obj` set by
        // `iommufd_viommu_alloc_ioctl()` (a `ViommuCore` is only reached through a `Viommu<T>`
        // or during `viommu_init`); `_iommufd_destroy_mmap()` only erases `offset` from
        // `ictx->mt_mmap` and, for an unknown offset, warns and frees NULL.
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
        // SAFETY: `self` is a live vIOMMU (a `ViommuCore` is only reached through a `Viommu<T>`
        // or during `viommu_init`) whose `vdevs` xarray `iommufd_viommu_alloc_ioctl()`
        // initialised; `dev` is a valid device (`ProbedDevice`'s invariant); `id` is a local.
        // `iommufd_viommu_get_vdev_id()` takes the xarray lock itself.
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
        // SAFETY: `vdevs` is the xarray of a live vIOMMU, initialised by `xa_init()` in
        // `iommufd_viommu_alloc_ioctl()` before the driver sees the vIOMMU.
        unsafe { bindings::xa_lock(vdevs) };
        // SAFETY: `self` is a live vIOMMU and its `vdevs` lock, which
        // `iommufd_viommu_find_dev()` asserts, is held (taken above).
        let dev = unsafe { bindings::iommufd_viommu_find_dev(self.as_raw(), vdev_id as usize) };
        let r = if dev.is_null() {
            None
        } else {
            // SAFETY: The device has a vDEVICE on this vIOMMU, so it is bound to iommufd and was
            // probed by the vIOMMU's driver, `D` (a vIOMMU only takes devices of its own IOMMU
            // instance); the vDEVICE cannot go while the lock is held.
            let d = unsafe { Device::from_raw(dev) };
            // SAFETY: The vDEVICE holds the device bound to iommufd, so probed, and cannot go
            // while the vDEVICE lock is held, i.e. for the borrow `f` gets.
            unsafe { ProbedDevice::<D>::from_device(d) }.map(f)
        };
        // SAFETY: The `vdevs` lock was taken by `xa_lock()` above, on this thread.
        unsafe { bindings::xa_unlock(vdevs) };
        r
    }

    fn vdevs(&self) -> *mut bindings::xarray {
        // SAFETY: Only a field address is taken; `self` is a live vIOMMU (a `ViommuCore` is only
        // reached through a `Viommu<T>` or during `viommu_init`).
        unsafe { &raw mut (*self.as_raw()).vdevs }
    }

    /// Reports a vEVENT of type `event_type` (`IOMMU_VEVENTQ_TYPE_*`) with payload `event` to the
    /// user's vEVENTQ of that type.
    pub fn report_event<E: AsBytes>(&self, event_type: u32, event: &E) -> Result {
        // SAFETY: `self` is a live vIOMMU whose `veventqs` and `veventqs_rwsem`
        // `iommufd_viommu_alloc_ioctl()` initialised; `iommufd_viommu_report_event()` copies
        // `size_of::<E>()` bytes from `event`, which is readable for that length.
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
    /// The driver's part of a vDEVICE, used if [`ViommuOps::vdevice_init`] is implemented
    /// (`()` otherwise).
    type Vdevice: Send + Sync;

    /// The operations table of this type, a `static`:
    /// `kernel::iommu_static_table!(ViommuTable<MyViommu>)`.
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

    /// Accepts the new vDEVICE `vdev` (a device of this vIOMMU's instance with a virtual ID on
    /// it) and initialises the driver's part (C `vdevice_init`, with `vdevice_size` the size of
    /// [`Vdevice<Self>`]); its data is found by virtual ID with [`Viommu::with_vdevice`] from
    /// then on. Called under the device's group lock, before the vDEVICE is published.
    ///
    /// # Errors
    ///
    /// The driver's: iommufd fails `IOMMU_VDEVICE_ALLOC` with it and frees the vDEVICE.
    fn vdevice_init(
        _viommu: &Viommu<Self>,
        _vdev: &VdeviceCore,
    ) -> Result<impl PinInit<Self::Vdevice, Error>> {
        build_error!(VTABLE_DEFAULT_ERROR);
        #[allow(unreachable_code)]
        Err::<Result<Self::Vdevice>, _>(EINVAL)
    }

    /// Called when a vDEVICE whose `vdevice_init` succeeded is destroyed, once it can no longer
    /// be found by virtual ID, before its data is dropped.
    fn vdevice_destroy(_viommu: &Viommu<Self>, _vdev: &Vdevice<Self>) {
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
        // SAFETY: `core` is the first field of the `repr(C)` `Viommu<T>`, and iommufd
        // initialised it before calling `viommu_init` (this function's `# Safety` section).
        let core = unsafe { &*this.cast::<ViommuCore>() };
        // SAFETY: `iommufd_viommu_alloc_ioctl()` set `viommu->iommu_dev` to the instance of the
        // device the vIOMMU is for (`iommufd_device_get_iommu_dev()`), whose ops called
        // `viommu_init`: an instance of a registration of `T::Driver`. The device's
        // `iommufd_device`, held for the ioctl, keeps the device probed and so the registration
        // live for this call.
        let instance = unsafe { super::device::instance_data::<T::Driver>((*viommu).iommu_dev) };
        let init = <T::Driver as Driver>::viommu_init(core, instance, parent, user_data)?;
        // SAFETY: `this` is an unpublished allocation of `size_of::<Self>()` bytes (this
        // function's `# Safety` section), so valid for writes; `data` is not initialised yet and
        // is initialised in place, never moved afterwards (iommufd does not move the vIOMMU);
        // `ops` is set last, so `destroy` only runs on initialised data.
        unsafe {
            (&raw mut (*this).parent).write(NonNull::from(parent));
            init.__init(&raw mut (*this).data)?;
            (*viommu).ops = T::TABLE.as_ptr();
        }
        Ok(())
    }

    /// Calls `f` with the vDEVICE of virtual ID `virt_id` on this vIOMMU, holding the vIOMMU's
    /// vDEVICE lock (a spinlock: `f` must not sleep); `None` if there is none
    /// (`iommufd_viommu_find_dev()`, typed). Only for drivers that implement
    /// [`ViommuOps::vdevice_init`] (a build-time check).
    pub fn with_vdevice<R>(&self, virt_id: u64, f: impl FnOnce(&Vdevice<T>) -> R) -> Option<R> {
        const {
            assert!(
                T::HAS_VDEVICE_INIT,
                "with_vdevice needs ViommuOps::vdevice_init"
            )
        };
        let vdevs = self.core.vdevs();
        // SAFETY: `vdevs` is the xarray of a live vIOMMU, initialised by `xa_init()` in
        // `iommufd_viommu_alloc_ioctl()` before the driver sees the vIOMMU.
        unsafe { bindings::xa_lock(vdevs) };
        // SAFETY: The lock is held; `xa_load()` reads a reserved entry as NULL.
        let vdev = unsafe { bindings::xa_load(vdevs, virt_id as usize) };
        let r = if vdev.is_null() {
            None
        } else {
            // SAFETY: The entries of a vIOMMU of `T`'s `vdevs` are vDEVICEs allocated with this
            // table's `vdevice_size` (`size_of::<Vdevice<T>>()`, as `T` implements
            // `vdevice_init`), stored by `iommufd_vdevice_alloc_ioctl()` only after
            // `vdevice_init` initialised their data, and erased under this lock by the
            // abstraction's `destroy` before it drops the data: while the lock is held the
            // vDEVICE is a live `Vdevice<T>` (type invariant).
            Some(f(unsafe { &*vdev.cast::<Vdevice<T>>() }))
        };
        // SAFETY: The `vdevs` lock was taken by `xa_lock()` above, on this thread.
        unsafe { bindings::xa_unlock(vdevs) };
        r
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
        // SAFETY: By this function's `# Safety` requirement `viommu` is the core part of a live
        // `Viommu<T>` with initialised data; the core part is its first field (`repr(C)`).
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
// SAFETY: A `ViommuRef` gives only `&Viommu<T>` (through `unsafe` `get`), whose data is `T: Sync`
// and whose core part iommufd guards with its own locks (`vdevs`' lock, `veventqs_rwsem`).
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
        // SAFETY: `self.0` came from a `&Viommu<T>` (`Self::new`) and the vIOMMU is still alive
        // for `'a`, which this function's `# Safety` section requires of the caller.
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
        // SAFETY: A `HwQueueCore` is only reached during `hw_queue_init_phys` or through a
        // `HwQueue<T>`, so `self` is a live queue; `iommufd_hw_queue_alloc_ioctl()` sets
        // `base_addr` before calling the driver and nothing changes it afterwards.
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
        // SAFETY: `self` is a live queue (a `HwQueueCore` is only reached during
        // `hw_queue_init_phys` or through a `HwQueue<T>`) and `on` is a live hardware queue (this
        // function's `# Safety` section); `_iommufd_object_depend()` only checks the types and
        // takes a `users` reference on `on`.
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
        // SAFETY: `self` depends on `on` (this function's `# Safety` section), so `on` is alive:
        // the `users` reference `depend` took keeps it; `_iommufd_object_undepend()` drops it.
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
// SAFETY: `&HwQueueHandle` exposes only the pointer value (`Copy`, `PartialEq`); dereferencing
// it is left to the `unsafe` `depend` and `undepend`, which state their conditions.
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

impl<T: ViommuOps> ViommuTable<T> {
    /// Builds the table.
    ///
    /// # Safety
    ///
    /// The result initialises a `static` item (use
    /// [`iommu_static_table!`](crate::iommu_static_table)).
    pub const unsafe fn new() -> Self {
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
                vdevice_size: if T::HAS_VDEVICE_INIT {
                    size_of::<Vdevice<T>>()
                } else {
                    0
                },
                vdevice_init: if T::HAS_VDEVICE_INIT {
                    Some(Self::vdevice_init)
                } else {
                    None
                },
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
        // SAFETY: `iommufd_viommu_destroy()` calls `viommu->ops->destroy` once, as the object is
        // destroyed; `viommu->ops` is `T::TABLE` only once `Viommu::<T>::init` initialised the
        // data, so `viommu` is the core part of a live `Viommu<T>` with initialised data.
        let v = unsafe { Viommu::<T>::from_raw(viommu) };
        if T::HAS_DESTROY {
            T::destroy(v);
        }
        // SAFETY: `data` is initialised (`ops` is `T::TABLE`, see above) and this is its only
        // drop: `iommufd_viommu_destroy()` runs once, `v` is not used past `T::destroy`, and
        // iommufd frees the memory afterwards without reading `data`.
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
        // SAFETY: `iommufd_viommu_alloc_hwpt_nested()` calls `viommu->ops->alloc_domain_nested`
        // for a vIOMMU `iommufd_hwpt_alloc()` holds (`iommufd_get_object()`); `ops` is
        // `T::TABLE` only after `Viommu::<T>::init`, so it is a live `Viommu<T>` with initialised
        // data. `user_data` is `iommufd_hwpt_alloc()`'s on-stack one, valid for the call.
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
        // SAFETY: `iommufd_hwpt_invalidate()` calls `viommu->ops->cache_invalidate` for a vIOMMU
        // it holds (`iommufd_get_object()`); `ops` is `T::TABLE` only after `Viommu::<T>::init`,
        // so `viommu` is the core part of a live `Viommu<T>` with initialised data.
        let v = unsafe { Viommu::<T>::from_raw(viommu) };
        // SAFETY: `iommufd_hwpt_invalidate()` passes its on-stack `data_array`, valid and not
        // otherwise accessed for the call; the handled count is written back on drop, before
        // return, and `iommufd_hwpt_invalidate()` reads it afterwards.
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
        // SAFETY: `iommufd_hw_queue_alloc_ioctl()` allocated `hw_queue` with
        // `get_hw_queue_size()` bytes and initialised its core part (the first field of the
        // `repr(C)` `HwQueue<T>`), including `viommu`: the vIOMMU it holds
        // (`iommufd_get_viommu()`) and whose `ops`, `T::TABLE`, it called, so a live `Viommu<T>`
        // with initialised data (`ops` is set only after `Viommu::<T>::init`).
        let (core, v) = unsafe {
            (
                &*hw_queue.cast::<HwQueueCore>(),
                Viommu::<T>::from_raw((*hw_queue).viommu),
            )
        };
        from_result(|| {
            let init = T::hw_queue_init(v, core, index, base_pa)?;
            // SAFETY: `data` is uninitialised memory inside the `size_of::<HwQueue<T>>()` bytes
            // (`get_hw_queue_size()`) `iommufd_hw_queue_alloc_ioctl()` allocated, which iommufd
            // does not move; `destroy` is set only once `data` is initialised.
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
        // SAFETY: `iommufd_hw_queue_destroy()` calls `hw_queue->destroy` once, and only
        // `hw_queue_init_phys` sets it, after initialising `data`: `this` is a live `HwQueue<T>`.
        // Its `viommu` is the `Viommu<T>` of that init, kept alive by the `users` reference
        // `iommufd_hw_queue_alloc_ioctl()` took, dropped only after `destroy` returns.
        let (q, v) = unsafe { (&*this, Viommu::<T>::from_raw((*hw_queue).viommu)) };
        if T::HAS_HW_QUEUE_DESTROY {
            T::hw_queue_destroy(v, q);
        }
        // SAFETY: `data` is initialised (`destroy` was set after it) and this is its only drop:
        // `iommufd_hw_queue_destroy()` calls `destroy` once, `q` is not used past
        // `T::hw_queue_destroy`, and iommufd frees the memory without reading `data`.
        unsafe { core::ptr::drop_in_place(&raw mut (*this).data) };
    }

    /// # Safety
    ///
    /// Called by iommufd on a zeroed vDEVICE of `vdevice_size` bytes whose core part is
    /// initialised, of a vIOMMU with this table.
    unsafe extern "C" fn vdevice_init(vdev: *mut bindings::iommufd_vdevice) -> c_int {
        let this = vdev.cast::<Vdevice<T>>();
        // SAFETY: `iommufd_vdevice_alloc_ioctl()` allocated `vdev` with `ops->vdevice_size`, i.e.
        // `size_of::<Vdevice<T>>()` bytes (this table's), zeroed, and set `virt_id`, `viommu`
        // and `idev` of its core part (the first field of the `repr(C)` `Vdevice<T>`) before
        // calling `ops->vdevice_init`; `viommu` is the vIOMMU it holds (`iommufd_get_viommu()`)
        // and whose `ops`, `T::TABLE`, it called, so a live `Viommu<T>` with initialised data
        // (`ops` is set only after `Viommu::<T>::init`).
        let (core, v) = unsafe {
            (
                &*vdev.cast::<VdeviceCore>(),
                Viommu::<T>::from_raw((*vdev).viommu),
            )
        };
        from_result(|| {
            let init = T::vdevice_init(v, core)?;
            // SAFETY: `data` is uninitialised memory inside the vDEVICE's allocation, which
            // iommufd does not move; `destroy` is set only once `data` is initialised, and the
            // vDEVICE enters `viommu->vdevs` (where `Viommu::with_vdevice` finds it) only after
            // this returns 0: until then its index holds a reserved entry (`xa_insert()` of
            // NULL), which lookups read as none.
            unsafe {
                init.__init(&raw mut (*this).data)?;
                (*vdev).destroy = Some(Self::vdevice_destroy);
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called once by iommufd for a vDEVICE whose `vdevice_init` succeeded.
    unsafe extern "C" fn vdevice_destroy(vdev: *mut bindings::iommufd_vdevice) {
        let this = vdev.cast::<Vdevice<T>>();
        // SAFETY: `iommufd_vdevice_abort()` calls `vdev->destroy` once, under the device's group
        // lock, and only `vdevice_init` sets it, after initialising `data`: `this` is a live
        // `Vdevice<T>`. Its `viommu` is the `Viommu<T>` of that init, kept alive by the `users`
        // reference `iommufd_vdevice_alloc_ioctl()` took, dropped only after `destroy` returns.
        let (d, v) = unsafe { (&*this, Viommu::<T>::from_raw((*vdev).viommu)) };
        // `iommufd_vdevice_abort()` removes the vDEVICE from `viommu->vdevs` only after this
        // returns: remove it first, so that no `Viommu::with_vdevice` reaches the data while it
        // is dropped. `xa_erase()` takes the xarray lock, which a lookup holds while it uses the
        // data, so a lookup that found it has returned. The entry at `virt_id` is this vDEVICE
        // (stored once `vdevice_init` succeeded, removed only here and by the abort after
        // this); C's `xa_cmpxchg()` then finds none, which it allows.
        // SAFETY: `vdevs` is the live vIOMMU's initialised xarray.
        unsafe { bindings::xa_erase(v.core.vdevs(), d.core.virt_id() as usize) };
        if T::HAS_VDEVICE_DESTROY {
            T::vdevice_destroy(v, d);
        }
        // SAFETY: `data` is initialised (`destroy` was set after it) and this is its only drop:
        // `iommufd_vdevice_abort()` calls `destroy` once, `d` is not used past
        // `T::vdevice_destroy`, no lookup reaches it (erased above), and iommufd frees the
        // memory without reading `data`.
        unsafe { core::ptr::drop_in_place(&raw mut (*this).data) };
    }
}

/// The core part of a vDEVICE (`struct iommufd_vdevice`): a device's virtual ID on a vIOMMU.
#[repr(transparent)]
pub struct VdeviceCore(Opaque<bindings::iommufd_vdevice>);

impl VdeviceCore {
    #[inline]
    fn as_raw(&self) -> *mut bindings::iommufd_vdevice {
        self.0.get()
    }

    /// The virtual ID (the guest's: a vSID on an SMMUv3, a vRID on VT-d).
    pub fn virt_id(&self) -> u64 {
        // SAFETY: A `VdeviceCore` is only reached during `vdevice_init` or through a
        // `Vdevice<T>`, so `self` is a live vDEVICE; `iommufd_vdevice_alloc_ioctl()` sets
        // `virt_id` before calling the driver and nothing changes it afterwards.
        unsafe { (*self.as_raw()).virt_id }
    }

    /// The device, probed by the vIOMMU's driver `D`; `None` if `D` is not that driver.
    pub fn device<D: Driver>(&self) -> Option<&ProbedDevice<D>> {
        // SAFETY: `self` is a live vDEVICE (see `virt_id`), whose `idev` holds the device bound
        // to iommufd (`iommufd_device_destroy()` waits for the vDEVICE to go); so the device
        // is valid and probed for the borrow of `self`.
        unsafe {
            let d = Device::from_raw(bindings::iommufd_vdevice_to_device(self.as_raw()));
            ProbedDevice::<D>::from_device(d)
        }
    }
}

/// A vDEVICE of a vIOMMU of type `T`: the core part and the driver's data.
///
/// # Invariants
///
/// The allocation is iommufd's, of `size_of::<Self>()` bytes (`vdevice_size`), `core`
/// initialised by iommufd; `data` is initialised from `vdevice_init` until the vDEVICE's
/// `destroy`, and the vDEVICE is in its vIOMMU's `vdevs` only in that time.
#[repr(C)]
pub struct Vdevice<T: ViommuOps> {
    core: VdeviceCore,
    data: T::Vdevice,
}

impl<T: ViommuOps> Vdevice<T> {
    /// The core part.
    pub fn core(&self) -> &VdeviceCore {
        &self.core
    }
}

impl<T: ViommuOps> Deref for Vdevice<T> {
    type Target = T::Vdevice;

    fn deref(&self) -> &T::Vdevice {
        &self.data
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

/// The Arm SMMUv3 nesting uAPI (`include/uapi/linux/iommufd.h`): the vSTE of a nested HWPT, the
/// invalidation commands of a vSMMU and its vEVENTs, for [`ViommuOps`] of an SMMUv3 driver.
///
/// All words are little-endian, as the SMMU reads them (`__le64`).
pub mod arm_smmuv3 {
    use crate::{bindings, transmute::AsBytes};

    /// `IOMMU_VIOMMU_TYPE_ARM_SMMUV3`: a vSMMU, for
    /// [`Driver::VIOMMU_TYPE`](crate::iommu::ops::Driver::VIOMMU_TYPE).
    pub const VIOMMU_TYPE: u32 = bindings::iommu_viommu_type_IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
    /// `IOMMU_HWPT_DATA_ARM_SMMUV3`: the data of a nested HWPT is a [`HwptData`].
    pub const HWPT_DATA: u32 = bindings::iommu_hwpt_data_type_IOMMU_HWPT_DATA_ARM_SMMUV3;
    /// `IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3`: the entries of a vSMMU invalidation are
    /// [`InvalidateCmd`]s.
    pub const INVALIDATE_DATA: u32 =
        bindings::iommu_hwpt_invalidate_data_type_IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
    /// `IOMMU_VEVENTQ_TYPE_ARM_SMMUV3`: the vEVENTs of a vSMMU are [`Vevent`]s.
    pub const VEVENTQ_TYPE: u32 = bindings::iommu_veventq_type_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;

    /// `struct iommu_hwpt_arm_smmuv3`: the user's vSTE, words 0 and 1 of a stream table entry.
    pub use bindings::iommu_hwpt_arm_smmuv3 as HwptData;
    /// `struct iommu_vevent_arm_smmuv3`: one 32-byte event record, its StreamID the virtual one.
    pub use bindings::iommu_vevent_arm_smmuv3 as Vevent;
    /// `struct iommu_viommu_arm_smmuv3_invalidate`: one 16-byte command of the SMMU's command
    /// queue, as the guest wrote it.
    pub use bindings::iommu_viommu_arm_smmuv3_invalidate as InvalidateCmd;

    // `FromBytes` and the user-structure trait of `HwptData` and `InvalidateCmd` are in
    // `user_data`, with the other drivers' structures.

    // SAFETY: `struct iommu_vevent_arm_smmuv3` is four `__aligned_le64`: no padding, so every byte
    // is initialised.
    unsafe impl AsBytes for Vevent {}
}
