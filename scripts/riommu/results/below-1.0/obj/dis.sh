dis () 
{ 
    local m=/tmp/prof/$1/System.map v=/tmp/prof/$1/vmlinux s e;
    s=$(grep -m1 " $2\$" $m | cut -d' ' -f1);
    e=$(awk -v s=$s '{ if (found) { if ($1 != s) { print $1; exit } } else if ($1 == s) found=1 }' <(sort $m));
    llvm-objdump-22 -d --no-show-raw-insn --start-address=0x$s --stop-address=0x$e $v | tail -n +7
}
