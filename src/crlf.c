/* crlf.c: a lone LF becomes CRLF, an existing CRLF stays, even when a read splits it. */
#include "config.h"

#include <string.h>

#include "crlf.h"

size_t
crlf_extra(const struct crlf *st, const void *in, size_t len)
{
	const unsigned char *b = in;
	int after_cr = st->after_cr;
	size_t bare = 0;

	for (size_t i = 0; i < len; i++) {
		bare += b[i] == '\n' && !after_cr;
		after_cr = b[i] == '\r';
	}
	return bare;
}

/* Runs without a LF are copied whole: the common case is long lines. */
size_t
crlf_convert(struct crlf *st, const void *in, size_t len, void *out)
{
	const unsigned char *b = in, *nl;
	unsigned char *o = out;
	size_t i = 0, j = 0, run;

	while (i < len) {
		nl = memchr(b + i, '\n', len - i);
		run = (nl != NULL ? (size_t)(nl - b) : len) - i;
		memcpy(o + j, b + i, run);
		j += run;
		if (run > 0)
			st->after_cr = b[i + run - 1] == '\r';
		i += run;
		if (nl == NULL)
			break;
		if (!st->after_cr)
			o[j++] = '\r';
		o[j++] = '\n';
		st->after_cr = 0;
		i++;
	}
	return j;
}
