# cboxlab — build, tests and benchmarks.
#
#   make            the CLI, its static node init and the default rootfs (build/)
#   make check      every test: unit tests (plain and ASan/UBSan), then the
#                   integration suite when run as root
#   make test-vm    the integration suite again on Debian's stock kernel in qemu
#   make bench      benchmarks against the kernel floor, iproute2 and Mininet,
#                   and of a lab's up beside a 1000-router lab
#   make fuzz       the topology parser under libFuzzer for FUZZ_SECONDS (60)
#   make format-check  the code is as clang-format writes it (.clang-format)
#   make mutation   break each core behaviour once (tools/mutants.txt) and check
#                   that a test notices; as root, under the integration lock
#   make install    PREFIX=/usr/local (the CLI, and the Python package for
#                   Debian's python3)

CC       ?= gcc
PREFIX   ?= /usr/local
PKGS     := libmnl libnftnl libcap jansson libseccomp libpcap
# What depends on installed packages is looked up on first use, not when
# make reads this file: `make deps check` on a fresh machine installs the
# compiler, pkg-config and the libraries before anything is built.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null))$(PKG_CFLAGS)
# libpcap's header is used at build time, its library is loaded by `capture`
# alone (kit/pcap_dl.c): linked, its dependencies (libdbus, libsystemd,
# libgcrypt...) would cost every command about 5 ms at its start.
PKG_LIBS   = $(eval PKG_LIBS := $(filter-out -lpcap,$(shell pkg-config --libs $(PKGS) 2>/dev/null)))$(PKG_LIBS)
# libarchive unpacks images (src/image), and is opened (dlopen) only by an
# `up` that has one: linked in, it and what it needs (libxml2, ICU,
# libstdc++...: 15 shared objects) would be mapped by every command. Its
# headers only, here.
DL_PKGS    := libarchive
DL_CFLAGS  = $(eval DL_CFLAGS := $(shell pkg-config --cflags $(DL_PKGS) 2>/dev/null))$(DL_CFLAGS)

# Every command starts the CLI afresh (a class restarts labs all afternoon),
# and each shared object costs that start mapping, relocation and page faults,
# and its exit the unmapping: about 0.5 ms of a 4 ms one-node `up` here
# (docs/performance.md). So the libraries whose Debian -dev package ships a
# static archive are linked in from it; libmnl ships none and stays shared.
# `make STATIC_LIBS=` links all of them shared.
STATIC_LIBS ?= nftnl cap jansson seccomp
STATIC_FOUND = $(eval STATIC_FOUND := $(foreach l,$(STATIC_LIBS),$(if $(wildcard \
	       $(shell $(CC) -print-file-name=lib$(l).a 2>/dev/null)),$(l))))$(STATIC_FOUND)
comma      := ,
CLI_LIBS   = $(if $(STATIC_FOUND),-Wl$(comma)-Bstatic $(addprefix -l,$(STATIC_FOUND)) -Wl$(comma)-Bdynamic) \
	      $(filter-out $(addprefix -l,$(STATIC_FOUND)),$(PKG_LIBS))

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) $(DL_CFLAGS)
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

B        := build
LIB_DIRS := src/common src/netlink src/topo src/bridge src/runtime src/lab src/chaos src/image \
	    src/kit
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
CLI_SRC  := $(wildcard src/cli/*.c)
INIT_SRC := $(wildcard src/init/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
SAN_BIN  := $(patsubst tests/unit/%.c,$(B)/san/tests/%,$(UNIT_SRC))

LIB_OBJ     := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRC))
CLI_OBJ     := $(patsubst %.c,$(B)/obj/%.o,$(CLI_SRC))
LIB_SAN_OBJ := $(patsubst %.c,$(B)/san/obj/%.o,$(LIB_SRC))
CLI_SAN_OBJ := $(patsubst %.c,$(B)/san/obj/%.o,$(CLI_SRC))
LIB_PIC_OBJ := $(patsubst %.c,$(B)/pic/obj/%.o,$(LIB_SRC))

# The library exports what its headers mark public and nothing else
# (common/public.h): lab/cboxlab.h and the cbx_* basics it builds on.
$(LIB_OBJ) $(LIB_SAN_OBJ) $(LIB_PIC_OBJ): CFLAGS += -fvisibility=hidden

.PHONY: all check test-unit test-integration test-vm bench install clean deps check-symbols mutation format format-check fuzz test-scale
all: $(B)/cboxlab $(B)/cboxlab-init $(B)/rootfs/.built $(B)/seccomp/.built

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/san/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -MMD -MP -c $< -o $@

$(B)/pic/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -MMD -MP -c $< -o $@

$(B)/libcboxlab.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/san/libcboxlab.a: $(LIB_SAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/cboxlab: $(CLI_OBJ) $(B)/libcboxlab.a
	$(CC) $(CFLAGS) -o $@ $^ $(CLI_LIBS)

# The ASan/UBSan CLI: the integration suite can run against it (CBOXLAB=...).
$(B)/san/cboxlab: $(CLI_SAN_OBJ) $(B)/san/libcboxlab.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(CLI_LIBS)

# PID 1 of every node, and its first program: it also does the node's own
# setup (root filesystem, cgroups, capabilities), from the sources it shares
# with the CLI below. Static, so it runs in any rootfs, and small, so an idle
# node costs little memory. It needs nothing but libc: musl's when installed
# (about 60 KB of text), else glibc's (about 700 KB, which a lone node pays
# in full). musl-gcc sees only musl's headers: the kernel's are added after
# them, from a directory of links to the host's.
INIT_CC ?= $(or $(shell command -v musl-gcc 2>/dev/null),$(CC))
INIT_SHARED := src/runtime/node_setup.c src/runtime/node_setup_msg.c src/runtime/rootfs.c \
	       src/runtime/node_files.c \
	       src/runtime/kernel_view.c src/runtime/userns.c \
	       src/runtime/cgroup.c src/runtime/cgroup_v1.c src/runtime/cgroup_v2.c \
	       src/runtime/caps_limit.c src/runtime/seccomp_load.c src/runtime/node_fate.c src/runtime/tmpfiles.c src/common/fsutil.c src/common/error.c \
	       src/topo/base.c
KERNEL_HDRS = /usr/include/linux /usr/include/asm-generic \
	       /usr/include/$(shell $(CC) -print-multiarch 2>/dev/null)/asm
$(B)/init-include/.made:
	@mkdir -p $(dir $@)
	for d in $(KERNEL_HDRS); do [ -d "$$d" ] && ln -sfn "$$d" $(dir $@); done; touch $@
$(B)/cboxlab-init: $(INIT_SRC) $(INIT_SHARED) $(wildcard src/*/*.h) $(B)/init-include/.made
	@mkdir -p $(dir $@)
	$(INIT_CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -idirafter $(B)/init-include -Os -static \
	  -ffunction-sections -fdata-sections -Wl,--gc-sections -o $@ $(INIT_SRC) $(INIT_SHARED)

# The seccomp filters most nodes use, made once here rather than by every
# `up` (runtime/seccomp_profile.h).
$(B)/seccomp-gen: tools/seccomp-gen.c $(B)/libcboxlab.a
	$(CC) $(CFLAGS) -o $@ $^ $(CLI_LIBS)
$(B)/seccomp/.built: $(B)/seccomp-gen
	rm -rf $(B)/seccomp && mkdir -p $(B)/seccomp
	$(B)/seccomp-gen $(B)/seccomp
	@touch $@

# Attacks from inside a node, for the security tests: static, so it runs in
# any node's root filesystem.
HELPERS := $(B)/tests/helpers/escape
$(B)/tests/helpers/%: tests/helpers/%.c $(B)/init-include/.made
	@mkdir -p $(dir $@)
	$(INIT_CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -idirafter $(B)/init-include -O1 -static -o $@ $<

$(B)/rootfs/.built: tools/mkrootfs.sh
	sh tools/mkrootfs.sh $(B)/rootfs
	@touch $@

$(B)/tests/%: tests/unit/%.c tests/unit/tap.h tests/unit/overflow.h tests/unit/attrs.h $(B)/libcboxlab.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(B)/libcboxlab.a $(PKG_LIBS)

$(B)/san/tests/%: tests/unit/%.c tests/unit/tap.h tests/unit/overflow.h tests/unit/attrs.h $(B)/san/libcboxlab.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -Itests/unit -o $@ $< $(B)/san/libcboxlab.a $(PKG_LIBS)

# The library as a shared object, for programs other than the CLI (which
# links the archive: see STATIC_LIBS), such as a Python wrapper.
$(B)/libcboxlab.so: $(LIB_PIC_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libcboxlab.so -Wl,-z,defs -o $@ $^ $(PKG_LIBS)

# The CLI linked to it: it links only if the CLI uses nothing the library
# hides.
$(B)/cboxlab-shared: $(CLI_OBJ) $(B)/libcboxlab.so
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) -L$(B) -Wl,-rpath,'$$ORIGIN' -lcboxlab $(PKG_LIBS)

# Every global symbol of the library carries its module's prefix; the
# shared object exports only cbx_* and lab_*; the CLI needs no more.
check-symbols: $(B)/libcboxlab.a $(B)/libcboxlab.so $(B)/cboxlab-shared
	tools/check-symbols.sh $(B)

test-unit: $(UNIT_BIN) $(SAN_BIN)
	tests/run unit

# The integration suite drives the ASan/UBSan build of the CLI, so memory
# errors in real `up`/`down` runs fail the tests too.
test-integration: all $(B)/san/cboxlab $(HELPERS)
	CBOXLAB=$(CURDIR)/$(B)/san/cboxlab tests/run integration

check: all $(UNIT_BIN) $(SAN_BIN) $(B)/san/cboxlab $(HELPERS)
	CBOXLAB=$(CURDIR)/$(B)/san/cboxlab tests/run all

test-vm: all $(B)/san/cboxlab $(HELPERS)
	CBOXLAB=$(CURDIR)/$(B)/san/cboxlab tests/vm/run-vm.sh

# Each mutant is applied to a scratch copy of the tree (never this one), built,
# and the tests it names are run until one fails (tools/mutate.sh).
mutation: all
	tools/mutate.sh

# The code is written as clang-format writes it (.clang-format); CI checks.
FORMAT_FILES = $(shell find src tests tools bench -name '*.[ch]' 2>/dev/null | sort)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: $(words $(FORMAT_FILES)) files as clang-format writes them"

# The topology parser under libFuzzer with ASan and UBSan (clang), for
# FUZZ_SECONDS, from a corpus of topologies/ and every input of the parser's
# unit tests. A crash leaves its input in build/fuzz/ and fails the target.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
# The parser and what it builds on, not the whole library.
FUZZ_OBJ     := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(wildcard src/topo/*.c src/common/*.c))
$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@
$(B)/fuzz/fuzz_topo: tests/fuzz/fuzz_topo.c $(FUZZ_OBJ)
	$(FUZZ_CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) $(FUZZ_FLAGS) \
	  -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)
fuzz: $(B)/fuzz/fuzz_topo $(B)/tests/test_topo
	rm -rf $(B)/fuzz/seed && mkdir -p $(B)/fuzz/seed $(B)/fuzz/corpus
	cp topologies/*.json $(B)/fuzz/seed/
	CBX_FUZZ_CORPUS=$(CURDIR)/$(B)/fuzz/seed $(B)/tests/test_topo >/dev/null
	cd $(B)/fuzz && ./fuzz_topo -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  -dict=$(CURDIR)/tests/fuzz/topo.dict -print_final_stats=1 corpus seed

# Opt-in, not in CI: a star of SCALE_NODES (5000) on one network, a tree of
# bridges, every node answering; as root, under the integration lock.
SCALE_NODES ?= 5000
test-scale: all
	flock /tmp/cbx-integration.lock tests/scale/star.sh $(SCALE_NODES)

bench: all
	bench/run.sh
	bench/side_by_side.sh

# Debian packages the build, the tests and the examples need.
deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	  gcc make pkg-config libc6-dev libmnl-dev libnftnl-dev libcap-dev libjansson-dev libseccomp-dev libarchive-dev \
	  musl-tools busybox-static clang clang-format iproute2 nftables iputils-ping procps bsdutils python3 python3-jsonschema python3-pytest \
	  frr umoci skopeo libpcap-dev tcpdump graphviz libfaketime redis-server redis-sentinel

# The Python package (python/) goes where Debian's python3 finds it for
# PREFIX, with its pytest11 entry point (the cboxlab_lab fixture).
PYTHON      ?= $(or $(wildcard /usr/bin/python3),python3)
PYTHON_SITE ?= $(PREFIX)/lib/$(shell $(PYTHON) -c 'import sys; print("python%d.%d" % sys.version_info[:2])')/dist-packages

install: all
	$(PYTHON) python/build_backend/cboxlab_build.py install $(DESTDIR)$(PYTHON_SITE)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/cboxlab
	install -m 755 $(B)/cboxlab $(DESTDIR)$(PREFIX)/bin/cboxlab
	install -m 755 $(B)/cboxlab-init $(DESTDIR)$(PREFIX)/lib/cboxlab/cboxlab-init
	rm -rf $(DESTDIR)$(PREFIX)/lib/cboxlab/rootfs $(DESTDIR)$(PREFIX)/lib/cboxlab/seccomp
	cp -a $(B)/rootfs $(DESTDIR)$(PREFIX)/lib/cboxlab/rootfs
	install -d -m 755 $(DESTDIR)$(PREFIX)/lib/cboxlab/seccomp
	install -m 644 $(B)/seccomp/*.bpf $(DESTDIR)$(PREFIX)/lib/cboxlab/seccomp/

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
