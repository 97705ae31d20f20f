/* dgram_input.c: stdin as datagrams: lines split without copying, whole input kept or measured. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "dgram_input.h"
#include "io.h"

/* Reads on to the end of an overlong line, counting its bytes. */
/* Reads once, after the sink's wait (if any) says input is there; -2 when the sink stopped. */
static ssize_t
read_when_ready(int fd, char *buf, size_t len, const struct dgram_sink *sink)
{
	if (sink != NULL && sink->wait != NULL && sink->wait(sink->ctx) == -1)
		return -2;
	return io_read(fd, buf, len);
}

static int
measure_line(int fd, char *buf, size_t bufsize, const struct dgram_sink *sink, size_t *size)
{
	ssize_t n;
	char *nl;

	for (;;) {
		if ((n = read_when_ready(fd, buf, bufsize, sink)) < 0)
			return n == -1 ? -1 : 0;
		if (n == 0)
			return 0;
		if ((nl = memchr(buf, '\n', (size_t)n)) != NULL) {
			*size += (size_t)(nl - buf);
			return 0;
		}
		*size += (size_t)n;
	}
}

int
dgram_input_lines(int fd, char *buf, size_t bufsize, const struct dgram_sink *sink,
    size_t *too_long)
{
	size_t have = 0, start;
	ssize_t n;
	char *nl;

	*too_long = 0;
	for (;;) {
		if ((n = read_when_ready(fd, buf + have, bufsize - have, sink)) == -2) {
			*too_long = have; /* an unfinished line, read and not sent */
			return 2;
		}
		if (n == -1)
			return -1;
		have += (size_t)n;
		for (start = 0; (nl = memchr(buf + start, '\n', have - start)) != NULL;
		     start = (size_t)(nl - buf) + 1)
			if (sink->datagram(sink->ctx, buf + start, (size_t)(nl - buf) - start) ==
			    -1)
				return 1;
		if (n == 0 && start < have &&
		    sink->datagram(sink->ctx, buf + start, have - start) == -1)
			return 1;
		/* Each read is sent before the next blocks: typed lines go at once. */
		if (sink->flush(sink->ctx) == -1)
			return 1;
		if (n == 0)
			return 0;
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have == bufsize) {
			*too_long = have;
			return measure_line(fd, buf, bufsize, sink, too_long) == -1 ? -1 : 1;
		}
	}
}

int
dgram_input_whole(int fd, char *buf, size_t bufsize, size_t *size)
{
	char scratch[4096];
	size_t have = 0;
	ssize_t n;

	*size = 0;
	for (;;) {
		/* Past the buffer only the size matters (for the EMSGSIZE line). */
		if (have < bufsize)
			n = io_read(fd, buf + have, bufsize - have);
		else
			n = io_read(fd, scratch, sizeof(scratch));
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		if (have < bufsize)
			have += (size_t)n;
		*size += (size_t)n;
	}
}

size_t
dgram_input_words(int argc, char **argv, char *buf, size_t bufsize)
{
	size_t len = 0, word;

	for (int i = 0; i < argc; i++) {
		word = strlen(argv[i]);
		if (len + (i > 0) + word < bufsize) {
			if (i > 0)
				buf[len] = ' ';
			memcpy(buf + len + (i > 0), argv[i], word + 1);
		}
		len += (size_t)(i > 0) + word;
	}
	if (argc == 0 && bufsize > 0)
		buf[0] = '\0';
	return len;
}
