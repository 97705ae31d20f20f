/* hexdump.c: `hexdump -C` layout for --hex, as a function of the bytes alone. */
#include "config.h"

#include <string.h>

#include "hexdump.h"

static const char digits[] = "0123456789abcdef";

/* "0000001f" */
static size_t
put_offset(char *p, size_t offset)
{
	for (int i = 7; i >= 0; i--)
		*p++ = digits[(offset >> (4 * i)) & 0xf];
	return 8;
}

/*
 * One line for up to 16 bytes: the hex column is padded to full width so
 * that the printable column always starts at the same place.
 */
static size_t
put_line(char *out, size_t offset, const unsigned char *b, size_t n)
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
	const unsigned char *b = data;
	size_t need = hexdump_size(len), used = 0;

	if (out == NULL || outlen < need)
		return need;
	for (size_t off = 0; off < len; off += HEXDUMP_WIDTH) {
		size_t n = len - off < HEXDUMP_WIDTH ? len - off : HEXDUMP_WIDTH;
		used += put_line(out + used, off, b + off, n);
	}
	used += put_offset(out + used, len);
	out[used++] = '\n';
	return used;
}
