# make replay REC=<recording.jsonl>: the service as deployed (the CGI, its
# cache, history and answer) over a recording of Immich's /api/jobs, one
# request per line with the clocks set to the line's time (see
# tests/replay/replay.py); one {"t":…,"answer":…} line per recording line
# on stdout.  make replay-score: the four real recordings replayed and
# scored by tests/fixtures/real-v3.1.0-import/eta_score.py.
REAL = tests/fixtures/real-v3.1.0-import

# The shim that sets the CGI's clocks: for the tests, never installed.
$(B)/replay/clock_shim.so: tests/replay/clock_shim.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -O2 -fPIC -shared -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 -o $@ $< -ldl

# Only the answers on stdout: what building says goes to stderr.
replay:
	@if [ -z "$(REC)" ]; then echo "usage: make replay REC=<recording.jsonl>" >&2; exit 2; fi
	@$(MAKE) --no-print-directory all $(B)/replay/clock_shim.so >&2
	@$(PYTHON) tests/replay/replay.py "$(REC)" $(B)

# Scored as the progress goals say: the two imports in full from 30 s after
# the upload's end, the pause and the stall for what follows the work only.
replay-score: all $(B)/replay/clock_shim.so
	$(Q)rc=0; for r in import-4-connections ml-slow-4-connections pause-resume stall-no-worker; do \
	    case $$r in pause-*|stall-*) how=--no-accuracy ;; \
	        *) how="--from-upload-end $(REAL)/$$r/marks.txt" ;; esac; \
	    echo "== $$r"; \
	    $(PYTHON) tests/replay/replay.py $(REAL)/$$r/recording.jsonl $(B) > $(B)/replay/$$r.jsonl && \
	    $(PYTHON) $(REAL)/eta_score.py $(REAL)/$$r/recording.jsonl $(B)/replay/$$r.jsonl $$how || rc=1; \
	done; exit $$rc

.PHONY: replay replay-score
