set pagination off
set confirm off
target remote :1234
break iommufd_hwpt_alloc
ignore 1 2110
continue
delete 1
break memset
commands 2
silent
printf "memset size=%d caller=", $rdx
info symbol *(long *)$rsp
continue
end
set $n = 0
break iommufd_hwpt_alloc
commands 3
silent
set $n = $n + 1
printf "---- hwpt_alloc %d\n", $n
if $n >= 3
  detach
  quit
end
continue
end
continue
