/* unixsock_proc.c: /proc/net/unix read, and the owner of a Unix socket from /proc/PID/fd. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* The OpenBSD strvis argument order, as sockdiag_proc.c uses. */
#define LIBBSD_OPENBSD_VIS 1
#include <vis.h>

#include "parse.h"
#include "sockdiag.h"
#include "unixsock.h"
#include "unixsock_proc.h"

static int
digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* The next number at *pp in base, ended by a space, a ':' (skipped) or the line's end. */
static int
word(const char **pp, const char *end, unsigned base, unsigned long long *out)
{
	const char *p = *pp;
	unsigned d;

	while (p < end && *p == ' ')
		p++;
	if (p == end || *p == ':')
		return -1;
	for (*out = 0; p < end && *p != ' ' && *p != ':'; p++) {
		if ((d = (unsigned)digit(*p)) >= base || *out > (ULLONG_MAX - d) / base)
			return -1;
		*out = *out * base + d;
	}
	*pp = p + (p < end && *p == ':');
	return 0;
}

int
unix_proc_parse_line(const char *line, size_t len, struct unix_proc_entry *e)
{
	const char *p = line, *end;
	unsigned long long v[7];

	/* The line is cut at its newline; a path is the rest of it, spaces and all. */
	end = memchr(line, '\n', len);
	end = end != NULL ? end : line + len;
	memset(e, 0, sizeof(*e));
	for (int i = 0; i < 7; i++)
		if (word(&p, end, i == 6 ? 10 : 16, &v[i]) == -1)
			return -1;
	e->flags = (unsigned long)v[3];
	e->type = (unsigned)v[4];
	e->state = (unsigned)v[5];
	e->inode = v[6];
	if (p < end && *p == ' ')
		p++;
	e->path = p;
	e->path_len = (size_t)(end - p);
	return 0;
}

void
unix_proc_comm(pid_t pid, char *out, size_t outlen)
{
	char path[64], name[32] = "?";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
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

/* The sockets bound to name, listening ones first, as a table for sockdiag_find_owners. */
static int
bound_to(const char *name, size_t len, struct sockdiag_table *t)
{
	struct sockdiag_socket s = { 0 };
	struct unix_proc_entry e;
	char line[4096];
	FILE *f;
	int r = 0;

	if ((f = fopen("/proc/net/unix", "re")) == NULL)
		return -1;
	while (r == 0 && fgets(line, sizeof(line), f) != NULL) {
		if (unix_proc_parse_line(line, strlen(line), &e) == -1 || e.path_len != len ||
		    memcmp(e.path, name, len) != 0 || e.inode == 0)
			continue;
		s.inode = e.inode;
		s.state = (e.flags & UNIX_PROC_LISTENING) != 0;
		r = sockdiag_add(t, &s);
	}
	fclose(f);
	return r;
}

int
unix_proc_holder(const char *name, size_t len, char *process, size_t plen)
{
	struct sockdiag_table t = { 0 };
	int pid = 0;

	if (bound_to(name, len, &t) == 0 && t.n > 0 && sockdiag_find_owners(&t) != -1) {
		for (size_t i = 0; i < t.n; i++) {
			if (t.v[i].pid == 0 || (pid != 0 && !t.v[i].state))
				continue;
			pid = t.v[i].pid;
			strlcpy(process, t.v[i].process, plen);
		}
	}
	sockdiag_table_free(&t);
	return pid;
}

/* a's name as /proc/net/unix shows it: the path, or '@' for an abstract name's leading NUL. */
static size_t
proc_name(const struct unix_addr *a, char *raw)
{
	size_t len = (size_t)a->len - offsetof(struct sockaddr_un, sun_path);

	memcpy(raw, a->sun.sun_path, len);
	if (a->abstract)
		raw[0] = '@';
	else
		len--;
	return len;
}

int
unix_proc_bound(const struct unix_addr *a)
{
	struct sockdiag_table t = { 0 };
	char raw[UNIX_PATH_LIMIT + 1];
	int n;

	n = bound_to(raw, proc_name(a, raw), &t) == 0 ? (int)t.n : -1;
	sockdiag_table_free(&t);
	return n;
}

int
unix_proc_addr_holder(const struct unix_addr *a, char *process, size_t plen)
{
	char raw[UNIX_PATH_LIMIT + 1];

	return unix_proc_holder(raw, proc_name(a, raw), process, plen);
}
