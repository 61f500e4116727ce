// SPDX-License-Identifier: GPL-2.0

//! Intel VT-d DMA remapping in Rust, on the C DMAR units.
//!
//! The DMAR units, their invalidation queue, fault reporting and interrupt remapping stay C
//! (`drivers/iommu/intel/dmar.c`, `irq_remapping.c`: early x86 boot sets them up), and so does
//! the probe of a device into its `struct device_domain_info` (the unit that translates for it,
//! its PASID table and scalable-mode context entry). This driver provides the `iommu_ops` of the
//! units in place of the C driver's (`drivers/iommu/intel/iommu.c`), on the seam of
//! `rust_seam.h` ([`dmar`]):
//!
//! - C's `intel_iommu_init()` calls [`init`] where it registered the units (before device drivers
//!   bind): it registers every unit with its operations, and C then turns DMA remapping on, so
//!   devices are attached before translation starts;
//! - paging domains on generic_pt, first stage (x86_64 format) where the unit has it, else second
//!   stage (VTDSS), with the C driver's choice and checks (`intel_iommu_domain_alloc_paging_flags()`,
//!   `paging_domain_compatible()`); identity (pass-through) and blocked domains;
//! - attach writes the RID's scalable-mode PASID-table entry ([`hw::PasidEntry`]): a present entry
//!   is made not present, invalidated and rewritten, after every check that can fail, so a failed
//!   attach leaves the device translating through its previous domain (the C driver blocks the
//!   device first, `intel_iommu_attach_device()`);
//! - IOTLB invalidation with the C driver's descriptors ([`hw::QiDesc`]: PASID-based for first
//!   stage, page- or domain-selective for second stage, `cache_tag_flush_range()`), one domain ID
//!   per unit a domain is attached on;
//! - PCI ATS, turned on when the device is probed (`probe_finalize`, as
//!   `intel_iommu_probe_finalize()`), and device-TLB invalidations after the IOTLB's for each
//!   attached device that has it ([`DevLinks`]);
//! - `hw_info` (`struct iommu_hw_info_vtd`), `capable`, reserved regions (C's RMRRs and the
//!   IOAPIC range), PCI device groups;
//! - nesting (`nested.c`): second-stage nest parents on a unit with `ECAP.NEST`, nested domains
//!   from a user's `IOMMU_HWPT_DATA_VTD_S1` stage 1 (a nested PASID-table entry, PGTT 011b), and
//!   the user's stage-1 invalidations (`IOMMU_HWPT_INVALIDATE_DATA_VTD_S1`), each with the C
//!   driver's checks and errno. QEMU reports no `ECAP.NEST`: there both refuse a nest parent with
//!   `EOPNOTSUPP`, and KUnit checks the rest below the hardware.
//!
//! It needs scalable mode with queued invalidation, and refuses units with caching mode or
//! write-buffer flushing: all or none, and DMA remapping then stays off; it has no PRI, PASIDs
//! other than the RID's or SVA. Second-stage dirty tracking (`set_dirty_tracking`, the page
//! table's `read_and_clear_dirty`) needs `ECAP.SLADS`, which QEMU does not offer. Its hardware formats ([`hw`]) are compared
//! bit for bit with the C driver's by the KUnit suite `intel_iommu_rs_hw`.

use core::ptr;
use kernel::{
    device::Device,
    iommu::{
        device::{ProbeInstances, ProbedDevice},
        domain::{
            Domain, NestedDomain, NestedOps, NestedTable, PagingDomain, PagingOps, PagingOptions,
            PagingTable, StaticDomain, StaticOps, StaticTable,
        },
        ops::ResvRegions,
        ops::{
            alloc_flags, hw_info, Cap, DefDomainType, DeviceGroup, Driver, HwInfo, OpsTable, Probed,
        },
        pgtable::Gather,
        pt::{features, CommonConfig, TopLevelConfig, VtdConfig, VtdHwInfo, VtdStage},
        user_data::{vtd, UserData, UserDataArray},
        viommu::{Viommu, ViommuOps, ViommuTable},
    },
    new_mutex, new_spinlock_irq,
    prelude::*,
    sync::{Arc, Mutex, SpinLockIrq, UniqueArc},
};

pub mod dmar;
pub mod hw;

#[cfg(CONFIG_INTEL_IOMMU_RUST_KUNIT_TEST)]
mod c_ref;

use dmar::{DevInfo, DevLink, Unit};
use hw::{
    FirstStage, IotlbGran, PasidCacheGran, PasidEntry, QiDesc, SecondStage, VtdS1, VtdS1Invalidate,
};

/// The log prefix of `pr_*!` (the driver is built in and has no `module!`: C calls its [`init`]).
pub(crate) const __LOG_PREFIX: &[u8] = b"intel_iommu_rs\0";

/// The module the driver is part of: the kernel image (`INTEL_IOMMU` is a bool).
pub(crate) struct LocalModule;

impl kernel::ModuleMetadata for LocalModule {
    const NAME: &'static CStr = c"intel_iommu_rs";
    // SAFETY: Built in: there is no module, NULL is the kernel's owner.
    const THIS_MODULE: kernel::ThisModule =
        unsafe { kernel::ThisModule::from_ptr(core::ptr::null_mut()) };
}

/// The domain ID of pass-through entries (`FLPT_DEFAULT_DID`), below those of
/// [`Unit::alloc_did`].
const FLPT_DEFAULT_DID: u16 = 1;
/// The 4 KiB, 2 MiB and 1 GiB page sizes of both table formats.
const SZ_4K: u64 = 1 << 12;
const SZ_2M: u64 = 1 << 21;
const SZ_1G: u64 = 1 << 30;

/// Why this driver does not take a unit, if it does not.
fn unit_unsupported(u: &Unit) -> Option<&'static str> {
    if !u.scalable_mode() {
        Some("not in scalable mode")
    } else if !u.ecap().qis() {
        Some("no queued invalidation")
    } else if u.cap().caching_mode() {
        Some("caching mode")
    } else if u.cap().rwbf() {
        Some("write-buffer flushing")
    } else {
        None
    }
}

/// Registers every DMAR unit with the driver's operations; the core probes their devices then.
/// Called by C's `intel_iommu_init()` ([`dmar::intel_iommu_rs_init`]), which turns DMA remapping
/// on if this succeeds. All units or none: a unit left to nobody would block its devices' DMA
/// once remapping is on.
fn init() -> Result {
    for u in dmar::units() {
        if let Some(why) = unit_unsupported(u) {
            pr_err!("{}: {}: the Rust driver does not take it\n", u.name(), why);
            return Err(ENODEV);
        }
    }
    let mut units = KVec::new();
    for u in dmar::units() {
        units.push(dmar::register::<IntelIommu>(u)?, GFP_KERNEL)?;
        pr_info!(
            "{}: DMA remapping by the Rust driver (cap {:#x} ecap {:#x}, {} stage)\n",
            u.name(),
            u.cap().0,
            u.ecap().0,
            if u.ecap().flts() { "first" } else { "second" }
        );
    }
    // The units stay registered as long as the kernel: the driver is built in, and DMAR hotplug
    // is refused. (On an error above, dropping `units` unregistered those registered.)
    while let Some(r) = units.pop() {
        r.keep();
    }
    Ok(())
}

/// The driver (its `struct iommu_ops`).
struct IntelIommu;

/// Per-device data: C's `struct device_domain_info`, first, where `dev_iommu_priv_get()` finds it,
/// and the paging domain the device is attached to (C: `info->domain`).
#[repr(C)]
#[pin_data]
struct DevData {
    #[pin]
    info: DevInfo,
    /// The address of the paging domain the device translates through, if any: only compared,
    /// never dereferenced. It tells whether the device holds a use of that domain's domain ID,
    /// without trusting the `old` the core passes (a device released during a reset recovery is
    /// detached twice from its domain).
    #[pin]
    attached: Mutex<Option<usize>>,
    /// The device as its domain's list has it.
    link: Arc<DevLink>,
}

/// A domain's list of its devices (C: `dmar_domain->devices`, and the device-TLB cache tags).
/// Every attach puts the device's link in its new domain's list before the entry changes, and
/// the domain's invalidations then reach the device's TLB, if its PCI ATS is on, after the
/// IOTLB's (VT-d 6.5.2.5: a device TLB is refilled from the IOTLB); `probe_finalize` turns ATS
/// on once the default domain is attached. Dirty tracking rewrites the entries of the listed
/// devices.
type DevLinks = SpinLockIrq<KVec<Arc<DevLink>>>;

/// Adds a device to a domain's list.
///
/// # Errors
///
/// `ENOMEM`.
fn dev_add(list: &DevLinks, l: &Arc<DevLink>) -> Result {
    list.lock().push(l.clone(), GFP_ATOMIC)?;
    Ok(())
}

/// Takes a device out of a domain's list.
fn dev_remove(list: &DevLinks, l: &Arc<DevLink>) {
    let mut list = list.lock();
    if let Some(i) = list.iter().position(|x| Arc::ptr_eq(x, l)) {
        // The device's data holds another reference: nothing is freed under the lock.
        let _ = list.remove(i);
    }
}

/// Invalidates 2^`mask` 4 KiB pages at the IOVA `addr` (`mask` [`hw::MAX_AGAW_PFN_WIDTH`]:
/// every IOVA) in the TLB of the device `l`, twice for a device with the quirk, if its ATS is on
/// and the unit translates (`cache_tag_flush_devtlb_psi()`, `qi_batch_add_dev_iotlb()`).
fn devtlb_invalidate(l: &DevLink, addr: u64, mask: u32) {
    if !l.ats_enabled() || !l.unit().translation_enabled() {
        return;
    }
    let p = &l.ats;
    let d = QiDesc::dev_iotlb(p.sid, p.pfsid, p.qdep, addr, mask);
    let mut descs = [d, d];
    let n = if p.extra { 2 } else { 1 };
    if let Err(e) = l.unit().qi_submit(&mut descs[..n]) {
        pr_err!(
            "{}: device-TLB invalidation of {:#06x} failed: {:?}\n",
            l.unit().name(),
            p.sid,
            e
        );
    }
}

impl DevData {
    /// Records that the device now translates through the domain at `new` (a [`domain_addr`];
    /// `None`: a static domain) and drops its use of the previous domain's domain ID on `unit`,
    /// if `old` is the domain it recorded.
    fn switch_to(&self, unit: &'static Unit, new: Option<usize>, old: Option<&Domain>) {
        let prev = core::mem::replace(&mut *self.attached.lock(), new);
        let Some(o) = old else { return };
        if prev != Some(domain_addr(o)) {
            return;
        }
        if let Some(p) = o.as_paging::<VtdDomain>() {
            dev_remove(&p.devs, &self.link);
            p.put_did(unit);
        } else if let Some(n) = o.as_nested::<VtdNested>() {
            VtdNested::remove_dev(n, &self.link);
            VtdNested::put_did(n, unit);
        }
    }

    /// Whether the device translates through `domain` now.
    fn is_attached_to(&self, domain: &Domain) -> bool {
        *self.attached.lock() == Some(domain_addr(domain))
    }
}

/// The address of a domain, to compare.
fn domain_addr(d: &Domain) -> usize {
    d.as_raw().addr()
}

kernel::static_assert!(core::mem::offset_of!(DevData, info) == 0);

static IDENTITY: StaticDomain<IntelIommu> = StaticDomain::identity::<Identity>();
static BLOCKED: StaticDomain<IntelIommu> = StaticDomain::blocked::<Blocked>();

/// Replaces the RID's PASID-table entry of `dev` with `new` (`None`: not present), the old one
/// made not present and invalidated first (`intel_pasid_tear_down_entry()`), the new one
/// written with its Present bit last; returns whether the entry changed (an entry equal to
/// `new` is left alone: the IOMMU core re-attaches the current domain after a failed replace).
/// Nothing here fails once the entry is reached.
///
/// # Errors
///
/// `ENODEV` if the device's PASID table has no entry for the RID (nothing is changed then).
fn replace_rid_entry(dev: &ProbedDevice<IntelIommu>, new: Option<&PasidEntry>) -> Result<bool> {
    let link = &dev.data().link;
    // The device TLB is invalidated with the old entry if ATS is on, unless the device is gone
    // (`devtlb_invalidation_with_pasid()`): a device that was surprise-removed answers none.
    let ats = &link.ats;
    let devtlb = link.ats_enabled() && link.present();
    link.with_rid_entry(|e| {
        let old = e.read();
        match new {
            Some(new) if *new == old => return false,
            None if !old.present() => return false,
            _ => {}
        }
        if old.present() {
            e.clear_present();
            let cap = e.unit().cap();
            let did = old.did();
            // The PASID cache, then the IOTLB of the old domain ID, then the device TLB, as C's
            // teardown does (`intel_pasid_tear_down_entry()`).
            let iotlb = if old.pgtt() == hw::Pgtt::SecondStage as u8
                || old.pgtt() == hw::Pgtt::Nested as u8
            {
                QiDesc::iotlb(cap, did, 0, 0, IotlbGran::Domain)
            } else {
                QiDesc::piotlb_all(did, 0)
            };
            let mut descs = [
                QiDesc::pasid_cache(did, PasidCacheGran::PasidSelective, 0),
                iotlb,
                QiDesc::dev_iotlb(ats.sid, ats.pfsid, ats.qdep, 0, 64 - hw::VTD_PAGE_SHIFT),
            ];
            let n = if devtlb && e.unit().translation_enabled() {
                3
            } else {
                2
            };
            if let Err(err) = e.unit().qi_submit(&mut descs[..n]) {
                pr_err!(
                    "{}: PASID entry invalidation failed: {:?}\n",
                    e.unit().name(),
                    err
                );
            }
            e.clear();
        }
        if let Some(new) = new {
            // Without caching mode, a not-present entry is not cached: nothing to invalidate
            // (`pasid_flush_caches()`).
            e.write(new);
        }
        true
    })
}

/// Sets or clears SSADE in the RID's entry of the device `l`, which must be second-stage or
/// nested, and invalidates what may cache the entry (`intel_pasid_setup_dirty_tracking()`,
/// after VT-d table 25: the PASID cache, the IOTLB of the domain ID, the device TLB).
///
/// # Errors
///
/// `ENODEV` if the device was released, `EOPNOTSUPP` for another translation type.
fn setup_dirty_tracking(l: &DevLink, enable: bool) -> Result {
    let did = l.with_rid_entry(|e| {
        let old = e.read();
        let pgtt = old.pgtt();
        if pgtt != hw::Pgtt::SecondStage as u8 && pgtt != hw::Pgtt::Nested as u8 {
            pr_err!(
                "{:#06x}: dirty tracking not supported on translation type {}\n",
                l.ats.sid,
                pgtt
            );
            return Err(EOPNOTSUPP);
        }
        if old.ssade() == enable {
            return Ok(None);
        }
        e.set_ssade(enable);
        Ok(Some(old.did()))
    })??;
    let Some(did) = did else {
        return Ok(());
    };
    let u = l.unit();
    let a = &l.ats;
    let mut descs = [
        QiDesc::pasid_cache(did, PasidCacheGran::PasidSelective, 0),
        QiDesc::iotlb(u.cap(), did, 0, 0, IotlbGran::Domain),
        QiDesc::dev_iotlb(a.sid, a.pfsid, a.qdep, 0, 64 - hw::VTD_PAGE_SHIFT),
    ];
    let n = if l.ats_enabled() && l.present() && u.translation_enabled() {
        3
    } else {
        2
    };
    if let Err(e) = u.qi_submit(&mut descs[..n]) {
        pr_err!("{}: PASID entry invalidation failed: {:?}\n", u.name(), e);
    }
    Ok(())
}

/// Sets PGSNP in the RID's entry of the device `l`, a first-stage entry, and invalidates what may
/// cache it (`intel_pasid_setup_page_snoop_control()`, then `intel_pasid_flush_present()`'s
/// descriptors: the PASID cache, the PASID-based IOTLB of the domain ID, the device TLB).
fn setup_page_snoop_control(l: &DevLink) {
    let did = l.with_rid_entry(|e| {
        let old = e.read();
        if !old.present() {
            return None;
        }
        e.set_pgsnp();
        Some(old.did())
    });
    let Ok(Some(did)) = did else {
        pr_warn!("{:#06x}: no present entry to set PGSNP in\n", l.ats.sid);
        return;
    };
    let u = l.unit();
    let a = &l.ats;
    let mut descs = [
        QiDesc::pasid_cache(did, PasidCacheGran::PasidSelective, 0),
        QiDesc::piotlb_all(did, 0),
        QiDesc::dev_iotlb(a.sid, a.pfsid, a.qdep, 0, 64 - hw::VTD_PAGE_SHIFT),
    ];
    let n = if l.ats_enabled() && l.present() && u.translation_enabled() {
        3
    } else {
        2
    };
    if let Err(e) = u.qi_submit(&mut descs[..n]) {
        pr_err!("{}: PASID entry invalidation failed: {:?}\n", u.name(), e);
    }
}

/// What the entries of a paging domain's devices carry (C: `dmar_domain->dirty_tracking`,
/// `force_snooping`).
#[derive(Clone, Copy, Default)]
struct EntryFlags {
    /// SSADE: second-stage dirty tracking (`set_dirty_tracking`).
    dirty_tracking: bool,
    /// PGSNP in first-stage and nested entries (`enforce_cache_coherency`); a second-stage
    /// table sets SNP in its leaves instead.
    force_snooping: bool,
}

/// The identity domain: a pass-through PASID-table entry (`identity_domain_attach_dev()`).
struct Identity;

#[vtable]
impl StaticOps for Identity {
    type Driver = IntelIommu;
    const TABLE: &'static StaticTable<Self> = kernel::iommu_static_table!(StaticTable<Identity>);

    fn attach_dev(_d: &Domain, dev: &ProbedDevice<IntelIommu>, old: Option<&Domain>) -> Result {
        let data = dev.data();
        let u = data.info.unit();
        if !u.ecap().pass_through() {
            return Err(EOPNOTSUPP);
        }
        if data.info.attach_prepare(dev)? {
            let e = PasidEntry::pass_through(FLPT_DEFAULT_DID, u.agaw(), u.ecap());
            replace_rid_entry(dev, Some(&e))?;
        }
        data.switch_to(u, None, old);
        Ok(())
    }
}

/// The blocked domain: no PASID-table entry (`blocking_domain_attach_dev()`).
struct Blocked;

#[vtable]
impl StaticOps for Blocked {
    type Driver = IntelIommu;
    const TABLE: &'static StaticTable<Self> = kernel::iommu_static_table!(StaticTable<Blocked>);

    fn attach_dev(_d: &Domain, dev: &ProbedDevice<IntelIommu>, old: Option<&Domain>) -> Result {
        let data = dev.data();
        if data.info.attach_prepare(dev)? {
            replace_rid_entry(dev, None)?;
        }
        data.switch_to(data.info.unit(), None, old);
        Ok(())
    }
}

#[vtable]
impl Driver for IntelIommu {
    type DevData = DevData;
    type Instance = ();
    type Paging = VtdDomain;
    type Nested = VtdNested;
    type Viommu = NoViommu;

    const OPS: &'static OpsTable<Self> = kernel::iommu_static_table!(OpsTable<IntelIommu>);
    const BLOCKED_DOMAIN: Option<&'static StaticDomain<Self>> = Some(&BLOCKED);
    const IDENTITY_DOMAIN: Option<&'static StaticDomain<Self>> = Some(&IDENTITY);
    const RELEASE_DOMAIN: Option<&'static StaticDomain<Self>> = Some(&BLOCKED);
    const DEVICE_GROUP: DeviceGroup = DeviceGroup::PciOrGeneric;
    const FOREIGN_INSTANCES: bool = true;

    fn probe_device<'p>(
        dev: &'p Device,
        instances: ProbeInstances<'p, Self>,
    ) -> Result<Probed<'p, Self>> {
        // Allocated first: nothing may fail once the C probe succeeded (the info's C state is
        // only undone by `release`).
        let link = UniqueArc::<DevLink>::new_uninit(GFP_KERNEL)?;
        let data = KBox::pin_init(
            try_pin_init!(DevData {
                info <- DevInfo::probe(dev),
                attached <- new_mutex!(None),
                // SAFETY: `info` was just probed for `dev`; `release_device` retires the link
                // before it releases the info, and so does the error path below.
                link: unsafe { DevLink::new(&info, dev, link) },
            }),
            GFP_KERNEL,
        )?;
        match data.info.instance(&instances) {
            Some(inst) => Ok((inst, data)),
            None => {
                data.link.retire();
                // SAFETY: Probed just above, and not used after.
                unsafe { data.info.release(dev) };
                Err(ENODEV)
            }
        }
    }

    /// `intel_iommu_probe_finalize()`: PCI ATS on, if the device and its unit support it.
    fn probe_finalize(dev: &ProbedDevice<Self>) {
        dev.data().link.enable_ats();
    }

    fn release_device(dev: &ProbedDevice<Self>) {
        dev.data().link.retire();
        // SAFETY: The device is being released (the core attached the release domain first), and
        // the abstraction drops the info right after this returns.
        unsafe { dev.data().info.release(dev) };
    }

    fn get_resv_regions(dev: &ProbedDevice<Self>, regions: &mut ResvRegions<'_>) {
        dmar::get_resv_regions(dev, regions);
    }

    fn def_domain_type(dev: &ProbedDevice<Self>) -> Option<DefDomainType> {
        // `device_def_domain_type()`.
        let info = &dev.data().info;
        hw::def_domain_type(info.unit().ecap(), || info.identity_quirk(dev))
    }

    fn capable(dev: &ProbedDevice<Self>, cap: Cap) -> bool {
        // `intel_iommu_capable()`.
        let link = &dev.data().link;
        let u = link.unit();
        match cap {
            Cap::CacheCoherency => true,
            Cap::PreBootProtection => dmar::platform_optin(),
            Cap::DirtyTracking => hw::ssads_supported(u.scalable_mode(), u.ecap()),
            Cap::EnforceCacheCoherency => u.ecap().sc(),
            Cap::PciAtsSupported => link.ats.supported,
            _ => false,
        }
    }

    fn hw_info(dev: &ProbedDevice<Self>, requested: u32) -> Result<HwInfo> {
        // `intel_iommu_hw_info()`.
        if requested != hw_info::TYPE_DEFAULT && requested != hw_info::TYPE_INTEL_VTD {
            return Err(EOPNOTSUPP);
        }
        let u = dev.data().info.unit();
        let info = hw_info::IntelVtd {
            flags: hw_info::VTD_ERRATA_772415_SPR17,
            __reserved: 0,
            cap_reg: u.cap().0,
            ecap_reg: u.ecap().0,
        };
        HwInfo::new(hw_info::TYPE_INTEL_VTD, &info)
    }

    fn domain_alloc_nested(
        dev: &ProbedDevice<Self>,
        parent: &PagingDomain<VtdDomain>,
        flags: u32,
        user_data: &UserData,
    ) -> Result<impl PinInit<VtdNested, Error>> {
        // `intel_iommu_domain_alloc_nested()`, in its order.
        let u = dev.data().info.unit();
        let parent_ok = parent.stage == VtdStage::Second && parent.nest_parent;
        hw::nested_alloc_check(
            u.scalable_mode(),
            u.ecap(),
            flags,
            user_data.data_type(),
            parent_ok,
        )?;
        let s1: vtd::HwptVtdS1 = user_data.read(vtd::HWPT_DATA_VTD_S1)?;
        Ok(try_pin_init!(VtdNested {
            s1: VtdS1 {
                flags: s1.flags,
                pgtbl_addr: s1.pgtbl_addr,
                addr_width: s1.addr_width,
            },
            tags <- new_spinlock_irq!(KVec::new()),
            devs <- new_spinlock_irq!(KVec::new()),
        }? Error))
    }

    fn domain_alloc_paging_flags(
        dev: &ProbedDevice<Self>,
        flags: u32,
        user_data: Option<&UserData>,
    ) -> Result<Pin<KBox<PagingDomain<VtdDomain>>>> {
        // `intel_iommu_domain_alloc_paging_flags()`: the first stage if the unit has it and the
        // flags allow it, else the second stage.
        if user_data.is_some() {
            return Err(EOPNOTSUPP);
        }
        let u = dev.data().info.unit();
        match VtdDomain::alloc_first_stage(u, flags) {
            Err(e) if e == EOPNOTSUPP => VtdDomain::alloc_second_stage(u, flags),
            r => r,
        }
    }
}

/// A domain ID of a paging domain on one unit, and how many of the unit's devices use it (C: a
/// `struct iommu_domain_info` of `dmar_domain->iommu_array`).
#[derive(Clone, Copy)]
struct Tag {
    unit: &'static Unit,
    did: u16,
    users: u32,
}

/// A paging domain: a first- or second-stage table ([`VtdStage`]) and the domain IDs it has on
/// the units it is attached on.
#[pin_data]
struct VtdDomain {
    stage: VtdStage,
    /// The input address width of the table, in bits.
    vasz_lg2: u8,
    /// The table's page walks do not snoop (`PT_FEAT_DMA_INCOHERENT`).
    incoherent: bool,
    /// A second-stage nest parent (`IOMMU_HWPT_ALLOC_NEST_PARENT`).
    nest_parent: bool,
    /// What the entries of the domain's devices (and of its nested domains' devices) carry.
    /// Held while they change: by `set_dirty_tracking` and `enforce_cache_coherency`, and by an
    /// attach from reading it to its entry's write.
    #[pin]
    flags: Mutex<EntryFlags>,
    /// The domain IDs, per unit. An interrupt-disabling spinlock: IOTLB flushes come from the
    /// DMA API's flush-queue timer and from interrupt handlers that unmap (C takes
    /// `cache_lock` with `spin_lock_irqsave()`).
    #[pin]
    tags: SpinLockIrq<KVec<Tag>>,
    /// The domain IDs of the nested domains on this nest parent, per unit: the IOTLB caches
    /// stage-2 translations with them too.
    #[pin]
    nested_tags: SpinLockIrq<KVec<Tag>>,
    /// The devices attached to the domain.
    #[pin]
    devs: DevLinks,
    /// The devices attached to this nest parent's nested domains: their TLBs cache nested
    /// translations, whose stage-2 part cannot be told apart, so every stage-2 change
    /// invalidates them whole (C: `CACHE_TAG_NESTING_DEVTLB`).
    #[pin]
    nested_devs: DevLinks,
}

/// The domain ID of a domain on `u` in `tags`, allocated for its first device there, counted
/// once more; and whether it is new.
fn tags_get(tags: &SpinLockIrq<KVec<Tag>>, u: &'static Unit) -> Result<(u16, bool)> {
    {
        let mut tags = tags.lock();
        if let Some(t) = tags.iter_mut().find(|t| ptr::eq(t.unit, u)) {
            t.users += 1;
            return Ok((t.did, false));
        }
    }
    let did = u.alloc_did()?;
    let mut list = tags.lock();
    if let Some(t) = list.iter_mut().find(|t| ptr::eq(t.unit, u)) {
        t.users += 1;
        let did_now = t.did;
        drop(list);
        u.free_did(did);
        return Ok((did_now, false));
    }
    if let Err(e) = list.push(
        Tag {
            unit: u,
            did,
            users: 1,
        },
        GFP_ATOMIC,
    ) {
        drop(list);
        u.free_did(did);
        return Err(e.into());
    }
    Ok((did, true))
}

/// Drops a use of the domain ID on `u` in `tags`; returns it if that was the last, for the
/// caller to free.
fn tags_put(tags: &SpinLockIrq<KVec<Tag>>, u: &'static Unit) -> Option<u16> {
    let mut tags = tags.lock();
    let i = tags.iter().position(|t| ptr::eq(t.unit, u))?;
    tags[i].users -= 1;
    if tags[i].users > 0 {
        return None;
    }
    let did = tags[i].did;
    let _ = tags.remove(i);
    Some(did)
}

impl VtdDomain {
    #[allow(clippy::too_many_arguments)]
    fn new(
        u: &'static Unit,
        stage: VtdStage,
        vasz_lg2: u8,
        top_level: u32,
        incoherent: bool,
        nest_parent: bool,
        dirty_tracking: bool,
        pgsize: u64,
    ) -> Result<Pin<KBox<PagingDomain<Self>>>> {
        let mut feats = features::FLUSH_RANGE;
        // Read-only leaves of a nest parent are not honoured (erratum 772415): C makes them
        // writable.
        if nest_parent {
            feats |= features::VTDSS_FORCE_WRITEABLE;
        }
        if stage == VtdStage::First {
            feats |= features::SIGN_EXTEND;
        }
        if incoherent {
            feats |= features::DMA_INCOHERENT;
        }
        let cfg = VtdConfig {
            stage,
            table: TopLevelConfig {
                common: CommonConfig {
                    features: feats,
                    hw_max_vasz_lg2: vasz_lg2,
                    hw_max_oasz_lg2: 52,
                },
                top_level,
            },
            dma_dev: u.device(),
        };
        // `intel_iommu=sp_off`: 4 KiB pages only.
        let pgsize = if dmar::superpage() { pgsize } else { SZ_4K };
        let opts = PagingOptions {
            pgsize_bitmap: Some(pgsize),
            dirty_tracking,
            ..PagingOptions::default()
        };
        PagingDomain::new(
            &cfg,
            opts,
            try_pin_init!(VtdDomain {
                stage,
                vasz_lg2,
                incoherent,
                nest_parent,
                flags <- new_mutex!(EntryFlags::default()),
                tags <- new_spinlock_irq!(KVec::new()),
                nested_tags <- new_spinlock_irq!(KVec::new()),
                devs <- new_spinlock_irq!(KVec::new()),
                nested_devs <- new_spinlock_irq!(KVec::new()),
            }? Error),
        )
    }

    /// `intel_iommu_domain_alloc_first_stage()`.
    fn alloc_first_stage(u: &'static Unit, flags: u32) -> Result<Pin<KBox<PagingDomain<Self>>>> {
        if flags & !alloc_flags::PASID != 0 || !u.scalable_mode() || !u.ecap().flts() {
            return Err(EOPNOTSUPP);
        }
        // `compute_vasz_lg2_fs()`: 4 levels always, 5 if the unit can and its MGAW is wider.
        let mgaw = u.cap().mgaw();
        let (vasz, top) = if mgaw > 48 && u.cap().fl5lp() {
            (mgaw.min(57), 4)
        } else {
            (mgaw.min(48), 3)
        };
        let mut pgsize = SZ_4K | SZ_2M;
        // CAP.FL1GP (bit 56).
        if u.cap().0 & (1 << 56) != 0 {
            pgsize |= SZ_1G;
        }
        Self::new(
            u,
            VtdStage::First,
            vasz as u8,
            top,
            !u.ecap().smpwc(),
            false,
            false,
            pgsize,
        )
    }

    /// `intel_iommu_domain_alloc_second_stage()`.
    fn alloc_second_stage(u: &'static Unit, flags: u32) -> Result<Pin<KBox<PagingDomain<Self>>>> {
        hw::second_stage_alloc_check(u.scalable_mode(), u.ecap(), flags)?;
        // `compute_vasz_lg2_ss()`: the widest table both MGAW and SAGAW allow.
        let (mgaw, sagaw) = (u.cap().mgaw(), u.cap().sagaw());
        let (vasz, top) = if mgaw > 48 && sagaw >= 1 << 3 {
            (mgaw.min(57), 4)
        } else if mgaw > 39 && sagaw >= 1 << 2 {
            (mgaw.min(48), 3 + ffs(sagaw >> 3))
        } else if mgaw > 30 && sagaw >= 1 << 1 {
            (mgaw.min(39), 2 + ffs(sagaw >> 2))
        } else {
            return Err(EOPNOTSUPP);
        };
        let sslps = u.cap().super_page();
        let mut pgsize = SZ_4K;
        if sslps & 1 != 0 {
            pgsize |= SZ_2M;
        }
        if sslps & 2 != 0 {
            pgsize |= SZ_1G;
        }
        // `iommu_paging_structure_coherency()` in scalable mode: `ECAP.SMPWC`.
        let nest_parent = flags & alloc_flags::NEST_PARENT != 0;
        let dirty_tracking = flags & alloc_flags::DIRTY_TRACKING != 0;
        Self::new(
            u,
            VtdStage::Second,
            vasz as u8,
            top,
            !u.ecap().smpwc(),
            nest_parent,
            dirty_tracking,
            pgsize,
        )
    }

    /// Whether the domain can be attached to a device of `u` (`paging_domain_compatible()`).
    ///
    /// # Errors
    ///
    /// `EINVAL` if it cannot.
    fn compatible(d: &PagingDomain<Self>, u: &Unit) -> Result {
        let (cap, ecap) = (u.cap(), u.ecap());
        let pgsize = d.domain().pgsize_bitmap() as u64;
        let ok = match (d.stage, d.hw_info()) {
            (VtdStage::First, VtdHwInfo::First(_)) => {
                u.scalable_mode()
                    && ecap.flts()
                    && (ecap.smpwc() || d.incoherent)
                    && (cap.fl5lp() || d.vasz_lg2 <= 48)
                    && (cap.0 & (1 << 56) != 0 || pgsize & SZ_1G == 0)
            }
            (VtdStage::Second, VtdHwInfo::Second(i)) => {
                let sslps = cap.super_page();
                (!u.scalable_mode() || ecap.slts())
                    && (!d.domain().has_dirty_ops() || hw::ssads_supported(u.scalable_mode(), ecap))
                    && (!d.flags.lock().force_snooping || ecap.sc())
                    && (!d.nest_parent || hw::nested_supported(u.scalable_mode(), ecap))
                    && (ecap.smpwc() || d.incoherent)
                    && cap.mgaw() >= u32::from(d.vasz_lg2)
                    && cap.sagaw() & (1 << i.aw) != 0
                    && (sslps & 1 != 0 || pgsize & SZ_2M == 0)
                    && (sslps & 2 != 0 || pgsize & SZ_1G == 0)
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(EINVAL)
        }
    }

    /// The domain ID of the domain on `u`, allocated for its first device there, counted once
    /// more (C `domain_attach_iommu()`).
    fn get_did(&self, u: &'static Unit) -> Result<u16> {
        tags_get(&self.tags, u).map(|(did, _)| did)
    }

    /// Drops a use of the domain ID on `u`; the last frees it (C `domain_detach_iommu()`). The
    /// device no longer translates through the domain, and its entry's teardown invalidated the
    /// IOTLB of the domain ID.
    fn put_did(&self, u: &'static Unit) {
        if let Some(did) = tags_put(&self.tags, u) {
            u.free_did(did);
        }
    }

    /// Sets SSADE as `enable` in the entries of the devices attached to the domain, and for a
    /// nest parent to its nested domains (`domain_set_dirty_tracking()`,
    /// `parent_domain_set_dirty_tracking()`); stops at the first error.
    fn set_ssade(&self, enable: bool) -> Result {
        for l in self.devs.lock().iter() {
            setup_dirty_tracking(l, enable)?;
        }
        if self.nest_parent {
            for l in self.nested_devs.lock().iter() {
                setup_dirty_tracking(l, enable)?;
            }
        }
        Ok(())
    }

    /// Invalidates the IOTLB entries of the IOVAs `range` (first, last), or of every IOVA, on
    /// every unit the domain is attached on (`cache_tag_flush_range()`, `cache_tag_flush_all()`).
    /// The invalidation hint is not used: every invalidation also drops the paging-structure
    /// caches.
    fn flush(&self, range: Option<(u64, u64)>) {
        self.flush_tags(&self.tags, range);
        // A nest parent's stage 2 is cached with its nested domains' domain IDs too (C: their
        // `CACHE_TAG_NESTING_IOTLB` tags on the parent, flushed with IOTLB descriptors).
        self.flush_tags(&self.nested_tags, range);
        // Then the device TLBs, refilled from the IOTLB: of the range, and whole for the
        // devices of nested domains.
        let (addr, mask) = range.map_or((0, hw::MAX_AGAW_PFN_WIDTH), |(first, last)| {
            hw::psi_aligned(first, last)
        });
        for l in self.devs.lock().iter() {
            devtlb_invalidate(l, addr, mask);
        }
        for l in self.nested_devs.lock().iter() {
            devtlb_invalidate(l, 0, hw::MAX_AGAW_PFN_WIDTH);
        }
    }

    fn flush_tags(&self, tags: &SpinLockIrq<KVec<Tag>>, range: Option<(u64, u64)>) {
        let tags = tags.lock();
        for t in tags.iter() {
            let cap = t.unit.cap();
            let desc = match (self.stage, range) {
                (VtdStage::First, None) => QiDesc::piotlb_all(t.did, 0),
                (VtdStage::First, Some((first, last))) => {
                    let (addr, order) = hw::psi_aligned(first, last);
                    if order >= hw::MAX_AGAW_PFN_WIDTH {
                        QiDesc::piotlb_all(t.did, 0)
                    } else {
                        QiDesc::piotlb(t.did, 0, addr, order, false)
                    }
                }
                (VtdStage::Second, range) => {
                    let psi = range.map(|(first, last)| hw::psi_aligned(first, last));
                    match psi {
                        Some((addr, order)) if cap.pgsel_inv() && order <= cap.max_amask() => {
                            QiDesc::iotlb(cap, t.did, addr, order, IotlbGran::Page)
                        }
                        _ => QiDesc::iotlb(cap, t.did, 0, 0, IotlbGran::Domain),
                    }
                }
            };
            if let Err(e) = t.unit.qi_submit(&mut [desc]) {
                pr_err!("{}: IOTLB invalidation failed: {:?}\n", t.unit.name(), e);
            }
        }
    }
}

/// `ffs()` of a value that is not 0; 0 for 0.
fn ffs(v: u32) -> u32 {
    if v == 0 {
        0
    } else {
        v.trailing_zeros() + 1
    }
}

#[vtable]
impl PagingOps for VtdDomain {
    type Driver = IntelIommu;
    type Format = kernel::iommu::pt::Vtd;
    const TABLE: &'static PagingTable<Self> = kernel::iommu_static_table!(PagingTable<VtdDomain>);

    fn attach_dev(
        d: &PagingDomain<Self>,
        dev: &ProbedDevice<IntelIommu>,
        old: Option<&Domain>,
    ) -> Result {
        // Every check and allocation first: a failure leaves the device as it was.
        let data = dev.data();
        let u = data.info.unit();
        // The core re-attaches the current domain after a failed replace: nothing to do.
        if data.is_attached_to(d.domain()) {
            return Ok(());
        }
        Self::compatible(d, u)?;
        // A fault-capable domain needs PRI, which the driver does not enable
        // (`intel_iommu_enable_iopf()`).
        if d.domain().has_iopf_handler() {
            return Err(ENODEV);
        }
        let own_entry = data.info.attach_prepare(dev)?;
        // Until the entry is written: dirty tracking and snooping do not change meanwhile.
        let flags = d.flags.lock();
        let did = d.get_did(u)?;
        if !own_entry {
            data.switch_to(u, Some(domain_addr(d.domain())), old);
            return Ok(());
        }
        // Before the entry changes: an invalidation from now on reaches the device's TLB, and
        // dirty tracking the device's entry. (A real DMA subdevice, which translates through
        // its parent's entry, has neither ATS nor an entry of its own: it is not listed.)
        if let Err(err) = dev_add(&d.devs, &data.link) {
            d.put_did(u);
            return Err(err);
        }
        let e = match d.hw_info() {
            // `domain_setup_first_level()`.
            VtdHwInfo::First(i) => PasidEntry::first_stage(&FirstStage {
                fsptptr: i.gcr3_pt,
                did,
                agaw: u.agaw(),
                five_level: i.levels == 5,
                pgsnp: flags.force_snooping,
                pwsnp: !d.incoherent,
            }),
            // `pasid_pte_config_second_level()`.
            VtdHwInfo::Second(i) => PasidEntry::second_stage(&SecondStage {
                ssptptr: i.ssptptr,
                aw: i.aw,
                did,
                coherent: !d.incoherent,
                dirty_tracking: flags.dirty_tracking,
            }),
        };
        if let Err(err) = replace_rid_entry(dev, Some(&e)) {
            dev_remove(&d.devs, &data.link);
            d.put_did(u);
            return Err(err);
        }
        data.switch_to(u, Some(domain_addr(d.domain())), old);
        Ok(())
    }

    fn flush_iotlb_all(d: &PagingDomain<Self>) {
        d.flush(None);
    }

    /// `intel_iommu_set_dirty_tracking()`: SSADE set or cleared in the entries of the devices
    /// attached to the domain and, for a nest parent, to its nested domains; after an error
    /// every entry is set back as it was. Only for domains allocated with
    /// `IOMMU_HWPT_ALLOC_DIRTY_TRACKING`, on units with [`hw::ssads_supported`].
    fn set_dirty_tracking(d: &PagingDomain<Self>, enable: bool) -> Result {
        let mut f = d.flags.lock();
        if f.dirty_tracking == enable {
            return Ok(());
        }
        if let Err(e) = d.set_ssade(enable) {
            let _ = d.set_ssade(f.dirty_tracking);
            return Err(e);
        }
        f.dirty_tracking = enable;
        Ok(())
    }

    /// `intel_iommu_enforce_cache_coherency_fs()` and `_ss()`: only if every unit the domain is
    /// attached on has snoop control (`ECAP.SC`, `domain_support_force_snooping()`; true for a
    /// domain on no device yet, as in C). A first-stage domain sets PGSNP in its devices'
    /// entries, now and at each attach; a second-stage one makes the leaves of its table set SNP.
    fn enforce_cache_coherency(d: &PagingDomain<Self>) -> bool {
        let mut f = d.flags.lock();
        if d.stage == VtdStage::First && f.force_snooping {
            return true;
        }
        if !d.devs.lock().iter().all(|l| l.unit().ecap().sc()) {
            return false;
        }
        match d.stage {
            VtdStage::First => {
                f.force_snooping = true;
                for l in d.devs.lock().iter() {
                    setup_page_snoop_control(l);
                }
            }
            VtdStage::Second => {
                // SAFETY: No map runs concurrently: iommufd calls `enforce_cache_coherency` only
                // on the domain of a HWPT it is creating, before `iopt_table_add_domain()` maps
                // into it (`iommufd_hwpt_paging_alloc()`, and the Rust HWPT layer's
                // `try_enforce_cache_coherency()`); no other code in the kernel calls it, and a
                // domain iommufd allocated is mapped only through iommufd.
                unsafe { d.vtd_force_coherence() };
                f.force_snooping = true;
            }
        }
        true
    }

    fn iotlb_sync(d: &PagingDomain<Self>, gather: &Gather) {
        if gather.start() <= gather.end() {
            d.flush(Some((gather.start() as u64, gather.end() as u64)));
        }
    }
}

/// A nested domain: a user's stage-1 table ([`VtdS1`], in guest memory) on a nest parent's
/// second stage (C: a `dmar_domain` of type `IOMMU_DOMAIN_NESTED`, `nested.c`), with its own
/// domain IDs. QEMU reports no `ECAP.NEST`, so none exists there.
#[pin_data]
struct VtdNested {
    s1: VtdS1,
    /// The domain IDs, per unit (as [`VtdDomain`]'s); each is also in the parent's
    /// `nested_tags`.
    #[pin]
    tags: SpinLockIrq<KVec<Tag>>,
    /// The devices attached to the domain; each is also in the parent's `nested_devs`.
    #[pin]
    devs: DevLinks,
}

impl VtdNested {
    /// Adds a device to the lists of `nd` and of its parent.
    ///
    /// # Errors
    ///
    /// `ENOMEM` (nothing is added then).
    fn add_dev(nd: &NestedDomain<Self>, l: &Arc<DevLink>) -> Result {
        dev_add(&nd.devs, l)?;
        if let Err(e) = dev_add(&nd.parent().nested_devs, l) {
            dev_remove(&nd.devs, l);
            return Err(e);
        }
        Ok(())
    }

    /// Takes a device out of the lists of `nd` and of its parent.
    fn remove_dev(nd: &NestedDomain<Self>, l: &Arc<DevLink>) {
        dev_remove(&nd.devs, l);
        dev_remove(&nd.parent().nested_devs, l);
    }

    /// The domain ID of the nested domain `nd` on `u`, allocated for its first device there and
    /// then also given to the parent, whose stage-2 changes must invalidate it.
    fn get_did(nd: &NestedDomain<Self>, u: &'static Unit) -> Result<u16> {
        let (did, new) = tags_get(&nd.tags, u)?;
        if new {
            let mut p = nd.parent().nested_tags.lock();
            if let Err(e) = p.push(
                Tag {
                    unit: u,
                    did,
                    users: 1,
                },
                GFP_ATOMIC,
            ) {
                drop(p);
                Self::put_did(nd, u);
                return Err(e.into());
            }
        }
        Ok(did)
    }

    /// Drops a use of the domain ID of `nd` on `u`; the last takes it from the parent and frees
    /// it.
    fn put_did(nd: &NestedDomain<Self>, u: &'static Unit) {
        if let Some(did) = tags_put(&nd.tags, u) {
            let mut p = nd.parent().nested_tags.lock();
            if let Some(i) = p.iter().position(|t| ptr::eq(t.unit, u) && t.did == did) {
                let _ = p.remove(i);
            }
            drop(p);
            u.free_did(did);
        }
    }
}

#[vtable]
impl NestedOps for VtdNested {
    type Driver = IntelIommu;
    const TABLE: &'static NestedTable<Self> = kernel::iommu_static_table!(NestedTable<VtdNested>);

    /// `intel_nested_attach_dev()`, with every check before the entry changes (C blocks the
    /// device first).
    fn attach_dev(
        nd: &NestedDomain<Self>,
        dev: &ProbedDevice<IntelIommu>,
        old: Option<&Domain>,
    ) -> Result {
        let data = dev.data();
        let u = data.info.unit();
        if data.is_attached_to(nd.domain()) {
            return Ok(());
        }
        let parent = nd.parent();
        VtdDomain::compatible(parent, u)?;
        // `intel_pasid_setup_nested()`'s checks.
        nd.s1.check(u.cap(), u.ecap())?;
        if nd.domain().has_iopf_handler() {
            return Err(ENODEV);
        }
        let VtdHwInfo::Second(ss) = parent.hw_info() else {
            return Err(EINVAL);
        };
        let own_entry = data.info.attach_prepare(dev)?;
        // The parent's dirty tracking and snooping do not change until the entry is written.
        let flags = parent.flags.lock();
        let did = Self::get_did(nd, u)?;
        if own_entry {
            // Listed before the entry changes, as for a paging domain.
            if let Err(err) = Self::add_dev(nd, &data.link) {
                Self::put_did(nd, u);
                return Err(err);
            }
            let e = PasidEntry::nested(
                &nd.s1,
                &SecondStage {
                    ssptptr: ss.ssptptr,
                    aw: ss.aw,
                    did,
                    coherent: !parent.incoherent,
                    dirty_tracking: flags.dirty_tracking,
                },
                flags.force_snooping,
            );
            if let Err(err) = replace_rid_entry(dev, Some(&e)) {
                Self::remove_dev(nd, &data.link);
                Self::put_did(nd, u);
                return Err(err);
            }
        }
        data.switch_to(u, Some(domain_addr(nd.domain())), old);
        Ok(())
    }

    /// `intel_nested_cache_invalidate_user()`: each request checked, then a PASID-based IOTLB
    /// invalidation of its range on every unit the domain is attached on, the leaf flag as the
    /// invalidation hint; `entry_num` is the number of requests handled.
    fn cache_invalidate_user(nd: &NestedDomain<Self>, array: &mut UserDataArray<'_>) -> Result {
        if array.data_type() != vtd::INVALIDATE_DATA_VTD_S1 {
            return Err(EINVAL);
        }
        array.for_each_entry(
            vtd::INVALIDATE_DATA_VTD_S1,
            |_, inv: vtd::InvalidateVtdS1| {
                let req = VtdS1Invalidate {
                    addr: inv.addr,
                    npages: inv.npages,
                    flags: inv.flags,
                    reserved: inv.__reserved,
                };
                let (first, last, leaf) = req.range()?;
                for t in nd.tags.lock().iter() {
                    let desc = hw::nested_invalidation(t.did, first, last, leaf);
                    if let Err(e) = t.unit.qi_submit(&mut [desc]) {
                        pr_err!("{}: IOTLB invalidation failed: {:?}\n", t.unit.name(), e);
                    }
                }
                let (addr, mask) = hw::psi_aligned(first, last);
                for l in nd.devs.lock().iter() {
                    devtlb_invalidate(l, addr, mask);
                }
                Ok(())
            },
        )
    }
}

/// vIOMMUs: none (VT-d has no vIOMMU in 7.3).
enum NoViommu {}

#[vtable]
impl ViommuOps for NoViommu {
    type Driver = IntelIommu;
    type HwQueue = ();
    type Vdevice = ();
    const TABLE: &'static ViommuTable<Self> = kernel::iommu_static_table!(ViommuTable<NoViommu>);

    fn destroy(v: &Viommu<Self>) {
        match **v {}
    }
}
