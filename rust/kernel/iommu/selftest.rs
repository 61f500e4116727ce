// SPDX-License-Identifier: GPL-2.0

//! The iommufd selftest's mock IOMMU: its uAPI structures and its interface to the harness.
//!
//! C headers: [`drivers/iommu/iommufd/iommufd_test.h`](srctree/drivers/iommu/iommufd/iommufd_test.h),
//! [`drivers/iommu/iommufd/selftest_mock.h`](srctree/drivers/iommu/iommufd/selftest_mock.h)
//!
//! The selftest harness (C, `drivers/iommu/iommufd/selftest.c`) calls its mock IOMMU driver
//! through the functions of `selftest_mock.h`. A Rust mock implements [`MockDriver`] and expands
//! [`iommufd_selftest_mock!`](crate::iommufd_selftest_mock) once, which defines those functions
//! (checked against the C prototypes by `#[export]`) and converts their arguments.

use super::{
    device::{IommuDevice, ProbedDevice},
    domain::Domain,
    ops::Driver,
};
use crate::{
    bindings,
    device::Device,
    error::from_result,
    prelude::*,
    transmute::{AsBytes, FromBytes},
};

pub use bindings::{
    iommu_hwpt_invalidate_selftest as HwptInvalidateSelftest, iommu_hwpt_selftest as HwptSelftest,
    iommu_test_hw_info as HwInfoSelftest, iommu_viommu_event_selftest as ViommuEventSelftest,
    iommu_viommu_invalidate_selftest as ViommuInvalidateSelftest,
    iommu_viommu_selftest as ViommuSelftest,
};

// SAFETY: Plain `__u32`/`__aligned_u64` uAPI structures without padding: any bytes are valid.
unsafe impl FromBytes for HwptSelftest {}
// SAFETY: As above.
unsafe impl FromBytes for HwptInvalidateSelftest {}
// SAFETY: As above.
unsafe impl FromBytes for ViommuSelftest {}
// SAFETY: As above.
unsafe impl AsBytes for ViommuSelftest {}
// SAFETY: As above.
unsafe impl FromBytes for ViommuInvalidateSelftest {}
// SAFETY: As above.
unsafe impl AsBytes for ViommuEventSelftest {}
// SAFETY: As above.
unsafe impl AsBytes for HwInfoSelftest {}

crate::iommu_user_struct!(HwptSelftest, iotlb);
crate::iommu_user_struct!(HwptInvalidateSelftest, iotlb_id);
crate::iommu_user_struct!(ViommuSelftest, out_data);

/// Constants of `iommufd_test.h`.
pub mod consts {
    use crate::bindings;

    /// `IOMMU_HWPT_DATA_SELFTEST`.
    pub const HWPT_DATA_SELFTEST: u32 = bindings::IOMMU_HWPT_DATA_SELFTEST;
    /// `IOMMU_HWPT_INVALIDATE_DATA_SELFTEST`.
    pub const HWPT_INVALIDATE_DATA_SELFTEST: u32 = bindings::IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
    /// `IOMMU_VIOMMU_TYPE_SELFTEST`.
    pub const VIOMMU_TYPE_SELFTEST: u32 = bindings::IOMMU_VIOMMU_TYPE_SELFTEST;
    /// `IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST`.
    pub const VIOMMU_INVALIDATE_DATA_SELFTEST: u32 =
        bindings::IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
    /// `IOMMU_VEVENTQ_TYPE_SELFTEST`.
    pub const VEVENTQ_TYPE_SELFTEST: u32 = bindings::IOMMU_VEVENTQ_TYPE_SELFTEST;
    /// `IOMMU_HW_QUEUE_TYPE_SELFTEST`.
    pub const HW_QUEUE_TYPE_SELFTEST: u32 = bindings::IOMMU_HW_QUEUE_TYPE_SELFTEST;
    /// `IOMMU_TEST_HW_QUEUE_MAX`.
    pub const HW_QUEUE_MAX: usize = bindings::IOMMU_TEST_HW_QUEUE_MAX as usize;
    /// `IOMMU_HW_INFO_TYPE_SELFTEST`.
    pub const HW_INFO_TYPE_SELFTEST: u32 = bindings::IOMMU_HW_INFO_TYPE_SELFTEST;
    /// `IOMMU_HW_INFO_SELFTEST_REGVAL`.
    pub const HW_INFO_SELFTEST_REGVAL: u32 = bindings::IOMMU_HW_INFO_SELFTEST_REGVAL;
    /// `IOMMU_HW_INFO_TYPE_DEFAULT`.
    pub const HW_INFO_TYPE_DEFAULT: u32 = bindings::iommu_hw_info_type_IOMMU_HW_INFO_TYPE_DEFAULT;
    /// `IOMMU_TEST_INVALIDATE_FLAG_ALL`.
    pub const INVALIDATE_FLAG_ALL: u32 = bindings::IOMMU_TEST_INVALIDATE_FLAG_ALL;
    /// `IOMMU_TEST_IOTLB_DEFAULT`.
    pub const IOTLB_DEFAULT: u32 = bindings::IOMMU_TEST_IOTLB_DEFAULT;
    /// `IOMMU_TEST_DEV_CACHE_DEFAULT`.
    pub const DEV_CACHE_DEFAULT: u32 = bindings::IOMMU_TEST_DEV_CACHE_DEFAULT;
    /// `MOCK_NESTED_DOMAIN_IOTLB_NUM`.
    pub const NESTED_DOMAIN_IOTLB_NUM: usize = bindings::MOCK_NESTED_DOMAIN_IOTLB_NUM as usize;
    /// `MOCK_DEV_CACHE_NUM`.
    pub const DEV_CACHE_NUM: usize = bindings::MOCK_DEV_CACHE_NUM as usize;
    /// `MOCK_FLAGS_DEVICE_NO_DIRTY`.
    pub const FLAGS_DEVICE_NO_DIRTY: u32 = bindings::MOCK_FLAGS_DEVICE_NO_DIRTY;
    /// `MOCK_IOMMUPT_DEFAULT`.
    pub const IOMMUPT_DEFAULT: u32 = bindings::MOCK_IOMMUPT_DEFAULT;
    /// `MOCK_IOMMUPT_HUGE`.
    pub const IOMMUPT_HUGE: u32 = bindings::MOCK_IOMMUPT_HUGE;
    /// `MOCK_APERTURE_START`.
    pub const APERTURE_START: u64 = bindings::MOCK_APERTURE_START as u64;
    /// `MOCK_APERTURE_LAST`.
    pub const APERTURE_LAST: u64 = bindings::MOCK_APERTURE_LAST as u64;
    /// `MOCK_HUGE_PAGE_SIZE`.
    pub const HUGE_PAGE_SIZE: u64 = bindings::MOCK_HUGE_PAGE_SIZE as u64;
    /// `MOCK_PASID_WIDTH`.
    pub const PASID_WIDTH: u32 = bindings::MOCK_PASID_WIDTH;
    /// `IOMMU_TEST_PASID_RESERVED`: the PASID whose second attach fails on purpose.
    pub const PASID_RESERVED: u32 = bindings::IOMMU_TEST_PASID_RESERVED;
    /// `IOMMU_HWPT_ALLOC_NEST_PARENT`.
    pub const HWPT_ALLOC_NEST_PARENT: u32 =
        bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_NEST_PARENT;
    /// `IOMMU_HWPT_ALLOC_DIRTY_TRACKING`.
    pub const HWPT_ALLOC_DIRTY_TRACKING: u32 =
        bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
    /// `IOMMU_HWPT_ALLOC_PASID`.
    pub const HWPT_ALLOC_PASID: u32 = bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_PASID;
    /// `IOMMU_HWPT_DATA_NONE`.
    pub const HWPT_DATA_NONE: u32 = bindings::iommu_hwpt_data_type_IOMMU_HWPT_DATA_NONE;
}

/// The mock bus of the harness, on which the mock IOMMU registers.
///
/// # Invariants
///
/// `bus` and `nb` are valid until the harness calls `mock_iommu_unregister()`.
pub struct MockBus {
    bus: *const bindings::bus_type,
    nb: *mut bindings::notifier_block,
}

impl MockBus {
    /// Registers `iommu` with `D`'s operations on this bus, its sysfs entry under `parent`.
    pub fn register<D: Driver>(&self, iommu: &'static IommuDevice, parent: &Device) -> Result {
        // SAFETY: Valid until `mock_iommu_unregister()`, which unregisters `iommu` (type invariant
        // and `MockDriver::unregister`'s contract).
        unsafe { iommu.register_bus::<D>(parent, self.bus, self.nb) }
    }
}

/// The `MOCK_FLAGS_DEVICE_*` flags `dev` was created with; `None` unless it is a device on the
/// mock bus `iommu` is registered on.
///
/// Generic so that it is instantiated in the mock driver's object: `mock_dev_flags()` lives in
/// the selftest harness, which is part of iommufd and may be a module, while the kernel crate is
/// built in.
pub fn dev_flags<M: MockDriver>(iommu: &IommuDevice, dev: &Device) -> Option<u32> {
    if !iommu.is_on_bus(dev) {
        return None;
    }
    // SAFETY: `dev` is a device of the harness's mock bus, i.e. a `struct mock_dev`.
    Some(unsafe { bindings::mock_dev_flags(dev.as_raw()) })
}

/// A Rust mock IOMMU driver of the selftest: the operations of `selftest_mock.h`.
pub trait MockDriver: Driver {
    /// Registers the IOMMU instance on `bus`, its sysfs entry under `parent`.
    fn register(parent: &Device, bus: &MockBus) -> Result;
    /// Unregisters what `register` did. `bus` stays valid until this returns.
    fn unregister();
    /// Adds `dev`, a new device on the bus, to the instance.
    fn device_add(dev: &Device) -> Result;
    /// True for the driver's paging domains.
    fn domain_is_paging(domain: &Domain) -> bool;
    /// True if dirty tracking is on (a paging domain of the driver).
    fn dirty_tracking(domain: &Domain) -> bool;
    /// Marks `iova` dirty.
    fn set_dirty(domain: &Domain, iova: u64) -> Result;
    /// Entry `id` of a nested domain's mock IOTLB.
    fn nested_iotlb(domain: &Domain, id: u32) -> Result<u32>;
    /// Entry `id` of a device's mock cache.
    fn dev_cache(dev: &ProbedDevice<Self>, id: u32) -> Result<u32>;
    /// Reports a selftest vEVENT for `dev`.
    fn trigger_vevent(dev: &ProbedDevice<Self>) -> Result;
}

/// The conversions behind [`iommufd_selftest_mock!`](crate::iommufd_selftest_mock).
#[doc(hidden)]
pub mod glue {
    use super::*;

    /// # Safety
    ///
    /// Called by the harness with a valid `parent` and a bus and notifier valid until
    /// `mock_iommu_unregister()`.
    pub unsafe fn register<M: MockDriver>(
        parent: *mut bindings::device,
        bus: *const bindings::bus_type,
        nb: *mut bindings::notifier_block,
    ) -> c_int {
        // SAFETY: By the function's contract.
        let parent = unsafe { Device::from_raw(parent) };
        // INVARIANT: By the function's contract.
        let bus = MockBus { bus, nb };
        from_result(|| M::register(parent, &bus).map(|()| 0))
    }

    /// # Safety
    ///
    /// `dev` is valid.
    pub unsafe fn device_add<M: MockDriver>(dev: *mut bindings::device) -> c_int {
        // SAFETY: By the function's contract.
        let dev = unsafe { Device::from_raw(dev) };
        from_result(|| M::device_add(dev).map(|()| 0))
    }

    /// # Safety
    ///
    /// `domain` is valid (the harness holds a reference on its HWPT).
    pub unsafe fn domain<'a>(domain: *mut bindings::iommu_domain) -> &'a Domain {
        // SAFETY: By the function's contract.
        unsafe { Domain::from_raw(domain) }
    }

    /// The device of an iommufd device, if `M` probed it.
    ///
    /// # Safety
    ///
    /// `dev` is valid and the harness holds a reference on its iommufd device, so it stays
    /// bound to iommufd, and so probed, for `'a`.
    pub unsafe fn device<'a, M: MockDriver>(
        dev: *mut bindings::device,
    ) -> Result<&'a ProbedDevice<M>> {
        // SAFETY: By the function's contract.
        let dev = unsafe { Device::from_raw(dev) };
        ProbedDevice::from_device(dev).ok_or(EINVAL)
    }

    /// # Safety
    ///
    /// `value` is valid for writes.
    pub unsafe fn read_u32(r: Result<u32>, value: *mut u32) -> c_int {
        from_result(|| {
            let v = r?;
            // SAFETY: By the function's contract.
            unsafe { *value = v };
            Ok(0)
        })
    }

    /// `Result` to errno.
    pub fn errno(r: Result) -> c_int {
        match r {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }
}

/// Defines the functions of `drivers/iommu/iommufd/selftest_mock.h` for the [`MockDriver`]
/// `$t`, the `LocalModule` of the object (it has no `module!`: it is linked into `iommufd`) and
/// its log prefix. Expand it once, in the mock driver's crate root.
#[macro_export]
macro_rules! iommufd_selftest_mock {
    ($t:ty, $name:literal) => {
        const __LOG_PREFIX: &[u8] = ::core::concat!($name, "\0").as_bytes();

        /// The module this object is linked into (`iommufd`, or the kernel image).
        struct LocalModule;

        impl $crate::ModuleMetadata for LocalModule {
            const NAME: &'static $crate::str::CStr = match $crate::str::CStr::from_bytes_with_nul(
                ::core::concat!($name, "\0").as_bytes(),
            ) {
                Ok(s) => s,
                Err(_) => panic!("bad name"),
            };

            #[cfg(MODULE)]
            const THIS_MODULE: $crate::ThisModule = {
                extern "C" {
                    static __this_module: $crate::types::Opaque<$crate::bindings::module>;
                }

                // SAFETY: `__this_module` is constructed by the kernel at load time and lives
                // until the module is unloaded.
                unsafe { $crate::ThisModule::from_ptr(__this_module.get()) }
            };

            #[cfg(not(MODULE))]
            // SAFETY: Built in: there is no module, NULL is the kernel's owner.
            const THIS_MODULE: $crate::ThisModule =
                unsafe { $crate::ThisModule::from_ptr(::core::ptr::null_mut()) };
        }

        /// See `selftest_mock.h`.
        ///
        /// # Safety
        ///
        /// Called by the harness with a valid `parent`, and `bus` and `nb` valid until
        /// `mock_iommu_unregister()`.
        #[$crate::macros::export]
        pub unsafe extern "C" fn mock_iommu_register(
            parent: *mut $crate::bindings::device,
            bus: *const $crate::bindings::bus_type,
            nb: *mut $crate::bindings::notifier_block,
        ) -> $crate::ffi::c_int {
            // SAFETY: By the function's contract.
            unsafe { $crate::iommu::selftest::glue::register::<$t>(parent, bus, nb) }
        }

        /// See `selftest_mock.h`.
        ///
        /// # Safety
        ///
        /// Called by the harness once after `mock_iommu_register()` succeeded.
        #[$crate::macros::export]
        pub unsafe extern "C" fn mock_iommu_unregister(
            _bus: *const $crate::bindings::bus_type,
            _nb: *mut $crate::bindings::notifier_block,
        ) {
            <$t as $crate::iommu::selftest::MockDriver>::unregister()
        }

        /// See `selftest_mock.h`.
        ///
        /// # Safety
        ///
        /// `dev` is a valid device of the mock bus.
        #[$crate::macros::export]
        pub unsafe extern "C" fn mock_iommu_device_add(
            dev: *mut $crate::bindings::device,
        ) -> $crate::ffi::c_int {
            // SAFETY: By the function's contract.
            unsafe { $crate::iommu::selftest::glue::device_add::<$t>(dev) }
        }

        /// See `selftest_mock.h`.
        ///
        /// # Safety
        ///
        /// `domain` is valid.
        #[$crate::macros::export]
        pub unsafe extern "C" fn mock_domain_is_paging(
            domain: *mut $crate::bindings::iommu_domain,
        ) -> bool {
            // SAFETY: By the function's contract.
            let d = unsafe { $crate::iommu::selftest::glue::domain(domain) };
            <$t as $crate::iommu::selftest::MockDriver>::domain_is_paging(d)
        }

        /// See `selftest_mock.h`.
        ///
        /// # Safety
        ///
        /// `domain` is valid.
        #[$crate::macros::export]
        pub unsafe extern "C" fn mock_domain_dirty_tracking(
            domain: *mut $crate::bindings::iommu_domain,
        ) -> bool {
            // SAFETY: By the function's contract.
            let d = unsafe { $crate::iommu::selftest::glue::domain(domain) };
            <$t as $crate::iommu::selftest::MockDriver>::dirty_tracking(d)
        }

        /// See `selftest_mock.h`.
        ///
        /// # Safety
        ///
        /// `domain` is valid.
        #[$crate::macros::export]
        pub unsafe extern "C" fn mock_domain_set_dirty(
            domain: *mut $crate::bindings::iommu_domain,
            iova: $crate::ffi::c_ulong,
        ) -> $crate::ffi::c_int {
            // SAFETY: By the function's contract.
            let d = unsafe { $crate::iommu::selftest::glue::domain(domain) };
            $crate::iommu::selftest::glue::errno(
                <$t as $crate::iommu::selftest::MockDriver>::set_dirty(d, iova as u64),
            )
        }

        /// See `selftest_mock.h`.
        ///
        /// # Safety
        ///
        /// `domain` is valid, `value` valid for writes.
        #[$crate::macros::export]
        pub unsafe extern "C" fn mock_domain_nested_iotlb(
            domain: *mut $crate::bindings::iommu_domain,
            id: u32,
            value: *mut u32,
        ) -> $crate::ffi::c_int {
            // SAFETY: By the function's contract.
            let d = unsafe { $crate::iommu::selftest::glue::domain(domain) };
            let r = <$t as $crate::iommu::selftest::MockDriver>::nested_iotlb(d, id);
            // SAFETY: By the function's contract.
            unsafe { $crate::iommu::selftest::glue::read_u32(r, value) }
        }

        /// See `selftest_mock.h`.
        ///
        /// # Safety
        ///
        /// `dev` is the valid device of an iommufd device the harness holds, `value` valid for
        /// writes.
        #[$crate::macros::export]
        pub unsafe extern "C" fn mock_dev_cache(
            dev: *mut $crate::bindings::device,
            id: u32,
            value: *mut u32,
        ) -> $crate::ffi::c_int {
            // SAFETY: By the function's contract.
            let d = unsafe { $crate::iommu::selftest::glue::device::<$t>(dev) };
            let r = d.and_then(|d| <$t as $crate::iommu::selftest::MockDriver>::dev_cache(d, id));
            // SAFETY: By the function's contract.
            unsafe { $crate::iommu::selftest::glue::read_u32(r, value) }
        }

        /// See `selftest_mock.h`.
        ///
        /// # Safety
        ///
        /// `dev` is the valid device of an iommufd device the harness holds.
        #[$crate::macros::export]
        pub unsafe extern "C" fn mock_dev_trigger_vevent(
            dev: *mut $crate::bindings::device,
        ) -> $crate::ffi::c_int {
            // SAFETY: By the function's contract.
            let d = unsafe { $crate::iommu::selftest::glue::device::<$t>(dev) };
            $crate::iommu::selftest::glue::errno(
                d.and_then(<$t as $crate::iommu::selftest::MockDriver>::trigger_vevent),
            )
        }
    };
}
