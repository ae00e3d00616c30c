# Two commands: `make run` serves the app on the embedded SQLite database; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
JOBS ?= 2

.PHONY: run test install db bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

db: install
	$(BIN)/s11 init-db
	$(BIN)/python -c "from s11data.seed.load import prepare; prepare()"

run: db
	$(BIN)/streamlit run app/main.py --server.port $(PORT) --server.headless true

test: install
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(PYTEST_ARGS)

bench: install
	$(BIN)/s11 bench --scale $(or $(SCALE),small)

clean:
	rm -rf $(VENV) data/*.sqlite3*
