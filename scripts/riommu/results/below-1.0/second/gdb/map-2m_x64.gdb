set pagination off
set confirm off
target remote :1234
break iommufd_ioas_map
ignore 1 1375
continue
delete 1
break iommu_map
commands 2
silent
printf "iommu_map iova=0x%lx paddr=0x%lx size=0x%lx\n", $rsi, $rdx, $rcx
continue
end
set $n = 0
break iommufd_ioas_map
commands 3
silent
set $n = $n + 1
printf "---- ioas_map %d\n", $n
if $n >= 2
  detach
  quit
end
continue
end
continue
