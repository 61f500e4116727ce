// SPDX-License-Identifier: GPL-2.0

//! SMMUv3 registers, stream table entries, context descriptors, commands and events.
//!
//! The layouts are those of the Arm SMMUv3 architecture specification (IHI 0070), chapters 6
//! (registers), 5.2 (STE), 5.4 (CD), 4 (commands) and 7.3 (events), with the field names of the C
//! driver (`drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h`). The encoders are pure functions of
//! their inputs, checked by the KUnit suite at the end against the values the C driver's
//! `arm_smmu_make_*()` functions write.

use kernel::{
    io::register,
    iommu::{
        ops::DefDomainType,
        pgtable::{Tcr, Vtcr},
    },
    prelude::*,
};

/// The size of the register file: page 0 and page 1 (64 KiB each).
pub(crate) const MMIO_SIZE: usize = 0x2_0000;

register! {
    /// `SMMU_IDR0`: features.
    pub(crate) IDR0(u32) @ 0x0 {
        /// Multi-level stream table support (1: 2-level).
        28:27 st_lvl;
        /// Stall model.
        25:24 stall_model;
        /// Translation table endianness (2: little endian only, 0: mixed).
        22:21 ttendian;
        /// 2-level context descriptor tables.
        19:19 cd2l => bool;
        /// 16-bit VMIDs.
        18:18 vmid16 => bool;
        /// Page request interface.
        16:16 pri => bool;
        /// MSIs.
        13:13 msi => bool;
        /// 16-bit ASIDs.
        12:12 asid16 => bool;
        /// ATS.
        10:10 ats => bool;
        /// Hypervisor stage 1.
        9:9 hyp => bool;
        /// Coherent accesses to tables and queues.
        4:4 cohacc => bool;
        /// Translation table formats (2: AArch64 only, 3: AArch32 and AArch64).
        3:2 ttf;
        /// Stage-1 translation.
        1:1 s1p => bool;
        /// Stage-2 translation.
        0:0 s2p => bool;
    }

    /// `SMMU_IDR1`: table and queue properties.
    pub(crate) IDR1(u32) @ 0x4 {
        /// Stream table and its base fixed.
        30:30 tables_preset => bool;
        /// Queue bases fixed.
        29:29 queues_preset => bool;
        /// log2 of the largest command queue.
        25:21 cmdqs;
        /// log2 of the largest event queue.
        20:16 evtqs;
        /// SubstreamID bits.
        10:6 ssidsize;
        /// StreamID bits.
        5:0 sidsize;
    }

    /// `SMMU_IDR2`: VATOS (read only for `hw_info`).
    pub(crate) IDR2(u32) @ 0x8 {
        31:0 value;
    }

    /// `SMMU_IDR3`.
    pub(crate) IDR3(u32) @ 0xc {
        /// Range invalidation.
        10:10 ril => bool;
        /// Stage-2 forced write-back.
        8:8 fwb => bool;
    }

    /// `SMMU_IDR4`: implementation defined (read only for `hw_info`).
    pub(crate) IDR4(u32) @ 0x10 {
        31:0 value;
    }

    /// `SMMU_IDR5`: granules and output address size.
    pub(crate) IDR5(u32) @ 0x14 {
        /// 52-bit VA with 64 KiB granules.
        11:10 vax;
        /// 52-bit addresses with 4 KiB and 16 KiB granules (`IDR5_DS`).
        7:7 ds => bool;
        /// 64 KiB granule.
        6:6 gran64k => bool;
        /// 16 KiB granule.
        5:5 gran16k => bool;
        /// 4 KiB granule.
        4:4 gran4k => bool;
        /// Output address size.
        2:0 oas;
    }

    /// `SMMU_IIDR`: implementation identification.
    pub(crate) IIDR(u32) @ 0x18 {
        31:0 value;
    }

    /// `SMMU_AIDR`: architecture version.
    pub(crate) AIDR(u32) @ 0x1c {
        31:0 value;
    }

    /// `SMMU_CR0`: enables.
    pub(crate) CR0(u32) @ 0x20 {
        /// Command queue enable.
        3:3 cmdqen => bool;
        /// Event queue enable.
        2:2 evtqen => bool;
        /// PRI queue enable.
        1:1 priqen => bool;
        /// Translation enable.
        0:0 smmuen => bool;
    }

    /// `SMMU_CR0ACK`: the enables the SMMU has applied.
    pub(crate) CR0ACK(u32) @ 0x24 {
        31:0 value;
    }

    /// `SMMU_CR1`: attributes of table and queue accesses.
    pub(crate) CR1(u32) @ 0x28 {
        /// Table shareability.
        11:10 table_sh;
        /// Table outer cacheability.
        9:8 table_oc;
        /// Table inner cacheability.
        7:6 table_ic;
        /// Queue shareability.
        5:4 queue_sh;
        /// Queue outer cacheability.
        3:2 queue_oc;
        /// Queue inner cacheability.
        1:0 queue_ic;
    }

    /// `SMMU_CR2`.
    pub(crate) CR2(u32) @ 0x2c {
        /// Private TLB maintenance.
        2:2 ptm => bool;
        /// Record C_BAD_STREAMID for invalid StreamIDs.
        1:1 recinvsid => bool;
        /// EL2 host (E2H).
        0:0 e2h => bool;
    }

    /// `SMMU_GBPA`: global bypass attributes (what happens while SMMUEN is 0).
    pub(crate) GBPA(u32) @ 0x44 {
        /// Update in progress.
        31:31 update => bool;
        /// Abort transactions instead of bypassing.
        20:20 abort => bool;
    }

    /// `SMMU_IRQ_CTRL`: interrupt enables.
    pub(crate) IRQ_CTRL(u32) @ 0x50 {
        /// Event queue interrupt.
        2:2 evtq_irqen => bool;
        /// PRI queue interrupt.
        1:1 priq_irqen => bool;
        /// Global error interrupt.
        0:0 gerror_irqen => bool;
    }

    /// `SMMU_IRQ_CTRLACK`.
    pub(crate) IRQ_CTRLACK(u32) @ 0x54 {
        31:0 value;
    }

    /// `SMMU_GERROR`: active global errors (toggled against `GERRORN`).
    pub(crate) GERROR(u32) @ 0x60 {
        31:0 value;
    }

    /// `SMMU_GERRORN`: global errors acknowledged.
    pub(crate) GERRORN(u32) @ 0x64 {
        31:0 value;
    }

    /// `SMMU_STRTAB_BASE`, bits 31:0 (the I/O accessors are 32-bit; the SMMU accepts 32-bit halves).
    pub(crate) STRTAB_BASE_LO(u32) @ 0x80 {
        31:0 value;
    }

    /// `SMMU_STRTAB_BASE`, bits 63:32.
    pub(crate) STRTAB_BASE_HI(u32) @ 0x84 {
        31:0 value;
    }

    /// `SMMU_STRTAB_BASE_CFG`.
    pub(crate) STRTAB_BASE_CFG(u32) @ 0x88 {
        /// Format: 0 linear, 1 2-level.
        17:16 format;
        /// StreamID bits resolved by the first level (2-level).
        10:6 split;
        /// log2 of the number of STEs.
        5:0 log2size;
    }

    /// `SMMU_CMDQ_BASE`, bits 31:0 (the I/O accessors are 32-bit; the SMMU accepts 32-bit halves).
    pub(crate) CMDQ_BASE_LO(u32) @ 0x90 {
        31:0 value;
    }

    /// `SMMU_CMDQ_BASE`, bits 63:32.
    pub(crate) CMDQ_BASE_HI(u32) @ 0x94 {
        31:0 value;
    }

    /// `SMMU_CMDQ_PROD`.
    pub(crate) CMDQ_PROD(u32) @ 0x98 {
        31:0 value;
    }

    /// `SMMU_CMDQ_CONS`.
    pub(crate) CMDQ_CONS(u32) @ 0x9c {
        /// The read index with its wrap bit, and the command error (`CERROR`, bits 30:24) of the
        /// command at it.
        31:0 value;
    }

    /// `SMMU_EVTQ_BASE`, bits 31:0 (the I/O accessors are 32-bit; the SMMU accepts 32-bit halves).
    pub(crate) EVTQ_BASE_LO(u32) @ 0xa0 {
        31:0 value;
    }

    /// `SMMU_EVTQ_BASE`, bits 63:32.
    pub(crate) EVTQ_BASE_HI(u32) @ 0xa4 {
        31:0 value;
    }

    /// `SMMU_EVTQ_PROD` (page 1).
    pub(crate) EVTQ_PROD(u32) @ 0x100a8 {
        31:0 value;
    }

    /// `SMMU_EVTQ_CONS` (page 1).
    pub(crate) EVTQ_CONS(u32) @ 0x100ac {
        31:0 value;
    }
}

/// `IDR0.ST_LVL` for 2-level stream tables.
pub(crate) const IDR0_ST_LVL_2LVL: u32 = 1;
/// `IDR0.TTENDIAN`: mixed endian.
pub(crate) const IDR0_TTENDIAN_MIXED: u32 = 0;
/// `IDR0.TTENDIAN`: little endian.
pub(crate) const IDR0_TTENDIAN_LE: u32 = 2;
/// `IDR0.TTF`: AArch64 tables.
pub(crate) const IDR0_TTF_AARCH64: u32 = 2;
/// `IDR0.TTF`: AArch32 and AArch64 tables.
pub(crate) const IDR0_TTF_AARCH32_64: u32 = 3;

/// `GERROR` bits the driver handles (`GERROR_ERR_MASK`).
pub(crate) const GERROR_ERR_MASK: u32 = 0x1fd;
/// `GERROR.CMDQ_ERR`.
pub(crate) const GERROR_CMDQ_ERR: u32 = 1 << 0;

/// `CR1`/STE/CD cacheability: write-back.
pub(crate) const CACHE_WB: u32 = 1;
/// Shareability: inner shareable.
pub(crate) const SH_ISH: u32 = 3;

/// `*_BASE.RA`/`RWA`: read/write allocate hint.
pub(crate) const BASE_RWA: u64 = 1 << 62;
/// `Q_BASE_ADDR_MASK`.
pub(crate) const Q_BASE_ADDR_MASK: u64 = genmask(51, 5);
/// `STRTAB_BASE_ADDR_MASK`.
pub(crate) const STRTAB_BASE_ADDR_MASK: u64 = genmask(51, 6);

/// StreamID bits resolved by the second level of the stream table (`STRTAB_SPLIT`).
pub(crate) const STRTAB_SPLIT: u32 = 8;
/// STEs in a second-level table.
pub(crate) const STRTAB_NUM_L2_STES: usize = 1 << STRTAB_SPLIT;
/// 64-bit words in an STE.
pub(crate) const STE_DWORDS: usize = 8;
/// 64-bit words in a CD.
pub(crate) const CD_DWORDS: usize = 8;

/// Bits set in a mask from bit `hi` down to bit `lo`, both included (C `GENMASK_ULL`).
pub(crate) const fn genmask(hi: u32, lo: u32) -> u64 {
    (u64::MAX >> (63 - hi)) & (u64::MAX << lo)
}

/// `val` placed in the field `hi:lo` (C `FIELD_PREP`), truncated to the field.
pub(crate) const fn field(hi: u32, lo: u32, val: u64) -> u64 {
    (val << lo) & genmask(hi, lo)
}

/// The value of field `hi:lo` of `word` (C `FIELD_GET`).
pub(crate) const fn get(word: u64, hi: u32, lo: u32) -> u64 {
    (word & genmask(hi, lo)) >> lo
}

/// A first-level stream table descriptor pointing to the second-level table at the DMA address
/// `l2` (`arm_smmu_write_strtab_l1_desc()`): `L2Ptr` and `Span` (`STRTAB_SPLIT + 1`).
pub(crate) const fn l1_desc(l2: u64) -> u64 {
    (l2 & genmask(51, 6)) | field(4, 0, STRTAB_SPLIT as u64 + 1)
}

/// `STE.V`.
pub(crate) const STE_0_V: u64 = 1;
/// `STE.Config`.
const STE_0_CFG_ABORT: u64 = 0;
const STE_0_CFG_BYPASS: u64 = 4;
const STE_0_CFG_S1_TRANS: u64 = 5;
const STE_0_CFG_S2_TRANS: u64 = 6;
const STE_0_CFG_NESTED: u64 = 7;
/// `STE.Config`'s bits.
const STE_0_CFG: u64 = genmask(3, 1);
/// `STE.EATS`: ATS enable.
const STE_1_EATS: u64 = genmask(29, 28);
/// `STE.MEV`: the SMMU may merge similar events.
const STE_1_MEV: u64 = 1 << 19;
/// The bits of STE word 0 a user's vSTE may set (`STRTAB_STE_0_NESTING_ALLOWED`): `V`, `Config`,
/// `S1Fmt`, `S1ContextPtr`, `S1CDMax`.
const VSTE_0_ALLOWED: u64 = STE_0_V | STE_0_CFG | genmask(5, 4) | genmask(51, 6) | genmask(63, 59);
/// The bits of STE word 1 a user's vSTE may set (`STRTAB_STE_1_NESTING_ALLOWED`): `S1DSS`,
/// `S1CIR`, `S1COR`, `S1CSH`, `S1STALLD`, `EATS`.
const VSTE_1_ALLOWED: u64 = genmask(7, 0) | (1 << 27) | STE_1_EATS;

/// A stream table entry.
pub(crate) type Ste = [u64; STE_DWORDS];
/// A context descriptor.
pub(crate) type Cd = [u64; CD_DWORDS];

/// An STE that aborts every transaction of the stream (`arm_smmu_make_abort_ste()`).
pub(crate) const fn abort_ste() -> Ste {
    let mut s = [0; STE_DWORDS];
    s[0] = STE_0_V | field(3, 1, STE_0_CFG_ABORT);
    s
}

/// An STE that lets the stream's transactions through untranslated
/// (`arm_smmu_make_bypass_ste()`, without `ATTR_TYPES_OVR`).
pub(crate) const fn bypass_ste() -> Ste {
    let mut s = [0; STE_DWORDS];
    s[0] = STE_0_V | field(3, 1, STE_0_CFG_BYPASS);
    s
}

/// An STE translating by stage 1 through the one-entry linear CD table at the DMA address `cdtab`
/// (`arm_smmu_make_cdtable_ste()` with `S1FMT` linear, `S1CDMAX` 0, `S1DSS` 0 (terminate), no
/// ATS or stalls, `STRW` NS-EL1).
pub(crate) const fn cdtable_ste(cdtab: u64) -> Ste {
    let mut s = [0; STE_DWORDS];
    s[0] = STE_0_V | field(3, 1, STE_0_CFG_S1_TRANS) | (cdtab & genmask(51, 6));
    s[1] = field(3, 2, CACHE_WB as u64) // S1CIR: write-back read-allocate
        | field(5, 4, CACHE_WB as u64) // S1COR
        | field(7, 6, SH_ISH as u64); // S1CSH
    s
}

/// An STE translating by stage 2 with the VMID `vmid` and the table `vtcr`/`vttbr`
/// (`arm_smmu_make_s2_domain_ste()`, no ATS, stalls or S2FWB): `S2AA64`, `S2PTW`, `S2R`.
pub(crate) const fn s2_ste(vmid: u16, vtcr: &Vtcr, vttbr: u64) -> Ste {
    let mut s = [0; STE_DWORDS];
    s[0] = STE_0_V | field(3, 1, STE_0_CFG_S2_TRANS);
    let vtcr = field(5, 0, vtcr.tsz)
        | field(7, 6, vtcr.sl)
        | field(9, 8, vtcr.irgn)
        | field(11, 10, vtcr.orgn)
        | field(13, 12, vtcr.sh)
        | field(15, 14, vtcr.tg)
        | field(18, 16, vtcr.ps);
    s[2] = field(15, 0, vmid as u64)
        | field(50, 32, vtcr)
        | (1 << 51) // S2AA64
        | (1 << 54) // S2PTW
        | (1 << 58); // S2R
    s[3] = vttbr & genmask(51, 4);
    s
}

/// What a user's vSTE asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum VsteConfig {
    /// Abort every transaction (`Config` abort, or `V` clear).
    Abort,
    /// Stage 2 only (`Config` bypass: the guest's stage 1 is off).
    Bypass,
    /// The guest's stage 1 (its CD table at `S1ContextPtr`, an IPA), then stage 2.
    S1Trans,
}

/// A user's vSTE (`struct iommu_hwpt_arm_smmuv3`, CPU-endian words 0 and 1), validated.
///
/// # Invariants
///
/// No bit outside `VSTE_*_ALLOWED` and no `EATS` is set; the words are zero if `V` is clear;
/// `Config` is abort, bypass or stage-1 translate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Vste([u64; 2]);

impl Vste {
    /// Checks `words` as `arm_smmu_validate_vste()` does and keeps what
    /// `arm_vsmmu_alloc_domain_nested()` keeps: a vSTE with `V` clear becomes all zero (abort), and
    /// `EATS` is dropped (this driver does not implement ATS; the C driver sets it from the
    /// device's ATS state).
    ///
    /// # Errors
    ///
    /// `EIO` (which the C driver reserves for invalid STE data) for a bit outside
    /// `STRTAB_STE_0/1_NESTING_ALLOWED`, a `Config` other than abort, bypass or stage-1 translate,
    /// or an `EATS` other than abort or translate.
    pub(crate) fn new(words: [u64; 2]) -> Result<Self> {
        if words[0] & STE_0_V == 0 {
            // INVARIANT: all zero.
            return Ok(Self([0; 2]));
        }
        if words[0] & !VSTE_0_ALLOWED != 0 || words[1] & !VSTE_1_ALLOWED != 0 {
            return Err(EIO);
        }
        match get(words[0], 3, 1) {
            STE_0_CFG_ABORT | STE_0_CFG_BYPASS | STE_0_CFG_S1_TRANS => {}
            _ => return Err(EIO),
        }
        // Full ATS (translate) or ATS refused (abort): `STRTAB_STE_1_EATS_{ABT,TRANS}`.
        if get(words[1], 29, 28) > 1 {
            return Err(EIO);
        }
        // INVARIANT: only allowed bits, `Config` checked, `EATS` cleared.
        Ok(Self([words[0], words[1] & !STE_1_EATS]))
    }

    /// What the vSTE asks for.
    pub(crate) const fn config(&self) -> VsteConfig {
        match get(self.0[0], 3, 1) {
            STE_0_CFG_S1_TRANS => VsteConfig::S1Trans,
            STE_0_CFG_BYPASS => VsteConfig::Bypass,
            // The type invariant leaves only abort, also for a vSTE with `V` clear (all zero).
            _ => VsteConfig::Abort,
        }
    }

    /// The physical STE of a device attached to this vSTE whose nesting parent's STE is `s2`
    /// (`arm_smmu_make_nested_domain_ste()`, no ATS): an abort STE, the parent's stage-2 STE, or
    /// the parent's with `Config` nested, the user's stage-1 fields and `MEV` (events merged, a
    /// DoS mitigation on the event queue).
    pub(crate) const fn ste(&self, s2: &Ste) -> Ste {
        match self.config() {
            VsteConfig::Abort => abort_ste(),
            VsteConfig::Bypass => *s2,
            VsteConfig::S1Trans => {
                let mut s = *s2;
                s[0] = STE_0_V | field(3, 1, STE_0_CFG_NESTED) | (self.0[0] & !STE_0_CFG);
                s[1] |= self.0[1] | STE_1_MEV;
                s
            }
        }
    }
}

/// `CD.V`.
pub(crate) const CD_0_V: u64 = 1 << 31;

/// A stage-1 CD for the ASID `asid` and the table `tcr`/`ttbr`/`mair` (`arm_smmu_make_s1_cd()`,
/// no stalls or hardware dirty tracking): `EPD1`, `AA64`, `R`, `A`, `ASET`.
pub(crate) const fn s1_cd(asid: u16, tcr: &Tcr, ttbr: u64, mair: u64) -> Cd {
    let mut c = [0; CD_DWORDS];
    c[0] = field(5, 0, tcr.tsz)
        | field(7, 6, tcr.tg)
        | field(9, 8, tcr.irgn)
        | field(11, 10, tcr.orgn)
        | field(13, 12, tcr.sh)
        | (1 << 30) // EPD1
        | CD_0_V
        | field(34, 32, tcr.ips)
        | (1 << 41) // AA64
        | (1 << 45) // R
        | (1 << 46) // A
        | (1 << 47) // ASET
        | field(63, 48, asid as u64);
    c[1] = ttbr & genmask(51, 4);
    c[3] = mair;
    c
}

/// One step of a configuration-entry update: write a word, or make the SMMU drop its copy of the
/// entry (`CFGI_STE`/`CFGI_CD` + `CMD_SYNC`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Step {
    /// Write `value` to word `index` of the entry.
    Write(usize, u64),
    /// Invalidate the SMMU's copy of the entry and wait.
    Sync,
}

/// The steps of an update: at most a break (write, sync), the other words, the first word and
/// a sync.
pub(crate) struct Steps {
    steps: [Step; STE_DWORDS + 3],
    len: usize,
}

impl Steps {
    fn push(&mut self, s: Step) {
        self.steps[self.len] = s;
        self.len += 1;
    }

    /// The steps, in order.
    pub(crate) fn as_slice(&self) -> &[Step] {
        &self.steps[..self.len]
    }
}

/// The break-before-make update of an STE or CD (word 0 holds the valid bit `v`) from `cur`,
/// what the memory holds, to `new`.
///
/// If the SMMU may be using the entry (`live`: a valid STE; a valid CD that a valid STE points
/// to), it is first made invalid (word 0 cleared) and the SMMU's copy dropped; then the words
/// other than word 0 that change are written, word 0 last (the caller puts a write barrier before
/// it), and the SMMU's copy is dropped again. Whatever the SMMU fetches in between is the old
/// entry, an invalid one, or the new one: never a mix (checked by the KUnit suite below). Unlike
/// the C driver's hitless writer (`arm_smmu_write_entry()`), a device may see aborts while the
/// entry changes.
pub(crate) fn update_steps(cur: &[u64], new: &[u64], v: u64, live: bool) -> Steps {
    let mut st = Steps {
        steps: [Step::Sync; STE_DWORDS + 3],
        len: 0,
    };
    if cur == new {
        return st;
    }
    let broken = live && cur[0] & v != 0;
    if broken {
        st.push(Step::Write(0, 0));
        st.push(Step::Sync);
    }
    for (i, (c, n)) in cur.iter().zip(new).enumerate().skip(1) {
        if c != n {
            st.push(Step::Write(i, *n));
        }
    }
    if broken || cur[0] != new[0] {
        st.push(Step::Write(0, new[0]));
    }
    st.push(Step::Sync);
    st
}

/// A command: two 64-bit words.
pub(crate) type Cmd = [u64; 2];

/// Command opcodes (`CMDQ_OP_*`).
pub(crate) mod op {
    pub(crate) const CFGI_STE: u64 = 0x3;
    pub(crate) const CFGI_ALL: u64 = 0x4;
    pub(crate) const CFGI_CD: u64 = 0x5;
    pub(crate) const CFGI_CD_ALL: u64 = 0x6;
    pub(crate) const TLBI_NH_ALL: u64 = 0x10;
    pub(crate) const TLBI_NH_ASID: u64 = 0x11;
    pub(crate) const TLBI_NH_VA: u64 = 0x12;
    pub(crate) const TLBI_NH_VAA: u64 = 0x13;
    pub(crate) const TLBI_S12_VMALL: u64 = 0x28;
    pub(crate) const TLBI_S2_IPA: u64 = 0x2a;
    pub(crate) const TLBI_NSNH_ALL: u64 = 0x30;
    pub(crate) const ATC_INV: u64 = 0x40;
    pub(crate) const CMD_SYNC: u64 = 0x46;
}

/// `CMD_CFGI_STE` for `sid`, leaf (`arm_smmu_cmdq_build_cmd()`).
pub(crate) const fn cfgi_ste(sid: u32) -> Cmd {
    [op::CFGI_STE | field(63, 32, sid as u64), 1]
}

/// `CMD_CFGI_ALL`: every STE and CD (`SIZE` 31).
pub(crate) const fn cfgi_all() -> Cmd {
    [op::CFGI_ALL, field(4, 0, 31)]
}

/// `CMD_CFGI_CD` for SubstreamID 0 of `sid`, leaf.
pub(crate) const fn cfgi_cd(sid: u32) -> Cmd {
    [op::CFGI_CD | field(63, 32, sid as u64), 1]
}

/// `CMD_TLBI_NH_ASID`: every stage-1 entry of `asid` (VMID 0).
pub(crate) const fn tlbi_nh_asid(asid: u16) -> Cmd {
    [op::TLBI_NH_ASID | field(63, 48, asid as u64), 0]
}

/// `CMD_TLBI_NH_VA`: the stage-1 entries of `asid` for the page at `iova`; `leaf` only for the
/// last-level entries.
pub(crate) const fn tlbi_nh_va(asid: u16, iova: u64, leaf: bool) -> Cmd {
    [
        op::TLBI_NH_VA | field(63, 48, asid as u64),
        (iova & genmask(63, 12)) | leaf as u64,
    ]
}

/// `CMD_TLBI_NH_ALL`: every stage-1 entry of `vmid` (nested stage-1 entries when a nest parent
/// changes).
pub(crate) const fn tlbi_nh_all(vmid: u16) -> Cmd {
    [op::TLBI_NH_ALL | field(47, 32, vmid as u64), 0]
}

/// `CMD_TLBI_S12_VMALL`: every entry of `vmid`.
pub(crate) const fn tlbi_s12_vmall(vmid: u16) -> Cmd {
    [op::TLBI_S12_VMALL | field(47, 32, vmid as u64), 0]
}

/// `CMD_TLBI_S2_IPA`: the stage-2 entries of `vmid` for the page at `ipa`.
pub(crate) const fn tlbi_s2_ipa(vmid: u16, ipa: u64, leaf: bool) -> Cmd {
    [
        op::TLBI_S2_IPA | field(47, 32, vmid as u64),
        (ipa & genmask(51, 12)) | leaf as u64,
    ]
}

/// `CMD_TLBI_NSNH_ALL`: every non-secure, non-hypervisor entry.
pub(crate) const fn tlbi_nsnh_all() -> Cmd {
    [op::TLBI_NSNH_ALL, 0]
}

/// `CMD_SYNC` without a completion signal (`CS` none): completion is seen by polling `CONS`.
pub(crate) const fn cmd_sync() -> Cmd {
    [op::CMD_SYNC, 0]
}

/// Command fields (`CMDQ_*`).
mod cmdf {
    use super::genmask;

    pub(super) const OP: u64 = genmask(7, 0);
    pub(super) const SSV: u64 = 1 << 11;
    /// `CFGI_*` and `ATC_INV`: SubstreamID and StreamID.
    pub(super) const SSID: u64 = genmask(31, 12);
    pub(super) const SID: u64 = genmask(63, 32);
    pub(super) const CFGI_1_LEAF: u64 = 1;
    pub(super) const TLBI_0_NUM: u64 = genmask(16, 12);
    pub(super) const TLBI_0_SCALE: u64 = genmask(25, 20);
    pub(super) const TLBI_0_VMID: u64 = genmask(47, 32);
    pub(super) const TLBI_1_LEAF: u64 = 1;
    pub(super) const TLBI_1_TTL: u64 = genmask(9, 8);
    pub(super) const TLBI_1_TG: u64 = genmask(11, 10);
    pub(super) const TLBI_1_VA_MASK: u64 = genmask(63, 12);
    pub(super) const ATC_0_GLOBAL: u64 = 1 << 9;
    pub(super) const ATC_1_SIZE: u64 = genmask(5, 0);
    pub(super) const ATC_1_ADDR_MASK: u64 = genmask(63, 12);
    /// `ATC_INV_SIZE_ALL`: a `Size` above it may raise `CERROR_ILL`.
    pub(super) const ATC_INV_SIZE_ALL: u64 = 52;
}

/// What the checks of a user's commands depend on (the C driver's `smmu->asid_bits`,
/// `ssid_bits` and `ARM_SMMU_FEAT_{RANGE_INV,DS,ATS}`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CmdCaps {
    /// The bits of a command's ASID field the SMMU implements ([`asid_field`]).
    pub(crate) asid_mask: u64,
    /// SubstreamID bits (`IDR1.SSIDSIZE`).
    pub(crate) ssid_bits: u32,
    /// Range invalidation (`IDR3.RIL`).
    pub(crate) range_inv: bool,
    /// 52-bit addresses with 4 KiB and 16 KiB granules (`IDR5.DS`).
    pub(crate) ds: bool,
    /// ATS (this driver never enables it).
    pub(crate) ats: bool,
}

/// The bits of the ASID field (63:48) of a command that an SMMU with `asid_bits` (8 or 16) ASID
/// bits implements; with 8, the upper 8 are RES0.
pub(crate) const fn asid_field(asid_bits: u32) -> u64 {
    field(63, 48, genmask(asid_bits - 1, 0))
}

/// Rejects the range fields the architecture defines as reserved (`arm_vsmmu_validate_range()`).
#[inline]
fn validate_range(caps: &CmdCaps, c: &Cmd) -> Result {
    let range = c[0] & (cmdf::TLBI_0_NUM | cmdf::TLBI_0_SCALE) != 0;
    let ttl = get(c[1], 9, 8);
    let tg = get(c[1], 11, 10);
    // `NUM`, `SCALE` and `TTL` are RES0 when `TG` is 0.
    if tg == 0 {
        return if range || ttl != 0 { Err(EIO) } else { Ok(()) };
    }
    // `TTL` 1 with a 16 KiB granule requires `DS`.
    if tg == 2 && ttl == 1 && !caps.ds {
        return Err(EIO);
    }
    // `NUM` 0, `SCALE` 0 and `TTL` 0 is reserved.
    if !range && ttl == 0 {
        return Err(EIO);
    }
    Ok(())
}

/// Checks a user's command (CPU-endian) as `arm_vsmmu_validate_user_cmd()` does: only
/// `TLBI_NSNH_ALL`, `TLBI_NH_VA`/`VAA`/`ASID`/`ALL`, `ATC_INV` (with ATS) and `CFGI_CD`/`CD_ALL`,
/// and in them only the fields the guest may set, so that no command wedges the shared queue with
/// a `CERROR_ILL`.
///
/// # Errors
///
/// `EIO` for any other opcode or bit.
#[inline]
pub(crate) fn validate_user_cmd(caps: &CmdCaps, c: &Cmd) -> Result {
    let asid = caps.asid_mask;
    let mut allowed = [cmdf::OP, 0];
    match c[0] & cmdf::OP {
        op::TLBI_NSNH_ALL => {}
        o @ (op::TLBI_NH_VA | op::TLBI_NH_VAA) => {
            if o == op::TLBI_NH_VA {
                allowed[0] |= asid;
            }
            if caps.range_inv {
                validate_range(caps, c)?;
                allowed[0] |= cmdf::TLBI_0_NUM | cmdf::TLBI_0_SCALE;
                allowed[1] |= cmdf::TLBI_1_TG | cmdf::TLBI_1_TTL;
                // `SCALE` bit 25 (values above 31) is RES0 without `DS`.
                if !caps.ds {
                    allowed[0] &= !field(25, 20, 1 << 5);
                }
            }
            allowed[0] |= cmdf::TLBI_0_VMID;
            allowed[1] |= cmdf::TLBI_1_LEAF | cmdf::TLBI_1_VA_MASK;
        }
        o @ (op::TLBI_NH_ASID | op::TLBI_NH_ALL) => {
            if o == op::TLBI_NH_ASID {
                allowed[0] |= asid;
            }
            allowed[0] |= cmdf::TLBI_0_VMID;
        }
        op::ATC_INV => {
            if !caps.ats || c[1] & cmdf::ATC_1_SIZE > cmdf::ATC_INV_SIZE_ALL {
                return Err(EIO);
            }
            // `SSID` and `Global` are ignored, not RES0, when `SSV` is 0.
            if caps.ssid_bits != 0 {
                allowed[0] |= cmdf::SSV | cmdf::SSID | cmdf::ATC_0_GLOBAL;
            }
            allowed[0] |= cmdf::SID;
            allowed[1] |= cmdf::ATC_1_SIZE | cmdf::ATC_1_ADDR_MASK;
        }
        o @ (op::CFGI_CD | op::CFGI_CD_ALL) => {
            if o == op::CFGI_CD {
                // No `SSV` for `CFGI_CD`; `SSID` needs substreams.
                if caps.ssid_bits != 0 {
                    allowed[0] |= cmdf::SSID;
                }
                allowed[1] |= cmdf::CFGI_1_LEAF;
            }
            allowed[0] |= cmdf::SID;
        }
        _ => return Err(EIO),
    }
    if c[0] & !allowed[0] != 0 || c[1] & !allowed[1] != 0 {
        return Err(EIO);
    }
    Ok(())
}

/// Converts a user's command (CPU-endian) into one for the SMMU's queue
/// (`arm_vsmmu_convert_user_cmd()`): checked by [`validate_user_cmd`], the VMID forced to the
/// vSMMU's `vmid` (`TLBI_NSNH_ALL` becomes `TLBI_NH_ALL` of it), the virtual StreamID of
/// `ATC_INV`/`CFGI_CD`/`CFGI_CD_ALL` replaced by the physical one `sid_of` gives.
///
/// # Errors
///
/// `EIO` for a command [`validate_user_cmd`] rejects or a virtual StreamID without a device.
#[inline]
pub(crate) fn convert_user_cmd(
    caps: &CmdCaps,
    vmid: u16,
    c: Cmd,
    sid_of: impl FnOnce(u32) -> Option<u32>,
) -> Result<Cmd> {
    validate_user_cmd(caps, &c)?;
    let vmid = field(47, 32, u64::from(vmid));
    Ok(match c[0] & cmdf::OP {
        op::TLBI_NSNH_ALL => [op::TLBI_NH_ALL | vmid, 0],
        op::TLBI_NH_VA | op::TLBI_NH_VAA | op::TLBI_NH_ALL | op::TLBI_NH_ASID => {
            [(c[0] & !cmdf::TLBI_0_VMID) | vmid, c[1]]
        }
        _ => {
            // `ATC_INV`, `CFGI_CD`, `CFGI_CD_ALL`: the only others `validate_user_cmd` accepts.
            let sid = sid_of(get(c[0], 63, 32) as u32).ok_or(EIO)?;
            [(c[0] & !cmdf::SID) | field(63, 32, u64::from(sid)), c[1]]
        }
    })
}

/// The vEVENT of the event record `raw` for the device whose virtual StreamID is `vsid`: the
/// record with its StreamID replaced (`arm_vmaster_report_event()`).
pub(crate) const fn vevent(raw: &[u64; 4], vsid: u32) -> [u64; 4] {
    [
        (raw[0] & !genmask(63, 32)) | field(63, 32, vsid as u64),
        raw[1],
        raw[2],
        raw[3],
    ]
}

/// A number as C's `%#x` prints it: `0` for zero, else `0x` and hex digits (Rust's `{:#x}` prints
/// `0x0`), so that this driver's event reports read like the C driver's.
pub(crate) struct CHex(pub(crate) u64);

impl kernel::fmt::Display for CHex {
    fn fmt(&self, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
        if self.0 == 0 {
            f.write_str("0")
        } else {
            write!(f, "{:#x}", self.0)
        }
    }
}

/// Event IDs (`EVT_ID_*`).
pub(crate) mod evt {
    pub(crate) const TRANSLATION_FAULT: u8 = 0x10;
    pub(crate) const ADDR_SIZE_FAULT: u8 = 0x11;
    pub(crate) const ACCESS_FAULT: u8 = 0x12;
    pub(crate) const PERMISSION_FAULT: u8 = 0x13;
}

/// The name of an event ID, as the C driver prints it (`arm_smmu_event_names`).
pub(crate) fn event_name(id: u8) -> &'static str {
    match id {
        0x01 => "F_UUT",
        0x02 => "C_BAD_STREAMID",
        0x03 => "F_STE_FETCH",
        0x04 => "C_BAD_STE",
        0x05 => "F_BAD_ATS_TREQ",
        0x06 => "F_STREAM_DISABLED",
        0x07 => "F_TRANSL_FORBIDDEN",
        0x08 => "C_BAD_SUBSTREAMID",
        0x09 => "F_CD_FETCH",
        0x0a => "C_BAD_CD",
        0x0b => "F_WALK_EABT",
        evt::TRANSLATION_FAULT => "F_TRANSLATION",
        evt::ADDR_SIZE_FAULT => "F_ADDR_SIZE",
        evt::ACCESS_FAULT => "F_ACCESS",
        evt::PERMISSION_FAULT => "F_PERMISSION",
        0x20 => "F_TLB_CONFLICT",
        0x21 => "F_CFG_CONFLICT",
        0x24 => "E_PAGE_REQUEST",
        0x25 => "F_VMS_FETCH",
        _ => "UNKNOWN",
    }
}

/// An event record (`struct arm_smmu_event`, decoded by `arm_smmu_decode_event()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Event {
    /// Event ID.
    pub(crate) id: u8,
    /// StreamID.
    pub(crate) sid: u32,
    /// SubstreamID, if valid.
    pub(crate) ssid: u32,
    /// Input address (IOVA).
    pub(crate) iova: u64,
    /// Intermediate physical address (stage-2 faults).
    pub(crate) ipa: u64,
    /// Read (else write).
    pub(crate) read: bool,
    /// Stage 2 (else stage 1).
    pub(crate) s2: bool,
    /// Privileged access (`PnU`).
    pub(crate) privileged: bool,
    /// Instruction fetch (`InD`).
    pub(crate) instruction: bool,
    /// What the SMMU was doing: 0 CD fetch, 1 stage-1 table fetch, 2 input address (`CLASS`).
    pub(crate) class: u8,
    /// A permission fault on a translation table access (`CLASS` 1), a read if `tt_read`.
    pub(crate) class_tt: bool,
    pub(crate) tt_read: bool,
    /// Stalled (`STALL`), with its tag (`STAG`).
    pub(crate) stall: bool,
    pub(crate) stag: u16,
}

impl Event {
    /// Decodes the four words of an event record.
    pub(crate) const fn decode(raw: &[u64; 4]) -> Self {
        Event {
            id: get(raw[0], 7, 0) as u8,
            sid: get(raw[0], 63, 32) as u32,
            ssid: if raw[0] & (1 << 11) != 0 {
                get(raw[0], 31, 12) as u32
            } else {
                0
            },
            iova: raw[2],
            ipa: raw[3] & genmask(51, 12),
            read: raw[1] & (1 << 35) != 0,
            s2: raw[1] & (1 << 39) != 0,
            privileged: raw[1] & (1 << 33) != 0,
            instruction: raw[1] & (1 << 34) != 0,
            class: get(raw[1], 41, 40) as u8,
            class_tt: get(raw[0], 7, 0) as u8 == evt::PERMISSION_FAULT && get(raw[1], 41, 40) == 1,
            tt_read: raw[1] & (1 << 44) != 0,
            stall: raw[1] & (1 << 31) != 0,
            stag: get(raw[1], 15, 0) as u16,
        }
    }

    /// The name of the event's class, as the C driver prints it (`event_class_str`).
    pub(crate) const fn class_name(&self) -> &'static str {
        match self.class {
            0 => "CD fetch",
            1 => "Stage 1 translation table fetch",
            2 => "Input address caused fault",
            _ => "Reserved",
        }
    }

    /// Whether the event is a translation, address size, access or permission fault.
    pub(crate) const fn is_translation_fault(&self) -> bool {
        self.id >= evt::TRANSLATION_FAULT && self.id <= evt::PERMISSION_FAULT
    }
}

#[cfg(CONFIG_KUNIT)]
/// `PCI_VENDOR_ID_HUAWEI`.
const PCI_VENDOR_ID_HUAWEI: u16 = 0x19e5;
/// The device ID of HiSilicon's PCIe Tune and Trace device (`IS_HISI_PTT_DEVICE()`).
const HISI_PTT_DEVICE_ID: u16 = 0xa12e;

/// The default domain type of a device with PCI IDs `pci` (vendor, device; `None` for a device
/// that is not PCI), `arm_smmu_def_domain_type()`: HiSilicon's PCIe Tune and Trace device
/// needs an identity domain (its trace DMA is not translated, `IS_HISI_PTT_DEVICE()`); any
/// other device takes the command line's type.
pub(crate) fn def_domain_type(pci: Option<(u16, u16)>) -> Option<DefDomainType> {
    match pci {
        Some((PCI_VENDOR_ID_HUAWEI, HISI_PTT_DEVICE_ID)) => Some(DefDomainType::Identity),
        _ => None,
    }
}

#[kunit_tests(arm_smmu_v3_rs_hw)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        assert_eq!(genmask(3, 1), 0xe);
        assert_eq!(genmask(63, 48), 0xffff_0000_0000_0000);
        assert_eq!(field(3, 1, 5), 0xa);
        assert_eq!(field(3, 1, 0xff), 0xe);
        assert_eq!(get(0xa, 3, 1), 5);
    }

    #[test]
    fn def_domain_type_as_c() {
        // `arm_smmu_def_domain_type()`: only HiSilicon's PTT, and only as a PCI device.
        assert_eq!(
            def_domain_type(Some((0x19e5, 0xa12e))),
            Some(DefDomainType::Identity)
        );
        assert_eq!(def_domain_type(Some((0x19e5, 0xa12f))), None);
        assert_eq!(def_domain_type(Some((0x1b36, 0xa12e))), None);
        assert_eq!(def_domain_type(Some((0x1234, 0x11e8))), None);
        assert_eq!(def_domain_type(None), None);
    }

    #[test]
    fn static_stes() {
        // `arm_smmu_make_abort_ste()` and `arm_smmu_make_bypass_ste()`: V=1, CFG 0 or 4.
        assert_eq!(abort_ste(), [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(bypass_ste(), [0x9, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn cdtable_ste_fields() {
        let s = cdtable_ste(0x1234_5640);
        // V, CFG=5 (S1 translate), S1ContextPtr, S1FMT=0, S1CDMAX=0.
        assert_eq!(s[0], 0x1234_5640 | 0xb);
        // S1CIR=WBRA, S1COR=WBRA, S1CSH=ISH, S1DSS=0, EATS=0, STRW=NS-EL1.
        assert_eq!(s[1], (1 << 2) | (1 << 4) | (3 << 6));
        assert_eq!(&s[2..], &[0; 6]);
    }

    #[test]
    fn s2_ste_fields() {
        let vtcr = Vtcr {
            tsz: 20,
            sl: 2,
            irgn: 1,
            orgn: 1,
            sh: 3,
            tg: 0,
            ps: 4,
        };
        let s = s2_ste(7, &vtcr, 0x8765_4000);
        assert_eq!(s[0], 0xd); // V, CFG=6.
        assert_eq!(s[1], 0);
        let want_vtcr: u64 = 20 | (2 << 6) | (1 << 8) | (1 << 10) | (3 << 12) | (4 << 16);
        assert_eq!(
            s[2],
            7 | (want_vtcr << 32) | (1 << 51) | (1 << 54) | (1 << 58)
        );
        assert_eq!(s[3], 0x8765_4000);
    }

    #[test]
    fn s1_cd_fields() {
        let tcr = Tcr {
            tsz: 16,
            irgn: 1,
            orgn: 1,
            sh: 3,
            tg: 0,
            ips: 4,
        };
        let c = s1_cd(0x42, &tcr, 0x4000_1000, 0xdead_beef);
        let want0: u64 = 16
            | (1 << 8)
            | (1 << 10)
            | (3 << 12)
            | (1 << 30)
            | (1 << 31)
            | (4 << 32)
            | (1 << 41)
            | (1 << 45)
            | (1 << 46)
            | (1 << 47)
            | (0x42 << 48);
        assert_eq!(c[0], want0);
        assert_eq!(c[1], 0x4000_1000);
        assert_eq!(c[2], 0);
        assert_eq!(c[3], 0xdead_beef);
    }

    #[test]
    fn commands() {
        assert_eq!(cfgi_ste(0x10), [0x10_0000_0003, 1]);
        assert_eq!(cfgi_all(), [4, 31]);
        assert_eq!(tlbi_nh_asid(3), [0x0003_0000_0000_0011, 0]);
        assert_eq!(
            tlbi_nh_va(3, 0x1234_5678, true),
            [0x0003_0000_0000_0012, 0x1234_5001]
        );
        assert_eq!(tlbi_s12_vmall(9), [0x9_0000_0028, 0]);
        assert_eq!(tlbi_nh_all(9), [0x9_0000_0010, 0]);
        assert_eq!(
            tlbi_s2_ipa(9, 0x8000_3000, false),
            [0x9_0000_002a, 0x8000_3000]
        );
        assert_eq!(cmd_sync(), [0x46, 0]);
    }

    /// The STEs and CDs of the C suite's transitions (`arm-smmu-v3-test.c`), as this driver
    /// makes them.
    fn vectors() -> ([Ste; 5], [Cd; 3]) {
        let vtcr = Vtcr {
            tsz: 20,
            sl: 2,
            irgn: 1,
            orgn: 1,
            sh: 3,
            tg: 0,
            ps: 4,
        };
        let tcr = Tcr {
            tsz: 16,
            irgn: 1,
            orgn: 1,
            sh: 3,
            tg: 0,
            ips: 4,
        };
        (
            [
                abort_ste(),
                bypass_ste(),
                cdtable_ste(0x4000_0000),
                s2_ste(1, &vtcr, 0x8000_0000),
                s2_ste(2, &vtcr, 0x9000_0000),
            ],
            [
                [0; CD_DWORDS],
                s1_cd(1, &tcr, 0x4000_1000, 0x44ff),
                s1_cd(2, &tcr, 0x4000_1000, 0x44ff),
            ],
        )
    }

    /// Applies `steps` to `cur`, checking at every point that the entry is the old one, the new
    /// one, or invalid; returns the number of syncs.
    fn check_transition(cur: &[u64], new: &[u64], v: u64, live: bool) -> usize {
        let steps = update_steps(cur, new, v, live);
        let mut mem = [0u64; STE_DWORDS];
        let mem = &mut mem[..cur.len()];
        mem.copy_from_slice(cur);
        let mut syncs = 0;
        for s in steps.as_slice() {
            match *s {
                Step::Write(i, val) => mem[i] = val,
                Step::Sync => syncs += 1,
            }
            // Safe if the SMMU may be using it: what it would fetch now.
            let safe = mem == cur || mem == new || mem[0] & v == 0;
            assert!(!live || safe);
        }
        assert_eq!(mem, new);
        syncs
    }

    #[test]
    fn ste_transitions() {
        let (stes, _) = vectors();
        // Every pair of the C suite's kinds: abort, bypass, cdtable, S2 (and S2 to another S2,
        // `s1_to_s2`/`s2_to_s1` covered by cdtable <-> S2).
        for a in &stes {
            for b in &stes {
                let syncs = check_transition(a, b, STE_0_V, true);
                // Break-before-make: two syncs between different valid entries, none if equal.
                assert_eq!(syncs, if a == b { 0 } else { 2 });
            }
        }
        // From an entry the SMMU never used (cleared), one sync.
        let clear = [0u64; STE_DWORDS];
        assert_eq!(check_transition(&clear, &stes[1], STE_0_V, true), 1);
    }

    #[test]
    fn cd_transitions() {
        let (_, cds) = vectors();
        // `write_cd_test_s1_clear`: a live CD cleared; `s1_change_asid`: its ASID changed.
        assert_eq!(check_transition(&cds[1], &cds[0], CD_0_V, true), 2);
        assert_eq!(check_transition(&cds[1], &cds[2], CD_0_V, true), 2);
        // A CD no STE points to is written without a break.
        assert_eq!(check_transition(&cds[1], &cds[2], CD_0_V, false), 1);
        assert_eq!(
            update_steps(&cds[1], &cds[2], CD_0_V, false).as_slice(),
            &[Step::Write(0, cds[2][0]), Step::Sync]
        );
    }

    #[test]
    fn events() {
        let raw = [0x0000_0010_0000_0010, 1 << 35, 0xdead_b000, 0x1234_5000];
        let e = Event::decode(&raw);
        assert_eq!((e.id, e.sid, e.ssid), (0x10, 0x10, 0));
        assert_eq!(
            (e.iova, e.ipa, e.read, e.s2),
            (0xdead_b000, 0x1234_5000, true, false)
        );
        assert!(e.is_translation_fault());
        assert_eq!(event_name(e.id), "F_TRANSLATION");
        assert_eq!(
            (e.privileged, e.instruction, e.class, e.class_tt, e.stall),
            (false, false, 0, false, false)
        );
        // A stalled, privileged stage-2 permission fault on a stage-1 table read, tag 7.
        let p = Event::decode(&[
            0x13,
            (1 << 31) | (1 << 33) | (1 << 39) | (1 << 40) | (1 << 44) | 7,
            0,
            0,
        ]);
        assert_eq!(
            (
                p.privileged,
                p.s2,
                p.class,
                p.class_tt,
                p.tt_read,
                p.stall,
                p.stag
            ),
            (true, true, 1, true, true, true, 7)
        );
        assert_eq!(p.class_name(), "Stage 1 translation table fetch");
        // The vEVENT: the StreamID 0x10 becomes the vSID 0x42, nothing else changes.
        assert_eq!(
            vevent(&raw, 0x42),
            [0x0000_0042_0000_0010, raw[1], raw[2], raw[3]]
        );
    }

    /// `arm_smmu_validate_vste()`: what each vSTE gives, `EIO` for invalid STE data.
    #[test]
    fn vste_validation() {
        // V clear: abort, whatever the other bits (the C driver zeroes them).
        let v = Vste::new([0xffff_ffff_ffff_fffe, u64::MAX]).unwrap();
        assert_eq!(v.config(), VsteConfig::Abort);
        assert_eq!(v, Vste::new([0, 0]).unwrap());
        // V with Config abort, bypass, S1 translate; S1ContextPtr, S1CDMax, S1Fmt and the
        // word-1 fields are allowed.
        assert_eq!(Vste::new([0x1, 0]).unwrap().config(), VsteConfig::Abort);
        assert_eq!(Vste::new([0x9, 0]).unwrap().config(), VsteConfig::Bypass);
        let s1 = [0xb | 0x4_5678_9000 | (3 << 59) | (2 << 4), 0xff | (1 << 27)];
        assert_eq!(Vste::new(s1).unwrap().config(), VsteConfig::S1Trans);
        // Config S2 translate (6), nested (7) and the reserved 1-3: EIO.
        for cfg in [1u64, 2, 3, 6, 7] {
            assert_eq!(Vste::new([1 | (cfg << 1), 0]), Err(EIO));
        }
        // A bit outside STRTAB_STE_0/1_NESTING_ALLOWED: word 0 bits 52-58, word 1 bit 8
        // (S1 stalls' neighbour STRW etc.), 19 (MEV is the kernel's), 44 (SHCFG).
        for bit in [52u32, 55, 58] {
            assert_eq!(Vste::new([0xb | (1 << bit), 0]), Err(EIO));
        }
        for bit in [8u32, 19, 30, 44, 63] {
            assert_eq!(Vste::new([0xb, 1 << bit]), Err(EIO));
        }
        // EATS: abort (0) and translate (1) accepted and dropped; split (2) and 3 refused.
        assert_eq!(Vste::new([0xb, 1 << 28]), Vste::new([0xb, 0]));
        assert_eq!(Vste::new([0xb, 2 << 28]), Err(EIO));
        assert_eq!(Vste::new([0xb, 3 << 28]), Err(EIO));
        // EATS is checked for every Config with V, as in C.
        assert_eq!(Vste::new([0x9, 2 << 28]), Err(EIO));
    }

    /// `arm_smmu_make_nested_domain_ste()` on the stage-2 STE of the parent.
    #[test]
    fn nested_stes() {
        let vtcr = Vtcr {
            tsz: 20,
            sl: 2,
            irgn: 1,
            orgn: 1,
            sh: 3,
            tg: 0,
            ps: 4,
        };
        let s2 = s2_ste(7, &vtcr, 0x8765_4000);
        assert_eq!(Vste::new([0, 0]).unwrap().ste(&s2), abort_ste());
        assert_eq!(Vste::new([0x1, 0]).unwrap().ste(&s2), abort_ste());
        assert_eq!(Vste::new([0x9, 0x15]).unwrap().ste(&s2), s2);
        let v = Vste::new([0xb | 0x4_5678_9000, 0xd5 | (1 << 28)]).unwrap();
        let n = v.ste(&s2);
        // V, Config nested (7), the CD table's IPA; the user's S1 fields and MEV; the parent's
        // stage-2 words unchanged.
        assert_eq!(n[0], 0xf | 0x4_5678_9000);
        assert_eq!(n[1], 0xd5 | (1 << 19));
        assert_eq!(&n[2..], &s2[2..]);
    }

    const QEMU: CmdCaps = CmdCaps {
        asid_mask: asid_field(16),
        ssid_bits: 0,
        range_inv: true,
        ds: false,
        ats: false,
    };

    /// `arm_vsmmu_validate_user_cmd()` and `arm_vsmmu_convert_user_cmd()`.
    #[test]
    fn user_commands() {
        let sid_of = |vsid: u32| (vsid == 0x42).then_some(0x10);
        let conv = |c: Cmd| convert_user_cmd(&QEMU, 5, c, sid_of);
        // TLBI_NH_VA: the VMID is forced to the vSMMU's; ASID, VA, LEAF and a valid range kept.
        let va = [0x0003_0009_0000_0012, 0x1234_5000 | 1];
        assert_eq!(conv(va), Ok([0x0003_0005_0000_0012, va[1]]));
        let va = [
            0x0003_0009_0000_0012,
            0x1234_5000 | 1 | (1 << 10) | (3 << 8),
        ];
        assert_eq!(conv(va), Ok([0x0003_0005_0000_0012, va[1]]));
        // NSNH_ALL becomes NH_ALL of the VMID.
        assert_eq!(conv([0x30, 0]), Ok([0x5_0000_0010, 0]));
        assert_eq!(
            conv([0x0009_0000_0011 | (7 << 48), 0]),
            Ok([0x5_0000_0011 | (7 << 48), 0])
        );
        // CFGI_CD: the vSID becomes the SID; an unknown vSID is EIO.
        assert_eq!(conv([0x42_0000_0005, 1]), Ok([0x10_0000_0005, 1]));
        assert_eq!(conv([0x43_0000_0005, 1]), Err(EIO));
        assert_eq!(conv([0x42_0000_0006, 0]), Ok([0x10_0000_0006, 0]));
        // Refused: other opcodes (CFGI_STE, TLBI_S2_IPA, CMD_SYNC, 0xff), ATC_INV without ATS.
        for o in [0x03u64, 0x04, 0x28, 0x2a, 0x46, 0xff, 0x40] {
            assert_eq!(validate_user_cmd(&QEMU, &[o, 0]), Err(EIO));
        }
        // Refused: fields the opcode does not have (an ASID in NH_ALL, a RES0 bit, word 1 of
        // NH_ASID, an SSID without substreams, LEAF in CFGI_CD_ALL, a VMID in NSNH_ALL).
        for c in [
            [0x10 | (1 << 48), 0],
            [0x11 | (1 << 8), 0],
            [0x11, 1],
            [0x5 | (1 << 12), 1],
            [0x6, 1],
            [0x30 | (1 << 32), 0],
        ] {
            assert_eq!(validate_user_cmd(&QEMU, &c), Err(EIO));
        }
        // 8-bit ASIDs: ASID bits 56-63 are refused.
        let asid8 = CmdCaps {
            asid_mask: asid_field(8),
            ..QEMU
        };
        assert_eq!(validate_user_cmd(&asid8, &[0x11 | (0xff << 48), 0]), Ok(()));
        assert_eq!(
            validate_user_cmd(&asid8, &[0x11 | (0x100 << 48), 0]),
            Err(EIO)
        );
        // Ranges (`arm_vsmmu_validate_range()`): TG 0 needs NUM, SCALE and TTL 0; TTL 1 with a
        // 16 KiB granule needs DS; NUM = SCALE = TTL = 0 with a TG is reserved; SCALE bit 25
        // needs DS; without range invalidation none of NUM, SCALE, TG, TTL may be set.
        let nh_va = |w0: u64, w1: u64| validate_user_cmd(&QEMU, &[0x12 | w0, w1]);
        assert_eq!(nh_va(0, 0), Ok(()));
        assert_eq!(nh_va(1 << 12, 0), Err(EIO));
        assert_eq!(nh_va(0, 1 << 8), Err(EIO));
        assert_eq!(nh_va(0, (2 << 10) | (1 << 8)), Err(EIO));
        assert_eq!(
            validate_user_cmd(&CmdCaps { ds: true, ..QEMU }, &[0x12, (2 << 10) | (1 << 8)]),
            Ok(())
        );
        assert_eq!(nh_va(0, 1 << 10), Err(EIO));
        assert_eq!(nh_va(3 << 12, 1 << 10), Ok(()));
        assert_eq!(nh_va(1 << 25, 1 << 10), Err(EIO));
        assert_eq!(nh_va(1 << 20, 1 << 10), Ok(()));
        let no_ril = CmdCaps {
            range_inv: false,
            ..QEMU
        };
        assert_eq!(validate_user_cmd(&no_ril, &[0x12, 0x1000]), Ok(()));
        assert_eq!(
            validate_user_cmd(&no_ril, &[0x12, (1 << 10) | (3 << 8)]),
            Err(EIO)
        );
        assert_eq!(validate_user_cmd(&no_ril, &[0x12 | (1 << 12), 0]), Err(EIO));
        // ATC_INV with ATS: SID, SIZE up to 52 and ADDR; SSV/SSID/Global only with SSIDs.
        let ats = CmdCaps { ats: true, ..QEMU };
        assert_eq!(validate_user_cmd(&ats, &[0x40 | (0x42 << 32), 52]), Ok(()));
        assert_eq!(validate_user_cmd(&ats, &[0x40, 53]), Err(EIO));
        assert_eq!(validate_user_cmd(&ats, &[0x40 | (1 << 11), 0]), Err(EIO));
        let ats_ssid = CmdCaps {
            ssid_bits: 20,
            ..ats
        };
        assert_eq!(
            validate_user_cmd(&ats_ssid, &[0x40 | (1 << 11) | (5 << 12) | (1 << 9), 0]),
            Ok(())
        );
    }
}
