#!/bin/sh
# cgi/load-order.sh CC [FLAGS] - the -l options that name first, in the
# fetch module's DT_NEEDED, those of libcurl's libraries that most symbol
# bindings resolve to when cgi/module.c loads the module.
#
# ld.so looks each of the ~9,000 bindings of a miss up in the module's
# libraries in breadth-first order of DT_NEEDED, and most of them are a
# library's references to itself: libcrypto's 4,000 walked past ten other
# libraries first (16.3 M instructions per miss; 13.1 M in this order).
# The list is LD_DEBUG=bindings's count per library on Debian 12, most
# first; every symbol still binds to the same library (compare the
# bindings of a miss with and without these options).  Only libraries
# libcurl really loads are named; where they cannot be listed (a cross
# build: ldd runs this machine's loader) it prints nothing, which costs
# only speed.
curl=$("$@" -print-file-name=libcurl.so 2> /dev/null) || exit 0
ldd "$curl" 2> /dev/null | awk '
BEGIN {
	n = split("libcrypto libc libgnutls libnettle libunistring libldap " \
	    "libhogweed libssl liblber libgmp", want)
}
$2 == "=>" && $3 ~ /^\// {
	base = $1
	sub(/[-.].*/, "", base)
	have[base] = $1
}
END {
	for (i = 1; i <= n; i++)
		if (want[i] in have)
			printf "%s-l:%s", (out++ ? " " : ""), have[want[i]]
	if (out)
		print ""
}'
exit 0
