/* crlf.c: a lone LF becomes CRLF, an existing CRLF stays, even when a read splits it. */
#include "config.h"

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

size_t
crlf_convert(struct crlf *st, const void *in, size_t len, void *out)
{
	const unsigned char *b = in;
	unsigned char *o = out;
	size_t j = 0;

	for (size_t i = 0; i < len; i++) {
		if (b[i] == '\n' && !st->after_cr)
			o[j++] = '\r';
		o[j++] = b[i];
		st->after_cr = b[i] == '\r';
	}
	return j;
}
