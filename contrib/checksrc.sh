#!/bin/bash
# SPDX-License-Identifier: MIT
# checksrc.sh — the source rules a compiler does not check (the house
# style's, issue 24), over src/, include/ and tools/:
#   1. no strcpy, strcat, sprintf, vsprintf, gets or strtok (snprintf, a
#      length, strtok_r);
#   2. each third-party library behind its one module: <curl/...> in
#      src/http/http*.c, <lmdb.h> in src/index/index_int.h (the index),
#      <openssl/...> in src/util/crypto.c, <jansson.h> in src/util/json.c,
#      <expat.h> in src/store/xml*, <fuse...> in src/daemon/fuse_ops.c,
#      its header and the daemon's main (tools/bucketfs.c);
#   2b. the layers, bottom-up: util, then http and sign, creds, store and
#      index, fs, daemon: a file includes only headers of its own layer or
#      of those below it (the table in layer_may below), its folder's
#      private headers by their folder ("fs/fs_int.h"), the public ones in
#      include/bucketfs/ by the layer that implements them (layer_of);
#   3. no source file over 700 lines (the ones over it today are listed
#      below with their size: they may shrink, never grow, until split);
#   4. no function over 100 lines unless the comment just above it says
#      why ("Long: ...").
# Prints one line per breach (FILE:LINE: what) and exits 1 if any.
#
#   bash contrib/checksrc.sh          (tests/run.sh runs it first)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

max_lines=700
max_func=100
# At about max_lines, a few lines over: FILE=CEILING (a file that grows
# past its ceiling is split by responsibility)
declare -A ceiling=(
	# (none)
)

files=$(ls src/*/*.c src/*/*.h include/bucketfs/*.h tools/*.c)
bad=0
breach() {
	echo "$1"
	bad=1
}

# 1. banned functions (outside comments: a crude filter, the lines that
# open with a comment marker are skipped)
while IFS= read -r hit; do
	breach "$hit: banned function (use snprintf, a bounded copy, or strtok_r)"
done < <(grep -nE '(^|[^a-z_])(strcpy|strcat|sprintf|vsprintf|gets|strtok)[[:space:]]*\(' $files |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')

# 2. third-party headers, each in its own module
lib_ok() { # HEADER FILE
	case $1 in
	curl/*) [[ $2 == src/http/http*.c ]] ;;
	lmdb.h) [ "$2" = src/index/index_int.h ] ;;
	openssl/*) [ "$2" = src/util/crypto.c ] ;;
	jansson.h) [ "$2" = src/util/json.c ] ;;
	expat.h) [[ $2 == src/store/xml* ]] ;;
	fuse*) [ "$2" = src/daemon/fuse_ops.c ] || [ "$2" = include/bucketfs/fuse_ops.h ] ||
		[ "$2" = tools/bucketfs.c ] ;;  # (the daemon's main: fuse_new, fuse_loop_mt)
	*) true ;;
	esac
}
while IFS=: read -r f n inc; do
	h=$(sed -nE 's/^#[[:space:]]*include[[:space:]]*<([^>]+)>.*/\1/p' <<<"$inc")
	[ -n "$h" ] || continue
	lib_ok "$h" "$f" || breach "$f:$n: <$h> belongs to its library's one module"
done < <(grep -nE '^#[[:space:]]*include[[:space:]]*<(curl/|lmdb\.h|openssl/|jansson\.h|expat\.h|fuse)' $files)

# 2b. the layers
declare -A rank=([util]=0 [http]=1 [sign]=1 [creds]=2 [store]=3 [index]=3 [fs]=4 [daemon]=5)
# the layer of a public header (include/bucketfs/NAME.h)
layer_of() {
	case $1 in
	buf | bytes | crc32c | crypto | error | hash | human | isotime | json | log | uri) echo util ;;
	http) echo http ;;
	osssig | sigv4) echo sign ;;
	creds) echo creds ;;
	range | store | xml) echo store ;;
	index | jrec) echo index ;;
	fs) echo fs ;;
	cachedir | config | ctl | fuse_ops | metrics | mountpoint | provider) echo daemon ;;
	*) echo unknown ;;
	esac
}
# may a file of layer $1 include a header of layer $2?  Below, or its own;
# store and index are side by side (neither includes the other), as are
# http and sign.
layer_may() {
	[ "$1" = "$2" ] && return 0
	[ "${rank[$2]}" -lt "${rank[$1]}" ]
}
while IFS=: read -r f n inc; do
	h=$(sed -nE 's/^#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/p' <<<"$inc")
	[ -n "$h" ] || continue
	mine=${f#src/}
	mine=${mine%%/*}
	case $h in
	bucketfs/*.h)
		to=$(layer_of "$(basename "$h" .h)")
		[ "$to" != unknown ] || { breach "$f:$n: \"$h\": a public header checksrc.sh does not place in a layer (layer_of)"; continue; } ;;
	*/*) to=${h%%/*} ;;
	*) breach "$f:$n: \"$h\": include a private header by its folder (\"fs/fs_int.h\")"; continue ;;
	esac
	[ -n "${rank[$to]:-}" ] || { breach "$f:$n: \"$h\": no such layer"; continue; }
	layer_may "$mine" "$to" || breach "$f:$n: \"$h\": $mine may not include $to (layers: util < http, sign < creds < store, index < fs < daemon)"
done < <(grep -nE '^#[[:space:]]*include[[:space:]]*"' src/*/*.[ch])

# 3. file sizes
for f in $files; do
	n=$(wc -l <"$f")
	lim=${ceiling[$f]:-$max_lines}
	[ "$n" -le "$lim" ] || breach "$f: $n lines, over $lim (split it by responsibility)"
done

# 4. function sizes: a definition starts at a line that opens with a
# type at column 0 and holds '(', its body at '{' and '}' at column 0
while IFS= read -r hit; do
	breach "$hit"
done < <(awk -v max="$max_func" '
	FNR == 1 { name = ""; body = 0; why = 0; cmt = 0 }
	/^\/\*/ { cmt = 1; why = 0 }
	cmt && /Long: / { why = 1 }
	cmt && /\*\// { cmt = 0; next }
	cmt { next }
	/^[A-Za-z].*\(/ && !/;[[:space:]]*$/ && !body { name = $0; start = FNR; next }
	/^\{/ && name != "" { body = 1; next }
	/^\}/ && body {
		if (FNR - start > max && !why)
			printf "%s:%d: a function of %d lines (over %d; say why above it with \"Long: ...\", or split it)\n",
				FILENAME, start, FNR - start, max
		body = 0; name = ""; why = 0; next
	}
	/^[^[:space:]\/#{}]/ && !body { why = 0 }
' src/*/*.c tools/*.c)

exit $bad
