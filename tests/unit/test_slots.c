/*
 * test_slots.c: unit tests for lib/slots.c: each session takes the
 * first free slot up to its limit, a closed descriptor frees its slot at
 * once, and slots_others counts the slots of every other open file
 * description of the file, never the asker's own.
 */
#include <sys/types.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "slots.h"

static char tmpdir[] = "/tmp/test_slots.XXXXXX";
static char dir[sizeof(tmpdir) + 16];

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* Made by the first take. */
	snprintf(dir, sizeof(dir), "%s/sessions", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	char path[sizeof(dir) + 16];

	(void)state;
	snprintf(path, sizeof(path), "%s/alice", dir);
	(void)unlink(path);
	(void)rmdir(dir);
	return rmdir(tmpdir);
}

static void
test_take_count_others(void **state)
{
	unsigned int slot;
	int a, b, c;

	(void)state;
	assert_int_equal(slots_count(dir, "alice"), 0);
	assert_true((a = slots_take(dir, "alice", 2, &slot)) != -1);
	assert_int_equal(slot, 0);
	/* Alone: the asker's own slot is not another's. */
	assert_int_equal(slots_others(a), 0);
	assert_true((b = slots_take(dir, "alice", 2, &slot)) != -1);
	assert_int_equal(slot, 1);
	assert_int_equal(slots_others(a), 1);
	assert_int_equal(slots_others(b), 1);
	assert_int_equal(slots_count(dir, "alice"), 2);
	/* The limit: a third is refused, and holds nothing. */
	assert_int_equal(slots_take(dir, "alice", 2, &slot), -1);
	assert_int_equal(errno, EUSERS);
	assert_int_equal(slots_others(a), 1);
	/* A session that ends frees its slot at once. */
	close(a);
	assert_int_equal(slots_others(b), 0);
	assert_true((c = slots_take(dir, "alice", 2, &slot)) != -1);
	assert_int_equal(slot, 0);
	assert_int_equal(slots_others(b), 1);
	assert_int_equal(slots_others(c), 1);
	close(b);
	close(c);
	assert_int_equal(slots_count(dir, "alice"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_take_count_others, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
