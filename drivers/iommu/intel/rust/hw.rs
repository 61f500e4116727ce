// SPDX-License-Identifier: GPL-2.0

//! VT-d hardware formats: the capability registers, scalable-mode PASID-table entries,
//! queued-invalidation (QI) descriptors and invalidation ranges, and the checks of the nesting
//! uAPI (`IOMMU_HWPT_DATA_VTD_S1`, `IOMMU_HWPT_INVALIDATE_DATA_VTD_S1`).
//!
//! Each encoder keeps the C driver's encoding, named in its doc (`drivers/iommu/intel/pasid.c`,
//! `iommu.h`, `dmar.c`, `cache.c`, `nested.c`); the KUnit suite `intel_iommu_rs_hw` compares
//! them with the C encoders bit for bit over many inputs. Sections are those of the Intel VT-d
//! specification, revision 5.0. Addresses are physical (PA) unless named IOVA; sizes of
//! invalidations are orders of 4 KiB pages.
//!
//! One deliberate difference: a table pointer is masked to its 4 KiB-aligned bits before it is
//! written, where C ORs the whole value in (`pasid_set_flptr()`, `pasid_set_slptr()`). For a
//! nested domain C writes the user's `pgtbl_addr` that way, so its low bits land in the entry's
//! SRE, FLPM, WPE and EAFE fields without the checks of `intel_pasid_setup_nested()`; here they
//! are dropped. The KUnit suite shows both.

use kernel::{
    iommu::{
        ops::{alloc_flags, DefDomainType},
        user_data::vtd,
    },
    prelude::*,
};

/// log2 of the VT-d page size (`VTD_PAGE_SHIFT`): 4 KiB.
pub const VTD_PAGE_SHIFT: u32 = 12;
/// The VT-d page size in bytes (`VTD_PAGE_SIZE`).
pub const VTD_PAGE_SIZE: u64 = 1 << VTD_PAGE_SHIFT;
/// The page-frame bits of an address (`VTD_PAGE_MASK`).
pub const VTD_PAGE_MASK: u64 = !0 << VTD_PAGE_SHIFT;
/// The invalidation order that covers every address (`MAX_AGAW_PFN_WIDTH`, in 4 KiB pages).
pub const MAX_AGAW_PFN_WIDTH: u32 = 64 - VTD_PAGE_SHIFT;

/// A stage-1 input address width of 4-level paging, in bits (`ADDR_WIDTH_4LEVEL`).
pub const ADDR_WIDTH_4LEVEL: u32 = 48;
/// A stage-1 input address width of 5-level paging, in bits (`ADDR_WIDTH_5LEVEL`).
pub const ADDR_WIDTH_5LEVEL: u32 = 57;

const fn bit(v: u64, n: u32) -> bool {
    (v >> n) & 1 != 0
}

/// The capability register (`CAP_REG`, 11.4.2), read as the C driver's `cap_*()` macros do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cap(pub u64);

impl Cap {
    /// First-stage 5-level paging (`cap_fl5lp_support`, bit 60).
    pub const fn fl5lp(self) -> bool {
        bit(self.0, 60)
    }
    /// Read draining (`cap_read_drain`, bit 55).
    pub const fn read_drain(self) -> bool {
        bit(self.0, 55)
    }
    /// Write draining (`cap_write_drain`, bit 54).
    pub const fn write_drain(self) -> bool {
        bit(self.0, 54)
    }
    /// The largest address mask of a page-selective IOTLB invalidation, an order of 4 KiB pages
    /// (`cap_max_amask_val`, bits 53:48).
    pub const fn max_amask(self) -> u32 {
        ((self.0 >> 48) & 0x3f) as u32
    }
    /// Page-selective invalidation (`cap_pgsel_inv`, bit 39).
    pub const fn pgsel_inv(self) -> bool {
        bit(self.0, 39)
    }
    /// Second-stage large pages: bit 0 2 MiB, bit 1 1 GiB (`cap_super_page_val`, bits 37:34).
    pub const fn super_page(self) -> u32 {
        ((self.0 >> 34) & 0xf) as u32
    }
    /// The maximum guest address width in bits (`cap_mgaw`, bits 21:16, plus one).
    pub const fn mgaw(self) -> u32 {
        (((self.0 >> 16) & 0x3f) + 1) as u32
    }
    /// The supported second-stage table depths (`cap_sagaw`, bits 12:8).
    pub const fn sagaw(self) -> u32 {
        ((self.0 >> 8) & 0x1f) as u32
    }
    /// Caching mode: not-present entries may be cached (`cap_caching_mode`, bit 7).
    pub const fn caching_mode(self) -> bool {
        bit(self.0, 7)
    }
    /// Write-buffer flushing required (`cap_rwbf`, bit 4).
    pub const fn rwbf(self) -> bool {
        bit(self.0, 4)
    }
}

/// The extended capability register (`ECAP_REG`, 11.4.3), read as the C driver's `ecap_*()`
/// macros do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ecap(pub u64);

impl Ecap {
    /// Scalable-mode page-walk coherency (`ecap_smpwc`, bit 48).
    pub const fn smpwc(self) -> bool {
        bit(self.0, 48)
    }
    /// First-stage translation (`ecap_flts`, bit 47).
    pub const fn flts(self) -> bool {
        bit(self.0, 47)
    }
    /// Second-stage translation (`ecap_slts`, bit 46).
    pub const fn slts(self) -> bool {
        bit(self.0, 46)
    }
    /// Second-stage access/dirty bits (`ecap_slads`, bit 45).
    pub const fn slads(self) -> bool {
        bit(self.0, 45)
    }
    /// Scalable mode (`ecap_smts`, bit 43).
    pub const fn smts(self) -> bool {
        bit(self.0, 43)
    }
    /// PASIDs (`ecap_pasid`, bit 40).
    pub const fn pasid(self) -> bool {
        bit(self.0, 40)
    }
    /// Extended accessed flags (`ecap_eafs`, bit 34).
    pub const fn eafs(self) -> bool {
        bit(self.0, 34)
    }
    /// Supervisor requests (`ecap_srs`, bit 31).
    pub const fn srs(self) -> bool {
        bit(self.0, 31)
    }
    /// Nested translation (`ecap_nest`, bit 26).
    pub const fn nest(self) -> bool {
        bit(self.0, 26)
    }
    /// Snoop control (`ecap_sc_support`, bit 7).
    pub const fn sc(self) -> bool {
        bit(self.0, 7)
    }
    /// Pass-through (`ecap_pass_through`, bit 6).
    pub const fn pass_through(self) -> bool {
        bit(self.0, 6)
    }
    /// Device-TLBs, ATS (`ecap_dev_iotlb_support`, bit 2).
    pub const fn dev_iotlb(self) -> bool {
        bit(self.0, 2)
    }
    /// Queued invalidation (`ecap_qis`, bit 1).
    pub const fn qis(self) -> bool {
        bit(self.0, 1)
    }
    /// Coherent table walks (`ecap_coherent`, bit 0).
    pub const fn coherent(self) -> bool {
        bit(self.0, 0)
    }
}

/// Whether nested translation can be set up (`nested_supported()`, `iommu.h`): scalable mode
/// and `ECAP.NEST`.
pub const fn nested_supported(sm: bool, ecap: Ecap) -> bool {
    sm && ecap.nest()
}

/// Whether second-stage dirty tracking can be set up (`ssads_supported()`, `iommu.h`): scalable
/// mode, `ECAP.SLADS` and `ECAP.SMPWC`.
pub const fn ssads_supported(sm: bool, ecap: Ecap) -> bool {
    sm && ecap.slads() && ecap.smpwc()
}

/// The default domain type a device of a unit with `ecap` requires (`device_def_domain_type()`):
/// a DMA domain on a unit without pass-through (`ECAP.PT`), whatever the command line asks;
/// otherwise an identity domain if `identity_quirk()` (C's Azalia and integrated-GPU quirks,
/// asked only then, as C does), or none.
pub fn def_domain_type(ecap: Ecap, identity_quirk: impl FnOnce() -> bool) -> Option<DefDomainType> {
    if !ecap.pass_through() {
        Some(DefDomainType::Dma)
    } else if identity_quirk() {
        Some(DefDomainType::Identity)
    } else {
        None
    }
}

/// The PASID Granular Translation Type of a scalable-mode PASID-table entry (`PGTT`, 9.6;
/// `PASID_ENTRY_PGTT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Pgtt {
    /// First-stage translation only (`PASID_ENTRY_PGTT_FL_ONLY`, 001b).
    FirstStage = 1,
    /// Second-stage translation only (`PASID_ENTRY_PGTT_SL_ONLY`, 010b).
    SecondStage = 2,
    /// Nested translation, first stage then second (`PASID_ENTRY_PGTT_NESTED`, 011b).
    Nested = 3,
    /// Pass-through (`PASID_ENTRY_PGTT_PT`, 100b).
    PassThrough = 4,
}

/// A first-stage table to program (`pasid_pte_config_first_level()`).
#[derive(Clone, Copy, Debug)]
pub struct FirstStage {
    /// The root of the table (FSPTPTR), a 4 KiB-aligned PA.
    pub fsptptr: u64,
    /// The domain ID the entry tags its translations with.
    pub did: u16,
    /// The unit's adjusted guest address width (`iommu->agaw`: 1 for 39 bits, 2 for 48, 3 for
    /// 57).
    pub agaw: u8,
    /// 5-level paging (`PASID_FLAG_FL5LP`).
    pub five_level: bool,
    /// Page snoop: DMA through the table snoops (`PASID_FLAG_PAGE_SNOOP`, PGSNP).
    pub pgsnp: bool,
    /// Page-walk snoop (`PASID_FLAG_PWSNP`, PWSNP).
    pub pwsnp: bool,
}

/// A second-stage table to program (`pasid_pte_config_second_level()`), as
/// `pt_iommu_vtdss_hw_info()` describes it.
#[derive(Clone, Copy, Debug)]
pub struct SecondStage {
    /// The root of the table (SSPTPTR), a 4 KiB-aligned PA.
    pub ssptptr: u64,
    /// The table's address width field (AW: 1 for 3 levels, 2 for 4, 3 for 5).
    pub aw: u8,
    /// The domain ID.
    pub did: u16,
    /// The table's walks are snooped (not `PT_FEAT_DMA_INCOHERENT`): sets PWSNP.
    pub coherent: bool,
    /// Dirty tracking is on (SSADE).
    pub dirty_tracking: bool,
}

/// `IOMMU_VTD_S1_SRE`: the user's stage 1 takes supervisor requests.
pub const VTD_S1_SRE: u64 = 1 << 0;
/// `IOMMU_VTD_S1_EAFE`: extended accessed flags.
pub const VTD_S1_EAFE: u64 = 1 << 1;
/// `IOMMU_VTD_S1_WPE`: write protect, for supervisor requests.
pub const VTD_S1_WPE: u64 = 1 << 2;

/// A user's stage-1 table (`struct iommu_hwpt_vtd_s1`, `IOMMU_HWPT_DATA_VTD_S1`).
#[derive(Clone, Copy, Debug)]
pub struct VtdS1 {
    /// `IOMMU_VTD_S1_*`.
    pub flags: u64,
    /// The root of the user's stage-1 table, an IPA (a guest PA the parent's stage 2
    /// translates).
    pub pgtbl_addr: u64,
    /// The input address width in bits: [`ADDR_WIDTH_4LEVEL`] or [`ADDR_WIDTH_5LEVEL`].
    pub addr_width: u32,
}

impl VtdS1 {
    /// Checks the stage 1 against the unit before a nested PASID entry is written, as
    /// `intel_pasid_setup_nested()` does.
    ///
    /// # Errors
    ///
    /// `EINVAL` for an address width other than 48 or 57 bits, 57 bits without `CAP.FL5LP`,
    /// [`VTD_S1_SRE`] without `ECAP.SRS`, or [`VTD_S1_EAFE`] without `ECAP.EAFS`.
    pub fn check(&self, cap: Cap, ecap: Ecap) -> Result {
        match self.addr_width {
            ADDR_WIDTH_4LEVEL => {}
            ADDR_WIDTH_5LEVEL if cap.fl5lp() => {}
            _ => return Err(EINVAL),
        }
        if self.flags & VTD_S1_SRE != 0 && !ecap.srs() {
            return Err(EINVAL);
        }
        if self.flags & VTD_S1_EAFE != 0 && !ecap.eafs() {
            return Err(EINVAL);
        }
        Ok(())
    }
}

/// A scalable-mode PASID-table entry (`struct pasid_entry`, 9.6): 512 bits, as eight
/// little-endian quadwords.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(transparent)]
pub struct PasidEntry(pub [u64; 8]);

impl PasidEntry {
    fn set(&mut self, qw: usize, mask: u64, bits: u64) {
        self.0[qw] = (self.0[qw] & !mask) | (bits & mask);
    }
    fn set_did(&mut self, did: u16) {
        self.set(1, 0xffff, did.into());
    }
    fn set_aw(&mut self, aw: u8) {
        self.set(0, 0x7 << 2, u64::from(aw) << 2);
    }
    fn set_pgtt(&mut self, pgtt: Pgtt) {
        self.set(0, 0x7 << 6, (pgtt as u64) << 6);
    }
    fn set_slptr(&mut self, ptr: u64) {
        self.set(0, VTD_PAGE_MASK, ptr);
    }
    fn set_flptr(&mut self, ptr: u64) {
        self.set(2, VTD_PAGE_MASK, ptr);
    }
    fn set_bit(&mut self, qw: usize, n: u32, on: bool) {
        self.set(qw, 1 << n, u64::from(on) << n);
    }
    fn set_ss(&mut self, ss: &SecondStage) {
        self.set_slptr(ss.ssptptr);
        self.set_did(ss.did);
        self.set_aw(ss.aw);
        // PWSNP (bit 87): the walks of a coherent table snoop.
        self.set_bit(1, 23, ss.coherent);
        // SSADE (bit 9).
        self.set_bit(0, 9, ss.dirty_tracking);
    }

    /// Present (P, bit 0).
    pub const fn present(&self) -> bool {
        bit(self.0[0], 0)
    }
    /// The PASID Granular Translation Type field (bits 8:6).
    pub const fn pgtt(&self) -> u8 {
        ((self.0[0] >> 6) & 0x7) as u8
    }
    /// Second-stage access/dirty tracking is on (SSADE, bit 9).
    pub const fn ssade(&self) -> bool {
        bit(self.0[0], 9)
    }
    /// The domain ID (bits 79:64).
    pub const fn did(&self) -> u16 {
        self.0[1] as u16
    }

    /// A present first-stage entry (`pasid_pte_config_first_level()`): FSPTPTR, FLPM for
    /// 5-level paging, PGSNP, DID, AW from the unit's AGAW, PWSNP, PGTT 001b.
    pub fn first_stage(fs: &FirstStage) -> Self {
        let mut e = Self::default();
        e.set_flptr(fs.fsptptr);
        // FLPM (bits 131:130): 01b for 5-level paging.
        if fs.five_level {
            e.set(2, 0x3 << 2, 1 << 2);
        }
        // PGSNP (bit 88).
        e.set_bit(1, 24, fs.pgsnp);
        e.set_did(fs.did);
        e.set_aw(fs.agaw);
        e.set_bit(1, 23, fs.pwsnp);
        e.set_pgtt(Pgtt::FirstStage);
        e.set_bit(0, 0, true);
        e
    }

    /// A present second-stage entry (`pasid_pte_config_second_level()`): DID, SSPTPTR, AW,
    /// PGTT 010b, faults reported (FPD clear), PWSNP for a coherent table, SSADE for dirty
    /// tracking.
    pub fn second_stage(ss: &SecondStage) -> Self {
        let mut e = Self::default();
        e.set_ss(ss);
        e.set_pgtt(Pgtt::SecondStage);
        e.set_bit(0, 0, true);
        e
    }

    /// A present pass-through entry (`pasid_pte_config_pass_through()`): DID (the C driver uses
    /// `FLPT_DEFAULT_DID`), AW from the unit's AGAW, PGTT 100b, PWSNP if `ECAP.SMPWC`.
    pub fn pass_through(did: u16, agaw: u8, ecap: Ecap) -> Self {
        let mut e = Self::default();
        e.set_did(did);
        e.set_aw(agaw);
        e.set_pgtt(Pgtt::PassThrough);
        e.set_bit(1, 23, ecap.smpwc());
        e.set_bit(0, 0, true);
        e
    }

    /// A present nested entry (`pasid_pte_config_nested()`): the user's stage 1 (FSPTPTR, FLPM
    /// for 57 bits, SRE and then WPE, EAFE) on the parent's second stage `ss`, PGSNP if the
    /// parent forces snooping, PGTT 011b. Check `s1` with [`VtdS1::check`] first.
    pub fn nested(s1: &VtdS1, ss: &SecondStage, force_snooping: bool) -> Self {
        let mut e = Self::default();
        if s1.addr_width == ADDR_WIDTH_5LEVEL {
            e.set(2, 0x3 << 2, 1 << 2);
        }
        e.set_flptr(s1.pgtbl_addr);
        if s1.flags & VTD_S1_SRE != 0 {
            // SRE (bit 128), and WPE (bit 132) only with it.
            e.set_bit(2, 0, true);
            e.set_bit(2, 4, s1.flags & VTD_S1_WPE != 0);
        }
        // EAFE (bit 135).
        e.set_bit(2, 7, s1.flags & VTD_S1_EAFE != 0);
        e.set_bit(1, 24, force_snooping);
        e.set_ss(ss);
        e.set_pgtt(Pgtt::Nested);
        e.set_bit(0, 0, true);
        e
    }
}

/// The granularity of an IOTLB invalidation (`DMA_TLB_*_FLUSH`, 6.5.2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum IotlbGran {
    /// Every domain (`DMA_TLB_GLOBAL_FLUSH`).
    Global = 1,
    /// One domain (`DMA_TLB_DSI_FLUSH`).
    Domain = 2,
    /// Pages of one domain (`DMA_TLB_PSI_FLUSH`).
    Page = 3,
}

/// The granularity of a PASID-cache invalidation (`QI_PC_*`, 6.5.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PasidCacheGran {
    /// Every PASID of a domain (`QI_PC_ALL_PASIDS`).
    AllPasids = 0,
    /// One PASID of a domain (`QI_PC_PASID_SEL`).
    PasidSelective = 1,
    /// Everything (`QI_PC_GLOBAL`).
    Global = 3,
}

/// The granularity of a context-cache invalidation (`DMA_CCMD_*_INVL`, 6.5.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ContextGran {
    /// Everything (`DMA_CCMD_GLOBAL_INVL`).
    Global = 1,
    /// One domain (`DMA_CCMD_DOMAIN_INVL`).
    Domain = 2,
    /// One device (`DMA_CCMD_DEVICE_INVL`).
    Device = 3,
}

/// A queued-invalidation descriptor (`struct qi_desc`, 6.5.2): 256 bits, four quadwords.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(transparent)]
pub struct QiDesc(pub [u64; 4]);

/// The source-ID bits of a physical function in device-TLB descriptors (`QI_DEV_IOTLB_PFSID`).
const fn pfsid_bits(pfsid: u16) -> u64 {
    (((pfsid & 0xf) as u64) << 12) | ((((pfsid >> 4) & 0xfff) as u64) << 52)
}

impl QiDesc {
    /// A context-cache invalidation (`qi_flush_context()`): function mask `fm`, source ID
    /// `sid`, domain `did`.
    pub const fn context(did: u16, sid: u16, fm: u8, gran: ContextGran) -> Self {
        Self([
            ((fm as u64) << 48)
                | ((sid as u64) << 32)
                | ((did as u64) << 16)
                | ((gran as u64) << 4)
                | 0x1,
            0,
            0,
            0,
        ])
    }

    /// An IOTLB invalidation (`qi_desc_iotlb()`): of `did`, at the IOVA `addr` (bit 0: the
    /// invalidation hint, IH) for 2^`size_order` pages, draining reads and writes where the
    /// unit can.
    pub const fn iotlb(cap: Cap, did: u16, addr: u64, size_order: u32, gran: IotlbGran) -> Self {
        Self([
            ((did as u64) << 16)
                | ((cap.read_drain() as u64) << 7)
                | ((cap.write_drain() as u64) << 6)
                | ((gran as u64) << 4)
                | 0x2,
            (addr & VTD_PAGE_MASK) | ((addr & 1) << 6) | ((size_order as u8) & 0x3f) as u64,
            0,
            0,
        ])
    }

    /// A device-TLB invalidation (`qi_desc_dev_iotlb()`): of the device `sid` (its PF `pfsid`,
    /// invalidation queue depth `qdep`) at the IOVA `addr`, for 2^`mask` pages (`mask` at most
    /// [`MAX_AGAW_PFN_WIDTH`]).
    pub const fn dev_iotlb(sid: u16, pfsid: u16, qdep: u16, addr: u64, mask: u32) -> Self {
        let qw1 = if mask != 0 {
            ((addr | ((1u64 << (VTD_PAGE_SHIFT + mask - 1)) - 1)) & VTD_PAGE_MASK) | 1
        } else {
            addr & VTD_PAGE_MASK
        };
        // A queue depth of 32 or more is encoded as 0.
        let qdep = if qdep >= 32 { 0 } else { qdep };
        Self([
            ((sid as u64) << 32) | (((qdep & 0x1f) as u64) << 16) | 0x3 | pfsid_bits(pfsid),
            qw1,
            0,
            0,
        ])
    }

    /// A PASID-based IOTLB invalidation of every address of `pasid` in `did`
    /// (`qi_desc_piotlb_all()`).
    pub const fn piotlb_all(did: u16, pasid: u32) -> Self {
        Self([
            ((pasid as u64) << 32) | ((did as u64) << 16) | (2 << 4) | 0x6,
            0,
            0,
            0,
        ])
    }

    /// A PASID-based IOTLB invalidation of 2^`size_order` pages at the IOVA `addr`
    /// (`qi_desc_piotlb()`; `addr` and `size_order` from [`psi_aligned`]).
    pub const fn piotlb(did: u16, pasid: u32, addr: u64, size_order: u32, ih: bool) -> Self {
        Self([
            ((pasid as u64) << 32) | ((did as u64) << 16) | (3 << 4) | 0x6,
            (addr & VTD_PAGE_MASK) | ((ih as u64) << 6) | (size_order as u64 & 0x3f),
            0,
            0,
        ])
    }

    /// A PASID-based device-TLB invalidation (`qi_desc_dev_iotlb_pasid()`): of `pasid` of the
    /// device `sid`, 2^`size_order` pages at the IOVA `addr` (the whole space from
    /// [`MAX_AGAW_PFN_WIDTH`] up), the size encoded by the least significant zero bit of the
    /// address (6.5.2.6).
    pub const fn dev_iotlb_pasid(
        sid: u16,
        pfsid: u16,
        pasid: u32,
        qdep: u16,
        addr: u64,
        size_order: u32,
    ) -> Self {
        let size_order = if size_order > MAX_AGAW_PFN_WIDTH {
            MAX_AGAW_PFN_WIDTH
        } else {
            size_order
        };
        let mut qw1 = addr & VTD_PAGE_MASK;
        if size_order != 0 {
            // Bits 12 .. 12 + size_order - 2 set, bit 12 + size_order - 1 clear, S set.
            let low = ((1u64 << (size_order - 1)) - 1) << VTD_PAGE_SHIFT;
            qw1 |= low;
            qw1 &= !(1u64 << (VTD_PAGE_SHIFT + size_order - 1));
            qw1 |= 1 << 11;
        }
        Self([
            (((pasid & 0xfffff) as u64) << 32)
                | ((sid as u64) << 16)
                | (((qdep & 0x1f) as u64) << 4)
                | 0x8
                | pfsid_bits(pfsid),
            qw1,
            0,
            0,
        ])
    }

    /// A PASID-cache invalidation (`qi_flush_pasid_cache()`).
    pub const fn pasid_cache(did: u16, gran: PasidCacheGran, pasid: u32) -> Self {
        Self([
            ((pasid as u64) << 32) | ((did as u64) << 16) | ((gran as u64) << 4) | 0x7,
            0,
            0,
            0,
        ])
    }
}

/// The smallest naturally aligned range of the IOVAs `start..=last`
/// (`calculate_psi_aligned_address()`): its first IOVA and its order in 4 KiB pages. An order of
/// [`MAX_AGAW_PFN_WIDTH`] (with address 0) means every address.
pub const fn psi_aligned(start: u64, last: u64) -> (u64, u32) {
    let start = start & VTD_PAGE_MASK;
    let sz_lg2 = 64 - (start ^ last).leading_zeros();
    if sz_lg2 <= VTD_PAGE_SHIFT {
        (start, 0)
    } else if sz_lg2 >= 64 {
        (0, MAX_AGAW_PFN_WIDTH)
    } else {
        (start & (!0u64 << sz_lg2), sz_lg2 - VTD_PAGE_SHIFT)
    }
}

/// `IOMMU_VTD_INV_FLAGS_LEAF`: only leaf entries changed.
pub const VTD_INV_FLAGS_LEAF: u32 = 1 << 0;

/// One request of `IOMMU_HWPT_INVALIDATE_DATA_VTD_S1` (`struct iommu_hwpt_vtd_s1_invalidate`).
#[derive(Clone, Copy, Debug)]
pub struct VtdS1Invalidate {
    /// The first IOVA, 4 KiB-aligned.
    pub addr: u64,
    /// The number of 4 KiB pages; `u64::MAX` (with `addr` 0) for every address.
    pub npages: u64,
    /// `IOMMU_VTD_INV_FLAGS_*`.
    pub flags: u32,
    /// Must be 0.
    pub reserved: u32,
}

impl VtdS1Invalidate {
    /// Checks a request and returns the IOVA range it covers, `(first, last, leaf)`, as
    /// `intel_nested_cache_invalidate_user()` does before `cache_tag_flush_range()`.
    ///
    /// # Errors
    ///
    /// `EOPNOTSUPP` for a flag other than [`VTD_INV_FLAGS_LEAF`] or a non-zero reserved field;
    /// `EINVAL` for an address that is not 4 KiB-aligned, or `npages` of `u64::MAX` with a
    /// non-zero address.
    pub fn range(&self) -> Result<(u64, u64, bool)> {
        if self.flags & !VTD_INV_FLAGS_LEAF != 0 || self.reserved != 0 {
            return Err(EOPNOTSUPP);
        }
        if self.addr % VTD_PAGE_SIZE != 0 || (self.npages == u64::MAX && self.addr != 0) {
            return Err(EINVAL);
        }
        // As C computes it, in unsigned long: `u64::MAX` pages wrap to the top of the space.
        let last = self
            .addr
            .wrapping_add(self.npages.wrapping_shl(VTD_PAGE_SHIFT))
            .wrapping_sub(1);
        Ok((self.addr, last, self.flags & VTD_INV_FLAGS_LEAF != 0))
    }
}

/// The checks of a second-stage paging domain's allocation flags
/// (`intel_iommu_domain_alloc_second_stage()`), on a unit in scalable mode `sm` with `ecap`.
///
/// # Errors
///
/// `EOPNOTSUPP` for a flag other than `NEST_PARENT`, `DIRTY_TRACKING` and `PASID`, for
/// `NEST_PARENT` on a unit that does not nest ([`nested_supported`]), for `DIRTY_TRACKING` on
/// one without second-stage dirty tracking ([`ssads_supported`]), and for a unit in scalable
/// mode without second-stage translation.
pub fn second_stage_alloc_check(sm: bool, ecap: Ecap, flags: u32) -> Result {
    let known = alloc_flags::NEST_PARENT | alloc_flags::DIRTY_TRACKING | alloc_flags::PASID;
    if flags & !known != 0 {
        return Err(EOPNOTSUPP);
    }
    if (flags & alloc_flags::NEST_PARENT != 0 && !nested_supported(sm, ecap))
        || (flags & alloc_flags::DIRTY_TRACKING != 0 && !ssads_supported(sm, ecap))
    {
        return Err(EOPNOTSUPP);
    }
    if sm && !ecap.slts() {
        return Err(EOPNOTSUPP);
    }
    Ok(())
}

/// The checks of a nested domain's allocation (`intel_iommu_domain_alloc_nested()`), in its
/// order, before the user data is copied: on a unit in scalable mode `sm` with `ecap`, with the
/// `IOMMU_HWPT_ALLOC_*` `flags`, user data of type `data_type`, on a parent that is a
/// second-stage nest parent or not (`parent_ok`).
///
/// # Errors
///
/// `EOPNOTSUPP` on a unit that does not nest or for a flag other than `PASID`, then for a type
/// other than `IOMMU_HWPT_DATA_VTD_S1`; `EINVAL` for a parent that is not a second-stage nest
/// parent.
pub fn nested_alloc_check(
    sm: bool,
    ecap: Ecap,
    flags: u32,
    data_type: u32,
    parent_ok: bool,
) -> Result {
    if !nested_supported(sm, ecap) || flags & !alloc_flags::PASID != 0 {
        return Err(EOPNOTSUPP);
    }
    if data_type != vtd::HWPT_DATA_VTD_S1 {
        return Err(EOPNOTSUPP);
    }
    if !parent_ok {
        return Err(EINVAL);
    }
    Ok(())
}

/// The invalidation of the IOVAs `first..=last` of a nested domain's domain ID `did`, for the
/// RID (`cache_tag_flush_range()` on a nested domain: PASID-based, page-selective or of every
/// address), with the invalidation hint `leaf` (only leaf entries changed).
pub const fn nested_invalidation(did: u16, first: u64, last: u64, leaf: bool) -> QiDesc {
    let (addr, order) = psi_aligned(first, last);
    if order >= MAX_AGAW_PFN_WIDTH {
        QiDesc::piotlb_all(did, 0)
    } else {
        QiDesc::piotlb(did, 0, addr, order, leaf)
    }
}

#[cfg(CONFIG_INTEL_IOMMU_RUST_KUNIT_TEST)]
#[kunit_tests(intel_iommu_rs_hw)]
mod tests {
    use super::*;
    use crate::c_ref;

    /// A deterministic generator (xorshift64*), so that a failure can be reproduced.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn bool(&mut self) -> bool {
            self.next() & 1 != 0
        }
        /// A value with about half of its bits random and the others set or clear, to reach
        /// both ends of every field.
        fn wide(&mut self) -> u64 {
            match self.next() % 4 {
                0 => 0,
                1 => !0,
                _ => self.next(),
            }
        }
    }

    const ROUNDS: usize = 2000;

    #[test]
    fn def_domain_type_as_c() -> Result {
        // `device_def_domain_type()`: no pass-through forces DMA before the quirks are asked.
        const PT: u64 = 1 << 6;
        let mut rng = Rng(0x0064_6566_5f64_6f6d);
        for _ in 0..ROUNDS {
            let ecap = rng.wide();
            let quirk = rng.bool();
            let mut asked = false;
            let t = def_domain_type(Ecap(ecap), || {
                asked = true;
                quirk
            });
            let want = match (ecap & PT != 0, quirk) {
                (false, _) => Some(DefDomainType::Dma),
                (true, true) => Some(DefDomainType::Identity),
                (true, false) => None,
            };
            assert_eq!(t, want);
            assert_eq!(asked, ecap & PT != 0);
        }
        Ok(())
    }

    #[test]
    fn first_stage_entries_equal_c() -> Result {
        let mut r = Rng(0x1234_5678_9abc_def1);
        for _ in 0..ROUNDS {
            let fs = FirstStage {
                fsptptr: r.wide() & VTD_PAGE_MASK,
                did: r.next() as u16,
                agaw: (r.next() % 8) as u8,
                five_level: r.bool(),
                pgsnp: r.bool(),
                pwsnp: r.bool(),
            };
            let c = c_ref::pasid_fs(r.wide(), r.wide(), &fs)?;
            assert_eq!(PasidEntry::first_stage(&fs), c);
        }
        Ok(())
    }

    #[test]
    fn second_stage_entries_equal_c() -> Result {
        let mut r = Rng(0x0fed_cba9_8765_4321);
        for round in 0..ROUNDS / 10 {
            let top_level = 2 + (round % 3) as u32;
            let t = c_ref::SsTable {
                top_level,
                did: r.next() as u16,
                coherent: r.bool(),
                dirty_tracking: r.bool(),
            };
            let (c, ss) = c_ref::pasid_ss(r.wide(), r.wide(), &t)?;
            assert_eq!(u32::from(ss.aw), top_level - 1);
            assert_eq!(PasidEntry::second_stage(&ss), c);
            assert_eq!(c.pgtt(), Pgtt::SecondStage as u8);
            assert_eq!(c.ssade(), t.dirty_tracking);
        }
        Ok(())
    }

    #[test]
    fn pass_through_entries_equal_c() -> Result {
        let mut r = Rng(0x5555_aaaa_0f0f_f0f0);
        for _ in 0..ROUNDS {
            let (cap, ecap, agaw, did) =
                (r.wide(), r.wide(), (r.next() % 8) as u8, r.next() as u16);
            let c = c_ref::pasid_pt(cap, ecap, agaw, did)?;
            assert_eq!(PasidEntry::pass_through(did, agaw, Ecap(ecap)), c);
        }
        Ok(())
    }

    #[test]
    fn nested_entries_equal_c() -> Result {
        let mut r = Rng(0x0123_4567_89ab_cdef);
        for round in 0..ROUNDS / 10 {
            let top_level = 2 + (round % 3) as u32;
            let s1 = VtdS1 {
                flags: r.next() & 0x7,
                pgtbl_addr: r.wide() & VTD_PAGE_MASK,
                addr_width: if r.bool() {
                    ADDR_WIDTH_4LEVEL
                } else {
                    ADDR_WIDTH_5LEVEL
                },
            };
            let t = c_ref::SsTable {
                top_level,
                did: r.next() as u16,
                coherent: r.bool(),
                dirty_tracking: r.bool(),
            };
            let snoop = r.bool();
            let (c, ss) = c_ref::pasid_nested(r.wide(), r.wide(), &t, &s1, snoop)?;
            assert_eq!(PasidEntry::nested(&s1, &ss, snoop), c);
            assert_eq!(c.pgtt(), Pgtt::Nested as u8);
        }
        Ok(())
    }

    /// C ORs the user's whole `pgtbl_addr` into the entry: an unaligned one sets SRE (and WPE,
    /// FLPM, EAFE) behind the back of the checks. The Rust entry keeps only the address bits.
    #[test]
    fn nested_entry_drops_low_bits_of_pgtbl_addr() -> Result {
        let s1 = VtdS1 {
            flags: 0,
            pgtbl_addr: 0x1234_5000 | 0x91,
            addr_width: ADDR_WIDTH_4LEVEL,
        };
        let t = c_ref::SsTable {
            top_level: 3,
            did: 7,
            coherent: true,
            dirty_tracking: false,
        };
        let (c, ss) = c_ref::pasid_nested(0, 0, &t, &s1, false)?;
        // C: SRE (bit 128) and EAFE (bit 135) set although the flags ask for neither.
        assert_eq!(c.0[2] & 0x81, 0x81);
        let rust = PasidEntry::nested(&s1, &ss, false);
        assert_eq!(rust.0[2], 0x1234_5000);
        let aligned = VtdS1 {
            pgtbl_addr: 0x1234_5000,
            ..s1
        };
        assert_eq!(rust, PasidEntry::nested(&aligned, &ss, false));
        Ok(())
    }

    #[test]
    fn qi_descriptors_equal_c() -> Result {
        let mut r = Rng(0xdead_beef_cafe_f00d);
        for _ in 0..ROUNDS {
            let (did, sid, pfsid) = (r.next() as u16, r.next() as u16, r.next() as u16);
            let (pasid, addr) = (r.next() as u32, r.wide());
            let qdep = (r.next() % 40) as u16;
            let cap = Cap(r.wide());

            let order = (r.next() % 70) as u32;
            for gran in [IotlbGran::Global, IotlbGran::Domain, IotlbGran::Page] {
                let c = c_ref::qi_iotlb(cap, did, addr, order, gran);
                assert_eq!(QiDesc::iotlb(cap, did, addr, order, gran), c);
            }
            let mask = (r.next() % (u64::from(MAX_AGAW_PFN_WIDTH) + 1)) as u32;
            assert_eq!(
                QiDesc::dev_iotlb(sid, pfsid, qdep, addr, mask),
                c_ref::qi_dev_iotlb(sid, pfsid, qdep, addr, mask)
            );
            assert_eq!(
                QiDesc::piotlb_all(did, pasid),
                c_ref::qi_piotlb_all(did, pasid)
            );
            let ih = r.bool();
            assert_eq!(
                QiDesc::piotlb(did, pasid, addr, order, ih),
                c_ref::qi_piotlb(did, pasid, addr, order, ih)
            );
            // Aligned, as the callers pass it (C warns of an unaligned one).
            let so = (r.next() % 60) as u32;
            let aligned = if so >= MAX_AGAW_PFN_WIDTH {
                addr & VTD_PAGE_MASK
            } else {
                addr & (!0u64 << (VTD_PAGE_SHIFT + so))
            };
            assert_eq!(
                QiDesc::dev_iotlb_pasid(sid, pfsid, pasid, qdep, aligned, so),
                c_ref::qi_dev_iotlb_pasid(sid, pfsid, pasid, qdep, aligned, so)
            );
            for gran in [
                PasidCacheGran::AllPasids,
                PasidCacheGran::PasidSelective,
                PasidCacheGran::Global,
            ] {
                assert_eq!(
                    QiDesc::pasid_cache(did, gran, pasid),
                    c_ref::qi_pasid_cache(did, gran, pasid)
                );
            }
            let fm = (r.next() % 4) as u8;
            for gran in [
                ContextGran::Global,
                ContextGran::Domain,
                ContextGran::Device,
            ] {
                assert_eq!(
                    QiDesc::context(did, sid, fm, gran),
                    c_ref::qi_context(did, sid, fm, gran)
                );
            }
        }
        Ok(())
    }

    #[test]
    fn psi_ranges_equal_c() -> Result {
        let mut r = Rng(0x0bad_c0de_1357_9bdf);
        for i in 0..ROUNDS * 4 {
            let start = r.wide();
            // Short, long and whole-space ranges.
            let len = match i % 4 {
                0 => r.next() % 0x10000,
                1 => r.next() % (1 << 40),
                2 => r.next(),
                _ => u64::MAX,
            };
            let last = start.saturating_add(len);
            assert_eq!(psi_aligned(start, last), c_ref::psi_aligned(start, last));
        }
        // The smallest aligned range that covers start..=last: 32 KiB at 64 KiB.
        assert_eq!(psi_aligned(0x1_3000, 0x1_4fff), (0x1_0000, 3));
        assert_eq!(psi_aligned(0x1_3fff, 0x1_3000), (0x1_3000, 0));
        Ok(())
    }

    #[test]
    fn vtd_s1_checks_keep_c_errno() -> Result {
        let none = (Cap(0), Ecap(0));
        let all = (Cap(1 << 60), Ecap((1 << 31) | (1 << 34)));
        let s1 = |flags, addr_width| VtdS1 {
            flags,
            pgtbl_addr: 0x1000,
            addr_width,
        };
        // (stage 1, unit, result) as intel_pasid_setup_nested() decides.
        let cases = [
            (s1(0, 48), none, Ok(())),
            (s1(0, 57), none, Err(EINVAL)),
            (s1(0, 57), all, Ok(())),
            (s1(0, 39), all, Err(EINVAL)),
            (s1(0, 0), all, Err(EINVAL)),
            (s1(VTD_S1_SRE, 48), none, Err(EINVAL)),
            (s1(VTD_S1_SRE | VTD_S1_WPE, 48), all, Ok(())),
            (s1(VTD_S1_EAFE, 48), none, Err(EINVAL)),
            (s1(VTD_S1_EAFE, 48), all, Ok(())),
            // WPE without SRE is not checked, and not written.
            (s1(VTD_S1_WPE, 48), none, Ok(())),
        ];
        for (s, (cap, ecap), want) in cases {
            assert_eq!(s.check(cap, ecap), want);
        }
        Ok(())
    }

    #[test]
    fn vtd_s1_invalidations_keep_c_errno() -> Result {
        let inv = |addr, npages, flags, reserved| VtdS1Invalidate {
            addr,
            npages,
            flags,
            reserved,
        };
        // As intel_nested_cache_invalidate_user() decides, flags first.
        assert_eq!(inv(0x1000, 1, 2, 0).range(), Err(EOPNOTSUPP));
        assert_eq!(inv(0x1001, 1, 2, 0).range(), Err(EOPNOTSUPP));
        assert_eq!(inv(0x1000, 1, 0, 1).range(), Err(EOPNOTSUPP));
        assert_eq!(inv(0x1001, 1, 0, 0).range(), Err(EINVAL));
        assert_eq!(inv(0x1000, u64::MAX, 0, 0).range(), Err(EINVAL));
        assert_eq!(inv(0x1000, 2, 1, 0).range(), Ok((0x1000, 0x2fff, true)));
        assert_eq!(
            inv(0, u64::MAX, 0, 0).range(),
            Ok((0, 0xffff_ffff_ffff_efff, false))
        );
        // The whole space is one invalidation of every address.
        assert_eq!(
            psi_aligned(0, 0xffff_ffff_ffff_efff),
            (0, MAX_AGAW_PFN_WIDTH)
        );
        assert_eq!(inv(0, 0, 0, 0).range(), Ok((0, u64::MAX, false)));
        Ok(())
    }

    /// The allocation checks on a fake unit that nests (scalable mode, `ECAP.NEST`, `ECAP.SLTS`),
    /// on one that also tracks dirty pages (`ECAP.SLADS`) and on ones like QEMU's (neither), with
    /// the errno of the C functions they keep.
    #[test]
    fn vtd_s1_allocation_keeps_c_errno() -> Result {
        let nest = Ecap((1 << 26) | (1 << 46) | (1 << 43));
        let qemu_fs = Ecap((1 << 47) | (1 << 43));
        let qemu_ss = Ecap((1 << 46) | (1 << 43));
        // Second-stage dirty tracking: SLADS (45), SMPWC (48), NEST too for the parent rows.
        let slads = Ecap(nest.0 | (1 << 45) | (1 << 48));
        let slads_incoherent = Ecap(slads.0 & !(1 << 48));
        let (np, dirty, pasid) = (
            alloc_flags::NEST_PARENT,
            alloc_flags::DIRTY_TRACKING,
            alloc_flags::PASID,
        );
        // intel_iommu_domain_alloc_second_stage().
        let ss = [
            (true, nest, 0, Ok(())),
            (true, nest, np, Ok(())),
            (true, nest, np | pasid, Ok(())),
            (true, nest, 1 << 7, Err(EOPNOTSUPP)),
            (true, nest, dirty, Err(EOPNOTSUPP)),
            (true, slads, dirty, Ok(())),
            (true, slads, dirty | np | pasid, Ok(())),
            (false, slads, dirty, Err(EOPNOTSUPP)),
            (true, slads_incoherent, dirty, Err(EOPNOTSUPP)),
            (false, nest, np, Err(EOPNOTSUPP)),
            (true, qemu_ss, np, Err(EOPNOTSUPP)),
            (true, qemu_ss, 0, Ok(())),
            (true, qemu_fs, 0, Err(EOPNOTSUPP)),
        ];
        for (sm, ecap, flags, want) in ss {
            assert_eq!(second_stage_alloc_check(sm, ecap, flags), want);
        }
        // intel_iommu_domain_alloc_nested(), in its order.
        let s1 = vtd::HWPT_DATA_VTD_S1;
        let nested = [
            (true, nest, 0, s1, true, Ok(())),
            (true, nest, pasid, s1, true, Ok(())),
            (true, nest, 0, s1, false, Err(EINVAL)),
            (true, nest, 0, s1 + 1, false, Err(EOPNOTSUPP)),
            (true, nest, np, s1, true, Err(EOPNOTSUPP)),
            (true, nest, dirty, s1 + 1, false, Err(EOPNOTSUPP)),
            (false, nest, 0, s1, true, Err(EOPNOTSUPP)),
            (true, qemu_fs, 0, s1, true, Err(EOPNOTSUPP)),
            (true, qemu_ss, 0, s1, false, Err(EOPNOTSUPP)),
        ];
        for (sm, ecap, flags, ty, parent_ok, want) in nested {
            assert_eq!(nested_alloc_check(sm, ecap, flags, ty, parent_ok), want);
        }
        Ok(())
    }

    /// A nested domain's invalidation requests, checked and converted, against C's conversion
    /// (`calculate_psi_aligned_address()`, then `qi_desc_piotlb()` or `qi_desc_piotlb_all()`).
    #[test]
    fn vtd_s1_invalidation_descriptors_equal_c() -> Result {
        let mut r = Rng(0x7357_1234_abcd_0042);
        for i in 0..ROUNDS {
            let req = VtdS1Invalidate {
                addr: if i % 7 == 0 {
                    0
                } else {
                    r.wide() & VTD_PAGE_MASK
                },
                npages: match i % 5 {
                    0 => u64::MAX,
                    1 => 1,
                    2 => r.next() % 512,
                    _ => r.next() % (1 << 30),
                },
                flags: (r.next() % 2) as u32,
                reserved: 0,
            };
            let Ok((first, last, leaf)) = req.range() else {
                // Only `u64::MAX` pages at a non-zero address.
                assert!(req.npages == u64::MAX && req.addr != 0);
                continue;
            };
            let did = r.next() as u16;
            let (addr, order) = c_ref::psi_aligned(first, last);
            let c = if order >= MAX_AGAW_PFN_WIDTH {
                c_ref::qi_piotlb_all(did, 0)
            } else {
                c_ref::qi_piotlb(did, 0, addr, order, leaf)
            };
            assert_eq!(nested_invalidation(did, first, last, leaf), c);
        }
        Ok(())
    }
}
