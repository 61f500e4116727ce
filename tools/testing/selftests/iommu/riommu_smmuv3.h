/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Arm SMMUv3 encodings for the riommu test programs that play a VMM on the
 * emulated SMMUv3 (riommu_nested_smmu, riommu_bench): the guest's AArch64
 * stage-1 descriptors (4 KiB granule), the Context Descriptor and vSTE words
 * and the command and event fields they hand to iommufd, as the C driver
 * names them in drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h. Macros only.
 */
#ifndef RIOMMU_SMMUV3_H
#define RIOMMU_SMMUV3_H

#include <stdint.h>

/* Stage-1 descriptors (AArch64 VMSA, 4 KiB granule). */
#define PTE_TYPE_TABLE	3ULL	/* levels 1, 2 */
#define PTE_TYPE_PAGE	3ULL	/* level 3 */
#define PTE_AP_EL0	(1ULL << 6)	/* AP[1]: RW at any level */
#define PTE_SH_IS	(3ULL << 8)
#define PTE_AF		(1ULL << 10)
#define PTE_ADDR(a)	((a) & 0x0000fffffffff000ULL)
#define MAIR_WBWA	0xffULL		/* attribute index 0: normal WB RWA */

/* CD word 0 (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h CTXDESC_CD_0_*). */
#define CD0_T0SZ(x)	((uint64_t)(x) << 0)
#define CD0_TG0_4K	(0ULL << 6)
#define CD0_IRGN0_WBWA	(1ULL << 8)
#define CD0_ORGN0_WBWA	(1ULL << 10)
#define CD0_SH0_IS	(3ULL << 12)
#define CD0_EPD1	(1ULL << 30)
#define CD0_V		(1ULL << 31)
#define CD0_IPS_44	(4ULL << 32)
#define CD0_AA64	(1ULL << 41)
#define CD0_R		(1ULL << 45)
#define CD0_A		(1ULL << 46)
#define CD0_ASET	(1ULL << 47)
#define CD0_ASID(x)	((uint64_t)(x) << 48)
#define CD1_TTB0(a)	((a) & 0x000ffffffffffff0ULL)

/* STE words 0 and 1 (STRTAB_STE_0/1_*). */
#define STE0_V		1ULL
#define STE0_CFG(c)	((uint64_t)(c) << 1)
#define STE_CFG_ABORT	0
#define STE_CFG_BYPASS	4
#define STE_CFG_S1	5
#define STE_CFG_S2	6
#define STE_CFG_NESTED	7
#define STE0_CTXPTR(a)	((a) & 0x000fffffffffffc0ULL)
#define STE0_S1CDMAX(x)	((uint64_t)(x) << 59)
#define STE1_S1CIR_WBRA	(1ULL << 2)
#define STE1_S1COR_WBRA	(1ULL << 4)
#define STE1_S1CSH_IS	(3ULL << 6)
#define STE1_MEV	(1ULL << 19)
#define STE1_EATS(x)	((uint64_t)(x) << 28)

/* Commands (CMDQ_*). */
#define OP_CFGI_CD	0x05
#define OP_TLBI_NH_ALL	0x10
#define OP_TLBI_NH_ASID	0x11
#define OP_TLBI_NH_VA	0x12
#define OP_TLBI_S2_IPA	0x2a
#define OP_TLBI_NSNH_ALL 0x30
#define OP_ATC_INV	0x40
#define OP_CMD_SYNC	0x46
#define CMD_ASID(a)	((uint64_t)(a) << 48)
#define CMD_SID(s)	((uint64_t)(s) << 32)
#define CMD_LEAF	1ULL

/* Events (EVTQ_*). */
#define EVT_F_TRANSLATION 0x10
#define EVT1_RNW	(1ULL << 35)
#define EVT1_S2		(1ULL << 39)

#endif /* RIOMMU_SMMUV3_H */
