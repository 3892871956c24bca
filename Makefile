# wikigdelt build: one binary, unit tests (cmocka), an ASan/UBSan variant.
#   make            -> build/wikigdelt
#   make asan       -> build-asan/wikigdelt (+ its unit tests)
#   make unit       -> build/tests/test_* (cmocka)
#   make check      -> scripts/check.sh (everything the README's test command runs)
PKGS    := sqlite3 libcurl jansson libzip libmicrohttpd openblas libutf8proc openssl zlib icu-uc libzstd snappy rdkafka
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

-include $(OBJS:.o=.d) $(LIB_OBJS:.o=.d)
