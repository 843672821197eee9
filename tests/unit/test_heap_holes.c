/*
 * test_heap_holes.c: unit tests for the master's hole filling
 * (daemon/heap_holes.c): after it, a small allocation comes from above
 * every hole the heap had, not from one of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "heap_holes.h"

#define HOLES_N 512

static void
test_small_allocations_skip_the_holes(void **state)
{
	static void *chunk[HOLES_N];
	uintptr_t highest_hole = 0;
	size_t taken, freed = 0, i;
	void *guard, *p;

	(void)state;
	/* Chunks of several sizes, every other one freed: holes. */
	for (i = 0; i < HOLES_N; i++)
		assert_non_null(chunk[i] = malloc(24 + (i % 8) * 40));
	/* Keeps the last hole from merging into the top of the heap. */
	assert_non_null(guard = malloc(64));
	for (i = 0; i < HOLES_N; i += 2) {
		if ((uintptr_t)chunk[i] > highest_hole)
			highest_hole = (uintptr_t)chunk[i];
		freed += 24 + (i % 8) * 40;
		free(chunk[i]);
		chunk[i] = NULL;
	}
	/* Without the filling, this would be one of the holes. */
	assert_non_null(p = malloc(24));
	assert_true((uintptr_t)p <= highest_hole);
	free(p);

	/* What it takes is counted as asked for: at least half of it. */
	taken = heap_fill_holes();
	assert_true(taken >= freed / 2);
	for (i = 0; i < 8; i++) {
		assert_non_null(p = malloc(24 + i * 40));
		assert_true((uintptr_t)p > highest_hole);
		free(p);
	}
	for (i = 1; i < HOLES_N; i += 2)
		free(chunk[i]);
	free(guard);
}

/* After it, no hole is left: a second call finds none. */
static void
test_nothing_left(void **state)
{
	(void)state;
	(void)heap_fill_holes();
	assert_int_equal(heap_fill_holes(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_allocations_skip_the_holes),
		cmocka_unit_test(test_nothing_left),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
