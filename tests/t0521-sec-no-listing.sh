#!/bin/sh
# No directory listing and no static file, even with files in lighttpd's
# document root and in the directory of the CGI: directories and files
# alike are the CGI's JSON 404 (mod_dirlisting, mod_indexfile and
# mod_staticfile never answer).
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
lighttpd_start IMMICH_JOBS_TIMEOUT=2
canary=listing-canary-$$
mkdir -p "$T/empty/sub"
echo "$canary" > "$T/empty/$canary.txt"
echo "$canary" > "$T/empty/index.html"
echo "$canary" > "$T/empty/sub/$canary.txt"
for p in /sub/ /sub "/$canary.txt" /index.html "/sub/$canary.txt" \
    /immich-jobs/ /build/ /tests/ /cgi/ /lib/ /tests/fixtures/; do
	http GET "$p"
	echo "# GET $p"
	expect_error 404 "no such path"
	check "$p: no listing, no file" sh -c "! grep -qiE '$canary|Index of|<html|\\.json|\\.c\\b' '$T/body'"
done
http GET /
check "/ is the service, not a listing or index.html" [ "$STATUS:$(json '"active" in j')" = "200:true" ]
no_leak
finish
