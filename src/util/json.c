/* SPDX-License-Identifier: MIT */
/* json.c - small JSON objects on jansson (see json.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bucketfs/crypto.h"
#include "bucketfs/error.h"
#include "bucketfs/json.h"

struct bfs_json {
	json_t *root; /* an object */
};

int bfs_json_parse(const char *buf, size_t len, struct bfs_json **out, char *msg, size_t msgsz)
{
	struct bfs_json *j;
	json_error_t err;
	json_t *root;

	*out = NULL;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		/* err.text may quote the input: give only the position. */
		snprintf(msg, msgsz, "not valid JSON (line %d, column %d)", err.line, err.column);
		return BFS_E_PROTO;
	}
	if (!json_is_object(root)) {
		snprintf(msg, msgsz, "JSON is not an object");
		json_decref(root);
		return BFS_E_PROTO;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		json_decref(root);
		return -ENOMEM;
	}
	j->root = root;
	*out = j;
	return 0;
}

void bfs_json_free(struct bfs_json *j)
{
	const char *name;
	json_t *v;

	if (!j)
		return;
	/* The values are jansson's own copies, about to be freed: wiping
	 * them in place is safe even though the API hands them out const. */
	json_object_foreach(j->root, name, v)
	{
		if (json_is_string(v))
			bfs_wipe((void *)(uintptr_t)json_string_value(v), json_string_length(v));
	}
	json_decref(j->root);
	free(j);
}

const char *bfs_json_str(const struct bfs_json *j, const char *name)
{
	json_t *v = json_object_get(j->root, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *bfs_json_str_any(const struct bfs_json *j, const char *const *names, const char **which)
{
	const char *v;

	for (; *names; names++) {
		v = bfs_json_str(j, *names);
		if (v) {
			if (which)
				*which = *names;
			return v;
		}
	}
	return NULL;
}

int bfs_json_int(const struct bfs_json *j, const char *name, long long *out)
{
	json_t *v = json_object_get(j->root, name);

	if (!json_is_integer(v))
		return -ENOENT;
	*out = (long long)json_integer_value(v);
	return 0;
}

int bfs_json_has(const struct bfs_json *j, const char *name)
{
	return json_object_get(j->root, name) != NULL;
}
