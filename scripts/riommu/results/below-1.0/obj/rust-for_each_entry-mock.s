ffffffff812f1953:      	pushq	%rbp
ffffffff812f1954:      	pushq	%r15
ffffffff812f1956:      	pushq	%r14
ffffffff812f1958:      	pushq	%r13
ffffffff812f195a:      	pushq	%r12
ffffffff812f195c:      	pushq	%rbx
ffffffff812f195d:      	subq	$0x130, %rsp    # imm = 0x130
ffffffff812f1964:      	movl	%esi, (%rsp)
ffffffff812f1967:      	movq	(%rdi), %r13
ffffffff812f196a:      	movl	0x18(%r13), %eax
ffffffff812f196e:      	movl	%eax, 0x4(%rsp)
ffffffff812f1972:      	testl	%eax, %eax
ffffffff812f1974:      	je	0xffffffff812f1b5f <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x20c>
ffffffff812f197a:      	movq	%rdx, %rbx
ffffffff812f197d:      	movq	%rdi, %r14
ffffffff812f1980:      	cmpq	$0x8, 0x10(%r13)
ffffffff812f1985:      	jne	0xffffffff812f1ae1 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x18e>
ffffffff812f198b:      	movl	(%rsp), %eax
ffffffff812f198e:      	cmpl	%eax, (%r13)
ffffffff812f1992:      	jne	0xffffffff812f1ae1 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x18e>
ffffffff812f1998:      	movl	0x8(%r14), %r15d
ffffffff812f199c:      	xorl	%edx, %edx
ffffffff812f199e:      	movl	$0x20, %ecx
ffffffff812f19a3:      	movl	0x4(%rsp), %eax
ffffffff812f19a7:      	movl	%eax, %ebp
ffffffff812f19a9:      	subl	%edx, %ebp
ffffffff812f19ab:      	jbe	0xffffffff812f1b5f <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x20c>
ffffffff812f19b1:      	cmpl	$0x20, %ebp
ffffffff812f19b4:      	cmovael	%ecx, %ebp
ffffffff812f19b7:      	movl	%edx, %esi
ffffffff812f19b9:      	shlq	$0x3, %rsi
ffffffff812f19bd:      	addq	0x8(%r13), %rsi
ffffffff812f19c1:      	jae	0xffffffff812f19c7 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x74>
ffffffff812f19c3:      	xorl	%esi, %esi
ffffffff812f19c5:      	jmp	0xffffffff812f19e5 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x92>
ffffffff812f19c7:      	movq	%rdx, %r12
ffffffff812f19ca:      	leal	(,%rbp,8), %edx
ffffffff812f19d1:      	leaq	0x30(%rsp), %rdi
ffffffff812f19d6:      	callq	0xffffffff81205de0 <_copy_from_user>
ffffffff812f19db:      	movq	%r12, %rdx
ffffffff812f19de:      	testq	%rax, %rax
ffffffff812f19e1:      	sete	%sil
ffffffff812f19e5:      	movl	%edx, %edi
ffffffff812f19e7:      	notl	%edi
ffffffff812f19e9:      	incq	%rdi
ffffffff812f19ec:      	movq	%rbp, 0x18(%rsp)
ffffffff812f19f1:      	movl	%ebp, %r8d
ffffffff812f19f4:      	xorl	%ebp, %ebp
ffffffff812f19f6:      	movl	%esi, 0x8(%rsp)
ffffffff812f19fa:      	movq	%rdi, 0x28(%rsp)
ffffffff812f19ff:      	movq	%r8, 0x20(%rsp)
ffffffff812f1a04:      	testb	%sil, %sil
ffffffff812f1a07:      	je	0xffffffff812f1a13 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0xc0>
ffffffff812f1a09:      	movl	0x30(%rsp,%rbp,8), %eax
ffffffff812f1a0d:      	movl	0x34(%rsp,%rbp,8), %ecx
ffffffff812f1a11:      	jmp	0xffffffff812f1a5a <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x107>
ffffffff812f1a13:      	movl	%edx, %ecx
ffffffff812f1a15:      	addl	%ebp, %ecx
ffffffff812f1a17:      	jb	0xffffffff812f1b8d <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x23a>
ffffffff812f1a1d:      	movq	%r13, %r12
ffffffff812f1a20:      	movq	%rdx, %r13
ffffffff812f1a23:      	leaq	0xc(%rsp), %rdi
ffffffff812f1a28:      	movq	%r14, %rsi
ffffffff812f1a2b:      	movl	(%rsp), %edx
ffffffff812f1a2e:      	callq	0xffffffff812f1b99 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray10read_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestECs8WXsvdzfAt2_13selftest_mock>
ffffffff812f1a33:      	movl	0x10(%rsp), %eax
ffffffff812f1a37:      	cmpb	$0x0, 0xc(%rsp)
ffffffff812f1a3c:      	jne	0xffffffff812f1b6f <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x21c>
ffffffff812f1a42:      	movl	0x14(%rsp), %ecx
ffffffff812f1a46:      	movq	%r13, %rdx
ffffffff812f1a49:      	movq	%r12, %r13
ffffffff812f1a4c:      	movl	0x8(%rsp), %esi
ffffffff812f1a50:      	movq	0x28(%rsp), %rdi
ffffffff812f1a55:      	movq	0x20(%rsp), %r8
ffffffff812f1a5a:      	cmpq	%rdi, %rbp
ffffffff812f1a5d:      	je	0xffffffff812f1b81 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x22e>
ffffffff812f1a63:      	cmpl	$0x1, %eax
ffffffff812f1a66:      	ja	0xffffffff812f1b63 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x210>
ffffffff812f1a6c:      	cmpl	$0x3, %ecx
ffffffff812f1a6f:      	ja	0xffffffff812f1b6a <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x217>
ffffffff812f1a75:      	testl	%eax, %eax
ffffffff812f1a77:      	je	0xffffffff812f1a92 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x13f>
ffffffff812f1a79:      	xorl	%eax, %eax
ffffffff812f1a7b:      	movl	$0x0, 0x80(%rbx,%rax)
ffffffff812f1a86:      	addq	$0x4, %rax
ffffffff812f1a8a:      	cmpq	$0x10, %rax
ffffffff812f1a8e:      	jne	0xffffffff812f1a7b <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x128>
ffffffff812f1a90:      	jmp	0xffffffff812f1a9f <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x14c>
ffffffff812f1a92:      	movl	%ecx, %eax
ffffffff812f1a94:      	movl	$0x0, 0x80(%rbx,%rax,4)
ffffffff812f1a9f:      	incq	%rbp
ffffffff812f1aa2:      	incl	%r15d
ffffffff812f1aa5:      	movl	$0xffffffff, %eax # imm = 0xFFFFFFFF
ffffffff812f1aaa:      	cmovel	%eax, %r15d
ffffffff812f1aae:      	movl	0x18(%r13), %eax
ffffffff812f1ab2:      	cmpl	%r15d, %eax
ffffffff812f1ab5:      	cmovbl	%eax, %r15d
ffffffff812f1ab9:      	movl	%r15d, 0x8(%r14)
ffffffff812f1abd:      	cmpq	%r8, %rbp
ffffffff812f1ac0:      	jne	0xffffffff812f1a04 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0xb1>
ffffffff812f1ac6:      	addl	0x18(%rsp), %edx
ffffffff812f1aca:      	movl	$0x20, %ecx
ffffffff812f1acf:      	jae	0xffffffff812f19a3 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x50>
ffffffff812f1ad5:      	movq	$-0x7eb9d428, %rdi # imm = 0x81462BD8
ffffffff812f1adc:      	callq	0xffffffff81005e7e <_RNvNtNtCs2DxGA1hvVcO_4core9panicking11panic_const24panic_const_add_overflow>
ffffffff812f1ae1:      	movl	0x8(%r14), %ebp
ffffffff812f1ae5:      	xorl	%r15d, %r15d
ffffffff812f1ae8:      	movl	$0xffffffff, %r12d # imm = 0xFFFFFFFF
ffffffff812f1aee:      	leaq	0x30(%rsp), %rdi
ffffffff812f1af3:      	movq	%r14, %rsi
ffffffff812f1af6:      	movl	(%rsp), %edx
ffffffff812f1af9:      	movl	%r15d, %ecx
ffffffff812f1afc:      	callq	0xffffffff812f1b99 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray10read_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestECs8WXsvdzfAt2_13selftest_mock>
ffffffff812f1b01:      	movl	0x34(%rsp), %eax
ffffffff812f1b05:      	cmpl	$0x1, 0x30(%rsp)
ffffffff812f1b0a:      	je	0xffffffff812f1b6f <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x21c>
ffffffff812f1b0c:      	cmpl	$0x1, %eax
ffffffff812f1b0f:      	ja	0xffffffff812f1b63 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x210>
ffffffff812f1b11:      	movl	0x38(%rsp), %ecx
ffffffff812f1b15:      	cmpl	$0x3, %ecx
ffffffff812f1b18:      	ja	0xffffffff812f1b6a <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x217>
ffffffff812f1b1a:      	testl	%eax, %eax
ffffffff812f1b1c:      	je	0xffffffff812f1b37 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x1e4>
ffffffff812f1b1e:      	xorl	%eax, %eax
ffffffff812f1b20:      	movl	$0x0, 0x80(%rbx,%rax)
ffffffff812f1b2b:      	addq	$0x4, %rax
ffffffff812f1b2f:      	cmpq	$0x10, %rax
ffffffff812f1b33:      	jne	0xffffffff812f1b20 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x1cd>
ffffffff812f1b35:      	jmp	0xffffffff812f1b42 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x1ef>
ffffffff812f1b37:      	movl	$0x0, 0x80(%rbx,%rcx,4)
ffffffff812f1b42:      	incl	%r15d
ffffffff812f1b45:      	incl	%ebp
ffffffff812f1b47:      	cmovel	%r12d, %ebp
ffffffff812f1b4b:      	movl	0x18(%r13), %eax
ffffffff812f1b4f:      	cmpl	%ebp, %eax
ffffffff812f1b51:      	cmovbl	%eax, %ebp
ffffffff812f1b54:      	movl	%ebp, 0x8(%r14)
ffffffff812f1b58:      	cmpl	0x4(%rsp), %r15d
ffffffff812f1b5d:      	jne	0xffffffff812f1aee <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x19b>
ffffffff812f1b5f:      	xorl	%eax, %eax
ffffffff812f1b61:      	jmp	0xffffffff812f1b6f <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x21c>
ffffffff812f1b63:      	movl	$0xffffffa1, %eax # imm = 0xFFFFFFA1
ffffffff812f1b68:      	jmp	0xffffffff812f1b6f <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_+0x21c>
ffffffff812f1b6a:      	movl	$0xffffffea, %eax # imm = 0xFFFFFFEA
ffffffff812f1b6f:      	addq	$0x130, %rsp    # imm = 0x130
ffffffff812f1b76:      	popq	%rbx
ffffffff812f1b77:      	popq	%r12
ffffffff812f1b79:      	popq	%r13
ffffffff812f1b7b:      	popq	%r14
ffffffff812f1b7d:      	popq	%r15
ffffffff812f1b7f:      	popq	%rbp
ffffffff812f1b80:      	retq
ffffffff812f1b81:      	movq	$-0x7eb9d3f8, %rdi # imm = 0x81462C08
ffffffff812f1b88:      	callq	0xffffffff81005e7e <_RNvNtNtCs2DxGA1hvVcO_4core9panicking11panic_const24panic_const_add_overflow>
ffffffff812f1b8d:      	movq	$-0x7eb9d410, %rdi # imm = 0x81462BF0
ffffffff812f1b94:      	callq	0xffffffff81005e7e <_RNvNtNtCs2DxGA1hvVcO_4core9panicking11panic_const24panic_const_add_overflow>
