// SPDX-License-Identifier: GPL-2.0

//! Test only: the C VT-d driver's encoders (`drivers/iommu/intel/rust_ref.h`), for the KUnit
//! tests of [`crate::hw`], which compare the Rust encodings with these bit for bit.
//!
//! This file is the driver's abstraction of that C interface: it is built only with
//! `CONFIG_INTEL_IOMMU_RUST_KUNIT_TEST`, converts the arguments, and is the only part of the
//! driver that uses the C bindings (the lint of `riommu test` names it as an abstraction file).
//! The C side (`pasid_rust_ref.c`, `cache_rust_ref.c`, included by `pasid.c` and `cache.c`)
//! calls the static encoders on a unit and a domain made for the call and writes through the
//! pointers it is given; nothing touches hardware.

use crate::hw::{
    Cap, ContextGran, FirstStage, IotlbGran, PasidCacheGran, PasidEntry, QiDesc, SecondStage, VtdS1,
};
use kernel::{bindings, error::to_result, prelude::*};

/// A second-stage table for the C encoder to make: its depth and how the entry uses it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SsTable {
    /// 2, 3 or 4: a 3-, 4- or 5-level table.
    pub(crate) top_level: u32,
    /// The domain ID.
    pub(crate) did: u16,
    /// The table's walks are snooped (not `PT_FEAT_DMA_INCOHERENT`).
    pub(crate) coherent: bool,
    /// Dirty tracking is on.
    pub(crate) dirty_tracking: bool,
}

impl SsTable {
    /// What the Rust encoder is given for the same table.
    fn second_stage(&self, ssptptr: u64, aw: u8) -> SecondStage {
        SecondStage {
            ssptptr,
            aw,
            did: self.did,
            coherent: self.coherent,
            dirty_tracking: self.dirty_tracking,
        }
    }
}

/// `pasid_pte_config_first_level()` on a unit with `cap`, `ecap` and `fs.agaw`.
///
/// # Errors
///
/// `ENOMEM` if the unit cannot be allocated.
pub(crate) fn pasid_fs(cap: u64, ecap: u64, fs: &FirstStage) -> Result<PasidEntry> {
    let mut e = PasidEntry::default();
    // PASID_FLAG_FL5LP, PASID_FLAG_PAGE_SNOOP, PASID_FLAG_PWSNP (pasid.h).
    let flags =
        (i32::from(fs.five_level) << 1) | (i32::from(fs.pgsnp) << 2) | (i32::from(fs.pwsnp) << 3);
    // SAFETY: `e.0` is 8 writable `u64`s, what the function writes (a `struct pasid_entry`).
    to_result(unsafe {
        bindings::intel_rust_ref_pasid_fs(
            e.0.as_mut_ptr(),
            cap,
            ecap,
            fs.agaw.into(),
            fs.fsptptr,
            fs.did,
            flags,
        )
    })?;
    Ok(e)
}

/// `pasid_pte_config_second_level()` on a table made as `t` says, and the table's root and
/// address width.
///
/// # Errors
///
/// `ENOMEM` if the unit, the domain or the table cannot be allocated (or `t.top_level` is not
/// 2, 3 or 4).
pub(crate) fn pasid_ss(cap: u64, ecap: u64, t: &SsTable) -> Result<(PasidEntry, SecondStage)> {
    let (mut e, mut ptr, mut aw) = (PasidEntry::default(), 0u64, 0u8);
    // SAFETY: `e.0` is 8 writable `u64`s, `ptr` and `aw` are writable; the function writes
    // nothing else.
    to_result(unsafe {
        bindings::intel_rust_ref_pasid_ss(
            e.0.as_mut_ptr(),
            &mut ptr,
            &mut aw,
            cap,
            ecap,
            t.top_level,
            t.did,
            !t.coherent,
            t.dirty_tracking,
        )
    })?;
    Ok((e, t.second_stage(ptr, aw)))
}

/// `pasid_pte_config_pass_through()` on a unit with `cap`, `ecap` and `agaw`.
///
/// # Errors
///
/// `ENOMEM` if the unit cannot be allocated.
pub(crate) fn pasid_pt(cap: u64, ecap: u64, agaw: u8, did: u16) -> Result<PasidEntry> {
    let mut e = PasidEntry::default();
    // SAFETY: `e.0` is 8 writable `u64`s, what the function writes.
    to_result(unsafe {
        bindings::intel_rust_ref_pasid_pt(e.0.as_mut_ptr(), cap, ecap, agaw.into(), did)
    })?;
    Ok(e)
}

/// `pasid_pte_config_nested()` for `s1` on a table made as `t` says, and the table's root and
/// address width.
///
/// # Errors
///
/// As [`pasid_ss`].
pub(crate) fn pasid_nested(
    cap: u64,
    ecap: u64,
    t: &SsTable,
    s1: &VtdS1,
    force_snooping: bool,
) -> Result<(PasidEntry, SecondStage)> {
    let (mut e, mut ptr, mut aw) = (PasidEntry::default(), 0u64, 0u8);
    // SAFETY: `e.0` is 8 writable `u64`s, `ptr` and `aw` are writable; the function writes
    // nothing else.
    to_result(unsafe {
        bindings::intel_rust_ref_pasid_nested(
            e.0.as_mut_ptr(),
            &mut ptr,
            &mut aw,
            cap,
            ecap,
            t.top_level,
            t.did,
            s1.flags,
            s1.pgtbl_addr,
            s1.addr_width,
            !t.coherent,
            t.dirty_tracking,
            force_snooping,
        )
    })?;
    Ok((e, t.second_stage(ptr, aw)))
}

/// `qi_desc_iotlb()` on a unit with `cap`.
pub(crate) fn qi_iotlb(cap: Cap, did: u16, addr: u64, size_order: u32, gran: IotlbGran) -> QiDesc {
    let mut d = QiDesc::default();
    // SAFETY: `d.0` is 4 writable `u64`s, what the function writes (a `struct qi_desc`).
    unsafe {
        bindings::intel_rust_ref_qi_iotlb(
            d.0.as_mut_ptr(),
            cap.0,
            did,
            addr,
            size_order,
            // DMA_TLB_*_FLUSH.
            (gran as u64) << 60,
        )
    };
    d
}

/// `qi_desc_dev_iotlb()`.
pub(crate) fn qi_dev_iotlb(sid: u16, pfsid: u16, qdep: u16, addr: u64, mask: u32) -> QiDesc {
    let mut d = QiDesc::default();
    // SAFETY: `d.0` is 4 writable `u64`s, what the function writes.
    unsafe {
        bindings::intel_rust_ref_qi_dev_iotlb(d.0.as_mut_ptr(), sid, pfsid, qdep, addr, mask)
    };
    d
}

/// `qi_desc_piotlb_all()`.
pub(crate) fn qi_piotlb_all(did: u16, pasid: u32) -> QiDesc {
    let mut d = QiDesc::default();
    // SAFETY: `d.0` is 4 writable `u64`s, what the function writes.
    unsafe { bindings::intel_rust_ref_qi_piotlb_all(d.0.as_mut_ptr(), did, pasid) };
    d
}

/// `qi_desc_piotlb()`.
pub(crate) fn qi_piotlb(did: u16, pasid: u32, addr: u64, size_order: u32, ih: bool) -> QiDesc {
    let mut d = QiDesc::default();
    // SAFETY: `d.0` is 4 writable `u64`s, what the function writes.
    unsafe {
        bindings::intel_rust_ref_qi_piotlb(d.0.as_mut_ptr(), did, pasid, addr, size_order, ih)
    };
    d
}

/// `qi_desc_dev_iotlb_pasid()`.
pub(crate) fn qi_dev_iotlb_pasid(
    sid: u16,
    pfsid: u16,
    pasid: u32,
    qdep: u16,
    addr: u64,
    size_order: u32,
) -> QiDesc {
    let mut d = QiDesc::default();
    // SAFETY: `d.0` is 4 writable `u64`s, what the function writes.
    unsafe {
        bindings::intel_rust_ref_qi_dev_iotlb_pasid(
            d.0.as_mut_ptr(),
            sid,
            pfsid,
            pasid,
            qdep,
            addr,
            size_order,
        )
    };
    d
}

/// The descriptor of `qi_flush_pasid_cache()`.
pub(crate) fn qi_pasid_cache(did: u16, gran: PasidCacheGran, pasid: u32) -> QiDesc {
    let mut d = QiDesc::default();
    // SAFETY: `d.0` is 4 writable `u64`s, what the function writes.
    unsafe { bindings::intel_rust_ref_qi_pasid_cache(d.0.as_mut_ptr(), did, gran as u64, pasid) };
    d
}

/// The descriptor of `qi_flush_context()`.
pub(crate) fn qi_context(did: u16, sid: u16, fm: u8, gran: ContextGran) -> QiDesc {
    let mut d = QiDesc::default();
    // SAFETY: `d.0` is 4 writable `u64`s, what the function writes.
    unsafe {
        // DMA_CCMD_*_INVL.
        bindings::intel_rust_ref_qi_context(d.0.as_mut_ptr(), did, sid, fm, (gran as u64) << 61)
    };
    d
}

/// `calculate_psi_aligned_address()`: the first IOVA and the order in 4 KiB pages.
pub(crate) fn psi_aligned(start: u64, last: u64) -> (u64, u32) {
    let mut order = 0u64;
    // SAFETY: `order` is writable; the function writes nothing else.
    let addr = unsafe { bindings::intel_rust_ref_psi_aligned(start, last, &mut order) };
    (addr, order as u32)
}
