// SPDX-License-Identifier: GPL-2.0

//! SMMUv3 registers, stream table entries, context descriptors, commands and events.
//!
//! The layouts are those of the Arm SMMUv3 architecture specification (IHI 0070), chapters 6
//! (registers), 5.2 (STE), 5.4 (CD), 4 (commands) and 7.3 (events), with the field names of the C
//! driver (`drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h`). The encoders are pure functions of
//! their inputs, checked by the KUnit suite at the end against the values the C driver's
//! `arm_smmu_make_*()` functions write.

use kernel::{io::register, iommu::pgtable::Tcr, iommu::pgtable::Vtcr, prelude::*};

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
    pub(crate) const TLBI_NH_ASID: u64 = 0x11;
    pub(crate) const TLBI_NH_VA: u64 = 0x12;
    pub(crate) const TLBI_S12_VMALL: u64 = 0x28;
    pub(crate) const TLBI_S2_IPA: u64 = 0x2a;
    pub(crate) const TLBI_NSNH_ALL: u64 = 0x30;
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
        }
    }

    /// Whether the event is a translation, address size, access or permission fault.
    pub(crate) const fn is_translation_fault(&self) -> bool {
        self.id >= evt::TRANSLATION_FAULT && self.id <= evt::PERMISSION_FAULT
    }
}

#[cfg(CONFIG_KUNIT)]
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
    }
}
