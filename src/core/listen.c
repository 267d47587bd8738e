/* listen.c — listening sockets: one per worker per address, SO_REUSEPORT. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core.h"
#include "sftpgw/err.h"
#include "sftpgw/log.h"

#define LISTEN_BACKLOG 1024

/* Splits "ADDR:PORT", "[V6]:PORT" or "PORT" into host and port strings. */
static int listen_split(const char *spec, char *host, size_t hostsz, char *port, size_t portsz)
{
	const char *colon;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || close[1] != ':' || (size_t)(close - spec - 1) >= hostsz)
			return SGW_EBADFORMAT;
		snprintf(host, hostsz, "%.*s", (int)(close - spec - 1), spec + 1);
		colon = close + 1;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		if ((size_t)(colon - spec) >= hostsz)
			return SGW_EBADFORMAT;
		snprintf(host, hostsz, "%.*s", (int)(colon - spec), spec);
	} else {
		snprintf(host, hostsz, "0.0.0.0");
		colon = spec - 1;
	}
	if (snprintf(port, portsz, "%s", colon + 1) >= (int)portsz || port[0] == '\0')
		return SGW_EBADFORMAT;
	return 0;
}

static int listen_one(const struct addrinfo *ai, int *fd_out)
{
	int one = 1, fd;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
	    (ai->ai_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	*fd_out = fd;
	return 0;
}

int listen_open(const char *spec, int nworkers, int *fds, char *bound, size_t boundsz)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICHOST };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct addrinfo *ai;
	char host[256], port[16], hbuf[NI_MAXHOST], pbuf[NI_MAXSERV];
	int r, i;

	if ((r = listen_split(spec, host, sizeof(host), port, sizeof(port))) != 0) {
		log_err("listen %s: expected ADDR:PORT or [ADDR]:PORT", spec);
		return r;
	}
	hints.ai_flags |= AI_NUMERICSERV;
	if ((r = getaddrinfo(host, port, &hints, &ai)) != 0) {
		log_err("listen %s: %s (use a numeric address)", spec, gai_strerror(r));
		return SGW_EBADFORMAT;
	}
	/* The first socket fixes the port (port 0: the kernel picks one); the
	 * others bind the same port so the kernel spreads connections over workers. */
	for (i = 0; i < nworkers; i++) {
		if ((r = listen_one(ai, &fds[i])) != 0)
			break;
		if (i == 0 && getsockname(fds[0], (struct sockaddr *)&ss, &sl) == 0) {
			getnameinfo((struct sockaddr *)&ss, sl, hbuf, sizeof(hbuf), pbuf, sizeof(pbuf),
			            NI_NUMERICHOST | NI_NUMERICSERV);
			snprintf(bound, boundsz, "%s %s", hbuf, pbuf);
			memcpy(ai->ai_addr, &ss, ai->ai_addrlen);
		}
	}
	freeaddrinfo(ai);
	if (r != 0) {
		log_err("listen %s: %s", spec, strerror(-r));
		while (i-- > 0)
			close(fds[i]);
	}
	return r;
}
