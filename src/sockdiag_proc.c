/* sockdiag_proc.c: sockets from /proc/net/{tcp,udp}{,6}, and their owners from /proc/PID/fd. */
#include "config.h"

#include <sys/types.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* The OpenBSD strvis, without libbsd's warning about NetBSD's strnvis. */
#define LIBBSD_OPENBSD_VIS 1
#include <vis.h>

#include "parse.h"
#include "sockdiag.h"

/* The next whitespace-separated word of a line; NULL at its end. */
static const char *
next_word(const char **pp, size_t *len)
{
	const char *p = *pp, *start;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n')
		return NULL;
	start = p;
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	*len = (size_t)(p - start);
	*pp = p;
	return start;
}

static int
hex_value(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 16)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int
decimal_value(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* "A:B" in hex, with the widths the kernel prints (0 for any width). */
static int
hex_pair(const char *s, size_t n, size_t width_a, uint64_t *a, uint64_t *b)
{
	const char *colon = memchr(s, ':', n);

	if (colon == NULL || (width_a != 0 && (size_t)(colon - s) != width_a))
		return -1;
	if (hex_value(s, (size_t)(colon - s), a) == -1)
		return -1;
	return hex_value(colon + 1, n - (size_t)(colon - s) - 1, b);
}

/*
 * "0100007F:1F90" (IPv4) or 32 hex digits and a port (IPv6). The kernel
 * prints each 32-bit word of the address as a host-order number, so each
 * word goes back into memory in host order.
 */
static int
endpoint(const char *s, size_t n, int family, uint8_t addr[16], uint16_t *port)
{
	size_t words = family == AF_INET ? 1 : 4;
	uint64_t v;

	if (n != words * 8 + 5 || s[words * 8] != ':')
		return -1;
	for (size_t i = 0; i < words; i++) {
		uint32_t w;
		if (hex_value(s + 8 * i, 8, &v) == -1)
			return -1;
		w = (uint32_t)v;
		memcpy(addr + 4 * i, &w, sizeof(w));
	}
	if (hex_value(s + words * 8 + 1, 4, &v) == -1)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/*
 * The fields, as tcp4_seq_show writes them:
 *   sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
 * tr is the timer (the numbering of idiag_timer) and when its time left
 * in clock ticks; for the probe timer the probe count is in "timeout".
 */
int
sockdiag_parse_proc_line(const char *line, int family, int protocol, long hz,
    struct sockdiag_socket *s)
{
	const char *p = line, *w[10];
	size_t n[10];
	uint64_t a, b, v;

	for (int i = 0; i < 10; i++)
		if ((w[i] = next_word(&p, &n[i])) == NULL)
			return -1;
	memset(s, 0, sizeof(*s));
	s->family = (uint8_t)family;
	s->protocol = (uint8_t)protocol;
	if (n[0] < 2 || w[0][n[0] - 1] != ':' || decimal_value(w[0], n[0] - 1, &v) == -1)
		return -1;
	if (endpoint(w[1], n[1], family, s->local, &s->local_port) == -1 ||
	    endpoint(w[2], n[2], family, s->remote, &s->remote_port) == -1)
		return -1;
	if (hex_value(w[3], n[3], &v) == -1 || v == 0 || v >= SOCKDIAG_STATE_MAX)
		return -1;
	s->state = (uint8_t)v;
	if (hex_pair(w[4], n[4], 0, &a, &b) == -1 || a > UINT32_MAX || b > UINT32_MAX)
		return -1;
	s->send_queue = (uint32_t)a;
	s->recv_queue = (uint32_t)b;
	if (hex_pair(w[5], n[5], 2, &a, &b) == -1 || a > 255)
		return -1;
	s->timer = (uint8_t)a;
	if (hz <= 0)
		hz = 100;
	v = b > UINT64_MAX / 1000 ? UINT64_MAX : b * 1000 / (uint64_t)hz;
	s->expires_ms = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	if (hex_value(w[6], n[6], &v) == -1 || v > UINT32_MAX)
		return -1;
	s->retransmits = (uint32_t)v;
	if (decimal_value(w[7], n[7], &v) == -1 || v > UINT32_MAX)
		return -1;
	s->uid = (uint32_t)v;
	if (decimal_value(w[8], n[8], &v) == -1)
		return -1;
	if (s->timer == SOCKDIAG_TIMER_PROBE)
		s->retransmits = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	if (decimal_value(w[9], n[9], &v) == -1)
		return -1;
	s->inode = v;
	return 0;
}

static int
proc_file(const char *path, int family, const struct sockdiag_filter *f, long hz,
    struct sockdiag_table *t)
{
	struct sockdiag_socket s;
	char *line = NULL;
	size_t cap = 0;
	FILE *fp;
	int first = 1, rc = 0, err;

	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	while (getline(&line, &cap, fp) != -1) {
		if (sockdiag_parse_proc_line(line, family, f->protocol, hz, &s) == -1) {
			/* The first line is the column header. */
			if (!first)
				t->skipped++;
		} else if (sockdiag_match(f, &s) && sockdiag_add(t, &s) == -1) {
			rc = -1;
			break;
		}
		first = 0;
	}
	if (rc == 0 && ferror(fp))
		rc = -1;
	err = errno;
	free(line);
	fclose(fp);
	errno = err;
	return rc;
}

int
sockdiag_proc_list(const struct sockdiag_filter *f, struct sockdiag_table *t)
{
	static const struct {
		int protocol, family;
		const char *path;
	} files[] = {
		{ IPPROTO_TCP, AF_INET, "/proc/net/tcp" },
		{ IPPROTO_TCP, AF_INET6, "/proc/net/tcp6" },
		{ IPPROTO_UDP, AF_INET, "/proc/net/udp" },
		{ IPPROTO_UDP, AF_INET6, "/proc/net/udp6" },
	};
	long hz = sysconf(_SC_CLK_TCK);
	int read = 0, err = ENOENT;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i].protocol != f->protocol ||
		    (f->family != AF_UNSPEC && f->family != files[i].family))
			continue;
		if (proc_file(files[i].path, files[i].family, f, hz, t) == 0) {
			read++;
			continue;
		}
		/* No tcp6 file means no IPv6 in this kernel: nothing to list there. */
		if (errno != ENOENT)
			return -1;
		err = errno;
	}
	if (read == 0) {
		errno = err;
		return -1;
	}
	return 0;
}

/* For bsearch: socket indices sorted by inode. */
struct inode_index {
	uint64_t inode;
	size_t i;
};

static int
compare_inode(const void *a, const void *b)
{
	const struct inode_index *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* "socket:[12345]" -> 12345; 0 for any other link. */
static uint64_t
socket_inode(const char *link, size_t len)
{
	uint64_t v;

	if (len < 10 || memcmp(link, "socket:[", 8) != 0 || link[len - 1] != ']')
		return 0;
	return decimal_value(link + 8, len - 9, &v) == 0 ? v : 0;
}

static void
read_comm(const char *pid, char *out, size_t outlen)
{
	char path[300], name[32] = "?";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		if ((n = read(fd, name, sizeof(name) - 1)) > 0) {
			name[n] = '\0';
			name[strcspn(name, "\n")] = '\0';
		}
		close(fd);
	}
	/* Any user can name a process anything: make it one printable word. */
	if (outlen >= 4 * strlen(name) + 1)
		strvis(out, name, VIS_WHITE | VIS_OCTAL);
	else
		strlcpy(out, "?", outlen);
}

/* Matches one process's descriptors; returns how many sockets it claimed. */
static size_t
claim_sockets(const char *pid, int fddir_fd, struct inode_index *idx, size_t n,
    struct sockdiag_table *t)
{
	DIR *fds = fdopendir(fddir_fd);
	struct dirent *de;
	char link[64];
	size_t claimed = 0;
	ssize_t len;

	if (fds == NULL) {
		close(fddir_fd);
		return 0;
	}
	while ((de = readdir(fds)) != NULL) {
		struct inode_index key, *hit;
		if (de->d_name[0] == '.')
			continue;
		if ((len = readlinkat(dirfd(fds), de->d_name, link, sizeof(link) - 1)) <= 0)
			continue;
		if ((key.inode = socket_inode(link, (size_t)len)) == 0)
			continue;
		if ((hit = bsearch(&key, idx, n, sizeof(*idx), compare_inode)) == NULL)
			continue;
		struct sockdiag_socket *s = &t->v[hit->i];
		if (s->pid != 0)
			continue;
		s->pid = (int)strtol(pid, NULL, 10);
		read_comm(pid, s->process, sizeof(s->process));
		claimed++;
	}
	closedir(fds);
	return claimed;
}

int
sockdiag_find_owners(struct sockdiag_table *t)
{
	struct inode_index *idx;
	struct dirent *de;
	DIR *proc;
	size_t n = 0, found = 0;
	int hidden = 0, fd;
	char path[PATH_MAX];

	if ((idx = reallocarray(NULL, t->n ? t->n : 1, sizeof(*idx))) == NULL)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].inode != 0)
			idx[n++] = (struct inode_index){ t->v[i].inode, i };
	qsort(idx, n, sizeof(*idx), compare_inode);
	if ((proc = opendir("/proc")) == NULL) {
		free(idx);
		return -1;
	}
	while (found < n && (de = readdir(proc)) != NULL) {
		if (!parse_is_decimal(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/fd", de->d_name);
		if ((fd = openat(dirfd(proc), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
			if (errno == EACCES || errno == EPERM)
				hidden++;
			continue;
		}
		found += claim_sockets(de->d_name, fd, idx, n, t);
	}
	closedir(proc);
	free(idx);
	return hidden;
}
