// SPDX-License-Identifier: GPL-2.0

//! IOMMU instances, the devices behind them, and I/O page-fault queues.
//!
//! C header: [`include/linux/iommu.h`](srctree/include/linux/iommu.h)
//!
//! - [`IommuDevice`]: a `struct iommu_device`, one IOMMU instance, registered with the core
//!   (sysfs + `iommu_device_register*()`) under a driver's `iommu_ops`; it can be a `static`, like
//!   the C drivers' instances, and is unregistered by [`IommuDevice::unregister`].
//! - [`ProbedDevice`]: a device the driver probed, with the driver's per-device data, which the
//!   abstraction keeps in `dev->iommu->priv` from `probe_device` to `release_device`.
//! - [`IopfQueue`]: a `struct iopf_queue`.

use super::ops::Driver;
use crate::{
    bindings,
    device::Device,
    error::to_result,
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    types::Opaque, //
};
use core::{marker::PhantomData, ops::Deref};

/// A device probed by the IOMMU driver `D`, with its per-device data.
///
/// # Invariants
///
/// `dev->iommu->priv` points to the `D::DevData` that `probe_device` returned for this device,
/// which lives until `release_device`; the reference does not outlive that (the IOMMU core calls
/// the driver only between the two, and references handed out by the abstraction are bounded by
/// the callback or by a reference the caller holds on the device's iommufd objects).
#[repr(transparent)]
pub struct ProbedDevice<D: Driver>(Device, PhantomData<D>);

impl<D: Driver> ProbedDevice<D> {
    /// # Safety
    ///
    /// `dev` is valid and was probed by `D`, and stays so for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(dev: *mut bindings::device) -> &'a Self {
        // SAFETY: `ProbedDevice` is `repr(transparent)` over `Device`, which is over the C
        // struct; validity by the caller.
        unsafe { &*dev.cast::<Self>() }
    }

    /// Returns `dev` as a device of `D` if `D` probed it (the device's IOMMU instance uses `D`'s
    /// operations).
    ///
    /// Crate-private: the result is only valid while the device stays probed, which the callers
    /// in this crate guarantee (a vDEVICE lock, or a harness reference on the iommufd device).
    pub(crate) fn from_device(dev: &Device) -> Option<&Self> {
        let raw = dev.as_raw();
        // SAFETY: `dev` is valid; `dev->iommu` and its `iommu_dev` are set while the device is
        // probed by an IOMMU driver and only read here.
        let ops = unsafe {
            let iommu = (*raw).iommu;
            if iommu.is_null() || (*iommu).iommu_dev.is_null() || (*iommu).priv_.is_null() {
                return None;
            }
            (*(*iommu).iommu_dev).ops
        };
        if !core::ptr::eq(ops, D::OPS.as_ptr()) {
            return None;
        }
        // SAFETY: Probed by `D` (checked above) and valid for the lifetime of `dev`.
        Some(unsafe { Self::from_raw(raw) })
    }

    /// The driver's data of this device.
    #[inline]
    pub fn data(&self) -> &D::DevData {
        // SAFETY: `dev->iommu` is set and `priv` is the `D::DevData` (type invariant).
        unsafe { &*(*(*self.0.as_raw()).iommu).priv_.cast::<D::DevData>() }
    }

    /// The C pointer.
    #[inline]
    pub(crate) fn as_raw(&self) -> *mut bindings::device {
        self.0.as_raw()
    }
}

impl<D: Driver> Deref for ProbedDevice<D> {
    type Target = Device;

    fn deref(&self) -> &Device {
        &self.0
    }
}

/// A `struct iommu_device`: one IOMMU instance.
///
/// Starts unregistered (all zeroes, as a C `static struct iommu_device`), so it can be a
/// `static`.
///
/// # Invariants
///
/// `registered` is true between a successful `register*()` and `unregister()`; only then is the
/// C structure in the core's lists.
pub struct IommuDevice {
    dev: Opaque<bindings::iommu_device>,
    registered: Atomic<bool>,
    bus: Atomic<*mut bindings::bus_type>,
    nb: Atomic<*mut bindings::notifier_block>,
}

// SAFETY: The C structure is only changed by `register*()`/`unregister()` (not concurrently, see
// their contracts) and by the core under its own locks.
unsafe impl Sync for IommuDevice {}
// SAFETY: Not bound to a thread.
unsafe impl Send for IommuDevice {}

impl Default for IommuDevice {
    fn default() -> Self {
        Self::new()
    }
}

impl IommuDevice {
    /// An unregistered instance.
    pub const fn new() -> Self {
        Self {
            dev: Opaque::zeroed(),
            registered: Atomic::new(false),
            bus: Atomic::new(core::ptr::null_mut()),
            nb: Atomic::new(core::ptr::null_mut()),
        }
    }

    /// The C pointer.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::iommu_device {
        self.dev.get()
    }

    /// Sets the number of PASIDs the instance supports (before devices are probed).
    pub fn set_max_pasids(&self, max: u32) {
        // SAFETY: A plain field the core reads when it probes devices.
        unsafe { (*self.dev.get()).max_pasids = max };
    }

    /// Adds the sysfs entry (`/sys/class/iommu/<name of parent>`), then registers the instance
    /// with `D`'s operations for the devices `parent`'s firmware node refers to.
    ///
    /// Must not be called concurrently with another `register*()` or `unregister()` of `self`.
    pub fn register<D: Driver>(&'static self, parent: &Device) -> Result {
        self.sysfs_add(parent)?;
        // SAFETY: `self.dev` is not registered; `D::OPS` is static; `parent` is valid.
        let ret = unsafe {
            bindings::iommu_device_register(self.as_raw(), D::OPS.as_ptr(), parent.as_raw())
        };
        if let Err(e) = to_result(ret) {
            // SAFETY: Added above.
            unsafe { bindings::iommu_device_sysfs_remove(self.as_raw()) };
            return Err(e);
        }
        self.registered.store(true, Relaxed);
        Ok(())
    }

    fn sysfs_add(&self, parent: &Device) -> Result {
        // SAFETY: `self.dev` is not registered; the name is a NUL-terminated string that the
        // format "%s" copies.
        to_result(unsafe {
            bindings::iommu_device_sysfs_add(
                self.as_raw(),
                parent.as_raw(),
                core::ptr::null_mut(),
                c"%s".as_char_ptr(),
                parent.name().as_char_ptr(),
            )
        })
    }

    /// Registers the instance for the devices of a bus of the iommufd selftest (the selftest's
    /// `iommu_device_register_bus()`); otherwise as [`Self::register`].
    ///
    /// # Safety
    ///
    /// `bus` and `nb` are valid until [`Self::unregister`] returns.
    #[cfg(CONFIG_IOMMUFD_TEST)]
    pub unsafe fn register_bus<D: Driver>(
        &'static self,
        parent: &Device,
        bus: *const bindings::bus_type,
        nb: *mut bindings::notifier_block,
    ) -> Result {
        self.sysfs_add(parent)?;
        // Registration probes the devices already on the bus: `is_on_bus()` must know the bus
        // by then.
        self.bus.store(bus.cast_mut(), Relaxed);
        self.nb.store(nb, Relaxed);
        // SAFETY: `self.dev` is not registered; `D::OPS` is static; `bus` and `nb` by the caller.
        let ret =
            unsafe { bindings::iommu_device_register_bus(self.as_raw(), D::OPS.as_ptr(), bus, nb) };
        if let Err(e) = to_result(ret) {
            self.bus.store(core::ptr::null_mut(), Relaxed);
            self.nb.store(core::ptr::null_mut(), Relaxed);
            // SAFETY: Added above.
            unsafe { bindings::iommu_device_sysfs_remove(self.as_raw()) };
            return Err(e);
        }
        self.registered.store(true, Relaxed);
        Ok(())
    }

    /// True if `dev` is on the bus of [`Self::register_bus`].
    pub fn is_on_bus(&self, dev: &Device) -> bool {
        let bus = self.bus.load(Relaxed);
        // SAFETY: `dev` is valid; `bus` is a plain field.
        !bus.is_null() && core::ptr::eq(unsafe { (*dev.as_raw()).bus }, bus)
    }

    /// Adds `dev`, a device on the bus of [`Self::register_bus`], to this instance: the core
    /// probes it (the selftest's `iommu_mock_device_add()`).
    #[cfg(CONFIG_IOMMUFD_TEST)]
    pub fn mock_device_add(&'static self, dev: &Device) -> Result {
        if !self.registered.load(Relaxed) {
            return Err(ENODEV);
        }
        // SAFETY: `dev` is valid and not added yet (the caller created it); `self` is registered.
        to_result(unsafe { bindings::iommu_mock_device_add(dev.as_raw(), self.as_raw()) })
    }

    /// Unregisters the instance (the core releases its devices first) and removes the sysfs
    /// entry. Does nothing if it is not registered.
    ///
    /// Must not be called concurrently with `register*()` of `self`.
    pub fn unregister(&self) {
        if !self.registered.xchg(false, Relaxed) {
            return;
        }
        let bus = self.bus.xchg(core::ptr::null_mut(), Relaxed);
        let nb = self.nb.xchg(core::ptr::null_mut(), Relaxed);
        // SAFETY: Registered (checked above), in sysfs.
        unsafe { bindings::iommu_device_sysfs_remove(self.as_raw()) };
        if bus.is_null() {
            // SAFETY: Registered with `iommu_device_register()`.
            unsafe { bindings::iommu_device_unregister(self.as_raw()) };
        } else {
            #[cfg(CONFIG_IOMMUFD_TEST)]
            // SAFETY: Registered with `iommu_device_register_bus()` on `bus` and `nb`, which
            // are valid by the contract of `register_bus`.
            unsafe {
                bindings::iommu_device_unregister_bus(self.as_raw(), bus, nb)
            };
        }
    }
}

impl Drop for IommuDevice {
    /// Unregisters the instance if it is still registered. (`register*()` takes `&'static self`,
    /// so a registered instance is a `static` or leaked and never dropped; this is a backstop.)
    fn drop(&mut self) {
        self.unregister();
    }
}

/// An I/O page-fault queue (`struct iopf_queue`), allocated on demand; can be a `static`.
pub struct IopfQueue(Atomic<*mut bindings::iopf_queue>);

// SAFETY: The pointer is only swapped atomically; the C queue is thread-safe.
unsafe impl Sync for IopfQueue {}
// SAFETY: Not bound to a thread.
unsafe impl Send for IopfQueue {}

impl Default for IopfQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl IopfQueue {
    /// No queue yet.
    pub const fn new() -> Self {
        Self(Atomic::new(core::ptr::null_mut()))
    }

    /// Allocates the queue with the workqueue name `name`.
    pub fn alloc(&self, name: &'static CStr) -> Result {
        // SAFETY: `name` is a static NUL-terminated string.
        let q = unsafe { bindings::iopf_queue_alloc(name.as_char_ptr()) };
        if q.is_null() {
            return Err(ENOMEM);
        }
        let old = self.0.xchg(q, Relaxed);
        if !old.is_null() {
            // SAFETY: `old` was allocated by `alloc`; replacing it is a caller bug, so free it to
            // not leak.
            unsafe { bindings::iopf_queue_free(old) };
        }
        Ok(())
    }

    /// True if the queue was allocated.
    pub fn is_allocated(&self) -> bool {
        !self.0.load(Relaxed).is_null()
    }

    /// Frees the queue (its devices must have been removed).
    pub fn free(&self) {
        let q = self.0.xchg(core::ptr::null_mut(), Relaxed);
        if !q.is_null() {
            // SAFETY: Allocated by `alloc`, no longer reachable through `self`.
            unsafe { bindings::iopf_queue_free(q) };
        }
    }

    /// Adds `dev` to the queue: its page faults are then reported through it. `ENODEV` if the
    /// queue is not allocated.
    pub fn add_device<D: Driver>(&self, dev: &ProbedDevice<D>) -> Result {
        let q = self.0.load(Relaxed);
        if q.is_null() {
            return Err(ENODEV);
        }
        // SAFETY: `q` is allocated and `dev` is valid.
        to_result(unsafe { bindings::iopf_queue_add_device(q, dev.as_raw()) })
    }

    /// Removes `dev`, added before, from the queue.
    pub fn remove_device<D: Driver>(&self, dev: &ProbedDevice<D>) {
        let q = self.0.load(Relaxed);
        if !q.is_null() {
            // SAFETY: `q` is allocated and `dev` is valid.
            unsafe { bindings::iopf_queue_remove_device(q, dev.as_raw()) };
        }
    }
}
