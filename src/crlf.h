/* crlf.h: LF to CRLF on the way out (send --crlf, connect/listen -C), across reads. Pure. */
#ifndef SOCKT_CRLF_H
#define SOCKT_CRLF_H

#include <stddef.h>

/*
 * The state between pieces of one stream: whether the last byte was a CR,
 * so that a CR ending one read and the LF starting the next stay one CRLF.
 */
struct crlf {
	int after_cr;
};

/* The bytes crlf_convert adds to these len: one per LF not after a CR. */
size_t crlf_extra(const struct crlf *, const void *in, size_t len);
/*
 * Copies len bytes into out with a CR before each LF not already after a
 * CR (an existing CRLF stays as it is); out holds len + crlf_extra(), at
 * most 2 * len. Returns the bytes written to out.
 */
size_t crlf_convert(struct crlf *, const void *in, size_t len, void *out);

#endif
