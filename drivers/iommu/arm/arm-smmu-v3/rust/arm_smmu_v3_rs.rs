// SPDX-License-Identifier: GPL-2.0

//! Arm SMMUv3 driver in Rust.
//!
//! A platform driver for SMMUv3 instances described by the device tree (`arm,smmu-v3`), on the
//! `kernel::iommu` abstractions. It implements the part of the C driver
//! (`drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c`) that QEMU's emulated SMMUv3 can exercise:
//!
//! - probe: ID registers with the C driver's refusals (`arm_smmu_device_hw_probe()`), the reset
//!   sequence (`arm_smmu_device_reset()`), a 2-level stream table, the command queue with
//!   `CMD_SYNC` completion by polling `CMDQ_CONS`, the event queue and global errors on their
//!   wired interrupts;
//! - one one-entry linear CD table per master (no substreams);
//! - stage-1 paging domains (the DMA API's default domains and iommufd's) and stage-2 paging
//!   domains (`IOMMU_HWPT_ALLOC_NEST_PARENT`) on io-pgtable, with `TLBI_NH_VA`/`TLBI_NH_ASID` and
//!   `TLBI_S2_IPA`/`TLBI_S12_VMALL` invalidation, ASIDs and VMIDs from ID pools;
//! - identity (bypass STE) and blocked (abort STE) domains, `of_xlate`, PCI device groups, the
//!   software MSI window, `capable`, `hw_info`;
//! - nesting (`arm-smmu-v3-iommufd.c`): vSMMUs on a stage-2 nest parent, nested domains from a
//!   user's vSTE (stage 1 in guest memory, then the parent's stage 2), the guest's invalidation
//!   commands checked and converted onto the command queue, stage-1 events of a nested device
//!   delivered to the vSMMU's vEVENTQ with the virtual StreamID.
//!
//! A vSMMU needs a stage 2 that keeps the guest from making DMA non-coherent: the C driver
//! refuses one without `S2FWB` or a `CANWBS` root complex (`arm_smmu_get_viommu_size()`). This
//! driver implements neither (`CANWBS` comes from ACPI IORT; this driver is device-tree only), so
//! it refuses every vSMMU, like C on such hardware, unless the module parameter
//! `nesting_without_coherent_s2` is set: meant for emulated SMMUs (under QEMU's TCG the property
//! is vacuous), it warns once per SMMU and taints the kernel (`TAINT_USER`).
//!
//! Configuration changes use the break-before-make sequence of the architecture (STE or CD made
//! invalid, `CFGI_*` + `CMD_SYNC`, the new entry written with its valid bit last, `CFGI_*` +
//! `CMD_SYNC`), not the C driver's hitless update: a device may see aborts while its domain is
//! replaced.
//!
//! Not implemented (QEMU does not emulate them; the C driver covers them): MSIs, ATS/PRI,
//! substreams (PASIDs, SVA), HTTU (dirty tracking), stalls, ECMDQ, linear stream tables, ACPI.

use kernel::{
    bug::{add_taint, Taint},
    device::{Bound, Core, Device},
    dma::{Coherent, Device as _, DmaMask},
    id_pool::IdPool,
    io::{
        mem::DevresIoMem,
        poll::{read_poll_timeout, read_poll_timeout_atomic},
        Io,
    },
    iommu::{
        device::{Options, ProbeInstances, ProbedDevice, Registration},
        domain::{
            Domain, NestedDomain, NestedOps, NestedTable, PagingDomain, PagingOps, PagingOptions,
            PagingTable, StaticDomain, StaticOps, StaticTable,
        },
        lpae::{ArmLpae, LpaeConfig, LpaeStage},
        ops::{
            alloc_flags, hw_info, Cap, DefDomainType, DeviceGroup, Driver, HwInfo, OfXlate,
            OpsTable, Probed, ResvRegions, ResvType,
        },
        pgtable::{self, Gather},
        user_data::{UserData, UserDataArray},
        viommu::{
            arm_smmuv3 as uapi, VdeviceCore, Viommu, ViommuCore, ViommuOps, ViommuRef, ViommuTable,
        },
    },
    irq::{self, IrqReturn},
    new_mutex, new_spinlock, of, platform,
    prelude::*,
    sizes::{SZ_16K, SZ_1G, SZ_2M, SZ_32M, SZ_4K, SZ_512M, SZ_64K},
    str::CString,
    sync::{
        aref::ARef,
        atomic::{Atomic, Relaxed},
        barrier::{dma_mb, Write},
        Arc, Mutex, SpinLock,
    },
    time::{Delta, Instant, Monotonic},
};

mod hw;
use hw::*;

/// log2 of the command queue's entries (16 bytes each: 4 KiB).
const CMDQ_SHIFT: u32 = 8;
/// log2 of the event queue's entries (32 bytes each: 128 KiB). A device DMAing to an unmapped
/// page can raise an event per bus access (1024 for a 4 KiB buffer on QEMU); a full queue drops
/// events and raises `GERROR.EVTQ_ABT_ERR`. (The C driver takes the largest queue it can
/// allocate.)
const EVTQ_SHIFT: u32 = 12;
/// Events reported in full per [`EVT_RATELIMIT_MS`] (`DEFAULT_RATELIMIT_BURST`), as the C
/// driver's `__ratelimit()`; the others are counted.
const EVT_RATELIMIT_BURST: u32 = 10;
/// The rate-limit window, in milliseconds (`DEFAULT_RATELIMIT_INTERVAL`).
const EVT_RATELIMIT_MS: i64 = 5000;
/// Polls of `CMDQ_CONS`, 1 µs apart, before a command times out (`ARM_SMMU_POLL_TIMEOUT_US`).
const POLL_RETRIES: usize = 1_000_000;
/// Most TLB invalidation commands issued for one range; larger ranges invalidate the whole ASID
/// or VMID.
const TLBI_MAX_CMDS: usize = 32;
/// Commands of a user's invalidation issued with one `CMD_SYNC` (`CMDQ_BATCH_ENTRIES - 1`).
const USER_CMD_BATCH: usize = 63;
/// The software MSI window (`MSI_IOVA_BASE`, `MSI_IOVA_LENGTH`), as the C driver reserves it.
const MSI_IOVA_BASE: u64 = 0x800_0000;
const MSI_IOVA_LENGTH: usize = 0x10_0000;
/// The C driver's `features` bits this driver can report (`ARM_SMMU_FEAT_*`), for the probe line.
mod feat {
    pub(crate) const TWO_LVL_STRTAB: u32 = 1 << 0;
    pub(crate) const TT_LE: u32 = 1 << 2;
    pub(crate) const COHERENCY: u32 = 1 << 8;
    pub(crate) const TRANS_S1: u32 = 1 << 9;
    pub(crate) const TRANS_S2: u32 = 1 << 10;
    pub(crate) const RANGE_INV: u32 = 1 << 15;
    pub(crate) const NESTING: u32 = 1 << 19;
    pub(crate) const DS: u32 = 1 << 26;
}

/// DMA memory shared with the SMMU, as 64-bit words (queues, stream tables, CD tables).
///
/// Ownership: the SMMU reads (tables, command queue) or writes (event queue) the words at any
/// time; the CPU side accesses them only through these volatile accessors, from under the lock
/// of the structure that owns the memory (the command queue's spinlock, the stream table's
/// mutex, the event queue's mutex), so no two CPUs write the same word at once.
struct DmaWords(Coherent<[u64]>);

impl DmaWords {
    /// `n` zeroed words, mapped for `dev` (the SMMU).
    fn new(dev: &Device<Bound>, n: usize) -> Result<Self> {
        Ok(Self(Coherent::<u64>::zeroed_slice(dev, n, GFP_KERNEL)?))
    }

    /// The bus address of the first word.
    fn dma(&self) -> u64 {
        self.0.dma_address()
    }

    #[inline]
    fn read(&self, i: usize) -> u64 {
        assert!(i < self.0.len());
        // SAFETY: `i` is in bounds (checked above) of the `len()` words the coherent allocation
        // holds; the memory is valid and 8-byte aligned for its lifetime (`Coherent`'s
        // invariant). The access is volatile as the SMMU may write the word concurrently.
        unsafe { self.0.as_ptr().cast::<u64>().add(i).read_volatile() }
    }

    /// Writes the two words of a command at `i` and `i + 1`, with one bounds check.
    #[inline]
    fn write2(&self, i: usize, v: [u64; 2]) {
        assert!(i < self.0.len() && self.0.len() - i >= 2);
        // SAFETY: Words `i` and `i + 1` are in bounds (checked above) of the `len()` words the
        // coherent allocation holds, valid and 8-byte aligned for its lifetime (`Coherent`'s
        // invariant); the CPU writes them only under the lock of the owning structure (the
        // ownership rule of the type), so no other CPU accesses them meanwhile. Volatile, as the
        // SMMU may read them at any time.
        unsafe {
            let p = self.0.as_mut_ptr().cast::<u64>().add(i);
            p.write_volatile(v[0]);
            p.add(1).write_volatile(v[1]);
        }
    }

    #[inline]
    fn write(&self, i: usize, v: u64) {
        assert!(i < self.0.len());
        // SAFETY: As in `read`; the CPU writes a word only under the lock of the owning
        // structure (the ownership rule of the type), so no other CPU accesses it meanwhile.
        unsafe { self.0.as_mut_ptr().cast::<u64>().add(i).write_volatile(v) }
    }
}

/// A queue in DMA memory: `1 << shift` entries of `dwords` words.
///
/// # Invariants
///
/// Producer and consumer values are `index | wrap << shift`, with `index < 1 << shift`; the
/// queue is empty when they are equal and full when only their wrap bits differ.
struct Queue {
    mem: DmaWords,
    shift: u32,
    dwords: usize,
}

impl Queue {
    fn new(dev: &Device<Bound>, shift: u32, dwords: usize) -> Result<Self> {
        Ok(Self {
            mem: DmaWords::new(dev, (1 << shift) * dwords)?,
            shift,
            dwords,
        })
    }

    #[inline]
    fn entries(&self) -> u32 {
        1 << self.shift
    }

    /// The index and wrap bits of a `PROD`/`CONS` value.
    #[inline]
    fn wrap_idx(&self, p: u32) -> u32 {
        p & ((self.entries() << 1).wrapping_sub(1))
    }

    /// The first word of the entry at `p` (below `entries() * dwords`, the words of `mem`).
    #[inline]
    fn word(&self, p: u32) -> usize {
        (p & (self.entries().wrapping_sub(1))) as usize * self.dwords
    }

    /// The value after `p` (the index wraps to 0 and flips the wrap bit).
    #[inline]
    fn inc(&self, p: u32) -> u32 {
        self.wrap_idx(p.wrapping_add(1))
    }

    /// Free entries between the producer `prod` and the consumer `cons`.
    #[inline]
    fn space(&self, prod: u32, cons: u32) -> u32 {
        let (p, c) = (self.wrap_idx(prod), self.wrap_idx(cons));
        self.entries() - (p.wrapping_sub(c) & ((self.entries() << 1) - 1))
    }

    /// The `*_BASE` register value (`Q_BASE_RWA | addr | log2size`).
    fn base(&self) -> u64 {
        BASE_RWA | (self.mem.dma() & Q_BASE_ADDR_MASK) | u64::from(self.shift)
    }
}

/// The command queue: the driver is its only producer.
struct Cmdq {
    q: Queue,
    /// The producer value last written to `CMDQ_PROD`.
    prod: u32,
}

/// The event queue: the SMMU is its producer, the event thread its consumer.
struct Evtq {
    q: Queue,
    /// The consumer value last written to `EVTQ_CONS`.
    cons: u32,
    /// The start of the current rate-limit window, and the events reported and suppressed in it.
    window: Instant<Monotonic>,
    reported: u32,
    suppressed: u32,
}

/// The 2-level stream table.
///
/// # Invariants
///
/// `l1` has `l2.len()` descriptors; descriptor `i` points to `l2[i]` when it is `Some` and is 0
/// otherwise.
struct StreamTable {
    l1: DmaWords,
    l2: KVec<Option<DmaWords>>,
    /// The masters, for event reports.
    masters: KVec<MasterEntry>,
}

/// A master as the event thread sees it.
struct MasterEntry {
    sid: u32,
    name: CString,
    /// Set while the master is attached to a nested domain of a vSMMU that knows it (a vDEVICE).
    vmaster: Option<Vmaster>,
}

/// Where the stage-1 events of a master attached to a nested domain go (C
/// `struct arm_smmu_vmaster`).
///
/// # Invariants
///
/// Stored in the master's [`MasterEntry`] only while the master is attached to a nested domain
/// allocated on `viommu`: every attach replaces it, under the stream table's lock. A nested
/// domain keeps its vSMMU (`hwpt_nested->viommu`), and cannot be freed while a device is attached
/// to it, so `viommu` is alive while the entry holds it and the lock is held.
#[derive(Clone, Copy)]
struct Vmaster {
    viommu: ViommuRef<SmmuViommu>,
    /// The virtual StreamID (the vDEVICE's virtual ID).
    vsid: u64,
}

/// What the ID registers say (`arm_smmu_device_hw_probe()`).
#[derive(Clone, Copy)]
struct Features {
    s1: bool,
    s2: bool,
    coherent: bool,
    sid_bits: u32,
    ssid_bits: u32,
    asid_bits: u32,
    vmid_bits: u32,
    ias: u32,
    oas: u32,
    pgsize_bitmap: usize,
    range_inv: bool,
    ds: bool,
    /// The C driver's `features` word for what is above.
    c_features: u32,
}

impl Features {
    /// What the checks of a guest's commands depend on.
    fn cmd_caps(&self) -> CmdCaps {
        CmdCaps {
            asid_mask: asid_field(self.asid_bits),
            ssid_bits: self.ssid_bits,
            range_inv: self.range_inv,
            ds: self.ds,
            ats: false,
        }
    }
}

/// An SMMU instance (C `struct arm_smmu_device`), shared by its registration, its domains and
/// its interrupt handlers.
#[pin_data]
struct Smmu {
    dev: ARef<Device>,
    io: DevresIoMem<MMIO_SIZE>,
    feat: Features,
    #[pin]
    cmdq: SpinLock<Cmdq>,
    #[pin]
    evtq: Mutex<Evtq>,
    #[pin]
    strtab: Mutex<StreamTable>,
    #[pin]
    asids: SpinLock<IdPool>,
    #[pin]
    vmids: SpinLock<IdPool>,
    /// Whether the `nesting_without_coherent_s2` warning was printed for this SMMU.
    unsafe_nesting_warned: Atomic<bool>,
}

impl Smmu {
    /// Issues `cmds` followed by a `CMD_SYNC` and waits until the SMMU consumed them
    /// (`arm_smmu_cmdq_issue_cmdlist()` with `sync`).
    ///
    /// # Errors
    ///
    /// `ENODEV` once the device is unbound; `EINVAL` for more commands than the queue holds;
    /// `ETIMEDOUT` if the SMMU does not consume them in a second; `EIO` if it reports a command
    /// error (`CMDQ_CONS.ERR`).
    fn issue(&self, cmds: &[Cmd]) -> Result {
        self.issue_n(cmds.len(), |i| cmds[i])
    }

    /// [`Self::issue`] of the `n` commands `cmd(0)` to `cmd(n - 1)`, each made as it is written
    /// into the queue (no copy of the list).
    fn issue_n(&self, n: usize, cmd: impl Fn(usize) -> Cmd) -> Result {
        let io = self.io.try_access().ok_or(ENODEV)?;
        let io = &*io;
        let mut cq = self.cmdq.lock();
        let total = n + 1;
        if total > cq.q.entries() as usize {
            return Err(EINVAL);
        }
        let n32 = total as u32;
        let prod = cq.prod;
        // Wait for room: the SMMU consumes in order.
        read_poll_timeout_atomic(
            || Ok(io.read(CMDQ_CONS).value().get()),
            |cons| cq.q.space(prod, *cons) >= n32,
            Delta::from_micros(1),
            POLL_RETRIES,
        )?;
        let mut p = prod;
        // The entries from `prod` on are ours until `CMDQ_PROD` moves past them (the room
        // checked above).
        for i in 0..n {
            cq.q.mem.write2(cq.q.word(p), cmd(i));
            p = cq.q.inc(p);
        }
        cq.q.mem.write2(cq.q.word(p), cmd_sync());
        p = cq.q.inc(p);
        cq.prod = p;
        // `writel()` (the register write) begins with a write barrier (`__iowmb()`): the
        // entries are visible to the SMMU before it sees the new `PROD`.
        io.write_reg(CMDQ_PROD::zeroed().with_value(p));
        let r = read_poll_timeout_atomic(
            || Ok(io.read(CMDQ_CONS).value().get()),
            |cons| cq.q.wrap_idx(*cons) == p || get(u64::from(*cons), 30, 24) != 0,
            Delta::from_micros(1),
            POLL_RETRIES,
        );
        match r {
            Ok(cons) if get(u64::from(cons), 30, 24) != 0 => {
                dev_err!(
                    self.dev,
                    "CMDQ error (cons {:#010x}): command {:#018x} {:#018x}\n",
                    cons,
                    cq.q.mem.read(cq.q.word(cons)),
                    cq.q.mem.read(cq.q.word(cons) + 1)
                );
                Err(EIO)
            }
            Ok(_) => Ok(()),
            Err(e) => {
                dev_err!(self.dev, "CMD_SYNC timeout\n");
                Err(e)
            }
        }
    }

    /// Makes the second-level table of `sid` exist, its STEs aborting
    /// (`arm_smmu_init_l2_strtab()`, `arm_smmu_init_initial_stes()`).
    fn init_l2(&self, dev: &Device<Bound>, sid: u32) -> Result {
        let mut st = self.strtab.lock();
        let i = (sid >> STRTAB_SPLIT) as usize;
        if i >= st.l2.len() {
            return Err(ERANGE);
        }
        if st.l2[i].is_some() {
            return Ok(());
        }
        let l2 = DmaWords::new(dev, STRTAB_NUM_L2_STES * STE_DWORDS)?;
        for s in 0..STRTAB_NUM_L2_STES {
            let ste = abort_ste();
            for (w, v) in ste.iter().enumerate() {
                l2.write(s * STE_DWORDS + w, *v);
            }
        }
        let desc = l1_desc(l2.dma());
        // The STEs are complete before the SMMU can reach them through the descriptor.
        dma_mb(Write);
        st.l1.write(i, desc);
        // INVARIANT: descriptor `i` now points to `l2[i]`.
        st.l2[i] = Some(l2);
        Ok(())
    }

    /// Writes `ste` for `sid`, and `cd` into `cdtab` first if given, with the break-before-make
    /// sequences of [`update_steps`] (the CD's is live only if the current STE uses the CD
    /// table); then records `vmaster` for the master's stage-1 events
    /// (`arm_smmu_attach_commit_vmaster()`).
    fn install(
        &self,
        sid: u32,
        cd: Option<(&DmaWords, &Cd)>,
        ste: &Ste,
        vmaster: Option<Vmaster>,
    ) -> Result {
        let mut st = self.strtab.lock();
        self.write_entries(&st, sid, cd, ste)?;
        if let Some(m) = st.masters.iter_mut().find(|m| m.sid == sid) {
            // INVARIANT: each attach replaces the vmaster, under the stream table's lock.
            m.vmaster = vmaster;
        }
        Ok(())
    }

    /// The STE and CD writes of [`Self::install`].
    fn write_entries(
        &self,
        st: &StreamTable,
        sid: u32,
        cd: Option<(&DmaWords, &Cd)>,
        ste: &Ste,
    ) -> Result {
        let l2 = st.l2[(sid >> STRTAB_SPLIT) as usize]
            .as_ref()
            .ok_or(EINVAL)?;
        let base = (sid as usize & (STRTAB_NUM_L2_STES - 1)) * STE_DWORDS;
        let cur: Ste = core::array::from_fn(|w| l2.read(base + w));
        if let Some((cdtab, cd)) = cd {
            let live = cur[0] & STE_0_V != 0 && get(cur[0], 3, 1) == 5;
            let cur_cd: Cd = core::array::from_fn(|w| cdtab.read(w));
            self.apply(
                cdtab,
                0,
                &update_steps(&cur_cd, cd, CD_0_V, live),
                cfgi_cd(sid),
            )?;
        }
        self.apply(
            l2,
            base,
            &update_steps(&cur, ste, STE_0_V, true),
            cfgi_ste(sid),
        )
    }

    /// Carries out `steps` on the entry at word `base` of `mem`, with `cfgi` for its syncs.
    fn apply(&self, mem: &DmaWords, base: usize, steps: &Steps, cfgi: Cmd) -> Result {
        for s in steps.as_slice() {
            match *s {
                Step::Write(0, v) => {
                    // The entry's other words are visible before its valid bit.
                    dma_mb(Write);
                    mem.write(base, v);
                }
                Step::Write(i, v) => mem.write(base + i, v),
                Step::Sync => self.issue(&[cfgi])?,
            }
        }
        Ok(())
    }

    /// Reads and reports the pending events (`arm_smmu_evtq_thread()`).
    ///
    /// The events are read in batches with the registers accessible (an RCU read-side section,
    /// in which nothing may sleep) and reported after it (reporting takes the stream table's
    /// mutex for the masters' names).
    fn handle_events(&self) {
        const BATCH: usize = 16;
        let mut eq = self.evtq.lock();
        loop {
            let mut batch = [[0u64; 4]; BATCH];
            let mut n = 0;
            {
                let Some(io) = self.io.try_access() else {
                    return;
                };
                let io = &*io;
                let prod = io.read(EVTQ_PROD).value().get();
                while n < BATCH && eq.q.wrap_idx(prod) != eq.q.wrap_idx(eq.cons) {
                    let w = eq.q.word(eq.cons);
                    batch[n] = core::array::from_fn(|i| eq.q.mem.read(w + i));
                    n += 1;
                    eq.cons = eq.q.inc(eq.cons) | (eq.cons & (1 << 31));
                }
                if n == 0 && (prod ^ eq.cons) & (1 << 31) != 0 {
                    dev_err!(self.dev, "EVTQ overflow detected -- events lost\n");
                    eq.cons = (eq.cons & !(1 << 31)) | (prod & (1 << 31));
                }
                // The entries are read before the SMMU may overwrite them (`writel()`'s
                // barrier).
                io.write_reg(EVTQ_CONS::zeroed().with_value(eq.cons));
            }
            if n == 0 {
                break;
            }
            for raw in &batch[..n] {
                if eq.window.elapsed() > Delta::from_millis(EVT_RATELIMIT_MS) {
                    if eq.suppressed != 0 {
                        dev_warn!(self.dev, "{} event reports suppressed\n", eq.suppressed);
                    }
                    eq.window = Instant::now();
                    eq.reported = 0;
                    eq.suppressed = 0;
                }
                let e = Event::decode(raw);
                // `arm_smmu_handle_event()`: a stage-1 event of a nested master goes to its
                // vSMMU; what is not delivered is printed (`arm_smmu_dump_event()`).
                if self.deliver_vevent(&e, raw) {
                    continue;
                }
                if eq.reported < EVT_RATELIMIT_BURST {
                    eq.reported += 1;
                    self.report(&e, raw);
                } else {
                    eq.suppressed += 1;
                }
            }
        }
    }

    /// Reports a stage-1 event of a master attached to a nested domain to the vSMMU's vEVENTQ,
    /// with the virtual StreamID (`arm_vmaster_report_event()`); whether it was delivered (not if
    /// the master is not nested, the event is of stage 2, or the vSMMU has no vEVENTQ).
    fn deliver_vevent(&self, e: &Event, raw: &[u64; 4]) -> bool {
        if e.s2 {
            return false;
        }
        let st = self.strtab.lock();
        let Some(vm) = st
            .masters
            .iter()
            .find(|m| m.sid == e.sid)
            .and_then(|m| m.vmaster)
        else {
            return false;
        };
        // SAFETY: `vm` is in a master's entry and the stream table's lock is held, so the vSMMU
        // is alive until `st` is dropped (the invariant of `Vmaster`).
        let viommu = unsafe { vm.viommu.get() };
        let evt = vevent(raw, vm.vsid as u32).map(u64::to_le);
        viommu
            .core()
            .report_event(uapi::VEVENTQ_TYPE, &uapi::Vevent { evt })
            .is_ok()
    }

    /// Prints an event as `arm_smmu_dump_event()` does.
    fn report(&self, e: &Event, raw: &[u64; 4]) {
        let st = self.strtab.lock();
        let client = st
            .masters
            .iter()
            .find(|m| m.sid == e.sid)
            .map(|m| m.name.to_str().unwrap_or("?"))
            .unwrap_or("(unassigned sid)");
        dev_info!(
            self.dev,
            "event {:#04x} received: {:#018x} {:#018x} {:#018x} {:#018x}\n",
            e.id,
            raw[0],
            raw[1],
            raw[2],
            raw[3]
        );
        if e.is_translation_fault() {
            dev_err!(
                self.dev,
                "event: {} client: {} sid: {} ssid: {} iova: {} ipa: {}\n",
                event_name(e.id),
                client,
                CHex(e.sid.into()),
                CHex(e.ssid.into()),
                CHex(e.iova),
                CHex(e.ipa)
            );
            let ttd = match (e.class_tt, e.tt_read) {
                (false, _) => "",
                (true, true) => " ttd_read",
                (true, false) => " ttd_write",
            };
            dev_err!(
                self.dev,
                "{} {} {} {} \"{}\"{}{} stag: {}\n",
                if e.privileged { "priv" } else { "unpriv" },
                if e.instruction { "inst" } else { "data" },
                if e.read { "read" } else { "write" },
                if e.s2 { "s2" } else { "s1" },
                e.class_name(),
                ttd,
                if e.stall { " stall" } else { "" },
                CHex(e.stag.into())
            );
        } else {
            dev_err!(
                self.dev,
                "event: {} client: {} sid: {} ssid: {}\n",
                event_name(e.id),
                client,
                CHex(e.sid.into()),
                CHex(e.ssid.into())
            );
        }
    }

    /// Acknowledges and reports global errors (`arm_smmu_gerror_handler()`).
    fn handle_gerror(&self) -> IrqReturn {
        let Some(io) = self.io.try_access() else {
            return IrqReturn::None;
        };
        let io = &*io;
        let gerror = io.read(GERROR).value().get();
        let gerrorn = io.read(GERRORN).value().get();
        let active = (gerror ^ gerrorn) & GERROR_ERR_MASK;
        if active == 0 {
            return IrqReturn::None;
        }
        dev_warn!(
            self.dev,
            "unexpected global error reported ({:#010x}), this could be serious\n",
            active
        );
        if active & GERROR_CMDQ_ERR != 0 {
            dev_err!(self.dev, "CMDQ error\n");
        }
        io.write_reg(GERRORN::zeroed().with_value(gerror));
        IrqReturn::Handled
    }

    /// Invalidates the TLB entries of a domain in `[iova, iova + size)`, page by page of
    /// `granule` bytes, or the whole ASID/VMID for a large range (`arm_smmu_tlb_inv_range_domain()`
    /// without range invalidation).
    fn inv_range(&self, d: &SmmuDomain, iova: usize, size: usize, granule: usize, leaf: bool) {
        let granule = if granule == 0 { SZ_4K } else { granule };
        let pages = size.div_ceil(granule);
        if pages == 0 {
            return;
        }
        if pages > TLBI_MAX_CMDS {
            return self.inv_all(d);
        }
        let mut cmds = [[0u64; 2]; TLBI_MAX_CMDS + 1];
        for (i, c) in cmds.iter_mut().enumerate().take(pages) {
            let a = (iova + i * granule) as u64;
            *c = match d.stage {
                LpaeStage::S1 => tlbi_nh_va(d.asid, a, leaf),
                LpaeStage::S2 => tlbi_s2_ipa(d.vmid, a, leaf),
            };
        }
        let mut n = pages;
        // When a nest parent changes, every nested stage-1 entry of its VMID goes too
        // (`INV_TYPE_S2_VMID_S1_CLEAR`).
        if d.nest_parent {
            cmds[n] = tlbi_nh_all(d.vmid);
            n += 1;
        }
        if let Err(e) = self.issue(&cmds[..n]) {
            dev_err!(self.dev, "TLB invalidation failed: {:?}\n", e);
        }
    }

    /// Invalidates every TLB entry of a domain (`arm_smmu_tlb_inv_context()`).
    fn inv_all(&self, d: &SmmuDomain) {
        let cmd = match d.stage {
            LpaeStage::S1 => tlbi_nh_asid(d.asid),
            LpaeStage::S2 => tlbi_s12_vmall(d.vmid),
        };
        if let Err(e) = self.issue(&[cmd]) {
            dev_err!(self.dev, "TLB invalidation failed: {:?}\n", e);
        }
    }
}

/// Reads the ID registers and refuses what the C driver refuses (`arm_smmu_device_hw_probe()`).
fn hw_probe(dev: &Device, io: &kernel::io::mem::IoMem<'_, MMIO_SIZE>) -> Result<Features> {
    let idr0 = io.read(IDR0);
    let mut c = 0;
    if idr0.st_lvl().get() == IDR0_ST_LVL_2LVL {
        c |= feat::TWO_LVL_STRTAB;
    } else {
        // Linear stream tables (small SIDSIZE) are not implemented here; the C driver has them.
        dev_err!(
            dev,
            "2-level stream tables not supported: unsupported by this driver\n"
        );
        return Err(ENXIO);
    }
    match idr0.ttendian().get() {
        IDR0_TTENDIAN_MIXED | IDR0_TTENDIAN_LE => c |= feat::TT_LE,
        _ => {
            dev_err!(dev, "unknown/unsupported TT endianness!\n");
            return Err(ENXIO);
        }
    }
    let coherent = idr0.cohacc();
    if coherent {
        c |= feat::COHERENCY;
    }
    let (s1, s2) = (idr0.s1p(), idr0.s2p());
    if s1 {
        c |= feat::TRANS_S1;
    }
    if s2 {
        c |= feat::TRANS_S2;
    }
    if !s1 && !s2 {
        dev_err!(dev, "no translation support!\n");
        return Err(ENXIO);
    }
    match idr0.ttf().get() {
        IDR0_TTF_AARCH64 | IDR0_TTF_AARCH32_64 => {}
        _ => {
            dev_err!(dev, "AArch64 table format not supported!\n");
            return Err(ENXIO);
        }
    }
    let asid_bits = if idr0.asid16() { 16 } else { 8 };
    let vmid_bits = if idr0.vmid16() { 16 } else { 8 };

    let idr1 = io.read(IDR1);
    if idr1.tables_preset() || idr1.queues_preset() {
        dev_err!(dev, "embedded implementation not supported\n");
        return Err(ENXIO);
    }
    if idr1.cmdqs().get() < CMDQ_SHIFT || idr1.evtqs().get() < EVTQ_SHIFT {
        dev_err!(dev, "command or event queue too small\n");
        return Err(ENXIO);
    }
    let sid_bits = idr1.sidsize().get();
    let ssid_bits = idr1.ssidsize().get();
    if sid_bits <= STRTAB_SPLIT {
        dev_err!(
            dev,
            "{}-bit StreamIDs need a linear stream table: unsupported\n",
            sid_bits
        );
        return Err(ENXIO);
    }

    let range_inv = io.read(IDR3).ril();
    if range_inv {
        c |= feat::RANGE_INV;
    }

    let idr5 = io.read(IDR5);
    let ds = idr5.ds();
    if ds {
        c |= feat::DS;
    }
    let mut pgsize_bitmap = 0;
    if idr5.gran4k() {
        pgsize_bitmap |= SZ_4K | SZ_2M | SZ_1G;
    }
    if idr5.gran16k() {
        pgsize_bitmap |= SZ_16K | SZ_32M;
    }
    if idr5.gran64k() {
        pgsize_bitmap |= SZ_64K | SZ_512M;
    }
    let oas = match idr5.oas().get() {
        0 => 32,
        1 => 36,
        2 => 40,
        3 => 42,
        4 => 44,
        6 => 52,
        5 => 48,
        _ => {
            dev_info!(dev, "unknown output address size. Truncating to 48-bit\n");
            48
        }
    };
    if s1 && s2 {
        c |= feat::NESTING;
    }
    Ok(Features {
        s1,
        s2,
        coherent,
        sid_bits,
        ssid_bits,
        asid_bits,
        vmid_bits,
        ias: oas,
        oas,
        pgsize_bitmap,
        range_inv,
        ds,
        c_features: c,
    })
}

/// Writes `CR0` and waits for `CR0ACK` (`arm_smmu_write_reg_sync()`).
fn write_cr0(io: &kernel::io::mem::IoMem<'_, MMIO_SIZE>, cr0: CR0) -> Result {
    let want = u32::from(cr0);
    io.write_reg(cr0);
    read_poll_timeout(
        || Ok(io.read(CR0ACK).value().get()),
        |ack| *ack == want,
        Delta::from_micros(1),
        Delta::from_millis(1000),
    )
    .map(|_| ())
}

/// Sets `GBPA.ABORT` (`arm_smmu_update_gbpa()`).
fn gbpa_abort(io: &kernel::io::mem::IoMem<'_, MMIO_SIZE>) -> Result {
    let gbpa = io.read(GBPA);
    io.write_reg(gbpa.with_abort(true).with_update(true));
    read_poll_timeout(
        || Ok(io.read(GBPA)),
        |g| !g.update(),
        Delta::from_micros(1),
        Delta::from_millis(1000),
    )
    .map(|_| ())
}

/// Creates the queues and the stream table and resets the SMMU into translation
/// (`arm_smmu_init_structures()`, `arm_smmu_device_reset()`).
fn reset(
    pdev: &platform::Device<Core<'_>>,
    io_map: kernel::io::mem::IoMem<'_, MMIO_SIZE>,
) -> Result<Arc<Smmu>> {
    let dev: &Device<Bound> = pdev.as_ref();
    let io = &io_map;
    let f = hw_probe(dev, io)?;
    // SAFETY: No DMA allocation or mapping is made for the SMMU concurrently: it is being
    // probed, and nothing else uses it yet.
    unsafe { pdev.dma_set_mask_and_coherent(DmaMask::try_new(f.oas)?)? };

    let cmdq = Queue::new(dev, CMDQ_SHIFT, 2)?;
    let evtq = Queue::new(dev, EVTQ_SHIFT, 4)?;
    let l1_n = 1usize << (f.sid_bits - STRTAB_SPLIT);
    let l1 = DmaWords::new(dev, l1_n)?;
    let mut l2 = KVec::with_capacity(l1_n, GFP_KERNEL)?;
    for _ in 0..l1_n {
        l2.push(None, GFP_KERNEL)?;
    }

    // Disable, as the C driver does, keeping DMA aborted if the SMMU was left on.
    if io.read(CR0).smmuen() {
        dev_warn!(dev, "SMMU currently enabled! Resetting...\n");
        gbpa_abort(io)?;
    }
    write_cr0(io, CR0::zeroed())?;

    let (sh, wb) = (SH_ISH, CACHE_WB);
    io.write_reg(
        CR1::zeroed()
            .try_with_table_sh(sh)?
            .try_with_table_oc(wb)?
            .try_with_table_ic(wb)?
            .try_with_queue_sh(sh)?
            .try_with_queue_oc(wb)?
            .try_with_queue_ic(wb)?,
    );
    io.write_reg(CR2::zeroed().with_ptm(true).with_recinvsid(true));

    let strtab_base = BASE_RWA | (l1.dma() & STRTAB_BASE_ADDR_MASK);
    io.write_reg(STRTAB_BASE_LO::zeroed().with_value(strtab_base as u32));
    io.write_reg(STRTAB_BASE_HI::zeroed().with_value((strtab_base >> 32) as u32));
    io.write_reg(
        STRTAB_BASE_CFG::zeroed()
            .try_with_format(1u32)?
            .try_with_split(STRTAB_SPLIT)?
            .try_with_log2size(f.sid_bits)?,
    );

    io.write_reg(CMDQ_BASE_LO::zeroed().with_value(cmdq.base() as u32));
    io.write_reg(CMDQ_BASE_HI::zeroed().with_value((cmdq.base() >> 32) as u32));
    io.write_reg(CMDQ_PROD::zeroed().with_value(0u32));
    io.write_reg(CMDQ_CONS::zeroed().with_value(0u32));
    let cr0 = CR0::zeroed().with_cmdqen(true);
    write_cr0(io, cr0)?;

    let io_devres = io_map.into_devres()?;
    let plain_dev: &Device = dev;
    let smmu = Arc::pin_init(
        try_pin_init!(Smmu {
            dev: ARef::from(plain_dev),
            io: io_devres,
            feat: f,
            cmdq <- new_spinlock!(Cmdq { q: cmdq, prod: 0 }),
            evtq <- new_mutex!(Evtq {
                q: evtq,
                cons: 0,
                window: Instant::now(),
                reported: 0,
                suppressed: 0,
            }),
            // INVARIANT: every descriptor of `l1` is 0 and every `l2` entry `None`.
            strtab <- new_mutex!(StreamTable { l1, l2, masters: KVec::new() }),
            asids <- new_spinlock!(IdPool::with_capacity(1 << f.asid_bits, GFP_KERNEL)?),
            vmids <- new_spinlock!(IdPool::with_capacity(1 << f.vmid_bits, GFP_KERNEL)?),
            unsafe_nesting_warned: Atomic::new(false),
        }? Error),
        GFP_KERNEL,
    )?;

    // Invalidate every cached configuration and TLB entry.
    smmu.issue(&[cfgi_all(), tlbi_nsnh_all()])?;

    let io = smmu.io.access(dev)?;
    let eq = smmu.evtq.lock();
    io.write_reg(EVTQ_BASE_LO::zeroed().with_value(eq.q.base() as u32));
    io.write_reg(EVTQ_BASE_HI::zeroed().with_value((eq.q.base() >> 32) as u32));
    io.write_reg(EVTQ_PROD::zeroed().with_value(0u32));
    io.write_reg(EVTQ_CONS::zeroed().with_value(0u32));
    drop(eq);
    let cr0 = cr0.with_evtqen(true);
    write_cr0(io, cr0)?;

    io.write_reg(IRQ_CTRL::zeroed());
    io.write_reg(
        IRQ_CTRL::zeroed()
            .with_evtq_irqen(true)
            .with_gerror_irqen(true),
    );
    read_poll_timeout(
        || Ok(io.read(IRQ_CTRLACK).value().get()),
        |ack| *ack & 0x5 == 0x5,
        Delta::from_micros(1),
        Delta::from_millis(1000),
    )?;

    write_cr0(io, cr0.with_smmuen(true))?;
    Ok(smmu)
}

/// Turns translation and the queues off, with DMA aborted (`arm_smmu_device_disable()` and
/// `GBPA.ABORT`): dropped when the device is unbound, after its IOMMU registration is.
struct Disable(Arc<Smmu>);

impl Drop for Disable {
    fn drop(&mut self) {
        let smmu = &self.0;
        if let Some(io) = smmu.io.try_access() {
            let io = &*io;
            if gbpa_abort(io).is_err() || write_cr0(io, CR0::zeroed()).is_err() {
                dev_err!(smmu.dev, "failed to disable the SMMU\n");
            }
            io.write_reg(IRQ_CTRL::zeroed());
            // What the SMMU says now, as evidence for the unload test.
            dev_info!(
                smmu.dev,
                "disabled: CR0ACK {:#010x}, GBPA.ABORT {}\n",
                io.read(CR0ACK).value().get(),
                u32::from(io.read(GBPA).abort())
            );
        }
    }
}

/// The event queue's interrupt: events are reported from its thread.
struct EvtqIrq(Arc<Smmu>);

impl irq::ThreadedHandler for EvtqIrq {
    fn handle_threaded(&self) -> IrqReturn {
        self.0.handle_events();
        IrqReturn::Handled
    }
}

/// The global error interrupt.
struct GerrorIrq(Arc<Smmu>);

impl irq::Handler for GerrorIrq {
    fn handle(&self) -> IrqReturn {
        self.0.handle_gerror()
    }
}

/// The per-device data (C `struct arm_smmu_master`): one StreamID and its one-entry CD table.
struct Master {
    sid: u32,
    cdtab: DmaWords,
}

/// A paging domain's driver data (C `struct arm_smmu_domain`).
///
/// # Invariants
///
/// `asid` (stage 1) or `vmid` (stage 2) is allocated in `smmu`'s pool for this domain alone until
/// drop.
struct SmmuDomain {
    smmu: Arc<Smmu>,
    stage: LpaeStage,
    asid: u16,
    vmid: u16,
    /// A stage-2 domain that vSMMUs and nested domains may use (`IOMMU_HWPT_ALLOC_NEST_PARENT`).
    nest_parent: bool,
}

impl Drop for SmmuDomain {
    fn drop(&mut self) {
        // The table was freed before (its flush-all invalidated the ID's TLB entries).
        match self.stage {
            LpaeStage::S1 => self.smmu.asids.lock().release_id(self.asid.into()),
            LpaeStage::S2 => self.smmu.vmids.lock().release_id(self.vmid.into()),
        }
    }
}

/// The driver (its `struct iommu_ops`).
struct ArmSmmu;

static IDENTITY: StaticDomain<ArmSmmu> = StaticDomain::identity::<Identity>();
static BLOCKED: StaticDomain<ArmSmmu> = StaticDomain::blocked::<Blocked>();

/// The identity domain: a bypass STE (`arm_smmu_attach_dev_identity()`).
struct Identity;

#[vtable]
impl StaticOps for Identity {
    type Driver = ArmSmmu;
    const TABLE: &'static StaticTable<Self> = kernel::iommu_static_table!(StaticTable<Identity>);

    fn attach_dev(_d: &Domain, dev: &ProbedDevice<ArmSmmu>, _old: Option<&Domain>) -> Result {
        dev.instance()
            .install(dev.data().sid, None, &bypass_ste(), None)
    }
}

/// The blocked domain: an abort STE (`arm_smmu_attach_dev_blocked()`).
struct Blocked;

#[vtable]
impl StaticOps for Blocked {
    type Driver = ArmSmmu;
    const TABLE: &'static StaticTable<Self> = kernel::iommu_static_table!(StaticTable<Blocked>);

    fn attach_dev(_d: &Domain, dev: &ProbedDevice<ArmSmmu>, _old: Option<&Domain>) -> Result {
        dev.instance()
            .install(dev.data().sid, None, &abort_ste(), None)
    }
}

#[vtable]
impl Driver for ArmSmmu {
    type DevData = Master;
    type Instance = Arc<Smmu>;
    type Paging = SmmuDomain;
    type Nested = SmmuNested;
    type Viommu = SmmuViommu;

    const OPS: &'static OpsTable<Self> = kernel::iommu_static_table!(OpsTable<ArmSmmu>);
    const BLOCKED_DOMAIN: Option<&'static StaticDomain<Self>> = Some(&BLOCKED);
    const IDENTITY_DOMAIN: Option<&'static StaticDomain<Self>> = Some(&IDENTITY);
    const RELEASE_DOMAIN: Option<&'static StaticDomain<Self>> = Some(&BLOCKED);
    const DEVICE_GROUP: DeviceGroup = DeviceGroup::PciOrGeneric;
    const VIOMMU_TYPE: u32 = uapi::VIOMMU_TYPE;

    fn probe_device<'p>(
        dev: &'p Device,
        instances: ProbeInstances<'p, Self>,
    ) -> Result<Probed<'p, Self>> {
        let inst = instances.of_fwspec().ok_or(ENODEV)?;
        let smmu = inst.data();
        let &[sid] = instances.fwspec_ids() else {
            dev_err!(dev, "only one StreamID per device is supported\n");
            return Err(EOPNOTSUPP);
        };
        // `arm_smmu_sid_in_range()`.
        if sid >= 1 << smmu.feat.sid_bits {
            return Err(ERANGE);
        }
        let bound = inst.bound_device().ok_or(ENODEV)?;
        smmu.init_l2(bound, sid)?;
        let cdtab = DmaWords::new(bound, CD_DWORDS)?;
        let name = CString::try_from_fmt(fmt!("{}", dev.name().to_str().unwrap_or("?")))?;
        smmu.strtab.lock().masters.push(
            MasterEntry {
                sid,
                name,
                vmaster: None,
            },
            GFP_KERNEL,
        )?;
        Ok((inst, KBox::pin(Master { sid, cdtab }, GFP_KERNEL)?))
    }

    fn release_device(dev: &ProbedDevice<Self>) {
        let sid = dev.data().sid;
        // The core attached the release domain (blocked) first: nothing uses the CD table.
        dev.instance()
            .strtab
            .lock()
            .masters
            .retain(|m| m.sid != sid);
    }

    fn of_xlate(dev: &OfXlate<'_>, args: &[u32]) -> Result {
        // `arm_smmu_of_xlate()`: `#iommu-cells = 1`, the StreamID.
        dev.add_ids(args.get(..1).ok_or(EINVAL)?)
    }

    fn get_resv_regions(_dev: &ProbedDevice<Self>, regions: &mut ResvRegions<'_>) {
        // `arm_smmu_get_resv_regions()`.
        let prot = pgtable::prot::WRITE | pgtable::prot::NOEXEC | pgtable::prot::MMIO;
        if regions
            .add(MSI_IOVA_BASE, MSI_IOVA_LENGTH, prot, ResvType::SwMsi)
            .is_err()
        {
            return;
        }
        regions.add_dma_regions();
    }

    fn def_domain_type(dev: &ProbedDevice<Self>) -> Option<DefDomainType> {
        // `arm_smmu_def_domain_type()`.
        #[cfg(CONFIG_PCI)]
        let ids = <&kernel::pci::Device>::try_from(&**dev)
            .ok()
            .map(|p| (p.vendor_id().as_raw(), p.device_id()));
        #[cfg(not(CONFIG_PCI))]
        let ids = None;
        hw::def_domain_type(ids)
    }

    fn capable(dev: &ProbedDevice<Self>, cap: Cap) -> bool {
        // `arm_smmu_capable()`.
        match cap {
            Cap::CacheCoherency => dev.instance().feat.coherent,
            Cap::NoExec | Cap::DeferredFlush => true,
            _ => false,
        }
    }

    fn hw_info(dev: &ProbedDevice<Self>, requested: u32) -> Result<HwInfo> {
        // `arm_smmu_hw_info()`: the ID registers as they read.
        if requested != hw_info::TYPE_DEFAULT && requested != hw_info::TYPE_ARM_SMMUV3 {
            return Err(EOPNOTSUPP);
        }
        let smmu = dev.instance();
        let io = smmu.io.try_access().ok_or(ENODEV)?;
        let io = &*io;
        let info = hw_info::ArmSmmuv3 {
            flags: 0,
            __reserved: 0,
            idr: [
                io.read(IDR0).into(),
                io.read(IDR1).into(),
                io.read(IDR2).into(),
                io.read(IDR3).into(),
                io.read(IDR4).into(),
                io.read(IDR5).into(),
            ],
            iidr: io.read(IIDR).value().get(),
            aidr: io.read(AIDR).value().get(),
        };
        HwInfo::new(hw_info::TYPE_ARM_SMMUV3, &info)
    }

    fn domain_alloc_paging_flags(
        dev: &ProbedDevice<Self>,
        flags: u32,
        user_data: Option<&kernel::iommu::user_data::UserData>,
    ) -> Result<Pin<KBox<PagingDomain<SmmuDomain>>>> {
        // `arm_smmu_domain_alloc_paging_flags()`.
        let smmu = dev.instance();
        let paging_flags =
            alloc_flags::DIRTY_TRACKING | alloc_flags::PASID | alloc_flags::NEST_PARENT;
        if flags & !paging_flags != 0 || user_data.is_some() {
            return Err(EOPNOTSUPP);
        }
        let stage = match flags {
            0 if smmu.feat.s1 => LpaeStage::S1,
            0 => LpaeStage::S2,
            alloc_flags::NEST_PARENT if smmu.feat.s1 && smmu.feat.s2 => LpaeStage::S2,
            // A PASID-capable domain is a stage-1 one, as in C (which devices may then attach to
            // PASIDs; this driver has no substreams, so none does).
            alloc_flags::PASID if smmu.feat.s1 => LpaeStage::S1,
            // Dirty tracking needs HTTU, which this driver does not implement (iommufd asks only
            // if `capable()` says the device can, which it never does here).
            _ => return Err(EOPNOTSUPP),
        };
        let (ias, asid, vmid) = match stage {
            LpaeStage::S1 => {
                let mut pool = smmu.asids.lock();
                let id = pool.find_unused_id(1).ok_or(ENOSPC)?.acquire();
                (48, id as u16, 0)
            }
            LpaeStage::S2 => {
                let mut pool = smmu.vmids.lock();
                let id = pool.find_unused_id(1).ok_or(ENOSPC)?.acquire();
                (smmu.feat.oas, 0, id as u16)
            }
        };
        // INVARIANT: `asid` or `vmid` was just acquired for this domain.
        let data = SmmuDomain {
            smmu: smmu.clone(),
            stage,
            asid,
            vmid,
            nest_parent: flags == alloc_flags::NEST_PARENT,
        };
        let cfg = LpaeConfig::new(
            stage,
            &smmu.dev,
            pgtable::Config {
                quirks: 0,
                pgsize_bitmap: smmu.feat.pgsize_bitmap,
                ias,
                oas: smmu.feat.oas,
                coherent_walk: smmu.feat.coherent,
            },
        );
        PagingDomain::new(&cfg, PagingOptions::default(), Ok::<_, Error>(data))
    }

    /// `arm_smmu_get_viommu_size()`: a vSMMU needs nesting and a stage 2 that keeps the guest
    /// from making DMA non-coherent, which this driver does not have (see the module's
    /// documentation) unless `nesting_without_coherent_s2` is set.
    fn viommu_supported(dev: &ProbedDevice<Self>) -> bool {
        let smmu = dev.instance();
        if smmu.feat.c_features & feat::NESTING == 0 {
            return false;
        }
        if !module_parameters::nesting_without_coherent_s2.value() {
            return false;
        }
        if !smmu.unsafe_nesting_warned.xchg(true, Relaxed) {
            dev_warn!(
                smmu.dev,
                "vSMMU without S2FWB or CANWBS (nesting_without_coherent_s2): DMA may be non-coherent\n"
            );
        }
        add_taint(Taint::User);
        true
    }

    /// `arm_vsmmu_init()`.
    ///
    /// # Errors
    ///
    /// `EINVAL` if the parent is not a nest parent of this SMMU.
    fn viommu_init(
        _viommu: &ViommuCore,
        instance: &Arc<Smmu>,
        parent: &PagingDomain<SmmuDomain>,
        _user_data: Option<&UserData>,
    ) -> Result<impl PinInit<SmmuViommu, Error>> {
        if !Arc::ptr_eq(instance, &parent.smmu) || !parent.nest_parent {
            return Err(EINVAL);
        }
        Ok(Ok::<_, Error>(SmmuViommu {
            smmu: instance.clone(),
            vmid: parent.vmid,
        }))
    }
}

#[vtable]
impl PagingOps for SmmuDomain {
    type Driver = ArmSmmu;
    type Format = ArmLpae;
    const TABLE: &'static PagingTable<Self> = kernel::iommu_static_table!(PagingTable<SmmuDomain>);

    fn attach_dev(
        d: &PagingDomain<Self>,
        dev: &ProbedDevice<ArmSmmu>,
        _old: Option<&Domain>,
    ) -> Result {
        let smmu = dev.instance();
        // `arm_smmu_attach_prepare()`: a domain belongs to one SMMU.
        if !Arc::ptr_eq(smmu, &d.smmu) {
            return Err(EINVAL);
        }
        let m = dev.data();
        match d.stage() {
            LpaeStage::S1 => {
                let s1 = d.s1_cfg().ok_or(EINVAL)?;
                let cd = s1_cd(d.asid, &s1.tcr, s1.ttbr, s1.mair);
                smmu.install(
                    m.sid,
                    Some((&m.cdtab, &cd)),
                    &cdtable_ste(m.cdtab.dma()),
                    None,
                )
            }
            LpaeStage::S2 => smmu.install(m.sid, None, &s2_domain_ste(d)?, None),
        }
    }

    fn flush_iotlb_all(d: &PagingDomain<Self>) {
        d.smmu.inv_all(d);
    }

    fn iotlb_sync(d: &PagingDomain<Self>, gather: &Gather) {
        if gather.start() > gather.end() {
            return;
        }
        let size = gather.end() - gather.start() + 1;
        d.smmu
            .inv_range(d, gather.start(), size, gather.pgsize(), true);
    }

    fn tlb_flush_all(d: &PagingDomain<Self>) {
        d.smmu.inv_all(d);
    }

    fn tlb_flush_walk(d: &PagingDomain<Self>, iova: usize, size: usize, granule: usize) {
        d.smmu.inv_range(d, iova, size, granule, false);
    }

    fn tlb_add_page(d: &PagingDomain<Self>, gather: Pin<&mut Gather>, iova: usize, granule: usize) {
        // SAFETY: `d` is a live domain whose `iotlb_sync` (above) only issues commands under a
        // spinlock, so it may run here, in io-pgtable's unmap, in any context.
        unsafe { gather.add_page(d.domain().as_raw(), iova, granule) };
    }
}

/// The STE of a stage-2 domain (`arm_smmu_make_s2_domain_ste()`).
fn s2_domain_ste(d: &PagingDomain<SmmuDomain>) -> Result<Ste> {
    let s2 = d.s2_cfg().ok_or(EINVAL)?;
    Ok(s2_ste(d.vmid, &s2.vtcr, s2.vttbr))
}

/// A nested domain (C `struct arm_smmu_nested_domain`): the user's vSTE, on a vSMMU whose parent
/// gives stage 2.
struct SmmuNested {
    vste: Vste,
}

#[vtable]
impl NestedOps for SmmuNested {
    type Driver = ArmSmmu;
    const TABLE: &'static NestedTable<Self> = kernel::iommu_static_table!(NestedTable<SmmuNested>);

    /// `arm_smmu_attach_dev_nested()`: the parent's stage-2 STE with the user's stage-1 fields.
    ///
    /// # Errors
    ///
    /// `EINVAL` if the device is behind another SMMU than the vSMMU's; `ENOENT` for a stage-1
    /// vSTE if the device has no vDEVICE on the vSMMU (invalidations and vEVENTs need its vSID);
    /// `ETIMEDOUT`/`EIO` if the SMMU does not take the configuration commands.
    fn attach_dev(
        d: &NestedDomain<Self>,
        dev: &ProbedDevice<ArmSmmu>,
        _old: Option<&Domain>,
    ) -> Result {
        // Nested domains of this driver are only allocated on a vSMMU.
        let viommu = d.viommu().ok_or(EINVAL)?;
        let smmu = dev.instance();
        if !Arc::ptr_eq(smmu, &viommu.smmu) {
            return Err(EINVAL);
        }
        // `arm_smmu_attach_prepare_vmaster()`: an abort or bypass vSTE may attach without a
        // vDEVICE (the guest's GBPA), a translating one may not.
        let vmaster = match viommu.core().vdev_id(dev) {
            Ok(vsid) => Some(Vmaster {
                viommu: ViommuRef::new(viommu),
                vsid,
            }),
            Err(e) if d.vste.config() == VsteConfig::S1Trans => return Err(e),
            Err(_) => None,
        };
        let ste = d.vste.ste(&s2_domain_ste(viommu.parent())?);
        smmu.install(dev.data().sid, None, &ste, vmaster)
    }
}

/// A vSMMU (C `struct arm_vsmmu`): the guest's view of an SMMU, on a stage-2 nest parent.
struct SmmuViommu {
    smmu: Arc<Smmu>,
    /// The parent's VMID, which every command of the guest is forced to.
    vmid: u16,
}

/// A vDEVICE of a vSMMU (C `arm_vsmmu_vdevice_init()` keeps none): the physical StreamID its
/// virtual StreamID stands for in the guest's commands ([`convert_user_cmd`]).
struct SmmuVdevice {
    sid: u32,
}

#[vtable]
impl ViommuOps for SmmuViommu {
    type Driver = ArmSmmu;
    type HwQueue = ();
    type Vdevice = SmmuVdevice;
    const TABLE: &'static ViommuTable<Self> = kernel::iommu_static_table!(ViommuTable<SmmuViommu>);

    /// `arm_vsmmu_alloc_domain_nested()`.
    ///
    /// # Errors
    ///
    /// `EOPNOTSUPP` for any flag; `EINVAL` if the data is not `IOMMU_HWPT_DATA_ARM_SMMUV3` or its
    /// length is not that of `struct iommu_hwpt_arm_smmuv3` (16 bytes), `EFAULT` if unreadable;
    /// `EIO` for an invalid vSTE ([`Vste::new`]).
    fn alloc_domain_nested(
        _viommu: &Viommu<Self>,
        flags: u32,
        user_data: &UserData,
    ) -> Result<impl PinInit<SmmuNested, Error>> {
        if flags != 0 {
            return Err(EOPNOTSUPP);
        }
        let arg: uapi::HwptData = user_data.read(uapi::HWPT_DATA)?;
        let vste = Vste::new(arg.ste.map(u64::from_le))?;
        Ok(Ok::<_, Error>(SmmuNested { vste }))
    }

    /// `arm_vsmmu_vdevice_init()`: a vDEVICE stands for one StreamID, the device's only one
    /// (C refuses a master with more with `EOPNOTSUPP`; this driver has none, [`Master`] has
    /// one StreamID). It is recorded for the conversion of the guest's commands.
    ///
    /// # Errors
    ///
    /// `EINVAL` if the device is not this driver's (iommufd only gives a vIOMMU devices of its
    /// own instance).
    fn vdevice_init(
        _viommu: &Viommu<Self>,
        vdev: &VdeviceCore,
    ) -> Result<impl PinInit<SmmuVdevice, Error>> {
        let dev = vdev.device::<ArmSmmu>().ok_or(EINVAL)?;
        Ok(Ok::<_, Error>(SmmuVdevice {
            sid: dev.data().sid,
        }))
    }

    /// `arm_vsmmu_cache_invalidate()`: the guest's commands, checked and converted
    /// ([`convert_user_cmd`]), issued in batches of [`USER_CMD_BATCH`] and a `CMD_SYNC`.
    ///
    /// The count handled is the C driver's: the commands before the first one that fails to
    /// convert (the earlier ones of its batch are not issued), or, if the SMMU fails a batch,
    /// those before the batch's last.
    ///
    /// # Errors
    ///
    /// `EINVAL` if the entries are not `IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3` or there are
    /// none; `ENOMEM`; `EFAULT`; `E2BIG` for longer entries with non-zero bytes; `EIO` for a
    /// command the guest may not issue or a virtual StreamID without a vDEVICE; `ETIMEDOUT` or
    /// `EIO` if the SMMU fails the commands.
    fn cache_invalidate(viommu: &Viommu<Self>, array: &mut UserDataArray<'_>) -> Result {
        let mut cmds = array.read_all::<uapi::InvalidateCmd>(uapi::INVALIDATE_DATA, GFP_KERNEL)?;
        let caps = viommu.smmu.feat.cmd_caps();
        let sid_of = |vsid: u32| viommu.with_vdevice(u64::from(vsid), |v| v.sid);
        // Commands are converted in place, as the C driver does, a batch at a time; a batch is
        // issued once all its commands converted.
        let mut start = 0;
        for batch in cmds.chunks_mut(USER_CMD_BATCH) {
            for (j, c) in batch.iter_mut().enumerate() {
                match convert_user_cmd(&caps, viommu.vmid, c.cmd.map(u64::from_le), sid_of) {
                    Ok(cmd) => c.cmd = cmd.map(u64::to_le),
                    Err(e) => {
                        array.set_handled((start + j) as u32);
                        return Err(e);
                    }
                }
            }
            let batch = &*batch;
            if let Err(e) = viommu
                .smmu
                .issue_n(batch.len(), |k| batch[k].cmd.map(u64::from_le))
            {
                // C counts the commands before the batch's last.
                array.set_handled((start + batch.len() - 1) as u32);
                return Err(e);
            }
            start += batch.len();
        }
        array.set_handled(cmds.len() as u32);
        Ok(())
    }
}

/// The platform driver.
struct SmmuDriver;

/// What a bound SMMU owns. Dropped in field order when the device is unbound: the IOMMU
/// registration (which releases the devices behind it, each attached to the blocked domain
/// first), then the SMMU is disabled, then its interrupts are freed.
#[pin_data]
struct SmmuData<'bound> {
    #[pin]
    iommu: Registration<'bound, ArmSmmu>,
    disable: Disable,
    #[pin]
    gerror_irq: irq::Registration<'bound, GerrorIrq>,
    #[pin]
    evtq_irq: irq::ThreadedRegistration<'bound, EvtqIrq>,
}

kernel::of_device_table!(
    OF_TABLE,
    <SmmuDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"arm,smmu-v3"), ())]
);

impl platform::Driver for SmmuDriver {
    type IdInfo = ();
    type Data<'bound> = SmmuData<'bound>;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        pin_init::pin_init_scope(move || {
            let dev: &'bound Device<Bound> = pdev.as_ref();
            let io = pdev
                .io_request_by_index(0)
                .ok_or(ENODEV)?
                .iomap_sized::<MMIO_SIZE>()?;
            let smmu = reset(pdev, io)?;
            let f = smmu.feat;
            dev_info!(
                dev,
                "ias {}-bit, oas {}-bit (features {:#010x})\n",
                f.ias,
                f.oas,
                f.c_features
            );
            let (s_evt, s_gerr, s_inst) = (smmu.clone(), smmu.clone(), smmu.clone());
            // SAFETY: The registrations are fields of the driver data, dropped when the device
            // is unbound; they are never forgotten.
            let (evtq_irq, gerror_irq) = unsafe {
                (
                    pdev.request_threaded_irq_by_name(
                        irq::Flags::ONESHOT,
                        c"eventq",
                        c"arm-smmu-v3-evtq",
                        Ok::<_, Error>(EvtqIrq(s_evt)),
                    ),
                    pdev.request_irq_by_name(
                        irq::Flags::TRIGGER_NONE,
                        c"gerror",
                        c"arm-smmu-v3-gerror",
                        Ok::<_, Error>(GerrorIrq(s_gerr)),
                    ),
                )
            };
            Ok(try_pin_init!(SmmuData {
                // First: if a later field fails, dropping it disables the SMMU again.
                disable: Disable(smmu),
                evtq_irq <- evtq_irq,
                gerror_irq <- gerror_irq,
                // Last: registering probes the devices behind the SMMU.
                iommu <- Registration::new(dev, Options::default(), Ok::<_, Error>(s_inst)),
            }? Error))
        })
    }
}

kernel::module_platform_driver! {
    type: SmmuDriver,
    name: "arm_smmu_v3_rs",
    authors: ["riommu developers"],
    description: "Arm SMMUv3 driver in Rust",
    license: "GPL v2",
    // The vSMMU's vDEVICE lookups and vEVENTs (`MODULE_IMPORT_NS("IOMMUFD")` in C).
    imports_ns: ["IOMMUFD"],
    params: {
        nesting_without_coherent_s2: bool {
            default: false,
            description: "TEST ONLY: allow a vSMMU without S2FWB or CANWBS (emulated SMMUs); taints the kernel",
        },
    },
}
