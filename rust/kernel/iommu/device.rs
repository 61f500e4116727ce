// SPDX-License-Identifier: GPL-2.0

//! IOMMU instances, the devices behind them, and I/O page-fault queues.
//!
//! C header: [`include/linux/iommu.h`](srctree/include/linux/iommu.h)
//!
//! - [`Registration`]: one IOMMU instance of a driver (a `struct iommu_device` with the driver's
//!   per-instance data), registered with the core for as long as the value lives. It is pinned
//!   and owned by the driver's bound device (a field of its driver data), like the bus drivers'
//!   registrations (`miscdevice.rs`): registering is creating it, so an instance cannot be
//!   registered twice, and dropping it unregisters it before its memory goes.
//! - [`InstanceRef`]: what a driver's `probe_device` hands the core: a registered instance of that
//!   driver, borrowed for the probe, made only from a [`Registration`] of the same driver or from
//!   the core's instance list ([`ProbeInstances`]).
//! - [`ProbedDevice`]: a device the driver probed, with the driver's per-device data, which the
//!   abstraction keeps in `dev->iommu->priv` from `probe_device` to `release_device`, and the
//!   instance that translates for it.
//! - [`IopfQueue`]: a `struct iopf_queue`, owned: it is freed when dropped, so never while in use.

use super::ops::Driver;
use crate::{
    bindings,
    device::{Bound, Device},
    error::to_result,
    prelude::*,
    types::Opaque, //
};
use core::{
    marker::{PhantomData, PhantomPinned},
    ops::Deref,
    ptr::NonNull,
};

/// A device probed by the IOMMU driver `D`, with its per-device data.
///
/// # Invariants
///
/// - `dev->iommu->priv` points to the `D::DevData` that `probe_device` returned for this device,
///   which lives until `release_device`;
/// - `dev->iommu->iommu_dev` is the `struct iommu_device` of the [`InstanceRef`] that
///   `probe_device` returned, embedded in a live [`Registration<D>`] (the core releases the
///   devices of an instance in `iommu_device_unregister()`, which the registration's drop calls
///   before its memory goes, so the device is released before the instance goes);
/// - the reference does not outlive that: the IOMMU core calls the driver only between probe and
///   release, and references handed out by the abstraction are bounded by the callback or by a
///   reference the caller holds on the device's iommufd objects.
#[repr(transparent)]
pub struct ProbedDevice<D: Driver>(Device, PhantomData<D>);

impl<D: Driver> ProbedDevice<D> {
    /// # Safety
    ///
    /// `dev` is valid and was probed by `D`, and stays so for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(dev: *mut bindings::device) -> &'a Self {
        // SAFETY: `ProbedDevice` is `repr(transparent)` over `Device`, which is over the C
        // struct; `dev` is valid and probed by `D` for `'a` (this function's `# Safety`
        // requirement), which gives the type invariant of `ProbedDevice<D>`.
        unsafe { &*dev.cast::<Self>() }
    }

    /// Returns `dev` as a device of `D` if `D` probed it (the device's IOMMU instance uses `D`'s
    /// operations).
    ///
    /// # Safety
    ///
    /// `dev` stays probed by its IOMMU driver for `'a` (for example, the caller holds a vDEVICE
    /// lock or a reference on the device's iommufd device).
    pub unsafe fn from_device<'a>(dev: &'a Device) -> Option<&'a Self> {
        let raw = dev.as_raw();
        // SAFETY: `dev` is valid; `dev->iommu` and its `iommu_dev` are set by the core while the
        // device is probed by an IOMMU driver (`iommu_init_device()`) and only read here.
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
        // SAFETY: Only a registration of `D` (a `Registration<D>` or a
        // `ForeignRegistration<D>`) registers an instance with `D::OPS` (checked above), so
        // `D::probe_device` accepted the device and set `priv`; it stays probed for `'a` by
        // this function's `# Safety` requirement (e.g. the caller holds a vDEVICE lock).
        Some(unsafe { Self::from_raw(raw) })
    }

    /// The driver's data of this device.
    #[inline]
    pub fn data(&self) -> &D::DevData {
        // SAFETY: By the type invariant of `ProbedDevice<D>`, `dev->iommu->priv` points to the
        // `D::DevData` that `probe_device` returned, live until `release_device`, which the core
        // calls only after the callbacks and borrows that produced `self` have ended.
        unsafe { &*(*(*self.0.as_raw()).iommu).priv_.cast::<D::DevData>() }
    }

    /// The driver's data of the IOMMU instance that translates for this device (the instance
    /// `probe_device` returned).
    #[inline]
    pub fn instance(&self) -> &D::Instance {
        // SAFETY: `dev->iommu->iommu_dev` is the instance `probe_device` returned (type
        // invariant): for a driver of `Registration`s the `iommu` field of a live one, which
        // outlives the device's probe.
        unsafe { instance_data::<D>((*(*self.0.as_raw()).iommu).iommu_dev) }
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

/// A registered IOMMU instance of the driver `D`, borrowed for `'p`: what `probe_device` returns
/// to the core, and the instance's data.
///
/// Made only from a live [`Registration<D>`] ([`Registration::instance_ref`], borrowed for `'p`)
/// or from the core's list of registered instances during a probe ([`ProbeInstances`]), so a
/// driver cannot hand the core another driver's instance, nor one that is no longer registered:
/// the lifetime ends before the registration can be dropped, and a `probe_device` can only return
/// one valid for the whole call.
///
/// # Invariants
///
/// For `'p`, the pointer is the `iommu` field of a [`Registration<D>`] that is registered, or,
/// for a driver with [`Driver::FOREIGN_INSTANCES`], a C-owned instance registered by a
/// [`ForeignRegistration<D>`].
pub struct InstanceRef<'p, D: Driver>(
    NonNull<bindings::iommu_device>,
    PhantomData<&'p Registration<'p, D>>,
);

impl<D: Driver> Clone for InstanceRef<'_, D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: Driver> Copy for InstanceRef<'_, D> {}

impl<'p, D: Driver> InstanceRef<'p, D> {
    /// The instance's driver data.
    #[inline]
    pub fn data(self) -> &'p D::Instance {
        // SAFETY: The pointer is the instance of a registration of `D` live for `'p` (type
        // invariant).
        unsafe { instance_data::<D>(self.0.as_ptr()) }
    }

    /// The bound device the instance was registered for ([`Registration::new`]'s `parent`), for
    /// DMA allocations on the IOMMU's behalf (stream tables, context descriptors); `None` for an
    /// instance of [`Registration::new_on_bus`].
    #[inline]
    pub fn bound_device(self) -> Option<&'p Device<Bound>> {
        if D::FOREIGN_INSTANCES {
            return None;
        }
        // SAFETY: The pointer is the `iommu` field of a `Registration<D>` live for `'p` (type
        // invariant), whose `parent` was initialised before the instance was registered, so
        // before any `InstanceRef` to it existed, and is bound for as long as the registration
        // lives (the invariants of `Registration`).
        unsafe { (*Registration::<D>::from_iommu(self.0.as_ptr())).parent }
    }

    #[inline]
    pub(crate) fn as_raw(self) -> *mut bindings::iommu_device {
        self.0.as_ptr()
    }
}

/// The registered instances of the driver `D` that a `probe_device` call can choose from, for the
/// length of the call (`'p`).
///
/// # Invariants
///
/// `dev` is the device being probed: its `dev->iommu` was allocated by the core
/// (`iommu_init_device()`) and stays for `'p`.
pub struct ProbeInstances<'p, D: Driver> {
    dev: &'p Device,
    _d: PhantomData<D>,
}

impl<'p, D: Driver> ProbeInstances<'p, D> {
    /// # Safety
    ///
    /// Called from `probe_device` with the device being probed, whose `dev->iommu` the core
    /// allocated (`iommu_init_device()`), for the length of that call.
    pub(crate) unsafe fn new(dev: &'p Device) -> Self {
        // INVARIANT: By the function's requirement.
        Self {
            dev,
            _d: PhantomData,
        }
    }

    /// The instance the device's firmware names: the registered instance whose firmware node is
    /// the one of the device's fwspec (or, for a device without one, the first instance without
    /// a firmware node), if it is one of `D`'s. This is the instance through which the core
    /// chose `D` to probe the device (`iommu_fwspec_ops()`; C: `iommu_from_fwnode()`).
    ///
    /// `None` if there is none, or if it is not `D`'s (it was unregistered and another instance
    /// took its firmware node meanwhile).
    pub fn of_fwspec(&self) -> Option<InstanceRef<'p, D>> {
        // A foreign instance is not a `Registration`: found by the driver with `foreign()`.
        if D::FOREIGN_INSTANCES {
            return None;
        }
        // SAFETY: `self.dev` is the device being probed, whose `dev->iommu` the core allocated
        // and keeps for the call (type invariant).
        let iommu = unsafe { fwspec_instance(self.dev) };
        if iommu.is_null() {
            return None;
        }
        // SAFETY: `iommu` is on the core's list, so registered: its `ops` are set and read only.
        if !core::ptr::eq(unsafe { (*iommu).ops }, D::OPS.as_ptr()) {
            return None;
        }
        // INVARIANT: Only a `Registration<D>` registers an instance with `D::OPS` (`D::OPS` is a
        // static, the contract of `OpsTable::new()`), and it was registered at the lookup. It
        // stays registered for the probe: a registration is unregistered only by its drop, and
        // its owner (the bound device, or the harness of the selftest) does not drop it while the
        // core probes devices for it (the core does not serialise `iommu_device_unregister()`
        // with `__iommu_probe_device()` either; C drivers rely on the same).
        // SAFETY: `iommu` is not NULL (checked above).
        let iommu = unsafe { NonNull::new_unchecked(iommu) };
        Some(InstanceRef(iommu, PhantomData))
    }
}

impl<'p, D: Driver<Instance = ()>> ProbeInstances<'p, D> {
    /// The C-owned instance `iommu`, if it is registered with `D`'s operations: the instance
    /// that translates for the device, which the driver looked up in C (VT-d:
    /// `device_lookup_iommu()`, which knows which DMAR unit's scope has the device).
    ///
    /// # Safety
    ///
    /// `iommu` points to a `struct iommu_device` that C owns and keeps for `'p`, and that is
    /// registered by a [`ForeignRegistration<D>`] that is not dropped during `'p`, if its
    /// operations are `D`'s.
    pub unsafe fn foreign(
        &self,
        iommu: NonNull<bindings::iommu_device>,
    ) -> Option<InstanceRef<'p, D>> {
        build_assert!(D::FOREIGN_INSTANCES);
        // SAFETY: `iommu` is valid for `'p` (this function's `# Safety` section); `ops` is set by
        // `iommu_device_register()` before the core probes any device for it.
        if !core::ptr::eq(unsafe { (*iommu.as_ptr()).ops }, D::OPS.as_ptr()) {
            return None;
        }
        // INVARIANT: Registered with `D::OPS`, which only a `ForeignRegistration<D>` does for a
        // driver with `FOREIGN_INSTANCES` (`Registration::new` refuses it at build time), live
        // for `'p` (this function's `# Safety` section).
        Some(InstanceRef(iommu, PhantomData))
    }
}

impl<'p, D: Driver> ProbeInstances<'p, D> {
    /// The IDs the firmware gives the device being probed for its IOMMU (the fwspec's `ids`:
    /// SMMUv3 StreamIDs, added by `of_xlate` or IORT), empty if it has no fwspec.
    pub fn fwspec_ids(&self) -> &'p [u32] {
        let dev = self.dev.as_raw();
        // SAFETY: `dev->iommu` is valid for `'p` (type invariant); its `fwspec`, set by the
        // firmware glue before the probe, is neither changed nor freed while the device is
        // probed (`iommu_fwspec_add_ids()` runs only from `of_xlate`/IORT before it, and
        // `iommu_fwspec_free()` only after release); `ids` has `num_ids` entries.
        unsafe {
            let fwspec = (*(*dev).iommu).fwspec;
            if fwspec.is_null() {
                return &[];
            }
            (*fwspec).ids.as_slice((*fwspec).num_ids as usize)
        }
    }
}

/// The registered instance whose firmware node `dev`'s fwspec names (NULL-fwnode instances for a
/// device without a fwspec), or NULL: the lookup of the core's `iommu_fwspec_ops()`.
///
/// Not generic and not inline, so that it is compiled into the kernel crate, which is built in:
/// `iommu_from_fwnode()` is internal to the IOMMU core and not exported to modules (a driver such
/// as the selftest mock may be part of one).
///
/// # Safety
///
/// `dev` is being probed: the core allocated its `dev->iommu` (`iommu_init_device()`) before
/// calling `probe_device`, and keeps it for the call.
#[inline(never)]
unsafe fn fwspec_instance(dev: &Device) -> *mut bindings::iommu_device {
    let dev = dev.as_raw();
    // SAFETY: `dev->iommu` is valid for the call (the function's requirement); its `fwspec` is set
    // by the firmware glue (`iommu_fwspec_init()`) before the core probes the device and is not
    // changed during the probe.
    let fwnode = unsafe {
        let fwspec = (*(*dev).iommu).fwspec;
        if fwspec.is_null() {
            core::ptr::null_mut()
        } else {
            (*fwspec).iommu_fwnode
        }
    };
    // SAFETY: `iommu_from_fwnode()` walks the core's instance list under `iommu_device_lock` and
    // accepts any fwnode, NULL included.
    unsafe { bindings::iommu_from_fwnode(fwnode) }.cast_mut()
}

/// How a [`Registration`] was registered, so that its drop undoes exactly that.
enum Kind {
    /// `iommu_device_register()`.
    Device,
    /// `iommu_device_register_bus()` on a bus of the iommufd selftest.
    #[cfg(CONFIG_IOMMUFD_TEST)]
    Bus {
        bus: *const bindings::bus_type,
        nb: *mut bindings::notifier_block,
    },
}

/// An IOMMU instance of the driver `D`, registered with the IOMMU core: the `struct
/// iommu_device` and the driver's per-instance data (what C drivers embed their `struct
/// iommu_device` in, e.g. `struct arm_smmu_device`).
///
/// Made with [`Registration::new`] in place (a pinned field of the driver data of the bound
/// device `'a`); the device's sysfs entry (`/sys/class/iommu/<name>`) is added and the instance is
/// registered with `D`'s operations, which probes the devices it translates for. When the value
/// is dropped (at the latest when the device is unbound), the instance is unregistered, which
/// releases those devices, and the sysfs entry is removed; only then does its memory go.
///
/// C functions: `iommu_device_sysfs_add()`, `iommu_device_register()`,
/// `iommu_device_unregister()`, `iommu_device_sysfs_remove()`.
///
/// # Invariants
///
/// - `iommu` is registered with the core (on its instance list, with ops `D::OPS`) and in sysfs
///   from the end of the initialiser until drop;
/// - `data` and `parent` are initialised before `iommu` is registered, and `data` is dropped
///   after it is unregistered;
/// - `kind` says how `iommu` was registered;
/// - `parent`, if any, is the bound device of [`Registration::new`], bound for `'a`, which the
///   registration does not outlive.
#[repr(C)]
#[pin_data(PinnedDrop)]
pub struct Registration<'a, D: Driver> {
    #[pin]
    data: D::Instance,
    #[pin]
    iommu: Opaque<bindings::iommu_device>,
    kind: Kind,
    parent: Option<&'a Device<Bound>>,
    _parent: PhantomData<&'a Device>,
    #[pin]
    _pin: PhantomPinned,
}

// SAFETY: The C instance is only changed by the core under its own locks after registration;
// `D::Instance` is `Send`; the bus pointers of `Kind` are only used to unregister, on any thread.
unsafe impl<D: Driver> Send for Registration<'_, D> {}
// SAFETY: `&self` methods only read the C instance or hand out `&D::Instance`, which is `Sync`.
unsafe impl<D: Driver> Sync for Registration<'_, D> {}

/// Options of a new instance.
#[derive(Clone, Copy, Default)]
pub struct Options {
    /// Number of PASIDs the instance supports (`iommu_device::max_pasids`), 0 for none.
    pub max_pasids: u32,
}

/// Adds the sysfs entry of `iommu`, named after `parent`.
///
/// # Safety
///
/// `iommu` is a zeroed `struct iommu_device` that is not registered, pinned until
/// `iommu_device_sysfs_remove()`.
unsafe fn sysfs_add(iommu: *mut bindings::iommu_device, parent: &Device) -> Result {
    // SAFETY: `iommu` is a zeroed, unregistered `struct iommu_device`, pinned until
    // `iommu_device_sysfs_remove()` (this function's `# Safety` section), as
    // `iommu_device_sysfs_add()` needs to allocate and set its `dev`; `parent` is a valid
    // device; the name is a NUL-terminated string that the format "%s" copies
    // (`iommu_device_sysfs_add()` uses `kobject_set_name_vargs`).
    to_result(unsafe {
        bindings::iommu_device_sysfs_add(
            iommu,
            parent.as_raw(),
            core::ptr::null_mut(),
            c"%s".as_char_ptr(),
            parent.name().as_char_ptr(),
        )
    })
}

impl<'a, D: Driver> Registration<'a, D> {
    /// Registers a new instance whose sysfs entry is named after `parent` and whose firmware node
    /// is `parent`'s, with the driver data `data`.
    ///
    /// `data` is initialised first: the core probes the instance's devices during registration,
    /// and `probe_device` and the callbacks may use it.
    ///
    /// # Errors
    ///
    /// The error of `data`; `ENOMEM` or the sysfs errors of `iommu_device_sysfs_add()`; the errors
    /// of `iommu_device_register()` (`EINVAL`, or the first error probing a device).
    pub fn new(
        parent: &'a Device<Bound>,
        opts: Options,
        data: impl PinInit<D::Instance, Error> + 'a,
    ) -> impl PinInit<Self, Error> + 'a {
        build_assert!(!D::FOREIGN_INSTANCES);
        Self::init(
            parent,
            Some(parent),
            opts,
            data,
            Kind::Device,
            move |iommu| {
                // SAFETY: `iommu` is in sysfs, zeroed but for `max_pasids` and not registered (the
                // contract of the closure of `init`); `D::OPS` is a static (the contract of
                // `OpsTable::new()`); `parent` is a bound device, valid for `'a`.
                // INVARIANT: On success `iommu` is registered until drop, which calls
                // `iommu_device_unregister()` for `Kind::Device`.
                to_result(unsafe {
                    bindings::iommu_device_register(iommu, D::OPS.as_ptr(), parent.as_raw())
                })
            },
        )
    }

    /// Registers a new instance for the devices of a bus of the iommufd selftest (the selftest's
    /// `iommu_device_register_bus()`), its sysfs entry named after `parent`; otherwise as
    /// [`Self::new`].
    ///
    /// # Safety
    ///
    /// `bus` and `nb` are valid until the registration is dropped, and `nb` is not registered
    /// elsewhere.
    #[cfg(CONFIG_IOMMUFD_TEST)]
    pub unsafe fn new_on_bus(
        parent: &'a Device,
        bus: *const bindings::bus_type,
        nb: *mut bindings::notifier_block,
        opts: Options,
        data: impl PinInit<D::Instance, Error> + 'a,
    ) -> impl PinInit<Self, Error> + 'a {
        build_assert!(!D::FOREIGN_INSTANCES);
        Self::init(
            parent,
            None,
            opts,
            data,
            Kind::Bus { bus, nb },
            move |iommu| {
                // SAFETY: `iommu` is in sysfs, zeroed but for `max_pasids` and not registered (the
                // contract of the closure of `init`); `D::OPS` is a static; `bus` and `nb` are valid
                // until drop, where they are unregistered (the contract of this function).
                // INVARIANT: On success `iommu` is registered on `bus` until drop, which calls
                // `iommu_device_unregister_bus()` for `Kind::Bus`.
                to_result(unsafe {
                    bindings::iommu_device_register_bus(iommu, D::OPS.as_ptr(), bus, nb)
                })
            },
        )
    }

    /// The initialiser of [`Self::new`] and [`Self::new_on_bus`]: `data`, then the `struct
    /// iommu_device` zeroed, with `opts`, added to sysfs under `parent` and registered by
    /// `register` as `kind` says.
    ///
    /// `register` is called with the pinned `struct iommu_device`, zeroed but for `max_pasids`,
    /// in sysfs and not registered; on success it must have registered it as `kind` says, on
    /// failure left it unregistered (the C register functions undo their own work on error).
    fn init(
        parent: &'a Device,
        bound: Option<&'a Device<Bound>>,
        opts: Options,
        data: impl PinInit<D::Instance, Error> + 'a,
        kind: Kind,
        register: impl FnOnce(*mut bindings::iommu_device) -> Result + 'a,
    ) -> impl PinInit<Self, Error> + 'a {
        // Named apart: inside the initialiser, `parent` is the field.
        let sysfs_parent = parent;
        try_pin_init!(Self {
            // First, everything the callbacks may read: the core probes the instance's devices
            // during registration (`probe_device` reads `data` and `parent`).
            data <- data,
            kind,
            // INVARIANT: `bound` is `Some` only from `new`, whose `parent` is bound for `'a`.
            parent: bound,
            _parent: PhantomData,
            _pin: PhantomPinned,
            iommu <- Opaque::try_ffi_init(move |iommu: *mut bindings::iommu_device| {
                // SAFETY: `iommu` is the memory of the `iommu` field, pinned until drop; all
                // zeroes is an unregistered `struct iommu_device`, and `max_pasids` a plain field.
                unsafe {
                    core::ptr::write_bytes(iommu, 0, 1);
                    (*iommu).max_pasids = opts.max_pasids;
                }
                // SAFETY: `iommu` was zeroed just above and is not registered; it is the memory of
                // the pinned `iommu` field, which stays until drop, where (or on the error path
                // below) `iommu_device_sysfs_remove()` is called: the `# Safety` section of
                // `sysfs_add`.
                unsafe { sysfs_add(iommu, sysfs_parent) }?;
                let ret = register(iommu);
                if ret.is_err() {
                    // SAFETY: `sysfs_add` succeeded above; `register` failed and left `iommu`
                    // unregistered (its contract).
                    unsafe { bindings::iommu_device_sysfs_remove(iommu) };
                }
                ret
            }),
        }? Error)
    }

    /// The instance, for `probe_device` to return, borrowed as long as `self`.
    #[inline]
    pub fn instance_ref(&self) -> InstanceRef<'_, D> {
        // INVARIANT: `self` is a live, registered `Registration<D>` (type invariant), and stays
        // so while borrowed.
        // SAFETY: `Opaque::get` never returns NULL.
        let iommu = unsafe { NonNull::new_unchecked(self.iommu.get()) };
        InstanceRef(iommu, PhantomData)
    }

    /// The driver's per-instance data.
    #[inline]
    pub fn data(&self) -> &D::Instance {
        &self.data
    }

    /// Adds `dev`, a device on the bus of [`Self::new_on_bus`] that is not probed yet, to this
    /// instance: the core probes it (the selftest's `iommu_mock_device_add()`).
    ///
    /// # Errors
    ///
    /// `EINVAL` if the instance was not registered on a bus; the errors of
    /// `iommu_mock_device_add()`.
    #[cfg(CONFIG_IOMMUFD_TEST)]
    pub fn mock_device_add(&self, dev: &Device) -> Result {
        if !matches!(self.kind, Kind::Bus { .. }) {
            return Err(EINVAL);
        }
        // SAFETY: `dev` is valid; the instance is registered on its bus (type invariant).
        to_result(unsafe { bindings::iommu_mock_device_add(dev.as_raw(), self.iommu.get()) })
    }

    /// The registration whose `iommu` field is `iommu`.
    ///
    /// # Safety
    ///
    /// `iommu` is the `iommu` field of a `Registration<D>`.
    #[inline]
    unsafe fn from_iommu(iommu: *mut bindings::iommu_device) -> *const Self {
        // SAFETY: The caller's `iommu` is the `iommu` field of a `Registration<D>`; `Opaque<T>` is
        // `repr(transparent)` over `T`, so the field's address is the pointer's.
        unsafe { crate::container_of!(iommu.cast::<Opaque<_>>(), Self, iommu) }
    }

    /// The driver data of the registration whose `iommu` field is `iommu`.
    ///
    /// # Safety
    ///
    /// `iommu` is the `iommu` field of a `Registration<D>` that is live for `'b`.
    #[inline]
    pub(crate) unsafe fn data_of<'b>(iommu: *mut bindings::iommu_device) -> &'b D::Instance {
        // SAFETY: This function's `# Safety` requirement: `iommu` is the field of a live
        // `Registration<D>`;
        // `Opaque<T>` is `repr(transparent)` over `T`, so the field's address is the pointer's.
        let reg = unsafe { crate::container_of!(iommu.cast::<Opaque<_>>(), Self, iommu) };
        // SAFETY: `reg` is live for `'b` (this function's `# Safety` requirement); `data` is
        // initialised before `iommu` (fields are initialised in order), so before registration.
        unsafe { &(*reg).data }
    }
}

#[pinned_drop]
impl<D: Driver> PinnedDrop for Registration<'_, D> {
    fn drop(self: Pin<&mut Self>) {
        let iommu = self.iommu.get();
        match self.kind {
            // SAFETY: Registered with `iommu_device_register()` (type invariant); this releases
            // every device the core probed for the instance.
            Kind::Device => unsafe { bindings::iommu_device_unregister(iommu) },
            #[cfg(CONFIG_IOMMUFD_TEST)]
            // SAFETY: Registered with `iommu_device_register_bus()` on `bus` and `nb`, which are
            // valid until this returns (the contract of `new_on_bus`).
            Kind::Bus { bus, nb } => unsafe {
                bindings::iommu_device_unregister_bus(iommu, bus, nb)
            },
        }
        // SAFETY: In sysfs (type invariant), no longer registered.
        unsafe { bindings::iommu_device_sysfs_remove(iommu) };
    }
}

/// The driver data of the instance `iommu` of `D`.
///
/// # Safety
///
/// `iommu` is the instance of a registration of `D` (a [`Registration<D>`]'s `iommu` field, or
/// for [`Driver::FOREIGN_INSTANCES`] the C instance of a [`ForeignRegistration<D>`]) live for
/// `'b`.
#[inline]
pub(crate) unsafe fn instance_data<'b, D: Driver>(
    iommu: *mut bindings::iommu_device,
) -> &'b D::Instance {
    if D::FOREIGN_INSTANCES {
        build_assert!(size_of::<D::Instance>() == 0);
        // SAFETY: A driver with foreign instances has `Instance = ()`: its instances are made
        // only by `ForeignRegistration<D>` and found only by `ProbeInstances::foreign`, both of
        // which require it (`D: Driver<Instance = ()>`), and only they give the core an instance
        // with `D::OPS` for such a driver. A dangling, aligned pointer is a valid reference to a
        // zero-sized value, and `()` has no invariant.
        return unsafe { NonNull::<D::Instance>::dangling().as_ref() };
    }
    // SAFETY: `iommu` is the `iommu` field of a `Registration<D>` live for `'b` (this function's
    // `# Safety` section).
    unsafe { Registration::<D>::data_of(iommu) }
}

/// An IOMMU instance of the driver `D` whose `struct iommu_device` C owns, registered with the
/// IOMMU core with `D`'s operations: for VT-d, each DMAR unit's, embedded in the C `struct
/// intel_iommu`, whose memory, sysfs entry and hardware C manages (the DMAR units are set up in
/// early boot, for interrupt remapping too). Dropping the value unregisters the instance, which
/// releases the devices the core probed for it.
///
/// C functions: `iommu_device_register()` (with no hardware device: the instance has no firmware
/// node, and devices are matched to it by the driver, [`ProbeInstances::foreign`]),
/// `iommu_device_unregister()`.
///
/// # Invariants
///
/// `iommu` is registered with `D::OPS` from creation until drop, and C keeps its memory until
/// after the drop.
pub struct ForeignRegistration<D: Driver<Instance = ()>> {
    iommu: NonNull<bindings::iommu_device>,
    _d: PhantomData<D>,
}

// SAFETY: The registration only holds the pointer, used to unregister, on any thread.
unsafe impl<D: Driver<Instance = ()>> Send for ForeignRegistration<D> {}
// SAFETY: `&self` gives nothing but the pointer's instance references.
unsafe impl<D: Driver<Instance = ()>> Sync for ForeignRegistration<D> {}

impl<D: Driver<Instance = ()>> ForeignRegistration<D> {
    /// Registers the C-owned instance `iommu` with `D`'s operations; the core probes the devices
    /// it translates for during the call.
    ///
    /// # Errors
    ///
    /// The errors of `iommu_device_register()` (`EINVAL`, or the first error probing a device).
    ///
    /// # Safety
    ///
    /// `iommu` is a `struct iommu_device` that C owns and keeps until after this registration is
    /// dropped, that is not registered, and whose sysfs entry C added
    /// (`iommu_device_sysfs_add()`) and keeps as long.
    pub unsafe fn new(iommu: NonNull<bindings::iommu_device>) -> Result<Self> {
        build_assert!(D::FOREIGN_INSTANCES && size_of::<D::Instance>() == 0);
        // SAFETY: `iommu` is valid, unregistered and in sysfs (this function's `# Safety`
        // section); `D::OPS` is a static (the contract of `OpsTable::new()`).
        to_result(unsafe {
            bindings::iommu_device_register(iommu.as_ptr(), D::OPS.as_ptr(), core::ptr::null_mut())
        })?;
        // INVARIANT: Registered just above; unregistered by drop only.
        Ok(Self {
            iommu,
            _d: PhantomData,
        })
    }

    /// The instance, borrowed as long as `self`.
    pub fn instance_ref(&self) -> InstanceRef<'_, D> {
        // INVARIANT: `iommu` is registered by this live `ForeignRegistration<D>` (type
        // invariant), and stays so while borrowed.
        InstanceRef(self.iommu, PhantomData)
    }

    /// Keeps the instance registered for the kernel's life: for an instance C never removes
    /// (VT-d refuses DMAR hotplug with a Rust driver), registered by a built-in driver that has
    /// no place to keep the registration. Nothing is allocated, so nothing leaks.
    pub fn keep(self) {
        core::mem::forget(self);
    }
}

impl<D: Driver<Instance = ()>> Drop for ForeignRegistration<D> {
    fn drop(&mut self) {
        // SAFETY: Registered (type invariant); C keeps the memory until after this. This releases
        // every device the core probed for the instance.
        unsafe { bindings::iommu_device_unregister(self.iommu.as_ptr()) };
    }
}

/// An I/O page-fault queue (`struct iopf_queue`), freed when dropped.
///
/// Owned: while a `&IopfQueue` exists (for example during [`IopfQueue::add_device`]) it cannot be
/// dropped, so the queue is never freed while in use.
///
/// # Invariants
///
/// The pointer is a queue allocated by `iopf_queue_alloc()`, freed only on drop.
pub struct IopfQueue(NonNull<bindings::iopf_queue>);

// SAFETY: The C queue is thread-safe (`iopf_queue->lock`); it is freed only by its owner.
unsafe impl Sync for IopfQueue {}
// SAFETY: Not bound to a thread.
unsafe impl Send for IopfQueue {}

impl IopfQueue {
    /// Allocates a queue whose workqueue is named `name` (`iopf_queue_alloc()`).
    ///
    /// # Errors
    ///
    /// `ENOMEM` if the queue or its workqueue cannot be allocated.
    pub fn new(name: &'static CStr) -> Result<Self> {
        // SAFETY: `name` is a static NUL-terminated string.
        let q = unsafe { bindings::iopf_queue_alloc(name.as_char_ptr()) };
        // INVARIANT: Allocated by `iopf_queue_alloc()`.
        Ok(Self(NonNull::new(q).ok_or(ENOMEM)?))
    }

    /// Adds `dev` to the queue: its page faults are then reported through it
    /// (`iopf_queue_add_device()`).
    ///
    /// # Errors
    ///
    /// `ENOMEM`, or `EBUSY` if the device is in a queue already.
    pub fn add_device<D: Driver>(&self, dev: &ProbedDevice<D>) -> Result {
        // SAFETY: The queue is allocated (type invariant) and `dev` is valid.
        to_result(unsafe { bindings::iopf_queue_add_device(self.0.as_ptr(), dev.as_raw()) })
    }

    /// Removes `dev`, added before, from the queue (`iopf_queue_remove_device()`).
    pub fn remove_device<D: Driver>(&self, dev: &ProbedDevice<D>) {
        // SAFETY: The queue is allocated (type invariant) and `dev` is valid.
        unsafe { bindings::iopf_queue_remove_device(self.0.as_ptr(), dev.as_raw()) };
    }
}

impl Drop for IopfQueue {
    fn drop(&mut self) {
        // SAFETY: Allocated by `iopf_queue_alloc()` (type invariant) and no longer borrowed;
        // `iopf_queue_free()` removes any devices still in it.
        unsafe { bindings::iopf_queue_free(self.0.as_ptr()) };
    }
}
