/*
 * render.h - write answers: the JSON body for Homepage, JSON errors and the
 * Prometheus text exposition format 0.0.4.  Only bodies: the HTTP headers
 * are cgi/'s job.  Needs only libc, so the cache-hit path stays small.
 */
#ifndef IJP_RENDER_H
#define IJP_RENDER_H

#include <stdio.h>

#include "err.h"
#include "jobs.h"

/* Set when an answer comes from an older result because Immich failed. */
struct render_stale {
	long		 age;		/* seconds since that result was fetched */
	const char	*upstream_error; /* why Immich failed just now */
};

/*
 * render_json - write the success body for j, compact, ending in "\n":
 * active, waiting, failed, queues, delayed, paused, completed, queues_busy,
 * queues_paused (see struct totals), by_queue (busiest first, see
 * jobs_sort_busiest; each entry name, active, waiting (waiting + delayed +
 * paused), failed, delayed, paused, completed, is_paused, summary, rate
 * (jobs per minute, one decimal), eta_seconds, eta (history_eta_text),
 * stalled), queues_stalled and the whole backlog's rate, eta_seconds and
 * eta (j->total_progress), and,
 * when stale is not NULL, "stale":true, "age" (seconds) and
 * "upstream_error".  Never writes an "error" key.  The shape is the one
 * README.md "The answer" documents.  Returns 0, or -1 when writing to out
 * failed (errno set).
 */
int	render_json(FILE *out, const struct jobs *j,
	    const struct render_stale *stale);

/*
 * render_error - write {"error":"<msg>"} plus "upstream_status":N when
 * e->upstream_status is not 0, ending in "\n".  Returns 0, or -1 when
 * writing to out failed.
 */
int	render_error(FILE *out, const struct err *e);

/*
 * render_metrics - write Prometheus text (format 0.0.4): immich_jobs{queue,
 * state} gauges, immich_queue_paused{queue}, immich_queue_stalled{queue}
 * and immich_queue_eta_seconds{queue} (0 idle, +Inf not draining or
 * paused, NaN without enough history) for every queue of j when
 * j is not NULL, immich_jobs_up (1 when j is not NULL, else 0) and
 * immich_jobs_scrape_duration_seconds (duration, in seconds).  Label values
 * are escaped as the format requires.  Returns 0, or -1 when writing to out
 * failed.
 */
int	render_metrics(FILE *out, const struct jobs *j, double duration);

/*
 * render_queue_summary - a short human line for one queue, e.g.
 * "2 active · 20 waiting · 1 failed", "paused · 2417 waiting",
 * "stalled · 120 waiting" or "idle",
 * into buf (size bytes, always NUL-terminated, UTF-8).  Returns buf.
 */
char	*render_queue_summary(const struct queue *q, char *buf, size_t size);

#endif
