/* hexdump.h: the --hex dump of a datagram (offset, hex bytes, printable column). Pure. */
#ifndef SOCKT_HEXDUMP_H
#define SOCKT_HEXDUMP_H

#include <stddef.h>
#include <stdint.h>

/* Bytes shown on one line, and the longest line written, with its newline. */
#define HEXDUMP_WIDTH 16
#define HEXDUMP_LINE_MAX 80

/*
 * The dump of len bytes in the layout of `hexdump -C` (without its '*'
 * squeezing of repeated lines): "OFFSET  HEX HEX ...  |printable|" per 16
 * bytes, then a last line with the length in hex. Returns the bytes the
 * dump needs (without a terminating NUL); writes it only when it fits in
 * outlen. hexdump_size(len) is that same number.
 */
size_t hexdump_format(const void *data, size_t len, char *out, size_t outlen);
size_t hexdump_size(size_t len);

/*
 * The lines alone for len bytes that start at offset base of a longer
 * stream (the --dump of a connection): offsets go on from base, with more
 * than 8 digits past 4 GiB. out holds HEXDUMP_LINES_MAX(len) bytes. Returns
 * the bytes written (no NUL).
 */
#define HEXDUMP_LINES_MAX(len) (((len) / HEXDUMP_WIDTH + 1) * (HEXDUMP_LINE_MAX + 8))
size_t hexdump_lines(const void *data, size_t len, uint64_t base, char *out);
/* The closing line: the offset after the bytes, then a newline; out holds 17 bytes. */
size_t hexdump_offset_line(uint64_t offset, char *out);

#endif
