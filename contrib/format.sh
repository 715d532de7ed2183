#!/bin/bash
# SPDX-License-Identifier: MIT
# format.sh - the C sources against .clang-format (clang-format 14, Debian
# 12's): exits 1 naming the files that would change.
#     bash contrib/format.sh          check (tests/run.sh runs this)
#     bash contrib/format.sh --fix    reformat them in place
set -euo pipefail
cd "$(dirname "$0")/.."
cf=$(command -v clang-format-14 || command -v clang-format) ||
	{ echo "format.sh: clang-format is not installed (tests/setup-deps.sh installs it)" >&2; exit 2; }
files=$(ls src/*/*.[ch] include/bucketfs/*.h tools/*.c tests/unit/*.[ch] tests/fuzz/*.c \
	tests/integration/*.c 2>/dev/null)
if [ "${1:-}" = --fix ]; then
	# shellcheck disable=SC2086 # one word per file
	"$cf" -i --style=file $files
	exit 0
fi
bad=0
for f in $files; do
	if ! "$cf" --dry-run --Werror --style=file "$f" >/dev/null 2>&1; then
		echo "$f: not formatted as .clang-format says (bash contrib/format.sh --fix)"
		bad=1
	fi
done
exit $bad
