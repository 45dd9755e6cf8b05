# Peixun — the two commands: `make run` and `make test`.
SWIFT ?= swift
RELEASE_DIR := .build-release
PEIXUN := $(RELEASE_DIR)/release/peixun
# A suite that hangs is stopped with the tests still running and every thread's stack printed,
# long before CI's own limit (a whole suite takes 5–7 minutes here); the browser and two-instance
# tests (a minute or two each) get 15 minutes.
WATCH := /usr/bin/python3 scripts/watch-tests.py --idle 600 --limit 1800

.PHONY: run test test-sqlite test-postgres test-browser test-cluster build release demo deps clean

## Installs what is missing, builds a release, loads the demo province into an empty
## database and serves it on http://127.0.0.1:8080 (PEIXUN_PORT to change).
run: release
	@$(PEIXUN) demo --scale full --if-empty
	@$(PEIXUN) serve

release:
	@scripts/install-deps.sh run
	$(SWIFT) build -c release --scratch-path $(RELEASE_DIR)

## Runs every test on SQLite, then again on a throw-away PostgreSQL.
test:
	@scripts/install-deps.sh test
	$(SWIFT) build --build-tests
	@echo "== 测试（SQLite）=="
	env -u DATABASE_URL PEIXUN_TEST_FULL_DEMO=1 $(WATCH) --stacks .build/hung-sqlite.txt -- $(SWIFT) test --skip-build
	@echo "== 浏览器测试（SQLite，Chromium）=="
	timeout --kill-after=30 900 Tests/browser/run.sh
	@echo "== 测试（PostgreSQL）=="
	scripts/with-postgres.sh $(WATCH) --stacks .build/hung-postgres.txt -- $(SWIFT) test --skip-build
	@echo "== 两实例测试（PostgreSQL + 两个实例 + nginx）=="
	timeout --kill-after=30 900 /usr/bin/python3 Tests/cluster/run.py

test-sqlite:
	env -u DATABASE_URL $(SWIFT) test

test-postgres:
	scripts/with-postgres.sh $(SWIFT) test

## Browser tests only, against the existing debug build; screenshots in .build/browser-screenshots/.
test-browser:
	Tests/browser/run.sh

## The two-instance test only (scripts/cluster.sh on free ports, against the debug build).
test-cluster:
	/usr/bin/python3 Tests/cluster/run.py

clean:
	rm -rf .build $(RELEASE_DIR)
