// SPDX-License-Identifier: GPL-2.0

//! IOMMU drivers: `struct iommu_ops`.
//!
//! C header: [`include/linux/iommu.h`](srctree/include/linux/iommu.h)
//!
//! A driver implements [`Driver`] (a `#[vtable]` trait) and names its operations table with
//! `const OPS: &'static OpsTable<Self> = kernel::iommu_static_table!(OpsTable<MyDriver>);`, which
//! makes it a `static` (see [`iommu_static_table!`](crate::iommu_static_table)). The
//! table is built at compile time: an operation the driver does not implement is NULL. The
//! abstraction converts the C arguments, keeps the driver's per-device data in
//! `dev->iommu->priv` ([`ProbedDevice`]), turns allocated domains into C pointers and back, and
//! returns the driver's errors as the errno the core expects.

use super::{
    device::{InstanceRef, ProbeInstances, ProbedDevice},
    domain::{ret_of, Domain, NestedDomain, NestedOps, PagingDomain, PagingOps, StaticDomain},
    user_data::UserData,
    viommu::{Viommu, ViommuOps},
};
use crate::{
    bindings,
    device::Device,
    error::{from_result, to_result, VTABLE_DEFAULT_ERROR},
    prelude::*,
    transmute::AsBytes,
};
use core::marker::PhantomData;

/// A capability asked with `capable()` (`enum iommu_cap`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cap {
    /// `IOMMU_CAP_CACHE_COHERENCY`: `IOMMU_CACHE` is supported.
    CacheCoherency,
    /// `IOMMU_CAP_DIRTY_TRACKING`: the device can do dirty tracking.
    DirtyTracking,
    /// `IOMMU_CAP_NOEXEC`: `IOMMU_NOEXEC` is honoured.
    NoExec,
    /// `IOMMU_CAP_DEFERRED_FLUSH`: the IOTLB may be flushed lazily (a DMA flush queue).
    DeferredFlush,
    /// `IOMMU_CAP_ENFORCE_CACHE_COHERENCY`: `enforce_cache_coherency` can block non-coherent DMA.
    EnforceCacheCoherency,
    /// `IOMMU_CAP_PRE_BOOT_PROTECTION`: the firmware had the IOMMU protect memory from DMA before
    /// the kernel took over (Thunderbolt's `iommu_dma_protection`).
    PreBootProtection,
    /// `IOMMU_CAP_PCI_ATS_SUPPORTED`: the device's PCI ATS is supported and may be enabled
    /// (iommufd reports `IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED` otherwise).
    PciAtsSupported,
    /// Any other capability (the C value).
    Other(u32),
}

impl Cap {
    fn from_raw(cap: bindings::iommu_cap) -> Self {
        match cap {
            bindings::iommu_cap_IOMMU_CAP_CACHE_COHERENCY => Cap::CacheCoherency,
            bindings::iommu_cap_IOMMU_CAP_DIRTY_TRACKING => Cap::DirtyTracking,
            bindings::iommu_cap_IOMMU_CAP_NOEXEC => Cap::NoExec,
            bindings::iommu_cap_IOMMU_CAP_DEFERRED_FLUSH => Cap::DeferredFlush,
            bindings::iommu_cap_IOMMU_CAP_ENFORCE_CACHE_COHERENCY => Cap::EnforceCacheCoherency,
            bindings::iommu_cap_IOMMU_CAP_PRE_BOOT_PROTECTION => Cap::PreBootProtection,
            bindings::iommu_cap_IOMMU_CAP_PCI_ATS_SUPPORTED => Cap::PciAtsSupported,
            other => Cap::Other(other),
        }
    }
}

/// The default domain type a driver requires for a device (the non-zero returns of C
/// `def_domain_type`: `IOMMU_DOMAIN_IDENTITY` or `IOMMU_DOMAIN_DMA`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DefDomainType {
    /// `IOMMU_DOMAIN_IDENTITY`: the device's DMA is not translated (a quirk of the device, for
    /// example `IS_AZALIA()` in `device_def_domain_type()`).
    Identity,
    /// `IOMMU_DOMAIN_DMA`: the DMA API translates the device's DMA, also when the command line
    /// asks for pass-through (`iommu.passthrough=1`), for example because the IOMMU has no
    /// pass-through mode.
    Dma,
}

impl DefDomainType {
    /// The C value (`IOMMU_DOMAIN_*`), 0 for no requirement.
    const fn to_raw(t: Option<Self>) -> c_int {
        (match t {
            None => 0,
            Some(DefDomainType::Identity) => bindings::IOMMU_DOMAIN_IDENTITY,
            Some(DefDomainType::Dma) => bindings::IOMMU_DOMAIN_DMA,
        }) as c_int
    }
}

/// Hardware information returned to `IOMMU_GET_HW_INFO`: a driver structure and its type.
pub struct HwInfo {
    data: KVec<u8>,
    info_type: u32,
}

impl HwInfo {
    /// Information of type `info_type` (`IOMMU_HW_INFO_TYPE_*`) held in `info`.
    pub fn new<T: AsBytes>(info_type: u32, info: &T) -> Result<Self> {
        // The core kfree()s the buffer: it must be a real allocation.
        if size_of::<T>() == 0 {
            return Err(EINVAL);
        }
        let mut data = KVec::with_capacity(size_of::<T>(), GFP_KERNEL)?;
        data.extend_from_slice(info.as_bytes(), GFP_KERNEL)?;
        Ok(Self { data, info_type })
    }
}

/// The `IOMMU_HWPT_ALLOC_*` flags `domain_alloc_paging_flags` is called with
/// (`enum iommufd_hwpt_alloc_flags`).
pub mod alloc_flags {
    use crate::bindings;

    /// `IOMMU_HWPT_ALLOC_NEST_PARENT`: the domain will be the parent (stage 2) of nested domains.
    pub const NEST_PARENT: u32 = bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_NEST_PARENT;
    /// `IOMMU_HWPT_ALLOC_DIRTY_TRACKING`: the domain tracks dirty pages.
    pub const DIRTY_TRACKING: u32 =
        bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
    /// `IOMMU_HWPT_ALLOC_PASID`: the domain may be attached to PASIDs.
    pub const PASID: u32 = bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_PASID;
}

/// Hardware information types and the structures of the hardware drivers
/// (`include/uapi/linux/iommufd.h`), for [`Driver::hw_info`].
pub mod hw_info {
    use crate::{bindings, transmute::AsBytes};

    /// `IOMMU_HW_INFO_TYPE_DEFAULT`: the driver's own type.
    pub const TYPE_DEFAULT: u32 = bindings::iommu_hw_info_type_IOMMU_HW_INFO_TYPE_DEFAULT;
    /// `IOMMU_HW_INFO_TYPE_ARM_SMMUV3`: [`ArmSmmuv3`].
    pub const TYPE_ARM_SMMUV3: u32 = bindings::iommu_hw_info_type_IOMMU_HW_INFO_TYPE_ARM_SMMUV3;

    /// `struct iommu_hw_info_arm_smmuv3`: the SMMU's `IDR0`-`IDR5`, `IIDR` and `AIDR`.
    pub use bindings::iommu_hw_info_arm_smmuv3 as ArmSmmuv3;

    // SAFETY: `struct iommu_hw_info_arm_smmuv3` is ten `__u32`s: no padding, every byte
    // initialised.
    unsafe impl AsBytes for ArmSmmuv3 {}

    /// `IOMMU_HW_INFO_TYPE_INTEL_VTD`: [`IntelVtd`].
    pub const TYPE_INTEL_VTD: u32 = bindings::iommu_hw_info_type_IOMMU_HW_INFO_TYPE_INTEL_VTD;
    /// `IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17`: read-only mappings of a nest parent are not
    /// honoured (erratum 772415), so its leaves are made writable.
    pub const VTD_ERRATA_772415_SPR17: u32 =
        bindings::iommu_hw_info_vtd_flags_IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17;

    /// `struct iommu_hw_info_vtd`: flags, and the unit's `CAP` and `ECAP` registers.
    pub use bindings::iommu_hw_info_vtd as IntelVtd;

    // SAFETY: `struct iommu_hw_info_vtd` is two `__u32`s and two `__aligned_u64`s: no padding,
    // every byte initialised.
    unsafe impl AsBytes for IntelVtd {}
}

/// What `probe_device` returns: the instance that translates for the device and the driver's
/// per-device data.
pub type Probed<'p, D> = (InstanceRef<'p, D>, Pin<KBox<<D as Driver>::DevData>>);

/// The parameters of a page response (`struct iommu_page_response`).
#[derive(Clone, Copy, Debug)]
pub struct PageResponse {
    /// The PASID of the fault.
    pub pasid: u32,
    /// The page request group index.
    pub grpid: u32,
    /// The response code (`IOMMU_PAGE_RESP_*`).
    pub code: u32,
}

/// An IOMMU driver.
#[vtable]
pub trait Driver: Sized + Send + Sync + 'static {
    /// Per-device data, created by `probe_device` and dropped after `release_device`.
    type DevData: Send + Sync;
    /// Per-instance data, in each [`Registration`](super::device::Registration) of the driver
    /// (what a C driver embeds its `struct iommu_device` in).
    type Instance: Send + Sync;
    /// The driver's paging domains.
    type Paging: PagingOps<Driver = Self>;
    /// The driver's nested domains.
    type Nested: NestedOps<Driver = Self>;
    /// The driver's vIOMMU.
    type Viommu: ViommuOps<Driver = Self>;

    /// The driver's operations table, a `static`:
    /// `kernel::iommu_static_table!(OpsTable<MyDriver>)`.
    const OPS: &'static OpsTable<Self>;
    /// The blocked domain, if the driver has a static one.
    const BLOCKED_DOMAIN: Option<&'static StaticDomain<Self>> = None;
    /// The default domain, if the driver forces a static one on every device.
    const DEFAULT_DOMAIN: Option<&'static StaticDomain<Self>> = None;
    /// The identity domain, if the driver has a static one.
    const IDENTITY_DOMAIN: Option<&'static StaticDomain<Self>> = None;
    /// The PASID table is managed by the user (the nested stage 1), not by the kernel.
    const USER_PASID_TABLE: bool = false;
    /// The vIOMMU type (`IOMMU_VIOMMU_TYPE_*`) of [`Driver::Viommu`], used if `viommu_init` is
    /// implemented.
    const VIOMMU_TYPE: u32 = 0;
    /// The domain the core attaches a device to before releasing it (`release_domain`), if any.
    const RELEASE_DOMAIN: Option<&'static StaticDomain<Self>> = None;
    /// How devices are put into IOMMU groups (`device_group`).
    const DEVICE_GROUP: DeviceGroup = DeviceGroup::Generic;
    /// The driver's instances are `struct iommu_device`s that C owns (VT-d's DMAR units,
    /// embedded in `struct intel_iommu`), registered with
    /// [`ForeignRegistration`](super::device::ForeignRegistration), instead of
    /// [`Registration`](super::device::Registration)s. Such a driver's `Instance` is `()`: its
    /// per-instance state is C's. Checked at build time by both registration types.
    const FOREIGN_INSTANCES: bool = false;

    /// Takes `dev` on: returns the IOMMU instance that translates for it, chosen from
    /// `instances` (or one of the driver's registrations it borrows for the call), and its
    /// per-device data. `ENODEV` if the driver does not translate for it.
    fn probe_device<'p>(
        dev: &'p Device,
        instances: ProbeInstances<'p, Self>,
    ) -> Result<Probed<'p, Self>>;

    /// Records the IDs a device tree `iommus` specifier gives for `dev` (C `of_xlate`), e.g.
    /// with [`OfXlate::add_ids`] for the SMMUv3 StreamID (`#iommu-cells = 1`).
    fn of_xlate(_dev: &OfXlate<'_>, _args: &[u32]) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Adds the regions the device must not use for DMA, or that the IOMMU core must map for it,
    /// to `regions` (C `get_resv_regions`), for example the software MSI window.
    fn get_resv_regions(_dev: &ProbedDevice<Self>, _regions: &mut ResvRegions<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Finishes taking `dev` on, once its default domain is attached and outside the group's
    /// lock (C `probe_finalize`, called by `iommu_probe_device()` and `bus_iommu_probe()`):
    /// where a driver enables what must follow the first attach, such as the device's PCI ATS
    /// (`intel_iommu_probe_finalize()`). It cannot fail: the device stays probed either way.
    fn probe_finalize(_dev: &ProbedDevice<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The default domain type `dev` requires, if any (C `def_domain_type`): the IOMMU core
    /// gives the device's group that type instead of the command line's (`iommu.passthrough=`,
    /// `iommu_get_def_domain_type()`); devices of one group requiring different types make it
    /// log an error and use a DMA domain. Called while the device is probed, under its group's
    /// mutex, before its default domain is allocated. A driver with
    /// [`DEFAULT_DOMAIN`](Driver::DEFAULT_DOMAIN) cannot have it (the core would not call it):
    /// the operations table does not build.
    fn def_domain_type(_dev: &ProbedDevice<Self>) -> Option<DefDomainType> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Lets `dev` go; its data is dropped after this returns.
    fn release_device(_dev: &ProbedDevice<Self>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Whether `dev` has capability `cap`.
    fn capable(_dev: &ProbedDevice<Self>, _cap: Cap) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Hardware information for `dev`; `requested` is the type the user asked for
    /// (`IOMMU_HW_INFO_TYPE_DEFAULT` for the driver's choice).
    fn hw_info(_dev: &ProbedDevice<Self>, _requested: u32) -> Result<HwInfo> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Allocates a paging domain for `dev` with the `IOMMU_HWPT_ALLOC_*` `flags` and the driver
    /// data of the user, if any.
    fn domain_alloc_paging_flags(
        _dev: &ProbedDevice<Self>,
        _flags: u32,
        _user_data: Option<&UserData>,
    ) -> Result<Pin<KBox<PagingDomain<Self::Paging>>>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Allocates the driver data of a nested domain on `parent` for `dev`; the abstraction
    /// creates the domain.
    fn domain_alloc_nested(
        _dev: &ProbedDevice<Self>,
        _parent: &PagingDomain<Self::Paging>,
        _flags: u32,
        _user_data: &UserData,
    ) -> Result<impl PinInit<Self::Nested, Error>> {
        build_error!(VTABLE_DEFAULT_ERROR);
        #[allow(unreachable_code)]
        Err::<Result<Self::Nested>, _>(EINVAL)
    }

    /// Answers a page request of `dev`.
    fn page_response(_dev: &ProbedDevice<Self>, _msg: PageResponse) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Whether `dev` may have a vIOMMU of type [`Driver::VIOMMU_TYPE`]; asked before
    /// [`Driver::viommu_init`], whose vIOMMU is not allocated if the answer is no (C: a
    /// `get_viommu_size` of 0, for which iommufd fails `IOMMU_VIOMMU_ALLOC` with `EOPNOTSUPP`).
    /// Every device may if the driver does not implement it.
    fn viommu_supported(_dev: &ProbedDevice<Self>) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Initialises a vIOMMU of type [`Driver::VIOMMU_TYPE`] on the paging domain `parent`, for a
    /// device of the IOMMU instance `instance` (`viommu->iommu_dev`; C drivers check that the
    /// parent belongs to it).
    fn viommu_init(
        _viommu: &super::viommu::ViommuCore,
        _instance: &Self::Instance,
        _parent: &PagingDomain<Self::Paging>,
        _user_data: Option<&UserData>,
    ) -> Result<impl PinInit<Self::Viommu, Error>> {
        build_error!(VTABLE_DEFAULT_ERROR);
        #[allow(unreachable_code)]
        Err::<Result<Self::Viommu>, _>(EINVAL)
    }
}

/// The const `struct iommu_ops` of a [`Driver`].
#[repr(transparent)]
pub struct OpsTable<D: Driver>(bindings::iommu_ops, PhantomData<D>);

// SAFETY: The table is read-only.
unsafe impl<D: Driver> Sync for OpsTable<D> {}

const fn static_domain<D: Driver>(
    d: Option<&'static StaticDomain<D>>,
) -> *mut bindings::iommu_domain {
    match d {
        Some(d) => d.as_ptr(),
        None => core::ptr::null_mut(),
    }
}

/// # Safety
///
/// `dev` was probed by `D` and is valid for `'a`.
#[inline]
unsafe fn probed<'a, D: Driver>(dev: *mut bindings::device) -> &'a ProbedDevice<D> {
    // SAFETY: `ProbedDevice::from_raw` needs `dev` valid and probed by `D` for `'a`, which is
    // exactly this function's `# Safety` requirement, met by each caller below.
    unsafe { ProbedDevice::from_raw(dev) }
}

/// Declares an IOMMU operations table as a `static` and evaluates to a `&'static` reference to
/// it, for the `OPS`/`TABLE` constants of the driver traits:
/// `const TABLE: &'static PagingTable<Self> = kernel::iommu_static_table!(PagingTable<MyPaging>);`
///
/// The abstractions tell a driver's domains and vIOMMUs from other drivers' by the address of
/// their table; a `static` has an address of its own, while equal constants may share one. The
/// tables' `new()` functions are `unsafe` with that requirement; this macro is the safe way to
/// meet it. The type must be named without `Self` (a `static` cannot use it).
#[macro_export]
macro_rules! iommu_static_table {
    ($t:ty) => {{
        // SAFETY: The table initialises a `static` item, as `new()` requires.
        static TABLE: $t = unsafe { <$t>::new() };
        &TABLE
    }};
}

impl<D: Driver> OpsTable<D> {
    /// Builds the table.
    ///
    /// # Safety
    ///
    /// The result initialises a `static` item (use [`iommu_static_table!`]).
    pub const unsafe fn new() -> Self {
        // `iommu_get_def_domain_type()` takes a static default domain's type without calling
        // `def_domain_type`.
        if D::HAS_DEF_DOMAIN_TYPE && D::DEFAULT_DOMAIN.is_some() {
            panic!("an IOMMU driver with a DEFAULT_DOMAIN cannot have def_domain_type");
        }
        let ops = bindings::iommu_ops {
            probe_device: Some(Self::probe_device),
            release_device: Some(Self::release_device),
            probe_finalize: if D::HAS_PROBE_FINALIZE {
                Some(Self::probe_finalize)
            } else {
                None
            },
            device_group: Some(match D::DEVICE_GROUP {
                DeviceGroup::Generic => bindings::generic_device_group,
                DeviceGroup::PciOrGeneric => pci_or_generic_device_group,
            }),
            of_xlate: if D::HAS_OF_XLATE {
                Some(Self::of_xlate)
            } else {
                None
            },
            get_resv_regions: if D::HAS_GET_RESV_REGIONS {
                Some(Self::get_resv_regions)
            } else {
                None
            },
            def_domain_type: if D::HAS_DEF_DOMAIN_TYPE {
                Some(Self::def_domain_type)
            } else {
                None
            },
            release_domain: static_domain(D::RELEASE_DOMAIN),
            capable: if D::HAS_CAPABLE {
                Some(Self::capable)
            } else {
                None
            },
            hw_info: if D::HAS_HW_INFO {
                Some(Self::hw_info)
            } else {
                None
            },
            domain_alloc_paging_flags: if D::HAS_DOMAIN_ALLOC_PAGING_FLAGS {
                Some(Self::domain_alloc_paging_flags)
            } else {
                None
            },
            domain_alloc_nested: if D::HAS_DOMAIN_ALLOC_NESTED {
                Some(Self::domain_alloc_nested)
            } else {
                None
            },
            page_response: if D::HAS_PAGE_RESPONSE {
                Some(Self::page_response)
            } else {
                None
            },
            get_viommu_size: if D::HAS_VIOMMU_INIT {
                Some(Self::get_viommu_size)
            } else {
                None
            },
            viommu_init: if D::HAS_VIOMMU_INIT {
                Some(Self::viommu_init)
            } else {
                None
            },
            blocked_domain: static_domain(D::BLOCKED_DOMAIN),
            default_domain: static_domain(D::DEFAULT_DOMAIN),
            identity_domain: static_domain(D::IDENTITY_DOMAIN),
            owner: crate::module::this_module::<D::OwnerModule>().as_ptr(),
            // `user_pasid_table` is the only bit of the only bitfield unit.
            _bitfield_1: bindings::__BindgenBitfieldUnit::new([D::USER_PASID_TABLE as u8]),
            ..pin_init::zeroed()
        };
        Self(ops, PhantomData)
    }

    /// The C table.
    pub const fn as_ptr(&self) -> *const bindings::iommu_ops {
        &self.0
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a valid device that is being probed.
    unsafe extern "C" fn probe_device(dev: *mut bindings::device) -> *mut bindings::iommu_device {
        // SAFETY: `dev` is valid for the call: `iommu_init_device()`, called by
        // `__iommu_probe_device()` under `iommu_probe_device_lock`, passes the device it is
        // probing and uses it after this returns.
        let device = unsafe { Device::from_raw(dev) };
        // SAFETY: Called by the core from `iommu_init_device()`, which allocated `dev->iommu`,
        // for the device being probed, for this call.
        let instances = unsafe { ProbeInstances::new(device) };
        match D::probe_device(device, instances) {
            // `iommu` is a registered instance of `D` (`InstanceRef`'s invariant), which stays
            // registered until its registration's drop releases this device: the core keeps it in
            // `dev->iommu->iommu_dev`, which `ProbedDevice` relies on.
            Ok((iommu, data)) => {
                // SAFETY: The data is never moved out of its box: it is only borrowed until
                // `release_device` drops it in place.
                let data = KBox::into_raw(unsafe { Pin::into_inner_unchecked(data) });
                // SAFETY: `dev->iommu` was allocated by `dev_iommu_get()` in
                // `iommu_init_device()` before it called `probe_device`, and
                // `iommu_probe_device_lock`, which `dev_iommu_priv_set()` asserts, is held by
                // `__iommu_probe_device()`'s caller; the box is owned through `priv` until
                // `release_device` takes it back.
                unsafe { bindings::dev_iommu_priv_set(dev, data.cast()) };
                iommu.as_raw()
            }
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// Called by the OF glue with a device and the `iommus` specifier of one of `D`'s instances.
    unsafe extern "C" fn of_xlate(
        dev: *mut bindings::device,
        args: *const bindings::of_phandle_args,
    ) -> c_int {
        // SAFETY: `of_iommu_xlate()` calls `ops->of_xlate` for the ops of the instance that the
        // specifier's node names (`iommu_ops_from_fwnode()`), right after `iommu_fwspec_init()`
        // gave `dev` a fwspec for that node; `dev` and `args` (its `of_phandle_args`, with
        // `args_count` valid entries) are valid for the call.
        let (x, ids) = unsafe {
            let a = &*args;
            let n = (a.args_count as usize).min(a.args.len());
            (OfXlate::from_raw(dev), &a.args[..n])
        };
        ret_of(D::of_xlate(x, ids))
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a device probed by `D` and the list of its reserved regions.
    unsafe extern "C" fn get_resv_regions(
        dev: *mut bindings::device,
        head: *mut bindings::list_head,
    ) {
        // SAFETY: `iommu_get_resv_regions()` calls `dev_iommu_ops(dev)->get_resv_regions` for a
        // device with an IOMMU, whose ops are `D::OPS` only if `D` probed it; `head` is the
        // caller's initialised list, which it owns for the call.
        let (pd, mut regions) = unsafe { (probed::<D>(dev), ResvRegions::from_raw(dev, head)) };
        D::get_resv_regions(pd, &mut regions);
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a device probed by `D`, under its group's mutex.
    unsafe extern "C" fn def_domain_type(dev: *mut bindings::device) -> c_int {
        // SAFETY: `iommu_get_def_domain_type()` calls `dev_iommu_ops(dev)->def_domain_type` for a
        // device of the group whose default domain it chooses (`iommu_get_default_domain_type()`,
        // under `group->mutex`, from the probe or a sysfs type change), so `dev` was probed and
        // is not released for the call (`iommu_deinit_device()` removes it from the group under
        // the same mutex first); its ops are `D::OPS` only if `D` probed it.
        DefDomainType::to_raw(D::def_domain_type(unsafe { probed(dev) }))
    }

    /// # Safety
    ///
    /// Called by the IOMMU core once for a device `probe_device` accepted.
    unsafe extern "C" fn release_device(dev: *mut bindings::device) {
        // SAFETY: The core calls `release_device` through `dev_iommu_ops(dev)` (in
        // `iommu_deinit_device()`) or right after `probe_device` succeeded (the error path of
        // `iommu_init_device()`); either way `D::OPS` probed `dev`, `dev->iommu` still holds its
        // `iommu_dev` and `priv`, and `dev` is valid for this call.
        let pd = unsafe { probed::<D>(dev) };
        if D::HAS_RELEASE_DEVICE {
            D::release_device(pd);
        }
        // SAFETY: `priv` holds the `KBox<D::DevData>` of `probe_device`; no reference to it
        // outlives this call (the core calls nothing else for the device any more). The field is
        // cleared directly: `dev_iommu_priv_set()` asserts `iommu_probe_device_lock`, which the
        // core does not hold on release.
        unsafe {
            let iommu = (*dev).iommu;
            let data = (*iommu).priv_.cast::<D::DevData>();
            (*iommu).priv_ = core::ptr::null_mut();
            drop(Pin::new_unchecked(KBox::from_raw(data)));
        }
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a device probed by `D`, after its default domain is set up.
    unsafe extern "C" fn probe_finalize(dev: *mut bindings::device) {
        // SAFETY: `iommu_probe_device()` and `bus_iommu_probe()` call
        // `dev_iommu_ops(dev)->probe_finalize` for a device their probe just took on, whose
        // `dev->iommu->iommu_dev` has the ops `D::OPS` only if `D` probed it. `dev` is valid and
        // probed for the call: `iommu_probe_device()` runs in the device's addition (its bus
        // notifier or its caller), before the removal that releases it; `bus_iommu_probe()` calls
        // it for the devices of a group it set up during the instance's registration, with the
        // same assumption every C driver's `probe_finalize` makes (its comment says the call is
        // not under the group's lock).
        D::probe_finalize(unsafe { probed(dev) })
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a device probed by `D`.
    unsafe extern "C" fn capable(dev: *mut bindings::device, cap: bindings::iommu_cap) -> bool {
        // SAFETY: `dev` is valid and probed by `D` for the call: `device_iommu_capable()`
        // checks `dev_has_iommu(dev)` and calls `dev_iommu_ops(dev)->capable`, i.e. the ops of
        // `dev->iommu->iommu_dev`, which are `D::OPS` only for instances of a `Registration<D>`.
        D::capable(unsafe { probed(dev) }, Cap::from_raw(cap))
    }

    /// # Safety
    ///
    /// Called by iommufd with a device probed by `D` and valid `length` and `type_`.
    unsafe extern "C" fn hw_info(
        dev: *mut bindings::device,
        length: *mut u32,
        type_: *mut bindings::iommu_hw_info_type,
    ) -> *mut c_void {
        // SAFETY: `iommufd_get_hw_info()` calls `dev_iommu_ops(idev->dev)->hw_info` for a
        // device it holds bound to iommufd (its `iommufd_device` reference), so `dev` is valid
        // and probed by `D` (the only registrar of `D::OPS`) for the call; `type_` is
        // `&cmd->out_data_type` of its command, readable and writable for the call.
        let (pd, requested) = unsafe { (probed::<D>(dev), *type_) };
        match D::hw_info(pd, requested).and_then(|info| {
            let len = u32::try_from(info.data.len()).map_err(|_| EOVERFLOW)?;
            // The core frees the buffer with kfree(): a `KVec` with a nonzero capacity is a
            // kmalloc allocation.
            let (ptr, _, _) = info.data.into_raw_parts();
            Ok((ptr, len, info.info_type))
        }) {
            Ok((ptr, len, t)) => {
                // SAFETY: `length` is `&data_len`, a local of `iommufd_get_hw_info()`, and
                // `type_` its `&cmd->out_data_type`: both valid for writes during the call.
                unsafe {
                    *length = len;
                    *type_ = t;
                }
                ptr.cast()
            }
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a device probed by `D` and a NULL or valid `user_data`.
    unsafe extern "C" fn domain_alloc_paging_flags(
        dev: *mut bindings::device,
        flags: u32,
        user_data: *const bindings::iommu_user_data,
    ) -> *mut bindings::iommu_domain {
        // SAFETY: Both callers reach this through `dev_iommu_ops(dev)`, which is `D::OPS` only
        // for devices `D` probed: `__iommu_paging_domain_alloc_flags()` (after
        // `dev_has_iommu(dev)`) and `iommufd_hwpt_paging_alloc()` (`get_iommu_ops(idev)`, for a
        // device bound to iommufd); either keeps `dev` probed for the call.
        let pd = unsafe { probed::<D>(dev) };
        // SAFETY: `__iommu_paging_domain_alloc_flags()` and iommufd's automatic domains pass
        // NULL; `iommufd_hwpt_alloc()` passes its on-stack `struct iommu_user_data` (or NULL when
        // `data_len` is 0), valid for the call.
        let ud = (!user_data.is_null()).then(|| unsafe { UserData::from_raw(user_data) });
        match D::domain_alloc_paging_flags(pd, flags, ud) {
            Ok(d) => PagingDomain::into_raw(d),
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// Called by iommufd with a device probed by `D`, a valid parent domain (kept alive by the
    /// nested HWPT's reference on the parent HWPT) and valid `user_data`.
    unsafe extern "C" fn domain_alloc_nested(
        dev: *mut bindings::device,
        parent: *mut bindings::iommu_domain,
        flags: u32,
        user_data: *const bindings::iommu_user_data,
    ) -> *mut bindings::iommu_domain {
        // SAFETY: `iommufd_hwpt_nested_alloc()` calls `get_iommu_ops(idev)->domain_alloc_nested`
        // with `idev->dev`, a device bound to iommufd whose `dev_iommu_ops()` are `D::OPS`, so
        // probed by `D` (the only registrar of `D::OPS`) and kept so for the call.
        let pd = unsafe { probed::<D>(dev) };
        // SAFETY: `parent` is `parent->common.domain` of a paging HWPT that
        // `iommufd_hwpt_nested_alloc()` holds a reference on (`iommufd_get_object()` in
        // `iommufd_hwpt_alloc()`, then `refcount_inc()` for `hwpt_nested->parent`): valid and
        // initialised for the call.
        let parent = unsafe { Domain::from_raw_opt(parent) };
        let Some(parent) = parent.and_then(|p| p.as_paging::<D::Paging>()) else {
            return EINVAL.to_ptr();
        };
        if user_data.is_null() {
            return EINVAL.to_ptr();
        }
        // SAFETY: Not NULL (checked above): `iommufd_hwpt_nested_alloc()` passes the on-stack
        // `struct iommu_user_data` of `iommufd_hwpt_alloc()`, valid for the call.
        let ud = unsafe { UserData::from_raw(user_data) };
        let r = D::domain_alloc_nested(pd, parent, flags, ud)
            .and_then(|init| NestedDomain::<D::Nested>::new(parent, init));
        match r {
            Ok(d) => NestedDomain::into_raw(d),
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// Called by the IOMMU core with a device probed by `D` and valid `evt` and `msg`.
    unsafe extern "C" fn page_response(
        dev: *mut bindings::device,
        _evt: *mut bindings::iopf_fault,
        msg: *mut bindings::iommu_page_response,
    ) {
        // SAFETY: The io-pgfault code (`iopf_error_response()`, `iopf_group_response()`,
        // `iopf_queue_remove_device()`) calls `dev_iommu_ops(dev)->page_response`, which is
        // `D::OPS` only for devices `D` probed, for a device whose fault parameter it holds;
        // `msg` points to its local `struct iommu_page_response`, valid for the call.
        let (pd, m) = unsafe { (probed::<D>(dev), &*msg) };
        D::page_response(
            pd,
            PageResponse {
                pasid: m.pasid,
                grpid: m.grpid,
                code: m.code,
            },
        );
    }

    /// # Safety
    ///
    /// Called by iommufd with a device probed by `D`.
    unsafe extern "C" fn get_viommu_size(
        dev: *mut bindings::device,
        viommu_type: bindings::iommu_viommu_type,
    ) -> usize {
        if viommu_type != D::VIOMMU_TYPE {
            return 0;
        }
        if D::HAS_VIOMMU_SUPPORTED {
            // SAFETY: `iommufd_viommu_alloc_ioctl()` calls `get_viommu_size` through the ops of
            // `dev`'s IOMMU instance (`iommufd_device_get_iommu_dev()`), one of `D`'s
            // registrations, so `dev` was probed by `D`; its `iommufd_device` holds it for the
            // call.
            if !D::viommu_supported(unsafe { probed::<D>(dev) }) {
                return 0;
            }
        }
        size_of::<Viommu<D::Viommu>>()
    }

    /// # Safety
    ///
    /// Called by iommufd on a zeroed vIOMMU of `get_viommu_size()` bytes whose core part is
    /// initialised, with a valid parent domain the vIOMMU holds a reference on, and NULL or valid
    /// `user_data`.
    unsafe extern "C" fn viommu_init(
        viommu: *mut bindings::iommufd_viommu,
        parent: *mut bindings::iommu_domain,
        user_data: *const bindings::iommu_user_data,
    ) -> c_int {
        // SAFETY: `iommufd_viommu_alloc_ioctl()` passes `hwpt_paging->common.domain` of a
        // paging HWPT it holds (`iommufd_get_hwpt_paging()`) and that the vIOMMU references
        // (`viommu->hwpt`): valid and initialised for the call (its type is checked below).
        let parent = unsafe { Domain::from_raw(parent) };
        let Some(parent) = parent.as_paging::<D::Paging>() else {
            return EINVAL.to_errno();
        };
        // SAFETY: `iommufd_viommu_alloc_ioctl()` passes its on-stack `user_data`, valid for the
        // call, or NULL when `data_len` is 0.
        let ud = (!user_data.is_null()).then(|| unsafe { UserData::from_raw(user_data) });
        // SAFETY: `iommufd_viommu_alloc_ioctl()` allocated `viommu` zeroed with
        // `_iommufd_object_alloc_ucmd()` of `get_viommu_size()` bytes, i.e.
        // `size_of::<Viommu<D::Viommu>>()` for the type it passed, set its core fields and has
        // not published it; `parent` is the nesting parent it stored in `viommu->hwpt`.
        from_result(|| unsafe { Viommu::<D::Viommu>::init(viommu, parent, ud) }.map(|()| 0))
    }
}

/// How a driver's devices are put into IOMMU groups (`iommu_ops.device_group`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DeviceGroup {
    /// A group per device (`generic_device_group()`).
    Generic,
    /// PCI devices by their DMA aliases and ACS isolation (`pci_device_group()`), others a group
    /// each (`generic_device_group()`), as `arm_smmu_device_group()` does.
    PciOrGeneric,
}

/// `pci_device_group()` for PCI devices, `generic_device_group()` for the others.
///
/// # Safety
///
/// Called by the IOMMU core (`iommu_group_get_for_dev()`) with a device being probed.
unsafe extern "C" fn pci_or_generic_device_group(
    dev: *mut bindings::device,
) -> *mut bindings::iommu_group {
    // SAFETY: `dev` is valid for the call (the core's `device_group` contract); both functions
    // take any such device, `pci_device_group()` after `dev_is_pci()` said it is a PCI one.
    unsafe {
        if bindings::dev_is_pci(dev) {
            bindings::pci_device_group(dev)
        } else {
            bindings::generic_device_group(dev)
        }
    }
}

/// A device whose device-tree `iommus` specifier is being translated (`of_xlate`): it has a
/// fwspec for one of the driver's instances, to which the IDs of the specifier are added.
#[repr(transparent)]
pub struct OfXlate<'a>(Device, PhantomData<&'a ()>);

impl OfXlate<'_> {
    /// # Safety
    ///
    /// `dev` is valid and has a fwspec (`iommu_fwspec_init()`) for the duration of `'a`.
    unsafe fn from_raw<'a>(dev: *mut bindings::device) -> &'a OfXlate<'a> {
        // SAFETY: `OfXlate` is `repr(transparent)` over `Device`, which is over the C struct;
        // `dev` is valid for `'a` (this function's `# Safety` section).
        unsafe { &*dev.cast::<OfXlate<'a>>() }
    }

    /// The device.
    pub fn device(&self) -> &Device {
        &self.0
    }

    /// Adds `ids` (StreamIDs, requester IDs...) to the device's fwspec (`iommu_fwspec_add_ids()`).
    ///
    /// # Errors
    ///
    /// `ENOMEM` if the fwspec cannot grow; `EINVAL` for more than `i32::MAX` IDs.
    pub fn add_ids(&self, ids: &[u32]) -> Result {
        let n = i32::try_from(ids.len()).map_err(|_| EINVAL)?;
        // SAFETY: The device has a fwspec (type invariant) and `ids` holds `n` IDs, which
        // `iommu_fwspec_add_ids()` copies.
        to_result(unsafe { bindings::iommu_fwspec_add_ids(self.0.as_raw(), ids.as_ptr(), n) })
    }
}

/// The kind of a reserved region (`enum iommu_resv_type`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ResvType {
    /// `IOMMU_RESV_DIRECT`: must be identity mapped.
    Direct,
    /// `IOMMU_RESV_RESERVED`: must not be used for DMA.
    Reserved,
    /// `IOMMU_RESV_MSI`: the hardware MSI window, translated by the IOMMU itself.
    Msi,
    /// `IOMMU_RESV_SW_MSI`: the IOVA window where the DMA layer maps the MSI doorbells.
    SwMsi,
}

/// The list of reserved regions of a device, filled by
/// [`Driver::get_resv_regions`](Driver::get_resv_regions) (C: the `struct list_head` of
/// `iommu_get_resv_regions()`).
///
/// # Invariants
///
/// `head` is the caller's initialised list of `struct iommu_resv_region`s, and `dev` the device,
/// both valid for `'a`.
pub struct ResvRegions<'a> {
    dev: *mut bindings::device,
    head: *mut bindings::list_head,
    _p: PhantomData<&'a mut bindings::list_head>,
}

impl ResvRegions<'_> {
    /// # Safety
    ///
    /// `dev` and `head` (an initialised list the caller owns) are valid for `'a`.
    unsafe fn from_raw<'a>(
        dev: *mut bindings::device,
        head: *mut bindings::list_head,
    ) -> ResvRegions<'a> {
        // INVARIANT: This function's `# Safety` section.
        ResvRegions {
            dev,
            head,
            _p: PhantomData,
        }
    }

    /// Adds the region of `len` bytes at the IOVA `start` with the `IOMMU_READ`/`WRITE`/`NOEXEC`/
    /// `MMIO` protection `prot` (`iommu_alloc_resv_region()`).
    ///
    /// # Errors
    ///
    /// `ENOMEM` if the region cannot be allocated.
    pub fn add(&mut self, start: u64, len: usize, prot: u32, kind: ResvType) -> Result {
        let t = match kind {
            ResvType::Direct => bindings::iommu_resv_type_IOMMU_RESV_DIRECT,
            ResvType::Reserved => bindings::iommu_resv_type_IOMMU_RESV_RESERVED,
            ResvType::Msi => bindings::iommu_resv_type_IOMMU_RESV_MSI,
            ResvType::SwMsi => bindings::iommu_resv_type_IOMMU_RESV_SW_MSI,
        };
        // SAFETY: Plain arguments; the region is returned to us.
        let r = unsafe {
            bindings::iommu_alloc_resv_region(start, len, prot as c_int, t, GFP_KERNEL.as_raw())
        };
        if r.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `r` is a new region; `head` is the caller's list (type invariant), which takes
        // it (the core frees the list with `iommu_put_resv_regions()`).
        unsafe { bindings::list_add_tail(&raw mut (*r).list, self.head) };
        Ok(())
    }

    /// The C list, for a driver's abstraction of C code that adds regions to it (a `struct
    /// list_head` of `struct iommu_resv_region`s, which takes what is added to it and is freed by
    /// the core).
    pub fn as_raw_list(&mut self) -> *mut bindings::list_head {
        self.head
    }

    /// Adds the regions the DMA layer reserves for the device: the PCI host bridge windows and
    /// the firmware's (`iommu_dma_get_resv_regions()`).
    pub fn add_dma_regions(&mut self) {
        // SAFETY: `dev` and `head` are valid (type invariant).
        unsafe { bindings::iommu_dma_get_resv_regions(self.dev, self.head) };
    }
}
