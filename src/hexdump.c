/* hexdump.c: `hexdump -C` layout for --hex, as a function of the bytes alone. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "hexdump.h"

static const char digits[] = "0123456789abcdef";

/* "0000001f": 8 digits, as many more as an offset past 4 GiB needs (as hexdump -C does). */
static size_t
put_offset(char *p, uint64_t offset)
{
	int n = 8;

	while (n < 16 && (offset >> (4 * n)) != 0)
		n++;
	for (int i = n - 1; i >= 0; i--)
		*p++ = digits[(offset >> (4 * i)) & 0xf];
	return (size_t)n;
}

/*
 * One line for up to 16 bytes: the hex column is padded to full width so
 * that the printable column always starts at the same place.
 */
static size_t
put_line(char *out, uint64_t offset, const unsigned char *b, size_t n)
{
	char *p = out;

	p += put_offset(p, offset);
	*p++ = ' ';
	for (size_t i = 0; i < HEXDUMP_WIDTH; i++) {
		if (i == 8)
			*p++ = ' ';
		*p++ = ' ';
		if (i < n) {
			*p++ = digits[b[i] >> 4];
			*p++ = digits[b[i] & 0xf];
		} else {
			*p++ = ' ';
			*p++ = ' ';
		}
	}
	*p++ = ' ';
	*p++ = ' ';
	*p++ = '|';
	/* Only printable ASCII reaches the terminal: the bytes are untrusted. */
	for (size_t i = 0; i < n; i++)
		*p++ = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
	*p++ = '|';
	*p++ = '\n';
	return (size_t)(p - out);
}

size_t
hexdump_size(size_t len)
{
	size_t full = len / HEXDUMP_WIDTH, rest = len % HEXDUMP_WIDTH;
	/* 8 offset + 1 + 16*3 + 1 + 2 + '|' + bytes + '|' + '\n' = 63 + bytes */
	size_t size = full * (63 + HEXDUMP_WIDTH);

	if (rest != 0)
		size += 63 + rest;
	return size + 9; /* the closing length line */
}

size_t
hexdump_format(const void *data, size_t len, char *out, size_t outlen)
{
	size_t need = hexdump_size(len), used;

	if (out == NULL || outlen < need)
		return need;
	used = hexdump_lines(data, len, 0, out);
	return used + hexdump_offset_line(len, out + used);
}

size_t
hexdump_lines(const void *data, size_t len, uint64_t base, char *out)
{
	const unsigned char *b = data;
	size_t used = 0;

	for (size_t off = 0; off < len; off += HEXDUMP_WIDTH) {
		size_t n = len - off < HEXDUMP_WIDTH ? len - off : HEXDUMP_WIDTH;
		used += put_line(out + used, base + off, b + off, n);
	}
	return used;
}

size_t
hexdump_offset_line(uint64_t offset, char *out)
{
	size_t n = put_offset(out, offset);

	out[n++] = '\n';
	return n;
}
