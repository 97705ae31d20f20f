/* dgram_input.h: stdin cut into datagrams for udp-send: one per line, or all of it as one. */
#ifndef SOCKT_DGRAM_INPUT_H
#define SOCKT_DGRAM_INPUT_H

#include <stddef.h>

/* Called with each datagram; returns -1 to stop reading. */
struct dgram_sink {
	int (*datagram)(void *ctx, const void *data, size_t len);
	/* Called after each read's datagrams: the bytes they point at are reused next. */
	int (*flush)(void *ctx);
	void *ctx;
	/*
	 * NULL, or called before each read: returns 0 once fd has input (or its end), after
	 * serving whatever else the caller waits on meanwhile (a session's socket), or -1 to stop.
	 */
	int (*wait)(void *ctx);
};

/*
 * Reads fd to its end and gives each line, newline stripped, to the sink
 * (a last line without a newline too). buf holds bufsize bytes; a line that
 * does not fit is read on to its end and its length put in *too_long.
 * Returns 0 at EOF, 1 when the sink stopped or a line was too long, 2 when
 * the sink's wait stopped it (*too_long then counts the bytes of an unfinished
 * line that were read and not given to the sink), -1 with errno when reading
 * failed.
 */
int dgram_input_lines(int fd, char *buf, size_t bufsize, const struct dgram_sink *,
    size_t *too_long);

/*
 * Reads fd to its end into buf (bufsize bytes); *size is how many bytes it
 * had, which is more than were kept when they did not fit. 0, or -1 with errno.
 */
int dgram_input_whole(int fd, char *buf, size_t bufsize, size_t *size);

/*
 * The words joined by single spaces into buf, NUL-terminated. Returns their
 * length; when that is bufsize or more, buf is left incomplete.
 */
size_t dgram_input_words(int argc, char **argv, char *buf, size_t bufsize);

#endif
