ffffffff812ef271:      	pushq	%rbp
ffffffff812ef272:      	pushq	%r15
ffffffff812ef274:      	pushq	%r14
ffffffff812ef276:      	pushq	%r12
ffffffff812ef278:      	pushq	%rbx
ffffffff812ef279:      	subq	$0x20, %rsp
ffffffff812ef27d:      	movq	%rdi, %rbx
ffffffff812ef280:      	movq	(%rdi), %r14
ffffffff812ef283:      	movq	0x18(%rdi), %rcx
ffffffff812ef287:      	movl	0x4(%rcx), %esi
ffffffff812ef28a:      	movl	0x1c(%rcx), %eax
ffffffff812ef28d:      	movl	0x10(%rcx), %r8d
ffffffff812ef291:      	movq	0x8(%rcx), %rdi
ffffffff812ef295:      	movl	0x14(%rcx), %edx
ffffffff812ef298:      	movl	0x18(%rcx), %ecx
ffffffff812ef29b:      	movl	%r8d, (%rsp)
ffffffff812ef29f:      	movq	%rdi, 0x8(%rsp)
ffffffff812ef2a4:      	movq	%rdx, 0x10(%rsp)
ffffffff812ef2a9:      	movl	%ecx, 0x18(%rsp)
ffffffff812ef2ad:      	xorl	%r12d, %r12d
ffffffff812ef2b0:      	testl	%ecx, %ecx
ffffffff812ef2b2:      	je	0xffffffff812ef2d5 <iommufd_hwpt_invalidate+0x64>
ffffffff812ef2b4:      	testq	%rdi, %rdi
ffffffff812ef2b7:      	je	0xffffffff812ef310 <iommufd_hwpt_invalidate+0x9f>
ffffffff812ef2b9:      	addl	$0xffffefff, %edx # imm = 0xFFFFEFFF
ffffffff812ef2bf:      	cmpl	$0xfffff000, %edx # imm = 0xFFFFF000
ffffffff812ef2c5:      	setb	%dl
ffffffff812ef2c8:      	cmpl	$0x80001, %ecx  # imm = 0x80001
ffffffff812ef2ce:      	setae	%cl
ffffffff812ef2d1:      	orb	%dl, %cl
ffffffff812ef2d3:      	jmp	0xffffffff812ef2d7 <iommufd_hwpt_invalidate+0x66>
ffffffff812ef2d5:      	xorl	%ecx, %ecx
ffffffff812ef2d7:      	testl	%eax, %eax
ffffffff812ef2d9:      	movl	$0xffffffa1, %eax # imm = 0xFFFFFFA1
ffffffff812ef2de:      	movl	$0xffffffea, %ebp # imm = 0xFFFFFFEA
ffffffff812ef2e3:      	cmovnel	%eax, %ebp
ffffffff812ef2e6:      	jne	0xffffffff812ef322 <iommufd_hwpt_invalidate+0xb1>
ffffffff812ef2e8:      	testb	%cl, %cl
ffffffff812ef2ea:      	jne	0xffffffff812ef322 <iommufd_hwpt_invalidate+0xb1>
ffffffff812ef2ec:      	xorl	%r12d, %r12d
ffffffff812ef2ef:      	movq	%r14, %rdi
ffffffff812ef2f2:      	xorl	%edx, %edx
ffffffff812ef2f4:      	callq	0xffffffff812e87b0 <iommufd_get_object>
ffffffff812ef2f9:      	movq	%rax, %r15
ffffffff812ef2fc:      	cmpq	$-0xfff, %rax   # imm = 0xF001
ffffffff812ef302:      	jb	0xffffffff812ef370 <iommufd_hwpt_invalidate+0xff>
ffffffff812ef304:      	movl	%r15d, %edi
ffffffff812ef307:      	callq	0xffffffff811c28b9 <_RNvMNtCsl7L7n58I0Vr_6kernel5errorNtB2_5Error10from_errno>
ffffffff812ef30c:      	movl	%eax, %ebp
ffffffff812ef30e:      	jmp	0xffffffff812ef31f <iommufd_hwpt_invalidate+0xae>
ffffffff812ef310:      	testl	%eax, %eax
ffffffff812ef312:      	movl	$0xffffffea, %eax # imm = 0xFFFFFFEA
ffffffff812ef317:      	movl	$0xffffffa1, %ebp # imm = 0xFFFFFFA1
ffffffff812ef31c:      	cmovel	%eax, %ebp
ffffffff812ef31f:      	xorl	%r12d, %r12d
ffffffff812ef322:      	movq	0x18(%rbx), %rax
ffffffff812ef326:      	movl	%r12d, 0x18(%rax)
ffffffff812ef32a:      	movq	0x18(%rbx), %rsi
ffffffff812ef32e:      	testq	%rsi, %rsi
ffffffff812ef331:      	je	0xffffffff812ef34f <iommufd_hwpt_invalidate+0xde>
ffffffff812ef333:      	movl	0x10(%rbx), %eax
ffffffff812ef336:      	cmpl	$0x20, %eax
ffffffff812ef339:      	movl	$0x20, %edx
ffffffff812ef33e:      	cmovbl	%eax, %edx
ffffffff812ef341:      	movq	0x8(%rbx), %rdi
ffffffff812ef345:      	callq	0xffffffff81205e30 <_copy_to_user>
ffffffff812ef34a:      	testq	%rax, %rax
ffffffff812ef34d:      	je	0xffffffff812ef368 <iommufd_hwpt_invalidate+0xf7>
ffffffff812ef34f:      	movl	$0xfffffff2, %ebp # imm = 0xFFFFFFF2
ffffffff812ef354:      	movl	%ebp, %edi
ffffffff812ef356:      	callq	0xffffffff811cde42 <_RNvMNtCsl7L7n58I0Vr_6kernel5errorNtB2_5Error8to_errno>
ffffffff812ef35b:      	addq	$0x20, %rsp
ffffffff812ef35f:      	popq	%rbx
ffffffff812ef360:      	popq	%r12
ffffffff812ef362:      	popq	%r14
ffffffff812ef364:      	popq	%r15
ffffffff812ef366:      	popq	%rbp
ffffffff812ef367:      	retq
ffffffff812ef368:      	testl	%ebp, %ebp
ffffffff812ef36a:      	jne	0xffffffff812ef354 <iommufd_hwpt_invalidate+0xe3>
ffffffff812ef36c:      	xorl	%eax, %eax
ffffffff812ef36e:      	jmp	0xffffffff812ef35b <iommufd_hwpt_invalidate+0xea>
ffffffff812ef370:      	movl	0x8(%r15), %eax
ffffffff812ef374:      	cmpl	$0x7, %eax
ffffffff812ef377:      	je	0xffffffff812ef3a3 <iommufd_hwpt_invalidate+0x132>
ffffffff812ef379:      	movl	$0xffffffea, %ebp # imm = 0xFFFFFFEA
ffffffff812ef37e:      	cmpl	$0x3, %eax
ffffffff812ef381:      	jne	0xffffffff812ef3d8 <iommufd_hwpt_invalidate+0x167>
ffffffff812ef383:      	movq	0x10(%r15), %rdi
ffffffff812ef387:      	movq	0x10(%rdi), %rax
ffffffff812ef38b:      	movl	$0xffffffa1, %ebp # imm = 0xFFFFFFA1
ffffffff812ef390:      	testq	%rax, %rax
ffffffff812ef393:      	je	0xffffffff812ef3d8 <iommufd_hwpt_invalidate+0x167>
ffffffff812ef395:      	movq	0x38(%rax), %rax
ffffffff812ef399:      	testq	%rax, %rax
ffffffff812ef39c:      	je	0xffffffff812ef3d8 <iommufd_hwpt_invalidate+0x167>
ffffffff812ef39e:      	movq	%rsp, %rsi
ffffffff812ef3a1:      	jmp	0xffffffff812ef3c0 <iommufd_hwpt_invalidate+0x14f>
ffffffff812ef3a3:      	movq	0x28(%r15), %rax
ffffffff812ef3a7:      	movl	$0xffffffa1, %ebp # imm = 0xFFFFFFA1
ffffffff812ef3ac:      	testq	%rax, %rax
ffffffff812ef3af:      	je	0xffffffff812ef3d8 <iommufd_hwpt_invalidate+0x167>
ffffffff812ef3b1:      	movq	0x10(%rax), %rax
ffffffff812ef3b5:      	testq	%rax, %rax
ffffffff812ef3b8:      	je	0xffffffff812ef3d8 <iommufd_hwpt_invalidate+0x167>
ffffffff812ef3ba:      	movq	%rsp, %rsi
ffffffff812ef3bd:      	movq	%r15, %rdi
ffffffff812ef3c0:      	callq	*%rax
ffffffff812ef3c2:      	testl	%eax, %eax
ffffffff812ef3c4:      	js	0xffffffff812ef3ca <iommufd_hwpt_invalidate+0x159>
ffffffff812ef3c6:      	xorl	%ebp, %ebp
ffffffff812ef3c8:      	jmp	0xffffffff812ef3d3 <iommufd_hwpt_invalidate+0x162>
ffffffff812ef3ca:      	movl	%eax, %edi
ffffffff812ef3cc:      	callq	0xffffffff811c28b9 <_RNvMNtCsl7L7n58I0Vr_6kernel5errorNtB2_5Error10from_errno>
ffffffff812ef3d1:      	movl	%eax, %ebp
ffffffff812ef3d3:      	movl	0x18(%rsp), %r12d
ffffffff812ef3d8:      	movl	$0xffffffff, %eax # imm = 0xFFFFFFFF
ffffffff812ef3dd:      	lock
ffffffff812ef3de:      	xaddl	%eax, 0x4(%r15)
ffffffff812ef3e3:      	cmpl	$0x1, %eax
ffffffff812ef3e6:      	jle	0xffffffff812ef429 <iommufd_hwpt_invalidate+0x1b8>
ffffffff812ef3e8:      	movl	$0xffffffff, %eax # imm = 0xFFFFFFFF
ffffffff812ef3ed:      	lock
ffffffff812ef3ee:      	xaddl	%eax, (%r15)
ffffffff812ef3f2:      	cmpl	$0x1, %eax
ffffffff812ef3f5:      	jne	0xffffffff812ef411 <iommufd_hwpt_invalidate+0x1a0>
ffffffff812ef3f7:      	addq	$0x28, %r14
ffffffff812ef3fb:      	movq	%r14, %rdi
ffffffff812ef3fe:      	movl	$0x1, %esi
ffffffff812ef403:      	xorl	%edx, %edx
ffffffff812ef405:      	xorl	%ecx, %ecx
ffffffff812ef407:      	callq	0xffffffff8108f360 <__wake_up>
ffffffff812ef40c:      	jmp	0xffffffff812ef322 <iommufd_hwpt_invalidate+0xb1>
ffffffff812ef411:      	jge	0xffffffff812ef322 <iommufd_hwpt_invalidate+0xb1>
ffffffff812ef417:      	movq	%r15, %rdi
ffffffff812ef41a:      	movl	$0x3, %esi
ffffffff812ef41f:      	callq	0xffffffff81205b70 <refcount_warn_saturate>
ffffffff812ef424:      	jmp	0xffffffff812ef322 <iommufd_hwpt_invalidate+0xb1>
ffffffff812ef429:      	movq	%r15, %rdi
ffffffff812ef42c:      	addq	$0x4, %rdi
ffffffff812ef430:      	movl	$0x4, %esi
ffffffff812ef435:      	callq	0xffffffff81205b70 <refcount_warn_saturate>
ffffffff812ef43a:      	jmp	0xffffffff812ef3e8 <iommufd_hwpt_invalidate+0x177>
