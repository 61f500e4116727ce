// SPDX-License-Identifier: GPL-2.0

//! Typed access to IOMMU driver-specific user data.
//!
//! C header: [`include/linux/iommu.h`](srctree/include/linux/iommu.h)
//!
//! iommufd hands an IOMMU driver user-space buffers that hold driver-specific structures defined
//! in `include/uapi/linux/iommufd.h`, each tagged with a data type:
//!
//! - a single structure, [`UserData`] (`struct iommu_user_data`), e.g. for
//!   `domain_alloc_nested()`, `domain_alloc_paging_flags()` and `viommu_init()`;
//! - an array of fixed-width entries, [`UserDataArray`] (`struct iommu_user_data_array`), for
//!   `cache_invalidate_user()` and `iommufd_viommu_ops::cache_invalidate()`.
//!
//! A Rust type describing such a structure implements [`UserStruct`] through
//! [`iommu_user_struct!`], which derives the minimum accepted length from the last member of the
//! initial version of the structure (the `min_last` argument of the C macros), never from a
//! hand-written number.
//!
//! The methods are the Rust versions of `iommu_copy_struct_from_user()`,
//! `iommu_copy_struct_from_user_array()`, `iommu_copy_struct_from_full_user_array()` and
//! `iommu_copy_struct_to_user()` and fail with the same error codes (line numbers are those of
//! the 7.3 `include/linux/iommu.h` and `include/linux/uaccess.h`):
//!
//! - [`EINVAL`]: the type tag is not `data_type` (all methods; `iommu.h:472,569,611`).
//! - [`EINVAL`]: the length is below [`UserStruct::MIN_SIZE`] or above `size_of::<T>()`, even if
//!   the extra bytes are zero ([`UserData::read`], [`UserData::write`],
//!   [`UserDataArray::read_entry`]; `iommu.h:474,613`).
//! - [`EINVAL`]: `index >= entry_num`, which includes `entry_num == 0`
//!   ([`UserDataArray::read_entry`]; `iommu.h:515-518`).
//! - [`EINVAL`]: `entry_num == 0` ([`UserDataArray::read_all`]; `iommu.h:571`).
//! - [`E2BIG`]: `entry_len > size_of::<T>()` and a byte past `size_of::<T>()` is not zero
//!   ([`UserDataArray::read_all`]; `uaccess.h:406-409`).
//! - [`EFAULT`]: user memory is not accessible (all methods; `uaccess.h:407-409,412-413,509-510`,
//!   `iommu.h:574-577`), including an entry address that overflows (see below).
//!
//! Notes on the C behaviour that is reproduced:
//!
//! - `__iommu_copy_struct_from_user()` and `__iommu_copy_struct_to_user()` reject a user length
//!   larger than the kernel structure with `-EINVAL` *before* calling
//!   `copy_struct_from_user()`/`copy_struct_to_user()`, so for single structures and single array
//!   entries the zero-tail check (and its `-E2BIG`) is never reached; it is reached only through
//!   `iommu_copy_struct_from_full_user_array()`, i.e. [`UserDataArray::read_all`]. The error of
//!   `copy_struct_from_user()` is returned unchanged.
//! - `iommu_copy_struct_from_full_user_array()` applies no minimum length: shorter entries are
//!   zero-extended. [`UserDataArray::read_all`] does the same.
//! - C computes the address of entry `index` as `uptr + entry_len * index` without an overflow
//!   check. Here the product and the sum are checked; if either overflows, the entry cannot be at a
//!   valid user address and the read fails with [`EFAULT`], the error `copy_from_user()` gives C
//!   for an address outside the user range. The check is done where C would access user memory,
//!   after the type and length checks, so every input C rejects is rejected with the same error.
//! - The C helpers `WARN_ON()` an out-of-range index (a driver bug in C); here the index is a
//!   checked argument and an out-of-range index is an ordinary [`EINVAL`] without a warning.
//!
//! `copy_struct_from_user()` is `__always_inline` in `include/linux/uaccess.h` and its
//! `__builtin_object_size()` check means nothing behind a helper, so it is reimplemented here on
//! [`copy_from_user_raw`] and the exported `check_zeroed_user()`, with the same results.
//!
//! # Examples
//!
//! A nested domain allocation and a cache invalidation in the style of the iommufd selftest mock
//! driver (`drivers/iommu/iommufd/selftest.c`):
//!
//! ```
//! use kernel::iommu::user_data::{
//!     iommu_user_struct,
//!     UserData,
//!     UserDataArray, //
//! };
//! use kernel::transmute::FromBytes;
//!
//! const IOMMU_HWPT_DATA_SELFTEST: u32 = 0xdead;
//! const IOMMU_HWPT_INVALIDATE_DATA_SELFTEST: u32 = 0xdeadbeef;
//! const IOMMU_TEST_INVALIDATE_FLAG_ALL: u32 = 1 << 0;
//!
//! /// `struct iommu_hwpt_selftest`.
//! #[repr(C)]
//! struct HwptSelftest {
//!     iotlb: u32,
//! }
//! // SAFETY: A `u32` accepts any bit pattern.
//! unsafe impl FromBytes for HwptSelftest {}
//! iommu_user_struct!(HwptSelftest, iotlb);
//!
//! /// `struct iommu_hwpt_invalidate_selftest`.
//! #[repr(C)]
//! struct InvalidateSelftest {
//!     flags: u32,
//!     iotlb_id: u32,
//! }
//! // SAFETY: Two `u32`s accept any bit pattern.
//! unsafe impl FromBytes for InvalidateSelftest {}
//! iommu_user_struct!(InvalidateSelftest, iotlb_id);
//!
//! fn alloc_nested(data: &UserData) -> Result<u32> {
//!     let cfg: HwptSelftest = data.read(IOMMU_HWPT_DATA_SELFTEST)?;
//!     Ok(cfg.iotlb)
//! }
//!
//! fn cache_invalidate_user(array: &mut UserDataArray<'_>, iotlb: &mut [u32; 4]) -> Result {
//!     // Every return below reports `array.handled()` to iommufd when `array` is dropped.
//!     if array.data_type() != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST {
//!         return Err(EINVAL);
//!     }
//!     for i in 0..array.entry_num() {
//!         let inv: InvalidateSelftest =
//!             array.read_entry(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, i)?;
//!         if inv.flags & !IOMMU_TEST_INVALIDATE_FLAG_ALL != 0 {
//!             return Err(EOPNOTSUPP);
//!         }
//!         if inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL != 0 {
//!             iotlb.fill(0);
//!         } else {
//!             *iotlb.get_mut(usize::try_from(inv.iotlb_id)?).ok_or(EINVAL)? = 0;
//!         }
//!         array.mark_handled();
//!     }
//!     Ok(())
//! }
//!
//! assert_eq!(<HwptSelftest as kernel::iommu::user_data::UserStruct>::MIN_SIZE, 4);
//! assert_eq!(<InvalidateSelftest as kernel::iommu::user_data::UserStruct>::MIN_SIZE, 8);
//! ```

use crate::{
    alloc::Flags,
    bindings,
    num::casts::FromSafeCast,
    prelude::*,
    transmute::{
        AsBytes,
        FromBytes, //
    },
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};
use core::mem::MaybeUninit;

/// A driver-specific uAPI structure that can be copied from or to user space.
///
/// [`UserStruct::MIN_SIZE`] is the C `offsetofend(type, min_last)`, where `min_last` is the last
/// member of the initial version of the structure: user space built against that version passes
/// that length and must keep working. Implement this trait with [`iommu_user_struct!`], which
/// derives the value from the named member.
///
/// The structure must have the C layout (`#[repr(C)]`) of the uAPI definition.
pub trait UserStruct: FromBytes + Sized {
    /// Smallest accepted user length: `offsetofend()` of the initial last member.
    const MIN_SIZE: usize;
}

/// Returns the size of the field that `_f` projects to; `_f` is never called.
///
/// Used by [`iommu_user_struct!`] to compute `offsetofend()` in a constant expression.
#[doc(hidden)]
pub const fn field_size<T, F>(_f: fn(&T) -> &F) -> usize {
    size_of::<F>()
}

/// Implements [`UserStruct`] for a type, deriving [`UserStruct::MIN_SIZE`] from a named field.
///
/// `iommu_user_struct!(Type, min_last)` is the Rust spelling of the `min_last` argument of the C
/// `iommu_copy_struct_from_user()` family: `MIN_SIZE` is `offset_of!(Type, min_last)` plus the
/// size of `min_last`. The type must implement [`FromBytes`].
///
/// # Examples
///
/// ```
/// use kernel::iommu::user_data::{
///     iommu_user_struct,
///     UserStruct, //
/// };
/// use kernel::transmute::FromBytes;
///
/// /// Version 1 ended at `addr_width`; `flags2` was added later.
/// #[repr(C)]
/// struct MyHwpt {
///     pgtbl_addr: u64,
///     addr_width: u32,
///     flags2: u32,
/// }
/// // SAFETY: Integers only, so any bit pattern is valid.
/// unsafe impl FromBytes for MyHwpt {}
/// iommu_user_struct!(MyHwpt, addr_width);
///
/// assert_eq!(MyHwpt::MIN_SIZE, 12);
/// ```
#[macro_export]
#[doc(hidden)]
macro_rules! iommu_user_struct {
    ($ty:ty, $min_last:ident) => {
        impl $crate::iommu::user_data::UserStruct for $ty {
            const MIN_SIZE: usize = ::core::mem::offset_of!($ty, $min_last)
                + $crate::iommu::user_data::field_size(|s: &$ty| &s.$min_last);
        }
    };
}
#[doc(inline)]
pub use crate::iommu_user_struct;

/// Declares `$name`, a `#[repr(transparent)]` wrapper of the uAPI structure `$c` (a bindgen type)
/// that derefs to it, for code outside the kernel crate: the orphan rule lets it implement the
/// kernel crate's traits ([`FromBytes`], [`AsBytes`](crate::transmute::AsBytes), [`UserStruct`])
/// only for a type of its own. The field is private to the module that expands the macro, which
/// builds values with `$name(...)`.
///
/// ```
/// use kernel::bindings;
///
/// kernel::iommu_uapi_wrapper!(
///     /// `struct iommu_hwpt_vtd_s1`.
///     VtdS1(bindings::iommu_hwpt_vtd_s1)
/// );
///
/// let mut s1 = VtdS1(bindings::iommu_hwpt_vtd_s1 {
///     flags: 1,
///     pgtbl_addr: 0x1000,
///     addr_width: 48,
///     __reserved: 0,
/// });
/// s1.addr_width = 57;
/// assert_eq!((s1.flags, s1.pgtbl_addr, s1.addr_width), (1, 0x1000, 57));
/// assert_eq!(size_of::<VtdS1>(), size_of::<bindings::iommu_hwpt_vtd_s1>());
/// ```
#[macro_export]
macro_rules! iommu_uapi_wrapper {
    ($(#[$m:meta])* $vis:vis $name:ident($c:ty)) => {
        $(#[$m])*
        #[repr(transparent)]
        $vis struct $name($c);

        impl ::core::ops::Deref for $name {
            type Target = $c;

            #[inline(always)]
            fn deref(&self) -> &$c {
                &self.0
            }
        }

        impl ::core::ops::DerefMut for $name {
            #[inline(always)]
            fn deref_mut(&mut self) -> &mut $c {
                &mut self.0
            }
        }
    };
}

// The uAPI structures read by the VT-d and SMMUv3 nesting code. They are implemented here because
// the orphan rule keeps drivers from implementing `FromBytes` for `bindings` types; `min_last` is
// the one the C drivers pass.

// SAFETY: `struct iommu_hwpt_vtd_s1` only has integer fields, so any bit pattern is valid.
unsafe impl FromBytes for bindings::iommu_hwpt_vtd_s1 {}
// `drivers/iommu/intel/nested.c`: `iommu_copy_struct_from_user(..., __reserved)`.
crate::iommu_user_struct!(bindings::iommu_hwpt_vtd_s1, __reserved);

// SAFETY: `struct iommu_hwpt_vtd_s1_invalidate` only has integer fields, so any bit pattern is
// valid.
unsafe impl FromBytes for bindings::iommu_hwpt_vtd_s1_invalidate {}
// `drivers/iommu/intel/nested.c`: `iommu_copy_struct_from_user_array(..., __reserved)`.
crate::iommu_user_struct!(bindings::iommu_hwpt_vtd_s1_invalidate, __reserved);

/// The VT-d nesting uAPI (`include/uapi/linux/iommufd.h`): a user's stage-1 table and its
/// invalidation requests, for `IOMMU_HWPT_ALLOC` and `IOMMU_HWPT_INVALIDATE` on VT-d.
pub mod vtd {
    use crate::bindings;

    /// `IOMMU_HWPT_DATA_VTD_S1`: [`HwptVtdS1`] in `IOMMU_HWPT_ALLOC`.
    pub const HWPT_DATA_VTD_S1: u32 = bindings::iommu_hwpt_data_type_IOMMU_HWPT_DATA_VTD_S1;
    /// `IOMMU_HWPT_INVALIDATE_DATA_VTD_S1`: [`InvalidateVtdS1`] entries in
    /// `IOMMU_HWPT_INVALIDATE`.
    pub const INVALIDATE_DATA_VTD_S1: u32 =
        bindings::iommu_hwpt_invalidate_data_type_IOMMU_HWPT_INVALIDATE_DATA_VTD_S1;

    /// `struct iommu_hwpt_vtd_s1`: flags, the stage-1 table's root (a guest PA), its address
    /// width.
    pub use bindings::iommu_hwpt_vtd_s1 as HwptVtdS1;
    /// `struct iommu_hwpt_vtd_s1_invalidate`: a range of a stage-1 table to invalidate.
    pub use bindings::iommu_hwpt_vtd_s1_invalidate as InvalidateVtdS1;
}

// SAFETY: `struct iommu_hwpt_arm_smmuv3` is an array of integers, so any bit pattern is valid.
unsafe impl FromBytes for bindings::iommu_hwpt_arm_smmuv3 {}
// `drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-iommufd.c`: `iommu_copy_struct_from_user(..., ste)`.
crate::iommu_user_struct!(bindings::iommu_hwpt_arm_smmuv3, ste);

// SAFETY: `struct iommu_viommu_arm_smmuv3_invalidate` is an array of integers, so any bit pattern
// is valid.
unsafe impl FromBytes for bindings::iommu_viommu_arm_smmuv3_invalidate {}
// Read with `iommu_copy_struct_from_full_user_array()`, which has no minimum; `cmd` is its only
// member.
crate::iommu_user_struct!(bindings::iommu_viommu_arm_smmuv3_invalidate, cmd);

/// `copy_from_user(dst, src, dst.len())`: fills `dst` from user address `src`.
///
/// Fails with [`EFAULT`] if the user memory is not accessible; `dst` may then be partly written.
///
/// [`UserSliceReader::read_raw`](crate::uaccess::UserSliceReader::read_raw) reaches the copy
/// through the `copy_from_user()` C helper, i.e. two out-of-line calls where C makes one
/// (`_copy_from_user()`, x86_64) or none (arm64 inlines it); this copy is on the path of every
/// cache invalidation and every HWPT allocation. Without `CONFIG_HARDENED_USERCOPY`,
/// `copy_from_user()` adds nothing to `_copy_from_user()` for the lengths used here (a slice, far
/// below `INT_MAX`), so `_copy_from_user()` is called directly (on `INLINE_COPY_USER` architectures
/// it is the helper that inlines the copy). With it, the checked helper is kept.
#[inline]
pub(crate) fn copy_from_user_raw(dst: &mut [MaybeUninit<u8>], src: UserPtr) -> Result {
    if cfg!(CONFIG_HARDENED_USERCOPY) {
        return UserSlice::new(src, dst.len()).reader().read_raw(dst);
    }
    // SAFETY: `dst` is valid for writes of `dst.len()` bytes; `_copy_from_user()` checks the user
    // range itself (`access_ok()`) and handles faults, so any user address is allowed.
    let left = unsafe {
        bindings::_copy_from_user(dst.as_mut_ptr().cast(), src.as_const_ptr(), dst.len())
    };
    if left != 0 {
        return Err(EFAULT);
    }
    Ok(())
}

/// `copy_to_user(dst, src, src.len())`: writes `src` to user address `dst`.
///
/// Fails with [`EFAULT`] if the user memory is not accessible; part of it may have been written.
/// Calls `_copy_to_user()` directly unless `CONFIG_HARDENED_USERCOPY` is set, for the reason given
/// at `copy_from_user_raw()`.
#[inline]
pub fn copy_to_user_raw(dst: UserPtr, src: &[u8]) -> Result {
    if cfg!(CONFIG_HARDENED_USERCOPY) {
        return UserSlice::new(dst, src.len()).writer().write_slice(src);
    }
    // SAFETY: `src` is valid for reads of `src.len()` bytes; `_copy_to_user()` checks the user
    // range itself (`access_ok()`) and handles faults, so any user address is allowed.
    let left = unsafe { bindings::_copy_to_user(dst.as_mut_ptr(), src.as_ptr().cast(), src.len()) };
    if left != 0 {
        return Err(EFAULT);
    }
    Ok(())
}

/// The length checks of `__iommu_copy_struct_from_user()` and `__iommu_copy_struct_to_user()`.
///
/// `len < T::MIN_SIZE || size_of::<T>() < len` is [`EINVAL`].
#[inline]
fn check_len<T: UserStruct>(len: usize) -> Result {
    if len < T::MIN_SIZE || size_of::<T>() < len {
        return Err(EINVAL);
    }
    Ok(())
}

/// Address of entry `index` of an array of `entry_len`-byte entries at `base`.
///
/// C computes `base + entry_len * index` with wrapping arithmetic. If the product or the sum
/// overflows, the entry is not at a valid user address: [`EFAULT`], as `copy_from_user()` reports
/// for an address outside the user range.
#[inline]
fn entry_ptr(base: UserPtr, entry_len: usize, index: u32) -> Result<UserPtr> {
    let offset = entry_len
        .checked_mul(usize::from_safe_cast(index))
        .ok_or(EFAULT)?;
    let addr = base
        .as_const_ptr()
        .addr()
        .checked_add(offset)
        .ok_or(EFAULT)?;
    Ok(UserPtr::from_addr(addr))
}

/// `copy_struct_from_user(&t, size_of::<T>(), src, user_len)`, returning `t`.
///
/// - `user_len < size_of::<T>()`: the first `user_len` bytes are copied and the rest is zeroed;
/// - `user_len > size_of::<T>()`: the bytes past `size_of::<T>()` must be zero, else [`E2BIG`]
///   (or the error of `check_zeroed_user()`, i.e. [`EFAULT`]); checked before the copy, as in C;
/// - a failed copy is [`EFAULT`].
fn copy_struct_from_user<T: FromBytes>(src: UserPtr, user_len: usize) -> Result<T> {
    let ksize = size_of::<T>();
    let size = user_len.min(ksize);

    if user_len > ksize {
        let rest = user_len - ksize;
        // SAFETY: `check_zeroed_user()` validates the user range itself (`access_ok()` and
        // fault-handling user accesses) and only reads from it; any address and size are allowed.
        let ret = unsafe {
            bindings::check_zeroed_user(src.wrapping_byte_add(size).as_const_ptr(), rest)
        };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        if ret == 0 {
            return Err(E2BIG);
        }
    }

    let mut out = MaybeUninit::<T>::zeroed();
    // SAFETY: `out` is valid for reads and writes of `ksize` bytes for the lifetime of `bytes`,
    // which is not used after `out` is read below; `MaybeUninit<u8>` has no validity requirement.
    let bytes = unsafe {
        core::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<MaybeUninit<u8>>(), ksize)
    };
    // `size <= ksize`, so this always succeeds.
    let head = bytes.get_mut(..size).ok_or(EINVAL)?;
    copy_from_user_raw(head, src)?;

    // SAFETY: All bytes of `out` are initialized: it was zeroed, and the successful copy
    // initialized the first `size` bytes. `T: FromBytes`, so any bit pattern is a valid `T`.
    Ok(unsafe { out.assume_init() })
}

/// Driver-specific user data: a typed user-space structure (`struct iommu_user_data`).
///
/// Obtained through [`UserData::from_raw`] by the code that calls into the driver, or made by
/// the iommufd HWPT layer from a command with [`UserData::new`].
///
/// # Invariants
///
/// The wrapped value is a `struct iommu_user_data` filled in by iommufd from a uAPI command;
/// `uptr` is a user pointer.
#[repr(transparent)]
pub struct UserData(bindings::iommu_user_data);

impl UserData {
    /// The user data of a uAPI command: `len` bytes of type `data_type` at the user address
    /// `uptr` (as the iommufd HWPT layer passes `IOMMU_HWPT_ALLOC` data to a driver).
    #[inline]
    pub fn new(data_type: u32, uptr: u64, len: u32) -> Self {
        // INVARIANT: Filled in from a uAPI command; `uptr` is a user address.
        Self(bindings::iommu_user_data {
            type_: data_type,
            uptr: uptr as usize as *mut c_void,
            len: len as usize,
        })
    }

    /// The C structure, to pass to a driver callback.
    #[inline]
    pub fn as_raw(&self) -> *const bindings::iommu_user_data {
        &self.0
    }

    /// Creates a reference to a [`UserData`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be non-null and point to a `struct iommu_user_data` that is valid and not
    /// modified for the duration of `'a`, whose `uptr` is a user-space pointer (as iommufd
    /// passes to `iommu_ops` and `iommufd_viommu_ops` callbacks).
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *const bindings::iommu_user_data) -> &'a Self {
        // CAST: `Self` is `repr(transparent)` over `bindings::iommu_user_data`.
        // SAFETY: `ptr` is non-null and points to a `struct iommu_user_data` valid for reads and
        // unmodified for `'a` (this function's `# Safety` section), and `Self` is
        // `repr(transparent)` over it, so the shared reference is valid for `'a`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// The data type tag (an `enum iommu_hwpt_data_type`, `enum iommu_viommu_type`, ...).
    #[inline]
    pub fn data_type(&self) -> u32 {
        self.0.type_
    }

    /// The length in bytes of the user buffer.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.len
    }

    /// Returns `true` if the user buffer is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    #[inline]
    fn uptr(&self) -> UserPtr {
        UserPtr::from_ptr(self.0.uptr)
    }

    /// Copies the user structure into a `T`: `iommu_copy_struct_from_user()`.
    ///
    /// Fails with [`EINVAL`] if the type tag is not `data_type` or if the user length is not in
    /// `T::MIN_SIZE..=size_of::<T>()`, with [`EFAULT`] if the user memory is not accessible. A
    /// shorter (older) user structure is zero-extended.
    pub fn read<T: UserStruct>(&self, data_type: u32) -> Result<T> {
        if self.data_type() != data_type {
            return Err(EINVAL);
        }
        check_len::<T>(self.len())?;
        copy_struct_from_user(self.uptr(), self.len())
    }

    /// Copies `value` to the user structure: `iommu_copy_struct_to_user()`.
    ///
    /// Fails with [`EINVAL`] if the type tag is not `data_type` or if the user length is not in
    /// `T::MIN_SIZE..=size_of::<T>()`, with [`EFAULT`] if the user memory is not accessible. Only
    /// the first [`UserData::len`] bytes of `value` are written (an older user structure).
    pub fn write<T: UserStruct + AsBytes>(&self, data_type: u32, value: &T) -> Result {
        if self.data_type() != data_type {
            return Err(EINVAL);
        }
        check_len::<T>(self.len())?;
        // `copy_struct_to_user()` with `usize <= ksize`: no trailing bytes to clear.
        let src = value.as_bytes().get(..self.len()).ok_or(EINVAL)?;
        copy_to_user_raw(self.uptr(), src)
    }
}

/// A driver-specific user array of typed, fixed-width entries (`struct iommu_user_data_array`).
///
/// The driver reports how many entries it handled with [`UserDataArray::mark_handled`] or
/// [`UserDataArray::set_handled`]; when the [`UserDataArray`] is dropped, that count is written to
/// the C `entry_num`, which iommufd returns to user space. This happens on every exit path, so an
/// early return with an error still reports the entries handled before it (`0` if none was).
///
/// Only obtained through [`UserDataArray::from_raw`] by the code that calls into the driver, which
/// must drop it before returning to C.
///
/// # Invariants
///
/// `raw` was filled in by iommufd; its `entry_num` is the number of entries in the user array
/// until `self` is dropped. `handled <= raw.entry_num`.
pub struct UserDataArray<'a> {
    raw: &'a mut bindings::iommu_user_data_array,
    handled: u32,
}

impl<'a> UserDataArray<'a> {
    /// Creates a [`UserDataArray`] from a valid pointer, with no entry handled yet.
    ///
    /// # Safety
    ///
    /// `ptr` must be non-null and point to a `struct iommu_user_data_array` that is valid for
    /// reads and writes for the duration of `'a` and not accessed otherwise during `'a`, whose
    /// `uptr` is a user-space pointer (as iommufd passes to `cache_invalidate_user()` and
    /// `iommufd_viommu_ops::cache_invalidate()`).
    #[inline]
    pub unsafe fn from_raw(ptr: *mut bindings::iommu_user_data_array) -> Self {
        // SAFETY: `ptr` is non-null and points to a `struct iommu_user_data_array` valid for reads
        // and writes and not accessed otherwise during `'a` (this function's `# Safety` section),
        // so a unique reference for `'a` is sound.
        let raw = unsafe { &mut *ptr };
        // INVARIANT: `handled` is zero; `raw.entry_num` is not written before drop.
        Self { raw, handled: 0 }
    }

    /// The data type tag of all entries (an `enum iommu_hwpt_invalidate_data_type`).
    #[inline]
    pub fn data_type(&self) -> u32 {
        self.raw.type_
    }

    /// The number of entries in the user array.
    #[inline]
    pub fn entry_num(&self) -> u32 {
        self.raw.entry_num
    }

    /// The length in bytes of each entry.
    #[inline]
    pub fn entry_len(&self) -> usize {
        self.raw.entry_len
    }

    #[inline]
    fn uptr(&self) -> UserPtr {
        UserPtr::from_ptr(self.raw.uptr)
    }

    /// Copies entry `index` into a `T`: `iommu_copy_struct_from_user_array()`.
    ///
    /// Fails with [`EINVAL`] if `index >= entry_num`, if the type tag is not `data_type` or if
    /// `entry_len` is not in `T::MIN_SIZE..=size_of::<T>()`; with [`EFAULT`] if the entry is not
    /// at an accessible user address (including an `entry_len * index` overflow). A shorter
    /// (older) entry is zero-extended.
    pub fn read_entry<T: UserStruct>(&self, data_type: u32, index: u32) -> Result<T> {
        // `index >= entry_num` is also true for `entry_num == 0` (`iommu.h:515-518`).
        if index >= self.entry_num() {
            return Err(EINVAL);
        }
        if self.data_type() != data_type {
            return Err(EINVAL);
        }
        let len = self.entry_len();
        check_len::<T>(len)?;
        copy_struct_from_user(entry_ptr(self.uptr(), len, index)?, len)
    }

    /// Copies all entries: `iommu_copy_struct_from_full_user_array()`.
    ///
    /// The vector is allocated with `flags` first (as the C drivers allocate the destination
    /// before the call; failure is [`ENOMEM`]). Fails with [`EINVAL`] if the type tag is not
    /// `data_type` or if `entry_num` is zero, with [`EFAULT`] if user memory is not accessible.
    /// If `entry_len` differs from `size_of::<T>()`, entries are copied one by one: a shorter
    /// entry is zero-extended (no minimum length applies, as in C), a longer one must have a zero
    /// tail, else [`E2BIG`].
    pub fn read_all<T: FromBytes>(&self, data_type: u32, flags: Flags) -> Result<KVec<T>> {
        let n = usize::from_safe_cast(self.entry_num());
        let mut v = KVec::<T>::with_capacity(n, flags)?;

        if self.data_type() != data_type {
            return Err(EINVAL);
        }
        if n == 0 {
            return Err(EINVAL);
        }

        let entry_len = self.entry_len();
        if entry_len == size_of::<T>() {
            {
                // `with_capacity(n)` succeeded, so this always succeeds.
                let spare = v.spare_capacity_mut().get_mut(..n).ok_or(ENOMEM)?;
                // `n * entry_len`, which cannot overflow since `n` `T`s were allocated.
                let nbytes = size_of_val(spare);
                // SAFETY: `spare` is valid for reads and writes of `nbytes` bytes and unused while
                // `bytes` lives; `MaybeUninit<u8>` has no validity requirement.
                let bytes = unsafe {
                    core::slice::from_raw_parts_mut(
                        spare.as_mut_ptr().cast::<MaybeUninit<u8>>(),
                        nbytes,
                    )
                };
                copy_from_user_raw(bytes, self.uptr())?;
            }
            // SAFETY: `n <= capacity - len` (`len` is 0), and the successful copy above
            // initialized all bytes of the first `n` elements; `T: FromBytes`, so they are valid.
            unsafe { v.inc_len(n) };
            return Ok(v);
        }

        for i in 0..self.entry_num() {
            let t = copy_struct_from_user::<T>(entry_ptr(self.uptr(), entry_len, i)?, entry_len)?;
            // Within the capacity reserved above: does not allocate.
            v.push(t, flags)?;
        }
        Ok(v)
    }

    /// Calls `f` with each entry in order, as [`Self::read_entry`] reads it, and records the entry
    /// handled when `f` succeeds. Stops at the first error, of the read or of `f`, and returns it:
    /// the handled count is then the number of entries before it, as for a loop of
    /// [`Self::read_entry`] and [`Self::mark_handled`] (the C drivers' loop of
    /// `iommu_copy_struct_from_user_array()`).
    ///
    /// Entries of exactly `size_of::<T>()` bytes are copied from user memory in batches of up to
    /// 256 bytes, one `copy_from_user()` each, instead of one per entry; a batch that cannot be
    /// copied is read again entry by entry, so the errors and the handled count are the same.
    #[inline(always)]
    pub fn for_each_entry<T: UserStruct>(
        &mut self,
        data_type: u32,
        f: impl FnMut(u32, T) -> Result,
    ) -> Result {
        // An empty array (`IOMMU_HWPT_INVALIDATE` with no entry) returns before any frame is set
        // up; `read_entry` gives no error for it either, there being no index to read.
        if self.entry_num() == 0 {
            return Ok(());
        }
        let (done, r) = self.each_entry(data_type, f);
        // `done` counts the entries handled, at most `entry_num`: stored once, clamped.
        self.set_handled(self.handled.saturating_add(done));
        r
    }

    /// The loop of [`Self::for_each_entry`]: the number of entries handled, and the result.
    fn each_entry<T: UserStruct>(
        &self,
        data_type: u32,
        mut f: impl FnMut(u32, T) -> Result,
    ) -> (u32, Result) {
        /// The batch buffer, aligned for the entry types of the uAPI (`__aligned_u64` fields at
        /// most), so that an entry is read with an aligned load.
        #[repr(C, align(8))]
        struct Batch([MaybeUninit<u8>; BATCH]);
        const BATCH: usize = 256;
        let n = self.entry_num();
        let len = self.entry_len();
        let size = size_of::<T>();
        if self.data_type() != data_type || len != size || size == 0 || size > BATCH {
            // The general case, which also gives the errors of index 0 (type, length).
            return self.each_entry_slow(data_type, 0, n, &mut f);
        }
        // `0 < size <= BATCH`: 1 to 256, a constant of `T`.
        let per_batch = u32::try_from(BATCH / size).unwrap_or(1);
        let mut buf = Batch([MaybeUninit::<u8>::uninit(); BATCH]);
        let mut i = 0;
        while i < n {
            let k = per_batch.min(n - i);
            let bytes = usize::from_safe_cast(k) * size;
            let copied = entry_ptr(self.uptr(), len, i)
                .and_then(|at| copy_from_user_raw(&mut buf.0[..bytes], at))
                .is_ok();
            if !copied {
                // Entry by entry, for the error and the count of the first unreadable one.
                let (more, r) = self.each_entry_slow(data_type, i, n, &mut f);
                return (i + more, r);
            }
            for j in 0..k {
                let off = usize::from_safe_cast(j) * size;
                // SAFETY: The copy initialised `bytes` bytes of `buf`, and entry `j` lies in them;
                // `T: FromBytes` accepts any bytes. `buf` is 8-byte aligned and `off` a multiple
                // of `size_of::<T>()`, itself a multiple of `align_of::<T>()`: the pointer is
                // aligned for `T` when `align_of::<T>() <= 8`, else the read is unaligned.
                let entry = unsafe {
                    let p = buf.0.as_ptr().add(off).cast::<T>();
                    if align_of::<T>() <= 8 {
                        p.read()
                    } else {
                        p.read_unaligned()
                    }
                };
                if let Err(e) = f(i + j, entry) {
                    return (i + j, Err(e));
                }
            }
            i += k;
        }
        (n, Ok(()))
    }

    /// The entries `from..n` read one by one (the general case, or after a batch could not be
    /// copied): the number of them handled, and the result.
    #[cold]
    #[inline(never)]
    fn each_entry_slow<T: UserStruct>(
        &self,
        data_type: u32,
        from: u32,
        n: u32,
        f: &mut impl FnMut(u32, T) -> Result,
    ) -> (u32, Result) {
        for i in from..n {
            if let Err(e) = self.read_entry(data_type, i).and_then(|t| f(i, t)) {
                return (i - from, Err(e));
            }
        }
        (n - from, Ok(()))
    }

    /// Records one more handled entry.
    ///
    /// The count never exceeds [`UserDataArray::entry_num`].
    #[inline]
    pub fn mark_handled(&mut self) {
        // INVARIANT: Clamped to `entry_num`.
        self.handled = self.handled.saturating_add(1).min(self.entry_num());
    }

    /// Sets the number of handled entries, clamped to [`UserDataArray::entry_num`].
    #[inline]
    pub fn set_handled(&mut self, handled: u32) {
        // INVARIANT: Clamped to `entry_num`.
        self.handled = handled.min(self.entry_num());
    }

    /// The number of entries recorded as handled so far.
    #[inline]
    pub fn handled(&self) -> u32 {
        self.handled
    }
}

impl Drop for UserDataArray<'_> {
    fn drop(&mut self) {
        // The C contract of `cache_invalidate_user()`: set `entry_num` to the number of handled
        // entries, on success and on error.
        self.raw.entry_num = self.handled;
    }
}

#[kunit_tests(rust_iommu_user_data)]
mod tests {
    use super::*;
    use crate::{
        page::PAGE_SIZE,
        transmute::{
            AsBytes,
            FromBytes, //
        },
    };

    /// Type tag used by the tests.
    const TYPE: u32 = 0x5e1f;

    /// A uAPI-style structure: version 1 ended at `b`, version 2 appended `c`.
    #[repr(C)]
    #[derive(Clone, Copy, PartialEq, Eq)]
    struct Ver2 {
        a: u32,
        b: u32,
        c: u64,
    }

    // SAFETY: Integers only, so any bit pattern is valid.
    unsafe impl FromBytes for Ver2 {}
    // SAFETY: `#[repr(C)]` `u32, u32, u64` has no padding, so all bytes are initialized.
    unsafe impl AsBytes for Ver2 {}
    crate::iommu_user_struct!(Ver2, b);

    const V: Ver2 = Ver2 {
        a: 0x1111_1111,
        b: 0x2222_2222,
        c: 0x3333_3333_3333_3333,
    };

    /// Maps one page of anonymous user memory, attached to the running KUnit test.
    fn user_page() -> Result<UserPtr> {
        // SAFETY: FFI call without safety requirements.
        let test = unsafe { bindings::kunit_get_current_test() };
        if test.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `test` is the running test; the mapping is a KUnit resource of that test.
        let addr = unsafe { bindings::iommu_kunit_user_alloc(test, PAGE_SIZE) };
        // `vm_mmap()` errors come back as `IS_ERR_VALUE()` addresses.
        if addr == 0 || addr > usize::MAX - usize::from_safe_cast(bindings::MAX_ERRNO) {
            return Err(ENOMEM);
        }
        Ok(UserPtr::from_addr(addr))
    }

    fn put(at: UserPtr, bytes: &[u8]) -> Result {
        UserSlice::new(at, bytes.len()).writer().write_slice(bytes)
    }

    fn get(at: UserPtr, out: &mut [u8]) -> Result {
        UserSlice::new(at, out.len()).reader().read_slice(out)
    }

    /// Maps a user page holding `entries` back to back, as an invalidation array.
    fn user_entries(entries: &[Ver2]) -> Result<UserPtr> {
        let u = user_page()?;
        for (i, e) in entries.iter().enumerate() {
            put(u.wrapping_byte_add(i * size_of::<Ver2>()), e.as_bytes())?;
        }
        Ok(u)
    }

    fn raw_data(type_: u32, uptr: UserPtr, len: usize) -> bindings::iommu_user_data {
        bindings::iommu_user_data {
            type_,
            uptr: uptr.as_mut_ptr(),
            len,
        }
    }

    fn raw_array(
        type_: u32,
        uptr: UserPtr,
        entry_len: usize,
        entry_num: u32,
    ) -> bindings::iommu_user_data_array {
        bindings::iommu_user_data_array {
            type_,
            uptr: uptr.as_mut_ptr(),
            entry_len,
            entry_num,
        }
    }

    /// A `cache_invalidate_user()` in the style of `mock_domain_cache_invalidate_user()`: an
    /// entry with a non-zero `c` is not supported.
    fn invalidate(mut array: UserDataArray<'_>) -> Result {
        if array.data_type() != TYPE {
            return Err(EINVAL);
        }
        for i in 0..array.entry_num() {
            let inv: Ver2 = array.read_entry(TYPE, i)?;
            if inv.c != 0 {
                return Err(EOPNOTSUPP);
            }
            array.mark_handled();
        }
        Ok(())
    }

    /// `for_each_entry` sees the same entries as `read_entry` (over several 256-byte batches: 16
    /// bytes an entry, 40 entries) and stops with the callback's error, the entries before it
    /// handled.
    #[test]
    fn for_each_entry_matches_read_entry() -> Result {
        let mut entries = KVec::<Ver2>::with_capacity(40, GFP_KERNEL)?;
        for i in 0..40u32 {
            entries.push(
                Ver2 {
                    a: i,
                    b: i * 3,
                    c: u64::from(i == 37),
                },
                GFP_KERNEL,
            )?;
        }
        let u = user_entries(&entries)?;
        let mut ca = raw_array(TYPE, u, size_of::<Ver2>(), 40);
        {
            // SAFETY: `ca` is valid and not otherwise used while `array` lives.
            let mut array = unsafe { UserDataArray::from_raw(&mut ca) };
            let mut seen = 0u32;
            let r = array.for_each_entry(TYPE, |i, e: Ver2| {
                assert_eq!(i, seen);
                assert!(e == entries[i as usize]);
                seen += 1;
                if e.c != 0 {
                    return Err(EOPNOTSUPP);
                }
                Ok(())
            });
            assert_eq!(r, Err(EOPNOTSUPP));
            assert_eq!(seen, 38);
            assert_eq!(array.handled(), 37);
        }
        assert_eq!(ca.entry_num, 37);
        Ok(())
    }

    /// A batch that runs off the end of the user mapping is read again entry by entry: the
    /// entries inside the page are handled, the first one outside fails with `EFAULT`.
    #[test]
    fn for_each_entry_fault_in_a_batch() -> Result {
        let u = user_page()?;
        let per_page = (PAGE_SIZE / size_of::<Ver2>()) as u32;
        // The array starts 4 entries before the end of the page and claims 10 entries.
        let start = u.wrapping_byte_add(PAGE_SIZE - 4 * size_of::<Ver2>());
        let mut ca = raw_array(TYPE, start, size_of::<Ver2>(), 10);
        {
            // SAFETY: `ca` is valid and not otherwise used while `array` lives.
            let mut array = unsafe { UserDataArray::from_raw(&mut ca) };
            let r = array.for_each_entry(TYPE, |_, _e: Ver2| Ok(()));
            assert_eq!(r, Err(EFAULT));
            assert_eq!(array.handled(), 4);
        }
        assert_eq!(ca.entry_num, 4);
        assert!(per_page > 10);
        Ok(())
    }

    /// Wrong type or length fail at the first entry, with nothing handled, as `read_entry`.
    #[test]
    fn for_each_entry_type_and_length() -> Result {
        let u = user_entries(&[V, V])?;
        for (t, len) in [
            (TYPE + 1, size_of::<Ver2>()),
            (TYPE, 4),
            (TYPE, size_of::<Ver2>() + 8),
        ] {
            let mut ca = raw_array(t, u, len, 2);
            // SAFETY: `ca` is valid and not otherwise used while `array` lives.
            let mut array = unsafe { UserDataArray::from_raw(&mut ca) };
            assert_eq!(
                array.for_each_entry(TYPE, |_, _e: Ver2| Ok(())),
                Err(EINVAL)
            );
            assert_eq!(array.handled(), 0);
        }
        Ok(())
    }

    #[test]
    fn min_size_is_offsetofend() {
        assert_eq!(
            <Ver2 as UserStruct>::MIN_SIZE,
            core::mem::offset_of!(Ver2, b) + size_of::<u32>()
        );
        assert_eq!(
            <bindings::iommu_hwpt_vtd_s1 as UserStruct>::MIN_SIZE,
            size_of::<bindings::iommu_hwpt_vtd_s1>()
        );
    }

    #[test]
    fn length_checks() {
        let min = <Ver2 as UserStruct>::MIN_SIZE;
        assert_eq!(check_len::<Ver2>(min - 1), Err(EINVAL));
        assert_eq!(check_len::<Ver2>(min), Ok(()));
        assert_eq!(check_len::<Ver2>(size_of::<Ver2>()), Ok(()));
        assert_eq!(check_len::<Ver2>(size_of::<Ver2>() + 1), Err(EINVAL));
    }

    #[test]
    fn read_short_is_einval() -> Result {
        let u = user_page()?;
        put(u, V.as_bytes())?;
        let cd = raw_data(TYPE, u, <Ver2 as UserStruct>::MIN_SIZE - 1);
        // SAFETY: `cd` is valid and unmodified while `data` is used.
        let data = unsafe { UserData::from_raw(&cd) };
        assert_eq!(data.read::<Ver2>(TYPE), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn read_exact_size() -> Result {
        let u = user_page()?;
        put(u, V.as_bytes())?;
        let cd = raw_data(TYPE, u, size_of::<Ver2>());
        // SAFETY: `cd` is valid and unmodified while `data` is used.
        let data = unsafe { UserData::from_raw(&cd) };
        assert_eq!(data.read::<Ver2>(TYPE), Ok(V));
        Ok(())
    }

    #[test]
    fn read_min_size_zero_extends() -> Result {
        let u = user_page()?;
        put(u, V.as_bytes())?;
        let cd = raw_data(TYPE, u, <Ver2 as UserStruct>::MIN_SIZE);
        // SAFETY: `cd` is valid and unmodified while `data` is used.
        let data = unsafe { UserData::from_raw(&cd) };
        assert_eq!(data.read::<Ver2>(TYPE), Ok(Ver2 { c: 0, ..V }));
        Ok(())
    }

    #[test]
    fn read_longer_is_einval() -> Result {
        // `__iommu_copy_struct_from_user()` rejects `data_len < src_data->len` with -EINVAL
        // before `copy_struct_from_user()` could accept a zero tail.
        let u = user_page()?;
        put(u, V.as_bytes())?;
        put(u.wrapping_byte_add(size_of::<Ver2>()), &[0; 8])?;
        let cd = raw_data(TYPE, u, size_of::<Ver2>() + 8);
        // SAFETY: `cd` is valid and unmodified while `data` is used.
        let data = unsafe { UserData::from_raw(&cd) };
        assert_eq!(data.read::<Ver2>(TYPE), Err(EINVAL));

        put(u.wrapping_byte_add(size_of::<Ver2>() + 7), &[1])?;
        assert_eq!(data.read::<Ver2>(TYPE), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn read_wrong_type_is_einval() -> Result {
        let u = user_page()?;
        put(u, V.as_bytes())?;
        let cd = raw_data(TYPE + 1, u, size_of::<Ver2>());
        // SAFETY: `cd` is valid and unmodified while `data` is used.
        let data = unsafe { UserData::from_raw(&cd) };
        assert_eq!(data.read::<Ver2>(TYPE), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn read_bad_pointer_is_efault() -> Result {
        // Attach a user address space, as in a real ioctl.
        user_page()?;
        for addr in [0, usize::MAX - 0xfff] {
            let cd = raw_data(TYPE, UserPtr::from_addr(addr), size_of::<Ver2>());
            // SAFETY: `cd` is valid and unmodified while `data` is used.
            let data = unsafe { UserData::from_raw(&cd) };
            assert_eq!(data.read::<Ver2>(TYPE), Err(EFAULT));
        }
        Ok(())
    }

    #[test]
    fn write_checks_and_length() -> Result {
        let u = user_page()?;
        let min = <Ver2 as UserStruct>::MIN_SIZE;
        let mut page = [0xffu8; 2 * size_of::<Ver2>()];
        put(u, &page)?;

        for (type_, len) in [
            (TYPE + 1, size_of::<Ver2>()),
            (TYPE, min - 1),
            (TYPE, size_of::<Ver2>() + 1),
        ] {
            let cd = raw_data(type_, u, len);
            // SAFETY: `cd` is valid and unmodified while `data` is used.
            let data = unsafe { UserData::from_raw(&cd) };
            assert_eq!(data.write(TYPE, &V), Err(EINVAL));
        }
        get(u, &mut page)?;
        assert!(page.iter().all(|&b| b == 0xff));

        // An older user structure gets only its `min` bytes.
        let cd = raw_data(TYPE, u, min);
        // SAFETY: `cd` is valid and unmodified while `data` is used.
        let data = unsafe { UserData::from_raw(&cd) };
        assert_eq!(data.write(TYPE, &V), Ok(()));
        get(u, &mut page)?;
        assert!(page.get(..min) == V.as_bytes().get(..min));
        assert!(page.iter().skip(min).all(|&b| b == 0xff));

        let cd = raw_data(TYPE, UserPtr::from_addr(0), min);
        // SAFETY: `cd` is valid and unmodified while `data` is used.
        let data = unsafe { UserData::from_raw(&cd) };
        assert_eq!(data.write(TYPE, &V), Err(EFAULT));
        Ok(())
    }

    #[test]
    fn read_entry_in_range() -> Result {
        let w = Ver2 { a: 7, ..V };
        let u = user_entries(&[V, w])?;
        let mut ca = raw_array(TYPE, u, size_of::<Ver2>(), 2);
        // SAFETY: `ca` is valid and only accessed through `array` while it exists.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        assert_eq!(array.read_entry::<Ver2>(TYPE, 0), Ok(V));
        assert_eq!(array.read_entry::<Ver2>(TYPE, 1), Ok(w));
        assert_eq!(array.read_entry::<Ver2>(TYPE + 1, 1), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn read_entry_index_out_of_range_is_einval() -> Result {
        let u = user_entries(&[V, V])?;

        let mut ca = raw_array(TYPE, u, size_of::<Ver2>(), 2);
        // SAFETY: `ca` is valid and only accessed through `array` while it exists.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        assert_eq!(array.read_entry::<Ver2>(TYPE, 2), Err(EINVAL));
        assert_eq!(array.read_entry::<Ver2>(TYPE, u32::MAX), Err(EINVAL));
        drop(array);

        let mut ca = raw_array(TYPE, u, size_of::<Ver2>(), 0);
        // SAFETY: `ca` is valid and only accessed through `array` while it exists.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        assert_eq!(array.read_entry::<Ver2>(TYPE, 0), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn read_entry_short_and_long_entries() -> Result {
        let u = user_page()?;
        let min = <Ver2 as UserStruct>::MIN_SIZE;
        put(u, V.as_bytes())?;
        put(
            u.wrapping_byte_add(size_of::<Ver2>()),
            &[0; size_of::<Ver2>()],
        )?;

        for (len, expected) in [
            (min - 1, Err(EINVAL)),
            (min, Ok(Ver2 { c: 0, ..V })),
            (size_of::<Ver2>() + 8, Err(EINVAL)),
        ] {
            let mut ca = raw_array(TYPE, u, len, 1);
            // SAFETY: `ca` is valid and only accessed through `array` while it exists.
            let array = unsafe { UserDataArray::from_raw(&mut ca) };
            assert_eq!(array.read_entry::<Ver2>(TYPE, 0), expected);
        }
        Ok(())
    }

    #[test]
    fn entry_offset_overflow_is_efault() {
        let base = UserPtr::from_addr(0x10_0000);
        assert_eq!(
            entry_ptr(base, 16, 3).map(|p| p.as_const_ptr().addr()),
            Ok(0x10_0000 + 48)
        );
        // `entry_len * index` overflows.
        assert_eq!(
            entry_ptr(base, usize::MAX / 2 + 1, 2).map(|p| p.as_const_ptr().addr()),
            Err(EFAULT)
        );
        // `uptr + entry_len * index` overflows.
        let top = UserPtr::from_addr(usize::MAX - 7);
        assert_eq!(
            entry_ptr(top, 16, 1).map(|p| p.as_const_ptr().addr()),
            Err(EFAULT)
        );

        // Through `read_entry()`: the length checks pass, the address does not exist.
        let mut ca = raw_array(TYPE, top, size_of::<Ver2>(), 2);
        // SAFETY: `ca` is valid and only accessed through `array` while it exists.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        assert_eq!(array.read_entry::<Ver2>(TYPE, 1), Err(EFAULT));
    }

    #[test]
    fn handled_count_written_back() -> Result {
        let ok = Ver2 { c: 0, ..V };
        let u = user_entries(&[ok, V, ok])?;

        // Error on the second entry: one handled.
        let mut ca = raw_array(TYPE, u, size_of::<Ver2>(), 3);
        // SAFETY: `ca` is valid and only accessed through `array`, which `invalidate()` drops.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        assert_eq!(invalidate(array), Err(EOPNOTSUPP));
        assert_eq!(ca.entry_num, 1);

        // Error before any entry: none handled.
        let mut ca = raw_array(TYPE + 1, u, size_of::<Ver2>(), 3);
        // SAFETY: `ca` is valid and only accessed through `array`, which `invalidate()` drops.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        assert_eq!(invalidate(array), Err(EINVAL));
        assert_eq!(ca.entry_num, 0);

        // Error from `read_entry()` itself (entry too short): none handled.
        let mut ca = raw_array(TYPE, u, 1, 3);
        // SAFETY: `ca` is valid and only accessed through `array`, which `invalidate()` drops.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        assert_eq!(invalidate(array), Err(EINVAL));
        assert_eq!(ca.entry_num, 0);

        // All handled.
        let mut ca = raw_array(TYPE, u, size_of::<Ver2>(), 1);
        // SAFETY: `ca` is valid and only accessed through `array`, which `invalidate()` drops.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        assert_eq!(invalidate(array), Ok(()));
        assert_eq!(ca.entry_num, 1);

        // The count is clamped to `entry_num`.
        let mut ca = raw_array(TYPE, u, size_of::<Ver2>(), 2);
        {
            // SAFETY: `ca` is valid and only accessed through `array` while it exists.
            let mut array = unsafe { UserDataArray::from_raw(&mut ca) };
            array.set_handled(5);
            array.mark_handled();
            assert_eq!(array.handled(), 2);
        }
        assert_eq!(ca.entry_num, 2);
        Ok(())
    }

    #[test]
    fn read_all_same_size() -> Result {
        let w = Ver2 { b: 9, ..V };
        let u = user_entries(&[V, w])?;

        let mut ca = raw_array(TYPE, u, size_of::<Ver2>(), 2);
        // SAFETY: `ca` is valid and only accessed through `array` while it exists.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        let v = array.read_all::<Ver2>(TYPE, GFP_KERNEL)?;
        assert!(v.len() == 2 && v.first() == Some(&V) && v.get(1) == Some(&w));

        assert_eq!(
            array.read_all::<Ver2>(TYPE + 1, GFP_KERNEL).err(),
            Some(EINVAL)
        );
        drop(array);

        let mut ca = raw_array(TYPE, UserPtr::from_addr(0), size_of::<Ver2>(), 2);
        // SAFETY: `ca` is valid and only accessed through `array` while it exists.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        assert_eq!(array.read_all::<Ver2>(TYPE, GFP_KERNEL).err(), Some(EFAULT));
        drop(array);

        let mut ca = raw_array(TYPE, u, size_of::<Ver2>(), 0);
        // SAFETY: `ca` is valid and only accessed through `array` while it exists.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        assert_eq!(array.read_all::<Ver2>(TYPE, GFP_KERNEL).err(), Some(EINVAL));
        Ok(())
    }

    #[test]
    fn read_all_zero_tail_ok_nonzero_tail_e2big() -> Result {
        let u = user_page()?;
        let len = size_of::<Ver2>() + 8;
        put(u, &[0; 2 * (size_of::<Ver2>() + 8)])?;
        put(u, V.as_bytes())?;
        put(u.wrapping_byte_add(len), V.as_bytes())?;

        let mut ca = raw_array(TYPE, u, len, 2);
        // SAFETY: `ca` is valid and only accessed through `array` while it exists.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        let v = array.read_all::<Ver2>(TYPE, GFP_KERNEL)?;
        assert!(v.len() == 2 && v.first() == Some(&V) && v.get(1) == Some(&V));

        // Last byte of the second entry's tail.
        put(u.wrapping_byte_add(2 * len - 1), &[1])?;
        assert_eq!(array.read_all::<Ver2>(TYPE, GFP_KERNEL).err(), Some(E2BIG));
        Ok(())
    }

    #[test]
    fn read_all_short_entries_zero_extended() -> Result {
        // `iommu_copy_struct_from_full_user_array()` applies no minimum length.
        let u = user_page()?;
        put(u, &[0xaa; 8])?;

        let mut ca = raw_array(TYPE, u, 4, 2);
        // SAFETY: `ca` is valid and only accessed through `array` while it exists.
        let array = unsafe { UserDataArray::from_raw(&mut ca) };
        let v = array.read_all::<Ver2>(TYPE, GFP_KERNEL)?;
        let e = Ver2 {
            a: 0xaaaa_aaaa,
            b: 0,
            c: 0,
        };
        assert!(v.len() == 2 && v.first() == Some(&e) && v.get(1) == Some(&e));
        Ok(())
    }
}
