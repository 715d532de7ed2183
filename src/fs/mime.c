/* SPDX-License-Identifier: MIT */
/*
 * mime.c - Content-Type from a file name's extension, so objects are
 * servable straight from the bucket or a CDN (image/png for the app's
 * images).  A built-in table of the common web types; anything else is
 * application/octet-stream.
 */
#include <string.h>
#include <strings.h>

#include "fs/fs_int.h"

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ "png", "image/png" },		{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },	{ "gif", "image/gif" },
	{ "webp", "image/webp" },	{ "avif", "image/avif" },
	{ "svg", "image/svg+xml" },	{ "ico", "image/x-icon" },
	{ "bmp", "image/bmp" },		{ "tif", "image/tiff" },
	{ "tiff", "image/tiff" },	{ "heic", "image/heic" },
	{ "html", "text/html" },	{ "htm", "text/html" },
	{ "css", "text/css" },		{ "js", "text/javascript" },
	{ "mjs", "text/javascript" },	{ "json", "application/json" },
	{ "txt", "text/plain" },	{ "csv", "text/csv" },
	{ "xml", "application/xml" },	{ "md", "text/markdown" },
	{ "pdf", "application/pdf" },	{ "zip", "application/zip" },
	{ "gz", "application/gzip" },	{ "tar", "application/x-tar" },
	{ "mp4", "video/mp4" },		{ "webm", "video/webm" },
	{ "mov", "video/quicktime" },	{ "mp3", "audio/mpeg" },
	{ "wav", "audio/wav" },		{ "ogg", "audio/ogg" },
	{ "woff", "font/woff" },	{ "woff2", "font/woff2" },
	{ "ttf", "font/ttf" },		{ "otf", "font/otf" },
	{ "wasm", "application/wasm" },
};

const char *bfs_mime_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (!dot || dot == name || !dot[1])
		return "application/octet-stream";
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(dot + 1, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}
