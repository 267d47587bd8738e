/* test_rxbuf.c — the read-ahead under libssh: recv(), poll() and close() as
 * libssh sees them, inside and outside a pump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sftpgw/rxbuf.h"

#define CHUNK 4096 /* what libssh asks for */
#define SENT (RXBUF_READ_MAX / 2 + 1000)

static uint8_t pattern(size_t i) { return (uint8_t)(i * 7 + i / 251); }

static void send_pattern(int fd, size_t n)
{
	uint8_t buf[8192];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);
		for (size_t i = 0; i < k; i++)
			buf[i] = pattern(done + i);
		assert_int_equal(send(fd, buf, k, 0), (ssize_t)k);
		done += k;
	}
}

static void pair(int sv[2])
{
	int sz = 4 * RXBUF_READ_MAX;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

/* Outside a pump every call reaches the kernel: nothing is kept. */
static void test_outside_pump(void **state)
{
	uint8_t buf[CHUNK];
	int sv[2];

	(void)state;
	pair(sv);
	send_pattern(sv[0], SENT);
	assert_int_equal(recv(sv[1], buf, sizeof(buf), 0), CHUNK);
	assert_int_equal(rxbuf_pending(sv[1]), 0);
	close(sv[0]);
	close(sv[1]);
}

/* Inside a pump: one kernel read, then 4 KiB pieces in order; poll() says
 * POLLIN from the buffer (it would block forever otherwise: the kernel is
 * empty) and blocks no more once the buffer is empty; EOF comes last. */
static void test_pump_drains_in_order(void **state)
{
	uint8_t buf[CHUNK];
	struct pollfd p;
	size_t got = 0;
	ssize_t n;
	int sv[2];

	(void)state;
	pair(sv);
	send_pattern(sv[0], SENT);
	close(sv[0]); /* EOF after the data */
	rxbuf_pump_begin(sv[1]);
	n = recv(sv[1], buf, sizeof(buf), 0);
	assert_int_equal(n, CHUNK);
	assert_int_equal(rxbuf_pending(sv[1]), SENT - CHUNK);
	got = (size_t)n;
	while (rxbuf_pending(sv[1]) > 0) {
		p.fd = sv[1];
		p.events = POLLIN | POLLOUT;
		p.revents = 0;
		assert_int_equal(poll(&p, 1, -1), 1);
		assert_true(p.revents & POLLIN);
		assert_false(p.revents & POLLOUT); /* not asked: sent after the drain */
		n = recv(sv[1], buf, sizeof(buf), 0);
		assert_true(n > 0 && n <= CHUNK);
		for (ssize_t i = 0; i < n; i++)
			assert_int_equal(buf[i], pattern(got + (size_t)i));
		got += (size_t)n;
	}
	assert_int_equal(got, SENT);
	assert_int_equal(recv(sv[1], buf, sizeof(buf), 0), 0); /* EOF, as the kernel says */
	rxbuf_pump_end();
	close(sv[1]);
}

/* A buffered fd polled with another: no waiting, both answered. */
static void test_poll_two_fds(void **state)
{
	uint8_t buf[CHUNK];
	struct pollfd p[2];
	int a[2], b[2];

	(void)state;
	pair(a);
	pair(b);
	send_pattern(a[0], SENT);
	rxbuf_pump_begin(a[1]);
	assert_int_equal(recv(a[1], buf, sizeof(buf), 0), CHUNK);
	rxbuf_pump_end();
	assert_true(rxbuf_pending(a[1]) > 0); /* still served after the pump */
	p[0].fd = b[1];
	p[0].events = POLLIN;
	p[1].fd = a[1];
	p[1].events = POLLIN;
	p[0].revents = p[1].revents = 0;
	assert_int_equal(poll(p, 2, -1), 1);
	assert_int_equal(p[0].revents, 0);
	assert_true(p[1].revents & POLLIN);
	/* Without POLLIN asked (libssh's nested polls) the buffer is not reported. */
	p[1].events = POLLOUT;
	p[1].revents = 0;
	assert_int_equal(poll(&p[1], 1, 0), 1);
	assert_false(p[1].revents & POLLIN);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* close() drops the buffer: a new socket with the same number sees none of it. */
static void test_close_drops(void **state)
{
	uint8_t buf[CHUNK];
	int sv[2], nv[2], fd;

	(void)state;
	pair(sv);
	send_pattern(sv[0], SENT);
	fd = sv[1];
	rxbuf_pump_begin(fd);
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), CHUNK);
	rxbuf_pump_end();
	assert_true(rxbuf_pending(fd) > 0);
	close(sv[1]);
	assert_int_equal(rxbuf_pending(fd), 0);
	close(sv[0]);
	pair(nv);
	assert_int_equal(rxbuf_pending(nv[0]), 0);
	assert_int_equal(rxbuf_pending(nv[1]), 0);
	send_pattern(nv[0], 10);
	assert_int_equal(recv(nv[1], buf, sizeof(buf), 0), 10);
	assert_int_equal(buf[0], pattern(0));
	close(nv[0]);
	close(nv[1]);
}

/* rxbuf_drop forgets the bytes; the fd then reads from the kernel again. */
static void test_drop(void **state)
{
	uint8_t buf[CHUNK];
	int sv[2];

	(void)state;
	pair(sv);
	send_pattern(sv[0], SENT);
	rxbuf_pump_begin(sv[1]);
	assert_int_equal(recv(sv[1], buf, sizeof(buf), 0), CHUNK);
	rxbuf_pump_end();
	assert_true(rxbuf_pending(sv[1]) > 0);
	rxbuf_drop(sv[0]); /* another fd: nothing happens */
	assert_true(rxbuf_pending(sv[1]) > 0);
	rxbuf_drop(sv[1]);
	assert_int_equal(rxbuf_pending(sv[1]), 0);
	send_pattern(sv[0], 10);
	assert_int_equal(recv(sv[1], buf, sizeof(buf), 0), 10);
	close(sv[0]);
	close(sv[1]);
	rxbuf_thread_free();
}

/* Flags (MSG_PEEK...) and big reads bypass the buffer. */
static void test_passthrough(void **state)
{
	static uint8_t big[RXBUF_READ_MAX];
	uint8_t buf[CHUNK];
	int sv[2];

	(void)state;
	pair(sv);
	send_pattern(sv[0], 100);
	rxbuf_pump_begin(sv[1]);
	assert_int_equal(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 100);
	assert_int_equal(rxbuf_pending(sv[1]), 0);
	assert_int_equal(recv(sv[1], big, sizeof(big), 0), 100);
	assert_int_equal(rxbuf_pending(sv[1]), 0);
	rxbuf_pump_end();
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outside_pump),
		cmocka_unit_test(test_pump_drains_in_order),
		cmocka_unit_test(test_poll_two_fds),
		cmocka_unit_test(test_close_drops),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_passthrough),
	};

	int r = cmocka_run_group_tests(tests, NULL, NULL);

	rxbuf_thread_free();
	return r;
}
