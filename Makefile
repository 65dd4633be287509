# cratb — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SCALE  ?= 0.01
SEED   ?= 1
REGION ?= 11

.PHONY: run test setup demo serve lint format bench clean help

help:
	@echo "make run    installe, construit la région de démonstration et lance http://$(HOST):$(PORT)"
	@echo "make test   installe et lance toute la suite de tests"
	@echo "make lint   ruff, mypy, import-linter, makemigrations --check"
	@echo "make bench  lance les mesures de performance (benchmarks/)"

$(BIN)/python:
	@scripts/make-venv "$(PYTHON)" "$(VENV)"

# Reinstall only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "==> Installation des dépendances (une fois)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

setup: $(VENV)/.installed

migrate: setup
	@$(BIN)/python manage.py migrate --noinput -v 0

demo: migrate
	@$(BIN)/cratb demo --region $(REGION) --scale $(SCALE) --seed $(SEED)

# The background worker (imports, publication) runs beside the web server and stops with it.
run: demo
	@echo "==> cratb sur http://$(HOST):$(PORT)/ (Ctrl-C pour arrêter)"
	@$(BIN)/python manage.py db_worker --queue-name '*' --no-reload --no-startup-delay -v 0 & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

# PYTEST_ARGS: extra pytest arguments, e.g. PYTEST_ARGS='-m "not slow"'.
test: setup
	@scripts/run-tests $(BIN) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy cratb tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	@$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var staticfiles
