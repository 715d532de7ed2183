/* SPDX-License-Identifier: MIT */
/* config.c - the option table and its parser (see config.h); the target
 * and the checks after the options are in config_target.c. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bucketfs/config.h"
#include "bucketfs/creds.h"
#include "bucketfs/error.h"
#include "bucketfs/provider.h"
#include "bucketfs/store.h"
#include "daemon/config_int.h"

enum opt_type {
	OPT_FLAG,
	OPT_NOFLAG,
	OPT_STR,
	OPT_INT,
	OPT_MS,
	OPT_SEC,
	OPT_SIZE,
	OPT_SEC0,     /* seconds, 0 allowed (off) */
	OPT_ID,	      /* uid/gid: number; sets its "given" flag too (given_flags) */
	OPT_OCTAL,    /* umask: octal; sets its "given" flag too (given_flags) */
	OPT_TTL,      /* seconds (fractions allowed) -> ms */
	OPT_FUSE,     /* implemented by FUSE: passed on */
	OPT_MNT,      /* a generic mount flag: passed on to FUSE, which gives it to the
		       * kernel's mount; def: the word FUSE is given, if another */
	OPT_MNT_SAFE, /* suid, dev: accepted, never applied (always nosuid,nodev) */
	OPT_REFUSED,  /* a mount flag FUSE cannot apply: refused by name (help: why) */
	OPT_FSTAB,    /* meaningful to mount(8)/systemd only: accepted, ignored */
	OPT_IGNORED,  /* s3fs option with no meaning here: accepted, ignored */
	OPT_ALWAYS,   /* what a bucketfs mount always does: accepted (help: why) */
};

struct opt {
	const char *name;
	enum opt_type type;
	size_t off;	 /* offset in struct bfs_config */
	const char *def; /* default, for --help */
	const char *help;
};

#define F(field) offsetof(struct bfs_config, field)
/* The generic mount flags that reach the kernel, for messages and --help. */
#define MNT_FLAGS                                                                                  \
	"ro, rw, noexec, exec, nosuid, nodev, sync, async, dirsync, noatime, atime, "              \
	"relatime"

static const struct opt options[] = {
	{ "provider", OPT_STR, F(provider), "none (generic S3)",
	  "aws, oss, cos, kodo, minio, ceph or s3: endpoint, style and signature presets (below)" },
	{ "endpoint", OPT_STR, F(store.endpoint), "https://s3.REGION.amazonaws.com",
	  "server URL (http:// or https://); a value without :// is taken as the region, as in "
	  "s3fs" },
	{ "url", OPT_STR, F(store.endpoint), NULL, "s3fs name for endpoint=" },
	{ "region", OPT_STR, F(store.region), "us-east-1", "region used in signatures" },
	{ "path_style", OPT_FLAG, F(store.path_style),
	  "off (on for an endpoint that is an IP address)",
	  "address the bucket as https://host/bucket/ instead of https://bucket.host/" },
	{ "use_path_request_style", OPT_FLAG, F(store.path_style), NULL,
	  "s3fs name for path_style" },
	{ "signature", OPT_STR, F(signature_name), "v4",
	  "v4 (AWS SigV4, any S3 API), oss-v1 or oss-v4 (Aliyun OSS's own)" },
	{ "passwd_file", OPT_STR, F(creds.passwd_file), "see CREDENTIALS",
	  "file with ACCESS_KEY:SECRET or BUCKET:ACCESS_KEY:SECRET lines, mode 600 or 640, "
	  "owned by the user running bucketfs or root" },
	{ "profile", OPT_STR, F(creds.profile), "$AWS_PROFILE or default",
	  "profile of ~/.aws/credentials or ~/.aws/config to take the keys from" },
	{ "credential_process", OPT_STR, F(creds.credential_process), "none",
	  "command printing the credentials as JSON (AWS credential_process format)" },
	{ "iam_role", OPT_STR, F(creds.iam_role), "none",
	  "auto or ROLE: the EC2 instance role's credentials (IMDSv2), renewed before expiry" },
	{ "ram_role", OPT_STR, F(creds.ram_role), "none",
	  "auto or ROLE: the Aliyun ECS RAM role's credentials, renewed before expiry" },
	{ "ecs", OPT_FLAG, F(creds.ecs), "off",
	  "AWS container credentials (ECS task role, EKS pod identity)" },
	{ "metadata_endpoint", OPT_STR, F(creds.metadata_endpoint),
	  "http://169.254.169.254 (iam_role), http://100.100.100.200 (ram_role)",
	  "URL of the instance metadata service" },
	{ "ca_bundle", OPT_STR, F(store.ca_bundle), "system store", "PEM file of trusted CAs" },
	{ "insecure", OPT_FLAG, F(store.insecure), "off",
	  "do not verify TLS certificates (testing only)" },
	{ "no_check_certificate", OPT_FLAG, F(store.insecure), NULL, "s3fs name for insecure" },
	{ "unsigned_payload", OPT_FLAG, F(store.unsigned_payload), "off",
	  "sign UNSIGNED-PAYLOAD instead of the body's SHA-256 (https only; Content-MD5 sent "
	  "instead)" },
	{ "enable_unsigned_payload", OPT_FLAG, F(store.unsigned_payload), NULL, "s3fs name" },
	{ "content_md5", OPT_FLAG, F(store.content_md5), "off",
	  "send Content-MD5 also when the signature covers the body's SHA-256" },
	{ "enable_content_md5", OPT_FLAG, F(store.content_md5), NULL, "s3fs name" },
	{ "list_v1", OPT_FLAG, F(store.list_v1), "off", "use ListObjects V1 (servers without V2)" },
	{ "listobjectsv2", OPT_NOFLAG, F(store.list_v1), NULL,
	  "s3fs name: V2 listings (the default)" },
	{ "retries", OPT_INT, F(store.retries), "4",
	  "retries of a failed request (backoff, jitter)" },
	{ "mount_retry", OPT_INT, F(daemon.mount_retry_s), "0",
	  "seconds to keep trying an unreachable endpoint at mount (boot: network not up yet)" },
	{ "connect_timeout", OPT_MS, F(store.connect_timeout_ms), "5", "connect timeout, seconds" },
	{ "stall_timeout", OPT_SEC, F(store.stall_timeout_s), "30",
	  "abort and retry a transfer that moves less than 1 KiB in this many seconds" },
	{ "readwrite_timeout", OPT_SEC, F(store.stall_timeout_s), NULL,
	  "s3fs name for stall_timeout" },
	{ "request_timeout", OPT_SEC0, F(store.request_timeout_s), "60",
	  "a request fails (EIO) once it has taken this long, retries included, plus 1 s per MiB "
	  "it carries (0: no limit)" },
	{ "multipart_threshold", OPT_SIZE, F(store.multipart_threshold), "64M",
	  "files larger than this are uploaded in parts" },
	{ "part_size", OPT_SIZE, F(store.part_size), "16M", "multipart part size (min 5M)" },
	{ "multipart_size", OPT_SIZE, F(store.part_size), NULL, "s3fs name for part_size (in MB)" },
	{ "parallel_parts", OPT_INT, F(store.parallel_parts), "4",
	  "parts uploaded, or ranges fetched, at once" },
	{ "parallel_count", OPT_INT, F(store.parallel_parts), NULL,
	  "s3fs name for parallel_parts" },
	{ "verbose", OPT_FLAG, F(store.verbose), "off",
	  "trace every request to stderr (secrets redacted)" },
	{ "coredump", OPT_FLAG, F(daemon.coredump), "off",
	  "let the daemon dump core; by default it is not dumpable, as cores and /proc/PID/environ "
	  "hold the credentials (no core files; /proc/PID/{environ,mem} readable by root only)" },
	{ "logfile", OPT_STR, F(daemon.logfile), "syslog",
	  "write the log to this file instead (SIGHUP reopens it: logrotate)" },
	{ "loglevel", OPT_STR, F(daemon.loglevel), "info",
	  "error, warning, info or debug (each request)" },
	{ "metrics", OPT_STR, F(daemon.metrics), "off",
	  "serve Prometheus metrics over HTTP at HOST:PORT (IPv4; no authentication: keep it on "
	  "127.0.0.1, where every local user can read it) or a socket path (mode 0600)" },
	{ "cache_dir", OPT_STR, F(fs.cache_dir),
	  "/var/cache/bucketfs/BUCKET-HASH (root), else ~/.cache/bucketfs/...",
	  "where the LMDB index and the cached and staged data live; kept across mounts" },
	{ "use_cache", OPT_STR, F(use_cache), NULL,
	  "s3fs's option: the cache directory is a subdirectory of this one, BUCKET-HASH, so "
	  "that mounts can share it" },
	{ "writeback", OPT_TTL, F(fs.writeback_ms), "off (close() uploads)",
	  "close() returns once the data is safe on local disk; the upload starts DELAY s later "
	  "(bare: 1)" },
	{ "unmount_wait", OPT_INT, F(fs.unmount_wait_s), "30",
	  "seconds unmount waits for pending write-back uploads (0: none; the rest stays "
	  "journaled)" },
	{ "upload_threads", OPT_INT, F(fs.upload_threads), "4",
	  "write-back uploads at once (1-64)" },
	{ "max_threads", OPT_INT, F(daemon.max_threads), "64",
	  "FUSE requests served at once (1-256); each worker has a 1 MiB buffer" },
	{ "max_idle_threads", OPT_INT, F(daemon.max_idle_threads), "16",
	  "FUSE workers kept when idle (0-max_threads); more come and go with the load" },
	{ "default_acl", OPT_STR, F(store.acl), "none (the bucket's)",
	  "canned ACL given to every object written, copied or uploaded in parts: private, "
	  "public-read, public-read-write, authenticated-read, bucket-owner-read, "
	  "bucket-owner-full-control... (x-amz-acl; x-oss-object-acl with OSS's signatures), as "
	  "in s3fs and ossfs" },
	{ "conditional_put", OPT_FLAG, F(fs.conditional_put), "off",
	  "an upload replaces only the version this mount read (If-Match) and creates only new "
	  "objects (If-None-Match); a file changed by another writer meanwhile fails with ESTALE" },
	{ "cache_size", OPT_SIZE, F(fs.cache_size), "0 (no cap)",
	  "cap on the cache's bytes (K/M/G/T): least recently used copies are evicted" },
	{ "index_size", OPT_SIZE, F(fs.index_size), "1G",
	  "cap on the cache index (K/M/G/T; 0: none): names seen but not cached are forgotten, "
	  "least recently used first (their directories are listed again when read)" },
	{ "lookup_get", OPT_SIZE, F(fs.lookup_get), "2M",
	  "a file looked up by name is fetched (its first SIZE bytes) instead of HEADed: "
	  "one request, not two, for the usual open-and-read (0: HEAD)" },
	{ "cache_min_free", OPT_STR, F(cache_min_free), "5%",
	  "free space to leave on the cache's disk: a percentage or a size" },
	{ "ensure_diskfree", OPT_STR, F(cache_min_free), NULL,
	  "s3fs name for cache_min_free (in MB)" },
	{ "uid", OPT_ID, F(fs.uid), "from x-amz-meta-uid, else the mounting user",
	  "owner of every file and directory, whatever their metadata says (as in s3fs)" },
	{ "gid", OPT_ID, F(fs.gid), "from x-amz-meta-gid, else the mounting group",
	  "group of every file and directory, whatever their metadata says (as in s3fs)" },
	{ "umask", OPT_OCTAL, F(fs.umask), "none: modes from x-amz-meta-mode, else 0644 and 0755",
	  "every file and directory shows mode 0777 less these bits, whatever their metadata "
	  "says (as in s3fs); with uid= and gid= too, no request is needed for attributes" },
	{ "symlinks", OPT_STR, F(symlinks_name), "file",
	  "symlink objects (s3fs's format) are shown as symlinks (on), or as read-only regular "
	  "files holding the target path (file: a web server never follows one out of the mount)" },
	{ "mp_umask", OPT_OCTAL, F(mp_umask), "022", "umask of the mount point itself" },
	{ "nonempty", OPT_FLAG, F(daemon.nonempty), "off",
	  "mount over a directory that has files in it, or is a FUSE mount point already (both "
	  "refused by default: what is there would be hidden)" },
	{ "ro", OPT_FLAG, F(fs.read_only), "off", "read-only mount" },
	{ "rw", OPT_NOFLAG, F(fs.read_only), NULL, "read-write mount (the default)" },
	/*
	 * Generic mount flags.  Each reaches the kernel's mount (through
	 * libfuse, whose 3.14 knows ro, rw, [no]suid, [no]dev, [no]exec,
	 * [a]sync, dirsync and [no]atime) or is refused by name; none is
	 * dropped.  relatime is the kernel's default without noatime: FUSE is
	 * given "atime" (which clears noatime).  suid and dev are accepted,
	 * since mount.fuse3 adds them to every mount that does not say nosuid
	 * or nodev, but never applied: modes and owners come from the bucket.
	 */
	{ "noexec", OPT_MNT, 0, NULL, "" },
	{ "exec", OPT_MNT, 0, NULL, "" },
	{ "nosuid", OPT_MNT, 0, NULL, "" },
	{ "nodev", OPT_MNT, 0, NULL, "" },
	{ "sync", OPT_MNT, 0, NULL, "" },
	{ "async", OPT_MNT, 0, NULL, "" },
	{ "dirsync", OPT_MNT, 0, NULL, "" },
	{ "noatime", OPT_MNT, 0, NULL, "" },
	{ "atime", OPT_MNT, 0, NULL, "" },
	{ "relatime", OPT_MNT, 0, "atime", "" },
	{ "suid", OPT_MNT_SAFE, 0, NULL, "" },
	{ "dev", OPT_MNT_SAFE, 0, NULL, "" },
	{ "strictatime", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "nostrictatime", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "norelatime", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "diratime", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "nodiratime", OPT_REFUSED, 0, NULL,
	  "libfuse 3.14 cannot set it (access times are not kept anyway: see noatime)" },
	{ "lazytime", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "nolazytime", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "nosymfollow", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "symfollow", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "mand", OPT_REFUSED, 0, NULL, "mandatory locks do not exist on FUSE" },
	{ "nomand", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "iversion", OPT_REFUSED, 0, NULL, "FUSE keeps no i_version" },
	{ "noiversion", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "silent", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "loud", OPT_REFUSED, 0, NULL, "libfuse 3.14 cannot set it" },
	{ "remount", OPT_REFUSED, 0, NULL,
	  "a bucketfs mount cannot be remounted: unmount it and "
	  "mount again with the new options" },
	{ "stat_ttl", OPT_TTL, F(stat_ttl_ms), "1",
	  "seconds a file's attributes and cached data are trusted before revalidation" },
	{ "stat_cache_expire", OPT_TTL, F(stat_ttl_ms), NULL, "s3fs name for stat_ttl" },
	{ "negative_ttl", OPT_TTL, F(neg_ttl_ms), "1",
	  "seconds a missing name is remembered missing" },
	{ "list_ttl", OPT_TTL, F(fs.list_ttl_ms), "0", "seconds a directory listing is reused" },
	{ "marker_delay", OPT_TTL, F(fs.marker_delay_ms), "1",
	  "seconds a new directory's marker waits for a file below it, which makes it unneeded "
	  "(0: stored at mkdir)" },
	{ "immutable", OPT_STR, F(fs.immutable), "none",
	  "write-once trees, /DIR[:/DIR...]: files below never change, so a cached one is never "
	  "revalidated" },
	{ "allow_other", OPT_FUSE, 0, "off", "let other users use the mount (see README)" },
	{ "allow_root", OPT_FUSE, 0, "off", "let root use the mount" },
	{ "auto_unmount", OPT_FUSE, 0, "off", "unmount when the daemon dies (FUSE)" },
	{ "fsname", OPT_FUSE, 0, "the target", "name shown in /proc/mounts" },
	{ "max_read", OPT_FUSE, 0, NULL, "FUSE option" },
	{ "default_permissions", OPT_ALWAYS, 0, NULL, "the kernel checks modes and owners" },
	/* /etc/fstab words for mount(8) and systemd */
	{ "_netdev", OPT_FSTAB, 0, NULL, "" },
	{ "nofail", OPT_FSTAB, 0, NULL, "" },
	{ "noauto", OPT_FSTAB, 0, NULL, "" },
	{ "auto", OPT_FSTAB, 0, NULL, "" },
	{ "user", OPT_FSTAB, 0, NULL, "" },
	{ "users", OPT_FSTAB, 0, NULL, "" },
	{ "nouser", OPT_FSTAB, 0, NULL, "" },
	{ "defaults", OPT_FSTAB, 0, NULL, "" },
	{ "curldbg", OPT_FLAG, F(store.verbose), NULL, "s3fs name for verbose" },
	/* s3fs options accepted for compatibility, with no effect here */
	{ "sigv4", OPT_IGNORED, 0, NULL, "always SigV4" },
	{ "nosscache", OPT_IGNORED, 0, NULL, "" },
	{ "nodnscache", OPT_IGNORED, 0, NULL, "" },
	{ "dbglevel", OPT_IGNORED, 0, NULL, "" },
	{ "use_xattr", OPT_IGNORED, 0, NULL, "" },
	{ "complement_stat", OPT_IGNORED, 0, NULL, "" },
	{ "notsup_compat_dir", OPT_IGNORED, 0, NULL, "" },
	{ "compat_dir", OPT_IGNORED, 0, NULL, "" },
	{ "ssl_verify_hostname", OPT_IGNORED, 0, NULL, "" },
	{ "big_writes", OPT_IGNORED, 0, NULL, "" },
	{ "kernel_cache", OPT_IGNORED, 0, NULL, "" },
	{ "enable_noobj_cache", OPT_IGNORED, 0, NULL, "" },
	{ "disable_noobj_cache", OPT_IGNORED, 0, NULL, "" },
	{ "max_stat_cache_size", OPT_IGNORED, 0, NULL, "" },
	{ "stat_cache_interval_expire", OPT_IGNORED, 0, NULL, "" },
	{ "noxmlns", OPT_IGNORED, 0, NULL, "" },
	{ "del_cache", OPT_IGNORED, 0, NULL, "" },
	{ "max_thread_count", OPT_IGNORED, 0, NULL, "" },
	{ "multireq_max", OPT_IGNORED, 0, NULL, "" },
	{ "list_object_max_keys", OPT_IGNORED, 0, NULL, "" },
	{ "no_time_stamp_msg", OPT_IGNORED, 0, NULL, "" },
	{ "tmpdir", OPT_IGNORED, 0, NULL, "" },
	{ "use_wtf8", OPT_IGNORED, 0, NULL, "" },
	{ "update_parent_dir_stat", OPT_IGNORED, 0, NULL, "" },
	{ "streamupload", OPT_IGNORED, 0, NULL, "" },
	{ "max_dirty_data", OPT_IGNORED, 0, NULL, "" },
	{ "instance_name", OPT_IGNORED, 0, NULL, "" },
	{ "mime", OPT_IGNORED, 0, NULL, "" },
};

#define NOPTS (sizeof(options) / sizeof(options[0]))

/* OPT_ID and OPT_OCTAL write an unsigned int into uid_t, gid_t, mode_t. */
_Static_assert(sizeof(uid_t) == sizeof(unsigned int) && sizeof(gid_t) == sizeof(unsigned int) &&
		   sizeof(mode_t) == sizeof(unsigned int),
	       "uid_t, gid_t and mode_t are unsigned ints");

/* The string an OPT_STR option sets (module fields are const char *). */
static const char **field_str(struct bfs_config *c, const struct opt *o)
{
	return (const char **)(void *)((char *)c + o->off);
}

void bfs_config_init(struct bfs_config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	bfs_store_cfg_defaults(&c->store);
	bfs_fs_cfg_defaults(&c->fs);
	/* The string options start unset (the store's region is defaulted by
	 * bfs_config_finish(), after the provider's): every string here is
	 * then one bfs_config_release() frees. */
	for (i = 0; i < NOPTS; i++)
		if (options[i].type == OPT_STR)
			*field_str(c, &options[i]) = NULL;
	c->stat_ttl_ms = c->fs.stat_ttl_ms;
	c->neg_ttl_ms = c->fs.neg_ttl_ms;
	c->mp_umask = 022;
	c->daemon.max_threads = 64;
	c->daemon.max_idle_threads = 16;
}

void bfs_config_release(struct bfs_config *c)
{
	size_t i;

	/* an alias (url for endpoint) finds its field NULL already */
	for (i = 0; i < NOPTS; i++)
		if (options[i].type == OPT_STR)
			config_set_str(field_str(c, &options[i]), NULL);
	free(c->local_root);
	free(c->bucket);
	free(c->prefix);
	memset(c, 0, sizeof(*c));
}

void config_set_str(const char **field, char *s)
{
	free((void *)(uintptr_t)*field); /* owned here, const for the modules */
	*field = s;
}

int config_parse_u64(const char *v, uint64_t *out, int allow_suffix)
{
	unsigned long long n;
	char *end;

	/* digits first: strtoull would skip blanks and take " -1" as 2^64 - 1 */
	if (!v || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v)
		return -1;
	if (allow_suffix && *end) {
		int shift = 0;

		switch (*end) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		case 't':
		case 'T':
			shift = 40;
			break;
		default:
			return -1;
		}
		end++;
		if (*end == 'i' || *end == 'B')
			end++;
		if (*end == 'B')
			end++;
		if (n > (~0ULL >> shift))
			return -1;
		n <<= shift;
	}
	if (*end)
		return -1;
	*out = n;
	return 0;
}

/* The options whose value is used only when given: the flag that says so. */
static const struct {
	size_t value, given;
} given_flags[] = {
	{ F(fs.uid), F(fs.force_uid) },
	{ F(fs.gid), F(fs.force_gid) },
	{ F(fs.umask), F(fs.has_umask) },
	{ F(mp_umask), F(has_mp_umask) },
};

static void mark_given(struct bfs_config *c, size_t off)
{
	size_t i;

	for (i = 0; i < sizeof(given_flags) / sizeof(given_flags[0]); i++)
		if (given_flags[i].value == off)
			*(int *)((char *)c + given_flags[i].given) = 1;
}

/* Long: one case per option type, each a few lines, in one switch. */
static int set_one(struct bfs_config *c, const struct opt *o, const char *value, char *msg,
		   size_t msgsz)
{
	void *field = (char *)c + o->off;
	uint64_t n;

	switch (o->type) {
	case OPT_IGNORED:
	case OPT_ALWAYS:
	case OPT_FSTAB:
	case OPT_MNT_SAFE:
		return 0;
	case OPT_FUSE:
	case OPT_MNT:
		return 1;
	case OPT_REFUSED:
		snprintf(msg, msgsz,
			 "the mount option %s is not supported: %s (the mount flags that "
			 "reach the kernel: " MNT_FLAGS ")",
			 o->name, o->help);
		return BFS_E_CONFIG;
	case OPT_ID:
		if (config_parse_u64(value, &n, 0) || n >= 0xffffffffULL)
			goto bad;
		*(unsigned int *)field = (unsigned int)n;
		mark_given(c, o->off);
		return 0;
	case OPT_OCTAL: {
		char *end;
		unsigned long m;

		if (!value || !*value)
			goto bad;
		errno = 0;
		m = strtoul(value, &end, 8);
		if (errno || *end || m > 07777)
			goto bad;
		*(unsigned int *)field = (unsigned int)m;
		mark_given(c, o->off);
		return 0;
	}
	case OPT_TTL: {
		char *end;
		double secs;

		if (!value && !strcmp(o->name, "writeback"))
			value = "1"; /* bare: the default delay */
		if (!value || !*value)
			goto bad;
		errno = 0;
		secs = strtod(value, &end);
		/* written so that NaN fails too: casting it to long is undefined */
		if (errno || *end || !(secs >= 0 && secs <= 86400 * 365))
			goto bad;
		*(long *)field = (long)(secs * 1000 + 0.5);
		return 0;
	}
	case OPT_FLAG:
	case OPT_NOFLAG:
		if (value && strcmp(value, "1") && strcmp(value, "0") && strcmp(value, "true") &&
		    strcmp(value, "false"))
			goto bad;
		*(int *)field = (!value || !strcmp(value, "1") || !strcmp(value, "true"));
		if (o->type == OPT_NOFLAG)
			*(int *)field = !*(int *)field;
		return 0;
	case OPT_STR: {
		char *s;

		/* s3fs's bare iam_role (and ossfs's ram_role) mean auto */
		if (!value && (!strcmp(o->name, "iam_role") || !strcmp(o->name, "ram_role")))
			value = "auto";
		if (!value || !*value)
			goto bad;
		/* s3fs's endpoint= is the region; a URL is ours */
		if (!strcmp(o->name, "endpoint") && !strstr(value, "://"))
			field = &c->store.region;
		if (!strcmp(o->name, "ensure_diskfree")) {
			if (asprintf(&s, "%sM", value) < 0)
				return -ENOMEM;
		} else if (!(s = strdup(value))) {
			return -ENOMEM;
		}
		config_set_str(field, s);
		return 0;
	}
	case OPT_INT:
		if (config_parse_u64(value, &n, 0) || n > 1000000)
			goto bad;
		*(int *)field = (int)n;
		return 0;
	case OPT_MS:
		if (config_parse_u64(value, &n, 0) || n > 3600)
			goto bad;
		*(long *)field = (long)n * 1000;
		return 0;
	case OPT_SEC:
	case OPT_SEC0:
		if (config_parse_u64(value, &n, 0) || n < (o->type == OPT_SEC0 ? 0 : 1) ||
		    n > 86400)
			goto bad;
		*(long *)field = (long)n;
		return 0;
	case OPT_SIZE:
		if (config_parse_u64(value, &n, 1))
			goto bad;
		/* s3fs gives multipart_size in MB */
		if (!strcmp(o->name, "multipart_size") && n < (1ULL << 20))
			n <<= 20;
		*(uint64_t *)field = n;
		return 0;
	}
bad:
	snprintf(msg, msgsz, "invalid value for option %s: '%s'", o->name, value ? value : "");
	return BFS_E_CONFIG;
}

static const struct opt *find_opt(const char *name)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (!strcmp(options[i].name, name))
			return &options[i];
	return NULL;
}

/* Edits (insert, delete, replace a letter) from a to b, up to a cap. */
static size_t distance(const char *a, const char *b)
{
	size_t row[64], la = strlen(a), lb = strlen(b), i, j;

	if (la >= sizeof(row) / sizeof(row[0]) || lb >= sizeof(row) / sizeof(row[0]))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* "unknown option 'NAME' (did you mean ...?)": the nearest of our names
 * within two edits, or a third of the word's length. */
static void unknown_msg(const char *name, char *msg, size_t msgsz)
{
	const char *best = NULL;
	size_t i, bd = SIZE_MAX, cap = strlen(name) / 3 > 2 ? strlen(name) / 3 : 2;

	for (i = 0; i < NOPTS; i++) {
		size_t d = distance(name, options[i].name);

		if (d < bd) {
			bd = d;
			best = options[i].name;
		}
	}
	if (best && bd <= cap)
		snprintf(msg, msgsz, "unknown option '%s' (did you mean %s? see --help)", name,
			 best);
	else
		snprintf(msg, msgsz, "unknown option '%s' (see --help)", name);
}

int bfs_config_set(struct bfs_config *c, const char *name, const char *value, char *msg,
		   size_t msgsz)
{
	const struct opt *o = find_opt(name);

	if (o)
		return set_one(c, o, value, msg, msgsz);
	/* systemd's and mount(8)'s own words in /etc/fstab */
	if (!strncmp(name, "x-", 2) || !strcmp(name, "comment"))
		return 0;
	unknown_msg(name, msg, msgsz);
	return BFS_E_CONFIG;
}

int bfs_config_parse_opts(struct bfs_config *c, const char *opts, char *fuse, size_t fuse_sz,
			  char *msg, size_t msgsz)
{
	char *copy = strdup(opts), *tok, *next;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = copy; tok; tok = next) {
		char *eq;

		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		if (!*tok)
			continue;
		eq = strchr(tok, '=');
		if (eq)
			*eq = '\0';
		rc = bfs_config_set(c, tok, eq ? eq + 1 : NULL, msg, msgsz);
		if (rc == 1 && fuse) {
			const struct opt *o = find_opt(tok);
			const char *pass = tok;
			size_t ul = strlen(fuse);

			if (eq)
				*eq = '=';
			/* a mount flag FUSE knows by another word (relatime) */
			if (o->type == OPT_MNT && o->def)
				pass = o->def;
			if ((size_t)snprintf(fuse + ul, fuse_sz - ul, ",%s", pass) >=
			    fuse_sz - ul) {
				snprintf(msg, msgsz, "too many options");
				rc = BFS_E_CONFIG;
				break;
			}
			rc = 0;
		} else if (rc == 1) {
			snprintf(msg, msgsz, "option '%s' applies to a mount only", tok);
			rc = BFS_E_CONFIG;
		}
		if (rc)
			break;
	}
	free(copy);
	return rc;
}

void bfs_config_help(FILE *out)
{
	size_t i;
	int first = 1, col = 0;

	for (i = 0; i < NOPTS; i++) {
		const struct opt *o = &options[i];
		const char *arg = o->type == OPT_FLAG || o->type == OPT_NOFLAG ? ""
				  : o->type == OPT_INT			       ? "=N"
				  : o->type == OPT_SIZE			       ? "=SIZE"
				  : o->type == OPT_MS || o->type == OPT_SEC || o->type == OPT_SEC0
				      ? "=SECONDS"
				      : "=VALUE";
		char left[64];

		if (o->type == OPT_IGNORED || o->type == OPT_FSTAB || o->type == OPT_MNT ||
		    o->type == OPT_MNT_SAFE || o->type == OPT_REFUSED || o->type == OPT_ALWAYS)
			continue;
		if (o->type == OPT_FUSE)
			arg = o->def && !strcmp(o->def, "off") ? "" : "=VALUE";
		if (o->type == OPT_ID || o->type == OPT_OCTAL || o->type == OPT_TTL)
			arg = o->type == OPT_TTL ? "=SECONDS" : "=N";
		snprintf(left, sizeof(left), "-o %s%s", o->name, arg);
		if (o->def)
			fprintf(out, "    %-32s %s (default: %s)\n", left, o->help, o->def);
		else
			fprintf(out, "    %-32s %s\n", left, o->help);
	}
	fprintf(
	    out,
	    "\n  Mount flags, passed to the kernel's mount as mount(8) describes them:\n"
	    "    " MNT_FLAGS "\n"
	    "    (relatime is the kernel's default; noexec is advised for a mount of data).\n"
	    "    A bucketfs mount is always nosuid,nodev: suid and dev are accepted (mount.fuse3\n"
	    "    adds them to fstab mounts) but never applied, since modes and owners come\n"
	    "    from the bucket.  strictatime, nodiratime, lazytime, nosymfollow, mand,\n"
	    "    iversion (and their opposites) and remount are refused: libfuse 3.14 cannot\n"
	    "    apply them.  default_permissions is accepted: a bucketfs mount always has\n"
	    "    it (the kernel checks modes and owners).\n");
	fprintf(out,
		"\n  /etc/fstab words accepted and ignored: _netdev, nofail, noauto, auto, user,\n"
		"    users, nouser, defaults, x-systemd.*, x-*, comment=*\n");
	fprintf(out, "\n  s3fs options accepted and ignored:\n   ");
	for (i = 0; i < NOPTS; i++) {
		if (options[i].type != OPT_IGNORED)
			continue;
		if (col > 66) {
			fprintf(out, ",\n   ");
			col = 0;
			first = 1;
		}
		col += fprintf(out, "%s%s", first ? " " : ", ", options[i].name);
		first = 0;
	}
	fprintf(out, "\n");
}
