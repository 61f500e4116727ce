// SPDX-License-Identifier: GPL-2.0

//! The C DMAR units the driver runs on (`drivers/iommu/intel/rust_seam.h`).
//!
//! This file is the driver's abstraction of that C interface, private to it: the only part of the
//! driver that uses the C bindings (the lint of `riommu test` names it as an abstraction file).
//! C keeps the units (`struct intel_iommu`: registers, root and context tables, invalidation
//! queue, faults, interrupt remapping) and probes devices into their `struct
//! device_domain_info` (PASID table, scalable-mode context entry); the driver registers the units
//! with its operations ([`register`]), writes the RID's PASID-table entry ([`RidEntry`]) and
//! submits invalidation descriptors ([`Unit::qi_submit`]).

use crate::hw::{Cap, Ecap, PasidEntry, QiDesc};
use core::{
    marker::PhantomData,
    mem::MaybeUninit,
    ptr::{self, NonNull},
    sync::atomic::{AtomicBool, Ordering},
};
use kernel::{
    bindings,
    device::Device,
    error::to_result,
    ffi::c_int,
    iommu::{
        device::{ForeignRegistration, InstanceRef, ProbeInstances},
        ops::{Driver, ResvRegions},
    },
    prelude::*,
    sync::{
        aref::ARef,
        barrier::{dma_mb, Write},
        Arc, UniqueArc,
    },
    types::Opaque,
};

/// The C device of `dev`.
fn raw_dev(dev: &Device) -> *mut bindings::device {
    // `Device` is `repr(transparent)` over `Opaque<struct device>`, which is over the C struct:
    // the reference's address is the C device's.
    ptr::from_ref(dev).cast_mut().cast()
}

/// A DMAR unit (C `struct intel_iommu`).
///
/// # Invariants
///
/// The unit is an active DMAR unit, which C keeps for the kernel's life: it is set up at boot
/// (`intel_iommu_init()`) and never removed, because DMAR hotplug is refused with the Rust
/// driver (`dmar_iommu_hotplug()`). Its `cap`, `ecap`, `agaw` and `name` are not written after
/// boot.
#[repr(transparent)]
pub(crate) struct Unit(Opaque<bindings::intel_iommu>);

// SAFETY: C's unit is shared by every CPU; the fields read here are constant after boot, and
// the rest is used through C functions that take its locks.
unsafe impl Send for Unit {}
// SAFETY: As for `Send`.
unsafe impl Sync for Unit {}

impl Unit {
    /// # Safety
    ///
    /// `iommu` is an active DMAR unit.
    unsafe fn from_raw(iommu: *mut bindings::intel_iommu) -> &'static Self {
        // SAFETY: `Unit` is `repr(transparent)` over the C struct; the unit lives as long as the
        // kernel (this function's `# Safety` section and the type invariant).
        unsafe { &*iommu.cast::<Self>() }
    }

    fn raw(&self) -> *mut bindings::intel_iommu {
        self.0.get()
    }

    /// The capability register.
    pub(crate) fn cap(&self) -> Cap {
        // SAFETY: Read once at boot and constant after (type invariant).
        Cap(unsafe { (*self.raw()).cap })
    }

    /// The extended capability register.
    pub(crate) fn ecap(&self) -> Ecap {
        // SAFETY: As for `cap`.
        Ecap(unsafe { (*self.raw()).ecap })
    }

    /// The adjusted guest address width the unit was set up with (`iommu->agaw`).
    pub(crate) fn agaw(&self) -> u8 {
        // SAFETY: As for `cap`; an AGAW is 0 to 4.
        unsafe { (*self.raw()).agaw as u8 }
    }

    /// The unit's name (`dmar0`, ...).
    pub(crate) fn name(&self) -> &CStr {
        // SAFETY: As for `cap`; `name` is a NUL-terminated string in its array (`alloc_iommu()`
        // formats it with `snprintf()`).
        let name = unsafe { &(*self.raw()).name };
        CStr::from_bytes_until_nul(name).unwrap_or(c"dmar")
    }

    /// Whether the unit runs in scalable mode (`sm_supported()`).
    pub(crate) fn scalable_mode(&self) -> bool {
        // SAFETY: An active unit (type invariant).
        unsafe { bindings::intel_iommu_rs_sm_supported(self.raw()) }
    }

    /// The unit's `struct iommu_device` (embedded in `struct intel_iommu`).
    fn iommu_device(&self) -> NonNull<bindings::iommu_device> {
        // SAFETY: A field of the live unit (type invariant).
        unsafe { NonNull::new_unchecked(&raw mut (*self.raw()).iommu) }
    }

    /// The unit's sysfs device (`/sys/class/iommu/<name>`), which C added at boot and keeps.
    pub(crate) fn device(&self) -> Option<&'static Device> {
        // SAFETY: `iommu.dev` was set by `iommu_device_sysfs_add()` in `intel_iommu_init()`
        // before the driver runs, and stays (the unit is never removed, type invariant).
        let dev = unsafe { (*self.raw()).iommu.dev };
        // SAFETY: `dev` is a valid device for the kernel's life, as above.
        (!dev.is_null()).then(|| unsafe { Device::from_raw(dev) })
    }

    /// Submits `descs` to the unit's invalidation queue and waits for the hardware to complete
    /// them (`qi_submit_sync()`). May be called in atomic context.
    ///
    /// # Errors
    ///
    /// `EINVAL` if the queue reported an invalid descriptor, `ETIMEDOUT` for a device-TLB
    /// invalidation timeout (the errors of `qi_submit_sync()`).
    pub(crate) fn qi_submit(&self, descs: &mut [QiDesc]) -> Result {
        if descs.is_empty() {
            return Ok(());
        }
        // SAFETY: `QiDesc` is `repr(transparent)` over four `u64`s, the layout of `struct
        // qi_desc` (checked below); `descs` is valid for the call, which copies the descriptors
        // into the queue; the unit has a queue (the driver refuses units without `ECAP.QIS`).
        to_result(unsafe {
            bindings::qi_submit_sync(self.raw(), descs.as_mut_ptr().cast(), descs.len() as u32, 0)
        })
    }

    /// Whether the unit translates DMA now (`GCMD.TE`); device-TLB invalidations are not
    /// submitted before (VT-d 4.3, `qi_flush_dev_iotlb()`).
    pub(crate) fn translation_enabled(&self) -> bool {
        // SAFETY: An active unit (type invariant); C reads `gcmd` with `READ_ONCE()`.
        unsafe { bindings::intel_iommu_rs_translation_enabled(self.raw()) }
    }

    /// Allocates a domain ID of the unit (C `domain_attach_iommu()`: from `IDA_START_DID` up to
    /// the number of domains the unit has).
    ///
    /// # Errors
    ///
    /// `ENOSPC` if every domain ID is in use, `ENOMEM`.
    pub(crate) fn alloc_did(&self) -> Result<u16> {
        // cap_ndoms(): 2^(4 + 2 * ND) domains.
        let ndoms = 1u64 << (4 + 2 * (self.cap().0 & 0x7));
        let max = (ndoms - 1).min(u64::from(u16::MAX)) as u32;
        // SAFETY: `domain_ida` is the unit's initialised IDA (set up by `alloc_iommu()`), which
        // takes its own lock.
        let id = unsafe {
            bindings::ida_alloc_range(
                &raw mut (*self.raw()).domain_ida,
                bindings::IDA_START_DID,
                max,
                bindings::GFP_KERNEL,
            )
        };
        to_result(id)?;
        Ok(id as u16)
    }

    /// Frees a domain ID of [`Self::alloc_did`] that no PASID-table entry uses any more.
    pub(crate) fn free_did(&self, did: u16) {
        // SAFETY: As in `alloc_did`; `did` was allocated from this IDA.
        unsafe { bindings::ida_free(&raw mut (*self.raw()).domain_ida, did.into()) };
    }
}

/// The active DMAR units, in the order C set them up.
pub(crate) fn units() -> impl Iterator<Item = &'static Unit> {
    let mut prev: *mut bindings::intel_iommu = core::ptr::null_mut();
    core::iter::from_fn(move || {
        // SAFETY: `prev` is NULL or an active unit returned by the previous call.
        let next = unsafe { bindings::intel_iommu_rs_next_unit(prev) };
        if next.is_null() {
            return None;
        }
        prev = next;
        // SAFETY: An active unit, returned by C's list of them.
        Some(unsafe { Unit::from_raw(next) })
    })
}

/// Registers `unit` with the driver `D`'s operations; the core probes its devices during the
/// call (C: `iommu_device_register()` in `intel_iommu_init()`).
///
/// # Errors
///
/// The errors of [`ForeignRegistration::new`].
pub(crate) fn register<D: Driver<Instance = ()>>(
    unit: &'static Unit,
) -> Result<ForeignRegistration<D>> {
    // SAFETY: The unit's `struct iommu_device` is C's, kept for the kernel's life (the unit is
    // never removed), added to sysfs by `intel_iommu_init()` and, with the Rust driver, not
    // registered by C.
    unsafe { ForeignRegistration::new(unit.iommu_device()) }
}

/// The driver's init, called by C's `intel_iommu_init()` where it registered the units (a rootfs
/// initcall, before device drivers bind), with DMA remapping still off; C turns it on if this
/// returns 0, else leaves it off.
///
/// # Safety
///
/// Called once, by `intel_iommu_init()`, after it set the units up.
#[kernel::macros::export]
pub unsafe extern "C" fn intel_iommu_rs_init() -> c_int {
    match crate::init() {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Whether large pages may be used (`intel_iommu=sp_off` says no).
pub(crate) fn superpage() -> bool {
    // SAFETY: No precondition; reads a flag the command line set at boot.
    unsafe { bindings::intel_iommu_rs_superpage() }
}

/// Whether the firmware had the IOMMU protect memory before the kernel took over
/// (`dmar_platform_optin()`).
pub(crate) fn platform_optin() -> bool {
    // SAFETY: No precondition; reads the DMAR table's flags.
    unsafe { bindings::dmar_platform_optin() }
}

/// The reserved regions of a device (`intel_iommu_get_resv_regions()`): the RMRRs of its scope
/// as direct mappings, and the IOAPIC/MSI range.
pub(crate) fn get_resv_regions(dev: &Device, regions: &mut ResvRegions<'_>) {
    // SAFETY: `dev` is valid; the list is the caller's initialised list of reserved regions,
    // which takes what is added.
    unsafe { bindings::intel_iommu_rs_get_resv_regions(raw_dev(dev), regions.as_raw_list()) };
}

/// The C part of a probed device (`struct device_domain_info`): the unit, the RID, the PASID
/// table and the ATS/PRI capabilities. It must be the first member of the driver's per-device
/// data: C's PASID-table code finds it with `dev_iommu_priv_get()`.
///
/// # Invariants
///
/// Once [`DevInfo::probe`] succeeded, the info is probed (`__intel_iommu_probe_device()`) and its
/// `iommu` is an active unit, until [`DevInfo::release`].
#[repr(transparent)]
pub(crate) struct DevInfo(Opaque<bindings::device_domain_info>);

// SAFETY: C's per-device data, used under the IOMMU core's serialisation of a device's probe,
// attach and release, and the unit's lock for the PASID table.
unsafe impl Send for DevInfo {}
// SAFETY: As for `Send`.
unsafe impl Sync for DevInfo {}

impl DevInfo {
    /// Probes `dev` into the info, in place (`__intel_iommu_probe_device()`): finds its unit and
    /// RID, allocates its PASID table and sets up its scalable-mode context entry. C sets
    /// `dev->iommu->priv` to the info: the info must be the first member of what the driver
    /// returns as its per-device data, whose address the IOMMU core then stores there too.
    ///
    /// # Errors
    ///
    /// `ENODEV` if no unit translates for `dev` or the unit is not registered; `ENOMEM`; the
    /// errors of the PASID table and context setup.
    pub(crate) fn probe(dev: &Device) -> impl PinInit<Self, Error> + '_ {
        let init = move |slot: *mut Self| {
            // `DevInfo` is `repr(transparent)` over `Opaque<struct device_domain_info>`.
            let info = slot.cast::<bindings::device_domain_info>();
            // SAFETY: `info` is memory for the info; all zeroes is what C's probe expects
            // (`kzalloc()` in C).
            unsafe { core::ptr::write_bytes(info, 0, 1) };
            // SAFETY: `dev` is being probed by the IOMMU core (the caller is `probe_device`);
            // `info` is zeroed and pinned (initialised in place in the per-device data, whose
            // box is not moved), and lives until the driver's `release_device` has called
            // `release`.
            let iommu = unsafe { bindings::__intel_iommu_probe_device(raw_dev(dev), info) };
            // INVARIANT: On success the info is probed; its `iommu` is the active unit
            // `device_lookup_iommu()` found.
            kernel::error::from_err_ptr(iommu).map(|_| ())
        };
        // SAFETY: On success the closure initialised `*slot` (the C probe filled the info). On
        // error C undid the steps that allocated or registered anything, and the info may be
        // freed: `dev->iommu->priv` may still point to it, but the core frees `dev->iommu` after
        // a failed probe (`iommu_init_device()`), and nothing reads `priv` before.
        unsafe { pin_init::pin_init_from_closure(init) }
    }

    /// Undoes [`Self::probe`] (`__intel_iommu_release_device()`): tears the context entry down,
    /// frees the PASID table. Called once, from the driver's `release_device`.
    ///
    /// # Safety
    ///
    /// `dev` is the device the info was probed for, being released; the info is not used after.
    pub(crate) unsafe fn release(&self, dev: &Device) {
        // SAFETY: `dev` is the probed device, being released, whose `dev->iommu->priv` is still
        // this info (the abstraction clears it after `release_device`).
        unsafe { bindings::__intel_iommu_release_device(raw_dev(dev)) };
    }

    fn raw(&self) -> *mut bindings::device_domain_info {
        self.0.get()
    }

    /// The unit that translates for the device.
    pub(crate) fn unit(&self) -> &'static Unit {
        // SAFETY: Probed: `iommu` is an active unit (type invariant), set at probe and not
        // changed after.
        unsafe { Unit::from_raw((*self.raw()).iommu) }
    }

    /// Prepares an attach of the device (`paging_domain_compatible()`'s last step and the
    /// start of C's attach paths): replaces a context entry the previous kernel left (kdump)
    /// with the device's own. Returns whether the device has a PASID-table entry of its own to
    /// write: a real DMA subdevice (behind a VMD) translates through its parent's.
    ///
    /// # Errors
    ///
    /// The errors of `intel_pasid_setup_sm_context()`.
    pub(crate) fn attach_prepare(&self, dev: &Device) -> Result<bool> {
        // SAFETY: `dev` is the probed device whose `priv` is this info.
        let r = unsafe { bindings::intel_iommu_rs_attach_prepare(raw_dev(dev)) };
        to_result(r)?;
        Ok(r == 0)
    }

    /// Whether a device quirk needs an identity default domain for the device (the quirks of
    /// `device_def_domain_type()`: an Azalia sound device or an integrated GPU, left
    /// untranslated by the command line or a chipset quirk, C's `iommu_identity_mapping`).
    pub(crate) fn identity_quirk(&self, dev: &Device) -> bool {
        // SAFETY: `dev` is a valid device; the function reads only its PCI IDs and class, and
        // C's `iommu_identity_mapping`, which only early boot writes.
        unsafe { bindings::intel_iommu_rs_identity_quirk(raw_dev(dev)) }
    }

    /// The device's PCI ATS parameters, read once probed and before [`DevLink::enable_ats`]
    /// (nothing writes them after the probe): its source ID (`PCI_DEVID(bus, devfn)`), the
    /// source ID of its physical function, its invalidation queue depth and whether it needs
    /// each device-TLB invalidation twice (`dev_needs_extra_dtlb_flush()`).
    pub(crate) fn ats_params(&self) -> AtsParams {
        // SAFETY: Probed (type invariant): C filled these fields in `__intel_iommu_probe_device()`
        // and writes the info's bitfields again only in `DevLink::enable_ats` (on the probed device,
        // after `probe_device` returned) and at release, neither of which runs yet.
        let i = unsafe { &*self.raw() };
        AtsParams {
            sid: (u16::from(i.bus) << 8) | u16::from(i.devfn),
            pfsid: i.pfsid,
            qdep: i.ats_qdep.into(),
            extra: i.dtlb_extra_inval() != 0,
            supported: i.ats_supported() != 0,
        }
    }

    /// The instance for `probe_device` to return: the unit's.
    pub(crate) fn instance<'p, D: Driver<Instance = ()>>(
        &self,
        instances: &ProbeInstances<'p, D>,
    ) -> Option<InstanceRef<'p, D>> {
        // SAFETY: The unit's `struct iommu_device` is C's for the kernel's life; if its ops are
        // `D`'s, it was registered by `register::<D>()`, whose `ForeignRegistration` the driver
        // keeps as long as the kernel (or it is being registered, in that call).
        unsafe { instances.foreign(self.unit().iommu_device()) }
    }
}

/// A device's PCI ATS parameters ([`DevInfo::ats_params`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AtsParams {
    /// The source ID: bus << 8 | devfn.
    pub(crate) sid: u16,
    /// The source ID of the physical function (a VF's PF; its own for a PF).
    pub(crate) pfsid: u16,
    /// The invalidation queue depth (`pci_ats_queue_depth()`: 1 to 32).
    pub(crate) qdep: u16,
    /// Each device-TLB invalidation is sent twice (a quirk).
    pub(crate) extra: bool,
    /// The device and its unit support ATS (`info->ats_supported`).
    pub(crate) supported: bool,
}

/// A probed device as the domains it is attached to see it (C: its `device_domain_info` on a
/// domain's device list, and its device-TLB cache tag): the unit, the device, its PCI ATS
/// parameters and whether ATS is on. Shared between the device's data and the lists of the
/// domains it is attached to, which may keep it after the device is released (an entry left in
/// a list then only costs memory: [`DevLink::with_rid_entry`] refuses a released device).
///
/// # Invariants
///
/// While `live` is true, `dev` is probed by the driver with `unit`: `dev->iommu->priv` is its
/// [`DevInfo`] and its PASID table is allocated. `live` is only cleared by [`DevLink::retire`],
/// under the unit's lock (`iommu->lock`), before C releases the device.
pub(crate) struct DevLink {
    unit: &'static Unit,
    dev: ARef<Device>,
    /// The device's PCI ATS parameters.
    pub(crate) ats: AtsParams,
    /// PCI ATS is on: set by [`DevLink::enable_ats`] after C enabled it, cleared by
    /// [`DevLink::retire`] before C disables it. It publishes no other data.
    ats_on: AtomicBool,
    live: AtomicBool,
}

impl DevLink {
    /// The link of `dev`, probed into `info`, in `mem`.
    ///
    /// # Safety
    ///
    /// `info` is the info [`DevInfo::probe`] filled for `dev`, and the driver calls
    /// [`DevLink::retire`] on the result before [`DevInfo::release`].
    pub(crate) unsafe fn new(
        info: &DevInfo,
        dev: &Device,
        mem: UniqueArc<MaybeUninit<Self>>,
    ) -> Arc<Self> {
        // INVARIANT: `dev` is probed into `info` (this function's `# Safety` section) until
        // `retire`, which clears `live` first.
        mem.write(Self {
            unit: info.unit(),
            dev: dev.into(),
            ats: info.ats_params(),
            ats_on: AtomicBool::new(false),
            live: AtomicBool::new(true),
        })
        .into()
    }

    /// The unit that translates for the device.
    pub(crate) fn unit(&self) -> &'static Unit {
        self.unit
    }

    /// Whether the device's PCI ATS is on.
    pub(crate) fn ats_enabled(&self) -> bool {
        self.ats_on.load(Ordering::Relaxed)
    }

    /// Enables PCI ATS on the device if it and its unit support it, as the C driver does
    /// (`intel_iommu_probe_finalize()`, without PASID and PRI, which the driver does not use);
    /// returns whether ATS is on. [`DevLink::retire`] turns it off for the driver, release for
    /// the device.
    pub(crate) fn enable_ats(&self) -> bool {
        if !self.live.load(Ordering::Relaxed) {
            return false;
        }
        // SAFETY: `dev` is probed (`live`, type invariant; the caller is `probe_finalize`,
        // which the core calls before it releases the device).
        let on = unsafe { bindings::intel_iommu_rs_enable_ats(raw_dev(&self.dev)) };
        self.ats_on.store(on, Ordering::Relaxed);
        on
    }

    /// Whether the device is still present on its bus (`pci_device_is_present()`): a device
    /// that was surprise-removed answers no device-TLB invalidation.
    pub(crate) fn present(&self) -> bool {
        // SAFETY: `dev` is a valid device (a reference is held).
        unsafe { bindings::intel_iommu_rs_dev_present(raw_dev(&self.dev)) }
    }

    /// Marks the device released, for the driver's `release_device`, before C's release: the
    /// RID's entry is not touched any more, and ATS counts as off.
    pub(crate) fn retire(&self) {
        let u = self.unit;
        // SAFETY: `lock` is the unit's initialised spinlock (type invariant of `Unit`).
        unsafe { bindings::spin_lock(&raw mut (*u.raw()).lock) };
        // INVARIANT: Cleared under the unit's lock, before C's release.
        self.live.store(false, Ordering::Relaxed);
        self.ats_on.store(false, Ordering::Relaxed);
        // SAFETY: Locked above.
        unsafe { bindings::spin_unlock(&raw mut (*u.raw()).lock) };
    }

    /// Runs `f` on the RID's PASID-table entry (PASID 0, `IOMMU_NO_PASID`), under the unit's
    /// lock (`iommu->lock`, which pasid.c holds to change entries).
    ///
    /// # Errors
    ///
    /// `ENODEV` if the device was released, or has no PASID table (a real DMA subdevice, or the
    /// table page cannot be allocated), as `intel_pasid_get_entry()` failing in C.
    pub(crate) fn with_rid_entry<R>(&self, f: impl FnOnce(&mut RidEntry<'_>) -> R) -> Result<R> {
        let unit = self.unit;
        // SAFETY: `lock` is the unit's initialised spinlock (type invariant of `Unit`).
        unsafe { bindings::spin_lock(&raw mut (*unit.raw()).lock) };
        let pte = if self.live.load(Ordering::Relaxed) {
            // SAFETY: `live` under the unit's lock: `dev` is probed (type invariant), its
            // `priv` is its info and its PASID table is allocated, and `retire` cannot run
            // before the lock is dropped; the function needs the unit's lock, which is held.
            unsafe { bindings::intel_pasid_get_entry(raw_dev(&self.dev), 0) }
        } else {
            ptr::null_mut()
        };
        let r = NonNull::new(pte).map(|pte| {
            // INVARIANT: `pte` is the RID's entry, written only under the unit's lock, which is
            // held until after `f`.
            let mut e = RidEntry {
                pte: pte.cast(),
                unit,
                _lock: PhantomData,
            };
            f(&mut e)
        });
        // SAFETY: Locked above.
        unsafe { bindings::spin_unlock(&raw mut (*unit.raw()).lock) };
        r.ok_or(ENODEV)
    }
}

/// The RID's PASID-table entry of a device, locked.
///
/// The hardware reads the entry while it is present, so a present entry is not rewritten: it is
/// made not present first, invalidated, and only then rewritten ([`RidEntry::clear_present`],
/// [`RidEntry::write`]); the quadword that holds the Present bit is written last.
///
/// # Invariants
///
/// `pte` is the entry, in a PASID table page of the device that stays allocated while the
/// device is probed; the unit's lock is held for `'a`.
pub(crate) struct RidEntry<'a> {
    pte: NonNull<[u64; 8]>,
    unit: &'a Unit,
    _lock: PhantomData<&'a mut ()>,
}

impl RidEntry<'_> {
    /// The entry as it is now.
    pub(crate) fn read(&self) -> PasidEntry {
        let mut e = PasidEntry::default();
        for (i, q) in e.0.iter_mut().enumerate() {
            // SAFETY: `pte` is the locked entry (type invariant); the hardware only reads it.
            *q = unsafe { self.pte.as_ptr().cast::<u64>().add(i).read_volatile() };
        }
        e
    }

    /// Writes the entry back from the CPU caches for a unit whose walks do not snoop
    /// (`ECAP.C` clear: `clflush_cache_range()`, as pasid.c does after each change).
    fn flush_cpu_cache(&self) {
        if !self.unit.ecap().coherent() {
            // SAFETY: `pte` is the 64-byte entry (type invariant).
            unsafe { bindings::clflush_cache_range(self.pte.as_ptr().cast(), 64) };
        }
    }

    /// Writes `e` into the entry, which is not present: quadwords 1 to 7, a write barrier, then
    /// quadword 0, which holds the Present bit (`pasid_set_present()`).
    pub(crate) fn write(&mut self, e: &PasidEntry) {
        let p = self.pte.as_ptr().cast::<u64>();
        for i in 1..8 {
            // SAFETY: The locked entry (type invariant), not present: the hardware does not use
            // it until quadword 0 below makes it present.
            unsafe { p.add(i).write_volatile(e.0[i]) };
        }
        // The other quadwords must be visible to the hardware before the Present bit.
        dma_mb(Write);
        // SAFETY: `p` is the locked entry (type invariant): 64 bytes in a PASID table page the
        // device keeps while probed, written only under the unit's lock, which is held; writing
        // quadword 0 makes it present, after the others.
        unsafe { p.write_volatile(e.0[0]) };
        self.flush_cpu_cache();
    }

    /// Makes the entry not present, keeping its other fields (`pasid_clear_present()`); the
    /// caller then invalidates the caches that may hold it.
    pub(crate) fn clear_present(&mut self) {
        let p = self.pte.as_ptr().cast::<u64>();
        // SAFETY: The locked entry (type invariant).
        unsafe { p.write_volatile(p.read_volatile() & !1) };
        // The entry is not present before anything that follows (the invalidations).
        dma_mb(Write);
        self.flush_cpu_cache();
    }

    /// Sets or clears the entry's SSADE bit (second-stage access/dirty tracking, quadword 0
    /// bit 9) in place (`pasid_set_ssade()`, `pasid_clear_ssade()`); the caller then
    /// invalidates the caches that may hold the entry.
    pub(crate) fn set_ssade(&mut self, enable: bool) {
        let p = self.pte.as_ptr().cast::<u64>();
        // SAFETY: The locked entry (type invariant). The hardware reads a present entry, but
        // only this bit changes, in one 64-bit store, as C does.
        unsafe {
            let q = p.read_volatile();
            p.write_volatile(if enable { q | 1 << 9 } else { q & !(1 << 9) });
        }
        self.flush_cpu_cache();
    }

    /// Sets the entry's PGSNP bit (page snoop, quadword 1 bit 24) in place (`pasid_set_pgsnp()`);
    /// the caller then invalidates the caches that may hold the entry.
    pub(crate) fn set_pgsnp(&mut self) {
        // SAFETY: The locked entry (type invariant): quadword 1 of its 8. The hardware reads a
        // present entry, but only this bit changes, in one 64-bit store, as C does.
        unsafe {
            let p = self.pte.as_ptr().cast::<u64>().add(1);
            p.write_volatile(p.read_volatile() | 1 << 24);
        }
        self.flush_cpu_cache();
    }

    /// Zeroes the entry, which is not present (`pasid_clear_entry()`).
    pub(crate) fn clear(&mut self) {
        let p = self.pte.as_ptr().cast::<u64>();
        for i in 0..8 {
            // SAFETY: The locked entry (type invariant), not present.
            unsafe { p.add(i).write_volatile(0) };
        }
        self.flush_cpu_cache();
    }

    /// The unit of the entry.
    pub(crate) fn unit(&self) -> &Unit {
        self.unit
    }
}

kernel::static_assert!(size_of::<QiDesc>() == size_of::<bindings::qi_desc>());
kernel::static_assert!(size_of::<PasidEntry>() == size_of::<bindings::pasid_entry>());
