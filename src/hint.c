/* hint.c: the hint: lines (sockt(1), DIAGNOSTICS), for failures whose usual cause is known. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* The OpenBSD strnvis argument order, as sockdiag_proc.c uses. */
#define LIBBSD_OPENBSD_VIS 1
#include <vis.h>

#include "cmd.h"
#include "hint.h"
#include "parse.h"
#include "report.h"
#include "sockdiag.h"

/* The port below which binding needs privilege, from the sysctl of this network namespace. */
static int
unprivileged_port_start(void)
{
	char buf[32];
	long long v;
	const char *errstr;
	ssize_t n;
	int fd;

	if ((fd = open("/proc/sys/net/ipv4/ip_unprivileged_port_start", O_RDONLY | O_CLOEXEC)) ==
	    -1)
		return 1024;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1024;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_number(buf, 0, 65536, &v, &errstr) == -1)
		return 1024;
	return (int)v;
}

static void
hint_privileged_port(uint16_t port)
{
	int start = unprivileged_port_start();

	if (port < start)
		report_hint("ports below %d need root or CAP_NET_BIND_SERVICE "
			    "(net.ipv4.ip_unprivileged_port_start is %d); use a port of %d or more",
		    start, start, start);
	else
		report_hint("port %u needs no privilege here (net.ipv4.ip_unprivileged_port_start "
			    "is %d): a security policy (SELinux, AppArmor, a cgroup BPF program) "
			    "refused it",
		    port, start);
}

int
report_bind_failure(const struct endpoint *ep, const struct sock_failure *f, int socktype)
{
	const char *proto = addr_proto_name(socktype);

	if (f->tunable != TUNABLE_NONE && f->tun != NULL)
		return report_tunable_failure(f->tun, f->tunable, f->err);
	if (f->eai != 0) {
		report_eai(f->eai, f->err, "%s port %s", ep->host ? ep->host : "*", ep->port);
		return EXIT_RESOLVE;
	}
	report_errno(f->err, "%s to %s port %u (%s)", f->call, f->addr, f->port, proto);
	switch (f->err) {
	case EADDRINUSE: hint_port_taken(f->port, socktype, f->reuseaddr_off); break;
	case EACCES: hint_privileged_port(f->port); break;
	case EADDRNOTAVAIL:
		report_hint("%s is not an address of this machine ('ip addr' lists them)", f->addr);
		break;
	default: hint_for_errno(f->err, 0);
	}
	return exit_status_for_errno(f->err);
}

int
report_tunable_failure(const struct tunables *t, enum tunable which, int err)
{
	char what[64];

	report_errno(err, "%s", tunables_describe(t, which, what, sizeof(what)));
	if (which == TUNABLE_DEVICE && err == ENODEV)
		report_hint("this machine has no interface named %s ('ip link' lists them)",
		    t->device);
	else if (which == TUNABLE_DEVICE && err == EPERM)
		report_hint("binding a socket to an interface needs root or CAP_NET_RAW here "
			    "(before Linux 5.7, always)");
	/* The user asked for something this socket cannot have: never the network's fault. */
	return EXIT_LOCAL;
}

/*
 * argv[0] as the shell found it: a name with a slash from the working directory, one
 * without from the first directory in PATH that holds it. NULL if it is nowhere.
 */
static char *
resolve_argv0(const char *name)
{
	char candidate[PATH_MAX], *dirs, *dir, *next, *found = NULL;

	if (strchr(name, '/') != NULL)
		return realpath(name, NULL);
	if (getenv("PATH") == NULL || (dirs = strdup(getenv("PATH"))) == NULL)
		return NULL;
	for (next = dirs; found == NULL && (dir = strsep(&next, ":")) != NULL;) {
		snprintf(candidate, sizeof(candidate), "%s/%s", *dir == '\0' ? "." : dir, name);
		if (access(candidate, X_OK) == 0)
			found = realpath(candidate, NULL);
	}
	free(dirs);
	return found;
}

/*
 * The path of the running binary: the setcap command in the hint must name the file
 * that ran, wherever it was installed or however it was called. /proc/self/exe gives
 * it; argv[0] is the fallback.
 */
static void
self_path(char *path, size_t size)
{
	static const char deleted[] = " (deleted)";
	char *resolved;
	ssize_t n;
	size_t len;

	if ((n = readlink("/proc/self/exe", path, size - 1)) > 0)
		path[n] = '\0';
	else if ((resolved = resolve_argv0(program_invocation_name)) != NULL) {
		strlcpy(path, resolved, size);
		free(resolved);
	} else
		strlcpy(path, program_invocation_name, size);
	/* Replaced while it ran (make install over it): the new file has the same name. */
	len = strlen(path);
	if (len > sizeof(deleted) - 1 && strcmp(path + len - (sizeof(deleted) - 1), deleted) == 0)
		path[len - (sizeof(deleted) - 1)] = '\0';
}

/*
 * WORD as one shell word, safe to print: as it is if it has no special characters,
 * else in single quotes, each ' as '"'"' (no backslash, which vis would escape again),
 * then vis(3) for the terminal.
 */
static void
shell_word(char *out, size_t size, const char *word)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789/._+-";
	char quoted[PATH_MAX * 5 + 3], *q = quoted;

	if (word[strspn(word, plain)] == '\0') {
		strlcpy(out, word, size);
		return;
	}
	*q++ = '\'';
	for (; *word != '\0' && q < quoted + sizeof(quoted) - 7; word++) {
		if (*word == '\'') {
			memcpy(q, "'\"'\"'", 5);
			q += 5;
		} else
			*q++ = *word;
	}
	*q++ = '\'';
	*q = '\0';
	strnvis(out, quoted, size, VIS_OCTAL | VIS_TAB | VIS_NL);
}

void
hint_raw_socket_permission(void)
{
	char path[PATH_MAX], word[PATH_MAX * 4];

	self_path(path, sizeof(path));
	shell_word(word, sizeof(word), path);
	report_hint("raw sockets need root or CAP_NET_RAW (as root: setcap cap_net_raw+ep %s), or "
		    "net.ipv4.ping_group_range to include your group for ping sockets",
	    word);
}

void
hint_for_errno(int err, int family)
{
	switch (err) {
	case ENETUNREACH:
		if (family == AF_INET6)
			report_hint(
			    "no route to that IPv6 network: this machine may have no global IPv6 "
			    "address or default route ('ip -6 addr', 'ip -6 route'); try -4");
		else
			report_hint("no route to that network ('ip route' shows the routes)");
		break;
	case EHOSTUNREACH:
		report_hint(
		    "the host did not answer on its link, or a router said it is unreachable");
		break;
	case EADDRNOTAVAIL:
		report_hint("the source address is not on this machine, or no local port was free");
		break;
	case EMFILE:
	case ENFILE:
		report_hint(
		    "out of file descriptors: raise 'ulimit -n' or lower --max-conns/--parallel");
		break;
	}
}

void
hint_trace(const struct sockaddr *sa, int socktype)
{
	char a[ADDR_STRLEN];

	addr_format(sa, a, sizeof(a));
	if (socktype == SOCK_RAW)
		report_hint("'sockt trace -I %s' shows where on the path the answers stop", a);
	else
		report_hint("'sockt trace%s %s %u' shows where on the path the answers stop",
		    socktype == SOCK_STREAM ? " -T" : "", a, (unsigned)addr_port(sa));
}
