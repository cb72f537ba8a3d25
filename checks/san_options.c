/*
 * san_options.c - default sanitizer options for the `make check-asan`
 * build of the CGI front and the unit tests.
 *
 * lighttpd's mod_cgi and tests/lib.sh's cgi() both run the binary with a
 * clean environment, so ASAN_OPTIONS would not reach it: the options are
 * compiled in instead.  Every report goes to a file under SAN_LOG_DIR
 * ("asan.<pid>", "ubsan.<pid>"), which `make check-asan` lists and fails
 * on, so a report from a CGI that lighttpd ran is not lost in its log.
 * An ASAN_OPTIONS / UBSAN_OPTIONS in the environment still overrides these.
 */
#ifndef SAN_LOG_DIR
#define SAN_LOG_DIR "/tmp"
#endif

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=1:abort_on_error=0:exitcode=86"
	    ":strict_string_checks=1:detect_stack_use_after_return=1"
	    ":check_initialization_order=1:log_path=" SAN_LOG_DIR "/asan";
}

const char *
__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1:exitcode=87"
	    ":log_path=" SAN_LOG_DIR "/ubsan";
}

const char *
__lsan_default_options(void)
{
	return "exitcode=88";
}
