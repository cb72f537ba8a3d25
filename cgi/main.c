/*
 * immich-jobs - Immich's job counts, added up for Homepage.
 *
 * Run by lighttpd as a CGI (GATEWAY_INTERFACE set) it answers
 *   GET /         JSON totals and by_queue    (render_json)
 *   GET /metrics  Prometheus text             (render_metrics)
 *   GET /healthz  {"status":"ok"} unless the service cannot work until
 *                 someone acts (serve_health), without calling Immich
 * with a full header block, also on every failure.  Run from a shell it
 * prints the body alone: see usage().
 *
 * Flow: read the request once (struct request), route, load the
 * configuration, get the counts (lib/counts.c: cache, else Immich), write
 * headers (write_headers) and body.  A failure anywhere is one struct err
 * that reaches respond_error().
 *
 * Why dlopen: loading libcurl costs ~12 M instructions per process (ld.so
 * relocating its 33 libraries), ~100x a hello-world CGI, and most requests
 * are answered from the cache.  So this binary links only libc and lib/'s
 * libc-only parts; libcurl and json-c live in immich-jobs-fetch.so beside
 * the binary and are loaded on a cache miss alone (load_upstream).
 */
#include <sys/time.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/resource.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/config.h"
#include "../lib/counts.h"
#include "../lib/err.h"
#include "../lib/render.h"
#include "../lib/upstream.h"

#ifndef VERSION
#define VERSION "dev"
#endif
#define MODULE_NAME	"immich-jobs-fetch.so"

/*
 * How the module is loaded (make bench measures the miss against a program
 * linked with libcurl): RTLD_LAZY binds functions on first call, as exec
 * does, where RTLD_NOW bound all of libcurl's 33 libraries up front (+2.8 M
 * instructions).  RTLD_DEEPBIND makes those libraries look up symbols in
 * their own scope first, as in a program linked with libcurl, rather than
 * in this binary's scope first (+1.2 M).  Nothing in the module uses the
 * stdout/stderr copies this binary holds.  Sanitizer runtimes refuse
 * RTLD_DEEPBIND, so sanitizer builds go without it, as does musl, which
 * has no such flag.
 */
#ifdef RTLD_DEEPBIND			/* glibc; musl (Alpine) has none */
#define DLOPEN_DEEPBIND	RTLD_DEEPBIND
#else
#define DLOPEN_DEEPBIND	0
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#undef DLOPEN_DEEPBIND
#define DLOPEN_DEEPBIND	0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#undef DLOPEN_DEEPBIND
#define DLOPEN_DEEPBIND	0
#endif
#endif
#define DLOPEN_FLAGS	(RTLD_LAZY | RTLD_LOCAL | DLOPEN_DEEPBIND)

enum route { ROUTE_JOBS, ROUTE_HOMEPAGE, ROUTE_METRICS, ROUTE_HEALTH };

/* The CGI environment, read once. */
struct request {
	int		 is_cgi;	/* GATEWAY_INTERFACE is set */
	int		 head;		/* REQUEST_METHOD is HEAD */
	const char	*method;	/* REQUEST_METHOD */
	const char	*path;		/* PATH_INFO, "/" when empty */
	/*
	 * GET /homepage: the answer of /, but an error with status 200.
	 * Homepage shows an answer of 400 or more as "HTTP Error" and our
	 * body as one escaped string; a 200 with an "error" key, as that
	 * error's sentence.
	 */
	int		 errors_as_200;
};

static const struct {
	const char	*path;
	enum route	 route;
} routes[] = {
	{ "/",		ROUTE_JOBS },
	{ "/homepage",	ROUTE_HOMEPAGE },
	{ "/metrics",	ROUTE_METRICS },
	{ "/healthz",	ROUTE_HEALTH },
	{ NULL,		ROUTE_JOBS }
};

static struct timespec started;

static const char *
env(const char *name)
{
	return getenv(name);
}

/* 1 when the variable name holds something other than white space. */
static int
names_file(const char *name)
{
	const char *v = getenv(name);

	if (v != NULL)
		for (; *v != '\0'; v++)
			if (*v != ' ' && *v != '\t' && *v != '\r' && *v != '\n')
				return 1;
	return 0;
}

static void
read_request(struct request *r)
{
	const char *gw = getenv("GATEWAY_INTERFACE");
	const char *path = getenv("PATH_INFO");

	r->is_cgi = gw != NULL && gw[0] != '\0';
	r->method = getenv("REQUEST_METHOD");
	if (r->method == NULL)
		r->method = "GET";
	r->head = strcmp(r->method, "HEAD") == 0;
	r->path = (path == NULL || path[0] == '\0') ? "/" : path;
	r->errors_as_200 = 0;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Error";
	}
}

/*
 * The hard cap.  Whatever blocks (a name server that never answers under a
 * libcurl that waits for it, a key file that never ends, a stuck disk), the
 * process answers by IMMICH_JOBS_TIMEOUT + 1 s and is gone by + 2 s, so it
 * never holds the cache lock longer (the lock goes with the process): a
 * timer set from the start writes a prepared answer (arm_hard_cap) and
 * ends the process; when the real answer has begun, it gets one more
 * second first.  The handler makes async-signal-safe calls only.
 */
static struct {
	volatile sig_atomic_t	 answering;	/* the real answer has begun */
	volatile sig_atomic_t	 extended;	/* the extra second is given */
	char			 out[2048];	/* prepared answer for stdout */
	size_t			 out_len;
	char			 log[ERR_MSG_MAX + 64];	/* and for stderr */
	size_t			 log_len;
} cap;

static void
on_hard_cap(int sig)
{
	(void)sig;
	if (cap.answering && !cap.extended) {
		cap.extended = 1;
		alarm(1);
		return;
	}
	if (!cap.answering && cap.out_len > 0)
		(void)!write(STDOUT_FILENO, cap.out, cap.out_len);
	(void)!write(STDERR_FILENO, cap.log, cap.log_len);
	_exit(1);
}

/* The only place that writes HTTP headers.  extra: more header lines. */
static void
write_headers_to(FILE *out, const struct request *r, int status,
    const char *type, const char *extra)
{
	if (!r->is_cgi)
		return;
	if (r->errors_as_200)
		status = 200;
	fprintf(out, "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Cache-Control: no-store\r\n"
	    "%s"
	    "\r\n", status, reason(status), type, extra != NULL ? extra : "");
}

static void
write_headers(const struct request *r, int status, const char *type,
    const char *extra)
{
	cap.answering = 1;
	write_headers_to(stdout, r, status, type, extra);
}

/*
 * The answer is complete: close stdout, not just flush it, so the web
 * server has all of it and ends the request even if what follows (exit,
 * libraries' cleanup, a resolver thread) takes its time.
 */
static int
finish(void)
{
	int bad = ferror(stdout);

	if (fclose(stdout) != 0 || bad) {
		fprintf(stderr, "immich-jobs-proxy: writing the answer: %s\n",
		    strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * Log a failure: lighttpd's log for a CGI, "immich-jobs: <msg>" on stderr
 * for a shell.
 */
static void
log_error(const struct request *r, const struct err *e)
{
	cap.answering = 1;
	if (r->is_cgi)
		fprintf(stderr, "immich-jobs-proxy: %d: %s\n", e->status,
		    e->msg);
	else
		fprintf(stderr, "immich-jobs: %s\n", e->msg);
}

/* Answer the CGI's request with e, logging nothing. */
static int
answer_error(const struct request *r, const struct err *e, const char *extra)
{
	write_headers(r, e->status, "application/json", extra);
	if (!r->head)
		render_error(stdout, e);
	return finish();
}

/*
 * Answer with e, and log it.  From a shell: the message on stderr and
 * shell_rc, 2 for a configuration error and 1 when Immich failed.
 */
static int
respond_error(const struct request *r, const struct err *e,
    const char *extra, int shell_rc)
{
	log_error(r, e);
	if (!r->is_cgi)
		return shell_rc;
	return answer_error(r, e, extra);
}

/*
 * Why the module at path did not load (dlerror's text in why): this
 * machine's problem in every case (500), never Immich's.  glibc keeps the
 * cause in the text alone, so the shortages are told by their strerror.
 */
static void
module_error(const char *path, const char *why, struct err *e)
{
	char doing[64];
	int fds;

	if (why == NULL)
		why = "(no reason given)";
	snprintf(doing, sizeof(doing), "loading %s", MODULE_NAME);
	if ((fds = err_fd_shortage()) != 0 ||
	    strstr(why, strerror(EMFILE)) != NULL)
		err_local(e, fds != 0 ? fds : EMFILE, doing);
	else if (strstr(why, strerror(ENOMEM)) != NULL ||
	    strstr(why, "failed to map segment") != NULL)
		err_local(e, ENOMEM, doing);
	else if (access(path, F_OK) == -1 && errno == ENOENT)
		err_set(e, 500, 0, "this installation is incomplete: %s, which "
		    "calls Immich, is missing beside this program (%s): install "
		    "both together (make install, or the Docker image)",
		    MODULE_NAME, path);
	else
		err_set(e, 500, 0, "this machine's problem, not Immich's: "
		    "cannot load %s: %s", MODULE_NAME, why);
}

/* Load immich-jobs-fetch.so from the directory of this binary (once: a
 * request calls Immich at most once). */
static upstream_get_fn
load_upstream(struct err *e)
{
	upstream_get_fn fn;
	char path[PATH_MAX];
	ssize_t n;
	char *slash;
	void *h;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0) {
		err_set(e, 500, 0, "cannot find this program's directory: %s",
		    strerror(errno));
		return NULL;
	}
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL ||
	    (size_t)(slash + 1 - path) + sizeof(MODULE_NAME) > sizeof(path)) {
		err_set(e, 500, 0, "cannot find this program's directory");
		return NULL;
	}
	strcpy(slash + 1, MODULE_NAME);
	if ((h = dlopen(path, DLOPEN_FLAGS)) == NULL ||
	    (fn = (upstream_get_fn)(uintptr_t)dlsym(h, UPSTREAM_SYMBOL)) ==
	    NULL) {
		module_error(path, dlerror(), e);
		return NULL;
	}
	return fn;
}

static double
elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - started.tv_sec) +
	    (double)(now.tv_nsec - started.tv_nsec) / 1e9;
}

/*
 * (Re)arm the hard cap: just before timeout + 1 s after the process
 * started, answer e (status, message) and end.  Called before each step
 * that may block.
 */
static void
arm_hard_cap(const struct request *r, long timeout, const struct err *e)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;
	long ms;
	FILE *f;
	int n;

	setitimer(ITIMER_REAL, &it, NULL);	/* no answer while it changes */
	cap.out_len = 0;
	if (r->is_cgi && (f = fmemopen(cap.out, sizeof(cap.out), "w")) !=
	    NULL) {
		write_headers_to(f, r, e->status, "application/json", NULL);
		if (!r->head)
			render_error(f, e);
		if (fflush(f) == 0 && !ferror(f))
			cap.out_len = (size_t)ftell(f);
		fclose(f);
	}
	n = r->is_cgi ?
	    snprintf(cap.log, sizeof(cap.log), "immich-jobs-proxy: %d: %s\n",
	    e->status, e->msg) :
	    snprintf(cap.log, sizeof(cap.log), "immich-jobs: %s\n", e->msg);
	cap.log_len = n < 0 ? 0 : (size_t)n < sizeof(cap.log) ? (size_t)n :
	    sizeof(cap.log) - 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hard_cap;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	/* 100 ms before the bound: the answer still has to travel. */
	ms = timeout * 1000 + 900 - (long)(elapsed() * 1000);
	if (ms < 1)
		ms = 1;
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * Age and X-Cache, when the cache took part; "" otherwise.  shown: the body
 * carries what cn holds (not so in /metrics with stale counts, where only
 * the failure is reported: then no Age, and hit or miss for the failure).
 */
static const char *
cache_headers(const struct counts *cn, int shown, char *buf, size_t size)
{
	const char *how = shown && cn->source == COUNTS_STALE ? "stale" :
	    cn->from_cache ? "hit" : "miss";

	buf[0] = '\0';
	if (cn->cached && shown)
		snprintf(buf, size, "Age: %ld\r\nX-Cache: %s\r\n", cn->age,
		    how);
	else if (cn->cached)
		snprintf(buf, size, "X-Cache: %s\r\n", how);
	return buf;
}

/*
 * Whether the CGI's log says nothing of Immich's failure in cn: with the
 * cache, counts_get logged it once, when Immich's state changed, rather
 * than on every request (a dashboard polls every few seconds).
 */
static int
logged_once(const struct request *r, const struct counts *cn)
{
	return r->is_cgi && cn->cached && !err_is_local(&cn->err);
}

static int
serve_jobs(const struct request *r, const struct counts *cn)
{
	struct render_info info;
	char extra[96];

	cache_headers(cn, 1, extra, sizeof(extra));
	if (cn->source == COUNTS_NONE && logged_once(r, cn))
		return answer_error(r, &cn->err, extra);
	if (cn->source == COUNTS_NONE)
		return respond_error(r, &cn->err, extra, 1);
	/* Logged by the request that met the failure, not by every hit. */
	if (cn->source == COUNTS_STALE && !cn->from_cache && !logged_once(r, cn))
		fprintf(stderr, "%s: answering with %ld s old counts: %s\n",
		    r->is_cgi ? "immich-jobs-proxy" : "immich-jobs", cn->age,
		    cn->err.msg);
	write_headers(r, 200, "application/json", extra);
	if (!r->head) {
		/* The same second for every answer from one fetch. */
		info.fetched = cn->fetched;
		info.stale = cn->source == COUNTS_STALE;
		info.age = info.stale ? cn->age : 0;
		info.upstream_error = info.stale ? cn->err.msg : "";
		render_json(stdout, &cn->jobs, &info);
	}
	return finish();
}

/* Prometheus: 200 with immich_jobs_up 0 when Immich failed, as exporters do. */
static int
serve_metrics(const struct request *r, const struct counts *cn)
{
	const struct jobs *j = cn->source == COUNTS_HIT ||
	    cn->source == COUNTS_MISS ? &cn->jobs : NULL;
	char extra[96];
	int rc;

	/*
	 * immich_jobs_up 0 says Immich failed; this machine's own failure
	 * is an error of this exporter instead (Prometheus's up goes 0).
	 */
	if (j == NULL && cn->source != COUNTS_STALE &&
	    err_is_local(&cn->err))
		return respond_error(r, &cn->err, NULL, 1);
	if (j == NULL && !logged_once(r, cn))
		fprintf(stderr, "%s: Immich failed (immich_jobs_up 0): %s\n",
		    r->is_cgi ? "immich-jobs-proxy" : "immich-jobs",
		    cn->err.msg);
	write_headers(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    cache_headers(cn, cn->source != COUNTS_STALE, extra,
	    sizeof(extra)));
	if (!r->head)
		render_metrics(stdout, j, elapsed());
	rc = finish();
	return (!r->is_cgi && j == NULL) ? 1 : rc;
}

/*
 * Healthy means able to work without anyone changing anything: configured,
 * the module that calls Immich loads (a broken install answers every
 * request 500; loading it costs a health check ~12 M instructions, every
 * 30 s or so), and the last call to Immich, as the cache holds it, did not
 * meet a failure that lasts until someone acts (err_needs_fix: a key Immich
 * refuses, an address that is not Immich's API).  Immich down or slow is
 * Immich's own health: still 200.  Immich is never called from here.
 */
static int
serve_health(const struct request *r, const struct config *c)
{
	static struct cache_entry ent;	/* ~16 KB: not on the stack */
	char path[CONFIG_PATH_MAX];
	struct err e;

	err_clear(&e);
	if (load_upstream(&e) == NULL)
		return respond_error(r, &e, NULL, 1);
	if (c->cache_ttl > 0 && c->cache_dir[0] != '\0' &&
	    cache_path(c, path, sizeof(path)) == 0 &&
	    cache_read(path, cache_id(c), &ent) == 0 &&
	    counts_last_failed(&ent) && err_needs_fix(&ent.err)) {
		/* The request that met it logged it: not every health check. */
		if (!r->is_cgi)
			return respond_error(r, &ent.err, NULL, 1);
		return answer_error(r, &ent.err, NULL);
	}
	write_headers(r, 200, "application/json", NULL);
	if (!r->head)
		fputs("{\"status\":\"ok\"}\n", stdout);
	return finish();
}

static int
usage(FILE *out, int rc)
{
	const struct config_setting *s;

	fprintf(out,
	    "usage: immich-jobs [--metrics | --healthz | --help | --version]\n"
	    "\n"
	    "Prints Immich's job counts, added up across queues, as JSON (or\n"
	    "Prometheus text with --metrics).  Configuration comes from the\n"
	    "environment: IMMICH_URL and IMMICH_JOBS_API_KEY (or\n"
	    "IMMICH_JOBS_API_KEY_FILE) are required.\n"
	    "\n");
	for (s = config_settings; s->name != NULL; s++)
		fprintf(out, "  %-28s %s (%s%s%s)\n", s->name, s->help,
		    s->range, s->def[0] != '\0' ? ", default " : "", s->def);
	fprintf(out,
	    "\n"
	    "Exit status: 0 ok, 1 Immich failed (or the fetch module did not\n"
	    "load), 2 configuration error.\n"
	    "Run by a web server with GATEWAY_INTERFACE set, it is a CGI that\n"
	    "answers /, /homepage (errors with status 200), /metrics and\n"
	    "/healthz.\n"
	    "\n"
	    "Every variable, the answer's keys and the errors:\n"
	    "man 8 immich-jobs-proxy (in the source tree:\n"
	    "man -l docs/immich-jobs-proxy.8).\n");
	return rc;
}

/* From a shell, the route comes from the arguments. */
static int
parse_args(int argc, char **argv, struct request *r)
{
	if (argc > 2)
		return usage(stderr, 2);
	if (argc == 1)
		r->path = "/";
	else if (strcmp(argv[1], "--metrics") == 0)
		r->path = "/metrics";
	else if (strcmp(argv[1], "--healthz") == 0)
		r->path = "/healthz";
	else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout, 0);
	else if (strcmp(argv[1], "--version") == 0) {
		printf("immich-jobs-proxy %s\n", VERSION);
		return 0;
	} else {
		fprintf(stderr, "immich-jobs: unknown option: %s\n", argv[1]);
		return usage(stderr, 2);
	}
	r->method = "GET";
	r->head = 0;
	return -1;
}

int
main(int argc, char **argv)
{
	struct timespec deadline;
	struct request req;
	struct config cfg;
	struct counts cn;
	struct err e;
	int i, rc;

	clock_gettime(CLOCK_MONOTONIC, &started);
#ifdef PR_SET_DUMPABLE
	/*
	 * The key (and IMMICH_URL's password) is in this process's memory
	 * and environment: a crash must write no core file holding it, and
	 * no other process of the same user may read it through /proc or
	 * ptrace.
	 */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
	/*
	 * And no core at all: qemu-user (an ARM build on another machine,
	 * e.g. a multi-platform image under emulation) writes the guest's
	 * core file itself, minding the core size limit but not the flag
	 * above.
	 */
	setrlimit(RLIMIT_CORE, &(const struct rlimit){ 0, 0 });
	err_clear(&e);
	read_request(&req);
	if (!req.is_cgi && (rc = parse_args(argc, argv, &req)) >= 0)
		return rc;

	for (i = 0; routes[i].path != NULL; i++)
		if (strcmp(req.path, routes[i].path) == 0)
			break;
	if (routes[i].path == NULL) {
		err_set(&e, 404, 0, "no such path: this service answers /, "
		    "/homepage, /metrics and /healthz");
		return respond_error(&req, &e, NULL, 2);
	}
	if (strcmp(req.method, "GET") != 0 && !req.head) {
		err_set(&e, 405, 0, "method not allowed: use GET or HEAD");
		return respond_error(&req, &e, "Allow: GET, HEAD\r\n", 2);
	}
	req.errors_as_200 = routes[i].route == ROUTE_HOMEPAGE;
	/* The configuration's own timeout is not known yet: the same rule. */
	if (config_parse_seconds(&cfg.timeout, "IMMICH_JOBS_TIMEOUT",
	    env("IMMICH_JOBS_TIMEOUT"), CONFIG_TIMEOUT_DEFAULT, 1,
	    CONFIG_TIMEOUT_MAX, &e) != 0)
		cfg.timeout = CONFIG_TIMEOUT_DEFAULT;
	/*
	 * Only a file the configuration names can block its reading: arm the
	 * cap for it then, and spare the common case (the key in the
	 * environment) preparing an answer on every cache hit.
	 */
	if (names_file("IMMICH_JOBS_API_KEY_FILE") ||
	    names_file("IMMICH_JOBS_CA_FILE")) {
		err_set(&e, 500, 0, "reading the configuration was stopped by "
		    "the hard cap (IMMICH_JOBS_TIMEOUT + 1 s = %ld s): a file "
		    "it names (IMMICH_JOBS_API_KEY_FILE, IMMICH_JOBS_CA_FILE) "
		    "may be on a stuck file system (a network mount that "
		    "hangs)", cfg.timeout + 1);
		arm_hard_cap(&req, cfg.timeout, &e);
		err_clear(&e);
	}
	if (config_load(&cfg, env, &e) != 0) {
		/* Set on the service, they never reached this CGI. */
		if (req.is_cgi && !config_seen(env))
			err_set(&e, 500, 0, "the web server passed none of the "
			    "service's variables (IMMICH_URL, IMMICH_JOBS_...) "
			    "to this CGI: it must pass them (lighttpd: "
			    "setenv.add-environment, as in this project's "
			    "lighttpd.conf); %s", e.msg);
		return respond_error(&req, &e, NULL, 2);
	}
	if (routes[i].route == ROUTE_HEALTH)
		return serve_health(&req, &cfg);
	err_set(&e, 504, 0, "timed out after %ld s (IMMICH_JOBS_TIMEOUT): "
	    "Immich at %s did not answer in time, and the call was stopped by "
	    "the hard cap (IMMICH_JOBS_TIMEOUT + 1 s): something blocked past "
	    "the timeout (a name server that never answers, a stuck disk, this "
	    "machine short of resources)", cfg.timeout, cfg.shown_url);
	arm_hard_cap(&req, cfg.timeout, &e);
	deadline.tv_sec = started.tv_sec + cfg.timeout;
	deadline.tv_nsec = started.tv_nsec;
	counts_get(&cfg, &deadline, load_upstream, &cn);
	explicit_bzero(cfg.key, sizeof(cfg.key));
	if (routes[i].route == ROUTE_METRICS)
		return serve_metrics(&req, &cn);
	return serve_jobs(&req, &cn);
}
