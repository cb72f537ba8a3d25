/*
 * hello - the CGI floor for `make bench`: the least a C CGI can do, one
 * stdio printf of a header block and a tiny JSON body.  Everything our
 * cache hit costs above this is our own work.
 */
#include <stdio.h>

int
main(void)
{
	printf("Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\n"
	    "\r\n"
	    "{\"hello\":\"world\"}\n");
	return fflush(stdout) != 0 || ferror(stdout);
}
