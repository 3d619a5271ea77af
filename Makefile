# SPDX-License-Identifier: GPL-2.0
# freezeguard: see README.md. `make check` runs every test.

CC ?= gcc
CFLAGS_TEST := -std=gnu11 -O2 -g -Wall -Wextra -Werror
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
INTERLEAVE_DEPTH ?= 9
B := build

CORE := module/fsm.c module/fsm.h
CHECK_H := tests/common/fsm_check.h

.PHONY: all check prove prove-negative unit interleave interleave-negative clean \
	bench bench-smoke bench-publish

all: $(B)/test_fsm $(B)/interleave

$(B):
	mkdir -p $@

# --- the core's userspace tests --------------------------------------------
$(B)/test_fsm: tests/unit/test_fsm.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -o $@ tests/unit/test_fsm.c module/fsm.c

$(B)/test_fsm-san: tests/unit/test_fsm.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) $(SANITIZE) -o $@ tests/unit/test_fsm.c module/fsm.c

$(B)/interleave: tests/interleave/interleave.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -DFSM_HISTORY=2 -o $@ tests/interleave/interleave.c module/fsm.c

# The same fsm.c with a bug switched on, each of which must be caught: the
# KB 915331 worker, the lost thaw of a freeze that timed out while its
# filesystems were being frozen, and the end of a freeze that keeps those
# frozen so far until the one still syncing completes (hung-sync).
$(B)/interleave-kb915331: tests/interleave/interleave.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -DFSM_HISTORY=2 -DFSM_KB915331_BUG -o $@ tests/interleave/interleave.c module/fsm.c

$(B)/interleave-lost-thaw: tests/interleave/interleave.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -DFSM_HISTORY=2 -DFSM_LOST_THAW_BUG -o $@ tests/interleave/interleave.c module/fsm.c

$(B)/interleave-hung-sync: tests/interleave/interleave.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -DFSM_HISTORY=2 -DFSM_HUNG_SYNC_BUG -o $@ tests/interleave/interleave.c module/fsm.c

$(B)/test_fsm-lost-thaw: tests/unit/test_fsm.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -DFSM_LOST_THAW_BUG -o $@ tests/unit/test_fsm.c module/fsm.c

$(B)/test_fsm-hung-sync: tests/unit/test_fsm.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -DFSM_HUNG_SYNC_BUG -o $@ tests/unit/test_fsm.c module/fsm.c

unit: $(B)/test_fsm $(B)/test_fsm-san
	$(B)/test_fsm
	$(B)/test_fsm-san

interleave: $(B)/interleave
	$(B)/interleave $(INTERLEAVE_DEPTH)

# Succeeds only if the checker (and, for the filesystem bugs, the unit
# tests) finds the bug in each variant.
interleave-negative: $(B)/interleave-kb915331 $(B)/interleave-lost-thaw $(B)/test_fsm-lost-thaw \
	$(B)/interleave-hung-sync $(B)/test_fsm-hung-sync
	@for v in kb915331 lost-thaw hung-sync; do \
	$(B)/interleave-$$v $(INTERLEAVE_DEPTH); rc=$$?; \
	if [ $$rc -eq 1 ]; then echo "as required, the checker rejects the $$v variant"; \
	else echo "interleave-negative: the $$v variant was NOT caught (exit $$rc)" >&2; exit 1; fi; done
	@for v in lost-thaw hung-sync; do \
	if $(B)/test_fsm-$$v >/dev/null; then \
	echo "interleave-negative: the unit tests pass the $$v variant" >&2; exit 1; \
	else echo "as required, the unit tests reject the $$v variant"; fi; done

# --- Frama-C -----------------------------------------------------------------
# The core and the glue, in parallel; the negative controls, each of which
# WP must reject (spec/prove.sh says which property each one breaks).
prove:
	spec/prove.sh

prove-negative:
	spec/prove.sh --negative

# --- benchmarks (bench/README.md) ---------------------------------------------
# make bench: every benchmark, in the test VM, with its table and plots in
# build/bench/; make bench-publish copies them to docs/bench/ and the table
# into README.md. make
# bench-smoke: each benchmark briefly, to show that it yields numbers (CI).
bench:
	bench/run $(VM_KVER)

bench-smoke:
	bench/run --smoke $(VM_KVER)

bench-publish:
	bench/publish

# --- everything --------------------------------------------------------------
check:
	tests/run-all

clean:
	rm -rf $(B)

# --- the kernel module and freezectl ------------------------------------------
# KVER: the running kernel if its build tree exists, else the newest installed
# Debian headers.
KVER ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
	else ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1 | cut -d/ -f4; fi)
USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude/uapi
UAPI := include/uapi/linux/freezeguard.h
# The version's one home is debian/changelog (scripts/version).
VERSION := $(shell scripts/version)
FREEZECTL_DEFS := -DFREEZECTL_VERSION='"$(VERSION)"'

.PHONY: module freezectl vm-test vm-test-negative vm-test-debug demo lint docs

$(B)/fsm-diagram: tools/fsm-diagram.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -o $@ tools/fsm-diagram.c module/fsm.c

# README's state table and docs/state-diagram.svg, from the core itself
docs:
	scripts/docs

# checkpatch.pl --strict and sparse (make C=2)
lint:
	scripts/lint

all: module freezectl

module:
	scripts/build-module $(KVER)

freezectl: $(B)/freezectl $(B)/freezectl.static

# The dynamic one is what is installed: it takes the packager's
# CPPFLAGS/CFLAGS/LDFLAGS (dpkg-buildflags: hardening) after ours.
$(B)/freezectl: userspace/freezectl.c $(UAPI) debian/changelog | $(B)
	$(CC) $(USER_CFLAGS) $(FREEZECTL_DEFS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ userspace/freezectl.c

$(B)/freezectl.static: userspace/freezectl.c $(UAPI) debian/changelog | $(B)
	$(CC) $(USER_CFLAGS) $(FREEZECTL_DEFS) -static -o $@ userspace/freezectl.c

$(B)/fgtest: tests/vm/fgtest.c tests/common/fgdev.h $(UAPI) | $(B)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ tests/vm/fgtest.c

$(B)/fgbench: bench/fgbench.c tests/common/fgdev.h module/fsm.h $(UAPI) | $(B)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ bench/fgbench.c

# --- installing ----------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: freezectl, its man page
# (with the version), its bash completion and the ioctl ABI header;
# make uninstall removes them. debian/rules installs with these too.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INCLUDEDIR ?= $(PREFIX)/include
# qemu-guest-agent looks for its hooks in /etc/qemu, whatever the prefix
SYSCONFDIR ?= /etc
QGA_HOOK := $(SYSCONFDIR)/qemu/fsfreeze-hook.d/freezeguard
QGA_HOOK_CONF := $(SYSCONFDIR)/freezeguard/qga-fsfreeze-hook.conf

.PHONY: install uninstall

install: $(B)/freezectl
	install -D -m 0755 $(B)/freezectl $(DESTDIR)$(SBINDIR)/freezectl
	install -d $(DESTDIR)$(MANDIR)/man8
	sed '/^\.TH /s/"freezeguard"/"freezeguard $(VERSION)"/' userspace/freezectl.8 \
		>$(DESTDIR)$(MANDIR)/man8/freezectl.8
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/freezectl.8
	grep -q '^\.TH .*"freezeguard $(VERSION)"' $(DESTDIR)$(MANDIR)/man8/freezectl.8
	install -D -m 0644 userspace/freezectl.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/freezectl
	install -D -m 0644 $(UAPI) $(DESTDIR)$(INCLUDEDIR)/linux/freezeguard.h
	install -D -m 0755 userspace/qga/freezeguard-fsfreeze-hook $(DESTDIR)$(QGA_HOOK)
	install -D -m 0644 userspace/qga/qga-fsfreeze-hook.conf $(DESTDIR)$(QGA_HOOK_CONF)

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/freezectl $(DESTDIR)$(MANDIR)/man8/freezectl.8 \
		$(DESTDIR)$(BASHCOMPDIR)/freezectl $(DESTDIR)$(INCLUDEDIR)/linux/freezeguard.h \
		$(DESTDIR)$(QGA_HOOK) $(DESTDIR)$(QGA_HOOK_CONF)

# make install-dkms: freezeguard.ko's source as DKMS wants it, in
# $(DESTDIR)$(DKMS_SRCDIR)/freezeguard-$(VERSION) with dkms.conf, its
# version filled in: exactly what Kbuild reads for freezeguard.ko and no
# more (no tests, no benchmarks). freezeguard-dkms installs the same.
DKMS_SRCDIR ?= /usr/src
DKMS_DIR := $(DESTDIR)$(DKMS_SRCDIR)/freezeguard-$(VERSION)
DKMS_SRC := Kbuild $(wildcard module/*.c module/*.h module/probes/*.c) $(UAPI)

.PHONY: install-dkms uninstall-dkms

install-dkms:
	rm -rf $(DKMS_DIR)
	for f in $(DKMS_SRC); do install -D -m 0644 $$f $(DKMS_DIR)/$$f || exit 1; done
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_DIR)/dkms.conf

uninstall-dkms:
	rm -rf $(DKMS_DIR)

# make vm-test KVER=<installed kernel>: the VM suite on that kernel
# (default: the newest Debian 6.1 generic); make vm-test-debug: on the debug
# + KUnit kernel, built (or taken from its cache) first.
VM_KVER := $(if $(filter command line environment,$(origin KVER)),--kver $(KVER))

vm-test:
	tests/vm/run-vm $(VM_KVER) main

vm-test-negative:
	tests/vm/run-negative $(VM_KVER)

vm-test-debug:
	tests/vm/run-vm --kernel "$$(scripts/build-debug-kernel)" --scale 10 main

demo:
	tests/vm/run-vm $(VM_KVER) --show demo
