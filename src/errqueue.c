/* errqueue.c: one entry of a socket's error queue read, with its ICMP fields and offender. */
#include "config.h"

#include <errno.h>
#include <time.h>
/* After <time.h>: it uses struct timespec without including it. */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/uio.h>

#include "errqueue.h"

int
errqueue_enable(int fd, int family)
{
	int one = 1;

	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	return setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
}

static void
fill(struct errqueue_entry *e, const struct sock_extended_err *ee)
{
	const struct sockaddr *off = SO_EE_OFFENDER(ee);

	e->err = (int)ee->ee_errno;
	e->origin = ee->ee_origin;
	e->from_icmp = ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6;
	e->icmp6 = ee->ee_origin == SO_EE_ORIGIN_ICMP6;
	e->type = ee->ee_type;
	e->code = ee->ee_code;
	e->info = ee->ee_info;
	e->data = ee->ee_data;
	if (off->sa_family == AF_INET)
		memcpy(&e->offender, off, sizeof(struct sockaddr_in));
	else if (off->sa_family == AF_INET6)
		memcpy(&e->offender, off, sizeof(struct sockaddr_in6));
}

/* The entry itself, and what else the socket asked to be told: the time, the TTL. */
static int
read_control(struct msghdr *h, struct errqueue_entry *e)
{
	int found = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
			fill(e, (const struct sock_extended_err *)(void *)CMSG_DATA(c));
			found = 1;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
			   c->cmsg_len >= CMSG_LEN(sizeof(e->stamp))) {
			memcpy(&e->stamp, CMSG_DATA(c), sizeof(e->stamp));
			e->have_stamp = 1;
		} else if (((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
			       (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) &&
			   c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&e->ttl, CMSG_DATA(c), sizeof(e->ttl));
	}
	return found;
}

int
errqueue_read(int fd, struct errqueue_entry *e, void *buf, size_t len)
{
	union {
		char
		    buf[CMSG_SPACE(sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in6)) +
			CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(int)) + 64];
		struct cmsghdr align;
	} control;
	char none[1];
	struct iovec iov = { buf != NULL ? buf : none, buf != NULL ? len : sizeof(none) };
	struct msghdr h = { .msg_name = &e->dest,
		.msg_namelen = sizeof(e->dest),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf) };
	ssize_t n;

	memset(e, 0, sizeof(*e));
	e->ttl = -1;
	do
		n = recvmsg(fd, &h, MSG_ERRQUEUE | MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (h.msg_namelen == 0)
		e->dest.ss_family = 0;
	e->quoted = buf != NULL ? (size_t)n : 0;
	/* An entry without its description: still an error, of unknown cause. */
	if (!read_control(&h, e))
		e->err = EIO;
	return 1;
}
