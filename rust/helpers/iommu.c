// SPDX-License-Identifier: GPL-2.0

#include <kunit/test.h>
#include <linux/io.h>
#include <linux/mman.h>

#if IS_BUILTIN(CONFIG_KUNIT) && IS_ENABLED(CONFIG_IOMMU_API)
/*
 * User memory for the rust_iommu_user_data KUnit suite
 * (rust/kernel/iommu/user_data.rs): an anonymous read/write mapping of @len
 * bytes in the mm that KUnit attaches to the running test, released with the
 * test. Returns the user address, or 0 / an IS_ERR_VALUE() on failure.
 *
 * This is not a wrapper of a static inline: it keeps the PROT_* and MAP_*
 * constants out of the bindings, since <linux/mman.h> would pull
 * <linux/hugetlb.h> and <linux/shmem_fs.h> into bindgen on arm64.
 */
__rust_helper unsigned long
rust_helper_iommu_kunit_user_alloc(struct kunit *test, unsigned long len)
{
	return kunit_vm_mmap(test, NULL, 0, len, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
}
#endif

#if IS_ENABLED(CONFIG_IOMMU_API)
/* For `kernel::iommu::viommu::Pages`: the physical address of a direct-map address. */
__rust_helper phys_addr_t rust_helper_virt_to_phys(volatile void *address)
{
	return virt_to_phys(address);
}
#endif

#if IS_ENABLED(CONFIG_IOMMUFD_HWPT_RUST)
#include "../../drivers/iommu/iommufd/iommufd_private.h"

/*
 * For the Rust HWPT layer (`drivers/iommu/iommufd/hwpt_glue.rs`). These static inlines
 * only call into the core kernel, so they can live in the built-in kernel
 * even when iommufd is a module.
 */
__rust_helper void rust_helper_iommufd_put_object(struct iommufd_ctx *ictx,
						  struct iommufd_object *obj)
{
	iommufd_put_object(ictx, obj);
}

__rust_helper const struct iommu_ops *rust_helper_dev_iommu_ops(struct device *dev)
{
	return dev_iommu_ops(dev);
}

__rust_helper struct iommu_device *
rust_helper___iommu_get_iommu_dev(struct device *dev)
{
	return __iommu_get_iommu_dev(dev);
}

__rust_helper struct iommu_domain *
rust_helper_iommu_paging_domain_alloc(struct device *dev)
{
	return iommu_paging_domain_alloc(dev);
}

__rust_helper bool rust_helper_list_empty(const struct list_head *head)
{
	return list_empty(head);
}

__rust_helper void rust_helper_list_del_init(struct list_head *entry)
{
	list_del_init(entry);
}
#endif

#if IS_ENABLED(CONFIG_IOMMU_API)
#include <linux/iommu.h>

/*
 * For `kernel::iommu::pgtable::Gather`: the IOTLB gather static inlines of
 * <linux/iommu.h>, which only exist with CONFIG_IOMMU_API.
 */
__rust_helper void
rust_helper_iommu_iotlb_gather_init(struct iommu_iotlb_gather *gather)
{
	iommu_iotlb_gather_init(gather);
}

__rust_helper bool
rust_helper_iommu_iotlb_gather_is_disjoint(struct iommu_iotlb_gather *gather,
					   unsigned long iova, size_t size)
{
	return iommu_iotlb_gather_is_disjoint(gather, iova, size);
}

__rust_helper void
rust_helper_iommu_iotlb_gather_add_range(struct iommu_iotlb_gather *gather,
					 unsigned long iova, size_t size)
{
	iommu_iotlb_gather_add_range(gather, iova, size);
}

__rust_helper void
rust_helper_iommu_iotlb_gather_add_page(struct iommu_domain *domain,
					struct iommu_iotlb_gather *gather,
					unsigned long iova, size_t size)
{
	iommu_iotlb_gather_add_page(domain, gather, iova, size);
}
#endif
