# wikigdelt build: one binary, unit tests (cmocka), an ASan/UBSan variant.
#   make            -> build/wikigdelt
#   make asan       -> build-asan/wikigdelt (+ its unit tests)
#   make unit       -> build/tests/test_* (cmocka)
#   make test       -> builds and runs the unit tests
#   make bench      -> build/bench/* (the C benchmarks; bench/*.sh run them)
#   make check      -> scripts/check.sh (everything the README's test command runs)
#   make web        -> build/web (the pages, bundled from web/ with npm + esbuild)
# Packagers: MARCH= (or MARCH=-march=x86-64-v3) replaces the default -march=native; OPT= replaces
# the optimisation flags as a whole.
PKGS    := sqlite3 libcurl jansson libzip libmicrohttpd openblas libutf8proc openssl zlib icu-uc libzstd snappy rdkafka
CC      ?= gcc
BUILD   ?= build
MARCH   ?= -march=native
BERT_OPT ?= -O3   # the encoder's kernels and forward pass (src/embed/bert*.c); BERT_OPT= drops it
OPT     ?= -O2 $(MARCH)
SANFLAGS ?=
CFLAGS  := $(OPT) -g $(SANFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread -Isrc \
           $(shell pkg-config --cflags $(PKGS))
LDLIBS  := $(SANFLAGS) $(shell pkg-config --libs $(PKGS)) -lm -pthread
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRCS     := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS     := $(SRCS:%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TESTS    := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRCS := $(wildcard bench/*.c)
BENCHES  := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

.PHONY: all asan unit unit-asan test bench check clean web
all: $(BUILD)/wikigdelt

$(BUILD)/wikigdelt: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/src/embed/bert%.o: CFLAGS += $(BERT_OPT)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

unit: $(BUILD)/wikigdelt $(TESTS)

test: unit
	@export WG_SHARED="$${WG_SHARED:-$(CURDIR)/../shared}"; fail=0; for t in $(TESTS); do $$t > $$t.log 2>&1 && echo "[ PASS ] $$t" || { fail=1; echo "[ FAIL ] $$t (log: $$t.log)"; tail -n 20 $$t.log; }; done; exit $$fail

# The benchmarks link against the same objects and package list as the binary.
$(BUILD)/bench/%: bench/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJS) $(LDLIBS)

bench: $(BUILD)/wikigdelt $(BENCHES)

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 $(MARCH)" SANFLAGS="$(SAN)" all unit

check:
	scripts/check.sh

clean:
	rm -rf build build-asan

# The pages: npm ci from web/package-lock.json (only when the lockfile changed), then esbuild.
WEB_OUT  ?= build/web
WEB_SRCS := $(wildcard web/src/*) web/build.mjs
web: $(WEB_OUT)/index.html
web/node_modules/.wg-installed: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@
$(WEB_OUT)/index.html: web/node_modules/.wg-installed $(WEB_SRCS)
	cd web && node build.mjs $(abspath $(WEB_OUT))

-include $(OBJS:.o=.d) $(LIB_OBJS:.o=.d)

# --- release: version, install, dist (docs/release.md) ---
# The version is `git describe` at build time; a source tarball carries it in the file VERSION.
# Untagged history gives 0.1.0-g<hash>[-dirty]; a tag v1.2.3 gives 1.2.3[-N-g<hash>].
VERSION := $(shell if [ -f VERSION ]; then cat VERSION; \
             elif d=$$(git describe --tags --dirty 2>/dev/null); then echo "$${d\#v}"; \
             elif h=$$(git describe --always --dirty 2>/dev/null); then echo "0.1.0-g$$h"; \
             else echo 0.1.0-unknown; fi)
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
SHAREDIR := $(PREFIX)/share/wikigdelt
MANDIR  := $(PREFIX)/share/man/man1
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
.PHONY: install uninstall dist distcheck FORCE
# main.o carries the version: rebuilt only when the version text changes.
$(BUILD)/version.txt: FORCE
	@mkdir -p $(BUILD); echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
$(BUILD)/obj/src/main.o: $(BUILD)/version.txt
$(BUILD)/obj/src/main.o: CFLAGS += -DWG_VERSION='"$(VERSION)"'

install: $(BUILD)/wikigdelt
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 755 $(BUILD)/wikigdelt $(DESTDIR)$(BINDIR)/wikigdelt
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/
	sed 's|@BINDIR@|$(BINDIR)|g' dist/wikigdelt.service > $(DESTDIR)$(UNITDIR)/wikigdelt.service
	install -m 644 dist/wikigdelt.sysusers $(DESTDIR)$(SYSUSERSDIR)/wikigdelt.conf
	if [ -d $(BUILD)/web ]; then install -d $(DESTDIR)$(SHAREDIR)/web && \
	    cp -R $(BUILD)/web/. $(DESTDIR)$(SHAREDIR)/web/; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wikigdelt $(DESTDIR)$(UNITDIR)/wikigdelt.service \
	      $(DESTDIR)$(SYSUSERSDIR)/wikigdelt.conf
	cd man && for m in *.1; do rm -f $(DESTDIR)$(MANDIR)/$$m; done
	rm -rf $(DESTDIR)$(SHAREDIR)

# A versioned source tarball of the committed tree (HEAD), with VERSION inside.
DIST := wikigdelt-$(VERSION)
dist:
	@mkdir -p $(BUILD)
	rm -rf $(BUILD)/$(DIST) && git archive --prefix=$(DIST)/ HEAD | tar -x -C $(BUILD)
	echo '$(VERSION)' > $(BUILD)/$(DIST)/VERSION
	tar -C $(BUILD) -czf $(BUILD)/$(DIST).tar.gz $(DIST) && rm -rf $(BUILD)/$(DIST)
	@echo $(BUILD)/$(DIST).tar.gz

# Unpacks the tarball in a fresh directory (no git, no ../shared), builds it and runs its unit tests.
distcheck: dist
	scripts/distcheck.sh $(BUILD)/$(DIST).tar.gz

# --- fuzzing (libFuzzer, clang): build-fuzz/fuzz/fuzz_* from tests/fuzz/fuzz_*.c; scripts/fuzz.sh runs them
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS   := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SAN  := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
.PHONY: fuzz fuzz-targets
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g" SANFLAGS="$(FUZZ_SAN)" fuzz-targets
fuzz-targets: $(FUZZERS)
# clang-only warnings on code written for gcc (GCC optimize pragmas, SQL split over literals)
ifeq ($(BUILD),build-fuzz)
CFLAGS += -Wno-unknown-pragmas -Wno-string-concatenation
endif
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< $(LIB_OBJS) $(LDLIBS)
