/* unixdiag_list.c: the Unix socket table read (netlink, else /proc/net/unix), owners, JSON. */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "unixdiag.h"

#define RECV_BUFFER (64 * 1024)
#define RECV_TIMEOUT_SEC 5

static int
netlink_open(void)
{
	struct timeval tv = { RECV_TIMEOUT_SEC, 0 };
	int fd, err;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* The dump: the request sent, the reply read until NLMSG_DONE. */
static int
netlink_dump(int fd, unsigned char *buf, struct unixdiag_table *t)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	unsigned char req[UNIXDIAG_REQUEST_MAX];
	size_t len = unixdiag_request(1, req);
	ssize_t n;
	int r = 0;

	if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) == -1)
		return -1;
	/* Bounded: each read is one datagram, and the kernel ends the dump. */
	while (r == 0) {
		if ((n = recv(fd, buf, RECV_BUFFER, MSG_TRUNC)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0 || n > RECV_BUFFER) {
			errno = n == 0 ? EPROTO : EMSGSIZE;
			return -1;
		}
		r = unixdiag_parse_netlink(buf, (size_t)n, 1, t);
	}
	return r == 1 ? 0 : -1;
}

static int
netlink_list(struct unixdiag_table *t)
{
	unsigned char *buf;
	int fd, rc, err;

	if ((buf = malloc(RECV_BUFFER)) == NULL)
		return -1;
	if ((fd = netlink_open()) == -1) {
		err = errno;
		free(buf);
		errno = err;
		return -1;
	}
	rc = netlink_dump(fd, buf, t);
	err = errno;
	free(buf);
	close(fd);
	errno = err;
	return rc;
}

static int
proc_list(struct unixdiag_table *t)
{
	struct unixdiag_socket s;
	char line[4096];
	FILE *f;
	int r = 0;

	if ((f = fopen("/proc/net/unix", "re")) == NULL)
		return -1;
	while (r == 0 && fgets(line, sizeof(line), f) != NULL) {
		if (unixdiag_parse_proc_line(line, strlen(line), &s) == 0)
			r = unixdiag_add(t, &s);
		else if (strncmp(line, "Num", 3) != 0)
			t->skipped++;
	}
	fclose(f);
	return r;
}

int
unixdiag_list(struct unixdiag_table *t)
{
	const char *mode = getenv("SOCKT_SOCKDIAG");

	memset(t, 0, sizeof(*t));
	if (mode != NULL && *mode != '\0' && strcmp(mode, "auto") != 0 &&
	    strcmp(mode, "netlink") != 0 && strcmp(mode, "proc") != 0) {
		t->bad_mode = 1;
		errno = EINVAL;
		return -1;
	}
	t->forced = mode != NULL && (strcmp(mode, "netlink") == 0 || strcmp(mode, "proc") == 0);
	if (mode == NULL || strcmp(mode, "proc") != 0) {
		if (netlink_list(t) == 0) {
			t->source = SOCKDIAG_SOURCE_NETLINK;
			return 0;
		}
		t->netlink_err = errno;
		t->n = 0;
		if (t->forced)
			return -1;
	}
	if (proc_list(t) == -1)
		return -1;
	t->source = SOCKDIAG_SOURCE_PROC;
	return 0;
}

int
unixdiag_find_owners(struct unixdiag_table *t)
{
	struct sockdiag_table inodes = { 0 };
	struct sockdiag_socket s = { 0 };
	int hidden;

	/* The inet table's owner search, on the inodes alone, in the same order. */
	for (size_t i = 0; i < t->n; i++) {
		s.inode = t->v[i].inode;
		if (sockdiag_add(&inodes, &s) == -1) {
			sockdiag_table_free(&inodes);
			return -1;
		}
	}
	if ((hidden = sockdiag_find_owners(&inodes)) != -1)
		for (size_t i = 0; i < t->n; i++) {
			t->v[i].pid = inodes.v[i].pid;
			memcpy(t->v[i].process, inodes.v[i].process, sizeof(t->v[i].process));
		}
	sockdiag_table_free(&inodes);
	return hidden;
}

const char *
unixdiag_type_name(int type)
{
	switch (type) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_SEQPACKET: return "seqpacket";
	default: return "?";
	}
}

void
unixdiag_json(struct json *j, const struct unixdiag_socket *s, int owners)
{
	json_object_begin(j);
	json_string(j, "type", "unix");
	json_string(j, "socktype", unixdiag_type_name(s->type));
	json_string(j, "state", unixdiag_state_name(s->state));
	if (s->path[0] != '\0')
		json_string(j, "path", s->path);
	else
		json_null(j, "path");
	json_int(j, "inode", (long long)s->inode);
	if (s->peer != 0)
		json_int(j, "peer", (long long)s->peer);
	else
		json_null(j, "peer");
	if (s->has_uid)
		json_int(j, "uid", s->uid);
	else
		json_null(j, "uid");
	json_int(j, "recv_queue", s->recv_queue);
	json_int(j, "send_queue", s->send_queue);
	if (owners && s->pid != 0) {
		json_int(j, "pid", s->pid);
		json_string(j, "process", s->process);
	} else if (owners) {
		json_null(j, "pid");
		json_null(j, "process");
	}
	json_object_end(j);
}
