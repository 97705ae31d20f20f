/* unixsock.c: Unix domain socket endpoints (-U): operands, connect, bind over a stale file. */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* The OpenBSD strvis argument order, as sockdiag_proc.c uses. */
#define LIBBSD_OPENBSD_VIS 1
#include <vis.h>

#include "opts.h"
#include "report.h"
#include "unixsock.h"
#include "unixsock_proc.h"

#define SUN_OFFSET offsetof(struct sockaddr_un, sun_path)

int
unix_addr_parse(const char *s, struct unix_addr *a)
{
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	a->sun.sun_family = AF_UNIX;
	a->abstract = s[0] == '@';
	if (n == 0 || (a->abstract && n == 1)) {
		errno = EINVAL;
		return -1;
	}
	/* A path needs its NUL; an abstract name's '@' becomes the leading NUL. */
	if (n > (size_t)UNIX_PATH_LIMIT - !a->abstract) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (a->abstract) {
		memcpy(a->sun.sun_path + 1, s + 1, n - 1);
		a->len = (socklen_t)(SUN_OFFSET + n);
	} else {
		memcpy(a->sun.sun_path, s, n);
		a->len = (socklen_t)(SUN_OFFSET + n + 1);
	}
	unix_addr_format((struct sockaddr *)&a->sun, a->len, a->text, sizeof(a->text));
	return 0;
}

void
unix_operand(const struct command *cmd, int argc, char **argv, struct unix_addr *a)
{
	char shown[4 * 40 + 1];

	if (argc < 1)
		opt_usage_error(cmd, "missing PATH (-U: a Unix socket path, or @NAME)");
	if (unix_addr_parse(argv[0], a) == 0)
		return;
	if (errno == EINVAL)
		opt_usage_error(cmd, "invalid socket path '%s': give a path or @NAME", argv[0]);
	/* The first 40 bytes name it, escaped as every socket name is. */
	strvisx(shown, argv[0], 40, VIS_TAB | VIS_NL | VIS_OCTAL);
	report_errno(ENAMETOOLONG, "socket path %s... (%zu bytes)", shown, strlen(argv[0]));
	unix_hint(ENAMETOOLONG, a, 0, 0);
	exit(EXIT_USAGE);
}

const char *
unix_addr_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t blen)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	char text[UNIX_TEXT_MAX];
	size_t n;

	if (len <= SUN_OFFSET || sa->sa_family != AF_UNIX) {
		strlcpy(buf, "unnamed", blen);
		return buf;
	}
	n = len - SUN_OFFSET;
	if (n > (size_t)UNIX_PATH_LIMIT)
		n = UNIX_PATH_LIMIT;
	if (sun->sun_path[0] == '\0') {
		/* Abstract: every byte of the length counts, NULs included. */
		text[0] = '@';
		strvisx(text + 1, sun->sun_path + 1, n - 1, VIS_TAB | VIS_NL | VIS_OCTAL);
	} else
		strvisx(text, sun->sun_path, strnlen(sun->sun_path, n),
		    VIS_TAB | VIS_NL | VIS_OCTAL);
	strlcpy(buf, text, blen);
	return buf;
}

const char *
unix_peer_format(const struct sockaddr *sa, char *buf, size_t blen)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	size_t n = strnlen(sun->sun_path + 1, sizeof(sun->sun_path) - 1) + 1;

	if (sun->sun_path[0] == '\0' && n == 1)
		n = 0;
	return unix_addr_format(sa, (socklen_t)(SUN_OFFSET + n), buf, blen);
}

const char *
unix_type_name(int socktype)
{
	switch (socktype) {
	case SOCK_DGRAM: return "dgram";
	case SOCK_SEQPACKET: return "seqpacket";
	default: return "stream";
	}
}

/* Unix connect(2) waits for a full backlog as long as SO_SNDTIMEO allows: -w's limit. */
static int
set_send_timeout(int fd, int64_t usec)
{
	struct timeval tv = { (time_t)(usec / 1000000), (suseconds_t)(usec % 1000000) };

	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int
unix_connect(const struct unix_addr *a, int socktype, int64_t timeout_usec, int *status)
{
	const char *type = unix_type_name(socktype);
	int fd, err;

	if ((fd = socket(AF_UNIX, socktype | SOCK_CLOEXEC, 0)) == -1) {
		report_errno(errno, "socket (unix %s)", type);
		*status = EXIT_LOCAL;
		return -1;
	}
	if (timeout_usec > 0 && set_send_timeout(fd, timeout_usec) == -1) {
		report_errno(errno, "set SO_SNDTIMEO (-w)");
		close(fd);
		*status = EXIT_LOCAL;
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&a->sun, a->len) == -1) {
		err = errno == EAGAIN ? ETIMEDOUT : errno;
		close(fd);
		report_errno(err, "connect to %s (unix %s)", a->text, type);
		unix_hint(err, a, socktype, 0);
		*status = exit_status_for_errno(err);
		return -1;
	}
	if (timeout_usec > 0)
		set_send_timeout(fd, 0);
	report_verbose(1, "connected to %s (unix %s)", a->text, type);
	unix_report_peer(fd, a->text);
	return fd;
}

/*
 * Whether the file at a is a socket nothing is bound to: none in
 * /proc/net/unix has its name, and a connection to it is refused (a
 * socket of another network namespace is not listed there).
 */
static int
is_stale(const struct unix_addr *a, int socktype)
{
	struct stat st;
	int fd, r, err;

	if (lstat(a->sun.sun_path, &st) == -1 || !S_ISSOCK(st.st_mode))
		return 0;
	/* Bound in this namespace: live, and left undisturbed by a probe it would accept. */
	if (unix_proc_bound(a) != 0)
		return 0;
	if ((fd = socket(AF_UNIX, socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1)
		return 0;
	/* A live socket of another type says EPROTOTYPE; a full backlog EAGAIN: both alive. */
	r = connect(fd, (const struct sockaddr *)&a->sun, a->len);
	err = errno;
	close(fd);
	return r == -1 && err == ECONNREFUSED;
}

/* bind(2), over a stale socket file. 0, -1 with errno, or -2 once a failure is reported. */
static int
bind_over_stale(int fd, const struct unix_addr *a, int socktype)
{
	if (bind(fd, (const struct sockaddr *)&a->sun, a->len) == 0)
		return 0;
	if (errno != EADDRINUSE || a->abstract)
		return -1;
	if (!is_stale(a, socktype)) {
		errno = EADDRINUSE;
		return -1;
	}
	if (unlink(a->sun.sun_path) == -1 && errno != ENOENT) {
		report_errno(errno, "remove the stale socket %s", a->text);
		return -2;
	}
	report_notice("removed the stale socket %s: nothing listened on it", a->text);
	return bind(fd, (const struct sockaddr *)&a->sun, a->len);
}

static int
bind_failed(int fd, const char *call, const struct unix_addr *a, int socktype)
{
	int err = errno;

	close(fd);
	report_errno(err, "%s %s (unix %s)", call, a->text, unix_type_name(socktype));
	unix_hint(err, a, socktype, 1);
	return exit_status_for_errno(err);
}

/* The socket file to remove if a signal ends the program; only the handler reads it. */
static struct unix_addr bound_file;

/* Only the file this bind made: another listener may have replaced it since. lstat and unlink
 * are async-signal-safe. */
static void
remove_file(const struct unix_addr *a)
{
	struct stat st;

	if (a->abstract || a->ino == 0 || lstat(a->sun.sun_path, &st) == -1)
		return;
	if (S_ISSOCK(st.st_mode) && st.st_dev == a->dev && st.st_ino == a->ino)
		unlink(a->sun.sun_path);
}

/* SIGINT, SIGTERM, SIGHUP: the file goes, then the signal ends the program as it would have. */
static void
on_signal(int sig)
{
	remove_file(&bound_file);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
remove_on_signal(const struct unix_addr *a)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	bound_file = *a;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int
unix_bind(struct unix_addr *a, int socktype, int backlog, struct bound *b)
{
	struct stat st;
	int fd, r;

	memset(b, 0, sizeof(*b));
	if ((fd = socket(AF_UNIX, socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1) {
		report_errno(errno, "socket (unix %s)", unix_type_name(socktype));
		return EXIT_LOCAL;
	}
	if ((r = bind_over_stale(fd, a, socktype)) == -2) {
		close(fd);
		return EXIT_LOCAL;
	}
	if (r == -1)
		return bind_failed(fd, "bind to", a, socktype);
	if (socktype != SOCK_DGRAM && listen(fd, backlog) == -1)
		return bind_failed(fd, "listen on", a, socktype);
	if (!a->abstract && stat(a->sun.sun_path, &st) == 0) {
		a->dev = st.st_dev;
		a->ino = st.st_ino;
		remove_on_signal(a);
	}
	b->n = 1;
	b->fd[0] = fd;
	memcpy(&b->addr[0], &a->sun, a->len);
	return EXIT_OK;
}

void
unix_unbind(const struct unix_addr *a, struct bound *b)
{
	sock_close_bound(b);
	remove_file(a);
}

int
unix_dgram_client(int *status)
{
	sa_family_t family = AF_UNIX;
	int fd;

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		report_errno(errno, "socket (unix dgram)");
		*status = EXIT_LOCAL;
		return -1;
	}
	/* Autobind: the kernel gives an unused abstract name, so that replies have an address. */
	if (bind(fd, (struct sockaddr *)&family, sizeof(family)) == -1) {
		report_errno(errno, "bind an abstract address (unix dgram)");
		close(fd);
		*status = EXIT_LOCAL;
		return -1;
	}
	return fd;
}

void
unix_report_peer(int fd, const char *who)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	char name[64];

	if (globals.verbose < 1)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1 || uc.pid == 0) {
		report_verbose(1, "peer on %s: credentials unknown", who);
		return;
	}
	unix_proc_comm(uc.pid, name, sizeof(name));
	report_verbose(1, "peer on %s: pid %d (%s), uid %u, gid %u", who, (int)uc.pid, name,
	    (unsigned)uc.uid, (unsigned)uc.gid);
}
