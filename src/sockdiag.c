/* sockdiag.c: the socket table from NETLINK_SOCK_DIAG (inet_diag_req_v2), else from /proc/net. */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sockdiag.h"

/* Large enough for any dump datagram: the kernel fills at most 32 KiB per read. */
#define RECV_BUFFER (64 * 1024)
/* The kernel answers at once; this only bounds a wait that should never happen. */
#define RECV_TIMEOUT_SEC 5

static const char *const tcp_state_names[SOCKDIAG_STATE_MAX] = {
	[SOCKDIAG_ESTABLISHED] = "ESTABLISHED",
	[SOCKDIAG_SYN_SENT] = "SYN_SENT",
	[SOCKDIAG_SYN_RECV] = "SYN_RECV",
	[SOCKDIAG_FIN_WAIT1] = "FIN_WAIT_1",
	[SOCKDIAG_FIN_WAIT2] = "FIN_WAIT_2",
	[SOCKDIAG_TIME_WAIT] = "TIME_WAIT",
	[SOCKDIAG_CLOSE] = "CLOSE",
	[SOCKDIAG_CLOSE_WAIT] = "CLOSE_WAIT",
	[SOCKDIAG_LAST_ACK] = "LAST_ACK",
	[SOCKDIAG_LISTEN] = "LISTEN",
	[SOCKDIAG_CLOSING] = "CLOSING",
	[SOCKDIAG_NEW_SYN_RECV] = "NEW_SYN_RECV",
	[SOCKDIAG_BOUND_INACTIVE] = "BOUND_INACTIVE",
};

const char *
sockdiag_state_name(int protocol, int state)
{
	/* UDP borrows TCP's numbers: 7 (CLOSE) is a bound socket, 1 a connected one. */
	if (protocol == IPPROTO_UDP && state == SOCKDIAG_CLOSE)
		return "UNCONNECTED";
	if (protocol == IPPROTO_UDP && state == SOCKDIAG_ESTABLISHED)
		return "CONNECTED";
	if (state <= 0 || state >= SOCKDIAG_STATE_MAX || tcp_state_names[state] == NULL)
		return "UNKNOWN";
	return tcp_state_names[state];
}

int
sockdiag_state_from_name(int protocol, const char *name)
{
	char want[32];
	size_t i;

	for (i = 0; name[i] != '\0' && i < sizeof(want) - 1; i++)
		want[i] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	want[i] = '\0';
	if (name[i] != '\0')
		return -1;
	for (int s = 1; s < SOCKDIAG_STATE_MAX; s++)
		if (strcmp(sockdiag_state_name(protocol, s), want) == 0)
			return s;
	/* What ss calls them, so that habits carry over. */
	if (strcmp(want, "ESTAB") == 0)
		return SOCKDIAG_ESTABLISHED;
	if (strcmp(want, "FIN_WAIT1") == 0 || strcmp(want, "FIN_WAIT2") == 0)
		return want[7] == '1' ? SOCKDIAG_FIN_WAIT1 : SOCKDIAG_FIN_WAIT2;
	if (protocol == IPPROTO_UDP && strcmp(want, "UNCONN") == 0)
		return SOCKDIAG_CLOSE;
	return -1;
}

int
sockdiag_states_text(const size_t counts[SOCKDIAG_STATE_MAX], int protocol, char *buf, size_t len)
{
	size_t used = 0;
	int n = 0, w;

	if (len > 0)
		buf[0] = '\0';
	for (int st = 1; st < SOCKDIAG_STATE_MAX; st++) {
		if (counts[st] == 0)
			continue;
		if (used < len) {
			w = snprintf(buf + used, len - used, "%s%zu %s", n ? ", " : "", counts[st],
			    sockdiag_state_name(protocol, st));
			if (w > 0)
				used += (size_t)w;
		}
		n++;
	}
	return n;
}

const char *
sockdiag_timer_name(int timer)
{
	switch (timer) {
	case SOCKDIAG_TIMER_RETRANSMIT: return "retrans";
	case SOCKDIAG_TIMER_KEEPALIVE: return "keepalive";
	case SOCKDIAG_TIMER_TIME_WAIT: return "timewait";
	case SOCKDIAG_TIMER_PROBE: return "probe";
	default: return NULL;
	}
}

int
sockdiag_timer_matters(const struct sockdiag_socket *s)
{
	if (s->timer == SOCKDIAG_TIMER_NONE || sockdiag_timer_name(s->timer) == NULL)
		return 0;
	/* An orphaned FIN_WAIT_2 waits on the keepalive timer (tcp_fin_timeout). */
	if (s->state == SOCKDIAG_TIME_WAIT || s->state == SOCKDIAG_FIN_WAIT2)
		return 1;
	return s->timer == SOCKDIAG_TIMER_RETRANSMIT || s->timer == SOCKDIAG_TIMER_PROBE;
}

void
sockdiag_sockaddr(const struct sockdiag_socket *s, int remote, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (s->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, remote ? s->remote : s->local, 4);
		sin->sin_port = htons(remote ? s->remote_port : s->local_port);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, remote ? s->remote : s->local, 16);
		sin6->sin6_port = htons(remote ? s->remote_port : s->local_port);
		/* The zone only means something for link-local addresses. */
		if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
			sin6->sin6_scope_id = s->ifindex;
	}
}

int
sockdiag_match(const struct sockdiag_filter *f, const struct sockdiag_socket *s)
{
	if (s->protocol != f->protocol)
		return 0;
	if (f->family != AF_UNSPEC && s->family != f->family)
		return 0;
	if (f->states != 0 && (s->state >= 32 || (f->states & (UINT32_C(1) << s->state)) == 0))
		return 0;
	if (f->port != -1 && s->local_port != f->port && s->remote_port != f->port)
		return 0;
	return 1;
}

int
sockdiag_add(struct sockdiag_table *t, const struct sockdiag_socket *s)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct sockdiag_socket *v = reallocarray(t->v, cap, sizeof(*v));
		if (v == NULL)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = *s;
	return 0;
}

void
sockdiag_table_free(struct sockdiag_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/*
 * (sport == P || dport == P) in the kernel's bytecode, laid out as ss
 * does: a failed test jumps 4 bytes past its own end, which lands on the
 * second test; a passed first test reaches the JMP, which skips to the end
 * (accept). Falling off the end by 4 bytes rejects.
 */
static size_t
port_bytecode(uint16_t port, struct inet_diag_bc_op *op)
{
	op[0] = (struct inet_diag_bc_op){ INET_DIAG_BC_S_EQ, 8, 12 };
	op[1] = (struct inet_diag_bc_op){ 0, 0, port };
	op[2] = (struct inet_diag_bc_op){ INET_DIAG_BC_JMP, 4, 12 };
	op[3] = (struct inet_diag_bc_op){ INET_DIAG_BC_D_EQ, 8, 12 };
	op[4] = (struct inet_diag_bc_op){ 0, 0, port };
	return 5 * sizeof(*op);
}

size_t
sockdiag_netlink_request(const struct sockdiag_filter *f, int family, uint32_t seq,
    int with_bytecode, void *buf)
{
	struct nlmsghdr nlh = { 0 };
	struct inet_diag_req_v2 req = { 0 };
	struct inet_diag_bc_op ops[5];
	struct nlattr nla = { 0 };
	size_t len = NLMSG_LENGTH(sizeof(req)), bclen = 0;
	unsigned char *p = buf;

	req.sdiag_family = (uint8_t)family;
	req.sdiag_protocol = (uint8_t)f->protocol;
	/* Bit 12 is NEW_SYN_RECV: asking for SYN_RECV must include it, as ss does. */
	req.idiag_states = f->states != 0 ? f->states : (UINT32_C(1) << SOCKDIAG_STATE_MAX) - 1;
	if (req.idiag_states & (UINT32_C(1) << SOCKDIAG_SYN_RECV))
		req.idiag_states |= UINT32_C(1) << SOCKDIAG_NEW_SYN_RECV;
	if (with_bytecode && f->port != -1) {
		bclen = port_bytecode((uint16_t)f->port, ops);
		nla.nla_type = INET_DIAG_REQ_BYTECODE;
		nla.nla_len = (uint16_t)(NLA_HDRLEN + bclen);
		len += NLA_HDRLEN + bclen;
	}
	nlh.nlmsg_len = (uint32_t)len;
	nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh.nlmsg_seq = seq;
	memset(buf, 0, len);
	memcpy(p, &nlh, sizeof(nlh));
	memcpy(p + NLMSG_HDRLEN, &req, sizeof(req));
	if (bclen != 0) {
		memcpy(p + NLMSG_LENGTH(sizeof(req)), &nla, sizeof(nla));
		memcpy(p + NLMSG_LENGTH(sizeof(req)) + NLA_HDRLEN, ops, bclen);
	}
	return len;
}

/* One inet_diag_msg into a socket record. */
static void
from_diag_msg(const struct inet_diag_msg *m, int protocol, struct sockdiag_socket *s)
{
	memset(s, 0, sizeof(*s));
	s->family = m->idiag_family;
	s->protocol = (uint8_t)protocol;
	s->state = m->idiag_state;
	s->timer = m->idiag_timer;
	s->retransmits = m->idiag_retrans;
	s->local_port = ntohs(m->id.idiag_sport);
	s->remote_port = ntohs(m->id.idiag_dport);
	memcpy(s->local, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	memcpy(s->remote, m->id.idiag_dst, m->idiag_family == AF_INET ? 4 : 16);
	s->ifindex = m->id.idiag_if;
	s->expires_ms = m->idiag_expires;
	s->recv_queue = m->idiag_rqueue;
	s->send_queue = m->idiag_wqueue;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
}

/* Copies are taken because a fuzzer's buffer need not be aligned. */
int
sockdiag_parse_netlink(const void *buf, size_t len, uint32_t seq, const struct sockdiag_filter *f,
    struct sockdiag_table *t)
{
	const unsigned char *p = buf;
	struct nlmsghdr nlh;
	struct inet_diag_msg m;
	struct nlmsgerr e;
	struct sockdiag_socket s;

	while (len >= sizeof(nlh)) {
		memcpy(&nlh, p, sizeof(nlh));
		if (nlh.nlmsg_len < sizeof(nlh) || nlh.nlmsg_len > len) {
			errno = EPROTO;
			return -1;
		}
		if (nlh.nlmsg_seq != seq) {
			t->skipped++;
		} else if (nlh.nlmsg_type == NLMSG_DONE) {
			/* A dump that failed part way ends with its error in NLMSG_DONE. */
			int done_err = 0;
			if (nlh.nlmsg_len >= NLMSG_LENGTH(sizeof(done_err)))
				memcpy(&done_err, p + NLMSG_HDRLEN, sizeof(done_err));
			if (done_err < 0) {
				errno = -done_err;
				return -1;
			}
			return 1;
		} else if (nlh.nlmsg_type == NLMSG_ERROR) {
			if (nlh.nlmsg_len < NLMSG_LENGTH(sizeof(e))) {
				errno = EPROTO;
				return -1;
			}
			memcpy(&e, p + NLMSG_HDRLEN, sizeof(e));
			errno = e.error < 0 ? -e.error : EPROTO;
			return -1;
		} else if (nlh.nlmsg_type == SOCK_DIAG_BY_FAMILY &&
			   nlh.nlmsg_len >= NLMSG_LENGTH(sizeof(m))) {
			memcpy(&m, p + NLMSG_HDRLEN, sizeof(m));
			if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6) {
				t->skipped++;
			} else {
				from_diag_msg(&m, f->protocol, &s);
				if (sockdiag_match(f, &s) && sockdiag_add(t, &s) == -1)
					return -1;
			}
		} else {
			t->skipped++;
		}
		if (NLMSG_ALIGN(nlh.nlmsg_len) >= len)
			break;
		p += NLMSG_ALIGN(nlh.nlmsg_len);
		len -= NLMSG_ALIGN(nlh.nlmsg_len);
	}
	return 0;
}

static int
netlink_open(void)
{
	struct timeval tv = { RECV_TIMEOUT_SEC, 0 };
	int fd;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* One dump for one family: sends the request, reads until NLMSG_DONE. */
static int
netlink_dump(int fd, const struct sockdiag_filter *f, int family, uint32_t seq, int bytecode,
    unsigned char *buf, struct sockdiag_table *t)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	unsigned char req[SOCKDIAG_REQUEST_MAX];
	size_t len = sockdiag_netlink_request(f, family, seq, bytecode, req);
	struct iovec iov = { buf, RECV_BUFFER };
	struct msghdr msg = { 0 };
	ssize_t n;
	int r = 0;

	if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) == -1)
		return -1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	do {
		msg.msg_name = &kernel;
		msg.msg_namelen = sizeof(kernel);
		if ((n = recvmsg(fd, &msg, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			errno = EMSGSIZE;
			return -1;
		}
		if (n == 0) {
			errno = EPROTO;
			return -1;
		}
		r = sockdiag_parse_netlink(buf, (size_t)n, seq, f, t);
	} while (n == -1 || r == 0);
	return r == 1 ? 0 : -1;
}

static int
dump_families(int fd, const struct sockdiag_filter *f, int bytecode, uint32_t *seq,
    unsigned char *buf, struct sockdiag_table *t)
{
	static const int families[] = { AF_INET, AF_INET6 };

	for (size_t i = 0; i < 2; i++) {
		if (f->family != AF_UNSPEC && f->family != families[i])
			continue;
		if (netlink_dump(fd, f, families[i], ++*seq, bytecode, buf, t) == -1)
			return -1;
	}
	return 0;
}

/*
 * Both families (or the one asked for). A kernel too old for the port
 * bytecode (INET_DIAG_BC_S_EQ came in 4.16) says EINVAL: the dump is then
 * asked for again without it, and the parser's filter does the work.
 */
static int
netlink_list(const struct sockdiag_filter *f, struct sockdiag_table *t)
{
	unsigned char *buf;
	uint32_t seq = 0;
	int fd, bytecode = f->port != -1, rc, err;

	if ((buf = malloc(RECV_BUFFER)) == NULL)
		return -1;
	if ((fd = netlink_open()) == -1) {
		err = errno;
		free(buf);
		errno = err;
		return -1;
	}
	rc = dump_families(fd, f, bytecode, &seq, buf, t);
	if (rc == -1 && errno == EINVAL && bytecode) {
		t->n = 0;
		bytecode = 0;
		rc = dump_families(fd, f, bytecode, &seq, buf, t);
	}
	err = errno;
	t->kernel_port_filter = rc == 0 && bytecode;
	free(buf);
	close(fd);
	errno = err;
	return rc;
}

int
sockdiag_list(const struct sockdiag_filter *f, struct sockdiag_table *t)
{
	const char *mode = getenv("SOCKT_SOCKDIAG");

	memset(t, 0, sizeof(*t));
	if (f->protocol != IPPROTO_TCP && f->protocol != IPPROTO_UDP) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	if (mode != NULL && *mode != '\0' && strcmp(mode, "auto") != 0 &&
	    strcmp(mode, "netlink") != 0 && strcmp(mode, "proc") != 0) {
		t->bad_mode = 1;
		errno = EINVAL;
		return -1;
	}
	t->forced = mode != NULL && (strcmp(mode, "netlink") == 0 || strcmp(mode, "proc") == 0);
	if (mode == NULL || strcmp(mode, "proc") != 0) {
		if (netlink_list(f, t) == 0) {
			t->source = SOCKDIAG_SOURCE_NETLINK;
			return 0;
		}
		t->netlink_err = errno;
		t->n = 0;
		if (t->forced)
			return -1;
	}
	if (sockdiag_proc_list(f, t) == -1)
		return -1;
	t->source = SOCKDIAG_SOURCE_PROC;
	return 0;
}
