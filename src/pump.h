/* pump.h: moving bytes one way between two descriptors, by splice(2) where the kernel allows it. */
#ifndef SOCKT_PUMP_H
#define SOCKT_PUMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The buffer of the read/write path; splice goes through a pipe of up to PUMP_PIPE_SIZE. */
#define PUMP_BUFFER_SIZE (256 * 1024)
#define PUMP_PIPE_SIZE (1024 * 1024)

enum pump_side {
	PUMP_SIDE_NONE,
	PUMP_SIDE_SOURCE, /* reading the source failed */
	PUMP_SIDE_DEST, /* writing the destination failed */
	PUMP_SIDE_TAP, /* a tap failed (the --dump could not be written) */
};

/* Sees each chunk the pump moves (--dump); returns 0, or -1 with errno to stop the pump. */
struct pump_tap {
	int (*fn)(void *ctx, const void *data, size_t len);
	void *ctx;
};

/*
 * Rewrites what is read before it is written (-C: LF to CRLF): writes at
 * most 2 * len bytes to out and returns how many.
 */
struct pump_transform {
	size_t (*fn)(void *ctx, const void *in, size_t len, void *out);
	void *ctx;
};

/*
 * A layer on the socket side (TLS): read and write as read(2) and write(2)
 * say it (-1 with EAGAIN when the layer must wait). Used only when set: the
 * plain descriptor path, splice included, is unchanged without one.
 */
struct pump_io {
	ssize_t (*read)(void *ctx, void *buf, size_t n);
	ssize_t (*write)(void *ctx, const void *buf, size_t n);
	int (*shutdown)(void *ctx); /* the half-close at input EOF: 0, or -1 with errno */
	/* The poll events a read (writing 0) or a write (1) waits for: a read may need POLLOUT. */
	short (*events)(void *ctx, int writing);
	int (*pending)(void *ctx); /* bytes read in already: read again without waiting for poll */
	void *ctx;
};

struct pump {
	int src; /* -1: the source is the memory given to pump_init */
	int dst; /* -1: what is read is dropped */
	int dst_socket; /* send(2) with MSG_NOSIGNAL rather than write(2) */
	int spliced; /* moving through pipe[] with splice(2) */
	int pipe[2];
	size_t pipe_cap; /* what the pipe holds */
	size_t in_pipe; /* bytes in the pipe now */
	int pipe_full; /* splice into the pipe said EAGAIN with bytes in it: wait for the writer */
	char *buf; /* the read/write path's buffer */
	const char *out; /* what is left to write: into buf, or the caller's memory */
	size_t out_len;
	int src_eof;
	int fed; /* src -1, memory given piece by piece with pump_feed */
	int whole; /* write each read whole before reading again, waiting if need be */
	int waited; /* a whole write had to wait for the destination */
	uint64_t bytes_in, bytes_out;
	struct pump_tap on_read, on_write; /* fn NULL: none */
	struct pump_transform transform;
	char *xbuf; /* what the transform made of the last piece read */
	size_t piece_in; /* the bytes read that became what out holds */
	enum pump_side failed;
	int err;
	const struct pump_io *src_io, *dst_io; /* the socket side through a layer, or NULL */
};

/*
 * Prepares a pump from src to dst. With src -1 the pump sends mem (mem_len
 * bytes, not copied: it must outlive the pump). Chooses splice when both
 * descriptors allow it and the build has it. Returns 0, or -1 with errno.
 */
int pump_init(struct pump *, int src, int dst, const void *mem, size_t mem_len);
/*
 * Prepares a pump with no source of its own: the caller hands it memory with
 * pump_feed whenever pump_wants_feed says it has sent the last piece, and
 * pump_end_feed when there is no more.
 */
int pump_init_fed(struct pump *, int dst);
int pump_wants_feed(const struct pump *);
void pump_feed(struct pump *, const void *mem, size_t len);
void pump_end_feed(struct pump *);
/* Moves through io (either may be NULL) on the copy path: no splice past a layer. */
int pump_use_io(struct pump *, const struct pump_io *src_io, const struct pump_io *dst_io);
/* Reads no more from the source: what was read is still written. */
void pump_stop_reading(struct pump *);
void pump_free(struct pump *);
/*
 * Hooks on the copy path (a pump with any goes through the buffer, not
 * splice): on_read sees what is read from a descriptor, on_write what is
 * written to the destination, transform rewrites each read (or fed piece)
 * before it is written. NULL for none. Before the first step; 0, or -1 with
 * errno.
 */
int pump_set_hooks(struct pump *, const struct pump_tap *on_read, const struct pump_tap *on_write,
    const struct pump_transform *);
/* Bytes read (or fed) whose transformed bytes are all written; bytes_out without a transform. */
uint64_t pump_taken(const struct pump *);

/* Whether the pump can take more from its source now (poll the source for POLLIN). */
int pump_wants_read(const struct pump *);
/* Whether bytes wait for the destination (poll it for POLLOUT). */
int pump_pending(const struct pump *);
/* The source has ended and everything read was written. */
int pump_finished(const struct pump *);

/*
 * Reads once from the source if src_ready (the source may block: only read
 * what poll announced), then writes what it can without blocking on a
 * non-blocking destination (with whole: all of it, waiting in poll). When the
 * source fails, what was read before is still written. Returns 0, or -1 with
 * failed and err set.
 */
int pump_step(struct pump *, int src_ready);

/*
 * Writes everything the pump holds, waiting for the destination as long as
 * it takes: bytes read are delivered even after the source failed. Returns 0,
 * or -1 with failed and err set.
 */
int pump_flush(struct pump *);

#endif
