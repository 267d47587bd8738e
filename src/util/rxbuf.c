/* rxbuf.c — read-ahead under libssh: fewer recv() and poll() calls per byte.
 *
 * libssh 0.10 reads its socket with recv(fd, buf, 4096, 0) once per POLLIN
 * its own poll() reported (MAX_BUF_SIZE is compiled into socket.c), so a
 * relayed GiB cost the gateway about 550,000 recv() and as many poll(). This
 * file defines recv(), poll() and close(); the dynamic linker binds libssh's
 * calls to the executable's definitions first, and the real ones are reached
 * with dlsym(RTLD_NEXT) (libc's, or a sanitizer's wrapper of them).
 *
 * Read-ahead happens only inside a pump (rxbuf_pump_begin .. _end), the loop
 * that calls ssh_event_dopoll on one session's socket and goes on until the
 * buffer is empty. So bytes never wait in the buffer while the event loop
 * sleeps (it could not know about them), and libssh calls made elsewhere
 * (a channel write's internal poll, ...) read as before.
 *
 * - recv() on the pump's fd with an empty buffer takes up to RXBUF_READ_MAX
 *   bytes from the kernel, then every recv() of that fd is served from the
 *   buffer (one memcpy) until it is empty; EOF and errors are returned as the
 *   kernel gives them, only with an empty buffer.
 * - poll() reports POLLIN for that fd while the buffer holds bytes (libssh
 *   would otherwise not ask again). When it is the only fd polled no syscall
 *   is made and POLLOUT is not reported: libssh keeps its output queued and
 *   sends it in one piece at the first real poll, once the buffer drained.
 * - close() of that fd drops the buffer, so bytes can never reach a later
 *   connection that gets the same fd number.
 *
 * State is per thread (each worker reads its own sessions): one buffer of
 * RXBUF_READ_MAX bytes, allocated on first use, kept until the thread ends
 * (rxbuf_thread_free).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sftpgw/rxbuf.h"

struct rxbuf {
	int pump_fd;        /* fd that may read ahead now, or -1 */
	int fd;             /* fd whose bytes are in data, or -1 */
	size_t off, len;
	uint8_t *data;      /* RXBUF_READ_MAX bytes, allocated on first use */
};

static __thread struct rxbuf rxbuf_tl = { -1, -1, 0, 0, NULL };

typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef int (*poll_fn)(struct pollfd *, nfds_t, int);
typedef int (*close_fn)(int);

/* The next definition of name below ours; looked up once per thread. */
static void *rxbuf_next(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (p == NULL)
		abort(); /* no libc below us: nothing sensible is left to do */
	return p;
}

static __thread recv_fn rxbuf_real_recv;
static __thread poll_fn rxbuf_real_poll;
static __thread close_fn rxbuf_real_close;

static ssize_t rxbuf_sys_recv(int fd, void *buf, size_t len, int flags)
{
	if (rxbuf_real_recv == NULL)
		rxbuf_real_recv = (recv_fn)rxbuf_next("recv");
	return rxbuf_real_recv(fd, buf, len, flags);
}

static int rxbuf_sys_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	if (rxbuf_real_poll == NULL)
		rxbuf_real_poll = (poll_fn)rxbuf_next("poll");
	return rxbuf_real_poll(fds, nfds, timeout);
}

static int rxbuf_sys_close(int fd)
{
	if (rxbuf_real_close == NULL)
		rxbuf_real_close = (close_fn)rxbuf_next("close");
	return rxbuf_real_close(fd);
}

void rxbuf_pump_begin(int fd)
{
	rxbuf_tl.pump_fd = fd;
}

void rxbuf_pump_end(void)
{
	rxbuf_tl.pump_fd = -1;
}

size_t rxbuf_pending(int fd)
{
	return fd >= 0 && rxbuf_tl.fd == fd ? rxbuf_tl.len : 0;
}

void rxbuf_drop(int fd)
{
	if (fd >= 0 && rxbuf_tl.fd == fd) {
		rxbuf_tl.fd = -1;
		rxbuf_tl.len = 0;
	}
}

void rxbuf_thread_free(void)
{
	rxbuf_tl.fd = -1;
	rxbuf_tl.len = 0;
	free(rxbuf_tl.data);
	rxbuf_tl.data = NULL;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct rxbuf *b = &rxbuf_tl;
	ssize_t n;
	size_t k;

	if (fd < 0 || flags != 0 || len == 0)
		return rxbuf_sys_recv(fd, buf, len, flags);
	if (b->fd != fd || b->len == 0) {
		/* Fill only for the pump's fd, with the buffer free, for small reads. */
		if (fd != b->pump_fd || (b->fd != fd && b->len > 0) || len >= RXBUF_READ_MAX)
			return rxbuf_sys_recv(fd, buf, len, flags);
		if (b->data == NULL && (b->data = malloc(RXBUF_READ_MAX)) == NULL)
			return rxbuf_sys_recv(fd, buf, len, flags);
		if ((n = rxbuf_sys_recv(fd, b->data, RXBUF_READ_MAX, 0)) <= 0)
			return n;
		b->fd = fd;
		b->off = 0;
		b->len = (size_t)n;
	}
	k = len < b->len ? len : b->len;
	memcpy(buf, b->data + b->off, k);
	b->off += k;
	b->len -= k;
	if (b->len == 0)
		b->fd = -1;
	return (ssize_t)k;
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	nfds_t i, ready = nfds;
	int r;

	if (rxbuf_tl.len == 0)
		return rxbuf_sys_poll(fds, nfds, timeout);
	for (i = 0; i < nfds; i++)
		if ((fds[i].events & POLLIN) && rxbuf_pending(fds[i].fd) > 0)
			ready = i;
	if (ready == nfds)
		return rxbuf_sys_poll(fds, nfds, timeout);
	if (nfds > 1) {
		/* The others must be asked too, but nobody may wait: bytes are ready. */
		if ((r = rxbuf_sys_poll(fds, nfds, 0)) < 0)
			return r;
	} else {
		fds[0].revents = 0;
	}
	fds[ready].revents |= POLLIN;
	for (i = 0, r = 0; i < nfds; i++)
		r += fds[i].revents != 0;
	return r;
}

int close(int fd)
{
	rxbuf_drop(fd);
	return rxbuf_sys_close(fd);
}
