# Shortcuts over scripts/setup, CMake presets and ctest; the README's two commands are `make demo`
# and `make test`. Each target sets up (a no-op once done), configures, builds, then acts.
.PHONY: setup configure cli build test demo install clean sanitize check-style format

PREFIX ?= $(CURDIR)/build/install

setup:
	@scripts/setup

configure: setup
	@cmake --preset default >/dev/null

# The CLI alone (libr1 and apps/r1): what `make demo` runs, without the tests and benches.
cli: configure
	@cmake --build --preset default --target r1_cli

build: configure
	@cmake --build --preset default

test: build
	@scripts/setup --with-reference
	@ctest --preset default

demo: cli
	@./build/r1 pipeline configs/r1-zero-tiny.yaml $(if $(SEED),--set seed=$(SEED))

# The corruption tests (1,000+ bad safetensors, tokenizer.json and JSONL files each) under
# AddressSanitizer and UBSan, in build-asan/ (a second full build of the library).
sanitize: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan --target r1_test_tokenizer r1_test_io r1_test_data
	@for t in tokenizer io data; do build-asan/tests/r1_test_$$t --gtest_filter='*Corrupt*' || exit 1; done

# clang-format (check mode), the layer table and the size limits; `make format` rewrites in place.
check-style:
	@scripts/check-style

format:
	@scripts/check-style --fix

install: build
	@cmake --install build --prefix $(PREFIX)

clean:
	rm -rf build build-asan
