/* cidr.c — source-address lists as sshd's addr_match_cidr_list reads them:
 * comma-separated "ADDR[/LEN]" for IPv4 and IPv6; host bits must be zero; a
 * malformed entry makes the whole list invalid (the certificate is refused). */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sftpgw/cert.h"
#include "sftpgw/err.h"

#define CIDR_ENTRY_MAX 64   /* longer than any "IPv6/128" text */

struct net {
	int af;
	uint8_t a[16];
	int len;             /* address length in bytes: 4 or 16 */
	int bits;            /* mask length */
};

static int parse_addr(const char *s, struct net *n)
{
	if (inet_pton(AF_INET, s, n->a) == 1) {
		n->af = AF_INET, n->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, n->a) == 1) {
		n->af = AF_INET6, n->len = 16;
		return 0;
	}
	return SGW_EBADFORMAT;
}

/* Bits of a beyond `bits` must be zero (as sshd's addr_host_is_all0s). */
static bool host_bits_zero(const struct net *n)
{
	for (int i = 0; i < n->len * 8; i++)
		if (i >= n->bits && (n->a[i / 8] & (0x80 >> (i % 8))))
			return false;
	return true;
}

static int parse_entry(const char *e, size_t elen, struct net *n)
{
	char buf[CIDR_ENTRY_MAX];
	char *slash, *end;
	long bits;

	if (elen == 0 || elen >= sizeof(buf))
		return SGW_EBADFORMAT;
	memcpy(buf, e, elen);
	buf[elen] = '\0';
	if (strspn(buf, "0123456789abcdefABCDEF.:/") != elen)
		return SGW_EBADFORMAT;
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if (parse_addr(buf, n) != 0)
		return SGW_EBADFORMAT;
	n->bits = n->len * 8;
	if (slash != NULL) {
		if (slash[1] == '\0')
			return SGW_EBADFORMAT;
		bits = strtol(slash + 1, &end, 10);
		if (*end != '\0' || bits < 0 || bits > n->len * 8)
			return SGW_EBADFORMAT;
		n->bits = (int)bits;
	}
	return host_bits_zero(n) ? 0 : SGW_EBADFORMAT;
}

static bool net_contains(const struct net *net, const struct net *a)
{
	if (net->af != a->af)
		return false;
	for (int i = 0; i < net->bits; i++) {
		uint8_t m = (uint8_t)(0x80 >> (i % 8));

		if ((net->a[i / 8] & m) != (a->a[i / 8] & m))
			return false;
	}
	return true;
}

/* The client address, with IPv4-mapped IPv6 turned back into IPv4 as sshd does. */
static int parse_client(const char *addr, struct net *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (addr == NULL || parse_addr(addr, a) != 0)
		return SGW_EBADFORMAT;
	if (a->af == AF_INET6 && memcmp(a->a, prefix, sizeof(prefix)) == 0) {
		memmove(a->a, a->a + 12, 4);
		a->af = AF_INET, a->len = 4;
	}
	a->bits = a->len * 8;
	return 0;
}

/* Walks the list; with addr != NULL reports whether one entry holds it. */
static int walk(const char *list, const struct net *addr)
{
	const char *p = list, *comma;
	struct net n;
	int found = 0;

	if (*list == '\0')
		return SGW_EBADFORMAT;
	for (;;) {
		comma = strchr(p, ',');
		if (parse_entry(p, comma ? (size_t)(comma - p) : strlen(p), &n) != 0)
			return SGW_EBADFORMAT;
		if (addr != NULL && net_contains(&n, addr))
			found = 1;
		if (comma == NULL)
			return found;
		p = comma + 1;
	}
}

int cert_cidr_list_valid(const char *list)
{
	int r = walk(list, NULL);

	return r < 0 ? r : 0;
}

int cert_cidr_list_match(const char *list, const char *addr)
{
	struct net a;

	if (parse_client(addr, &a) != 0)
		return SGW_EBADFORMAT;
	return walk(list, &a);
}
