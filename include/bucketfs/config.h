/* SPDX-License-Identifier: MIT */
/*
 * config.h - the options shared by the mount and the ctl tool, parsed once
 * into a value.
 *
 * Options come as "-o name[=value],..." (mount(8) style) and are looked up in
 * one table that also produces --help, so the two can never disagree.  The
 * names of s3fs-fuse are accepted for the options both have (url,
 * use_path_request_style, passwd_file, ...), so an s3fs command line or
 * fstab line works after changing only the program name; s3fs options that
 * have no meaning here are accepted, ignored, and listed by --help.
 */
#ifndef BUCKETFS_CONFIG_H
#define BUCKETFS_CONFIG_H

#include <stdint.h>
#include <stdio.h>

struct bfs_creds;
struct bfs_creds_opts;
struct bfs_store_cfg;
struct bfs_fs_cfg;

struct bfs_config {
	/* the target: BUCKET[:/PREFIX], or file:DIR for the embedded default */
	char *local_root; /* absolute path of DIR for file:DIR, else NULL */
	char *bucket;
	char *prefix; /* "" or "dir/sub/" (one trailing slash; a leading one
			 only from BUCKET://..., for keys that begin with '/') */
	/* store */
	char *provider; /* preset (provider.h), NULL for none */
	char *endpoint; /* URL; NULL until defaulted from the region */
	char *region;
	int path_style;
	char *signature_name; /* "v4", "oss-v1", "oss-v4" as given */
	int signature;	      /* enum bfs_sig, set by bfs_config_finish() */
	char *passwd_file;
	char *profile;		  /* AWS shared-file profile, NULL for none */
	char *credential_process; /* other credential sources (creds.h) */
	char *iam_role;
	char *ram_role;
	int ecs;
	char *metadata_endpoint;
	char *ca_bundle;
	int insecure;
	int unsigned_payload;
	int content_md5;
	int list_v1;
	int retries;
	int mount_retry_s; /* keep trying an unreachable endpoint at mount this long */
	long connect_timeout_ms;
	long stall_timeout_s;
	long request_timeout_s; /* 0: none */
	uint64_t multipart_threshold;
	uint64_t part_size;
	int parallel_parts;
	int verbose;
	int coredump;	/* stay dumpable (cores hold the credentials) */
	char *logfile;	/* NULL: syslog */
	char *loglevel; /* "error" ... "debug", NULL: info */
	char *metrics;	/* HOST:PORT or socket path for Prometheus, NULL off */
	/* filesystem */
	char *cache_dir;	       /* NULL until defaulted by the mount */
	uint64_t cache_size;	       /* cap on cached bytes, 0 = none */
	uint64_t lookup_get;	       /* bytes a lookup by name GETs instead of a HEAD (2M) */
	char *cache_min_free;	       /* as given: "5%" or a size */
	uint64_t cache_min_free_bytes; /* parsed by bfs_config_finish() ... */
	int cache_min_free_pct;	       /* ... percent, or -1 for bytes */
	long writeback_ms;	       /* -1: close() uploads; else the write-back delay */
	int unmount_wait_s;
	int upload_threads;
	int max_threads;      /* FUSE workers at most */
	int max_idle_threads; /* FUSE workers kept when idle */
	int conditional_put;
	/* each value with its "was given" flag */
	unsigned int uid; /* owner of every entry, when given (s3fs) */
	int has_uid;
	unsigned int gid;
	int has_gid;
	unsigned int umask;
	int has_umask;
	unsigned int mp_umask;
	int has_mp_umask;
	int read_only;
	long stat_ttl_ms;
	long neg_ttl_ms;
	long list_ttl_ms;
	long marker_delay_ms;
	char *immutable;     /* write-once trees "/a:/b" */
	char *symlinks_name; /* "on" or "file" (default) */
	int symlinks;	     /* ... parsed by bfs_config_finish(): 1 on */
	int foreground;	     /* -f */
};

/* Fill c with defaults.  Release with bfs_config_release(). */
void bfs_config_init(struct bfs_config *c);
void bfs_config_release(struct bfs_config *c);

/*
 * Apply one option (value NULL for a bare flag).  Returns 0, 1 when the name
 * is not an option of ours or is one FUSE implements (allow_other, ...):
 * the caller passes it on to FUSE; or BFS_E_CONFIG with a message naming
 * the option for a bad value.  Words that only mean something to mount(8)
 * and systemd in /etc/fstab (_netdev, nofail, noauto, x-systemd.*, ...)
 * are accepted and ignored.
 */
int bfs_config_set(struct bfs_config *c, const char *name, const char *value, char *msg,
		   size_t msgsz);

/*
 * Apply a comma-separated option string.  Unknown names are an error unless
 * unknown (may be NULL) is given: then they are appended to it as
 * ",name[=value]" (it must hold unknown_sz bytes).  Returns 0 or BFS_E_CONFIG.
 */
int bfs_config_parse_opts(struct bfs_config *c, const char *opts, char *unknown, size_t unknown_sz,
			  char *msg, size_t msgsz);

/*
 * Parse "BUCKET", "BUCKET:/PREFIX", "BUCKET:PREFIX" or "s3://BUCKET/PREFIX"
 * into c->bucket and c->prefix, or "file:DIR[:/PREFIX]" (the embedded
 * default: a local directory as the bucket, created if missing) into
 * c->local_root (absolute), c->bucket ("file") and c->prefix.
 * Returns 0, BFS_E_CONFIG or -errno (DIR cannot be created).
 */
int bfs_config_parse_target(struct bfs_config *c, const char *target, char *msg, size_t msgsz);

/*
 * Fill defaults that depend on other options (the endpoint from the region)
 * and check the combination.  Returns 0 or BFS_E_CONFIG.
 */
int bfs_config_finish(struct bfs_config *c, char *msg, size_t msgsz);

/*
 * For a mount: a prefix with a "." or ".." component would make keys that
 * no listing shows (SEMANTICS.md, "Keys a filesystem cannot show").
 * Returns 0 or BFS_E_CONFIG with msg.  (bucketfsctl's BUCKET:/KEY may hold
 * any key.)
 */
int bfs_config_check_prefix(const char *prefix, char *msg, size_t msgsz);

/*
 * Fill a store configuration from c (after bfs_config_finish()).  Strings
 * are borrowed from c and creds, which must outlive the store.
 */
void bfs_config_store_cfg(const struct bfs_config *c, struct bfs_creds *creds,
			  struct bfs_store_cfg *sc);

/*
 * Fill a filesystem configuration from c (after bfs_config_finish()):
 * strings borrowed from c.  Of each freshness window (stat_ttl,
 * negative_ttl) the kernel's cache gets bfs_config_kernel_ms of it and the
 * daemon the rest: the kernel keeps what the daemon answers for its own
 * timeout, on top of the daemon's window, so a change made on another
 * server is seen within the window as documented, not up to twice it.
 */
void bfs_config_fs_cfg(const struct bfs_config *c, struct bfs_fs_cfg *fc);
long bfs_config_kernel_ms(long ttl_ms); /* a tenth */

/* Fill the credential sources from c (strings borrowed from c). */
void bfs_config_creds_opts(const struct bfs_config *c, struct bfs_creds_opts *o);

/* Print the option table (name, default, description) for --help. */
void bfs_config_help(FILE *out);

#endif
