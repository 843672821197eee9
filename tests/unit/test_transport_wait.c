/*
 * test_transport_wait.c: unit tests for the waits of lib/transport.c on
 * a plain socket pair: transport_pending looks at the socket even when
 * it may not wait at all, a wait ends when bytes come or its time is
 * up, and a watch (transport_set_watch) is asked during a long wait and
 * stops it.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "transport.h"
#include "util.h"

struct pair {
	int fd[2];
	struct transport *t;
};

static int
setup(void **state)
{
	static struct pair p;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p.fd) == -1)
		return -1;
	p.t = transport_new(p.fd[0], 5000);
	*state = &p;
	return 0;
}

static int
teardown(void **state)
{
	struct pair *p = *state;

	transport_free(p->t);
	close(p->fd[1]);
	return 0;
}

/* A zero wait still asks the socket: bytes there are pending. */
static void
test_pending_sees_the_socket(void **state)
{
	struct pair *p = *state;

	assert_int_equal(transport_pending(p->t), 0);
	assert_int_equal(write(p->fd[1], "x", 1), 1);
	assert_int_equal(transport_pending(p->t), 1);
}

/* The same with a watch set, which a zero wait does not wait on. */
static int never_stop_calls;

static int
never_stop(void *arg)
{
	(void)arg;
	never_stop_calls++;
	return 0;
}

static void
test_pending_with_a_watch(void **state)
{
	struct pair *p = *state;

	transport_set_watch(p->t, never_stop, NULL, 50);
	assert_int_equal(transport_pending(p->t), 0);
	assert_int_equal(write(p->fd[1], "x", 1), 1);
	assert_int_equal(transport_pending(p->t), 1);
}

/* A wait for nothing ends at its time, not before (and not much after). */
static void
test_wait_times_out(void **state)
{
	struct pair *p = *state;
	uint64_t t0 = mono_ms(), took;

	assert_int_equal(transport_wait(p->t, 150), 0);
	took = mono_ms() - t0;
	assert_true(took >= 140);
	assert_true(took < 2000);
}

/* Asked during a long wait, in slices of its interval, and obeyed. */
static int stop_after;

static int
stop_on_third(void *arg)
{
	(void)arg;
	return ++stop_after >= 3;
}

static void
test_watch_stops_a_long_wait(void **state)
{
	struct pair *p = *state;
	uint64_t t0 = mono_ms(), took;

	stop_after = 0;
	transport_set_watch(p->t, stop_on_third, NULL, 50);
	assert_int_equal(transport_wait(p->t, 60000), ERR_STOPPED);
	took = mono_ms() - t0;
	assert_int_equal(stop_after, 3);
	assert_true(took < 5000);
}

/* A watch that says go on does not end a wait that bytes end. */
static void
test_watch_lets_bytes_through(void **state)
{
	struct pair *p = *state;

	never_stop_calls = 0;
	transport_set_watch(p->t, never_stop, NULL, 20);
	assert_int_equal(write(p->fd[1], "x", 1), 1);
	assert_int_equal(transport_wait(p->t, 60000), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_pending_sees_the_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_pending_with_a_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_wait_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_stops_a_long_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_lets_bytes_through, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
