ffffffff81300c20:      	pushq	%rbp
ffffffff81300c21:      	pushq	%r15
ffffffff81300c23:      	pushq	%r14
ffffffff81300c25:      	pushq	%r13
ffffffff81300c27:      	pushq	%r12
ffffffff81300c29:      	pushq	%rbx
ffffffff81300c2a:      	subq	$0x150, %rsp    # imm = 0x150
ffffffff81300c31:      	movq	%rcx, %r10
ffffffff81300c34:      	movq	%rdi, %r11
ffffffff81300c37:      	movl	0x20(%rsi), %r15d
ffffffff81300c3b:      	movzbl	%dl, %edi
ffffffff81300c3e:      	leal	(%rdi,%rdi,8), %ebp
ffffffff81300c41:      	addl	$0xc, %ebp
ffffffff81300c44:      	movl	%r15d, %ecx
ffffffff81300c47:      	subl	%ebp, %ecx
ffffffff81300c49:      	movl	$0x1, %r13d
ffffffff81300c4f:      	movl	%ecx, 0x14(%rsp)
ffffffff81300c53:      	shll	%cl, %r13d
ffffffff81300c56:      	movq	0x10(%r11), %rax
ffffffff81300c5a:      	leal	(%rdi,%rdi,8), %ecx
ffffffff81300c5d:      	movq	%rcx, 0x8(%rsp)
ffffffff81300c62:      	movq	%rdi, 0x30(%rsp)
ffffffff81300c67:      	cmpb	%dil, 0x20(%r11)
ffffffff81300c6b:      	jne	0xffffffff81300cba <__map_range_leaf+0x9a>
ffffffff81300c6d:      	movb	0x21(%r11), %cl
ffffffff81300c71:      	movq	$-0x1, %r8
ffffffff81300c78:      	shlq	%cl, %r8
ffffffff81300c7b:      	movq	$-0x1, %rdi
ffffffff81300c82:      	cmpb	$0x40, %cl
ffffffff81300c85:      	notq	%r8
ffffffff81300c88:      	cmoveq	%rdi, %r8
ffffffff81300c8c:      	movq	%r8, %r14
ffffffff81300c8f:      	andq	%rax, %r14
ffffffff81300c92:      	movl	%ebp, %ecx
ffffffff81300c94:      	shrq	%cl, %r14
ffffffff81300c97:      	movl	%ebp, %r9d
ffffffff81300c9a:      	leaq	0x18(%r11), %rcx
ffffffff81300c9e:      	movq	%rcx, 0x48(%rsp)
ffffffff81300ca3:      	movq	0x18(%r11), %rcx
ffffffff81300ca7:      	cmpq	%rcx, %rax
ffffffff81300caa:      	je	0xffffffff81300cde <__map_range_leaf+0xbe>
ffffffff81300cac:      	andq	%rcx, %r8
ffffffff81300caf:      	movl	%r9d, %ecx
ffffffff81300cb2:      	shrq	%cl, %r8
ffffffff81300cb5:      	incl	%r8d
ffffffff81300cb8:      	jmp	0xffffffff81300d0d <__map_range_leaf+0xed>
ffffffff81300cba:      	movl	%ebp, %r9d
ffffffff81300cbd:      	movq	%rax, %r14
ffffffff81300cc0:      	movl	%ebp, %ecx
ffffffff81300cc2:      	shrq	%cl, %r14
ffffffff81300cc5:      	andl	$0x1ff, %r14d   # imm = 0x1FF
ffffffff81300ccc:      	leaq	0x18(%r11), %rcx
ffffffff81300cd0:      	movq	%rcx, 0x48(%rsp)
ffffffff81300cd5:      	movq	0x18(%r11), %rdi
ffffffff81300cd9:      	cmpq	%rdi, %rax
ffffffff81300cdc:      	jne	0xffffffff81300ce4 <__map_range_leaf+0xc4>
ffffffff81300cde:      	leal	0x1(%r14), %r8d
ffffffff81300ce2:      	jmp	0xffffffff81300d0d <__map_range_leaf+0xed>
ffffffff81300ce4:      	xorq	%rdi, %rax
ffffffff81300ce7:      	movq	0x8(%rsp), %rcx
ffffffff81300cec:      	addl	$0x15, %ecx
ffffffff81300cef:      	shrq	%cl, %rax
ffffffff81300cf2:      	movw	$0x200, %r8w    # imm = 0x200
ffffffff81300cf7:      	testq	%rax, %rax
ffffffff81300cfa:      	jne	0xffffffff81300d0d <__map_range_leaf+0xed>
ffffffff81300cfc:      	movl	%r9d, %ecx
ffffffff81300cff:      	shrq	%cl, %rdi
ffffffff81300d02:      	andl	$0x1ff, %edi    # imm = 0x1FF
ffffffff81300d08:      	incl	%edi
ffffffff81300d0a:      	movl	%edi, %r8d
ffffffff81300d0d:      	movzwl	%r14w, %eax
ffffffff81300d11:      	movq	%r8, 0xa8(%rsp)
ffffffff81300d19:      	movzwl	%r8w, %ebx
ffffffff81300d1d:      	movl	%ebx, %r8d
ffffffff81300d20:      	subl	%eax, %r8d
ffffffff81300d23:      	movl	0x14(%rsp), %edi
ffffffff81300d27:      	movl	%edi, %ecx
ffffffff81300d29:      	shrl	%cl, %r8d
ffffffff81300d2c:      	movq	0x28(%rsi), %r12
ffffffff81300d30:      	movq	%r12, %rax
ffffffff81300d33:      	shlq	%cl, %rax
ffffffff81300d36:      	movq	(%r11), %rcx
ffffffff81300d39:      	movq	%rcx, 0xa0(%rsp)
ffffffff81300d41:      	addl	%r14d, %eax
ffffffff81300d44:      	movq	%r12, 0xb0(%rsp)
ffffffff81300d4c:      	movq	%r12, %rcx
ffffffff81300d4f:      	movq	%r8, 0xb8(%rsp)
ffffffff81300d57:      	subq	%r8, %rcx
ffffffff81300d5a:      	cmovbel	%eax, %ebx
ffffffff81300d5d:      	movl	%ebx, 0x40(%rsp)
ffffffff81300d61:      	movq	0x18(%rsi), %r12
ffffffff81300d65:      	movl	$0x0, %eax
ffffffff81300d6a:      	cmovaeq	%rcx, %rax
ffffffff81300d6e:      	movq	%rax, 0x50(%rsp)
ffffffff81300d73:      	movabsq	$0xffffffffff000, %r8 # imm = 0xFFFFFFFFFF000
ffffffff81300d7d:      	movq	0x8(%rsp), %rax
ffffffff81300d82:      	addl	$0x15, %eax
ffffffff81300d85:      	movq	%rax, 0x8(%rsp)
ffffffff81300d8a:      	movq	$-0x1, %rbx
ffffffff81300d91:      	movq	$-0x1, %rax
ffffffff81300d98:      	movl	%r9d, %ecx
ffffffff81300d9b:      	shlq	%cl, %rax
ffffffff81300d9e:      	movq	%rax, 0x110(%rsp)
ffffffff81300da6:      	notq	%rax
ffffffff81300da9:      	movq	%rax, 0x108(%rsp)
ffffffff81300db1:      	movl	$0x1, %eax
ffffffff81300db6:      	shlq	%cl, %rax
ffffffff81300db9:      	movq	%rax, 0x100(%rsp)
ffffffff81300dc1:      	movl	$0x1, %eax
ffffffff81300dc6:      	movl	%edi, %ecx
ffffffff81300dc8:      	shlq	%cl, %rax
ffffffff81300dcb:      	movq	%rax, 0xc0(%rsp)
ffffffff81300dd3:      	movq	0x30(%rsp), %rax
ffffffff81300dd8:      	decl	%eax
ffffffff81300dda:      	movq	%rax, 0x30(%rsp)
ffffffff81300ddf:      	movl	$0x1, %eax
ffffffff81300de4:      	leal	-0xd(%r15), %ecx
ffffffff81300de8:      	shlq	%cl, %rbx
ffffffff81300deb:      	notq	%rbx
ffffffff81300dee:      	movl	%r15d, %ecx
ffffffff81300df1:      	shlq	%cl, %rax
ffffffff81300df4:      	movq	%rax, 0x28(%rsp)
ffffffff81300df9:      	shlq	$0xc, %rbx
ffffffff81300dfd:      	andq	%r8, %rbx
ffffffff81300e00:      	movl	$0x8, %eax
ffffffff81300e05:      	movl	%edi, %ecx
ffffffff81300e07:      	shlq	%cl, %rax
ffffffff81300e0a:      	movq	%rax, 0xe8(%rsp)
ffffffff81300e12:      	orq	$0xe00, %rbx    # imm = 0xE00
ffffffff81300e19:      	movq	%rbx, 0xf0(%rsp)
ffffffff81300e21:      	leaq	0x22(%r11), %rax
ffffffff81300e25:      	movq	%rax, 0xf8(%rsp)
ffffffff81300e2d:      	leal	(%r14,%r13), %eax
ffffffff81300e31:      	movl	%eax, 0x18(%rsp)
ffffffff81300e35:      	movl	%r14d, %ebx
ffffffff81300e38:      	movl	%edx, 0x1c(%rsp)
ffffffff81300e3c:      	movq	%r9, 0x68(%rsp)
ffffffff81300e41:      	movq	%r14, 0xd8(%rsp)
ffffffff81300e49:      	movl	%ebp, 0x3c(%rsp)
ffffffff81300e4d:      	movq	%r11, 0xe0(%rsp)
ffffffff81300e55:      	movq	%rsi, 0x58(%rsp)
ffffffff81300e5a:      	movq	%r15, 0xd0(%rsp)
ffffffff81300e62:      	movq	%r13, 0xc8(%rsp)
ffffffff81300e6a:      	cmpl	%ebp, %r15d
ffffffff81300e6d:      	setne	%al
ffffffff81300e70:      	movzwl	%bx, %r8d
ffffffff81300e74:      	movq	(%r10,%r8,8), %rcx
ffffffff81300e78:      	orb	%al, %cl
ffffffff81300e7a:      	testb	$0x1, %cl
ffffffff81300e7d:      	movq	%r8, 0x70(%rsp)
ffffffff81300e82:      	je	0xffffffff8130118c <__map_range_leaf+0x56c>
ffffffff81300e88:      	movq	%r12, 0x60(%rsp)
ffffffff81300e8d:      	movq	0x10(%r11), %rbx
ffffffff81300e91:      	movb	0x20(%r11), %al
ffffffff81300e95:      	cmpw	%r14w, %r8w
ffffffff81300e99:      	movb	%al, 0x7(%rsp)
ffffffff81300e9d:      	je	0xffffffff81300ee2 <__map_range_leaf+0x2c2>
ffffffff81300e9f:      	cmpb	%dl, %al
ffffffff81300ea1:      	jne	0xffffffff81300eaa <__map_range_leaf+0x28a>
ffffffff81300ea3:      	movzbl	0x21(%r11), %eax
ffffffff81300ea8:      	jmp	0xffffffff81300ebb <__map_range_leaf+0x29b>
ffffffff81300eaa:      	movq	(%r11), %rax
ffffffff81300ead:      	movzbl	0x9(%rax), %eax
ffffffff81300eb1:      	movq	0x8(%rsp), %rcx
ffffffff81300eb6:      	cmpl	%eax, %ecx
ffffffff81300eb8:      	cmovbl	%ecx, %eax
ffffffff81300ebb:      	movq	%r8, %rdi
ffffffff81300ebe:      	movl	%r9d, %ecx
ffffffff81300ec1:      	shlq	%cl, %rdi
ffffffff81300ec4:      	movl	%eax, %ecx
ffffffff81300ec6:      	shrq	%cl, %rbx
ffffffff81300ec9:      	shlq	%cl, %rbx
ffffffff81300ecc:      	cmpl	$0x40, %eax
ffffffff81300ecf:      	movl	$0x0, %eax
ffffffff81300ed4:      	cmovneq	%rbx, %rax
ffffffff81300ed8:      	orq	%rdi, %rax
ffffffff81300edb:      	movq	%rax, 0x10(%r11)
ffffffff81300edf:      	movq	%rax, %rbx
ffffffff81300ee2:      	movq	(%rsi), %rax
ffffffff81300ee5:      	movq	(%r11), %rdi
ffffffff81300ee8:      	movq	0x8(%r11), %rcx
ffffffff81300eec:      	movq	%rcx, 0x120(%rsp)
ffffffff81300ef4:      	movb	0x21(%r11), %cl
ffffffff81300ef8:      	movb	%cl, 0x6(%rsp)
ffffffff81300efc:      	movq	0xf8(%rsp), %rsi
ffffffff81300f04:      	movzwl	0x4(%rsi), %ecx
ffffffff81300f08:      	movw	%cx, 0x24(%rsp)
ffffffff81300f0d:      	movl	(%rsi), %ecx
ffffffff81300f0f:      	movl	%ecx, 0x20(%rsp)
ffffffff81300f13:      	movq	%rax, 0x78(%rsp)
ffffffff81300f18:      	leaq	0x80(%rsp), %rcx
ffffffff81300f20:      	movq	%rcx, 0x80(%rsp)
ffffffff81300f28:      	movq	%rcx, 0x88(%rsp)
ffffffff81300f30:      	movq	$0x0, 0x90(%rsp)
ffffffff81300f3c:      	movb	$0x1, 0x98(%rsp)
ffffffff81300f44:      	xorl	%eax, %eax
ffffffff81300f46:      	movl	%eax, 0x1c(%rcx)
ffffffff81300f49:      	movl	%eax, 0x19(%rcx)
ffffffff81300f4c:      	leal	(%r8,%r13), %eax
ffffffff81300f50:      	cmpw	%ax, %r8w
ffffffff81300f54:      	movb	0x7(%rsp), %r11b
ffffffff81300f59:      	jae	0xffffffff8130115e <__map_range_leaf+0x53e>
ffffffff81300f5f:      	movzwl	0x18(%rsp), %r12d
ffffffff81300f65:      	negq	%r12
ffffffff81300f68:      	leaq	0x1(%r8), %rbp
ffffffff81300f6c:      	leaq	-0x90(%rdi), %rax
ffffffff81300f73:      	movq	%rax, 0x118(%rsp)
ffffffff81300f7b:      	movzbl	0x6(%rsp), %r15d
ffffffff81300f81:      	movl	%r15d, 0x44(%rsp)
ffffffff81300f86:      	movq	-0x8(%r10,%rbp,8), %r14
ffffffff81300f8b:      	testb	$0x1, %r14b
ffffffff81300f8f:      	je	0xffffffff81301111 <__map_range_leaf+0x4f1>
ffffffff81300f95:      	movl	$0xffffff9e, %eax # imm = 0xFFFFFF9E
ffffffff81300f9a:      	testb	%dl, %dl
ffffffff81300f9c:      	je	0xffffffff81301230 <__map_range_leaf+0x610>
ffffffff81300fa2:      	movl	%r14d, %ecx
ffffffff81300fa5:      	shrl	$0x9, %ecx
ffffffff81300fa8:      	andl	$0x7, %ecx
ffffffff81300fab:      	decl	%ecx
ffffffff81300fad:      	cmpl	$0x5, %ecx
ffffffff81300fb0:      	ja	0xffffffff81301230 <__map_range_leaf+0x610>
ffffffff81300fb6:      	movq	%r10, %r15
ffffffff81300fb9:      	movabsq	$0xffffffffff000, %rax # imm = 0xFFFFFFFFFF000
ffffffff81300fc3:      	andq	%rax, %r14
ffffffff81300fc6:      	addq	0x2a6133(%rip), %r14 # 0xffffffff815a7100 <page_offset_base>
ffffffff81300fcd:      	movq	%rbx, %rax
ffffffff81300fd0:      	andq	0x110(%rsp), %rax
ffffffff81300fd8:      	movq	%rbx, %rcx
ffffffff81300fdb:      	orq	0x108(%rsp), %rcx
ffffffff81300fe3:      	movq	%rdi, %r13
ffffffff81300fe6:      	movq	%rdi, 0x128(%rsp)
ffffffff81300fee:      	movq	0x120(%rsp), %rdx
ffffffff81300ff6:      	movq	%rdx, 0x130(%rsp)
ffffffff81300ffe:      	movb	%r11b, 0x148(%rsp)
ffffffff81301006:      	movb	0x6(%rsp), %dl
ffffffff8130100a:      	movb	%dl, 0x149(%rsp)
ffffffff81301011:      	movzwl	0x24(%rsp), %edx
ffffffff81301016:      	leaq	0x14a(%rsp), %rsi
ffffffff8130101e:      	movw	%dx, 0x4(%rsi)
ffffffff81301022:      	movl	0x20(%rsp), %edx
ffffffff81301026:      	movl	%edx, (%rsi)
ffffffff81301028:      	movq	%rax, 0x138(%rsp)
ffffffff81301030:      	movq	%rcx, 0x140(%rsp)
ffffffff81301038:      	leaq	0x128(%rsp), %rdi
ffffffff81301040:      	leaq	0x78(%rsp), %rsi
ffffffff81301045:      	movq	0x30(%rsp), %rdx
ffffffff8130104a:      	movq	%r14, %rcx
ffffffff8130104d:      	callq	0xffffffff81301860 <__collect_tables>
ffffffff81301052:      	testl	%eax, %eax
ffffffff81301054:      	jne	0xffffffff81301230 <__map_range_leaf+0x610>
ffffffff8130105a:      	movq	$0x0, -0x8(%r15,%rbp,8)
ffffffff81301063:      	movq	$-0x80000000, %rax # imm = 0x80000000
ffffffff8130106a:      	cmpq	%rax, %r14
ffffffff8130106d:      	jb	0xffffffff81301078 <__map_range_leaf+0x458>
ffffffff8130106f:      	movq	0x52df9a(%rip), %rax # 0xffffffff8182f010 <phys_base>
ffffffff81301076:      	jmp	0xffffffff8130107f <__map_range_leaf+0x45f>
ffffffff81301078:      	subq	0x2a6081(%rip), %rax # 0xffffffff815a7100 <page_offset_base>
ffffffff8130107f:      	movq	0x2a608a(%rip), %rcx # 0xffffffff815a7110 <vmemmap_base>
ffffffff81301086:      	addq	%rax, %r14
ffffffff81301089:      	subq	$-0x80000000, %r14 # imm = 0x80000000
ffffffff81301090:      	shrq	$0x6, %r14
ffffffff81301094:      	andq	$-0x40, %r14
ffffffff81301098:      	leaq	(%rcx,%r14), %rax
ffffffff8130109c:      	movq	0x8(%rcx,%r14), %rcx
ffffffff813010a1:      	movl	%ecx, %edx
ffffffff813010a3:      	andl	$0x1, %edx
ffffffff813010a6:      	decq	%rdx
ffffffff813010a9:      	orq	%rcx, %rdx
ffffffff813010ac:      	andq	%rax, %rdx
ffffffff813010af:      	leaq	0x8(%rdx), %rax
ffffffff813010b3:      	movq	0x88(%rsp), %rcx
ffffffff813010bb:      	movq	%rax, 0x88(%rsp)
ffffffff813010c3:      	leaq	0x80(%rsp), %rsi
ffffffff813010cb:      	movq	%rsi, 0x8(%rdx)
ffffffff813010cf:      	movq	%rcx, 0x10(%rdx)
ffffffff813010d3:      	movq	%rax, (%rcx)
ffffffff813010d6:      	leaq	0x78(%rsp), %rdi
ffffffff813010db:      	movq	0x118(%rsp), %rsi
ffffffff813010e3:      	movq	%rbx, %rdx
ffffffff813010e6:      	movq	0x100(%rsp), %rcx
ffffffff813010ee:      	callq	0xffffffff81301af0 <gather_range_pending>
ffffffff813010f3:      	movl	0x1c(%rsp), %edx
ffffffff813010f7:      	movq	0x68(%rsp), %r9
ffffffff813010fc:      	movq	%r15, %r10
ffffffff813010ff:      	movq	0x70(%rsp), %r8
ffffffff81301104:      	movq	%r13, %rdi
ffffffff81301107:      	movb	0x7(%rsp), %r11b
ffffffff8130110c:      	movl	0x44(%rsp), %r15d
ffffffff81301111:      	movl	%r15d, %eax
ffffffff81301114:      	cmpb	%dl, %r11b
ffffffff81301117:      	je	0xffffffff81301127 <__map_range_leaf+0x507>
ffffffff81301119:      	movzbl	0x9(%rdi), %eax
ffffffff8130111d:      	movq	0x8(%rsp), %rcx
ffffffff81301122:      	cmpl	%eax, %ecx
ffffffff81301124:      	cmovbl	%ecx, %eax
ffffffff81301127:      	movq	%rbp, %rsi
ffffffff8130112a:      	movl	%r9d, %ecx
ffffffff8130112d:      	shlq	%cl, %rsi
ffffffff81301130:      	movl	%eax, %ecx
ffffffff81301132:      	shrq	%cl, %rbx
ffffffff81301135:      	shlq	%cl, %rbx
ffffffff81301138:      	cmpl	$0x40, %eax
ffffffff8130113b:      	movl	$0x0, %eax
ffffffff81301140:      	cmovneq	%rbx, %rax
ffffffff81301144:      	orq	%rsi, %rax
ffffffff81301147:      	leaq	(%r12,%rbp), %rcx
ffffffff8130114b:      	incq	%rcx
ffffffff8130114e:      	incq	%rbp
ffffffff81301151:      	movq	%rax, %rbx
ffffffff81301154:      	cmpq	$0x1, %rcx
ffffffff81301158:      	jne	0xffffffff81300f86 <__map_range_leaf+0x366>
ffffffff8130115e:      	movq	0xe0(%rsp), %r11
ffffffff81301166:      	movq	0x58(%rsp), %rsi
ffffffff8130116b:      	movq	0xd8(%rsp), %r14
ffffffff81301173:      	movq	0xd0(%rsp), %r15
ffffffff8130117b:      	movl	0x3c(%rsp), %ebp
ffffffff8130117f:      	movq	0xc8(%rsp), %r13
ffffffff81301187:      	movq	0x60(%rsp), %r12
ffffffff8130118c:      	leaq	(%r10,%r8,8), %rdi
ffffffff81301190:      	movq	%r12, %rax
ffffffff81301193:      	movabsq	$0xffffffffff000, %rcx # imm = 0xFFFFFFFFFF000
ffffffff8130119d:      	andq	%rcx, %rax
ffffffff813011a0:      	orq	0x8(%rsi), %rax
ffffffff813011a4:      	orq	$0x1, %rax
ffffffff813011a8:      	cmpl	%ebp, %r15d
ffffffff813011ab:      	jne	0xffffffff813011b2 <__map_range_leaf+0x592>
ffffffff813011ad:      	movq	%rax, (%rdi)
ffffffff813011b0:      	jmp	0xffffffff813011e5 <__map_range_leaf+0x5c5>
ffffffff813011b2:      	orq	0xf0(%rsp), %rax
ffffffff813011ba:      	cmpl	$0x5, 0x14(%rsp)
ffffffff813011bf:      	movq	0xe8(%rsp), %rbx
ffffffff813011c7:      	ja	0xffffffff813011da <__map_range_leaf+0x5ba>
ffffffff813011c9:      	xorl	%ecx, %ecx
ffffffff813011cb:      	movq	%rax, (%rdi,%rcx)
ffffffff813011cf:      	addq	$0x8, %rcx
ffffffff813011d3:      	cmpq	%rcx, %rbx
ffffffff813011d6:      	jne	0xffffffff813011cb <__map_range_leaf+0x5ab>
ffffffff813011d8:      	jmp	0xffffffff813011e5 <__map_range_leaf+0x5c5>
ffffffff813011da:      	movq	0xc0(%rsp), %rcx
ffffffff813011e2:      	rep		stosq	%rax, %es:(%rdi)
ffffffff813011e5:      	addq	0x28(%rsp), %r12
ffffffff813011ea:      	leal	(%r8,%r13), %ebx
ffffffff813011ee:      	addl	%r13d, 0x18(%rsp)
ffffffff813011f3:      	cmpw	0x40(%rsp), %bx
ffffffff813011f8:      	jb	0xffffffff81300e6a <__map_range_leaf+0x24a>
ffffffff813011fe:      	xorl	%eax, %eax
ffffffff81301200:      	movq	%r12, 0x18(%rsi)
ffffffff81301204:      	movq	0x50(%rsp), %rcx
ffffffff81301209:      	movq	%rcx, 0x28(%rsi)
ffffffff8130120d:      	movq	0xb0(%rsp), %rcx
ffffffff81301215:      	cmpq	0xb8(%rsp), %rcx
ffffffff8130121d:      	ja	0xffffffff81301247 <__map_range_leaf+0x627>
ffffffff8130121f:      	movq	0x10(%r11), %r8
ffffffff81301223:      	cmpb	%dl, 0x20(%r11)
ffffffff81301227:      	jne	0xffffffff81301259 <__map_range_leaf+0x639>
ffffffff81301229:      	movzbl	0x21(%r11), %edx
ffffffff8130122e:      	jmp	0xffffffff8130126a <__map_range_leaf+0x64a>
ffffffff81301230:      	movq	0x58(%rsp), %rcx
ffffffff81301235:      	movq	0x60(%rsp), %rdx
ffffffff8130123a:      	movq	%rdx, 0x18(%rcx)
ffffffff8130123e:      	movq	0x50(%rsp), %rdx
ffffffff81301243:      	movq	%rdx, 0x28(%rcx)
ffffffff81301247:      	addq	$0x150, %rsp    # imm = 0x150
ffffffff8130124e:      	popq	%rbx
ffffffff8130124f:      	popq	%r12
ffffffff81301251:      	popq	%r13
ffffffff81301253:      	popq	%r14
ffffffff81301255:      	popq	%r15
ffffffff81301257:      	popq	%rbp
ffffffff81301258:      	retq
ffffffff81301259:      	movq	(%r11), %rax
ffffffff8130125c:      	movzbl	0x9(%rax), %edx
ffffffff81301260:      	movq	0x8(%rsp), %rax
ffffffff81301265:      	cmpl	%edx, %eax
ffffffff81301267:      	cmovbl	%eax, %edx
ffffffff8130126a:      	movl	%r9d, %ecx
ffffffff8130126d:      	movq	0x70(%rsp), %r9
ffffffff81301272:      	shlq	%cl, %r9
ffffffff81301275:      	movl	%edx, %ecx
ffffffff81301277:      	shrq	%cl, %r8
ffffffff8130127a:      	shlq	%cl, %r8
ffffffff8130127d:      	xorl	%eax, %eax
ffffffff8130127f:      	cmpl	$0x40, %edx
ffffffff81301282:      	movl	$0x0, %edi
ffffffff81301287:      	cmovneq	%r8, %rdi
ffffffff8130128b:      	orq	%r9, %rdi
ffffffff8130128e:      	movq	%rdi, 0x10(%r11)
ffffffff81301292:      	movq	0x28(%rsp), %rcx
ffffffff81301297:      	leaq	(%rdi,%rcx), %rdx
ffffffff8130129b:      	decq	%rdx
ffffffff8130129e:      	movq	0x18(%r11), %rcx
ffffffff813012a2:      	cmpq	%rcx, %rdx
ffffffff813012a5:      	je	0xffffffff81301247 <__map_range_leaf+0x627>
ffffffff813012a7:      	addq	0x28(%rsp), %rdi
ffffffff813012ac:      	subq	%rdi, %rcx
ffffffff813012af:      	incq	%rcx
ffffffff813012b2:      	movl	$0xffffffff, %eax # imm = 0xFFFFFFFF
ffffffff813012b7:      	bsrq	%rcx, %rax
ffffffff813012bb:      	movq	%r12, %rcx
ffffffff813012be:      	btsq	%rax, %rcx
ffffffff813012c2:      	orq	%rdi, %rcx
ffffffff813012c5:      	tzcntq	%rcx, %rcx
ffffffff813012ca:      	movl	%ecx, %eax
ffffffff813012cc:      	incb	%cl
ffffffff813012ce:      	movq	$-0x1, %r8
ffffffff813012d5:      	movq	$-0x1, %r9
ffffffff813012dc:      	shlq	%cl, %r9
ffffffff813012df:      	cmpl	$0x3f, %eax
ffffffff813012e2:      	notq	%r9
ffffffff813012e5:      	cmovaeq	%r8, %r9
ffffffff813012e9:      	movl	$0xffffffff, %edx # imm = 0xFFFFFFFF
ffffffff813012ee:      	movq	0xa0(%rsp), %r10
ffffffff813012f6:      	andq	-0x68(%r10), %r9
ffffffff813012fa:      	bsrq	%r9, %rdx
ffffffff813012fe:      	xorl	%eax, %eax
ffffffff81301300:      	cmpl	$-0x1, %edx
ffffffff81301303:      	cmovel	%eax, %edx
ffffffff81301306:      	movl	%edx, 0x20(%rsi)
ffffffff81301309:      	leal	-0xc(%rdx), %ecx
ffffffff8130130c:      	imulq	$0x38e38e39, %rcx, %rcx # imm = 0x38E38E39
ffffffff81301313:      	shrq	$0x21, %rcx
ffffffff81301317:      	movl	%ecx, 0x24(%rsi)
ffffffff8130131a:      	movq	-0x68(%r10), %r10
ffffffff8130131e:      	movq	0x48(%rsp), %rcx
ffffffff81301323:      	movq	(%rcx), %r9
ffffffff81301326:      	subq	%rdi, %r9
ffffffff81301329:      	incq	%r9
ffffffff8130132c:      	leal	0x1(%rdx), %ecx
ffffffff8130132f:      	shrq	%cl, %r10
ffffffff81301332:      	shlq	%cl, %r10
ffffffff81301335:      	testq	%r10, %r10
ffffffff81301338:      	je	0xffffffff8130135d <__map_range_leaf+0x73d>
ffffffff8130133a:      	tzcntq	%r10, %rcx
ffffffff8130133f:      	shlq	%cl, %r8
ffffffff81301342:      	xorq	%rdi, %r12
ffffffff81301345:      	notq	%r8
ffffffff81301348:      	testq	%r8, %r12
ffffffff8130134b:      	jne	0xffffffff8130135d <__map_range_leaf+0x73d>
ffffffff8130134d:      	notq	%rdi
ffffffff81301350:      	andq	%rdi, %r8
ffffffff81301353:      	incq	%r8
ffffffff81301356:      	cmpq	%r8, %r9
ffffffff81301359:      	cmovaeq	%r8, %r9
ffffffff8130135d:      	movl	%edx, %ecx
ffffffff8130135f:      	shrq	%cl, %r9
ffffffff81301362:      	movq	%r9, 0x28(%rsi)
ffffffff81301366:      	cmpw	0xa8(%rsp), %bx
ffffffff8130136e:      	movl	0x1c(%rsp), %edx
ffffffff81301372:      	movq	0x68(%rsp), %rcx
ffffffff81301377:      	je	0xffffffff81301247 <__map_range_leaf+0x627>
ffffffff8130137d:      	movl	$0xfffffff5, %eax # imm = 0xFFFFFFF5
ffffffff81301382:      	cmpw	%r14w, %bx
ffffffff81301386:      	je	0xffffffff81301247 <__map_range_leaf+0x627>
ffffffff8130138c:      	movq	0x10(%r11), %rdi
ffffffff81301390:      	cmpb	%dl, 0x20(%r11)
ffffffff81301394:      	jne	0xffffffff8130139d <__map_range_leaf+0x77d>
ffffffff81301396:      	movzbl	0x21(%r11), %edx
ffffffff8130139b:      	jmp	0xffffffff813013ae <__map_range_leaf+0x78e>
ffffffff8130139d:      	movq	(%r11), %rdx
ffffffff813013a0:      	movzbl	0x9(%rdx), %edx
ffffffff813013a4:      	movq	0x8(%rsp), %rsi
ffffffff813013a9:      	cmpl	%edx, %esi
ffffffff813013ab:      	cmovbl	%esi, %edx
ffffffff813013ae:      	movzwl	%bx, %esi
ffffffff813013b1:      	shlq	%cl, %rsi
ffffffff813013b4:      	movl	%edx, %ecx
ffffffff813013b6:      	shrq	%cl, %rdi
ffffffff813013b9:      	shlq	%cl, %rdi
ffffffff813013bc:      	xorl	%ecx, %ecx
ffffffff813013be:      	cmpl	$0x40, %edx
ffffffff813013c1:      	cmovneq	%rdi, %rcx
ffffffff813013c5:      	orq	%rsi, %rcx
ffffffff813013c8:      	movq	%rcx, 0x10(%r11)
ffffffff813013cc:      	jmp	0xffffffff81301247 <__map_range_leaf+0x627>
ffffffff813013d1:      	nopw	%cs:(%rax,%rax)
