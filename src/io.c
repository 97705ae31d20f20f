/* io.c: full writes (OpenBSD's atomicio idea), EINTR-safe reads, stdout's last check. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "report.h"

int
io_is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

int
io_set_nonblock(int fd, int on)
{
	int flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags);
}

int
io_write_retry(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int err = errno;

	if (err == EINTR)
		return 1;
	if (err != EAGAIN && err != EWOULDBLOCK)
		return 0;
	if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
		return 0;
	return 1;
}

int
io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	int sock = -1;
	ssize_t n;

	while (len > 0) {
		if (sock == -1 || sock == 1) {
			n = send(fd, p, len, MSG_NOSIGNAL);
			if (n == -1 && errno == ENOTSOCK) {
				sock = 0;
				continue;
			}
			sock = 1;
		} else
			n = write(fd, p, len);
		if (n == -1) {
			if (io_write_retry(fd))
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t
io_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n == -1 && errno == EINTR);
	return n;
}

/*
 * stdio buffers may hold the last output; a full disk or closed pipe is only
 * seen at fflush/close. A closed pipe is the reader's choice (sockt(1), EXIT STATUS: `| head`
 * ends quietly), anything else is a local I/O error.
 */
void
io_check_stdout_at_exit(void)
{
	int failed = fflush(stdout) != 0 || ferror(stdout);
	int err = errno;

	if (close(STDOUT_FILENO) == -1 && !failed && errno != EBADF) {
		failed = 1;
		err = errno;
	}
	if (failed && err != EPIPE) {
		report_errno(err, "write to stdout");
		_exit(EXIT_LOCAL);
	}
}
