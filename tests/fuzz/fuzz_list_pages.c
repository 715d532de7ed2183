/* SPDX-License-Identifier: MIT */
/*
 * fuzz_list_pages.c - libFuzzer target for listing pagination: a listing
 * read page after page, the way the store's callers loop (readdir's
 * refresh_listing, rename_dir, bucketfsctl ls):
 *
 *	token = NULL;
 *	do {
 *		bfs_store_list(..., token, ...)     -> s3_list -> bfs_xml_parse_list
 *		use the page;
 *		token = l.truncated && l.next_token ? strdup(l.next_token) : NULL;
 *	} while (token);
 *
 * The network part cannot run here; the pure part can: the input is a
 * sequence of answers (pages separated by a NUL byte, which no XML
 * document in UTF-8 holds), each parsed as the store parses it, and the
 * loop's rules are checked on every page:
 *   - a failed page leaves the result empty (the loop stops, nothing leaks);
 *   - a truncated page always yields a non-empty token: the loop tests
 *     "l.truncated && l.next_token", so a truncated page without one would
 *     end the listing early and silently, and s3_list drops an empty token
 *     from the request, so "" would restart the listing from the start,
 *     forever;
 *   - the token fits in the next request (at most 4096 bytes);
 *   - a ListObjects V1 page without NextMarker continues after whichever of
 *     its last key and last common prefix sorts later (xml.h); a V2 page
 *     without NextContinuationToken cannot be truncated (which of these
 *     elements a page has is read by a separate pass of expat);
 *   - every entry is a key the loop can use (1..BFS_XML_MAX_KEY bytes).
 * The first byte holds flags: bit 0 is url_encoded (s3_list passes 0 and
 * relies on <EncodingType>; 1 is what a caller asking for encoding-type=url
 * without trusting the answer would pass).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <expat.h>

#include "bucketfs/error.h"
#include "bucketfs/xml.h"
#include "fuzz.h"

#define MAX_PAGES 64
#define TOKEN_MAX 4096 /* the longest NextContinuationToken the parser keeps */

/* The children of the root that decide how a page continues, read with
 * expat on its own (an oracle independent of xml_list.c's tables). */
enum { HAS_NEXT_MARKER = 1, HAS_NEXT_TOKEN = 2, HAS_V2 = 4 };

struct shape {
	int depth;
	int has;
};

static void XMLCALL shape_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct shape *sh = ud;

	(void)attrs;
	if (sh->depth++ != 1)
		return;
	if (!strcmp(name, "NextMarker"))
		sh->has |= HAS_NEXT_MARKER;
	else if (!strcmp(name, "NextContinuationToken"))
		sh->has |= HAS_NEXT_TOKEN | HAS_V2;
	else if (!strcmp(name, "KeyCount") || !strcmp(name, "ContinuationToken") ||
		 !strcmp(name, "StartAfter"))
		sh->has |= HAS_V2;
}

static void XMLCALL shape_end(void *ud, const XML_Char *name)
{
	(void)name;
	((struct shape *)ud)->depth--;
}

static int page_shape(const char *page, size_t len)
{
	struct shape sh = { 0, 0 };
	XML_Parser p = XML_ParserCreate(NULL);

	FUZZ_CHECK(p != NULL);
	XML_SetUserData(p, &sh);
	XML_SetElementHandler(p, shape_start, shape_end);
	FUZZ_CHECK(XML_Parse(p, page, (int)len, XML_TRUE) == XML_STATUS_OK);
	XML_ParserFree(p);
	return sh.has;
}

/* What xml.h promises about a page without an explicit token. */
static void check_implicit_token(const char *page, size_t len, const struct bfs_listing *l)
{
	const char *last = NULL;
	int has = page_shape(page, len);

	if (has & HAS_V2) {
		/* V2 without NextContinuationToken: cannot be truncated */
		if (!(has & HAS_NEXT_TOKEN))
			FUZZ_CHECK(!l->truncated);
		return;
	}
	if (!l->truncated || (has & HAS_NEXT_MARKER))
		return;
	/* V1 without NextMarker: the later of the last key and last prefix */
	if (l->nobjects)
		last = l->objects[l->nobjects - 1].key;
	if (l->nprefixes && (!last || strcmp(l->prefixes[l->nprefixes - 1], last) > 0))
		last = l->prefixes[l->nprefixes - 1];
	FUZZ_CHECK(last != NULL);
	FUZZ_CHECK(strcmp(l->next_token, last) == 0);
}

static void check_page(const struct bfs_listing *l)
{
	size_t i, n;

	FUZZ_CHECK(l->nobjects + l->nprefixes <= BFS_XML_MAX_ENTRIES);
	for (i = 0; i < l->nobjects; i++) {
		n = strlen(l->objects[i].key);
		FUZZ_CHECK(n >= 1 && n <= BFS_XML_MAX_KEY);
	}
	for (i = 0; i < l->nprefixes; i++) {
		n = strlen(l->prefixes[i]);
		FUZZ_CHECK(n >= 1 && n <= BFS_XML_MAX_KEY);
	}
	if (l->truncated) {
		FUZZ_CHECK(l->next_token != NULL);
		FUZZ_CHECK(l->next_token[0] != '\0');
	}
	if (l->next_token) {
		n = strlen(l->next_token);
		FUZZ_CHECK(n >= 1 && n <= TOKEN_MAX);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	int enc = fuzz_byte(&in) & 1, pages = 0, rc;
	char *token = NULL;
	struct bfs_listing l;

	while (in.n && pages++ < MAX_PAGES) {
		const uint8_t *p, *nul;
		size_t len;
		char *page;

		FUZZ_CHECK(!token || token[0]);
		p = in.p;
		nul = memchr(in.p, '\0', in.n);
		len = nul ? (size_t)(nul - in.p) : in.n;
		in.p += len + (nul != NULL);
		in.n -= len + (nul != NULL);
		page = fuzz_dup(p, len);

		memset(&l, 'x', sizeof(l));
		rc = bfs_xml_parse_list(page, len, enc, &l);
		FUZZ_CHECK(rc == 0 || rc == BFS_E_PROTO || rc == -ENOMEM);
		free(token);
		token = NULL;
		if (rc) {
			FUZZ_CHECK(!l.objects && !l.nobjects && !l.prefixes && !l.nprefixes &&
				   !l.truncated && !l.next_token);
			free(page);
			break;
		}
		check_page(&l);
		check_implicit_token(page, len, &l);
		free(page);
		if (l.truncated && l.next_token) {
			token = strdup(l.next_token);
			FUZZ_CHECK(token != NULL);
		}
		bfs_listing_release(&l);
		if (!token)
			break; /* the listing is complete */
	}
	free(token);
	return 0;
}
