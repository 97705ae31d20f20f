/* payload.c: a datagram written to stdout whole, as raw bytes, a hex dump or an NDJSON object. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "dgram.h"
#include "hexdump.h"
#include "io.h"
#include "json.h"
#include "payload.h"
#include "unixsock.h"

static int
write_json(const struct sockaddr *from, const void *data, size_t kept, size_t size)
{
	char addr[UNIX_TEXT_MAX];
	uint16_t port = 0;
	struct json j;
	int r, err;

	/* A Unix sender has a name (or none: "unnamed") and no port. */
	if (from->sa_family == AF_UNIX)
		unix_peer_format(from, addr, sizeof(addr));
	else
		port = dgram_address(from, addr, sizeof(addr));
	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "from", addr);
	if (from->sa_family != AF_UNIX)
		json_int(&j, "port", port);
	json_int(&j, "bytes", (long long)size);
	/* JSON strings are Unicode: bytes that are not UTF-8 go as base64, losslessly. */
	if (json_utf8_valid(data, kept))
		json_string_len(&j, "data", data, kept);
	else
		json_base64(&j, "data_base64", data, kept);
	if (kept < size)
		json_bool(&j, "truncated", 1);
	json_object_end(&j);
	r = json_write(&j);
	err = errno;
	json_free(&j);
	errno = err;
	return r;
}

static int
write_hex(const void *data, size_t kept)
{
	size_t need = hexdump_size(kept);
	char *text;
	int r, err;

	if ((text = malloc(need)) == NULL)
		return -1;
	hexdump_format(data, kept, text, need);
	r = io_write_all(STDOUT_FILENO, text, need);
	err = errno;
	free(text);
	errno = err;
	return r;
}

/* A newline after a datagram that does not end with one, so that the next begins a line. */
static int
write_line(const void *data, size_t kept)
{
	if (io_write_all(STDOUT_FILENO, data, kept) == -1)
		return -1;
	if (kept > 0 && ((const char *)data)[kept - 1] == '\n')
		return 0;
	return io_write_all(STDOUT_FILENO, "\n", 1);
}

int
payload_write(enum payload_format format, const struct sockaddr *from, const void *data,
    size_t kept, size_t size)
{
	switch (format) {
	case PAYLOAD_JSON: return write_json(from, data, kept, size);
	case PAYLOAD_HEX: return write_hex(data, kept);
	case PAYLOAD_LINES: return write_line(data, kept);
	case PAYLOAD_RAW: break;
	}
	return io_write_all(STDOUT_FILENO, data, kept);
}

enum payload_format
payload_for_stdout(enum payload_format format)
{
	return format == PAYLOAD_RAW && isatty(STDOUT_FILENO) ? PAYLOAD_LINES : format;
}
