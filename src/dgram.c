/* dgram.c: batches of datagrams, the ICMP error queue, UDP sockets and multicast joins. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dgram.h"
#include "parse.h"
#include "report.h"
#include "io.h"

size_t
dgram_limit(int family)
{
	return family == AF_INET6 ? DGRAM_MAX_IPV6 : DGRAM_MAX_IPV4;
}

int
dgram_batch_init(struct dgram_batch *b, unsigned cap, size_t size)
{
	memset(b, 0, sizeof(*b));
	b->cap = cap;
	b->size = size;
	b->msg = calloc(cap, sizeof(*b->msg));
	b->iov = calloc(cap, sizeof(*b->iov));
	b->addr = calloc(cap, sizeof(*b->addr));
	/* Untouched pages cost nothing: short datagrams use the first page of each slot. */
	if (size > 0)
		b->buf = reallocarray(NULL, cap, size);
	if (b->msg == NULL || b->iov == NULL || b->addr == NULL || (size > 0 && b->buf == NULL)) {
		dgram_batch_free(b);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
dgram_batch_free(struct dgram_batch *b)
{
	free(b->msg);
	free(b->iov);
	free(b->addr);
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

int
dgram_batch_add(struct dgram_batch *b, const void *data, size_t len, const struct sockaddr *to,
    socklen_t tolen)
{
	struct msghdr *h = &b->msg[b->n].msg_hdr;

	memset(h, 0, sizeof(*h));
	b->iov[b->n].iov_base = (void *)(uintptr_t)data;
	b->iov[b->n].iov_len = len;
	h->msg_iov = &b->iov[b->n];
	h->msg_iovlen = 1;
	if (to != NULL) {
		memcpy(&b->addr[b->n], to, tolen);
		h->msg_name = &b->addr[b->n];
		h->msg_namelen = tolen;
	}
	b->n++;
	return b->n == b->cap;
}

/* sendmmsg where the kernel has it; one sendmsg at a time where it says ENOSYS. */
static int
send_some(int fd, struct mmsghdr *msg, unsigned n)
{
	static int no_sendmmsg;
	int r;

	if (!no_sendmmsg) {
		r = sendmmsg(fd, msg, n, MSG_NOSIGNAL);
		if (r != -1 || errno != ENOSYS)
			return r;
		no_sendmmsg = 1;
	}
	if (sendmsg(fd, &msg->msg_hdr, MSG_NOSIGNAL) == -1)
		return -1;
	return 1;
}

int
dgram_send(int fd, struct dgram_batch *b, uint64_t *sent, size_t *failed_len)
{
	unsigned done = 0;
	int r;

	/*
	 * sendmmsg stops at the first failure and, having sent some, drops its
	 * errno; asking again for the rest makes the failing one say why.
	 */
	while (done < b->n) {
		r = send_some(fd, b->msg + done, b->n - done);
		if (r == -1) {
			if (io_write_retry(fd))
				continue;
			break;
		}
		done += (unsigned)r;
		*sent += (uint64_t)r;
	}
	if (done < b->n) {
		int err = errno;
		*failed_len = b->iov[done].iov_len;
		b->n = 0;
		errno = err;
		return -1;
	}
	b->n = 0;
	return 0;
}

int
dgram_recv(int fd, struct dgram_batch *b, unsigned max)
{
	int r;

	if (max > b->cap)
		max = b->cap;
	for (unsigned i = 0; i < max; i++) {
		struct msghdr *h = &b->msg[i].msg_hdr;
		memset(h, 0, sizeof(*h));
		b->iov[i].iov_base = b->buf + (size_t)i * b->size;
		b->iov[i].iov_len = b->size;
		h->msg_iov = &b->iov[i];
		h->msg_iovlen = 1;
		h->msg_name = &b->addr[i];
		h->msg_namelen = sizeof(b->addr[i]);
	}
	/* MSG_TRUNC: msg_len is then the datagram's own length, so a cut is seen, never hidden. */
	do
		r = recvmmsg(fd, b->msg, max, MSG_DONTWAIT | MSG_TRUNC, NULL);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		b->n = 0;
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	}
	b->n = (unsigned)r;
	return r;
}

const unsigned char *
dgram_data(const struct dgram_batch *b, unsigned i)
{
	return b->buf + (size_t)i * b->size;
}

size_t
dgram_size(const struct dgram_batch *b, unsigned i)
{
	return b->msg[i].msg_len;
}

size_t
dgram_kept(const struct dgram_batch *b, unsigned i)
{
	return b->msg[i].msg_len < b->size ? b->msg[i].msg_len : b->size;
}

const struct sockaddr *
dgram_from(const struct dgram_batch *b, unsigned i)
{
	return (const struct sockaddr *)&b->addr[i];
}

socklen_t
dgram_fromlen(const struct dgram_batch *b, unsigned i)
{
	return b->msg[i].msg_hdr.msg_namelen;
}

int
dgram_write_payloads(int fd, const struct dgram_batch *b, unsigned first, unsigned n)
{
	struct iovec iov[DGRAM_BATCH];
	unsigned cnt = 0, at = 0;
	ssize_t w;

	while (n > 0) {
		cnt = 0;
		for (unsigned i = first; i < first + n && cnt < DGRAM_BATCH && cnt < IOV_MAX; i++) {
			iov[cnt].iov_base = (void *)(uintptr_t)dgram_data(b, i);
			iov[cnt++].iov_len = dgram_kept(b, i);
		}
		first += cnt;
		n -= cnt;
		at = 0;
		/* A partial writev leaves the rest of the iovecs to go, in order. */
		while (at < cnt) {
			if ((w = writev(fd, iov + at, (int)(cnt - at))) == -1) {
				if (io_write_retry(fd))
					continue;
				return -1;
			}
			while (at < cnt && (size_t)w >= iov[at].iov_len)
				w -= (ssize_t)iov[at++].iov_len;
			if (at < cnt) {
				iov[at].iov_base = (char *)iov[at].iov_base + w;
				iov[at].iov_len -= (size_t)w;
			}
		}
	}
	return 0;
}

int
dgram_error_read(int fd, struct errqueue_entry *e)
{
	socklen_t len = sizeof(e->err);
	int r;

	if ((r = errqueue_read(fd, e, NULL, 0)) != 0)
		return r;
	/* The queue is empty; a pending error without an entry is still an error. */
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e->err, &len) == -1)
		return -1;
	return e->err != 0;
}

static void
fail(struct sock_failure *f, const char *call, const struct sockaddr *sa)
{
	f->call = call;
	f->err = errno;
	f->eai = 0;
	addr_format(sa, f->addr, sizeof(f->addr));
	f->port = addr_port(sa);
}

int
dgram_open(const struct sockaddr *to, socklen_t tolen, const struct dgram_options *o,
    struct sock_failure *f)
{
	int fd, one = 1, err;

	memset(f, 0, sizeof(*f));
	if ((fd = socket(to->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP)) == -1) {
		fail(f, "socket", to);
		return -1;
	}
	if (errqueue_enable(fd, to->sa_family) == -1 ||
	    (o->broadcast && setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) == -1) ||
	    tunables_apply(fd, to->sa_family, &o->tun, &f->tunable) == -1) {
		fail(f, "setsockopt", to);
		goto failed;
	}
	if (o->source != NULL && bind(fd, o->source, o->sourcelen) == -1) {
		fail(f, "bind", o->source);
		goto failed;
	}
	if (o->connect && connect(fd, to, tolen) == -1) {
		fail(f, "connect", to);
		goto failed;
	}
	return fd;
failed:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

void
dgram_grow_rcvbuf(int fd, int bytes)
{
	int have;
	socklen_t len = sizeof(have);

	/* Only ever grow: a system configured larger stays larger. */
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &len) == 0 && have >= bytes)
		return;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

int
dgram_is_multicast(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return IN_MULTICAST(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return 0;
}

int
dgram_join(int fd, const struct sockaddr *group, socklen_t grouplen, unsigned ifindex)
{
	struct group_req req;
	int level = group->sa_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;

	memset(&req, 0, sizeof(req));
	req.gr_interface = ifindex;
	memcpy(&req.gr_group, group, grouplen);
	/*
	 * MCAST_JOIN_GROUP serves both families; an IPv4 group at level IP on
	 * a dual-stack IPv6 socket is how Linux joins it for the IPv4 side.
	 */
	return setsockopt(fd, level, MCAST_JOIN_GROUP, &req, sizeof(req));
}

uint16_t
dgram_address(const struct sockaddr *sa, char *buf, size_t len)
{
	struct sockaddr_storage plain;

	addr_unmap(sa, &plain);
	addr_format((struct sockaddr *)&plain, buf, len);
	return addr_port((struct sockaddr *)&plain);
}

void
dgram_report_truncated(const struct sockaddr *from, size_t size, size_t buffer)
{
	char text[ADDR_STRLEN];
	uint16_t port = dgram_address(from, text, sizeof(text));

	report_error("datagram of %zu bytes from %s port %u truncated to the %zu-byte buffer", size,
	    text, port, buffer);
	report_hint("--buffer %zu (or more) keeps it whole", size);
}

int
dgram_timed_out(int64_t timeout_usec, uint64_t got, long long count)
{
	char d[32];

	duration_format(timeout_usec, d, sizeof(d));
	if (got == 0) {
		report_error("no datagram within %s", d);
		return EXIT_NETWORK;
	}
	if (count > 0) {
		report_error("%llu of %lld datagrams arrived, then none for %s",
		    (unsigned long long)got, count, d);
		return EXIT_NETWORK;
	}
	report_verbose(1, "%llu datagram%s, then none for %s", (unsigned long long)got,
	    got == 1 ? "" : "s", d);
	return EXIT_OK;
}
