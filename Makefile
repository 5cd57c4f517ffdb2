# kanon: two commands do all the set-up on a fresh machine.
#   make demo   create .venv, install, run the main job on embedded defaults
#   make test   create .venv, install, run the whole test suite
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test install browser clean bench presidio

# Re-install only when what it installs changed (the stamp is older than it).
# deploy/install.sh is the one recipe, shared with the Dockerfile.
$(STAMP): pyproject.toml deploy/install.sh deploy/requirements-nodeps.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	sh deploy/install.sh $(BIN)/python test
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kanon demo

# Chromium for the browser test of the web page (Debian packages; skipped
# when apt is not usable, and the browser test then says why it skips).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	      || echo "chromium could not be installed; the browser test will skip"; \
	  fi; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	for b in $(filter-out benchmarks/presidio_detect.py,$(wildcard benchmarks/*.py)); do $(BIN)/python $$b || exit 1; done

# Presidio for benchmarks/detector.py --vs-presidio, in an environment of its own.
presidio:
	sh benchmarks/presidio_env.sh $(PY)

clean:
	rm -rf $(VENV) .venv-presidio .kanon .pytest_cache
