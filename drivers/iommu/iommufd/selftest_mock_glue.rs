// SPDX-License-Identifier: GPL-2.0

//! The Rust mock IOMMU's side of `drivers/iommu/iommufd/selftest_mock.h`: the functions the
//! selftest harness (C, `drivers/iommu/iommufd/selftest.c`) calls, the mock bus registration,
//! and the module metadata of the object (it has no `module!`: it is linked into `iommufd`).
//!
//! This file is the mock's abstraction of its harness: it converts the C arguments and is the
//! only part of the mock that uses the C bindings (the lint of `riommu test` names it as an
//! abstraction file). It lives next to the mock, not in the kernel crate, because only the mock
//! uses it. Every function is checked against its C prototype by `#[export]`. Its [`uapi`] and
//! [`consts`] are the selftest's uAPI (`iommufd_test.h`) that the mock reads and writes.

use super::{Mock, MockIommu, MOCK_NAME};
use kernel::{
    bindings,
    device::Device,
    ffi::{c_int, c_ulong},
    iommu::{
        device::{Options, ProbedDevice, Registration},
        domain::Domain,
    },
    prelude::*,
    sync::atomic::{Acquire, Atomic, Full, Relaxed, Release},
};

/// The selftest's uAPI structures (`iommufd_test.h`), each a transparent wrapper of the bindgen
/// type that derefs to it: the kernel crate's traits ([`FromBytes`], [`AsBytes`],
/// [`UserStruct`]) can only be implemented outside the kernel crate for a local type (the orphan
/// rule).
///
/// [`FromBytes`]: kernel::transmute::FromBytes
/// [`AsBytes`]: kernel::transmute::AsBytes
/// [`UserStruct`]: kernel::iommu::user_data::UserStruct
pub(crate) mod uapi {
    use kernel::{
        bindings,
        iommu::user_data::{field_size, UserStruct},
        transmute::{AsBytes, FromBytes},
    };

    /// Implements [`UserStruct`] for `$name`, a wrapper of `$c`, whose initial last member (the
    /// one the C mock passes to `iommu_copy_struct_from_user()`) is `$min_last`.
    macro_rules! user_struct {
        ($name:ident($c:ty), $min_last:ident) => {
            impl UserStruct for $name {
                const MIN_SIZE: usize =
                    core::mem::offset_of!($c, $min_last) + field_size(|s: &$c| &s.$min_last);
            }
        };
    }

    kernel::iommu_uapi_wrapper!(
        /// `struct iommu_hwpt_selftest`: a nested or paging HWPT's data.
        pub(crate) HwptSelftest(bindings::iommu_hwpt_selftest)
    );
    kernel::iommu_uapi_wrapper!(
        /// `struct iommu_hwpt_invalidate_selftest`: one request to a nested HWPT.
        pub(crate) HwptInvalidateSelftest(bindings::iommu_hwpt_invalidate_selftest)
    );
    kernel::iommu_uapi_wrapper!(
        /// `struct iommu_viommu_selftest`: a vIOMMU's data, read and written back.
        pub(crate) ViommuSelftest(bindings::iommu_viommu_selftest)
    );
    kernel::iommu_uapi_wrapper!(
        /// `struct iommu_viommu_invalidate_selftest`: one request to a vIOMMU.
        pub(crate) ViommuInvalidateSelftest(bindings::iommu_viommu_invalidate_selftest)
    );
    kernel::iommu_uapi_wrapper!(
        /// `struct iommu_viommu_event_selftest`: a vEVENT.
        pub(crate) ViommuEventSelftest(bindings::iommu_viommu_event_selftest)
    );
    kernel::iommu_uapi_wrapper!(
        /// `struct iommu_test_hw_info`: the mock's `IOMMU_GET_HW_INFO` data.
        pub(crate) HwInfoSelftest(bindings::iommu_test_hw_info)
    );

    impl Default for HwptSelftest {
        /// All zeroes, as the C mock's `struct iommu_hwpt_selftest` without user data.
        fn default() -> Self {
            Self(bindings::iommu_hwpt_selftest {
                iotlb: 0,
                pagetable_type: 0,
            })
        }
    }

    impl ViommuEventSelftest {
        /// The vEVENT of the device with virtual ID `virt_id`.
        pub(crate) fn new(virt_id: u32) -> Self {
            Self(bindings::iommu_viommu_event_selftest { virt_id })
        }
    }

    impl HwInfoSelftest {
        /// The hardware information with `flags` and test register `test_reg`.
        pub(crate) fn new(flags: u32, test_reg: u32) -> Self {
            Self(bindings::iommu_test_hw_info { flags, test_reg })
        }
    }

    // SAFETY: A transparent wrapper of `struct iommu_hwpt_selftest` (`iommufd_test.h`), two
    // `__u32` (`iotlb`, `pagetable_type`): integers only, so any bytes are a valid value.
    unsafe impl FromBytes for HwptSelftest {}
    // SAFETY: A transparent wrapper of `struct iommu_hwpt_invalidate_selftest`, two `__u32`
    // (`flags`, `iotlb_id`): integers only, so any bytes are a valid value.
    unsafe impl FromBytes for HwptInvalidateSelftest {}
    // SAFETY: A transparent wrapper of `struct iommu_viommu_selftest`, two `__u32` then two
    // `__aligned_u64`: integers only, so any bytes are a valid value.
    unsafe impl FromBytes for ViommuSelftest {}
    // SAFETY: `struct iommu_viommu_selftest` is two `__u32` (8 bytes, so the `__aligned_u64`s
    // that follow are aligned) and two `__aligned_u64`: no padding, so every byte of the wrapper
    // is initialised.
    unsafe impl AsBytes for ViommuSelftest {}
    // SAFETY: A transparent wrapper of `struct iommu_viommu_invalidate_selftest`, three `__u32`
    // (`flags`, `vdev_id`, `cache_id`): integers only, so any bytes are a valid value.
    unsafe impl FromBytes for ViommuInvalidateSelftest {}
    // SAFETY: A transparent wrapper of `struct iommu_viommu_event_selftest`, a single `__u32`
    // (`virt_id`): no padding, so every byte is initialised.
    unsafe impl AsBytes for ViommuEventSelftest {}
    // SAFETY: A transparent wrapper of `struct iommu_test_hw_info`, two `__u32` (`flags`,
    // `test_reg`): no padding, so every byte is initialised.
    unsafe impl AsBytes for HwInfoSelftest {}

    // The initial last members the C mock passes to `iommu_copy_struct_from_user()`.
    user_struct!(HwptSelftest(bindings::iommu_hwpt_selftest), iotlb);
    user_struct!(
        HwptInvalidateSelftest(bindings::iommu_hwpt_invalidate_selftest),
        iotlb_id
    );
    user_struct!(ViommuSelftest(bindings::iommu_viommu_selftest), out_data);
}

/// The selftest's constants (`iommufd_test.h`, `selftest_mock.h`) and the uAPI flags the mock checks.
pub(crate) mod consts {
    use kernel::bindings;

    /// `IOMMU_HWPT_DATA_SELFTEST`.
    pub(crate) const HWPT_DATA_SELFTEST: u32 = bindings::IOMMU_HWPT_DATA_SELFTEST;
    /// `IOMMU_HWPT_INVALIDATE_DATA_SELFTEST`.
    pub(crate) const HWPT_INVALIDATE_DATA_SELFTEST: u32 =
        bindings::IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
    /// `IOMMU_VIOMMU_TYPE_SELFTEST`.
    pub(crate) const VIOMMU_TYPE_SELFTEST: u32 = bindings::IOMMU_VIOMMU_TYPE_SELFTEST;
    /// `IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST`.
    pub(crate) const VIOMMU_INVALIDATE_DATA_SELFTEST: u32 =
        bindings::IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
    /// `IOMMU_VEVENTQ_TYPE_SELFTEST`.
    pub(crate) const VEVENTQ_TYPE_SELFTEST: u32 = bindings::IOMMU_VEVENTQ_TYPE_SELFTEST;
    /// `IOMMU_HW_QUEUE_TYPE_SELFTEST`.
    pub(crate) const HW_QUEUE_TYPE_SELFTEST: u32 = bindings::IOMMU_HW_QUEUE_TYPE_SELFTEST;
    /// `IOMMU_TEST_HW_QUEUE_MAX`.
    pub(crate) const HW_QUEUE_MAX: usize = bindings::IOMMU_TEST_HW_QUEUE_MAX as usize;
    /// `IOMMU_HW_INFO_TYPE_SELFTEST`.
    pub(crate) const HW_INFO_TYPE_SELFTEST: u32 = bindings::IOMMU_HW_INFO_TYPE_SELFTEST;
    /// `IOMMU_HW_INFO_SELFTEST_REGVAL`.
    pub(crate) const HW_INFO_SELFTEST_REGVAL: u32 = bindings::IOMMU_HW_INFO_SELFTEST_REGVAL;
    /// `IOMMU_HW_INFO_TYPE_DEFAULT`.
    pub(crate) const HW_INFO_TYPE_DEFAULT: u32 =
        bindings::iommu_hw_info_type_IOMMU_HW_INFO_TYPE_DEFAULT;
    /// `IOMMU_TEST_INVALIDATE_FLAG_ALL`.
    pub(crate) const INVALIDATE_FLAG_ALL: u32 = bindings::IOMMU_TEST_INVALIDATE_FLAG_ALL;
    /// `IOMMU_TEST_DEV_CACHE_DEFAULT`.
    pub(crate) const DEV_CACHE_DEFAULT: u32 = bindings::IOMMU_TEST_DEV_CACHE_DEFAULT;
    /// `MOCK_NESTED_DOMAIN_IOTLB_NUM`.
    pub(crate) const NESTED_DOMAIN_IOTLB_NUM: usize =
        bindings::MOCK_NESTED_DOMAIN_IOTLB_NUM as usize;
    /// `MOCK_DEV_CACHE_NUM`.
    pub(crate) const DEV_CACHE_NUM: usize = bindings::MOCK_DEV_CACHE_NUM as usize;
    /// `MOCK_FLAGS_DEVICE_NO_DIRTY`.
    pub(crate) const FLAGS_DEVICE_NO_DIRTY: u32 = bindings::MOCK_FLAGS_DEVICE_NO_DIRTY;
    /// `MOCK_IOMMUPT_DEFAULT`.
    pub(crate) const IOMMUPT_DEFAULT: u32 = bindings::MOCK_IOMMUPT_DEFAULT;
    /// `MOCK_IOMMUPT_HUGE`.
    pub(crate) const IOMMUPT_HUGE: u32 = bindings::MOCK_IOMMUPT_HUGE;
    /// `MOCK_APERTURE_START`.
    pub(crate) const APERTURE_START: u64 = bindings::MOCK_APERTURE_START as u64;
    /// `MOCK_APERTURE_LAST`.
    pub(crate) const APERTURE_LAST: u64 = bindings::MOCK_APERTURE_LAST as u64;
    /// `MOCK_HUGE_PAGE_SIZE`.
    pub(crate) const HUGE_PAGE_SIZE: u64 = bindings::MOCK_HUGE_PAGE_SIZE as u64;
    /// `MOCK_PASID_WIDTH`.
    pub(crate) const PASID_WIDTH: u32 = bindings::MOCK_PASID_WIDTH;
    /// `IOMMU_TEST_PASID_RESERVED`: the PASID whose second attach fails on purpose.
    pub(crate) const PASID_RESERVED: u32 = bindings::IOMMU_TEST_PASID_RESERVED;
    /// `IOMMU_HWPT_ALLOC_NEST_PARENT`.
    pub(crate) const HWPT_ALLOC_NEST_PARENT: u32 =
        bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_NEST_PARENT;
    /// `IOMMU_HWPT_ALLOC_DIRTY_TRACKING`.
    pub(crate) const HWPT_ALLOC_DIRTY_TRACKING: u32 =
        bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
    /// `IOMMU_HWPT_ALLOC_PASID`.
    pub(crate) const HWPT_ALLOC_PASID: u32 =
        bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_PASID;
    /// `IOMMU_HWPT_DATA_NONE`.
    pub(crate) const HWPT_DATA_NONE: u32 = bindings::iommu_hwpt_data_type_IOMMU_HWPT_DATA_NONE;
}

/// The log prefix of `pr_*!`.
pub(crate) const __LOG_PREFIX: &[u8] = b"iommufd_mock\0";

/// The module this object is linked into (`iommufd`, or the kernel image).
pub(crate) struct LocalModule;

impl kernel::ModuleMetadata for LocalModule {
    const NAME: &'static CStr = MOCK_NAME;

    #[cfg(MODULE)]
    const THIS_MODULE: kernel::ThisModule = {
        // `struct module` is only used by address here (`Opaque::get`), never passed or read by
        // value, so its layout (which holds zero-sized arrays) does not cross the boundary.
        #[allow(improper_ctypes)]
        extern "C" {
            static __this_module: kernel::types::Opaque<bindings::module>;
        }

        // SAFETY: `__this_module` is constructed by the kernel at load time and lives until the
        // module is unloaded.
        unsafe { kernel::ThisModule::from_ptr(__this_module.get()) }
    };

    #[cfg(not(MODULE))]
    // SAFETY: Built in: there is no module, NULL is the kernel's owner.
    const THIS_MODULE: kernel::ThisModule =
        unsafe { kernel::ThisModule::from_ptr(core::ptr::null_mut()) };
}

/// The mock instance, between `mock_iommu_register()` and `mock_iommu_unregister()`: a
/// `Pin<KBox<Registration>>` turned into a raw pointer, NULL otherwise.
static REG: Atomic<*mut Registration<'static, Mock>> = Atomic::new(core::ptr::null_mut());
/// The bus of the harness the instance is registered on.
static BUS: Atomic<*mut bindings::bus_type> = Atomic::new(core::ptr::null_mut());

/// Calls `f` with the registered instance; `None` if there is none.
fn with_registration<R>(f: impl FnOnce(&Registration<'static, Mock>) -> R) -> Option<R> {
    // Pairs with the `Release` store: the registration is initialised before it is seen.
    let reg = REG.load(Acquire);
    if reg.is_null() {
        return None;
    }
    // SAFETY: `REG` holds a live registration from its store in `mock_iommu_register()` until
    // `mock_iommu_unregister()` takes it. The harness calls the latter only from
    // `iommufd_test_exit()`, when iommufd is being unloaded or its init failed: no file of
    // iommufd is open, so no ioctl (the only path to the caller of this function, mock device
    // creation) runs concurrently.
    Some(f(unsafe { &*reg }))
}

/// The `MOCK_FLAGS_DEVICE_*` flags `dev` was created with; `None` unless it is a device on the
/// mock bus (`mock_dev_flags()` of the harness).
pub(crate) fn dev_flags(dev: &Device) -> Option<u32> {
    let bus = BUS.load(Relaxed);
    // `Device` is `repr(transparent)` over `Opaque<struct device>`, which is over the C struct:
    // the reference's address is the C device's.
    let raw: *mut bindings::device = core::ptr::from_ref(dev).cast_mut().cast();
    // SAFETY: `raw` is the valid device of `dev`; `bus` is a plain field of it, set when it was
    // added.
    if bus.is_null() || !core::ptr::eq(unsafe { (*raw).bus }, bus) {
        return None;
    }
    // SAFETY: `raw` is a device of the harness's mock bus, i.e. the `dev` of a `struct mock_dev`,
    // which is what `mock_dev_flags()` requires.
    Some(unsafe { bindings::mock_dev_flags(raw) })
}

/// `Result` to errno.
fn errno(r: Result) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Writes the value of `r` to `value`; 0 or the errno of `r`.
///
/// # Safety
///
/// `value` is valid for writes.
unsafe fn read_u32(r: Result<u32>, value: *mut u32) -> c_int {
    match r {
        Ok(v) => {
            // SAFETY: `value` is valid for writes (this function's `# Safety` requirement; the
            // C callers pass the address of a local `u32`).
            unsafe { *value = v };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// See `selftest_mock.h`.
///
/// # Safety
///
/// Called by the harness once, with a valid `parent`, and `bus` and `nb` valid until
/// `mock_iommu_unregister()`.
#[kernel::macros::export]
pub unsafe extern "C" fn mock_iommu_register(
    parent: *mut bindings::device,
    bus: *const bindings::bus_type,
    nb: *mut bindings::notifier_block,
) -> c_int {
    // SAFETY: `iommufd_test_init()` passes `&selftest_iommu_dev->dev`, a valid device (this
    // function's `# Safety` section) that it keeps until after `mock_iommu_unregister()`.
    let parent = unsafe { Device::from_raw(parent) };
    let opts = Options {
        max_pasids: 1 << super::PASID_WIDTH,
    };
    BUS.store(bus.cast_mut(), Relaxed);
    // SAFETY: `bus` and `nb` stay valid until `mock_iommu_unregister()`, which drops the
    // registration (this function's `# Safety` section: `iommufd_test_init()` passes the static
    // mock bus and its notifier block); the harness registers `nb` nowhere else.
    let init = unsafe { Registration::new_on_bus(parent, bus, nb, opts, MockIommu::new()) };
    match KBox::pin_init(init, GFP_KERNEL) {
        Ok(reg) => {
            Mock::registered();
            // SAFETY: The registration is not moved out of its box: it is only borrowed (in
            // `with_registration`) until `mock_iommu_unregister()` rebuilds the pinned box.
            let raw = KBox::into_raw(unsafe { Pin::into_inner_unchecked(reg) });
            REG.store(raw, Release);
            0
        }
        Err(e) => {
            BUS.store(core::ptr::null_mut(), Relaxed);
            e.to_errno()
        }
    }
}

/// See `selftest_mock.h`.
///
/// # Safety
///
/// Called by the harness once after `mock_iommu_register()` succeeded.
#[kernel::macros::export]
pub unsafe extern "C" fn mock_iommu_unregister(
    _bus: *const bindings::bus_type,
    _nb: *mut bindings::notifier_block,
) {
    Mock::unregistering();
    let reg = REG.xchg(core::ptr::null_mut(), Full);
    if !reg.is_null() {
        // SAFETY: `reg` came from `KBox::into_raw` of the pinned registration in
        // `mock_iommu_register()` and was taken out of `REG` above, so this is its only owner;
        // dropping it unregisters the instance, which releases its devices.
        drop(unsafe { Pin::new_unchecked(KBox::from_raw(reg)) });
    }
    BUS.store(core::ptr::null_mut(), Relaxed);
}

/// See `selftest_mock.h`.
///
/// # Safety
///
/// `dev` is a valid device of the mock bus, not probed yet.
#[kernel::macros::export]
pub unsafe extern "C" fn mock_iommu_device_add(dev: *mut bindings::device) -> c_int {
    // SAFETY: `mock_dev_create()` passes `&mdev->dev`, a device it initialised and holds a
    // reference on for the call (this function's `# Safety` section).
    let dev = unsafe { Device::from_raw(dev) };
    with_registration(|r| errno(r.mock_device_add(dev))).unwrap_or(ENODEV.to_errno())
}

/// # Safety
///
/// `domain` is valid (the harness holds a reference on its HWPT) for `'a`.
unsafe fn domain<'a>(domain: *mut bindings::iommu_domain) -> &'a Domain {
    // SAFETY: `domain` is valid and initialised for `'a` because the harness holds a reference
    // on its HWPT (this function's `# Safety` requirement), which is what `Domain::from_raw`
    // needs.
    unsafe { Domain::from_raw(domain) }
}

/// The device of an iommufd device, if the mock probed it.
///
/// # Safety
///
/// `dev` is valid and the harness holds a reference on its iommufd device, so it stays bound to
/// iommufd, and so probed, for `'a`.
unsafe fn device<'a>(dev: *mut bindings::device) -> Result<&'a ProbedDevice<Mock>> {
    // SAFETY: `dev` is the device of an iommufd device the harness holds a reference on (this
    // function's `# Safety` requirement), so it is valid for `'a`.
    let dev = unsafe { Device::from_raw(dev) };
    // SAFETY: The harness's reference on the iommufd device keeps `dev` bound to iommufd, and
    // so probed by its IOMMU driver, for `'a` (this function's `# Safety` requirement).
    unsafe { ProbedDevice::from_device(dev) }.ok_or(EINVAL)
}

/// See `selftest_mock.h`.
///
/// # Safety
///
/// `domain` is valid.
#[kernel::macros::export]
pub unsafe extern "C" fn mock_domain_is_paging(domain: *mut bindings::iommu_domain) -> bool {
    // SAFETY: `get_md_pagetable()` passes `hwpt->domain` of a HWPT it holds with
    // `__get_md_pagetable()` (a `users` reference) during the call, so the domain is valid.
    Mock::domain_is_paging(unsafe { self::domain(domain) })
}

/// See `selftest_mock.h`.
///
/// # Safety
///
/// `domain` is valid.
#[kernel::macros::export]
pub unsafe extern "C" fn mock_domain_dirty_tracking(domain: *mut bindings::iommu_domain) -> bool {
    // SAFETY: `iommufd_test_dirty()` passes `hwpt->domain` of a HWPT it holds from
    // `get_md_pagetable()` until after the call, so the domain is valid.
    Mock::dirty_tracking(unsafe { self::domain(domain) })
}

/// See `selftest_mock.h`.
///
/// # Safety
///
/// `domain` is valid.
#[kernel::macros::export]
pub unsafe extern "C" fn mock_domain_set_dirty(
    domain: *mut bindings::iommu_domain,
    iova: c_ulong,
) -> c_int {
    // SAFETY: `iommufd_test_dirty()` passes `hwpt->domain` of a HWPT it holds from
    // `get_md_pagetable()` until after the call, so the domain is valid.
    errno(Mock::set_dirty(
        unsafe { self::domain(domain) },
        iova as u64,
    ))
}

/// See `selftest_mock.h`.
///
/// # Safety
///
/// `domain` is valid, `value` valid for writes.
#[kernel::macros::export]
pub unsafe extern "C" fn mock_domain_nested_iotlb(
    domain: *mut bindings::iommu_domain,
    id: u32,
    value: *mut u32,
) -> c_int {
    // SAFETY: `iommufd_test_md_check_iotlb()` passes `hwpt->domain` of a nested HWPT it holds
    // with `__get_md_pagetable()` until its `iommufd_put_object()`, after this call.
    let r = Mock::nested_iotlb(unsafe { self::domain(domain) }, id);
    // SAFETY: `value` is `&value`, a local `u32` of `iommufd_test_md_check_iotlb()`, valid for
    // writes during the call (this function's `# Safety` section).
    unsafe { read_u32(r, value) }
}

/// See `selftest_mock.h`.
///
/// # Safety
///
/// `dev` is the valid device of an iommufd device the harness holds, `value` valid for writes.
#[kernel::macros::export]
pub unsafe extern "C" fn mock_dev_cache(
    dev: *mut bindings::device,
    id: u32,
    value: *mut u32,
) -> c_int {
    // SAFETY: `iommufd_test_dev_check_cache()` passes `idev->dev` of an iommufd device it holds
    // with `iommufd_get_device()` until its `iommufd_put_object()`, after this call.
    let r = unsafe { device(dev) }.and_then(|d| Mock::dev_cache(d, id));
    // SAFETY: `value` is `&value`, a local `u32` of `iommufd_test_dev_check_cache()`, valid for
    // writes during the call (this function's `# Safety` section).
    unsafe { read_u32(r, value) }
}

/// See `selftest_mock.h`.
///
/// # Safety
///
/// `dev` is the valid device of an iommufd device the harness holds.
#[kernel::macros::export]
pub unsafe extern "C" fn mock_dev_trigger_vevent(dev: *mut bindings::device) -> c_int {
    // SAFETY: `iommufd_test_trigger_vevent()` passes `idev->dev` of an iommufd device it holds
    // with `iommufd_get_device()` until its `iommufd_put_object()`, after this call.
    errno(unsafe { device(dev) }.and_then(Mock::trigger_vevent))
}
