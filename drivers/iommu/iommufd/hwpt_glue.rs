// SPDX-License-Identifier: GPL-2.0

//! iommufd core objects, for the HWPT layer written in Rust: the abstraction of a C interface
//! private to iommufd, kept next to its only user.
//!
//! C header: [`drivers/iommu/iommufd/iommufd_private.h`](srctree/drivers/iommu/iommufd/iommufd_private.h)
//!
//! iommufd keeps its objects (IOAS, devices, HWPTs, vIOMMUs, fault queues) in a per-file
//! `struct iommufd_ctx`, each an `struct iommufd_object` at the start of a larger C structure.
//! This module of the HWPT layer (`drivers/iommu/iommufd/hwpt.rs`, selected by
//! `CONFIG_IOMMUFD_HWPT_RUST` instead of `hw_pagetable.c`) gives the layer typed access to them:
//!
//! - [`Ucmd`]: the ioctl being handled, with its command struct `C` and the reply.
//! - [`ObjRef`]: a counted reference from `iommufd_get_object()` (`users` and `wait_cnt`), put
//!   when dropped; [`AnyObject::kind`] tells an object of any type apart by its type tag.
//! - [`UsersRef`]: a long-lived `users` reference that one object holds on another (a HWPT on its
//!   IOAS, a nested HWPT on its parent or vIOMMU, a HWPT on its fault queue); dropped, it gives
//!   the reference back.
//! - [`NewObject`]: an object allocated and given an ID that is not yet visible to user space
//!   (the ID maps to a reserved entry until [`NewObject::finalize`]). Only a [`NewObject`] can be
//!   written to; dropped, it is aborted (`iommufd_object_abort_and_destroy()`).
//! - [`Dying`]: the object the core is destroying or aborting: the one place where the
//!   references a HWPT holds can be taken back out of it.
//! - [`HwptPaging`] and [`HwptNested`]: the two HWPT kinds, distinct types; only a paging HWPT has
//!   an IOAS, only a nested HWPT has a parent.
//! - [`IoasGuard`]: `ioas->mutex` held; what the mutex protects (the IOAS's HWPT list) can only be
//!   reached through it.
//!
//! # Linking
//!
//! This file is compiled with `hwpt.rs` into `hwpt.o`, which is linked into iommufd, built in or
//! a module: what it calls in iommufd resolves inside iommufd. Its small functions are
//! `#[inline]`, which keeps the ioctls' fast paths free of calls.

use core::{marker::PhantomData, mem::ManuallyDrop, ptr::NonNull};
use kernel::{
    bindings,
    error::Error,
    iommu::{
        domain::Domain,
        user_data::{copy_to_user_raw, UserData},
    },
    num::casts::FromSafeCast,
    prelude::*,
    transmute::AsBytes,
    types::{NotThreadSafe, Opaque},
    uaccess::UserPtr,
};

/// The uAPI of the HWPT ioctls (`include/uapi/linux/iommufd.h`).
pub(crate) mod uapi {
    use kernel::{bindings, transmute::AsBytes};

    kernel::iommu_uapi_wrapper!(
        /// `struct iommu_hwpt_alloc`.
        pub(crate) HwptAlloc(bindings::iommu_hwpt_alloc)
    );
    kernel::iommu_uapi_wrapper!(
        /// `struct iommu_hwpt_get_dirty_bitmap`.
        pub(crate) HwptGetDirtyBitmap(bindings::iommu_hwpt_get_dirty_bitmap)
    );
    kernel::iommu_uapi_wrapper!(
        /// `struct iommu_hwpt_invalidate`.
        pub(crate) HwptInvalidate(bindings::iommu_hwpt_invalidate)
    );
    kernel::iommu_uapi_wrapper!(
        /// `struct iommu_hwpt_set_dirty_tracking`.
        pub(crate) HwptSetDirtyTracking(bindings::iommu_hwpt_set_dirty_tracking)
    );

    // SAFETY: A transparent wrapper of `iommu_hwpt_alloc`. uAPI structures have no implicit
    // padding (the uAPI rule, `__reserved` members where needed): it is 8 `__u32`, a `__u64` and
    // 2 `__u32` (48 bytes, checked below), in an order that keeps the `__u64` 8-byte aligned, so
    // every byte is initialised.
    unsafe impl AsBytes for HwptAlloc {}
    // SAFETY: A transparent wrapper of `iommu_hwpt_get_dirty_bitmap`: 4 `__u32` then 4 `__u64`
    // (48 bytes, checked below); every `__u64` is 8-byte aligned, so there is no padding and
    // every byte is initialised.
    unsafe impl AsBytes for HwptGetDirtyBitmap {}
    // SAFETY: A transparent wrapper of `iommu_hwpt_invalidate`: 2 `__u32`, a `__u64` and 4
    // `__u32` (32 bytes, checked below); the `__u64` is at offset 8, so there is no padding and
    // every byte is initialised.
    unsafe impl AsBytes for HwptInvalidate {}
    // SAFETY: A transparent wrapper of `iommu_hwpt_set_dirty_tracking`: 4 `__u32` (16 bytes,
    // checked below), no padding, so every byte is initialised.
    unsafe impl AsBytes for HwptSetDirtyTracking {}

    // The sizes the SAFETY comments above rely on.
    const _: () = {
        assert!(core::mem::size_of::<HwptAlloc>() == 48);
        assert!(core::mem::size_of::<HwptGetDirtyBitmap>() == 48);
        assert!(core::mem::size_of::<HwptInvalidate>() == 32);
        assert!(core::mem::size_of::<HwptSetDirtyTracking>() == 16);
    };

    /// `IOMMU_HWPT_ALLOC_NEST_PARENT`.
    pub(crate) const ALLOC_NEST_PARENT: u32 =
        bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_NEST_PARENT;
    /// `IOMMU_HWPT_ALLOC_DIRTY_TRACKING`.
    pub(crate) const ALLOC_DIRTY_TRACKING: u32 =
        bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
    /// `IOMMU_HWPT_FAULT_ID_VALID`.
    pub(crate) const FAULT_ID_VALID: u32 =
        bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_FAULT_ID_VALID;
    /// `IOMMU_HWPT_ALLOC_PASID`.
    pub(crate) const ALLOC_PASID: u32 = bindings::iommufd_hwpt_alloc_flags_IOMMU_HWPT_ALLOC_PASID;
    /// `IOMMU_HWPT_DATA_NONE`.
    pub(crate) const DATA_NONE: u32 = bindings::iommu_hwpt_data_type_IOMMU_HWPT_DATA_NONE;
    /// `IOMMU_HWPT_DIRTY_TRACKING_ENABLE`.
    pub(crate) const DIRTY_TRACKING_ENABLE: u32 =
        bindings::iommufd_hwpt_set_dirty_tracking_flags_IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
    /// `IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR`.
    pub(crate) const GET_DIRTY_BITMAP_NO_CLEAR: u32 =
        bindings::iommufd_hwpt_get_dirty_bitmap_flags_IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
}

/// `check()`, always inlined: on the success path of the ioctls it costs no call. (The kernel
/// crate's `check()` and `check_ptr()` are not inlined across crates; `check_ptr()` is
/// generic, but with shared generics the kernel crate's instances are called, not copied. Under
/// TCG every call and return costs; see the benchmark section of the riommu README.)
#[inline(always)]
fn check(ret: c_int) -> Result {
    if ret < 0 {
        Err(Error::from_errno(ret))
    } else {
        Ok(())
    }
}

/// `check_ptr()`, always inlined (see [`check`]): `IS_ERR()` is true for the last
/// `MAX_ERRNO` addresses.
#[inline(always)]
fn check_ptr<T>(ptr: *mut T) -> Result<*mut T> {
    if ptr as usize >= (bindings::MAX_ERRNO as usize).wrapping_neg() {
        Err(Error::from_errno(ptr as isize as c_int))
    } else {
        Ok(ptr)
    }
}

/// An iommufd context (`struct iommufd_ctx`): one open `/dev/iommu`.
///
/// # Invariants
///
/// The context is valid for the lifetime of the reference.
#[repr(transparent)]
pub(crate) struct Ctx(Opaque<bindings::iommufd_ctx>);

impl Ctx {
    /// # Safety
    ///
    /// `ptr` is a valid context for `'a`.
    #[inline]
    unsafe fn from_raw<'a>(ptr: *mut bindings::iommufd_ctx) -> &'a Self {
        // SAFETY: `Ctx` is `repr(transparent)` over `Opaque<iommufd_ctx>`; `ptr` is a valid
        // context for `'a` (this function's `# Safety` requirement), the type invariant of `Ctx`.
        unsafe { &*ptr.cast() }
    }

    #[inline(always)]
    fn as_raw(&self) -> *mut bindings::iommufd_ctx {
        // `repr(transparent)` over `Opaque`, which is over the C type (not `Opaque::get`, which
        // the kernel crate instantiates and the layer would call out of line).
        core::ptr::from_ref(self).cast_mut().cast()
    }

    /// Looks up object `id` of type `T` and takes a reference: `ENOENT` if there is none, it has
    /// another type, or it is being destroyed (`iommufd_get_object()`).
    #[inline]
    pub(crate) fn get<T: Object>(&self, id: u32) -> Result<ObjRef<'_, T>> {
        // SAFETY: The context is valid (type invariant).
        let obj = check_ptr(unsafe { bindings::iommufd_get_object(self.as_raw(), id, T::TYPE) })?;
        // INVARIANT: `iommufd_get_object()` returned an object of type `T::TYPE` with a `users`
        // and a `wait_cnt` reference, which `ObjRef::drop` puts.
        Ok(ObjRef {
            ctx: self,
            // SAFETY: Not an error pointer, so a valid object of type `T::TYPE`.
            obj: unsafe { NonNull::new_unchecked(T::from_obj(obj)) },
        })
    }

    /// Allocates a nested HWPT that holds a reference on its paging `parent`.
    #[inline]
    pub(crate) fn new_nested_hwpt(&self, parent: &HwptPaging) -> Result<NewObject<'_, HwptNested>> {
        let hwpt = self.alloc_object::<HwptNested>()?;
        // SAFETY: New and ours; the reference is given back by `Dying::release`.
        unsafe {
            (*hwpt.ptr().cast::<bindings::iommufd_hwpt_nested>()).parent =
                UsersRef::new(parent).into_raw().cast()
        };
        Ok(hwpt)
    }

    /// Allocates an object of type `T` (zeroed, `users` 1) and reserves its ID; it stays
    /// invisible to user space until it is finalized. Not public: a HWPT must be linked with what
    /// its abort operation expects (its IOAS, its parent) from the start, see
    /// [`IoasGuard::new_hwpt`], [`Ctx::new_nested_hwpt`] and [`ViommuObj::new_nested_hwpt`].
    #[inline]
    fn alloc_object<T: Hwpt>(&self) -> Result<NewObject<'_, T>> {
        // SAFETY: The context is valid; `T::SIZE` is the size of the C structure that starts with
        // (or embeds at `T::from_obj`) the `struct iommufd_object`.
        let obj =
            check_ptr(unsafe { bindings::_iommufd_object_alloc(self.as_raw(), T::SIZE, T::TYPE) })?;
        // INVARIANT: A new object, not yet in the ID table, owned by the `NewObject`.
        Ok(NewObject {
            ctx: self,
            // SAFETY: Not an error pointer, so a new zeroed object of `T::SIZE` bytes.
            obj: unsafe { NonNull::new_unchecked(T::from_obj(obj)) },
        })
    }
}

/// A C object type of iommufd.
///
/// # Safety
///
/// `TYPE` is the `enum iommufd_object_type` of the C structure `Self` is a transparent wrapper
/// of, `SIZE` its size, and `from_obj`/`obj` convert between it and its `struct iommufd_object`.
pub(crate) unsafe trait Object {
    /// The `IOMMUFD_OBJ_*` type.
    const TYPE: bindings::iommufd_object_type;
    /// The size of the C structure.
    const SIZE: usize;

    /// The object that contains `obj`.
    fn from_obj(obj: *mut bindings::iommufd_object) -> *mut Self;

    /// The `struct iommufd_object` of `this`.
    fn obj(this: *const Self) -> *mut bindings::iommufd_object;
}

macro_rules! iommufd_object {
    ($(#[$m:meta])* $name:ident, $c:ty, $ty:ident, $($field:ident).+) => {
        $(#[$m])*
        #[repr(transparent)]
        pub(crate) struct $name(Opaque<$c>);

        impl $name {
            /// The C object (`repr(transparent)` over `Opaque`, over the C type).
            #[inline(always)]
            #[allow(dead_code)]
            fn raw(&self) -> *mut $c {
                core::ptr::from_ref(self).cast_mut().cast()
            }
        }

        // SAFETY: `$name` is `repr(transparent)` over `$c`, whose object is at `$($field).+`.
        unsafe impl Object for $name {
            const TYPE: bindings::iommufd_object_type = bindings::$ty;
            const SIZE: usize = core::mem::size_of::<$c>();

            #[inline]
            fn from_obj(obj: *mut bindings::iommufd_object) -> *mut Self {
                // `obj` is inside a `$c` at `$($field).+`; `wrapping_byte_sub` keeps an error
                // pointer an error pointer (the offset is 0 for every type but `AnyObject`'s).
                obj.wrapping_byte_sub(core::mem::offset_of!($c, $($field).+)).cast()
            }

            #[inline]
            fn obj(this: *const Self) -> *mut bindings::iommufd_object {
                this.cast_mut()
                    .wrapping_byte_add(core::mem::offset_of!($c, $($field).+))
                    .cast()
            }
        }
    };
}

iommufd_object!(
    /// Any object, to be told apart with [`AnyObject::kind`].
    AnyObject, bindings::iommufd_object, iommufd_object_type_IOMMUFD_OBJ_ANY, wait_cnt
);
iommufd_object!(
    /// An IO address space (`struct iommufd_ioas`).
    Ioas, bindings::iommufd_ioas, iommufd_object_type_IOMMUFD_OBJ_IOAS, obj
);
iommufd_object!(
    /// A device bound to iommufd (`struct iommufd_device`).
    IDevice, bindings::iommufd_device, iommufd_object_type_IOMMUFD_OBJ_DEVICE, obj
);
iommufd_object!(
    /// A kernel-managed (paging) HWPT (`struct iommufd_hwpt_paging`): its page table maps the
    /// IOAS it was allocated from; the only kind that can be a nest parent.
    HwptPaging, bindings::iommufd_hwpt_paging, iommufd_object_type_IOMMUFD_OBJ_HWPT_PAGING,
    common.obj
);
iommufd_object!(
    /// A user-managed (nested) HWPT (`struct iommufd_hwpt_nested`): a stage-1 table in user
    /// memory on top of a paging parent, allocated from that parent or from a vIOMMU.
    HwptNested, bindings::iommufd_hwpt_nested, iommufd_object_type_IOMMUFD_OBJ_HWPT_NESTED,
    common.obj
);
iommufd_object!(
    /// A vIOMMU (`struct iommufd_viommu`).
    ViommuObj, bindings::iommufd_viommu, iommufd_object_type_IOMMUFD_OBJ_VIOMMU, obj
);
iommufd_object!(
    /// An I/O page-fault queue (`struct iommufd_fault`).
    Fault, bindings::iommufd_fault, iommufd_object_type_IOMMUFD_OBJ_FAULT, common.obj
);

// The `struct iommufd_object` is at offset 0 in `AnyObject`: `wait_cnt` is its first field.
const _: () = assert!(core::mem::offset_of!(bindings::iommufd_object, wait_cnt) == 0);

/// What an object of any type is.
pub(crate) enum Kind<'a> {
    /// An IOAS.
    Ioas(&'a Ioas),
    /// A paging HWPT.
    HwptPaging(&'a HwptPaging),
    /// A nested HWPT.
    HwptNested(&'a HwptNested),
    /// A vIOMMU.
    Viommu(&'a ViommuObj),
    /// Anything else.
    Other,
}

impl AnyObject {
    /// The object as its own type, by its type tag.
    #[inline]
    pub(crate) fn kind(&self) -> Kind<'_> {
        let obj = self.raw();
        // SAFETY: The object is valid (it is borrowed from an `ObjRef`); its type is set at
        // allocation and never changed.
        let ty = unsafe { (*obj).type_ };
        // SAFETY: For each type tag the object is inside the C structure of that type, which is
        // valid as long as `self` is.
        unsafe {
            match ty {
                bindings::iommufd_object_type_IOMMUFD_OBJ_IOAS => Kind::Ioas(&*Ioas::from_obj(obj)),
                bindings::iommufd_object_type_IOMMUFD_OBJ_HWPT_PAGING => {
                    Kind::HwptPaging(&*HwptPaging::from_obj(obj))
                }
                bindings::iommufd_object_type_IOMMUFD_OBJ_HWPT_NESTED => {
                    Kind::HwptNested(&*HwptNested::from_obj(obj))
                }
                bindings::iommufd_object_type_IOMMUFD_OBJ_VIOMMU => {
                    Kind::Viommu(&*ViommuObj::from_obj(obj))
                }
                _ => Kind::Other,
            }
        }
    }
}

/// A counted reference to an object, from a lookup by ID; put (`iommufd_put_object()`) when
/// dropped.
///
/// # Invariants
///
/// `obj` is a valid `T` of `ctx` on which this holds one `users` and one `wait_cnt` reference.
pub(crate) struct ObjRef<'a, T: Object> {
    ctx: &'a Ctx,
    obj: NonNull<T>,
}

impl<T: Object> core::ops::Deref for ObjRef<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: By the type invariant of `ObjRef`, `obj` is a valid `T` on which `self` holds
        // a `users` reference, so iommufd does not destroy it while `self` lives.
        unsafe { self.obj.as_ref() }
    }
}

impl<T: Object> Drop for ObjRef<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: Gives back the references the type invariant says this holds.
        unsafe { bindings::iommufd_put_object(self.ctx.as_raw(), T::obj(self.obj.as_ptr())) };
    }
}

/// A `users` reference one object holds on another (`refcount_inc(&obj->users)` ...
/// `refcount_dec()`). iommufd refuses to destroy an object with users other than the ID table
/// (`EBUSY`), so the target outlives the holder.
///
/// # Invariants
///
/// `obj` is a valid `T` on which this holds one `users` reference.
pub(crate) struct UsersRef<T: Object> {
    obj: NonNull<T>,
}

impl<T: Object> UsersRef<T> {
    /// Takes a `users` reference on `obj`.
    #[inline]
    pub(crate) fn new(obj: &T) -> Self {
        // SAFETY: `obj` is a live `T` (a reference to it exists, which the `ObjRef`,
        // `NewObject` or `Dying` it came from keeps valid), so `users` is not zero and
        // `refcount_inc()` on it is sound.
        unsafe { bindings::refcount_inc(&raw mut (*T::obj(obj)).users) };
        // INVARIANT: Just taken.
        Self {
            obj: NonNull::from(obj),
        }
    }

    /// Stores the reference in a C field.
    #[inline]
    fn into_raw(self) -> *mut T {
        ManuallyDrop::new(self).obj.as_ptr()
    }

    /// # Safety
    ///
    /// `ptr` came from [`UsersRef::into_raw`] and the field it was stored in is not used again.
    #[inline]
    unsafe fn from_raw(ptr: *mut T) -> Self {
        Self {
            // SAFETY: `ptr` came from `UsersRef::into_raw` (this function's `# Safety`
            // requirement), which took it from a `NonNull`, so it is not NULL.
            obj: unsafe { NonNull::new_unchecked(ptr) },
        }
    }
}

impl<T: Object> core::ops::Deref for UsersRef<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: By the type invariant of `UsersRef`, `obj` is a valid `T` on which `self` holds
        // a `users` reference; iommufd refuses to destroy an object with extra users (`EBUSY`).
        unsafe { self.obj.as_ref() }
    }
}

impl<T: Object> Drop for UsersRef<T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: Gives back the reference the type invariant says this holds.
        unsafe { bindings::refcount_dec(&raw mut (*T::obj(self.obj.as_ptr())).users) };
    }
}

/// An object allocated with [`Ctx::alloc`] that user space cannot see yet.
///
/// # Invariants
///
/// `obj` is a valid `T` of `ctx`, allocated and not finalized, owned by this: nobody else has a
/// pointer to it except through what this handed out for the lifetime `'a`.
pub(crate) struct NewObject<'a, T: Object> {
    ctx: &'a Ctx,
    obj: NonNull<T>,
}

impl<'a, T: Object> NewObject<'a, T> {
    /// The ID the object will have.
    #[inline]
    pub(crate) fn id(&self) -> u32 {
        // SAFETY: By the type invariant of `NewObject`, `obj` is a valid, unfinalized `T`, and
        // `_iommufd_object_alloc()` set its `id` (reserved in `ictx->objects`).
        unsafe { (*T::obj(self.obj.as_ptr())).id }
    }

    /// Makes the object visible under its ID (`iommufd_object_finalize()`).
    #[inline]
    pub(crate) fn finalize(self) {
        let this = ManuallyDrop::new(self);
        // SAFETY: A new object of `ctx` (type invariant), finalized once: `this` is not dropped.
        unsafe { bindings::iommufd_object_finalize(this.ctx.as_raw(), T::obj(this.obj.as_ptr())) };
    }

    /// Hands the object to a C caller, which finalizes or aborts it.
    #[inline]
    pub(crate) fn into_raw(self) -> *mut T {
        ManuallyDrop::new(self).obj.as_ptr()
    }

    #[inline]
    fn ptr(&self) -> *mut T {
        self.obj.as_ptr()
    }
}

impl<T: Object> core::ops::Deref for NewObject<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: By the type invariant of `NewObject`, `obj` is a valid `T` owned by `self`
        // and freed only by its drop (abort) or after `finalize`, which consumes `self`.
        unsafe { self.obj.as_ref() }
    }
}

impl<T: Object> Drop for NewObject<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: A new object of `ctx`, never finalized (type invariant): abort calls the type's
        // abort (or destroy) operation and frees it.
        unsafe {
            bindings::iommufd_object_abort_and_destroy(self.ctx.as_raw(), T::obj(self.ptr()))
        };
    }
}

/// An object being destroyed (its `destroy` operation) or aborted (its `abort` operation): no
/// one else refers to it any more; the core frees it when the operation returns.
///
/// # Invariants
///
/// `obj` is valid and exclusively owned by this for `'a`.
pub(crate) struct Dying<'a, T: Object> {
    obj: NonNull<T>,
    _p: PhantomData<&'a mut T>,
}

impl<T: Object> Dying<'_, T> {
    /// # Safety
    ///
    /// `obj` is the object of a `T` the core is destroying or aborting, for `'a`.
    #[inline]
    pub(crate) unsafe fn from_obj(obj: *mut bindings::iommufd_object) -> Self {
        // INVARIANT: By the caller.
        Self {
            // SAFETY: `obj` is the object of a `T` being destroyed or aborted (this function's
            // `# Safety` requirement), so `T::from_obj(obj)` is that `T`, not NULL.
            obj: unsafe { NonNull::new_unchecked(T::from_obj(obj)) },
            _p: PhantomData,
        }
    }

    #[inline]
    fn ptr(&self) -> *mut T {
        self.obj.as_ptr()
    }
}

impl<T: Object> core::ops::Deref for Dying<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: By the type invariant of `Dying`, `obj` is valid and exclusively owned by
        // `self` for `'a`: iommufd frees it only after the destroy or abort operation returns.
        unsafe { self.obj.as_ref() }
    }
}

/// The `iommu_ops` of a device's IOMMU driver.
#[derive(Clone, Copy)]
pub(crate) struct IommuOps(&'static bindings::iommu_ops);

impl IommuOps {
    /// True if the driver allocates paging domains with flags and user data.
    #[inline]
    pub(crate) fn has_domain_alloc_paging_flags(self) -> bool {
        self.0.domain_alloc_paging_flags.is_some()
    }

    /// True if the driver allocates nested domains.
    #[inline]
    pub(crate) fn has_domain_alloc_nested(self) -> bool {
        self.0.domain_alloc_nested.is_some()
    }

    /// True if `domain` came from this driver's allocator.
    #[inline]
    pub(crate) fn owns(self, domain: &Domain) -> bool {
        // SAFETY: A valid domain; `owner` is set before it is published.
        core::ptr::eq(unsafe { (*domain.as_raw()).owner }, self.0)
    }
}

/// An `iommu_domain` that a HWPT does not own yet; freed (`iommu_domain_free()`) when dropped.
///
/// # Invariants
///
/// `domain` is a valid domain owned by this.
pub(crate) struct OwnedDomain {
    domain: NonNull<bindings::iommu_domain>,
}

impl OwnedDomain {
    /// # Safety
    ///
    /// `ptr` is NULL, an error pointer or a domain the caller owns.
    #[inline]
    unsafe fn from_alloc(ptr: *mut bindings::iommu_domain) -> Result<Self> {
        let ptr = check_ptr(ptr)?;
        // INVARIANT: By the caller: a domain we own.
        Ok(Self {
            domain: NonNull::new(ptr).ok_or(ENOMEM)?,
        })
    }

    #[inline]
    fn into_raw(self) -> *mut bindings::iommu_domain {
        ManuallyDrop::new(self).domain.as_ptr()
    }
}

impl core::ops::Deref for OwnedDomain {
    type Target = Domain;

    #[inline]
    fn deref(&self) -> &Domain {
        // SAFETY: By the type invariant of `OwnedDomain`, `domain` is a valid domain owned by
        // `self`, freed only by its drop, so valid and initialised for the borrow.
        unsafe { Domain::from_raw(self.domain.as_ptr()) }
    }
}

impl Drop for OwnedDomain {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant of `OwnedDomain`, `domain` is a valid domain that only
        // `self` owns (no HWPT holds it, nothing is attached to it), so it is freed once, here.
        unsafe { bindings::iommu_domain_free(self.domain.as_ptr()) };
    }
}

/// `struct iommu_user_data_array` for a driver: the entries of `IOMMU_HWPT_INVALIDATE`. The
/// driver writes back how many entries it handled.
pub(crate) struct RawUserDataArray(bindings::iommu_user_data_array);

impl RawUserDataArray {
    /// `entry_num` entries of `entry_len` bytes of type `data_type` at `uptr`.
    #[inline]
    pub(crate) fn new(data_type: u32, uptr: u64, entry_len: u32, entry_num: u32) -> Self {
        Self(bindings::iommu_user_data_array {
            type_: data_type,
            uptr: uptr as usize as *mut c_void,
            entry_len: entry_len as usize,
            entry_num,
        })
    }

    /// The entry count; after a driver call, the number of entries the driver handled.
    #[inline]
    pub(crate) fn entry_num(&self) -> u32 {
        self.0.entry_num
    }
}

// SAFETY: Used through shared references only for fields that are fixed once the IOAS exists
// (the page table, the mutex); the HWPT list is reached through `IoasGuard` only.
unsafe impl Sync for Ioas {}

impl Ioas {
    /// Locks `ioas->mutex`.
    #[inline]
    pub(crate) fn lock(&self) -> IoasGuard<'_> {
        // SAFETY: The mutex of a valid IOAS.
        unsafe { bindings::mutex_lock(&raw mut (*self.raw()).mutex) };
        // INVARIANT: Just locked, unlocked by `IoasGuard::drop`.
        IoasGuard {
            ioas: self,
            locked_here: true,
            _not_send: NotThreadSafe,
        }
    }

    /// Adds `domain` to the IOAS page table: it gets every mapping of the IOAS
    /// (`iopt_table_add_domain()`).
    #[inline]
    fn table_add_domain(&self, domain: &Domain) -> Result {
        // SAFETY: A valid IOAS and domain.
        check(unsafe {
            bindings::iopt_table_add_domain(&raw mut (*self.raw()).iopt, domain.as_raw())
        })
    }

    /// Removes `domain` from the IOAS page table (`iopt_table_remove_domain()`).
    #[inline]
    fn table_remove_domain(&self, domain: &Domain) {
        // SAFETY: A valid IOAS and a domain added with `table_add_domain`.
        unsafe { bindings::iopt_table_remove_domain(&raw mut (*self.raw()).iopt, domain.as_raw()) };
    }

    /// Starts or stops dirty tracking of `domain` over the IOAS (`iopt_set_dirty_tracking()`).
    #[inline]
    pub(crate) fn set_dirty_tracking(&self, domain: &Domain, enable: bool) -> Result {
        // SAFETY: A valid IOAS and domain.
        check(unsafe {
            bindings::iopt_set_dirty_tracking(&raw mut (*self.raw()).iopt, domain.as_raw(), enable)
        })
    }

    /// Reads (and unless `NO_CLEAR`, clears) the dirty bits of `domain` into the user bitmap that
    /// `cmd` describes (`iopt_read_and_clear_dirty_data()`).
    #[inline]
    pub(crate) fn read_and_clear_dirty(
        &self,
        domain: &Domain,
        flags: u32,
        cmd: &mut uapi::HwptGetDirtyBitmap,
    ) -> Result {
        // SAFETY: A valid IOAS, domain and command.
        check(unsafe {
            bindings::iopt_read_and_clear_dirty_data(
                &raw mut (*self.raw()).iopt,
                domain.as_raw(),
                flags as c_ulong,
                &raw mut **cmd,
            )
        })
    }
}

/// `ioas->mutex`, held: it serialises HWPT allocation on the IOAS with the IOAS's HWPT list.
///
/// # Invariants
///
/// `ioas->mutex` is held for the lifetime of the guard; if `locked_here`, by the guard.
pub(crate) struct IoasGuard<'a> {
    ioas: &'a Ioas,
    locked_here: bool,
    /// A mutex is released by the task that took it: the guard stays on its thread.
    _not_send: NotThreadSafe,
}

impl<'a> IoasGuard<'a> {
    /// A guard for the mutex of `ioas` that the caller already holds; dropping it does not
    /// unlock.
    ///
    /// # Safety
    ///
    /// The caller holds `ioas->mutex` for `'a`.
    #[inline]
    pub(crate) unsafe fn assume_locked(ioas: &'a Ioas) -> Self {
        // SAFETY: The mutex of a valid IOAS; lockdep checks the caller's claim.
        unsafe { bindings::mutex_assert_is_held(&raw mut (*ioas.raw()).mutex) };
        // INVARIANT: Held by the caller.
        Self {
            ioas,
            locked_here: false,
            _not_send: NotThreadSafe,
        }
    }

    /// Allocates a paging HWPT on this IOAS, holding a reference on it. The HWPT cannot
    /// outlive the guard unless finalized: its abort needs the mutex.
    #[inline]
    pub(crate) fn new_hwpt<'g>(&'g self, ctx: &'g Ctx) -> Result<NewObject<'g, HwptPaging>> {
        let hwpt = ctx.alloc_object::<HwptPaging>()?;
        let p = hwpt.ptr().cast::<bindings::iommufd_hwpt_paging>();
        // SAFETY: New and ours. `INIT_LIST_HEAD` before anything can fail: the destroy path looks
        // at the list item. The reference is given back by `Dying::release`.
        unsafe {
            bindings::INIT_LIST_HEAD(&raw mut (*p).hwpt_item);
            (*p).ioas = UsersRef::new(self.ioas).into_raw().cast();
        }
        Ok(hwpt)
    }

    /// Adds `hwpt`'s domain to the IOAS page table and `hwpt` to the IOAS's HWPT list, where
    /// device attach finds it for reuse.
    #[inline]
    pub(crate) fn add_hwpt(&self, hwpt: &mut NewObject<'_, HwptPaging>) -> Result {
        if !core::ptr::eq(hwpt.ioas(), self.ioas) {
            return Err(EINVAL);
        }
        let domain = hwpt.domain().ok_or(EINVAL)?;
        self.ioas.table_add_domain(domain)?;
        let p = hwpt.ptr().cast::<bindings::iommufd_hwpt_paging>();
        // SAFETY: `hwpt` is new and ours; the list is protected by the mutex we hold; its IOAS is
        // this one (`HwptPaging::ioas`), so the destroy path removes it from this list.
        unsafe {
            bindings::list_add_tail(
                &raw mut (*p).hwpt_item,
                &raw mut (*self.ioas.raw()).hwpt_list,
            )
        };
        Ok(())
    }
}

impl Drop for IoasGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.locked_here {
            // SAFETY: Locked by `Ioas::lock` (type invariant).
            unsafe { bindings::mutex_unlock(&raw mut (*self.ioas.raw()).mutex) };
        }
    }
}

// SAFETY: The fields read through shared references are fixed when the device is bound.
unsafe impl Sync for IDevice {}

impl IDevice {
    #[inline]
    fn dev(&self) -> *mut bindings::device {
        // SAFETY: A valid device; `dev` is fixed at bind.
        unsafe { (*self.raw()).dev }
    }

    /// A no-IOMMU device (bound without an IOMMU group).
    #[inline]
    fn is_noiommu(&self) -> bool {
        // SAFETY: A valid device; `igroup` and its `group` are fixed at bind.
        cfg!(CONFIG_IOMMUFD_NOIOMMU) && unsafe { (*(*self.raw()).igroup).group.is_null() }
    }

    /// The `iommu_ops` of the device's IOMMU driver (iommufd's own for a no-IOMMU device);
    /// `None`, with a warning, if the device has no IOMMU.
    #[inline]
    pub(crate) fn iommu_ops(&self) -> Option<IommuOps> {
        #[cfg(CONFIG_IOMMUFD_NOIOMMU)]
        if self.is_noiommu() {
            // SAFETY: A static of iommufd.
            return Some(IommuOps(unsafe { &bindings::iommufd_noiommu_ops }));
        }
        // SAFETY: A valid device.
        let no_iommu = unsafe { (*self.dev()).iommu.is_null() };
        if kernel::warn_on!(no_iommu) {
            return None;
        }
        // SAFETY: The device has an IOMMU, whose ops live as long as the driver, which outlives
        // every device bound to iommufd.
        Some(IommuOps(unsafe { &*bindings::dev_iommu_ops(self.dev()) }))
    }

    /// The `struct iommu_device` of the device's IOMMU, for the comparison with a vIOMMU's.
    #[inline]
    pub(crate) fn iommu_dev(&self) -> Option<*mut bindings::iommu_device> {
        if self.is_noiommu() {
            return None;
        }
        // SAFETY: A valid device.
        let no_iommu = unsafe { (*self.dev()).iommu.is_null() };
        if kernel::warn_on!(no_iommu) {
            return None;
        }
        // SAFETY: The device has an IOMMU.
        Some(unsafe { bindings::__iommu_get_iommu_dev(self.dev()) })
    }

    /// True if iommufd enforces cache coherency for the device's DMA.
    #[inline]
    pub(crate) fn enforce_cache_coherency(&self) -> bool {
        // SAFETY: A valid device; set at bind.
        unsafe { (*self.raw()).enforce_cache_coherency }
    }

    /// True if the device's IOMMU can track dirty pages.
    #[inline]
    pub(crate) fn can_dirty_track(&self) -> bool {
        // SAFETY: A valid device.
        unsafe {
            bindings::device_iommu_capable(self.dev(), bindings::iommu_cap_IOMMU_CAP_DIRTY_TRACKING)
        }
    }

    /// Allocates a paging domain for the device with its IOMMU driver's
    /// `domain_alloc_paging_flags` if it has one (`flags` and `user_data` then go to it), else
    /// `iommu_paging_domain_alloc()`. `ENODEV` if the device has no IOMMU.
    #[inline]
    pub(crate) fn alloc_paging_domain(
        &self,
        flags: u32,
        user_data: Option<&UserData>,
    ) -> Result<OwnedDomain> {
        // The device's own driver: a driver's allocator takes only devices it probed.
        let ops = self.iommu_ops().ok_or(ENODEV)?;
        let ud = user_data.map_or(core::ptr::null(), UserData::as_raw);
        // SAFETY: `self.dev()` is a valid device probed by the driver of `ops` (just looked up);
        // `ud` is NULL or valid for the call. The callee returns NULL, an error pointer or a new
        // domain that the caller owns, as `OwnedDomain::from_alloc` requires; `owner` is set on
        // that domain before anyone else sees it.
        unsafe {
            match ops.0.domain_alloc_paging_flags {
                Some(f) => {
                    let d = OwnedDomain::from_alloc(f(self.dev(), flags, ud))?;
                    (*d.domain.as_ptr()).owner = ops.0;
                    Ok(d)
                }
                None => OwnedDomain::from_alloc(bindings::iommu_paging_domain_alloc(self.dev())),
            }
        }
    }

    /// Allocates a nested domain on `parent` with the device's IOMMU driver's
    /// `domain_alloc_nested`: `ENODEV` if the device has no IOMMU, `EOPNOTSUPP` if the driver has
    /// no such operation, `EINVAL` if the parent's domain is not that driver's (the HWPT layer
    /// checks this earlier too, in the C order of its errors; here it keeps a driver from being
    /// handed another driver's domain).
    #[inline]
    pub(crate) fn alloc_nested_domain(
        &self,
        parent: &HwptPaging,
        flags: u32,
        user_data: &UserData,
    ) -> Result<OwnedDomain> {
        let ops = self.iommu_ops().ok_or(ENODEV)?;
        let f = ops.0.domain_alloc_nested.ok_or(EOPNOTSUPP)?;
        let parent = parent.domain().ok_or(EINVAL)?;
        if !ops.owns(parent) {
            return Err(EINVAL);
        }
        // SAFETY: `self.dev()` is a valid device probed by the driver of `ops`; `parent` is a
        // domain of that driver (checked above), kept alive by the parent HWPT, on which the new
        // HWPT holds a reference; `user_data` is valid for the call. The callee returns an error
        // pointer or a new domain the caller owns.
        let d = unsafe {
            OwnedDomain::from_alloc(f(self.dev(), parent.as_raw(), flags, user_data.as_raw()))?
        };
        // SAFETY: The domain is ours and not yet published.
        unsafe { (*d.domain.as_ptr()).owner = ops.0 };
        Ok(d)
    }

    /// Attaches the device (or its `pasid`) to a new paging HWPT, for drivers that finish a
    /// domain at its first attach (`iommufd_hw_pagetable_attach()`).
    #[inline]
    pub(crate) fn attach(&self, hwpt: &NewObject<'_, HwptPaging>, pasid: u32) -> Result {
        // SAFETY: A valid device and HWPT; called with the IOAS mutex held, as the caller of the
        // paging allocation must.
        check(unsafe {
            bindings::iommufd_hw_pagetable_attach(
                &raw mut (*hwpt.ptr().cast::<bindings::iommufd_hwpt_paging>()).common,
                self.raw(),
                pasid,
            )
        })
    }

    /// Undoes [`IDevice::attach`] (`iommufd_hw_pagetable_detach()`).
    #[inline]
    pub(crate) fn detach(&self, pasid: u32) {
        // SAFETY: A valid device attached by `attach`.
        unsafe { bindings::iommufd_hw_pagetable_detach(self.raw(), pasid) };
    }
}

/// The part of a HWPT both kinds have (`struct iommufd_hw_pagetable`).
///
/// # Safety
///
/// `common` returns the `struct iommufd_hw_pagetable` embedded in `Self`.
pub(crate) unsafe trait Hwpt: Object {
    /// The common part of `this`.
    fn common(this: *const Self) -> *mut bindings::iommufd_hw_pagetable;

    /// The domain; `None` only while a new HWPT has none yet.
    #[inline]
    fn domain(&self) -> Option<&Domain> {
        // SAFETY: A valid HWPT; the domain is set before the HWPT is published and freed with it.
        unsafe { Domain::from_raw_opt((*Self::common(self)).domain) }
    }
}

// SAFETY: `common` is the first field of both.
unsafe impl Hwpt for HwptPaging {
    #[inline]
    fn common(this: *const Self) -> *mut bindings::iommufd_hw_pagetable {
        this.cast_mut().cast()
    }
}

// SAFETY: `common` is the first field of both.
unsafe impl Hwpt for HwptNested {
    #[inline]
    fn common(this: *const Self) -> *mut bindings::iommufd_hw_pagetable {
        this.cast_mut().cast()
    }
}

const _: () = assert!(core::mem::offset_of!(bindings::iommufd_hwpt_paging, common) == 0);
const _: () = assert!(core::mem::offset_of!(bindings::iommufd_hwpt_nested, common) == 0);

impl<'a, T: Hwpt> NewObject<'a, T> {
    /// Records whether the HWPT may be attached to PASIDs (`IOMMU_HWPT_ALLOC_PASID`).
    #[inline]
    pub(crate) fn set_pasid_compat(&mut self, pasid_compat: bool) {
        // SAFETY: New and ours (type invariant).
        unsafe { (*T::common(self.ptr())).set_pasid_compat(pasid_compat) };
    }

    /// Gives the HWPT its domain: iommufd's cookie goes into the domain, the domain is freed with
    /// the HWPT.
    #[inline]
    pub(crate) fn set_domain(&mut self, domain: OwnedDomain) {
        let common = T::common(self.ptr());
        // SAFETY: New and ours.
        let has_domain = unsafe { !(*common).domain.is_null() };
        // A second domain is a bug of the caller; it is freed (dropped), not leaked.
        if kernel::warn_on!(has_domain) {
            return;
        }
        let d = domain.into_raw();
        // SAFETY: New and ours; the domain is ours and now owned by the HWPT, freed by
        // `Dying::release_common`.
        unsafe {
            (*d).__bindgen_anon_1.iommufd_hwpt = common;
            (*d).cookie_type = bindings::iommu_domain_cookie_type_IOMMU_COOKIE_IOMMUFD;
            (*common).domain = d;
        }
    }

    /// Makes the HWPT deliver I/O page faults to `fault` (`IOMMU_HWPT_FAULT_ID_VALID`).
    #[inline]
    pub(crate) fn set_fault(&mut self, fault: UsersRef<Fault>) -> Result {
        let common = T::common(self.ptr());
        // SAFETY: New and ours.
        let (domain, has_fault) = unsafe { ((*common).domain, !(*common).fault.is_null()) };
        if domain.is_null() || kernel::warn_on!(has_fault) {
            return Err(EINVAL);
        }
        // SAFETY: New and ours, with a domain it owns; the reference is given back by
        // `Dying::release_common`.
        unsafe {
            (*common).fault = fault.into_raw().cast();
            (*domain).iopf_handler = Some(bindings::iommufd_fault_iopf_handler);
        }
        Ok(())
    }
}

impl<T: Hwpt> Dying<'_, T> {
    /// Frees the domain and gives back the fault queue reference (`__iommufd_hwpt_destroy()`).
    #[inline]
    fn release_common(&self) {
        let common = T::common(self.ptr());
        // SAFETY: Ours (type invariant). The domain and the fault reference were stored by
        // `NewObject::set_domain` and `set_fault`, and are cleared so that they are released once.
        unsafe {
            let d = (*common).domain;
            (*common).domain = core::ptr::null_mut();
            if let Some(d) = NonNull::new(d) {
                drop(OwnedDomain { domain: d });
            }
            let f = (*common).fault;
            (*common).fault = core::ptr::null_mut();
            if !f.is_null() {
                drop(UsersRef::<Fault>::from_raw(f.cast()));
            }
        }
    }
}

impl HwptPaging {
    /// The IOAS whose mappings the HWPT's page table holds.
    #[inline]
    pub(crate) fn ioas(&self) -> &Ioas {
        // SAFETY: Set at allocation, with a `users` reference held until the HWPT is destroyed.
        unsafe { &*(*self.raw()).ioas.cast::<Ioas>() }
    }

    /// True if it may be the parent of nested HWPTs (`IOMMU_HWPT_ALLOC_NEST_PARENT`).
    #[inline]
    pub(crate) fn nest_parent(&self) -> bool {
        // SAFETY: Set at allocation, not changed afterwards.
        unsafe { (*self.raw()).nest_parent() }
    }

    /// True if iommufd allocated it for a device attach to an IOAS (not user space).
    #[inline]
    pub(crate) fn auto_domain(&self) -> bool {
        // SAFETY: Set before the HWPT is finalized, not changed afterwards.
        unsafe { (*self.raw()).auto_domain() }
    }
}

impl<'a> NewObject<'a, HwptPaging> {
    /// Records `IOMMU_HWPT_ALLOC_NEST_PARENT`.
    #[inline]
    pub(crate) fn set_nest_parent(&mut self, nest_parent: bool) {
        // SAFETY: New and ours.
        unsafe {
            (*self.ptr().cast::<bindings::iommufd_hwpt_paging>()).set_nest_parent(nest_parent)
        };
    }

    /// Asks the domain's driver to enforce cache coherency (no-snoop blocked) on every mapping;
    /// true if it does. Must come before the first map.
    #[inline]
    pub(crate) fn try_enforce_cache_coherency(&mut self) -> bool {
        let p = self.ptr().cast::<bindings::iommufd_hwpt_paging>();
        // SAFETY: New and ours, with a domain (checked) that is not mapped yet.
        unsafe {
            let d = (*p).common.domain;
            if d.is_null() {
                return false;
            }
            let ops = (*d).ops;
            let enforced = match (*ops).enforce_cache_coherency {
                Some(f) => f(d),
                None => false,
            };
            (*p).set_enforce_cache_coherency(enforced);
            enforced
        }
    }
}

impl Dying<'_, HwptPaging> {
    /// Takes the HWPT off its IOAS's HWPT list, under `guard`, the IOAS's mutex; true if it was
    /// on it (and its domain is then still in the IOAS page table).
    #[inline]
    pub(crate) fn list_del(&self, guard: &IoasGuard<'_>) -> bool {
        let p = self.ptr().cast::<bindings::iommufd_hwpt_paging>();
        if kernel::warn_on!(!core::ptr::eq(self.ioas(), guard.ioas)) {
            return false;
        }
        // SAFETY: Ours; the item was initialised by `IoasGuard::new_hwpt` and is on the list of
        // `guard`'s IOAS, if on any, whose mutex is held.
        unsafe {
            if bindings::list_empty(&raw const (*p).hwpt_item) {
                return false;
            }
            bindings::list_del_init(&raw mut (*p).hwpt_item);
        }
        true
    }

    /// Takes the HWPT's domain out of its IOAS page table, after [`Dying::list_del`] found it on
    /// the list.
    #[inline]
    pub(crate) fn remove_from_table(&self) {
        if let Some(d) = self.domain() {
            self.ioas().table_remove_domain(d);
        }
    }

    /// Frees the domain, gives back the fault queue and the IOAS references
    /// (`__iommufd_hwpt_destroy()` and the IOAS `refcount_dec()`).
    #[inline]
    pub(crate) fn release(self) {
        self.release_common();
        let p = self.ptr().cast::<bindings::iommufd_hwpt_paging>();
        // SAFETY: Ours; the pointer and its reference come from `IoasGuard::new_hwpt`, set before
        // the allocation could fail.
        unsafe { drop(UsersRef::<Ioas>::from_raw((*p).ioas.cast())) };
    }
}

impl HwptNested {
    /// Invalidates the stage-1 caches with the driver's `cache_invalidate_user`; `None` if it
    /// has none. `array.entry_num()` is then the number of entries handled, also on error.
    #[inline]
    pub(crate) fn cache_invalidate_user(&self, array: &mut RawUserDataArray) -> Option<Result> {
        // SAFETY: A valid nested HWPT has a domain (set before it is published), whose `ops` is
        // NULL or a static table.
        unsafe {
            let d = (*self.raw()).common.domain;
            let ops = (*d).ops;
            if ops.is_null() {
                return None;
            }
            let f = (*ops).cache_invalidate_user?;
            Some(check(f(d, &mut array.0)))
        }
    }
}

impl<'a> NewObject<'a, HwptNested> {
    /// Allocates the nested domain on the HWPT's vIOMMU with its `alloc_domain_nested`; the
    /// domain's owner is the vIOMMU's IOMMU driver. `EINVAL` for a HWPT not made by
    /// [`ViommuObj::new_nested_hwpt`].
    #[inline]
    pub(crate) fn alloc_viommu_domain(
        &self,
        flags: u32,
        user_data: &UserData,
    ) -> Result<OwnedDomain> {
        // SAFETY: New and ours; its vIOMMU, if any (`ViommuObj::new_nested_hwpt`), is held and its
        // ops are fixed.
        unsafe {
            let v = (*self.ptr().cast::<bindings::iommufd_hwpt_nested>()).viommu;
            if v.is_null() {
                return Err(EINVAL);
            }
            let f = (*(*v).ops).alloc_domain_nested.ok_or(EOPNOTSUPP)?;
            let d = OwnedDomain::from_alloc(f(v, flags, user_data.as_raw()))?;
            (*d.domain.as_ptr()).owner = (*(*v).iommu_dev).ops;
            Ok(d)
        }
    }
}

impl Dying<'_, HwptNested> {
    /// Frees the domain, gives back the fault queue reference and the reference on the vIOMMU
    /// or, without one, on the parent.
    #[inline]
    pub(crate) fn release(self) {
        self.release_common();
        let p = self.ptr().cast::<bindings::iommufd_hwpt_nested>();
        // SAFETY: Ours; the references were stored by `ViommuObj::new_nested_hwpt` or
        // `Ctx::new_nested_hwpt`, and are cleared here so that they are released once.
        unsafe {
            let v = (*p).viommu;
            (*p).viommu = core::ptr::null_mut();
            let parent = (*p).parent;
            (*p).parent = core::ptr::null_mut();
            if !v.is_null() {
                drop(UsersRef::<ViommuObj>::from_raw(v.cast()));
            } else if !parent.is_null() {
                drop(UsersRef::<HwptPaging>::from_raw(parent.cast()));
            }
        }
    }
}

impl ViommuObj {
    /// The context the vIOMMU belongs to.
    #[inline]
    pub(crate) fn ctx(&self) -> &Ctx {
        // SAFETY: Fixed at allocation, valid as long as the vIOMMU.
        unsafe { Ctx::from_raw((*self.raw()).ictx) }
    }

    /// Allocates a nested HWPT on the vIOMMU, in its context: it holds a reference on the
    /// vIOMMU, and the vIOMMU's paging HWPT (which the vIOMMU holds) is its parent.
    #[inline]
    pub(crate) fn new_nested_hwpt(&self) -> Result<NewObject<'_, HwptNested>> {
        let hwpt = self.ctx().alloc_object::<HwptNested>()?;
        let p = hwpt.ptr().cast::<bindings::iommufd_hwpt_nested>();
        // SAFETY: New and ours; the reference is given back by `Dying::release`. A vIOMMU's HWPT
        // is fixed at its allocation.
        unsafe {
            (*p).parent = (*self.raw()).hwpt;
            (*p).viommu = UsersRef::new(self).into_raw().cast();
        }
        Ok(hwpt)
    }

    /// True if the vIOMMU is an instance of `iommu_dev`.
    #[inline]
    pub(crate) fn is_on(&self, iommu_dev: *mut bindings::iommu_device) -> bool {
        // SAFETY: Fixed at allocation.
        unsafe { (*self.raw()).iommu_dev == iommu_dev }
    }

    /// True if the vIOMMU's driver allocates nested domains.
    #[inline]
    pub(crate) fn has_alloc_domain_nested(&self) -> bool {
        // SAFETY: Fixed at allocation; `ops` is NULL or a static table.
        unsafe {
            let ops = (*self.raw()).ops;
            !ops.is_null() && (*ops).alloc_domain_nested.is_some()
        }
    }

    /// Invalidates caches with the vIOMMU's `cache_invalidate`; `None` if it has none.
    /// `array.entry_num()` is then the number of entries handled, also on error.
    #[inline]
    pub(crate) fn cache_invalidate(&self, array: &mut RawUserDataArray) -> Option<Result> {
        // SAFETY: Fixed at allocation; `ops` is NULL or a static table.
        unsafe {
            let ops = (*self.raw()).ops;
            if ops.is_null() {
                return None;
            }
            let f = (*ops).cache_invalidate?;
            Some(check(f(self.raw(), &mut array.0)))
        }
    }
}

/// An ioctl being handled (`struct iommufd_ucmd`) whose command is a `C`.
///
/// # Invariants
///
/// `raw` is valid for `'a`, its `cmd` is a `C` and nothing else uses either during `'a`.
pub(crate) struct Ucmd<'a, C> {
    raw: NonNull<bindings::iommufd_ucmd>,
    _p: PhantomData<&'a mut C>,
}

impl<'a, C> Ucmd<'a, C> {
    /// # Safety
    ///
    /// `raw` is the ucmd of an ioctl whose command is a `C`, valid and not otherwise used for
    /// `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw(raw: *mut bindings::iommufd_ucmd) -> Self {
        // INVARIANT: By the caller.
        Self {
            // SAFETY: `raw` is the ucmd of an ioctl, valid for `'a` (this function's `# Safety`
            // requirement), so not NULL.
            raw: unsafe { NonNull::new_unchecked(raw) },
            _p: PhantomData,
        }
    }

    /// The context of the file the ioctl came through.
    #[inline]
    pub(crate) fn ctx(&self) -> &'a Ctx {
        // SAFETY: The ucmd and its context are valid for `'a`.
        unsafe { Ctx::from_raw((*self.raw.as_ptr()).ictx) }
    }

    /// The command, copied from user space and written back by [`Ucmd::respond`].
    #[inline]
    pub(crate) fn cmd(&mut self) -> &mut C {
        // SAFETY: A `C`, ours for `'a` (type invariant).
        unsafe { &mut *(*self.raw.as_ptr()).cmd.cast::<C>() }
    }
}

impl<C: AsBytes> Ucmd<'_, C> {
    /// Copies the command back to user space (as much of it as user space passed): `EFAULT` if
    /// that fails (`iommufd_ucmd_respond()`).
    ///
    /// Done here rather than through a C helper for the static inline, which would add a call on
    /// every ioctl: see [`copy_to_user_raw`].
    #[inline]
    pub(crate) fn respond(&mut self) -> Result {
        // SAFETY: A valid ucmd, read only.
        let (ubuffer, user_size) = unsafe {
            let u = &*self.raw.as_ptr();
            (u.ubuffer, u.user_size)
        };
        let len = usize::from_safe_cast(user_size).min(size_of::<C>());
        // `len <= size_of::<C>()`, so this always succeeds.
        let bytes = self.cmd().as_bytes().get(..len).ok_or(EINVAL)?;
        copy_to_user_raw(UserPtr::from_ptr(ubuffer), bytes)
    }
}

/// The HWPT layer's entry points, as iommufd calls them: `drivers/iommu/iommufd/hwpt.rs`
/// implements this and exports it with `iommufd_hwpt_layer!`.
pub(crate) trait HwptLayer {
    /// `iommufd_hwpt_paging_alloc()`: allocates a paging HWPT on `guard`'s IOAS for `idev`,
    /// with its domain in the IOAS page table; optionally attached (`immediate_attach`).
    fn paging_alloc<'a>(
        ctx: &'a Ctx,
        guard: &'a IoasGuard<'_>,
        idev: &IDevice,
        pasid: u32,
        flags: u32,
        immediate_attach: bool,
        user_data: Option<&UserData>,
    ) -> Result<NewObject<'a, HwptPaging>>;
    /// `iommufd_hwpt_paging_destroy()`.
    fn paging_destroy(hwpt: Dying<'_, HwptPaging>);
    /// `iommufd_hwpt_paging_abort()`: with the IOAS mutex held.
    fn paging_abort(hwpt: Dying<'_, HwptPaging>, guard: &IoasGuard<'_>);
    /// `iommufd_hwpt_nested_destroy()`.
    fn nested_destroy(hwpt: Dying<'_, HwptNested>);
    /// `iommufd_hwpt_nested_abort()`.
    fn nested_abort(hwpt: Dying<'_, HwptNested>);
    /// `IOMMU_HWPT_ALLOC`.
    fn alloc(ucmd: Ucmd<'_, uapi::HwptAlloc>) -> Result;
    /// `IOMMU_HWPT_SET_DIRTY_TRACKING`.
    fn set_dirty_tracking(ucmd: Ucmd<'_, uapi::HwptSetDirtyTracking>) -> Result;
    /// `IOMMU_HWPT_GET_DIRTY_BITMAP`.
    fn get_dirty_bitmap(ucmd: Ucmd<'_, uapi::HwptGetDirtyBitmap>) -> Result;
    /// `IOMMU_HWPT_INVALIDATE`.
    fn invalidate(ucmd: Ucmd<'_, uapi::HwptInvalidate>) -> Result;
}

#[doc(hidden)]
pub(crate) mod glue {
    use super::*;

    /// # Safety
    ///
    /// As `iommufd_hwpt_paging_alloc()`: valid pointers, `ioas->mutex` held, `user_data` NULL or
    /// valid.
    #[inline]
    pub(crate) unsafe fn paging_alloc<L: HwptLayer>(
        ictx: *mut bindings::iommufd_ctx,
        ioas: *mut bindings::iommufd_ioas,
        idev: *mut bindings::iommufd_device,
        pasid: u32,
        flags: u32,
        immediate_attach: bool,
        user_data: *const bindings::iommu_user_data,
    ) -> *mut bindings::iommufd_hwpt_paging {
        // SAFETY: The C callers (`iommufd_device_auto_get_domain()` in `device.c`, and the
        // layer's own `IOMMU_HWPT_ALLOC`) pass a valid `ictx`, an `ioas` and an `idev` they hold
        // references on (this function's `# Safety` section); `Ioas` and `IDevice` are
        // `repr(transparent)` over the C structs.
        let (ctx, ioas, idev) = unsafe {
            (
                Ctx::from_raw(ictx),
                &*ioas.cast::<Ioas>(),
                &*idev.cast::<IDevice>(),
            )
        };
        // SAFETY: The caller holds `ioas->mutex` (this function's `# Safety` section, as
        // `iommufd_hwpt_paging_alloc()` asserts with `lockdep_assert_held()`).
        let guard = unsafe { IoasGuard::assume_locked(ioas) };
        // SAFETY: `UserData` is `repr(transparent)` over the C struct; `user_data` is NULL (the
        // automatic domains of `device.c`) or the on-stack one of `IOMMU_HWPT_ALLOC`, filled in
        // from the uAPI command and valid for the call (this function's `# Safety` section).
        let ud = unsafe { user_data.cast::<UserData>().as_ref() };
        let hwpt = L::paging_alloc(ctx, &guard, idev, pasid, flags, immediate_attach, ud);
        // The caller finalizes or aborts the HWPT, with the mutex still held.
        match hwpt {
            Ok(h) => h.into_raw().cast(),
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// `obj` is a paging HWPT being destroyed.
    #[inline]
    pub(crate) unsafe fn paging_destroy<L: HwptLayer>(obj: *mut bindings::iommufd_object) {
        // SAFETY: `obj` is a paging HWPT iommufd is destroying (this function's `# Safety`
        // requirement), which is what `Dying::from_obj` needs for `HwptPaging`.
        L::paging_destroy(unsafe { Dying::from_obj(obj) })
    }

    /// # Safety
    ///
    /// `obj` is a paging HWPT being aborted, with its IOAS mutex held.
    #[inline]
    pub(crate) unsafe fn paging_abort<L: HwptLayer>(obj: *mut bindings::iommufd_object) {
        // SAFETY: `obj` is a paging HWPT iommufd is aborting (this function's `# Safety`
        // requirement), which is what `Dying::from_obj` needs for `HwptPaging`.
        let hwpt: Dying<'_, HwptPaging> = unsafe { Dying::from_obj(obj) };
        let ioas: *const Ioas = hwpt.ioas();
        // SAFETY: The IOAS outlives the HWPT (it holds a reference); its mutex is held.
        let guard = unsafe { IoasGuard::assume_locked(&*ioas) };
        L::paging_abort(hwpt, &guard)
    }

    /// # Safety
    ///
    /// `obj` is a nested HWPT being destroyed.
    #[inline]
    pub(crate) unsafe fn nested_destroy<L: HwptLayer>(obj: *mut bindings::iommufd_object) {
        // SAFETY: `obj` is a nested HWPT iommufd is destroying (this function's `# Safety`
        // requirement), which is what `Dying::from_obj` needs for `HwptNested`.
        L::nested_destroy(unsafe { Dying::from_obj(obj) })
    }

    /// # Safety
    ///
    /// `obj` is a nested HWPT being aborted.
    #[inline]
    pub(crate) unsafe fn nested_abort<L: HwptLayer>(obj: *mut bindings::iommufd_object) {
        // SAFETY: `obj` is a nested HWPT iommufd is aborting (this function's `# Safety`
        // requirement), which is what `Dying::from_obj` needs for `HwptNested`.
        L::nested_abort(unsafe { Dying::from_obj(obj) })
    }

    /// Runs an ioctl handler.
    ///
    /// # Safety
    ///
    /// `ucmd` is the ucmd of an ioctl whose command is a `C`.
    #[inline]
    pub(crate) unsafe fn ioctl<C>(
        ucmd: *mut bindings::iommufd_ucmd,
        f: impl FnOnce(Ucmd<'_, C>) -> Result,
    ) -> c_int {
        // SAFETY: `ucmd` is the ucmd of an ioctl whose command is a `C` (this function's
        // `# Safety` requirement); `iommufd_fops_ioctl()` keeps it on its stack and uses it only
        // after `f` returns, so it is valid and not otherwise used for the call.
        match f(unsafe { Ucmd::from_raw(ucmd) }) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }
}

/// Exports the HWPT layer `$t` (a [`HwptLayer`]) under the names of `hw_pagetable.c`, each
/// checked against its C prototype in `iommufd_private.h`. Expand it once, at the crate root of
/// the layer, which declares this file as its module `iommufd`.
macro_rules! iommufd_hwpt_layer {
    ($t:ty) => {
        /// See [`HwptLayer::paging_alloc`](crate::iommufd::HwptLayer::paging_alloc).
        ///
        /// # Safety
        ///
        /// As the C function: valid pointers, `ioas->mutex` held.
        #[kernel::macros::export]
        pub unsafe extern "C" fn iommufd_hwpt_paging_alloc(
            ictx: *mut kernel::bindings::iommufd_ctx,
            ioas: *mut kernel::bindings::iommufd_ioas,
            idev: *mut kernel::bindings::iommufd_device,
            pasid: kernel::bindings::ioasid_t,
            flags: u32,
            immediate_attach: bool,
            user_data: *const kernel::bindings::iommu_user_data,
        ) -> *mut kernel::bindings::iommufd_hwpt_paging {
            // SAFETY: The C callers of `iommufd_hwpt_paging_alloc()`
            // (`iommufd_device_auto_get_domain()`) pass valid pointers with `ioas->mutex` held and
            // a NULL `user_data`, as this function's `# Safety` section says: what
            // `glue::paging_alloc` requires.
            unsafe {
                $crate::iommufd::glue::paging_alloc::<$t>(
                    ictx,
                    ioas,
                    idev,
                    pasid,
                    flags,
                    immediate_attach,
                    user_data,
                )
            }
        }

        /// The destroy operation of paging HWPTs.
        ///
        /// # Safety
        ///
        /// Called by the iommufd core on a paging HWPT it destroys.
        #[kernel::macros::export]
        pub unsafe extern "C" fn iommufd_hwpt_paging_destroy(
            obj: *mut kernel::bindings::iommufd_object,
        ) {
            // SAFETY: `iommufd_object_ops[IOMMUFD_OBJ_HWPT_PAGING].destroy` is this function, and
            // iommufd calls it only on an object of that type it destroys
            // (`iommufd_object_remove()`, `iommufd_fops_release()`): the `# Safety` requirement
            // of `glue::paging_destroy`.
            unsafe { $crate::iommufd::glue::paging_destroy::<$t>(obj) }
        }

        /// The abort operation of paging HWPTs.
        ///
        /// # Safety
        ///
        /// Called by the iommufd core on a paging HWPT it aborts, with its IOAS mutex held.
        #[kernel::macros::export]
        pub unsafe extern "C" fn iommufd_hwpt_paging_abort(
            obj: *mut kernel::bindings::iommufd_object,
        ) {
            // SAFETY: `iommufd_object_ops[IOMMUFD_OBJ_HWPT_PAGING].abort` is this function, and
            // iommufd calls it only on an object of that type it aborts
            // (`iommufd_object_abort_and_destroy()`), with its IOAS mutex held by the allocating
            // path: the `# Safety` requirement of `glue::paging_abort`.
            unsafe { $crate::iommufd::glue::paging_abort::<$t>(obj) }
        }

        /// The destroy operation of nested HWPTs.
        ///
        /// # Safety
        ///
        /// Called by the iommufd core on a nested HWPT it destroys.
        #[kernel::macros::export]
        pub unsafe extern "C" fn iommufd_hwpt_nested_destroy(
            obj: *mut kernel::bindings::iommufd_object,
        ) {
            // SAFETY: `iommufd_object_ops[IOMMUFD_OBJ_HWPT_NESTED].destroy` is this function, and
            // iommufd calls it only on an object of that type it destroys
            // (`iommufd_object_remove()`, `iommufd_fops_release()`): the `# Safety` requirement of
            // `glue::nested_destroy`.
            unsafe { $crate::iommufd::glue::nested_destroy::<$t>(obj) }
        }

        /// The abort operation of nested HWPTs.
        ///
        /// # Safety
        ///
        /// Called by the iommufd core on a nested HWPT it aborts.
        #[kernel::macros::export]
        pub unsafe extern "C" fn iommufd_hwpt_nested_abort(
            obj: *mut kernel::bindings::iommufd_object,
        ) {
            // SAFETY: `iommufd_object_ops[IOMMUFD_OBJ_HWPT_NESTED].abort` is this function, and
            // iommufd calls it only on an object of that type it aborts
            // (`iommufd_object_abort_and_destroy()`): the `# Safety` requirement of
            // `glue::nested_abort`.
            unsafe { $crate::iommufd::glue::nested_abort::<$t>(obj) }
        }

        /// `IOMMU_HWPT_ALLOC`.
        ///
        /// # Safety
        ///
        /// Called by the iommufd ioctl dispatcher with a `struct iommu_hwpt_alloc` command.
        #[kernel::macros::export]
        pub unsafe extern "C" fn iommufd_hwpt_alloc(
            ucmd: *mut kernel::bindings::iommufd_ucmd,
        ) -> kernel::ffi::c_int {
            // SAFETY: `iommufd_fops_ioctl()` calls this through `iommufd_ioctl_ops[]` only for
            // its ioctl number, with `ucmd` its on-stack ucmd whose `cmd` holds the
            // `struct iommu_hwpt_alloc` copied in by `copy_struct_from_user()`: the
            // `# Safety` requirement of `glue::ioctl`.
            unsafe { $crate::iommufd::glue::ioctl(ucmd, <$t as $crate::iommufd::HwptLayer>::alloc) }
        }

        /// `IOMMU_HWPT_SET_DIRTY_TRACKING`.
        ///
        /// # Safety
        ///
        /// Called by the iommufd ioctl dispatcher with its command.
        #[kernel::macros::export]
        pub unsafe extern "C" fn iommufd_hwpt_set_dirty_tracking(
            ucmd: *mut kernel::bindings::iommufd_ucmd,
        ) -> kernel::ffi::c_int {
            // SAFETY: `iommufd_fops_ioctl()` calls this through `iommufd_ioctl_ops[]` only for
            // its ioctl number, with `ucmd` its on-stack ucmd whose `cmd` holds the
            // `struct iommu_hwpt_set_dirty_tracking` copied in by `copy_struct_from_user()`: the
            // `# Safety` requirement of `glue::ioctl`.
            unsafe {
                $crate::iommufd::glue::ioctl(
                    ucmd,
                    <$t as $crate::iommufd::HwptLayer>::set_dirty_tracking,
                )
            }
        }

        /// `IOMMU_HWPT_GET_DIRTY_BITMAP`.
        ///
        /// # Safety
        ///
        /// Called by the iommufd ioctl dispatcher with its command.
        #[kernel::macros::export]
        pub unsafe extern "C" fn iommufd_hwpt_get_dirty_bitmap(
            ucmd: *mut kernel::bindings::iommufd_ucmd,
        ) -> kernel::ffi::c_int {
            // SAFETY: `iommufd_fops_ioctl()` calls this through `iommufd_ioctl_ops[]` only for
            // its ioctl number, with `ucmd` its on-stack ucmd whose `cmd` holds the
            // `struct iommu_hwpt_get_dirty_bitmap` copied in by `copy_struct_from_user()`: the
            // `# Safety` requirement of `glue::ioctl`.
            unsafe {
                $crate::iommufd::glue::ioctl(
                    ucmd,
                    <$t as $crate::iommufd::HwptLayer>::get_dirty_bitmap,
                )
            }
        }

        /// `IOMMU_HWPT_INVALIDATE`.
        ///
        /// # Safety
        ///
        /// Called by the iommufd ioctl dispatcher with its command.
        #[kernel::macros::export]
        pub unsafe extern "C" fn iommufd_hwpt_invalidate(
            ucmd: *mut kernel::bindings::iommufd_ucmd,
        ) -> kernel::ffi::c_int {
            // SAFETY: `iommufd_fops_ioctl()` calls this through `iommufd_ioctl_ops[]` only for
            // its ioctl number, with `ucmd` its on-stack ucmd whose `cmd` holds the
            // `struct iommu_hwpt_invalidate` copied in by `copy_struct_from_user()`: the
            // `# Safety` requirement of `glue::ioctl`.
            unsafe {
                $crate::iommufd::glue::ioctl(ucmd, <$t as $crate::iommufd::HwptLayer>::invalidate)
            }
        }
    };
}
pub(crate) use iommufd_hwpt_layer;
