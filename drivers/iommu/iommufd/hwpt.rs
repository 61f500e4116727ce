// SPDX-License-Identifier: GPL-2.0

//! The iommufd HWPT layer, in Rust.
//!
//! What `drivers/iommu/iommufd/hw_pagetable.c` does, selected by `CONFIG_IOMMUFD_HWPT_RUST`
//! instead of it and linked into iommufd: the allocators, abort and destroy operations of the two
//! HWPT kinds, and the ioctls `IOMMU_HWPT_ALLOC`, `IOMMU_HWPT_INVALIDATE`,
//! `IOMMU_HWPT_SET_DIRTY_TRACKING` and `IOMMU_HWPT_GET_DIRTY_BITMAP`. Every check, and the
//! errno it returns, is the C file's, in the C file's order: the upstream selftests and
//! `riommu_hwpt_diff` (which compares digests of both layers over random ioctl sequences) see no
//! difference.
//!
//! The two kinds have their own allocators (the design of the nesting series):
//!
//! - a kernel-managed paging HWPT comes from an IOAS ([`Layer::paging_alloc`]), only with the IOAS
//!   mutex held ([`IoasGuard`]): its domain joins the IOAS page table and the IOAS's HWPT list,
//!   cache coherency is fixed before the first map, and only a paging HWPT can be a nest parent;
//! - a user-managed nested HWPT comes from a paging parent ([`nested_alloc`]) or a vIOMMU
//!   ([`viommu_nested_alloc`]) with the driver's typed data; it holds a reference on its parent
//!   (or vIOMMU) until it is destroyed, so the parent's destroy fails with `EBUSY` meanwhile.
//!
//! They are distinct types ([`HwptPaging`], [`HwptNested`]), so nothing that needs an IOAS or a
//! paging domain (dirty tracking, the IOAS list, being a parent) can be reached from a nested one.
//!
//! Lifetimes: a HWPT is a [`NewObject`] from its allocation until it is finalized; if anything
//! fails first, dropping it aborts it, which runs the abort operation below and frees it. A
//! [`NewObject`] of a paging HWPT borrows the [`IoasGuard`] it was allocated under, so it cannot be
//! aborted after the mutex is dropped. The references a HWPT holds (IOAS, parent, vIOMMU, fault
//! queue) are [`UsersRef`]s stored in the C object and given back by [`Dying::release`] only.

use kernel::{
    iommu::{domain::NO_PASID, user_data::UserData},
    page::PAGE_SIZE,
    prelude::*,
};

#[path = "hwpt_glue.rs"]
mod iommufd;

use iommufd::{
    uapi::{self, *},
    AnyObject, Ctx, Dying, Fault, Hwpt, HwptLayer, HwptNested, HwptPaging, IDevice, IoasGuard,
    Kind, NewObject, RawUserDataArray, Ucmd, UsersRef, ViommuObj,
};

iommufd::iommufd_hwpt_layer!(Layer);

/// The HWPT layer.
struct Layer;

/// The flags a paging HWPT accepts.
const PAGING_FLAGS: u32 = ALLOC_NEST_PARENT | ALLOC_DIRTY_TRACKING | FAULT_ID_VALID | ALLOC_PASID;
/// The flags a nested HWPT accepts.
const NESTED_FLAGS: u32 = FAULT_ID_VALID | ALLOC_PASID;
/// An arbitrary `entry_num` cap, far above any realistic invalidation batch.
const INVALIDATE_ENTRY_NUM_MAX: u32 = 1 << 19;

/// A nested HWPT for `idev` on the paging HWPT `parent`.
fn nested_alloc<'a>(
    ctx: &'a Ctx,
    parent: &HwptPaging,
    idev: &IDevice,
    flags: u32,
    user_data: &UserData,
) -> Result<NewObject<'a, HwptNested>> {
    let ops = idev.iommu_ops().ok_or(ENODEV)?;
    if flags & !NESTED_FLAGS != 0 || user_data.is_empty() || !ops.has_domain_alloc_nested() {
        return Err(EOPNOTSUPP);
    }
    if parent.auto_domain()
        || !parent.nest_parent()
        || !parent.domain().is_some_and(|d| ops.owns(d))
    {
        return Err(EINVAL);
    }

    let mut hwpt = ctx.new_nested_hwpt(parent)?;
    hwpt.set_pasid_compat(flags & ALLOC_PASID != 0);
    let domain = idev.alloc_nested_domain(parent, flags & !FAULT_ID_VALID, user_data)?;
    hwpt.set_domain(domain);
    if kernel::warn_on!(!hwpt.domain().is_some_and(|d| d.is_nested())) {
        return Err(EOPNOTSUPP);
    }
    Ok(hwpt)
}

/// A nested HWPT on `viommu`, whose paging HWPT is the parent.
fn viommu_nested_alloc<'a>(
    viommu: &'a ViommuObj,
    flags: u32,
    user_data: &UserData,
) -> Result<NewObject<'a, HwptNested>> {
    if flags & !NESTED_FLAGS != 0 {
        return Err(EOPNOTSUPP);
    }
    if user_data.is_empty() {
        return Err(EOPNOTSUPP);
    }
    if !viommu.has_alloc_domain_nested() {
        return Err(EOPNOTSUPP);
    }

    let mut hwpt = viommu.new_nested_hwpt()?;
    hwpt.set_pasid_compat(flags & ALLOC_PASID != 0);
    let domain = hwpt.alloc_viommu_domain(flags & !FAULT_ID_VALID, user_data)?;
    hwpt.set_domain(domain);
    if kernel::warn_on!(!hwpt.domain().is_some_and(|d| d.is_nested())) {
        return Err(EOPNOTSUPP);
    }
    Ok(hwpt)
}

/// The end of `IOMMU_HWPT_ALLOC` for either kind: the fault queue, the reply, and finalize. Any
/// error aborts `hwpt` (it is dropped).
fn alloc_finish<T: Hwpt>(
    ucmd: &mut Ucmd<'_, uapi::HwptAlloc>,
    mut hwpt: NewObject<'_, T>,
    flags: u32,
    fault_id: u32,
) -> Result {
    if flags & FAULT_ID_VALID != 0 {
        let fault = ucmd.ctx().get::<Fault>(fault_id)?;
        hwpt.set_fault(UsersRef::new(&fault))?;
    }
    ucmd.cmd().out_hwpt_id = hwpt.id();
    ucmd.respond()?;
    hwpt.finalize();
    Ok(())
}

impl HwptLayer for Layer {
    fn paging_alloc<'a>(
        ctx: &'a Ctx,
        guard: &'a IoasGuard<'_>,
        idev: &IDevice,
        pasid: u32,
        flags: u32,
        immediate_attach: bool,
        user_data: Option<&UserData>,
    ) -> Result<NewObject<'a, HwptPaging>> {
        let ops = idev.iommu_ops().ok_or(ENODEV)?;
        if (flags != 0 || user_data.is_some()) && !ops.has_domain_alloc_paging_flags() {
            return Err(EOPNOTSUPP);
        }
        if flags & !PAGING_FLAGS != 0 {
            return Err(EOPNOTSUPP);
        }
        if flags & ALLOC_DIRTY_TRACKING != 0 && !idev.can_dirty_track() {
            return Err(EOPNOTSUPP);
        }
        if flags & FAULT_ID_VALID != 0 && flags & ALLOC_NEST_PARENT != 0 {
            return Err(EOPNOTSUPP);
        }

        let mut hwpt = guard.new_hwpt(ctx)?;
        hwpt.set_pasid_compat(flags & ALLOC_PASID != 0);
        hwpt.set_nest_parent(flags & ALLOC_NEST_PARENT != 0);
        let domain = idev.alloc_paging_domain(flags & !FAULT_ID_VALID, user_data)?;
        hwpt.set_domain(domain);

        // The coherency mode is fixed before the domain joins the IOAS table (some IOMMUs have a
        // per-PTE bit for it): a driver that reports IOMMU_CAP_ENFORCE_CACHE_COHERENCY but fails
        // it on a new domain is buggy.
        if idev.enforce_cache_coherency() && kernel::warn_on!(!hwpt.try_enforce_cache_coherency()) {
            return Err(EINVAL);
        }

        // For drivers that finish a domain only at its first attach.
        if immediate_attach {
            idev.attach(&hwpt, pasid)?;
        }
        if let Err(e) = guard.add_hwpt(&mut hwpt) {
            if immediate_attach {
                idev.detach(pasid);
            }
            return Err(e);
        }
        Ok(hwpt)
    }

    fn paging_destroy(hwpt: Dying<'_, HwptPaging>) {
        // The IOAS outlives the HWPT, which holds a reference on it.
        let listed = hwpt.list_del(&hwpt.ioas().lock());
        if listed {
            hwpt.remove_from_table();
        }
        hwpt.release();
    }

    fn paging_abort(hwpt: Dying<'_, HwptPaging>, guard: &IoasGuard<'_>) {
        if hwpt.list_del(guard) {
            hwpt.remove_from_table();
        }
        hwpt.release();
    }

    fn nested_destroy(hwpt: Dying<'_, HwptNested>) {
        hwpt.release();
    }

    fn nested_abort(hwpt: Dying<'_, HwptNested>) {
        hwpt.release();
    }

    // Inlined into its exported entry point: one call less per ioctl.
    #[inline(always)]
    fn alloc(mut ucmd: Ucmd<'_, uapi::HwptAlloc>) -> Result {
        let ctx = ucmd.ctx();
        let cmd = ucmd.cmd();
        if cmd.__reserved != 0 {
            return Err(EOPNOTSUPP);
        }
        if (cmd.data_type == DATA_NONE) != (cmd.data_len == 0) {
            return Err(EINVAL);
        }
        let (flags, dev_id, pt_id, fault_id) = (cmd.flags, cmd.dev_id, cmd.pt_id, cmd.fault_id);
        let user_data = UserData::new(cmd.data_type, cmd.data_uptr, cmd.data_len);

        let idev = ctx.get::<IDevice>(dev_id)?;
        let pt = ctx.get::<AnyObject>(pt_id).map_err(|_| EINVAL)?;
        match pt.kind() {
            Kind::Ioas(ioas) => {
                // Held until the HWPT is finalized or aborted.
                let guard = ioas.lock();
                let ud = (!user_data.is_empty()).then_some(&user_data);
                let hwpt = Self::paging_alloc(ctx, &guard, &idev, NO_PASID, flags, false, ud)?;
                alloc_finish(&mut ucmd, hwpt, flags, fault_id)
            }
            Kind::HwptPaging(parent) => {
                let hwpt = nested_alloc(ctx, parent, &idev, flags, &user_data)?;
                alloc_finish(&mut ucmd, hwpt, flags, fault_id)
            }
            Kind::Viommu(viommu) => {
                if !idev.iommu_dev().is_some_and(|d| viommu.is_on(d)) {
                    return Err(EINVAL);
                }
                let hwpt = viommu_nested_alloc(viommu, flags, &user_data)?;
                alloc_finish(&mut ucmd, hwpt, flags, fault_id)
            }
            Kind::HwptNested(_) | Kind::Other => Err(EINVAL),
        }
    }

    // Inlined into its exported entry point: one call less per ioctl.
    #[inline(always)]
    fn set_dirty_tracking(mut ucmd: Ucmd<'_, uapi::HwptSetDirtyTracking>) -> Result {
        let ctx = ucmd.ctx();
        let cmd = ucmd.cmd();
        if cmd.flags & !DIRTY_TRACKING_ENABLE != 0 {
            return Err(EOPNOTSUPP);
        }
        let hwpt = ctx.get::<HwptPaging>(cmd.hwpt_id)?;
        let enable = cmd.flags & DIRTY_TRACKING_ENABLE != 0;
        hwpt.ioas()
            .set_dirty_tracking(hwpt.domain().ok_or(EINVAL)?, enable)
    }

    // Inlined into its exported entry point: one call less per ioctl.
    #[inline(always)]
    fn get_dirty_bitmap(mut ucmd: Ucmd<'_, uapi::HwptGetDirtyBitmap>) -> Result {
        let ctx = ucmd.ctx();
        let cmd = ucmd.cmd();
        if cmd.flags & !GET_DIRTY_BITMAP_NO_CLEAR != 0 || cmd.__reserved != 0 {
            return Err(EOPNOTSUPP);
        }
        let hwpt = ctx.get::<HwptPaging>(cmd.hwpt_id)?;
        let flags = cmd.flags;
        hwpt.ioas()
            .read_and_clear_dirty(hwpt.domain().ok_or(EINVAL)?, flags, cmd)
    }

    // Inlined into its exported entry point: one call less per ioctl.
    #[inline(always)]
    fn invalidate(mut ucmd: Ucmd<'_, uapi::HwptInvalidate>) -> Result {
        let ctx = ucmd.ctx();
        let cmd = ucmd.cmd();
        let (reserved, hwpt_id) = (cmd.__reserved, cmd.hwpt_id);
        let mut array =
            RawUserDataArray::new(cmd.data_type, cmd.data_uptr, cmd.entry_len, cmd.entry_num);
        let bad_array = cmd.entry_num != 0
            && (cmd.data_uptr == 0
                || cmd.entry_len == 0
                || cmd.entry_len as usize > PAGE_SIZE
                || cmd.entry_num > INVALIDATE_ENTRY_NUM_MAX);

        // The number of entries handled goes back to user space on every path, errors included;
        // it is 0 unless the driver was called.
        let mut done = 0;
        let rc = if reserved != 0 {
            Err(EOPNOTSUPP)
        } else if bad_array {
            // Bounded so that one call cannot pin the CPU; `entry_len` also bounds the zero-tail
            // scan of each entry's copy.
            Err(EINVAL)
        } else {
            match ctx.get::<AnyObject>(hwpt_id) {
                Err(e) => Err(e),
                Ok(pt) => {
                    let called = match pt.kind() {
                        Kind::HwptNested(hwpt) => Ok(hwpt.cache_invalidate_user(&mut array)),
                        Kind::Viommu(viommu) => Ok(viommu.cache_invalidate(&mut array)),
                        _ => Err(EINVAL),
                    };
                    match called {
                        Err(e) => Err(e),
                        Ok(None) => Err(EOPNOTSUPP),
                        Ok(Some(r)) => {
                            done = array.entry_num();
                            r
                        }
                    }
                }
            }
        };

        ucmd.cmd().entry_num = done;
        ucmd.respond().map_err(|_| EFAULT)?;
        rc
    }
}
