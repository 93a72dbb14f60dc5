# cboxlab — build, tests and benchmarks.
#
#   make            the CLI, its static node init and the default rootfs (build/)
#   make check      every test: unit tests (plain and ASan/UBSan), then the
#                   integration suite when run as root
#   make test-vm    the integration suite again on Debian's stock kernel in qemu
#   make test-multihost  a lab over two qemu guests (tests/vm/run-multihost.sh; minutes)
#   make bench      benchmarks against the kernel floor, iproute2 and Mininet,
#                   and of a lab's up beside a 1000-router lab
#   make fuzz       the topology parser under libFuzzer for FUZZ_SECONDS (60),
#                   the YAML reader for FUZZ_YAML_SECONDS (30)
#   make format-check  the code is as clang-format writes it (.clang-format)
#   make mutation   break each core behaviour once (tools/mutants.txt) and check
#                   that a test notices; as root, under the integration lock
#   make install    PREFIX=/usr/local DESTDIR= : the CLI, the nodes' init,
#                   rootfs and seccomp filters, man pages, bash and zsh
#                   completion, the schema, docs and example topologies, and
#                   the Python package for Debian's python3
#   make uninstall  the same PREFIX and DESTDIR: removes what install put there
#   make man        the man pages (docs/man/*.scd) into build/man, with scdoc;
#                   `make` builds them when scdoc is installed

CC       ?= gcc
PREFIX   ?= /usr/local
PKGS     := libmnl libnftnl libcap jansson libseccomp libpcap yaml-0.1
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
STATIC_LIBS ?= nftnl cap jansson seccomp yaml
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

.PHONY: all check test-unit test-integration test-vm test-multihost bench install uninstall clean deps check-symbols mutation format format-check fuzz test-scale man man-if-scdoc
all: $(B)/cboxlab $(B)/cboxlab-init $(B)/rootfs/.built $(B)/seccomp/.built man-if-scdoc

# The version is written once, in src/cli/version.h; the man pages say it.
VERSION = $(eval VERSION := $(shell sed -n 's/^\#define CBOXLAB_VERSION "\(.*\)"/\1/p' src/cli/version.h))$(VERSION)

# Man pages, written in scdoc (docs/man/NAME.SECTION.scd), made into build/man.
# scdoc is looked for when the build runs, not when make reads this file
# (`make deps all` installs it first); without it, no man pages, and make says so.
SCDOC    ?= scdoc
MAN_SRC  := $(wildcard docs/man/*.scd)
MAN_OUT  := $(patsubst docs/man/%.scd,$(B)/man/%,$(MAN_SRC))
man: $(MAN_OUT)
	@:
man-if-scdoc:
	@if command -v $(SCDOC) >/dev/null 2>&1; then $(MAKE) --no-print-directory man; \
	else echo "make: no scdoc: the man pages are not built (apt-get install scdoc)"; fi
$(B)/man/%: docs/man/%.scd src/cli/version.h
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/g' $< | $(SCDOC) >$@.tmp && mv $@.tmp $@

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

# A lab over two hosts: two qemu guests on one virtual Ethernet (docs/multihost.md). Run it
# under the integration lock, as make check: flock /tmp/cbx-integration.lock make test-multihost
test-multihost: all $(HELPERS)
	CBOXLAB=$(CURDIR)/$(B)/cboxlab tests/vm/run-multihost.sh

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
$(B)/fuzz/fuzz_yaml: tests/fuzz/fuzz_yaml.c $(FUZZ_OBJ)
	$(FUZZ_CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) $(FUZZ_FLAGS) \
	  -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)
# The YAML reader too, for FUZZ_YAML_SECONDS, from the examples in both
# forms (JSON is YAML as well).
FUZZ_YAML_SECONDS ?= 30
fuzz: $(B)/fuzz/fuzz_topo $(B)/fuzz/fuzz_yaml $(B)/tests/test_topo $(B)/cboxlab
	rm -rf $(B)/fuzz/seed $(B)/fuzz/seed-yaml && mkdir -p $(B)/fuzz/seed $(B)/fuzz/corpus \
	  $(B)/fuzz/seed-yaml $(B)/fuzz/corpus-yaml
	cp topologies/*.json $(B)/fuzz/seed/
	CBX_FUZZ_CORPUS=$(CURDIR)/$(B)/fuzz/seed $(B)/tests/test_topo >/dev/null
	cd $(B)/fuzz && ./fuzz_topo -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  -dict=$(CURDIR)/tests/fuzz/topo.dict -print_final_stats=1 corpus seed
	cp topologies/*.json topologies/*.yaml $(B)/fuzz/seed-yaml/
	for f in topologies/*.json; do $(B)/cboxlab fmt --yaml $$f >$(B)/fuzz/seed-yaml/$$(basename $$f .json).fmt.yaml; done
	cd $(B)/fuzz && ./fuzz_yaml -max_total_time=$(FUZZ_YAML_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  -dict=$(CURDIR)/tests/fuzz/yaml.dict -print_final_stats=1 corpus-yaml seed-yaml

# Opt-in, not in CI: a star of SCALE_NODES (5000) on one network, a tree of
# bridges, every node answering (where the host's neighbour tables and
# receive backlog allow: CBX_SCALE_RAISE_HOST_LIMITS=1 raises them for the
# run, tests/scale/star.sh); then a clos and a three-tier fabric of
# SCALE_ROUTERS (10,000) netns routers, routed (the fabric within 30 s up and
# 15 s down). As root, under the integration lock.
SCALE_NODES ?= 5000
SCALE_ROUTERS ?= 10000
test-scale: all
	flock /tmp/cbx-integration.lock tests/scale/star.sh $(SCALE_NODES)
	flock /tmp/cbx-integration.lock tests/scale/clos.sh $(SCALE_ROUTERS)
	flock /tmp/cbx-integration.lock tests/scale/fabric.sh $(SCALE_ROUTERS)

bench: all
	bench/run.sh
	bench/side_by_side.sh

# Debian packages the build, the tests and the examples need.
deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	  gcc make pkg-config libc6-dev libmnl-dev libnftnl-dev libcap-dev libjansson-dev libseccomp-dev libarchive-dev \
	  musl-tools busybox-static clang clang-format iproute2 nftables iputils-ping procps bsdutils python3 python3-jsonschema python3-pytest \
	  frr dnsmasq-base umoci skopeo libpcap-dev tcpdump graphviz libyaml-dev scdoc man-db zsh \
	  libfaketime redis-server redis-sentinel

# The Python package (python/) goes where Debian's python3 finds it for
# PREFIX, with its pytest11 entry point (the cboxlab_lab fixture).
PYTHON      ?= $(or $(wildcard /usr/bin/python3),python3)
PYTHON_SITE ?= $(PREFIX)/lib/$(shell $(PYTHON) -c 'import sys; print("python%d.%d" % sys.version_info[:2])')/dist-packages

# Where install puts things, under DESTDIR (a staging tree, for packages).
BINDIR     = $(PREFIX)/bin
LIBDIR     = $(PREFIX)/lib/cboxlab
MANDIR     = $(PREFIX)/share/man
DATADIR    = $(PREFIX)/share/cboxlab
DOCDIR     = $(PREFIX)/share/doc/cboxlab
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
D          = $(DESTDIR)
DOCS       := README.md $(wildcard docs/*.md)

# LIBDIR, DATADIR and DOCDIR are cboxlab's own: uninstall removes them
# whole; elsewhere it removes the files install put there, by name.
install: all
	$(PYTHON) python/build_backend/cboxlab_build.py install $(D)$(PYTHON_SITE)
	install -d $(D)$(BINDIR) $(D)$(LIBDIR)
	install -m 755 $(B)/cboxlab $(D)$(BINDIR)/cboxlab
	install -m 755 $(B)/cboxlab-init $(D)$(LIBDIR)/cboxlab-init
	rm -rf $(D)$(LIBDIR)/rootfs $(D)$(LIBDIR)/seccomp
	cp -a $(B)/rootfs $(D)$(LIBDIR)/rootfs
	install -d -m 755 $(D)$(LIBDIR)/seccomp
	install -m 644 $(B)/seccomp/*.bpf $(D)$(LIBDIR)/seccomp/
	@set -e; for m in $(MAN_OUT); do \
		[ -f $$m ] || { echo "make install: no $$m (no scdoc): man pages not installed"; continue; }; \
		sec=$${m##*.}; install -d $(D)$(MANDIR)/man$$sec; \
		echo "install -m 644 $$m $(D)$(MANDIR)/man$$sec/"; install -m 644 $$m $(D)$(MANDIR)/man$$sec/; \
	done
	install -d $(D)$(BASHCOMPDIR) $(D)$(ZSHCOMPDIR)
	install -m 644 completion/cboxlab.bash $(D)$(BASHCOMPDIR)/cboxlab
	install -m 644 completion/_cboxlab $(D)$(ZSHCOMPDIR)/_cboxlab
	rm -rf $(D)$(DATADIR)/topologies
	install -d $(D)$(DATADIR) $(D)$(DOCDIR)
	cp -R topologies $(D)$(DATADIR)/topologies
	install -m 644 $(DOCS) $(D)$(DOCDIR)/

uninstall:
	rm -f $(D)$(BINDIR)/cboxlab
	rm -rf $(D)$(LIBDIR) $(D)$(DATADIR) $(D)$(DOCDIR)
	rm -f $(foreach m,$(MAN_SRC:docs/man/%.scd=%),$(D)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(m))
	rm -f $(D)$(BASHCOMPDIR)/cboxlab $(D)$(ZSHCOMPDIR)/_cboxlab
	rm -rf $(D)$(PYTHON_SITE)/cboxlab $(D)$(PYTHON_SITE)/cboxlab-*.dist-info

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
