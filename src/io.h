/* io.h: writing everything, through partial writes, EINTR and EAGAIN. */
#ifndef SOCKT_IO_H
#define SOCKT_IO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Writes all len bytes to fd (a socket gets MSG_NOSIGNAL), waiting in
 * poll when the descriptor is non-blocking. Returns 0, or -1 with errno.
 */
int io_write_all(int fd, const void *, size_t);
/*
 * After a write to fd failed with errno: 1 if it is worth trying again
 * (EINTR, or EAGAIN once fd is writable), 0 if not, with errno kept.
 */
int io_write_retry(int fd);
/* Reads into buf, retrying EINTR; as read(2) otherwise. */
ssize_t io_read(int fd, void *, size_t);
/* Registered with atexit: reports a failed flush or close of stdout (status 4). */
void io_check_stdout_at_exit(void);
/* Whether fd is a socket. */
int io_is_socket(int fd);
int io_set_nonblock(int fd, int on);

#endif
