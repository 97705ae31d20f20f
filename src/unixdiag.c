/* unixdiag.c: Unix sockets from NETLINK_SOCK_DIAG (UNIX_DIAG), else from /proc/net/unix. */
#include "config.h"

#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unixdiag.h"
#include "unixsock_proc.h"

const char *
unixdiag_state_name(int state)
{
	switch (state) {
	case UNIXDIAG_LISTEN: return "LISTEN";
	case UNIXDIAG_CONNECTED: return "CONNECTED";
	case UNIXDIAG_CONNECTING: return "CONNECTING";
	case UNIXDIAG_UNCONNECTED: return "UNCONNECTED";
	default: return "?";
	}
}

int
unixdiag_add(struct unixdiag_table *t, const struct unixdiag_socket *s)
{
	struct unixdiag_socket *v;

	if (t->n == t->cap) {
		if ((v = reallocarray(t->v, t->cap ? t->cap * 2 : 64, sizeof(*v))) == NULL)
			return -1;
		t->v = v;
		t->cap = t->cap ? t->cap * 2 : 64;
	}
	t->v[t->n++] = *s;
	return 0;
}

void
unixdiag_table_free(struct unixdiag_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

size_t
unixdiag_request(uint32_t seq, void *buf)
{
	struct nlmsghdr nlh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct unix_diag_req)),
		.nlmsg_type = SOCK_DIAG_BY_FAMILY,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nlmsg_seq = seq };
	struct unix_diag_req req = { .sdiag_family = AF_UNIX,
		.udiag_states = ~0U,
		.udiag_show =
		    UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID };

	memset(buf, 0, UNIXDIAG_REQUEST_MAX);
	memcpy(buf, &nlh, sizeof(nlh));
	memcpy((unsigned char *)buf + NLMSG_HDRLEN, &req, sizeof(req));
	return nlh.nlmsg_len;
}

/* One attribute of a socket's message; the name is escaped, the rest copied if whole. */
static void
attribute(unsigned type, const unsigned char *data, size_t len, struct unixdiag_socket *s)
{
	struct unix_diag_rqlen rq;
	uint32_t v;

	switch (type) {
	case UNIX_DIAG_NAME:
		if (len > 0 && len <= (size_t)UNIX_PATH_LIMIT) {
			struct sockaddr_un sun = { .sun_family = AF_UNIX };
			memcpy(sun.sun_path, data, len);
			unix_addr_format((struct sockaddr *)&sun,
			    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len), s->path,
			    sizeof(s->path));
		}
		break;
	case UNIX_DIAG_PEER:
		if (len >= sizeof(v)) {
			memcpy(&v, data, sizeof(v));
			s->peer = v;
		}
		break;
	case UNIX_DIAG_RQLEN:
		if (len >= sizeof(rq)) {
			memcpy(&rq, data, sizeof(rq));
			s->recv_queue = rq.udiag_rqueue;
			s->send_queue = rq.udiag_wqueue;
		}
		break;
	case UNIX_DIAG_UID:
		if (len >= sizeof(v)) {
			memcpy(&s->uid, data, sizeof(v));
			s->has_uid = 1;
		}
		break;
	default: break;
	}
}

/* A SOCK_DIAG_BY_FAMILY message: its header, then the attributes it carries. */
static int
from_message(const unsigned char *p, size_t len, struct unixdiag_socket *s)
{
	struct unix_diag_msg m;
	struct rtattr rta;
	size_t off = NLMSG_ALIGN(sizeof(m));

	if (len < sizeof(m))
		return -1;
	memcpy(&m, p, sizeof(m));
	if (m.udiag_family != AF_UNIX)
		return -1;
	memset(s, 0, sizeof(*s));
	s->type = m.udiag_type;
	s->state = m.udiag_state;
	s->inode = m.udiag_ino;
	while (off + sizeof(rta) <= len) {
		memcpy(&rta, p + off, sizeof(rta));
		if (rta.rta_len < sizeof(rta) || rta.rta_len > len - off)
			return -1;
		attribute(rta.rta_type, p + off + RTA_LENGTH(0), rta.rta_len - RTA_LENGTH(0), s);
		off += RTA_ALIGN(rta.rta_len);
	}
	return 0;
}

/* NLMSG_DONE (its error, if the dump failed part way) or NLMSG_ERROR: 1 or -1 with errno. */
static int
dump_end(const struct nlmsghdr *nlh, const unsigned char *p)
{
	struct nlmsgerr e;
	int done_err = 0;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(done_err)))
			memcpy(&done_err, p + NLMSG_HDRLEN, sizeof(done_err));
		if (done_err >= 0)
			return 1;
		errno = -done_err;
		return -1;
	}
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(e))) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&e, p + NLMSG_HDRLEN, sizeof(e));
	errno = e.error < 0 ? -e.error : EPROTO;
	return -1;
}

int
unixdiag_parse_netlink(const void *buf, size_t len, uint32_t seq, struct unixdiag_table *t)
{
	const unsigned char *p = buf;
	struct unixdiag_socket s;
	struct nlmsghdr nlh;

	while (len >= sizeof(nlh)) {
		memcpy(&nlh, p, sizeof(nlh));
		if (nlh.nlmsg_len < sizeof(nlh) || nlh.nlmsg_len > len) {
			errno = EPROTO;
			return -1;
		}
		if (nlh.nlmsg_seq != seq)
			t->skipped++;
		else if (nlh.nlmsg_type == NLMSG_DONE || nlh.nlmsg_type == NLMSG_ERROR)
			return dump_end(&nlh, p);
		else if (nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			 from_message(p + NLMSG_HDRLEN, nlh.nlmsg_len - NLMSG_HDRLEN, &s) == -1)
			t->skipped++;
		else if (unixdiag_add(t, &s) == -1)
			return -1;
		if (NLMSG_ALIGN(nlh.nlmsg_len) >= len)
			break;
		p += NLMSG_ALIGN(nlh.nlmsg_len);
		len -= NLMSG_ALIGN(nlh.nlmsg_len);
	}
	return 0;
}

int
unixdiag_parse_proc_line(const char *line, size_t len, struct unixdiag_socket *s)
{
	struct unix_proc_entry e;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (unix_proc_parse_line(line, len, &e) == -1)
		return -1;
	memset(s, 0, sizeof(*s));
	s->type = (uint8_t)e.type;
	s->inode = e.inode;
	if (e.flags & UNIX_PROC_LISTENING)
		s->state = UNIXDIAG_LISTEN;
	else
		s->state = e.state == 3	  ? UNIXDIAG_CONNECTED
			   : e.state == 2 ? UNIXDIAG_CONNECTING
					  : UNIXDIAG_UNCONNECTED;
	/* The file shows an abstract name with '@' for its leading NUL (and for any NUL in it). */
	if (e.path_len > 0 && e.path_len <= (size_t)UNIX_PATH_LIMIT) {
		memcpy(sun.sun_path, e.path, e.path_len);
		if (e.path[0] == '@')
			sun.sun_path[0] = '\0';
		unix_addr_format((struct sockaddr *)&sun,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + e.path_len +
				(e.path[0] != '@')),
		    s->path, sizeof(s->path));
	}
	return 0;
}
