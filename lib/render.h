/*
 * render.h - write answers: the JSON body for Homepage, JSON errors and the
 * Prometheus text exposition format 0.0.4.  Only bodies: the HTTP headers
 * are cgi/'s job.  Needs only libc: the programs that render link no
 * libcurl.
 */
#ifndef IJP_RENDER_H
#define IJP_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "jobs.h"

/* Where the counts of an answer come from, and when. */
struct render_info {
	int64_t		 fetched;	/* Unix seconds (UTC) Immich gave them */
	int		 stale;		/* 1: Immich failed just now; they are older */
	long		 age;		/* seconds since fetched when stale, else 0 */
	const char	*upstream_error; /* why Immich failed, when stale */
};

/*
 * render_json - write the success body for j, compact, one line ending in
 * "\n": the totals over every queue (also those in j->omitted), the
 * progress, the status and summary texts, updated (info->fetched, ISO 8601
 * UTC) and the staleness of info, then the queues' objects: by_queue in
 * jobs_sort_busiest order, busy (those with work, or one idle row) and
 * queue (keyed by Immich's queue id, for Homepage's dot paths).  Every key
 * is always present with one type; the man page's THE ANSWER lists and
 * explains them (t0098 checks that every key written is there).  Never
 * writes an "error" key.  Returns 0, or -1 when writing to out failed
 * (errno set).
 */
int	render_json(FILE *out, const struct jobs *j,
	    const struct render_info *info);

/*
 * render_error - write {"error":"<msg>"} plus "upstream_status":N when
 * e->upstream_status is not 0, ending in "\n".  Returns 0, or -1 when
 * writing to out failed.
 */
int	render_error(FILE *out, const struct err *e);

/*
 * render_metrics - write Prometheus text (format 0.0.4): immich_jobs{queue,
 * state} gauges and immich_queue_paused{queue} for every queue of j when
 * j is not NULL (with immich_queue_stalled and immich_queue_eta_seconds),
 * then what those leave out: immich_jobs_queues_omitted,
 * immich_jobs_omitted{state} (j->omitted's jobs by state) and
 * immich_jobs_queue_names_cut; immich_jobs_up (1 when j is not NULL, else
 * 0) and immich_jobs_scrape_duration_seconds (duration, in seconds).  Label values
 * are escaped as the format requires.  Returns 0, or -1 when writing to out
 * failed.
 */
int	render_metrics(FILE *out, const struct jobs *j, double duration);

/*
 * render_metrics_counts, render_scrape_duration - render_metrics in two:
 * what follows from j (through immich_jobs_up), rendered once per fetch
 * and stored, and the scrape duration, which each scrape adds.
 */
int	render_metrics_counts(FILE *out, const struct jobs *j);
int	render_scrape_duration(FILE *out, double duration);

/*
 * render_queue_summary - a short human line for one queue, e.g.
 * "2 active · 20 waiting · 1 failed", "paused · 2,417 waiting",
 * "stalled · 120 waiting" or "idle" (numbers with thousands separators), into buf (size bytes, always
 * NUL-terminated, UTF-8; a part that does not fit is left out).  Returns
 * buf.
 */
char	*render_queue_summary(const struct queue *q, char *buf, size_t size);

/*
 * render_totals_summary - the whole of j in words, e.g.
 * "16 active · 2,960 waiting (2,417 paused) · 9 failed",
 * "1 queue stalled · 120 waiting" or "idle", where "(N paused)" is the
 * waiting work of paused queues and "N queues stalled" counts
 * progress.stalled; into buf as
 * render_queue_summary does.  Returns buf.
 */
char	*render_totals_summary(const struct jobs *j, char *buf, size_t size);

/*
 * render_queue_title - the English name Immich's web UI gives the queue
 * with id name (Immich's web/src/lib/utils.ts getQueueName and
 * i18n/en.json: "thumbnailGeneration" is "Generate Thumbnails"); for an id
 * it does not know, words made from the id ("fooBarBaz" is "Foo bar baz").
 * Into buf (size bytes, always NUL-terminated); returns buf.
 */
char	*render_queue_title(const char *name, char *buf, size_t size);

/*
 * render_status - the status text of render_json for info: "ok" when not
 * stale; else "stale · N s old" below 2 minutes, then "stale · last seen
 * N min ago", "... N h ago" from 2 hours, "... N d ago" from 2 days (whole
 * units, rounded down).  Into buf (size bytes, always NUL-terminated);
 * returns buf.
 */
char	*render_status(const struct render_info *info, char *buf, size_t size);

#endif
