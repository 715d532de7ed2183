/* SPDX-License-Identifier: MIT */
/*
 * config_int.h - what config.c (the option table and its parser) and
 * config_target.c (the target, the checks after the options) share.
 */
#ifndef BUCKETFS_CONFIG_INT_H
#define BUCKETFS_CONFIG_INT_H

#include <stdint.h>

/*
 * A decimal count into *out: digits only (no sign, no blanks), with
 * allow_suffix a K, M, G or T (powers of 1024; also Ki, KB, KiB) after
 * them; 0, or -1 for anything else or a value over 2^64 - 1 (config.c).
 */
int config_parse_u64(const char *v, uint64_t *out, int allow_suffix);

/*
 * Replace a string of the configuration with s (owned from now; NULL to
 * clear), freeing the old one: module fields are const char * (borrowed
 * by the modules), and owned by struct bfs_config (config.c).
 */
void config_set_str(const char **field, char *s);

#endif
