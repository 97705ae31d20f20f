/*
 * pump.c: one direction of a relay. On Linux the bytes go through a pipe
 * with splice(2), so they never enter user space; where splice cannot be used
 * (a terminal, a file opened for appending, a memory source) or a hook must
 * see them (--dump, -C), they go through a 256 KiB buffer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "pump.h"

/* Whether splice(2) can read from fd: a pipe, a regular file or a socket. */
static int
splice_source_ok(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return 0;
	return S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode);
}

/*
 * Whether splice(2) can write to fd: a pipe, a socket, /dev/null, or a
 * regular file not opened with O_APPEND (the kernel refuses that one).
 */
static int
splice_dest_ok(int fd)
{
	struct stat st, null;
	int flags;

	if (fstat(fd, &st) == -1)
		return 0;
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return 1;
	if (S_ISREG(st.st_mode))
		return (flags = fcntl(fd, F_GETFL)) != -1 && !(flags & O_APPEND);
	if (S_ISCHR(st.st_mode))
		return stat("/dev/null", &null) == 0 && st.st_rdev == null.st_rdev;
	return 0;
}

static int
use_buffer(struct pump *p)
{
	if ((p->buf = malloc(PUMP_BUFFER_SIZE)) == NULL)
		return -1;
	p->spliced = 0;
	return 0;
}

#ifdef HAVE_SPLICE
static int
use_splice(struct pump *p)
{
	int size;

	if (pipe2(p->pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	/* A larger pipe means fewer calls; unprivileged users may be held to less. */
	if ((size = fcntl(p->pipe[1], F_SETPIPE_SZ, PUMP_PIPE_SIZE)) == -1)
		size = fcntl(p->pipe[1], F_GETPIPE_SZ);
	p->pipe_cap = size > 0 ? (size_t)size : 65536;
	p->spliced = 1;
	return 0;
}
#endif

int
pump_init(struct pump *p, int src, int dst, const void *mem, size_t mem_len)
{
	memset(p, 0, sizeof(*p));
	p->src = src;
	p->dst = dst;
	p->pipe[0] = p->pipe[1] = -1;
	p->dst_socket = dst != -1 && io_is_socket(dst);
	if (src == -1) {
		p->out = mem;
		p->out_len = mem_len;
		p->bytes_in = mem_len;
		p->src_eof = 1;
		return 0;
	}
#ifdef HAVE_SPLICE
	if (dst != -1 && splice_source_ok(src) && splice_dest_ok(dst) && use_splice(p) == 0)
		return 0;
#endif
	return use_buffer(p);
}

int
pump_init_fed(struct pump *p, int dst)
{
	memset(p, 0, sizeof(*p));
	p->src = -1;
	p->dst = dst;
	p->pipe[0] = p->pipe[1] = -1;
	p->dst_socket = io_is_socket(dst);
	p->fed = 1;
	return 0;
}

int
pump_wants_feed(const struct pump *p)
{
	return p->fed && !p->src_eof && p->out_len == 0 && p->failed == PUMP_SIDE_NONE;
}

void
pump_feed(struct pump *p, const void *mem, size_t len)
{
	if (p->transform.fn != NULL) {
		/* The rest of the piece comes with the next feed, from bytes_in on. */
		if (len > PUMP_BUFFER_SIZE)
			len = PUMP_BUFFER_SIZE;
		p->out = p->xbuf;
		p->out_len = p->transform.fn(p->transform.ctx, mem, len, p->xbuf);
		p->piece_in = len;
	} else {
		p->out = mem;
		p->out_len = len;
	}
	p->bytes_in += len;
}

void
pump_end_feed(struct pump *p)
{
	p->src_eof = 1;
}

int
pump_use_io(struct pump *p, const struct pump_io *src_io, const struct pump_io *dst_io)
{
	p->src_io = src_io;
	p->dst_io = dst_io;
	if (!p->spliced || (src_io == NULL && dst_io == NULL))
		return 0;
	pump_free(p);
	return use_buffer(p);
}

void
pump_stop_reading(struct pump *p)
{
	p->src_eof = 1;
}

void
pump_free(struct pump *p)
{
	if (p->pipe[0] != -1)
		close(p->pipe[0]);
	if (p->pipe[1] != -1)
		close(p->pipe[1]);
	p->pipe[0] = p->pipe[1] = -1;
	free(p->buf);
	free(p->xbuf);
	p->buf = p->xbuf = NULL;
}

int
pump_set_hooks(struct pump *p, const struct pump_tap *on_read, const struct pump_tap *on_write,
    const struct pump_transform *transform)
{
	if (on_read != NULL)
		p->on_read = *on_read;
	if (on_write != NULL)
		p->on_write = *on_write;
	/* The hooks see every byte in user space: splice would carry them past. */
	if (p->spliced) {
		pump_free(p);
		if (use_buffer(p) == -1)
			return -1;
	}
	if (transform == NULL)
		return 0;
	p->transform = *transform;
	return (p->xbuf = malloc(2 * PUMP_BUFFER_SIZE)) == NULL ? -1 : 0;
}

uint64_t
pump_taken(const struct pump *p)
{
	if (p->transform.fn == NULL)
		return p->bytes_out;
	return p->bytes_in - (p->out_len > 0 ? p->piece_in : 0);
}

int
pump_wants_read(const struct pump *p)
{
	if (p->src == -1 || p->src_eof || p->failed != PUMP_SIDE_NONE)
		return 0;
	if (p->spliced)
		return !p->pipe_full && p->in_pipe < p->pipe_cap;
	return p->out_len == 0;
}

int
pump_pending(const struct pump *p)
{
	return p->spliced ? p->in_pipe > 0 : p->out_len > 0;
}

int
pump_finished(const struct pump *p)
{
	return p->src_eof && !pump_pending(p);
}

static int
fail(struct pump *p, enum pump_side side, int err)
{
	p->failed = side;
	p->err = err;
	return -1;
}

/* Takes n bytes read; a failed tap still leaves them to be written. 0, or -1 (failed set). */
static int
got(struct pump *p, ssize_t n)
{
	int tapped = 0;

	if (n == 0) {
		p->src_eof = 1;
		return 0;
	}
	p->bytes_in += (uint64_t)n;
	if (p->on_read.fn != NULL)
		tapped = p->on_read.fn(p->on_read.ctx, p->buf, (size_t)n);
	if (p->dst == -1)
		/* Nowhere to go (--send-only): the bytes are read only to be dropped. */
		p->bytes_out += (uint64_t)n;
	else if (p->spliced)
		p->in_pipe += (size_t)n;
	else if (p->transform.fn != NULL) {
		p->out = p->xbuf;
		p->out_len = p->transform.fn(p->transform.ctx, p->buf, (size_t)n, p->xbuf);
		p->piece_in = (size_t)n;
	} else {
		p->out = p->buf;
		p->out_len = (size_t)n;
	}
	return tapped == -1 ? fail(p, PUMP_SIDE_TAP, errno) : 0;
}

#ifdef HAVE_SPLICE
static int
splice_in(struct pump *p)
{
	ssize_t n;

	do
		n = splice(p->src, NULL, p->pipe[1], NULL, p->pipe_cap - p->in_pipe,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	while (n == -1 && errno == EINTR);
	if (n >= 0)
		return got(p, n);
	if (errno == EAGAIN) {
		/* The source was ready, so the pipe is out of slots (partial pages). */
		if (p->in_pipe > 0)
			p->pipe_full = 1;
		return 0;
	}
	/* Some descriptors (an odd socket family, a file system) refuse splice: copy instead. */
	if (errno == EINVAL && p->bytes_in == 0) {
		pump_free(p);
		if (use_buffer(p) == -1)
			return fail(p, PUMP_SIDE_SOURCE, errno);
		return 0;
	}
	return fail(p, PUMP_SIDE_SOURCE, errno);
}

/* Returns 1 when the destination would block, 0 after progress, -1 on failure. */
static int
splice_out(struct pump *p)
{
	ssize_t n;

	do
		n = splice(p->pipe[0], NULL, p->dst, NULL, p->in_pipe,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN ? 1 : fail(p, PUMP_SIDE_DEST, errno);
	p->in_pipe -= (size_t)n;
	p->bytes_out += (uint64_t)n;
	p->pipe_full = 0;
	return 0;
}
#else
static int
splice_in(struct pump *p)
{
	return fail(p, PUMP_SIDE_SOURCE, ENOSYS);
}

static int
splice_out(struct pump *p)
{
	return fail(p, PUMP_SIDE_DEST, ENOSYS);
}
#endif

static int
read_in(struct pump *p)
{
	ssize_t n;

	n = p->src_io ? p->src_io->read(p->src_io->ctx, p->buf, PUMP_BUFFER_SIZE)
		      : io_read(p->src, p->buf, PUMP_BUFFER_SIZE);
	if (n >= 0)
		return got(p, n);
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return fail(p, PUMP_SIDE_SOURCE, errno);
}

/* Returns 1 when the destination would block, 0 after progress, -1 on failure. */
static int
write_out(struct pump *p)
{
	ssize_t n;

	do
		n = p->dst_io	    ? p->dst_io->write(p->dst_io->ctx, p->out, p->out_len)
		    : p->dst_socket ? send(p->dst, p->out, p->out_len, MSG_NOSIGNAL | MSG_DONTWAIT)
				    : write(p->dst, p->out, p->out_len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : fail(p, PUMP_SIDE_DEST, errno);
	p->out += n;
	p->out_len -= (size_t)n;
	p->bytes_out += (uint64_t)n;
	/* The bytes are out: a failed tap is said with them counted as sent. */
	if (p->on_write.fn != NULL && p->on_write.fn(p->on_write.ctx, p->out - n, (size_t)n) == -1)
		return fail(p, PUMP_SIDE_TAP, errno);
	return 0;
}

/* Waits until the destination takes more; 0, or -1 with failed and err set. */
static int
wait_dest(struct pump *p)
{
	struct pollfd pfd = { .fd = p->dst, .events = POLLOUT };

	p->waited = 1;
	while (poll(&pfd, 1, -1) == -1)
		if (errno != EINTR)
			return fail(p, PUMP_SIDE_DEST, errno);
	return 0;
}

/* Writes what is pending; with wait, until none is. */
static int
drain(struct pump *p, int wait)
{
	int r;

	while (pump_pending(p)) {
		if ((r = p->spliced ? splice_out(p) : write_out(p)) == -1)
			return -1;
		if (r == 1 && (!wait || wait_dest(p) == -1))
			return wait ? -1 : 0;
	}
	return 0;
}

int
pump_step(struct pump *p, int src_ready)
{
	int read_failed = 0;

	if (src_ready && pump_wants_read(p))
		read_failed = (p->spliced ? splice_in(p) : read_in(p)) == -1;
	/* After a failed read, what came before it is still written. */
	if (drain(p, p->whole) == -1)
		return -1;
	return read_failed ? -1 : 0;
}

int
pump_flush(struct pump *p)
{
	enum pump_side failed = p->failed;
	int err = p->err;

	if (p->failed == PUMP_SIDE_DEST || p->dst == -1)
		return p->failed == PUMP_SIDE_DEST ? -1 : 0;
	p->failed = PUMP_SIDE_NONE;
	if (drain(p, 1) == -1)
		return -1;
	p->failed = failed;
	p->err = err;
	return 0;
}
