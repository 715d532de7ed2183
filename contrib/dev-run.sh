#!/bin/bash
# SPDX-License-Identifier: MIT
# dev-run.sh — set up, build and run bucketfs on its embedded default: the
# local directory ./bucket used as the bucket, mounted at ./public/generated
# (where the app writes its images), with its cache in ./.bucketfs-cache.
# Writes one image the way the app does and shows where it went; leaves the
# mount running.  Stop it with: fusermount3 -u public/generated
#
# Production mounts the real bucket at the same place, from /etc/fstab
# (README); the app does not change.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$src"
bash tests/setup-deps.sh --run  # (only what building and running need)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
echo "built: build/bucketfs, build/bucketfsctl"

mnt=$src/public/generated
mkdir -p "$mnt"
if mountpoint -q "$mnt"; then
	echo "already mounted: $mnt"
else
	build/bucketfs "file:$src/bucket" "$mnt" -o "cache_dir=$src/.bucketfs-cache"
	echo "mounted: file:$src/bucket at $mnt"
fi

task=demo-$(date +%s)
node -e '
const fs = require("fs"), path = require("path");
(async () => {
  const [mnt, task] = process.argv.slice(1);
  const dir = path.join(mnt, "images", task);
  await fs.promises.mkdir(dir, { recursive: true });
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
                             Buffer.alloc(1024 * 1024, 7)]);
  await fs.promises.writeFile(path.join(dir, "0.png"), png);
  console.log("the app wrote /generated/images/" + task + "/0.png");
})().catch((e) => { console.error(e); process.exit(1); });
' "$mnt" "$task"
echo "through the mount:  $(ls -l "$mnt/images/$task/0.png")"
echo "in the bucket dir:  $(ls -l "$src/bucket/images/$task/0.png")"
cmp "$mnt/images/$task/0.png" "$src/bucket/images/$task/0.png" && echo "same bytes on both sides"
echo "bucketfs keeps running; unmount with: fusermount3 -u $mnt"
