#!/bin/bash
# diffseg.sh A B EPOCH KIND [min|median]: per-function diff of the min (or median) op of KIND in write-epoch EPOCH, kernel A -> B
cd /tmp/prof2/work
w=${5:-min}
a=$(python3 seg2.py pick prof/$1.t2 $3 $4 $w); b=$(python3 seg2.py pick prof/$2.t2 $3 $4 $w)
echo "# segs $a $b"
python3 seg2.py prof /tmp/prof2/$1/System.map prof/$1.t2 $a $b /tmp/prof2/$2/System.map prof/$2.t2
