# The two commands of the README: `make run` and `make test`. Both install what they need on a fresh
# Debian machine (as root, or through sudo) and build incrementally after the first time.

SYSTEM_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libssl-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export MINZHENG_PORT ?= 8080

.PHONY: run test deps build release bench clean

run: deps release
	.build/release/minzheng serve

test: deps
	swift build --build-tests
	swift test --skip-build --disable-xctest

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

clean:
	rm -rf .build data
