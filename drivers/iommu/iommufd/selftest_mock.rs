// SPDX-License-Identifier: GPL-2.0

//! The mock IOMMU driver of the iommufd selftest, in Rust.
//!
//! This is the driver half of `drivers/iommu/iommufd/selftest.c` (selected by
//! `CONFIG_IOMMUFD_TEST_RUST_MOCK`): the `iommu_ops` of the mock IOMMU, its blocking, paging and
//! nested domains, dirty tracking, the vIOMMU with its mmap page and hardware queues, IOPF and
//! PASID attach. The harness half stays C and calls this one through
//! `drivers/iommu/iommufd/selftest_mock.h`. Every callback returns what the C mock returns, so the
//! unchanged selftests (`tools/testing/selftests/iommu`) see no difference.
//!
//! It is written on the `kernel::iommu` abstractions only, as an example of a driver on them.

use kernel::{
    device::Device,
    iommu::{
        device::{IopfQueue, ProbeInstances, ProbedDevice},
        domain::{
            Domain, NestedDomain, NestedOps, NestedTable, PagingDomain, PagingOps, PagingOptions,
            PagingTable, Pasid, StaticDomain, StaticOps, StaticTable,
        },
        ops::{Cap, Driver, HwInfo, OpsTable, PageResponse, Probed},
        pt::{AmdV1Config, AmdV1Mock, CommonConfig},
        user_data::{UserData, UserDataArray},
        viommu::{
            HwQueue, HwQueueCore, HwQueueHandle, Pages, Viommu, ViommuCore, ViommuOps, ViommuRef,
            ViommuTable,
        },
    },
    new_mutex,
    page::PAGE_SIZE,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Mutex,
    },
    time::{delay::fsleep, Delta},
};

#[path = "selftest_mock_glue.rs"]
pub mod glue;
use glue::{consts::*, uapi as selftest, LocalModule, __LOG_PREFIX};

/// The name of the mock (its log prefix and module name).
const MOCK_NAME: &CStr = c"iommufd_mock";

/// The mock IOMMU driver.
struct Mock;

/// The mock IOMMU instance's data (the rest of `struct mock_iommu_device` in C).
struct MockIommu {
    /// The I/O page-fault queue; `None` if it could not be allocated (then, as in C, only
    /// fault-capable attaches fail, with `ENODEV`).
    iopfq: Option<IopfQueue>,
}

impl MockIommu {
    fn new() -> impl PinInit<Self, Error> {
        let iopfq = IopfQueue::new(c"mock-iopfq")
            .inspect_err(|_| pr_warn!("no IOPF queue\n"))
            .ok();
        Ok::<_, Error>(MockIommu { iopfq })
    }
}

/// 1 while registered, plus one per live vIOMMU (`mock_iommu.users` in C).
static USERS: Atomic<i32> = Atomic::new(0);

static BLOCKED: StaticDomain<Mock> = StaticDomain::blocked::<Blocked>();

/// What an attach changes on a device (`viommu_rwsem`, `iopf_refcount` and `domain` in C).
struct AttachState {
    /// The vIOMMU of the nested domain the RID is attached to, with the device's virtual ID.
    viommu: Option<(ViommuRef<MockViommu>, u64)>,
    /// Attaches (RID and PASIDs) to fault-capable domains: the device is in the IOPF queue
    /// while this is not zero.
    iopf_refcount: u32,
    /// The domain the RID is attached to is fault-capable.
    rid_iopf: bool,
}

/// Per-device data of the mock driver.
#[pin_data]
struct MockDev {
    flags: u32,
    #[pin]
    state: Mutex<AttachState>,
    cache: [Atomic<u32>; DEV_CACHE_NUM],
    /// Set by a first attach of PASID 1024, so that the next one fails (tests the core's
    /// rollback), cleared by that failure or a detach.
    pasid_1024_fake_error: Atomic<bool>,
}

impl AttachState {
    /// `mock_dev_enable_iopf()`: counts an attach to `domain` if it is fault-capable.
    fn enable_iopf(&mut self, dev: &ProbedDevice<Mock>, domain: &Domain) -> Result {
        if !domain.has_iopf_handler() {
            return Ok(());
        }
        let Some(iopfq) = &dev.instance().iopfq else {
            return Err(ENODEV);
        };
        if self.iopf_refcount > 0 {
            self.iopf_refcount += 1;
            return Ok(());
        }
        iopfq.add_device(dev)?;
        self.iopf_refcount = 1;
        Ok(())
    }

    /// `mock_dev_disable_iopf()`: drops the count of an attach to a fault-capable domain.
    fn disable_iopf(&mut self, dev: &ProbedDevice<Mock>, had_iopf: bool) {
        if !had_iopf || self.iopf_refcount == 0 {
            return;
        }
        self.iopf_refcount -= 1;
        if self.iopf_refcount == 0 {
            if let Some(iopfq) = &dev.instance().iopfq {
                iopfq.remove_device(dev);
            }
        }
    }
}

/// `mock_domain_nop_attach()`: the attach of every domain type.
fn attach(
    dev: &ProbedDevice<Mock>,
    domain: &Domain,
    nested: Option<&NestedDomain<MockNested>>,
) -> Result {
    let mdev = dev.data();
    if domain.has_dirty_ops() && mdev.flags & FLAGS_DEVICE_NO_DIRTY != 0 {
        return Err(EINVAL);
    }
    let new_viommu = match nested.and_then(|n| n.viommu()) {
        Some(v) => Some((ViommuRef::new(v), v.core().vdev_id(dev)?)),
        None => None,
    };
    let mut st = mdev.state.lock();
    if st.viommu.map(|(v, _)| v) != new_viommu.map(|(v, _)| v) {
        st.viommu = new_viommu;
    }
    st.enable_iopf(dev, domain)?;
    let had = st.rid_iopf;
    st.disable_iopf(dev, had);
    st.rid_iopf = domain.has_iopf_handler();
    Ok(())
}

/// `mock_domain_set_dev_pasid_nop()`: the PASID attach of every domain type.
fn set_dev_pasid(
    dev: &ProbedDevice<Mock>,
    domain: &Domain,
    pasid: Pasid,
    old: Option<&Domain>,
) -> Result {
    let mdev = dev.data();
    if pasid == PASID_RESERVED {
        if domain.is_blocked() {
            mdev.pasid_1024_fake_error.store(false, Relaxed);
        } else if mdev.pasid_1024_fake_error.xchg(false, Relaxed) {
            // The second attach: fail it so that the core must roll back.
            return Err(ENOMEM);
        } else {
            mdev.pasid_1024_fake_error.store(true, Relaxed);
        }
    }
    let mut st = mdev.state.lock();
    st.enable_iopf(dev, domain)?;
    st.disable_iopf(dev, old.is_some_and(|o| o.has_iopf_handler()));
    Ok(())
}

/// The blocking domain (also the default domain of every mock device).
struct Blocked;

#[vtable]
impl StaticOps for Blocked {
    type Driver = Mock;
    const TABLE: &'static StaticTable<Self> = kernel::iommu_static_table!(StaticTable<Blocked>);

    fn attach_dev(domain: &Domain, dev: &ProbedDevice<Mock>, _old: Option<&Domain>) -> Result {
        attach(dev, domain, None)
    }

    fn set_dev_pasid(
        domain: &Domain,
        dev: &ProbedDevice<Mock>,
        pasid: Pasid,
        old: Option<&Domain>,
    ) -> Result {
        set_dev_pasid(dev, domain, pasid, old)
    }
}

/// A paging domain: the AMD v1 mock page table (2 KiB pages) and the dirty-tracking switch.
struct MockPaging {
    dirty_tracking: Atomic<bool>,
}

/// The mock has no IOTLB for paging domains: no `iotlb_sync` (the abstraction frees the table
/// pages an unmap released, as `mock_iotlb_sync()` does, without building a `Gather`).
#[vtable]
impl PagingOps for MockPaging {
    type Driver = Mock;
    type Format = AmdV1Mock;
    const TABLE: &'static PagingTable<Self> = kernel::iommu_static_table!(PagingTable<MockPaging>);

    fn attach_dev(
        domain: &PagingDomain<Self>,
        dev: &ProbedDevice<Mock>,
        _old: Option<&Domain>,
    ) -> Result {
        attach(dev, domain.domain(), None)
    }

    fn set_dev_pasid(
        domain: &PagingDomain<Self>,
        dev: &ProbedDevice<Mock>,
        pasid: Pasid,
        old: Option<&Domain>,
    ) -> Result {
        set_dev_pasid(dev, domain.domain(), pasid, old)
    }

    fn set_dirty_tracking(domain: &PagingDomain<Self>, enable: bool) -> Result {
        if enable && !domain.domain().has_dirty_ops() {
            return Err(EINVAL);
        }
        domain.dirty_tracking.store(enable, Relaxed);
        Ok(())
    }
}

/// A nested domain: the mock IOTLB the user invalidates.
struct MockNested {
    iotlb: [Atomic<u32>; NESTED_DOMAIN_IOTLB_NUM],
}

impl MockNested {
    /// The nested-domain data from the allocation `flags` and the user's
    /// `struct iommu_hwpt_selftest` (`__mock_domain_alloc_nested()` and the flag check of both of
    /// its callers). A plain value is its own (infallible) initialiser.
    fn new(flags: u32, user_data: &UserData) -> Result<Result<Self>> {
        if flags & !HWPT_ALLOC_PASID != 0 {
            return Err(EOPNOTSUPP);
        }
        if user_data.data_type() != HWPT_DATA_SELFTEST {
            return Err(EOPNOTSUPP);
        }
        let cfg: selftest::HwptSelftest = user_data.read(HWPT_DATA_SELFTEST)?;
        Ok(Ok(Self {
            iotlb: core::array::from_fn(|_| Atomic::new(cfg.iotlb)),
        }))
    }
}

#[vtable]
impl NestedOps for MockNested {
    type Driver = Mock;
    const TABLE: &'static NestedTable<Self> = kernel::iommu_static_table!(NestedTable<MockNested>);

    fn attach_dev(
        domain: &NestedDomain<Self>,
        dev: &ProbedDevice<Mock>,
        _old: Option<&Domain>,
    ) -> Result {
        attach(dev, domain.domain(), Some(domain))
    }

    fn set_dev_pasid(
        domain: &NestedDomain<Self>,
        dev: &ProbedDevice<Mock>,
        pasid: Pasid,
        old: Option<&Domain>,
    ) -> Result {
        set_dev_pasid(dev, domain.domain(), pasid, old)
    }

    fn cache_invalidate_user(domain: &NestedDomain<Self>, array: &mut UserDataArray<'_>) -> Result {
        if array.data_type() != HWPT_INVALIDATE_DATA_SELFTEST {
            return Err(EINVAL);
        }
        array.for_each_entry(
            HWPT_INVALIDATE_DATA_SELFTEST,
            |_, inv: selftest::HwptInvalidateSelftest| {
                if inv.flags & !INVALIDATE_FLAG_ALL != 0 {
                    return Err(EOPNOTSUPP);
                }
                let id = usize::try_from(inv.iotlb_id).map_err(|_| EINVAL)?;
                if id >= NESTED_DOMAIN_IOTLB_NUM {
                    return Err(EINVAL);
                }
                if inv.flags & INVALIDATE_FLAG_ALL != 0 {
                    domain.iotlb.iter().for_each(|e| e.store(0, Relaxed));
                } else {
                    domain.iotlb[id].store(0, Relaxed);
                }
                Ok(())
            },
        )
    }
}

/// A vIOMMU: its hardware queues and the page it lets the user mmap.
#[pin_data]
struct MockViommu {
    /// The queue at each index; a queue at index `i > 0` depends on the one at `i - 1`.
    #[pin]
    queues: Mutex<[Option<HwQueueHandle>; HW_QUEUE_MAX]>,
    /// Two pages with `in_data` at offset 0 (a loopback test of the mmap), and their mmap offset.
    mmap: Option<(Pages, usize)>,
}

/// A hardware queue: its index and the queue it depends on.
struct MockHwQueue {
    index: usize,
    prev: Option<HwQueueHandle>,
}

#[vtable]
impl ViommuOps for MockViommu {
    type Driver = Mock;
    type HwQueue = MockHwQueue;
    type Vdevice = ();
    const TABLE: &'static ViommuTable<Self> = kernel::iommu_static_table!(ViommuTable<MockViommu>);
    const HW_QUEUE_TYPE: u32 = HW_QUEUE_TYPE_SELFTEST;

    fn destroy(viommu: &Viommu<Self>) {
        USERS.fetch_sub(1, Relaxed);
        if let Some((_, offset)) = &viommu.mmap {
            viommu.core().destroy_mmap(*offset);
        }
    }

    fn alloc_domain_nested(
        _viommu: &Viommu<Self>,
        flags: u32,
        user_data: &UserData,
    ) -> Result<impl PinInit<MockNested, Error>> {
        MockNested::new(flags, user_data)
    }

    fn cache_invalidate(viommu: &Viommu<Self>, array: &mut UserDataArray<'_>) -> Result {
        // A zero-length array is allowed to validate the array type.
        if array.entry_num() == 0 && array.data_type() == VIOMMU_INVALIDATE_DATA_SELFTEST {
            array.set_handled(0);
            return Ok(());
        }
        let cmds = array.read_all::<selftest::ViommuInvalidateSelftest>(
            VIOMMU_INVALIDATE_DATA_SELFTEST,
            GFP_KERNEL,
        )?;
        for cmd in cmds.iter() {
            if cmd.flags & !INVALIDATE_FLAG_ALL != 0 {
                return Err(EOPNOTSUPP);
            }
            let id = usize::try_from(cmd.cache_id).map_err(|_| EINVAL)?;
            if id >= DEV_CACHE_NUM {
                return Err(EINVAL);
            }
            viommu
                .core()
                .with_vdev::<Mock, _>(cmd.vdev_id.into(), |dev| {
                    let cache = &dev.data().cache;
                    if cmd.flags & INVALIDATE_FLAG_ALL != 0 {
                        cache.iter().for_each(|e| e.store(0, Relaxed));
                    } else {
                        cache[id].store(0, Relaxed);
                    }
                })
                .ok_or(EINVAL)?;
            array.mark_handled();
        }
        Ok(())
    }

    /// `mock_hw_queue_init_phys()`: also tests `iommufd_hw_queue_depend()` and the core's
    /// guest-to-host address conversion.
    fn hw_queue_init(
        viommu: &Viommu<Self>,
        queue: &HwQueueCore,
        index: u32,
        base_pa: u64,
    ) -> Result<impl PinInit<MockHwQueue, Error>> {
        let index = usize::try_from(index).map_err(|_| EINVAL)?;
        if index >= HW_QUEUE_MAX {
            return Err(EINVAL);
        }
        let mut queues = viommu.queues.lock();
        if queues[index].is_some() {
            return Err(EEXIST);
        }
        let prev = match index {
            0 => None,
            i => Some(queues[i - 1].ok_or(EIO)?),
        };
        if base_pa != viommu.parent().domain().iova_to_phys(queue.base_addr()) {
            return Err(EFAULT);
        }
        if let Some(prev) = prev {
            // SAFETY: `prev` is in `queues`, so it is alive: a queue removes itself from `queues`
            // in `hw_queue_destroy`, under the lock held here.
            unsafe { queue.depend(prev) }?;
        }
        queues[index] = Some(queue.handle());
        Ok(Ok::<_, Error>(MockHwQueue { index, prev }))
    }

    fn hw_queue_destroy(viommu: &Viommu<Self>, queue: &HwQueue<Self>) {
        let mut queues = viommu.queues.lock();
        queues[queue.index] = None;
        if let Some(prev) = queue.prev {
            // SAFETY: `hw_queue_init` stored `prev` only after `depend(prev)` succeeded, and
            // nothing undoes that dependency before here, so this queue depends on `prev`.
            unsafe { queue.core().undepend(prev) };
        }
    }
}

#[vtable]
impl Driver for Mock {
    type DevData = MockDev;
    type Instance = MockIommu;
    type Paging = MockPaging;
    type Nested = MockNested;
    type Viommu = MockViommu;

    const OPS: &'static OpsTable<Self> = kernel::iommu_static_table!(OpsTable<Mock>);
    // IOMMU_DOMAIN_BLOCKED cannot be returned from def_domain_type() because it is zero, hence
    // a static default domain.
    const BLOCKED_DOMAIN: Option<&'static StaticDomain<Self>> = Some(&BLOCKED);
    const DEFAULT_DOMAIN: Option<&'static StaticDomain<Self>> = Some(&BLOCKED);
    const USER_PASID_TABLE: bool = true;
    const VIOMMU_TYPE: u32 = VIOMMU_TYPE_SELFTEST;

    fn probe_device<'p>(
        dev: &'p Device,
        instances: ProbeInstances<'p, Self>,
    ) -> Result<Probed<'p, Self>> {
        let flags = glue::dev_flags(dev).ok_or(ENODEV)?;
        // The harness gave the device the fwspec of the mock instance (`iommu_mock_device_add()`).
        let instance = instances.of_fwspec().ok_or(ENODEV)?;
        let data = KBox::pin_init(
            pin_init!(MockDev {
                flags,
                state <- new_mutex!(AttachState {
                    viommu: None,
                    iopf_refcount: 0,
                    rid_iopf: false,
                }),
                cache: core::array::from_fn(|_| Atomic::new(DEV_CACHE_DEFAULT)),
                pasid_1024_fake_error: Atomic::new(false),
            }),
            GFP_KERNEL,
        )?;
        Ok((instance, data))
    }

    fn capable(dev: &ProbedDevice<Self>, cap: Cap) -> bool {
        match cap {
            Cap::CacheCoherency => true,
            Cap::DirtyTracking => dev.data().flags & FLAGS_DEVICE_NO_DIRTY == 0,
            _ => false,
        }
    }

    fn hw_info(_dev: &ProbedDevice<Self>, requested: u32) -> Result<HwInfo> {
        if requested != HW_INFO_TYPE_DEFAULT && requested != HW_INFO_TYPE_SELFTEST {
            return Err(EOPNOTSUPP);
        }
        HwInfo::new(
            HW_INFO_TYPE_SELFTEST,
            &selftest::HwInfoSelftest::new(0, HW_INFO_SELFTEST_REGVAL),
        )
    }

    fn domain_alloc_paging_flags(
        dev: &ProbedDevice<Self>,
        flags: u32,
        user_data: Option<&UserData>,
    ) -> Result<Pin<KBox<PagingDomain<MockPaging>>>> {
        let paging_flags = HWPT_ALLOC_DIRTY_TRACKING | HWPT_ALLOC_NEST_PARENT | HWPT_ALLOC_PASID;
        let dirty = flags & HWPT_ALLOC_DIRTY_TRACKING != 0;
        if flags & !paging_flags != 0 || (dirty && dev.data().flags & FLAGS_DEVICE_NO_DIRTY != 0) {
            return Err(EOPNOTSUPP);
        }
        let cfg = match user_data {
            Some(ud) => {
                if ud.data_type() != HWPT_DATA_SELFTEST && ud.data_type() != HWPT_DATA_NONE {
                    return Err(EOPNOTSUPP);
                }
                ud.read::<selftest::HwptSelftest>(HWPT_DATA_SELFTEST)?
            }
            None => selftest::HwptSelftest::default(),
        };
        let opts = match cfg.pagetable_type {
            // The aperture of the mock is narrower than the table's, for the tests.
            IOMMUPT_DEFAULT => PagingOptions {
                dirty_tracking: dirty,
                aperture: Some((APERTURE_START, APERTURE_LAST)),
                pgsize_bitmap: None,
            },
            // In huge mode the user only maps huge pages; PAGE_SIZE must be included for the
            // domain to be accepted by iommufd.
            IOMMUPT_HUGE => PagingOptions {
                dirty_tracking: dirty,
                aperture: None,
                pgsize_bitmap: Some(HUGE_PAGE_SIZE | PAGE_SIZE as u64),
            },
            _ => return Err(EOPNOTSUPP),
        };
        // The mock format has a 2 KiB page size.
        let pt_cfg = AmdV1Config {
            common: CommonConfig {
                features: 0,
                hw_max_vasz_lg2: 56,
                hw_max_oasz_lg2: 51,
            },
            starting_level: 2,
        };
        PagingDomain::new(
            &pt_cfg,
            opts,
            Ok::<_, Error>(MockPaging {
                dirty_tracking: Atomic::new(false),
            }),
        )
    }

    fn domain_alloc_nested(
        _dev: &ProbedDevice<Self>,
        _parent: &PagingDomain<MockPaging>,
        flags: u32,
        user_data: &UserData,
    ) -> Result<impl PinInit<MockNested, Error>> {
        MockNested::new(flags, user_data)
    }

    /// The mock answers nothing: the test only checks that the response reaches the driver.
    fn page_response(_dev: &ProbedDevice<Self>, _msg: PageResponse) {}

    fn viommu_init(
        viommu: &ViommuCore,
        _instance: &Self::Instance,
        _parent: &PagingDomain<MockPaging>,
        user_data: Option<&UserData>,
    ) -> Result<impl PinInit<MockViommu, Error>> {
        let mmap = match user_data {
            Some(ud) => {
                let mut data: selftest::ViommuSelftest = ud.read(VIOMMU_TYPE_SELFTEST)?;
                let mut pages = Pages::alloc(1)?;
                // SAFETY: `pages` is a page-aligned allocation of the mock's, given to nothing
                // else. It is moved into the vIOMMU's data (`mmap`; the initialiser below cannot
                // fail) or, if the reply fails, dropped after `destroy_mmap()`; `destroy` calls
                // `destroy_mmap()` before the data, and so the pages, are dropped.
                let offset = unsafe { viommu.alloc_mmap(pages.phys(), pages.len()) }?;
                // For loopback tests on both the page and out_data.
                pages.write(0, &data.in_data)?;
                data.out_data = data.in_data;
                data.out_mmap_length = pages.len() as u64;
                data.out_mmap_offset = offset as u64;
                if let Err(e) = ud.write(VIOMMU_TYPE_SELFTEST, &data) {
                    viommu.destroy_mmap(offset);
                    return Err(e);
                }
                Some((pages, offset))
            }
            None => None,
        };
        USERS.fetch_add(1, Relaxed);
        Ok(try_pin_init!(MockViommu {
            queues <- new_mutex!([None; HW_QUEUE_MAX]),
            mmap,
        }? Error))
    }
}

/// What the harness asks of the mock (`selftest_mock.h`), through `glue`.
impl Mock {
    /// The instance was registered (`mock_iommu_register()`).
    fn registered() {
        USERS.store(1, Relaxed);
    }

    /// The instance is about to be unregistered (`mock_iommu_unregister()`).
    fn unregistering() {
        // Wait (bounded, as in C) for the vIOMMUs to go. They hold files of iommufd open, so
        // when the module is unloaded there are none.
        if USERS.fetch_sub(1, Relaxed) != 1 {
            let mut waited = 0;
            while USERS.load(Relaxed) != 0 && waited < 10_000 {
                fsleep(Delta::from_millis(10));
                waited += 10;
            }
            kernel::warn_on!(USERS.load(Relaxed) != 0);
        }
    }

    fn domain_is_paging(domain: &Domain) -> bool {
        domain.as_paging::<MockPaging>().is_some()
    }

    fn dirty_tracking(domain: &Domain) -> bool {
        domain
            .as_paging::<MockPaging>()
            .is_some_and(|d| d.dirty_tracking.load(Relaxed))
    }

    fn set_dirty(domain: &Domain, iova: u64) -> Result {
        match domain.as_paging::<MockPaging>() {
            Some(d) if d.dirty_tracking.load(Relaxed) => d.set_dirty(iova),
            _ => Err(EINVAL),
        }
    }

    fn nested_iotlb(domain: &Domain, id: u32) -> Result<u32> {
        let nested = domain.as_nested::<MockNested>().ok_or(EINVAL)?;
        let id = usize::try_from(id).map_err(|_| EINVAL)?;
        Ok(nested.iotlb.get(id).ok_or(EINVAL)?.load(Relaxed))
    }

    fn dev_cache(dev: &ProbedDevice<Self>, id: u32) -> Result<u32> {
        let id = usize::try_from(id).map_err(|_| EINVAL)?;
        Ok(dev.data().cache.get(id).ok_or(EINVAL)?.load(Relaxed))
    }

    fn trigger_vevent(dev: &ProbedDevice<Self>) -> Result {
        let st = dev.data().state.lock();
        let Some((viommu, vdev_id)) = st.viommu else {
            return Err(ENOENT);
        };
        if vdev_id == 0 {
            return Err(ENOENT);
        }
        // SAFETY: The RID is attached to a nested domain of this vIOMMU (`attach` replaces
        // `viommu` under the lock held here), and iommufd keeps the vIOMMU of an attached nested
        // HWPT alive.
        let viommu = unsafe { viommu.get() };
        let event = selftest::ViommuEventSelftest::new(vdev_id as u32);
        viommu.core().report_event(VEVENTQ_TYPE_SELFTEST, &event)
    }
}
