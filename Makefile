# SPDX-License-Identifier: GPL-2.0
# freezeguard: see README.md. `make check` runs every test.

CC ?= gcc
CFLAGS_TEST := -std=gnu11 -O2 -g -Wall -Wextra -Werror
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
INTERLEAVE_DEPTH ?= 10
B := build

CORE := module/fsm.c module/fsm.h
CHECK_H := tests/common/fsm_check.h

.PHONY: all check prove prove-negative unit interleave interleave-negative clean

all: $(B)/test_fsm $(B)/interleave

$(B):
	mkdir -p $@

# --- the core's userspace tests --------------------------------------------
$(B)/test_fsm: tests/unit/test_fsm.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -o $@ tests/unit/test_fsm.c module/fsm.c

$(B)/test_fsm-san: tests/unit/test_fsm.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) $(SANITIZE) -o $@ tests/unit/test_fsm.c module/fsm.c

$(B)/interleave: tests/interleave/interleave.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -o $@ tests/interleave/interleave.c module/fsm.c

# The same fsm.c with the KB 915331 worker switched on: must be caught.
$(B)/interleave-kb915331: tests/interleave/interleave.c $(CORE) $(CHECK_H) | $(B)
	$(CC) $(CFLAGS_TEST) -DFSM_KB915331_BUG -o $@ tests/interleave/interleave.c module/fsm.c

unit: $(B)/test_fsm $(B)/test_fsm-san
	$(B)/test_fsm
	$(B)/test_fsm-san

interleave: $(B)/interleave
	$(B)/interleave $(INTERLEAVE_DEPTH)

# Succeeds only if the checker finds the bug in the variant.
interleave-negative: $(B)/interleave-kb915331
	@$(B)/interleave-kb915331 $(INTERLEAVE_DEPTH); rc=$$?; \
	if [ $$rc -eq 1 ]; then echo "as required, the checker rejects the KB 915331 variant"; \
	else echo "interleave-negative: the KB 915331 variant was NOT caught (exit $$rc)" >&2; exit 1; fi

# --- Frama-C -----------------------------------------------------------------
prove:
	spec/prove.sh

prove-negative:
	spec/prove.sh --negative

# --- everything --------------------------------------------------------------
check:
	tests/run-all

clean:
	rm -rf $(B)
