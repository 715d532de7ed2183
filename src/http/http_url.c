/* SPDX-License-Identifier: MIT */
/*
 * http_url.c - an absolute URL split into its parts by libcurl's URL API
 * (see http.h), so that what the store is told to reach is read the way
 * libcurl will read it when it connects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "bucketfs/http.h"

void bfs_url_release(struct bfs_url *u)
{
	free(u->scheme);
	free(u->user);
	free(u->host);
	free(u->port);
	free(u->path);
	free(u->query);
	free(u->fragment);
	memset(u, 0, sizeof(*u));
}

/* One part into *out (owned, malloc'd), NULL when the URL has none. */
static int part(CURLU *h, CURLUPart what, char **out)
{
	char *v = NULL;
	CURLUcode rc = curl_url_get(h, what, &v, 0);

	*out = NULL;
	if (rc == CURLUE_OUT_OF_MEMORY)
		return -ENOMEM;
	if (rc != CURLUE_OK || !v)
		return 0;
	*out = strdup(v);
	curl_free(v);
	return *out ? 0 : -ENOMEM;
}

int bfs_url_parse(const char *url, struct bfs_url *u, char *why, size_t whysz)
{
	CURLU *h = curl_url();
	CURLUcode cc;
	int rc;

	memset(u, 0, sizeof(*u));
	if (why && whysz)
		why[0] = '\0';
	if (!h)
		return -ENOMEM;
	/* (no scheme guessing: a URL without one is no absolute URL) */
	cc = curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	if (cc != CURLUE_OK) {
		curl_url_cleanup(h);
		if (cc == CURLUE_OUT_OF_MEMORY)
			return -ENOMEM;
		if (why && whysz)
			snprintf(why, whysz, "%s", curl_url_strerror(cc));
		return cc == CURLUE_BAD_PORT_NUMBER ? -ERANGE : -EINVAL;
	}
	rc = part(h, CURLUPART_SCHEME, &u->scheme);
	if (!rc)
		rc = part(h, CURLUPART_USER, &u->user);
	if (!rc)
		rc = part(h, CURLUPART_HOST, &u->host);
	if (!rc)
		rc = part(h, CURLUPART_PORT, &u->port);
	if (!rc)
		rc = part(h, CURLUPART_PATH, &u->path);
	if (!rc)
		rc = part(h, CURLUPART_QUERY, &u->query);
	if (!rc)
		rc = part(h, CURLUPART_FRAGMENT, &u->fragment);
	curl_url_cleanup(h);
	if (rc)
		bfs_url_release(u);
	return rc;
}
