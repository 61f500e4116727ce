ffffffff812eebb0:      	pushq	%rbp
ffffffff812eebb1:      	pushq	%r15
ffffffff812eebb3:      	pushq	%r14
ffffffff812eebb5:      	pushq	%r13
ffffffff812eebb7:      	pushq	%r12
ffffffff812eebb9:      	pushq	%rbx
ffffffff812eebba:      	subq	$0x20, %rsp
ffffffff812eebbe:      	movq	%rdi, %rbx
ffffffff812eebc1:      	movq	0x18(%rdi), %r12
ffffffff812eebc5:      	movl	0x10(%r12), %eax
ffffffff812eebca:      	movl	%eax, (%rsp)
ffffffff812eebcd:      	xorl	%r13d, %r13d
ffffffff812eebd0:      	movl	%r13d, 0x4(%rsp)
ffffffff812eebd5:      	movq	0x8(%r12), %rdx
ffffffff812eebda:      	movq	%rdx, 0x8(%rsp)
ffffffff812eebdf:      	movl	0x14(%r12), %eax
ffffffff812eebe4:      	movq	%rax, 0x10(%rsp)
ffffffff812eebe9:      	movl	0x18(%r12), %ecx
ffffffff812eebee:      	movl	%ecx, 0x18(%rsp)
ffffffff812eebf2:      	movl	%r13d, 0x1c(%rsp)
ffffffff812eebf7:      	movl	$0xffffffa1, %ebp # imm = 0xFFFFFFA1
ffffffff812eebfc:      	cmpl	%r13d, 0x1c(%r12)
ffffffff812eec01:      	je	0xffffffff812eec3d <iommufd_hwpt_invalidate+0x8d>
ffffffff812eec03:      	movl	%r13d, 0x18(%r12)
ffffffff812eec08:      	movl	0x10(%rbx), %eax
ffffffff812eec0b:      	cmpl	$0x20, %eax
ffffffff812eec0e:      	movl	$0x20, %edx
ffffffff812eec13:      	cmovbl	%eax, %edx
ffffffff812eec16:      	movq	0x18(%rbx), %rsi
ffffffff812eec1a:      	movq	0x8(%rbx), %rdi
ffffffff812eec1e:      	callq	0xffffffff81205d00 <_copy_to_user>
ffffffff812eec23:      	testq	%rax, %rax
ffffffff812eec26:      	movl	$0xfffffff2, %eax # imm = 0xFFFFFFF2
ffffffff812eec2b:      	cmovel	%ebp, %eax
ffffffff812eec2e:      	addq	$0x20, %rsp
ffffffff812eec32:      	popq	%rbx
ffffffff812eec33:      	popq	%r12
ffffffff812eec35:      	popq	%r13
ffffffff812eec37:      	popq	%r14
ffffffff812eec39:      	popq	%r15
ffffffff812eec3b:      	popq	%rbp
ffffffff812eec3c:      	retq
ffffffff812eec3d:      	testl	%ecx, %ecx
ffffffff812eec3f:      	je	0xffffffff812eec65 <iommufd_hwpt_invalidate+0xb5>
ffffffff812eec41:      	movl	$0xffffffea, %ebp # imm = 0xFFFFFFEA
ffffffff812eec46:      	testq	%rdx, %rdx
ffffffff812eec49:      	je	0xffffffff812eec03 <iommufd_hwpt_invalidate+0x53>
ffffffff812eec4b:      	addl	$0xffffefff, %eax # imm = 0xFFFFEFFF
ffffffff812eec50:      	cmpl	$0xfffff000, %eax # imm = 0xFFFFF000
ffffffff812eec55:      	setb	%al
ffffffff812eec58:      	cmpl	$0x80001, %ecx  # imm = 0x80001
ffffffff812eec5e:      	setae	%cl
ffffffff812eec61:      	orb	%al, %cl
ffffffff812eec63:      	jne	0xffffffff812eec03 <iommufd_hwpt_invalidate+0x53>
ffffffff812eec65:      	movq	(%rbx), %rdi
ffffffff812eec68:      	movl	0x4(%r12), %esi
ffffffff812eec6d:      	xorl	%r13d, %r13d
ffffffff812eec70:      	xorl	%edx, %edx
ffffffff812eec72:      	callq	0xffffffff812e8670 <iommufd_get_object>
ffffffff812eec77:      	movq	%rax, %r14
ffffffff812eec7a:      	cmpq	$-0xfff, %rax   # imm = 0xF001
ffffffff812eec80:      	jb	0xffffffff812eec8d <iommufd_hwpt_invalidate+0xdd>
ffffffff812eec82:      	xorl	%r13d, %r13d
ffffffff812eec85:      	movl	%r14d, %ebp
ffffffff812eec88:      	jmp	0xffffffff812eec03 <iommufd_hwpt_invalidate+0x53>
ffffffff812eec8d:      	movl	0x8(%r14), %eax
ffffffff812eec91:      	cmpl	$0x7, %eax
ffffffff812eec94:      	je	0xffffffff812eecc0 <iommufd_hwpt_invalidate+0x110>
ffffffff812eec96:      	movl	$0xffffffea, %ebp # imm = 0xFFFFFFEA
ffffffff812eec9b:      	cmpl	$0x3, %eax
ffffffff812eec9e:      	jne	0xffffffff812eece6 <iommufd_hwpt_invalidate+0x136>
ffffffff812eeca0:      	movq	0x10(%r14), %rdi
ffffffff812eeca4:      	movq	0x10(%rdi), %rax
ffffffff812eeca8:      	movl	$0xffffffa1, %ebp # imm = 0xFFFFFFA1
ffffffff812eecad:      	testq	%rax, %rax
ffffffff812eecb0:      	je	0xffffffff812eece6 <iommufd_hwpt_invalidate+0x136>
ffffffff812eecb2:      	movq	0x38(%rax), %rax
ffffffff812eecb6:      	testq	%rax, %rax
ffffffff812eecb9:      	je	0xffffffff812eece6 <iommufd_hwpt_invalidate+0x136>
ffffffff812eecbb:      	movq	%rsp, %rsi
ffffffff812eecbe:      	jmp	0xffffffff812eecdd <iommufd_hwpt_invalidate+0x12d>
ffffffff812eecc0:      	movq	0x28(%r14), %rax
ffffffff812eecc4:      	movl	$0xffffffa1, %ebp # imm = 0xFFFFFFA1
ffffffff812eecc9:      	testq	%rax, %rax
ffffffff812eeccc:      	je	0xffffffff812eece6 <iommufd_hwpt_invalidate+0x136>
ffffffff812eecce:      	movq	0x10(%rax), %rax
ffffffff812eecd2:      	testq	%rax, %rax
ffffffff812eecd5:      	je	0xffffffff812eece6 <iommufd_hwpt_invalidate+0x136>
ffffffff812eecd7:      	movq	%rsp, %rsi
ffffffff812eecda:      	movq	%r14, %rdi
ffffffff812eecdd:      	callq	*%rax
ffffffff812eecdf:      	movl	%eax, %ebp
ffffffff812eece1:      	movl	0x18(%rsp), %r13d
ffffffff812eece6:      	movq	(%rbx), %r15
ffffffff812eece9:      	movl	$0xffffffff, %eax # imm = 0xFFFFFFFF
ffffffff812eecee:      	lock
ffffffff812eecef:      	xaddl	%eax, 0x4(%r14)
ffffffff812eecf4:      	cmpl	$0x1, %eax
ffffffff812eecf7:      	jle	0xffffffff812eed3a <iommufd_hwpt_invalidate+0x18a>
ffffffff812eecf9:      	movl	$0xffffffff, %eax # imm = 0xFFFFFFFF
ffffffff812eecfe:      	lock
ffffffff812eecff:      	xaddl	%eax, (%r14)
ffffffff812eed03:      	cmpl	$0x1, %eax
ffffffff812eed06:      	jne	0xffffffff812eed22 <iommufd_hwpt_invalidate+0x172>
ffffffff812eed08:      	addq	$0x28, %r15
ffffffff812eed0c:      	movq	%r15, %rdi
ffffffff812eed0f:      	movl	$0x1, %esi
ffffffff812eed14:      	xorl	%edx, %edx
ffffffff812eed16:      	xorl	%ecx, %ecx
ffffffff812eed18:      	callq	0xffffffff8108f360 <__wake_up>
ffffffff812eed1d:      	jmp	0xffffffff812eec03 <iommufd_hwpt_invalidate+0x53>
ffffffff812eed22:      	jge	0xffffffff812eec03 <iommufd_hwpt_invalidate+0x53>
ffffffff812eed28:      	movq	%r14, %rdi
ffffffff812eed2b:      	movl	$0x3, %esi
ffffffff812eed30:      	callq	0xffffffff81205a40 <refcount_warn_saturate>
ffffffff812eed35:      	jmp	0xffffffff812eec03 <iommufd_hwpt_invalidate+0x53>
ffffffff812eed3a:      	movq	%r14, %rdi
ffffffff812eed3d:      	addq	$0x4, %rdi
ffffffff812eed41:      	movl	$0x4, %esi
ffffffff812eed46:      	callq	0xffffffff81205a40 <refcount_warn_saturate>
ffffffff812eed4b:      	jmp	0xffffffff812eecf9 <iommufd_hwpt_invalidate+0x149>
ffffffff812eed4d:      	int3
ffffffff812eed4e:      	int3
ffffffff812eed4f:      	int3
