ffffffff812f1840:      	pushq	%rbp
ffffffff812f1841:      	pushq	%r15
ffffffff812f1843:      	pushq	%r14
ffffffff812f1845:      	pushq	%r13
ffffffff812f1847:      	pushq	%r12
ffffffff812f1849:      	pushq	%rbx
ffffffff812f184a:      	pushq	%rax
ffffffff812f184b:      	movq	%rsi, %rbx
ffffffff812f184e:      	movl	$0xffffffea, %r15d # imm = 0xFFFFFFEA
ffffffff812f1854:      	cmpl	$0xdeadbeef, (%rsi) # imm = 0xDEADBEEF
ffffffff812f185a:      	jne	0xffffffff812f18ef <mock_domain_cache_invalidate_user+0xaf>
ffffffff812f1860:      	cmpl	$0x0, 0x18(%rbx)
ffffffff812f1864:      	je	0xffffffff812f18f4 <mock_domain_cache_invalidate_user+0xb4>
ffffffff812f186a:      	movq	%rdi, %r14
ffffffff812f186d:      	movq	%rsp, %rax
ffffffff812f1870:      	movq	$0x0, (%rax)
ffffffff812f1877:      	addq	$0x78, %r14
ffffffff812f187b:      	xorl	%r13d, %r13d
ffffffff812f187e:      	xorl	%r12d, %r12d
ffffffff812f1881:      	movl	$0xffffffea, %ebp # imm = 0xFFFFFFEA
ffffffff812f1886:      	testq	%rbx, %rbx
ffffffff812f1889:      	je	0xffffffff812f18fc <mock_domain_cache_invalidate_user+0xbc>
ffffffff812f188b:      	cmpl	$0xdeadbeef, (%rbx) # imm = 0xDEADBEEF
ffffffff812f1891:      	jne	0xffffffff812f190c <mock_domain_cache_invalidate_user+0xcc>
ffffffff812f1893:      	cmpq	$0x8, 0x10(%rbx)
ffffffff812f1898:      	jne	0xffffffff812f190c <mock_domain_cache_invalidate_user+0xcc>
ffffffff812f189a:      	movq	0x8(%rbx), %rsi
ffffffff812f189e:      	addq	%r13, %rsi
ffffffff812f18a1:      	movl	$0x8, %edx
ffffffff812f18a6:      	movq	%rsp, %rdi
ffffffff812f18a9:      	callq	0xffffffff81205cb0 <_copy_from_user>
ffffffff812f18ae:      	testq	%rax, %rax
ffffffff812f18b1:      	jne	0xffffffff812f1900 <mock_domain_cache_invalidate_user+0xc0>
ffffffff812f18b3:      	movl	(%rsp), %eax
ffffffff812f18b6:      	cmpl	$0x1, %eax
ffffffff812f18b9:      	ja	0xffffffff812f1907 <mock_domain_cache_invalidate_user+0xc7>
ffffffff812f18bb:      	movl	0x4(%rsp), %ecx
ffffffff812f18bf:      	cmpq	$0x3, %rcx
ffffffff812f18c3:      	ja	0xffffffff812f190c <mock_domain_cache_invalidate_user+0xcc>
ffffffff812f18c5:      	testl	%eax, %eax
ffffffff812f18c7:      	je	0xffffffff812f18d4 <mock_domain_cache_invalidate_user+0x94>
ffffffff812f18c9:      	xorl	%eax, %eax
ffffffff812f18cb:      	movq	%rax, 0x8(%r14)
ffffffff812f18cf:      	movq	%rax, (%r14)
ffffffff812f18d2:      	jmp	0xffffffff812f18dc <mock_domain_cache_invalidate_user+0x9c>
ffffffff812f18d4:      	movl	$0x0, (%r14,%rcx,4)
ffffffff812f18dc:      	incq	%r12
ffffffff812f18df:      	movl	0x18(%rbx), %eax
ffffffff812f18e2:      	addq	$0x8, %r13
ffffffff812f18e6:      	cmpq	%rax, %r12
ffffffff812f18e9:      	jb	0xffffffff812f1886 <mock_domain_cache_invalidate_user+0x46>
ffffffff812f18eb:      	xorl	%ebp, %ebp
ffffffff812f18ed:      	jmp	0xffffffff812f190c <mock_domain_cache_invalidate_user+0xcc>
ffffffff812f18ef:      	xorl	%r12d, %r12d
ffffffff812f18f2:      	jmp	0xffffffff812f190f <mock_domain_cache_invalidate_user+0xcf>
ffffffff812f18f4:      	xorl	%r12d, %r12d
ffffffff812f18f7:      	xorl	%r15d, %r15d
ffffffff812f18fa:      	jmp	0xffffffff812f190f <mock_domain_cache_invalidate_user+0xcf>
ffffffff812f18fc:      	ud2
ffffffff812f18fe:      	jmp	0xffffffff812f190f <mock_domain_cache_invalidate_user+0xcf>
ffffffff812f1900:      	movl	$0xfffffff2, %ebp # imm = 0xFFFFFFF2
ffffffff812f1905:      	jmp	0xffffffff812f190c <mock_domain_cache_invalidate_user+0xcc>
ffffffff812f1907:      	movl	$0xffffffa1, %ebp # imm = 0xFFFFFFA1
ffffffff812f190c:      	movl	%ebp, %r15d
ffffffff812f190f:      	movl	%r12d, 0x18(%rbx)
ffffffff812f1913:      	movl	%r15d, %eax
ffffffff812f1916:      	addq	$0x8, %rsp
ffffffff812f191a:      	popq	%rbx
ffffffff812f191b:      	popq	%r12
ffffffff812f191d:      	popq	%r13
ffffffff812f191f:      	popq	%r14
ffffffff812f1921:      	popq	%r15
ffffffff812f1923:      	popq	%rbp
ffffffff812f1924:      	retq
ffffffff812f1925:      	nopw	%cs:(%rax,%rax)
