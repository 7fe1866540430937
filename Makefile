# The two commands of the README: `make run` and `make test`. Both install what they need on a fresh
# Debian machine (as root, or through sudo) and build incrementally after the first time.

SYSTEM_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libssl-dev libjemalloc-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export MINZHENG_PORT ?= 8080

.PHONY: run test crash-loop conformance spec deps build release bench clean

run: deps release
	.build/release/minzheng serve

# Beside a throwaway PostgreSQL cluster (.ci/with-postgres.sh): every suite once with SQLite under the server
# (the store contracts and the three-process race run against PostgreSQL there), then the server suites again
# with PostgreSQL under the server (MINZHENG_TEST_BACKEND=postgres).
test: deps spec
	swift build --build-tests
	.ci/with-postgres.sh sh -c 'swift test --skip-build --disable-xctest \
		&& MINZHENG_TEST_BACKEND=postgres swift test --skip-build --disable-xctest --filter MinzhengServerTests'

# Crash safety (docs/reliability.md): booking load against the release build, SIGKILLed KILLS times at random
# moments, then every acknowledged booking, slot count, outbox event and SQLite's integrity checked.
KILLS ?= 20
crash-loop: deps release
	python3 .ci/crash-loop.py --kills $(KILLS)

# API conformance (docs/reliability.md): schemathesis, installed from PyPI into .build/schemathesis, against the
# release build with an app's, a citizen's and an admin's credentials.
conformance: deps release
	.ci/conformance.sh

# The contract must be valid OpenAPI (the server is generated from it; this checks the document itself).
spec:
	@python3 -c 'import openapi_spec_validator' 2>/dev/null || python3 -m pip install --quiet openapi-spec-validator \
		|| { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-openapi-spec-validator; }
	python3 -m openapi_spec_validator openapi/openapi.yaml

deps:
	@command -v swift >/dev/null || { echo "swift is not on the PATH: install Swift 6 first" >&2; exit 1; }
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build

release: deps
	swift build -c release --product minzheng

bench: deps release
	bench/lookups.sh
	bench/rush.sh
	bench/orgs-eldercare.sh
	bench/notify.sh
	bench/release.sh

clean:
	rm -rf .build data
