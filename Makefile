# wikigdelt build: one binary, unit tests (cmocka), an ASan/UBSan variant.
#   make            -> build/wikigdelt
#   make asan       -> build-asan/wikigdelt (+ its unit tests)
#   make unit       -> build/tests/test_* (cmocka)
#   make check      -> scripts/check.sh (everything the README's test command runs)
#   make web        -> build/web (the pages, bundled from web/ with npm + esbuild)
PKGS    := sqlite3 libcurl jansson libzip libmicrohttpd openblas libutf8proc openssl zlib icu-uc
CC      ?= gcc
BUILD   ?= build
OPT     ?= -O2 -march=native
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

.PHONY: all asan unit unit-asan check clean
.PHONY: web
all: $(BUILD)/wikigdelt

$(BUILD)/wikigdelt: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

unit: $(BUILD)/wikigdelt $(TESTS)

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -march=native" SANFLAGS="$(SAN)" all unit

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
