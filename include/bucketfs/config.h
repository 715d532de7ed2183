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

#include "bucketfs/creds.h"
#include "bucketfs/fs.h"
#include "bucketfs/store.h"

/* The daemon's own options (tools/bucketfs.c): the process, its log, FUSE. */
struct bfs_daemon_cfg {
	int foreground;	      /* -f */
	int mount_retry_s;    /* keep trying an unreachable endpoint at mount this long */
	int coredump;	      /* stay dumpable (cores hold the credentials) */
	const char *logfile;  /* NULL: syslog */
	const char *loglevel; /* "error" ... "debug", NULL: info */
	const char *metrics;  /* HOST:PORT or socket path for Prometheus, NULL off */
	int max_threads;      /* FUSE workers at most */
	int max_idle_threads; /* FUSE workers kept when idle */
	int nonempty;	      /* mount over files or a mount (mountpoint.h) */
};

/*
 * Each option sets a field of the configuration of the module it belongs
 * to, which starts from that module's own defaults (bfs_store_cfg_defaults,
 * bfs_fs_cfg_defaults): after bfs_config_finish(), &c->store, &c->fs and
 * &c->creds are handed to the modules as they are.  Every string in them is
 * owned by this value (bfs_config_release frees them); the target's fields
 * (store.bucket, store.local_root, creds.bucket, fs.prefix) point at the
 * three below.
 */
struct bfs_config {
	/* the target: BUCKET[:/PREFIX], or file:DIR for the embedded default */
	char *local_root; /* absolute path of DIR for file:DIR, else NULL */
	char *bucket;
	char *prefix;		      /* "" or "dir/sub/" (one trailing slash; a leading one
					 only from BUCKET://..., for keys that begin with '/') */
	struct bfs_store_cfg store;   /* .creds is the caller's to set */
	struct bfs_creds_opts creds;  /* the credential sources */
	struct bfs_fs_cfg fs;	      /* .stat_ttl_ms, .neg_ttl_ms: the daemon's share */
	struct bfs_daemon_cfg daemon; /* the process, its log, FUSE */
	/* options given in one form and used in another: bfs_config_finish()
	 * turns each into the module field named */
	const char *provider;	    /* preset (provider.h): store's endpoint, style... */
	const char *signature_name; /* "v4", "oss-v1", "oss-v4": store.signature */
	const char *symlinks_name;  /* "on" or "file" (default): fs.symlinks */
	const char *cache_min_free; /* "5%" or a size: fs.cache_min_free(_pct) */
	const char *use_cache;	    /* s3fs's: fs.cache_dir below it (cachedir.h) */
	long stat_ttl_ms;	    /* the whole windows: fs gets the daemon's share, */
	long neg_ttl_ms;	    /* FUSE the kernel's (bfs_config_kernel_ms) */
	unsigned int mp_umask;	    /* fs.root_mode */
	int has_mp_umask;
};

/* Fill c with defaults.  Release with bfs_config_release(). */
void bfs_config_init(struct bfs_config *c);
void bfs_config_release(struct bfs_config *c);

/*
 * Apply one option (value NULL for a bare flag).  Returns 0; 1 when it is
 * one FUSE implements (allow_other, a mount flag such as noexec): the
 * caller passes it on to FUSE; or BFS_E_CONFIG with a message naming the
 * option for a bad value or an unknown name (with the nearest option's
 * name when one is close: a typo is caught here, before any request).
 * Words that only mean something to mount(8) and systemd in /etc/fstab
 * (_netdev, nofail, noauto, x-systemd.*, ...) are accepted and ignored.
 */
int bfs_config_set(struct bfs_config *c, const char *name, const char *value, char *msg,
		   size_t msgsz);

/*
 * Apply a comma-separated option string.  The options FUSE implements are
 * appended to fuse (fuse_sz bytes) as ",name[=value]"; with fuse NULL
 * (bucketfsctl) they are an error.  Returns 0 or BFS_E_CONFIG.
 */
int bfs_config_parse_opts(struct bfs_config *c, const char *opts, char *fuse, size_t fuse_sz,
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
 * Of each freshness window (stat_ttl, negative_ttl) the kernel's cache gets
 * bfs_config_kernel_ms of it and the daemon the rest (c->fs): the kernel
 * keeps what the daemon answers for its own timeout, on top of the daemon's
 * window, so a change made on another server is seen within the window as
 * documented, not up to twice it.
 */
long bfs_config_kernel_ms(long ttl_ms); /* a tenth */

/* Print the option table (name, default, description) for --help. */
void bfs_config_help(FILE *out);

#endif
