// SPDX-License-Identifier: GPL-2.0
/*
 * Test only, included at the end of cache.c with
 * CONFIG_INTEL_IOMMU_RUST_KUNIT_TEST: the C driver's invalidation range
 * alignment, for the Rust driver's KUnit tests (rust_ref.h).
 */
#include "rust_ref.h"

u64 intel_rust_ref_psi_aligned(u64 start, u64 last, u64 *size_order)
{
	unsigned long order;
	u64 addr = calculate_psi_aligned_address(start, last, &order);

	*size_order = order;
	return addr;
}
