#!/usr/bin/env bash
# A/B of `newsvault import` against `cp -r`, each step on a freshly made ext4 file system.
#
#   sudo scripts/ab-import-fresh-fs.sh TREE BINARY...
#
# TREE is a duty-machine tree (`cargo bench -p newsvault --bench import -- --keep` leaves one).
# For each binary, in the order given (alternate them: A B A B), it makes a new ext4 on a loop
# file, drops the kernel's dentry and inode caches (a long-running machine's caches make every
# file creation slower, and by a different amount each run), reads the tree into the page
# cache, times `cp -r TREE` (and the `sync` after it), then does the same for
# `BINARY --data ... import TREE` with its CPU time and peak RSS. Needs root (mkfs, mount,
# drop_caches) and free space for the loop file beside TREE (LOOP_SIZE, default 8G).
set -euo pipefail
tree=$(realpath "$1")
shift
img=$(dirname "$tree")/ab-import.img
mnt=$(mktemp -d)
trap 'umount "$mnt" 2>/dev/null || true; rm -f "$img"; rmdir "$mnt"' EXIT

fresh() {
    umount "$mnt" 2>/dev/null || true
    rm -f "$img"
    truncate -s "${LOOP_SIZE:-8G}" "$img"
    mkfs.ext4 -q -F "$img"
    mount -o loop "$img" "$mnt"
    sync
    echo 2 >/proc/sys/vm/drop_caches
    find "$tree" -type f -print0 | xargs -0 cat >/dev/null
}

for bin in "$@"; do
    fresh
    start=$(date +%s.%N)
    cp -r "$tree" "$mnt/copy"
    copied=$(date +%s.%N)
    sync
    synced=$(date +%s.%N)
    fresh
    /usr/bin/time -f "%e %U %S %M" -o "$mnt/time" "$bin" --data "$mnt/data" import "$tree" >/dev/null 2>&1
    read -r elapsed user sys rss <"$mnt/time"
    awk -v b="$(basename "$bin")" -v s="$start" -v c="$copied" -v y="$synced" \
        -v e="$elapsed" -v u="$user" -v k="$sys" -v r="$rss" 'BEGIN {
        cp = c - s; cps = y - s
        printf "%-16s cp -r %6.3f s (+ sync %6.3f s)  import %6.3f s  import/cp %.2f (%.2f with sync)  user %s s, sys %s s, peak RSS %.1f MB\n",
            b, cp, cps, e, e / cp, e / cps, u, k, r / 1024
    }'
done
