# SPDX-License-Identifier: MIT
# bucket.py — look at "the bucket" behind a bucketfs mount from outside the
# mount, for the tests/integration/t02NN-fs-*.sh tests: through boto3 on the
# radosgw, or straight on disk for a file:DIR mount.  Run with /usr/bin/python3.
#
#     BFS_BUCKET=s3:NAME    (boto3; endpoint and credentials from RGW_ENDPOINT
#                            and the AWS_* variables that lib.sh's rgw_start sets)
#     BFS_BUCKET=file:DIR   (the object KEY is the file DIR/KEY, a marker "a/b/"
#                            the directory DIR/a/b, metadata in user.bucketfs.* xattrs)
#
# Commands:
#     head KEY         "missing", or name=value lines: size, etag, content-type,
#                      and x-amz-meta-NAME for every metadata entry (sorted)
#     get KEY FILE     the object's body into FILE ("-": stdout); exit 3 if missing
#     list PREFIX      every key under PREFIX (no delimiter), sorted, one a line
#     put KEY FILE [content-type=T] [NAME=VALUE ...]
#                      store FILE's bytes as KEY with x-amz-meta-NAME=VALUE
#     putmany PREFIX N creates PREFIX00000 ... PREFIX<N-1> (a few bytes each),
#                      from 16 threads at once
import concurrent.futures
import hashlib
import os
import sys

SPEC = os.environ["BFS_BUCKET"]
KIND, _, WHERE = SPEC.partition(":")
if KIND not in ("s3", "file"):
    sys.exit("bucket.py: BFS_BUCKET must be s3:NAME or file:DIR, not %r" % SPEC)

if KIND == "s3":
    import boto3
    import botocore

    s3 = boto3.client("s3", endpoint_url=os.environ["RGW_ENDPOINT"],
                      config=botocore.config.Config(max_pool_connections=32))

XA = "user.bucketfs."


def path_of(key):
    return os.path.join(WHERE, key.rstrip("/"))


def head(key):
    if KIND == "s3":
        try:
            h = s3.head_object(Bucket=WHERE, Key=key)
        except botocore.exceptions.ClientError as e:
            if e.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        out = {"size": str(h["ContentLength"]), "etag": h["ETag"].strip('"'),
               "content-type": h.get("ContentType", "")}
        for k, v in h.get("Metadata", {}).items():
            out["x-amz-meta-" + k.lower()] = v
        return out
    p = path_of(key)
    if key.endswith("/"):
        if not os.path.isdir(p):
            return None
        out = {"size": "0", "etag": hashlib.md5(b"").hexdigest()}
    else:
        if not os.path.isfile(p) or os.path.islink(p):
            return None
        with open(p, "rb") as f:
            data = f.read()
        out = {"size": str(len(data)), "etag": hashlib.md5(data).hexdigest()}
    names = os.listxattr(p)
    out["content-type"] = (os.getxattr(p, XA + "content-type").decode()
                           if XA + "content-type" in names else "application/octet-stream")
    if XA + "marker" in names:
        out["marker"] = "1"
    for n in names:
        if n.startswith(XA + "meta."):
            out["x-amz-meta-" + n[len(XA + "meta."):]] = os.getxattr(p, n).decode()
    return out


def get(key):
    if KIND == "s3":
        try:
            return s3.get_object(Bucket=WHERE, Key=key)["Body"].read()
        except botocore.exceptions.ClientError as e:
            if e.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
    p = path_of(key)
    if not os.path.isfile(p):
        return None
    with open(p, "rb") as f:
        return f.read()


def listing(prefix):
    keys = []
    if KIND == "s3":
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=WHERE, Prefix=prefix):
            keys += [o["Key"] for o in page.get("Contents", [])]
        return sorted(keys)
    for root, dirs, files in os.walk(WHERE):
        rel = os.path.relpath(root, WHERE)
        rel = "" if rel == "." else rel + "/"
        if rel == "":
            dirs[:] = [d for d in dirs if d != ".bucketfs-tmp"]
        if rel and (XA + "marker" in os.listxattr(root) or (not dirs and not files)):
            keys.append(rel)
        keys += [rel + f for f in files]
    return sorted(k for k in keys if k.startswith(prefix))


def put(key, data, ctype=None, meta=None):
    meta = meta or {}
    if KIND == "s3":
        args = {"Bucket": WHERE, "Key": key, "Body": data, "Metadata": meta}
        if ctype:
            args["ContentType"] = ctype
        s3.put_object(**args)
        return
    p = path_of(key)
    if key.endswith("/"):
        os.makedirs(p, exist_ok=True)
        os.setxattr(p, XA + "marker", b"1")
    else:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        tmp = p + ".bucket-py-tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, p)
    if ctype:
        os.setxattr(p, XA + "content-type", ctype.encode())
    for k, v in meta.items():
        os.setxattr(p, XA + "meta." + k.lower(), v.encode())


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "head":
        h = head(args[0])
        if h is None:
            print("missing")
        else:
            for k in sorted(h):
                print("%s=%s" % (k, h[k]))
    elif cmd == "get":
        data = get(args[0])
        if data is None:
            print("bucket.py: %s: no such key" % args[0], file=sys.stderr)
            return 3
        if args[1] == "-":
            sys.stdout.buffer.write(data)
        else:
            with open(args[1], "wb") as f:
                f.write(data)
    elif cmd == "list":
        for k in listing(args[0] if args else ""):
            print(k)
    elif cmd == "put":
        with open(args[1], "rb") as f:
            data = f.read()
        ctype, meta = None, {}
        for a in args[2:]:
            k, _, v = a.partition("=")
            if k == "content-type":
                ctype = v
            else:
                meta[k] = v
        put(args[0], data, ctype, meta)
    elif cmd == "putmany":
        prefix, n = args[0], int(args[1])

        def one(i):
            put("%s%05d" % (prefix, i), b"entry %d\n" % i)

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(one, range(n)))
    else:
        print("bucket.py: unknown command " + cmd, file=sys.stderr)
        return 2
    return 0


sys.exit(main(sys.argv))
