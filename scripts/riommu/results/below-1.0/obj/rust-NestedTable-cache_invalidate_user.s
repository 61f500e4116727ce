ffffffff812f18f8:      	subq	$0x10, %rsp
ffffffff812f18fc:      	movq	%rdi, %rdx
ffffffff812f18ff:      	movq	%rsi, (%rsp)
ffffffff812f1903:      	movl	$0x0, 0x8(%rsp)
ffffffff812f190b:      	movl	$0xffffffea, %edi # imm = 0xFFFFFFEA
ffffffff812f1910:      	cmpl	$0xdeadbeef, (%rsi) # imm = 0xDEADBEEF
ffffffff812f1916:      	jne	0xffffffff812f192b <_RNvMsc_NtNtCsl7L7n58I0Vr_6kernel5iommu6domainINtB5_11NestedTableNtCs8WXsvdzfAt2_13selftest_mock10MockNestedE21cache_invalidate_userB12_+0x33>
ffffffff812f1918:      	movq	%rsp, %rdi
ffffffff812f191b:      	movl	$0xdeadbeef, %esi # imm = 0xDEADBEEF
ffffffff812f1920:      	callq	0xffffffff812f1953 <_RINvMs3_NtNtCsl7L7n58I0Vr_6kernel5iommu9user_dataNtB6_13UserDataArray14for_each_entryNtNtCseeCKQ1zEgTH_8bindings12bindings_raw30iommu_hwpt_invalidate_selftestNCNvXs5_Cs8WXsvdzfAt2_13selftest_mockNtB2E_10MockNestedNtNtB8_6domain9NestedOps21cache_invalidate_user0EB2E_>
ffffffff812f1925:      	movl	%eax, %edi
ffffffff812f1927:      	testl	%eax, %eax
ffffffff812f1929:      	je	0xffffffff812f1940 <_RNvMsc_NtNtCsl7L7n58I0Vr_6kernel5iommu6domainINtB5_11NestedTableNtCs8WXsvdzfAt2_13selftest_mock10MockNestedE21cache_invalidate_userB12_+0x48>
ffffffff812f192b:      	callq	0xffffffff811cde42 <_RNvMNtCsl7L7n58I0Vr_6kernel5errorNtB2_5Error8to_errno>
ffffffff812f1930:      	movl	0x8(%rsp), %ecx
ffffffff812f1934:      	movq	(%rsp), %rdx
ffffffff812f1938:      	movl	%ecx, 0x18(%rdx)
ffffffff812f193b:      	addq	$0x10, %rsp
ffffffff812f193f:      	retq
ffffffff812f1940:      	xorl	%eax, %eax
ffffffff812f1942:      	jmp	0xffffffff812f1930 <_RNvMsc_NtNtCsl7L7n58I0Vr_6kernel5iommu6domainINtB5_11NestedTableNtCs8WXsvdzfAt2_13selftest_mock10MockNestedE21cache_invalidate_userB12_+0x38>
