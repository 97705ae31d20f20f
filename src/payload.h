/* payload.h: how a received datagram is written to stdout: raw, --hex, or --json. */
#ifndef SOCKT_PAYLOAD_H
#define SOCKT_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"

enum payload_format {
	PAYLOAD_RAW, /* the bytes as they came */
	PAYLOAD_LINES, /* the same, at a terminal: each datagram ends its line */
	PAYLOAD_HEX, /* hexdump -C layout, offsets from 0 for each datagram */
	PAYLOAD_JSON, /* {"from":…,"port":…,"bytes":…,"data"|"data_base64":…} */
};

/*
 * Writes one datagram: kept bytes of it are in data, size is what it had
 * (more than kept when it was cut to the buffer). Returns 0 or -1 with errno.
 */
int payload_write(enum payload_format, const struct sockaddr *from, const void *data, size_t kept,
    size_t size);

/*
 * The format for stdout: PAYLOAD_LINES instead of PAYLOAD_RAW when stdout is a terminal, where
 * datagrams written back to back would run together on one line ("two" and "three" showing as
 * "twothree"). Anywhere else the bytes stay exactly as they came.
 */
enum payload_format payload_for_stdout(enum payload_format);

#endif
