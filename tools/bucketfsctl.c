/* SPDX-License-Identifier: MIT */
/*
 * bucketfsctl - look at and change a bucket without mounting it, through
 * the same client, options and credentials as the mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bucketfs/config.h"
#include "bucketfs/creds.h"
#include "bucketfs/ctl.h"
#include "bucketfs/error.h"
#include "bucketfs/store.h"
#include "bucketfsctl.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: bucketfsctl [OPTIONS] COMMAND ARGS...\n"
	    "\n"
	    "Commands (TARGET is BUCKET, BUCKET:/KEY, s3://BUCKET/KEY, or file:DIR:/KEY for\n"
	    "a local directory used as the bucket, the mount's embedded default):\n"
	    "  check BUCKET                  check the bucket is reachable with these credentials\n"
	    "  ls [-r] BUCKET[:/PREFIX]      list a \"directory\" (-r: every key below it)\n"
	    "  stat BUCKET:/KEY              size, mtime, ETag, type and metadata of an object\n"
	    "  get BUCKET:/KEY [FILE|-]      download (default: the key's base name)\n"
	    "  put [-t TYPE] [-c CACHE] [-m NAME=VALUE]... FILE|- BUCKET:/KEY\n"
	    "                                upload (multipart above the threshold)\n"
	    "  rm BUCKET:/KEY...             delete objects (batched)\n"
	    "  cp BUCKET:/SRC BUCKET:/DST    server-side copy within the bucket\n"
	    "  markers [-n] BUCKET[:/PREFIX] store a marker object (KEY/, mode 0755) for every\n"
	    "                                directory below that has none, as s3fs expects\n"
	    "                                (rolling back to s3fs); -n: only list them\n"
	    "  presign BUCKET:/KEY [--expires SECONDS]\n"
	    "                                a URL anyone can GET the object with, for SECONDS\n"
	    "                                (default 3600, at most 7 days)\n"
	    "\n"
	    "Commands for a running mount (MOUNT: its mount point, or its cache directory),\n"
	    "through the control socket CACHE_DIR/ctl.sock (mode 600):\n"
	    "  status MOUNT                  whether the bucket answers (or since when not),\n"
	    "                                the mount, its cache (size, cap, hit ratio) and\n"
	    "                                uploads (pending, failing, oldest), request counts\n"
	    "  stats MOUNT [--prometheus]    requests by kind and their mean time, bytes up and\n"
	    "                                down, cache hits, bytes served from the cache (the\n"
	    "                                egress avoided), errors; or the Prometheus text\n"
	    "  pending MOUNT                 journaled uploads: PATH SIZE AGE_S ATTEMPTS "
	    "LAST_ERROR\n"
	    "  flush MOUNT [SECONDS]         upload everything journaled now and wait (60 s),\n"
	    "                                showing progress, rate and time left\n"
	    "  evict MOUNT PATH|--all        drop the cached copy of PATH (or every clean one)\n"
	    "  invalidate MOUNT PATH         forget what is known of PATH (a directory: all\n"
	    "                                below it); the next use asks the bucket\n"
	    "  fsck MOUNT [--repair]         check the cache against its index; --repair drops\n"
	    "                                damaged copies and unreferenced data files\n"
	    "\n"
	    "Options:\n"
	    "  -o OPT[=VAL][,...]            mount options, as for bucketfs(8):\n");
	bfs_config_help(out);
	fprintf(out, "  -v, --verbose                 trace requests (credentials redacted)\n"
		     "  -h, --help                    this text\n"
		     "  -V, --version                 version\n"
		     "\n");
	bfs_creds_help(out);
}

int die_store(int rc, const char *what)
{
	char msg[MSG];

	bfs_store_describe(rc, msg, sizeof(msg));
	fprintf(stderr, "bucketfsctl: %s: %s\n", what, msg);
	return 1;
}

/* Parse TARGET, then open the store for its bucket. */
int open_target(struct ctx *c, const char *target, int need_key)
{
	char msg[MSG] = "";
	int rc;

	rc = bfs_config_parse_target(&c->cfg, target, msg, sizeof(msg));
	if (!rc)
		rc = bfs_config_finish(&c->cfg, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "bucketfsctl: %s\n", msg[0] ? msg : bfs_strerror(rc));
		return -1;
	}
	if (need_key && !c->cfg.prefix[0]) {
		fprintf(stderr, "bucketfsctl: '%s' names no object (expected BUCKET:/KEY)\n",
			target);
		return -1;
	}
	if (c->st)
		return 0;
	c->creds = bfs_creds_new();
	if (!c->creds) {
		fprintf(stderr, "bucketfsctl: out of memory\n");
		return -1;
	}
	rc = c->cfg.local_root ? 0 : bfs_creds_load(c->creds, &c->cfg.creds, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "bucketfsctl: %s\n", msg);
		return -1;
	}
	c->cfg.store.creds = c->creds;
	rc = bfs_store_open(&c->cfg.store, &c->st, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "bucketfsctl: %s\n", msg[0] ? msg : bfs_strerror(rc));
		return -1;
	}
	return 0;
}

/* The key named by the target: the prefix without its trailing slash. */
static char *target_key(const struct ctx *c)
{
	size_t n = strlen(c->cfg.prefix);

	return strndup(c->cfg.prefix, n && c->cfg.prefix[n - 1] == '/' ? n - 1 : n);
}

void fmt_time(time_t t, char *out, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static int cmd_check(struct ctx *c, int argc, char **argv)
{
	int rc;

	if (argc != 1 || open_target(c, argv[0], 0))
		return 2;
	rc = bfs_store_check(c->st);
	if (rc)
		return die_store(rc, c->cfg.bucket);
	printf("ok: bucket %s at %s\n", c->cfg.bucket, bfs_store_endpoint(c->st));
	return 0;
}

static int cmd_stat(struct ctx *c, int argc, char **argv)
{
	struct bfs_obj_info info;
	char when[32], *key;
	int rc, i;

	if (argc != 1 || open_target(c, argv[0], 1))
		return 2;
	key = target_key(c);
	rc = bfs_store_head(c->st, key, &info);
	if (rc) {
		rc = die_store(rc, key);
		free(key);
		return rc;
	}
	fmt_time(info.mtime, when, sizeof(when));
	printf("key: %s\nsize: %llu\nmtime: %s UTC\netag: %s\ncontent-type: %s\n", key,
	       (unsigned long long)info.size, when, info.etag, info.content_type);
	if (info.cache_control[0])
		printf("cache-control: %s\n", info.cache_control);
	for (i = 0; i < info.nmeta; i++)
		printf("meta %s: %s\n", info.meta[i].name, info.meta[i].value);
	free(key);
	return 0;
}

static int cmd_get(struct ctx *c, int argc, char **argv)
{
	const char *dest;
	char *key, *tmp = NULL;
	int fd = -1, rc = 1, err;

	if (argc < 1 || argc > 2 || open_target(c, argv[0], 1))
		return 2;
	key = target_key(c);
	dest = argc == 2 ? argv[1] : (strrchr(key, '/') ? strrchr(key, '/') + 1 : key);
	if (!strcmp(dest, "-")) {
		fd = STDOUT_FILENO;
	} else {
		/* Write to a temporary name so a failed GET leaves no torn file. */
		if (asprintf(&tmp, "%s.bucketfsctl-XXXXXX", dest) < 0) {
			tmp = NULL;
			goto out;
		}
		fd = mkstemp(tmp);
		if (fd < 0) {
			fprintf(stderr, "bucketfsctl: %s: %s\n", dest, strerror(errno));
			goto out;
		}
	}
	err = bfs_store_get_fd(c->st, key, NULL, fd, fd == STDOUT_FILENO ? -1 : 0, NULL);
	if (err) {
		rc = die_store(err, key);
		goto out;
	}
	if (tmp) {
		if (fsync(fd) < 0 || rename(tmp, dest) < 0) {
			fprintf(stderr, "bucketfsctl: %s: %s\n", dest, strerror(errno));
			goto out;
		}
		free(tmp);
		tmp = NULL;
	}
	rc = 0;
out:
	if (fd >= 0 && fd != STDOUT_FILENO)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(key);
	return rc;
}

/* Copy stdin into an unlinked temporary file so it can be read with pread. */
static int spool_stdin(void)
{
	char path[] = "/tmp/bucketfsctl-XXXXXX", buf[65536];
	int fd = mkstemp(path);
	ssize_t r;

	if (fd < 0)
		return -1;
	unlink(path);
	while ((r = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || write(fd, buf, (size_t)r) != r) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int cmd_put(struct ctx *c, int argc, char **argv)
{
	struct bfs_meta_kv meta[BFS_MAX_META];
	struct bfs_put_opts po = { 0 };
	char etag[BFS_ETAG_MAX], *key = NULL;
	struct stat sb;
	int fd = -1, rc = 2, err, opt;

	po.meta = meta;
	optind = 0;
	while ((opt = getopt(argc + 1, argv - 1, "+t:c:m:")) != -1) {
		const char *eq;

		switch (opt) {
		case 't':
			po.content_type = optarg;
			break;
		case 'c':
			po.cache_control = optarg;
			break;
		case 'm':
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || po.nmeta >= BFS_MAX_META ||
			    (size_t)(eq - optarg) >= sizeof(meta[0].name) ||
			    strlen(eq + 1) >= sizeof(meta[0].value)) {
				fprintf(stderr, "bucketfsctl: bad -m '%s' (NAME=VALUE)\n", optarg);
				return 2;
			}
			snprintf(meta[po.nmeta].name, sizeof(meta[0].name), "%.*s",
				 (int)(eq - optarg), optarg);
			snprintf(meta[po.nmeta].value, sizeof(meta[0].value), "%s", eq + 1);
			po.nmeta++;
			break;
		default:
			return 2;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 2 || open_target(c, argv[1], 1))
		return 2;
	key = target_key(c);
	fd = !strcmp(argv[0], "-") ? spool_stdin() : open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		fprintf(stderr, "bucketfsctl: %s: %s\n", argv[0], strerror(errno));
		rc = 1;
		goto out;
	}
	err = bfs_store_put_fd(c->st, key, fd, 0, (uint64_t)sb.st_size, &po, etag);
	if (err) {
		rc = die_store(err, key);
		goto out;
	}
	printf("%s %s\n", etag, key);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(key);
	return rc;
}

static int cmd_rm(struct ctx *c, int argc, char **argv)
{
	char **keys;
	size_t nfailed = 0;
	int i, rc = 0, err;

	if (argc < 1)
		return 2;
	keys = calloc((size_t)argc, sizeof(*keys));
	if (!keys)
		return 1;
	for (i = 0; i < argc; i++) {
		if (open_target(c, argv[i], 1)) {
			rc = 2;
			goto out;
		}
		if (i && strcmp(c->cfg.bucket, bfs_store_bucket(c->st))) {
			fprintf(stderr, "bucketfsctl: rm: all keys must be in one bucket\n");
			rc = 2;
			goto out;
		}
		keys[i] = target_key(c);
	}
	err = argc == 1
		  ? bfs_store_delete(c->st, keys[0])
		  : bfs_store_delete_many(c->st, (const char *const *)keys, (size_t)argc, &nfailed);
	if (err)
		rc = die_store(err, argc == 1 ? keys[0] : "rm");
out:
	for (i = 0; i < argc; i++)
		free(keys[i]);
	free(keys);
	return rc;
}

static int cmd_cp(struct ctx *c, int argc, char **argv)
{
	char etag[BFS_ETAG_MAX], *src, *dst;
	int rc;

	if (argc != 2 || open_target(c, argv[0], 1))
		return 2;
	src = target_key(c);
	if (open_target(c, argv[1], 1)) {
		free(src);
		return 2;
	}
	if (strcmp(c->cfg.bucket, bfs_store_bucket(c->st))) {
		fprintf(stderr, "bucketfsctl: cp: source and destination must be in one bucket\n");
		free(src);
		return 2;
	}
	dst = target_key(c);
	rc = bfs_store_copy(c->st, src, dst, NULL, etag);
	if (rc)
		rc = die_store(rc, src);
	else
		printf("%s %s\n", etag, dst);
	free(src);
	free(dst);
	return rc;
}

static int cmd_presign(struct ctx *c, int argc, char **argv)
{
	struct bfs_buf url = BFS_BUF_INIT(65536);
	char msg[MSG] = "", *key, *end;
	long expires = 3600;
	int rc;

	if (argc == 3 && !strcmp(argv[1], "--expires")) {
		expires = strtol(argv[2], &end, 10);
		if (*end || !*argv[2])
			return 2;
	} else if (argc != 1) {
		return 2;
	}
	if (open_target(c, argv[0], 1))
		return 2;
	key = target_key(c);
	if (!key)
		return 1;
	rc = bfs_store_presign(c->st, key, expires, &url, msg, sizeof(msg));
	if (rc && msg[0])
		fprintf(stderr, "bucketfsctl: presign: %s\n", msg);
	else if (rc)
		rc = die_store(rc, key);
	else
		printf("%s\n", bfs_buf_str(&url));
	bfs_buf_release(&url);
	free(key);
	return rc ? 1 : 0;
}

/*
 * Commands for a running mount, through its control socket (ctl.h):
 * MOUNT is its mount point (or cache directory, or the socket itself).
 */
static int to_daemon(int argc, char **argv, const char *cmd, int min, int max)
{
	char sock[4200], msg[MSG], req[4096];
	struct show sh;
	size_t n;
	int i, rc;

	if (argc < min || argc > max)
		return 2;
	if (bfs_ctl_find(argv[0], sock, sizeof(sock), msg, sizeof(msg))) {
		fprintf(stderr, "bucketfsctl: %s\n", msg);
		return 1;
	}
	n = (size_t)snprintf(req, sizeof(req), "%s", cmd);
	for (i = 1; i < argc && n < sizeof(req); i++)
		n += (size_t)snprintf(req + n, sizeof(req) - n, " %s", argv[i]);
	if (n >= sizeof(req) || strchr(req, '\n')) {
		fprintf(stderr, "bucketfsctl: arguments too long or with a newline\n");
		return 2;
	}
	show_init(&sh, cmd);
	rc = bfs_ctl_request(sock, req, show_line, &sh, msg, sizeof(msg));
	show_end(&sh);
	if (rc)
		fprintf(stderr, "bucketfsctl: %s: %s\n", cmd, msg);
	else if (!sh.lines && !strcmp(cmd, "pending") && isatty(STDERR_FILENO))
		fprintf(stderr, "bucketfsctl: no pending uploads\n");
	return rc ? 1 : 0;
}

static int cmd_status(struct ctx *c, int argc, char **argv)
{
	(void)c;
	return to_daemon(argc, argv, "status", 1, 1);
}

static int cmd_stats(struct ctx *c, int argc, char **argv)
{
	(void)c;
	if (argc == 2 && strcmp(argv[1], "--prometheus"))
		return 2;
	return to_daemon(argc, argv, "stats", 1, 2);
}

static int cmd_pending(struct ctx *c, int argc, char **argv)
{
	(void)c;
	return to_daemon(argc, argv, "pending", 1, 1);
}

static int cmd_flush(struct ctx *c, int argc, char **argv)
{
	(void)c;
	return to_daemon(argc, argv, "flush", 1, 2);
}

static int cmd_evict(struct ctx *c, int argc, char **argv)
{
	(void)c;
	return to_daemon(argc, argv, "evict", 2, 2);
}

static int cmd_invalidate(struct ctx *c, int argc, char **argv)
{
	(void)c;
	return to_daemon(argc, argv, "invalidate", 2, 2);
}

static int cmd_fsck(struct ctx *c, int argc, char **argv)
{
	(void)c;
	if (argc == 2 && strcmp(argv[1], "--repair"))
		return 2;
	return to_daemon(argc, argv, "fsck", 1, 2);
}

static const struct {
	const char *name;
	int (*fn)(struct ctx *c, int argc, char **argv);
} commands[] = {
	{ "markers", cmd_markers }, { "check", cmd_check },
	{ "ls", cmd_ls },	    { "stat", cmd_stat },
	{ "get", cmd_get },	    { "put", cmd_put },
	{ "rm", cmd_rm },	    { "cp", cmd_cp },
	{ "presign", cmd_presign }, { "status", cmd_status },
	{ "stats", cmd_stats },	    { "pending", cmd_pending },
	{ "flush", cmd_flush },	    { "evict", cmd_evict },
	{ "fsck", cmd_fsck },	    { "invalidate", cmd_invalidate },
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { 0 };
	char msg[MSG];
	size_t i;
	int opt, rc = 2;

	bfs_config_init(&c.cfg);
	while ((opt = getopt_long(argc, argv, "+o:vhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (bfs_config_parse_opts(&c.cfg, optarg, NULL, 0, msg, sizeof(msg))) {
				fprintf(stderr, "bucketfsctl: %s\n", msg);
				goto out;
			}
			break;
		case 'v':
			c.cfg.store.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		case 'V':
			printf("bucketfsctl %s\n", BFS_VERSION);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		goto out;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[optind], commands[i].name)) {
			rc = commands[i].fn(&c, argc - optind - 1, argv + optind + 1);
			if (rc == 2 && !c.st)
				fprintf(stderr, "usage: see bucketfsctl --help\n");
			goto out;
		}
	}
	fprintf(stderr, "bucketfsctl: unknown command '%s' (see --help)\n", argv[optind]);
out:
	bfs_store_close(c.st);
	bfs_creds_free(c.creds);
	bfs_config_release(&c.cfg);
	return rc;
}
