/*
 * naive - what a straightforward CGI fetcher does, for `make bench`: link
 * libcurl and json-c, GET $IMMICH_URL/api/jobs with the x-api-key header,
 * parse the whole body with json-c, add up jobCounts.active, print JSON.
 * No cache, no dlopen: the reference our cache miss is compared against.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

struct buf {
	char	*p;
	size_t	 len;
};

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;
	char *p;

	if ((p = realloc(b->p, b->len + n + 1)) == NULL)
		return 0;
	memcpy(p + b->len, data, n);
	b->p = p;
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

static int
fail(const char *msg)
{
	printf("Status: 502 Bad Gateway\r\n"
	    "Content-Type: application/json\r\n\r\n"
	    "{\"error\":\"%s\"}\n", msg);
	return 0;
}

int
main(void)
{
	const char *base = getenv("IMMICH_URL"), *key =
	    getenv("IMMICH_JOBS_API_KEY");
	char url[1024], hdr[512];
	struct curl_slist *hdrs = NULL;
	struct buf b = { NULL, 0 };
	json_object *root, *counts, *v;
	long status = 0;
	int64_t active = 0;
	CURL *curl;
	CURLcode rc;

	if (base == NULL || key == NULL)
		return fail("IMMICH_URL and IMMICH_JOBS_API_KEY must be set");
	snprintf(url, sizeof(url), "%s/api/jobs", base);
	snprintf(hdr, sizeof(hdr), "x-api-key: %s", key);
	if ((curl = curl_easy_init()) == NULL)
		return fail("curl_easy_init failed");
	hdrs = curl_slist_append(hdrs, hdr);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK || status != 200 || b.p == NULL)
		return fail("Immich could not be reached");
	if ((root = json_tokener_parse(b.p)) == NULL)
		return fail("Immich's answer is not JSON");
	json_object_object_foreach(root, name, queue) {
		(void)name;
		if (json_object_object_get_ex(queue, "jobCounts", &counts) &&
		    json_object_object_get_ex(counts, "active", &v))
			active += json_object_get_int64(v);
	}
	json_object_put(root);
	free(b.p);
	printf("Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\n"
	    "\r\n"
	    "{\"active\":%lld}\n", (long long)active);
	return fflush(stdout) != 0 || ferror(stdout);
}
