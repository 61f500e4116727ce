// SPDX-License-Identifier: GPL-2.0

//! The iommufd selftest's mock IOMMU: its uAPI structures and constants.
//!
//! C header: [`drivers/iommu/iommufd/iommufd_test.h`](srctree/drivers/iommu/iommufd/iommufd_test.h)
//!
//! Only the uAPI of the selftest is here: the kernel crate's traits ([`FromBytes`], [`AsBytes`],
//! the user-data structure trait) can only be implemented for the bindgen types in this crate
//! (the orphan rule). The mock driver's interface to its C harness (`selftest_mock.h`: mock bus
//! registration, device add, the checks of `IOMMU_TEST_OP_*`) lives next to the mock, in
//! `drivers/iommu/iommufd/selftest_mock_glue.rs`.

use crate::{
    bindings,
    transmute::{AsBytes, FromBytes},
};

pub use bindings::{
    iommu_hwpt_invalidate_selftest as HwptInvalidateSelftest, iommu_hwpt_selftest as HwptSelftest,
    iommu_test_hw_info as HwInfoSelftest, iommu_viommu_event_selftest as ViommuEventSelftest,
    iommu_viommu_invalidate_selftest as ViommuInvalidateSelftest,
    iommu_viommu_selftest as ViommuSelftest,
};

// SAFETY: `struct iommu_hwpt_selftest` (`iommufd_test.h`) is two `__u32` (`iotlb`,
// `pagetable_type`): integers only, so any bytes are a valid value.
unsafe impl FromBytes for HwptSelftest {}
// SAFETY: `struct iommu_hwpt_invalidate_selftest` is two `__u32` (`flags`, `iotlb_id`): integers
// only, so any bytes are a valid value.
unsafe impl FromBytes for HwptInvalidateSelftest {}
// SAFETY: `struct iommu_viommu_selftest` is two `__u32` then two `__aligned_u64`: integers only,
// so any bytes are a valid value.
unsafe impl FromBytes for ViommuSelftest {}
// SAFETY: `struct iommu_viommu_selftest` is two `__u32` (8 bytes, so the `__aligned_u64`s that
// follow are aligned) and two `__aligned_u64`: no padding, so every byte is initialised.
unsafe impl AsBytes for ViommuSelftest {}
// SAFETY: `struct iommu_viommu_invalidate_selftest` is three `__u32` (`flags`, `vdev_id`,
// `cache_id`): integers only, so any bytes are a valid value.
unsafe impl FromBytes for ViommuInvalidateSelftest {}
// SAFETY: `struct iommu_viommu_event_selftest` is a single `__u32` (`virt_id`): no padding, so
// every byte is initialised.
unsafe impl AsBytes for ViommuEventSelftest {}
// SAFETY: `struct iommu_test_hw_info` is two `__u32` (`flags`, `test_reg`): no padding, so every
// byte is initialised.
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

/// The C `struct device` of `dev`, for the mock driver's glue to its C harness, whose functions
/// (`mock_dev_flags()`) take one. (`Device::as_raw()` is private to the kernel crate.)
#[inline]
pub fn raw_device(dev: &crate::device::Device) -> *mut bindings::device {
    dev.as_raw()
}
