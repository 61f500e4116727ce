#!/bin/bash
# diffpair.sh A B SEG_A SEG_B: per-function diff of segment SEG_A of kernel A and SEG_B of kernel B
cd /tmp/prof3/work
echo "# segs $3 $4"
python3 seg2.py prof /tmp/prof2/$1/System.map prof/$1.t2 $3 $4 /tmp/prof2/$2/System.map prof/$2.t2
