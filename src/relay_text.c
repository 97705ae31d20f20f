/* relay_text.c: the words of a relay's end: its failure named and its close summary. Pure. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "relay.h"
#include "unixsock.h"

int
relay_failure_is_local(enum relay_failure failure)
{
	return failure == RELAY_FAIL_INPUT || failure == RELAY_FAIL_OUTPUT ||
	       failure == RELAY_FAIL_SYSTEM || failure == RELAY_FAIL_DUMP;
}

/* A Unix socket's close: who went first, and no TIME_WAIT either way. */
static const char *
unix_closer_text(const struct relay_stats *st)
{
	if (st->first_close == RELAY_CLOSER_LOCAL)
		return "this side closed first";
	if (st->first_close == RELAY_CLOSER_PEER)
		return "the peer closed first";
	if (st->idle_timeout)
		return "idle timeout: this side closed";
	return st->err == ECONNRESET ? "the peer reset the connection" : "neither side had closed";
}

static const char *
closer_text(const struct relay_stats *st, int linger0)
{
	if (st->local_socket)
		return unix_closer_text(st);
	switch (st->first_close) {
	case RELAY_CLOSER_LOCAL:
		/* After a FIN of ours and the peer's, TIME_WAIT is certain, SO_LINGER or not. */
		if (st->fin_sent && st->fin_received)
			return "this side closed first and will hold TIME_WAIT";
		if (linger0)
			return "this side closed first, with RST (--linger 0): no TIME_WAIT";
		return "this side closed first; the relay ended before the peer's FIN";
	case RELAY_CLOSER_PEER:
		return linger0 ? "the peer closed first; this side closed with RST (--linger 0)"
			       : "the peer closed first and will hold TIME_WAIT";
	default: break;
	}
	if (linger0)
		return "closed with RST (--linger 0): no TIME_WAIT";
	if (st->idle_timeout)
		return "idle timeout: this side closes first and will hold TIME_WAIT";
	if (st->err == ECONNRESET)
		return "the peer reset the connection";
	return "neither side had closed";
}

void
relay_format_summary(const struct relay_stats *st, int linger0, char *buf, size_t len)
{
	double secs = (double)(st->ended_usec - st->started_usec) / 1e6;
	char input[64] = "";

	/* -C: the CRs it added are sent, not read; both counts are said. */
	if (st->crlf)
		snprintf(input, sizeof(input), " (%" PRIu64 " read, -C)", st->bytes_input);
	snprintf(buf, len,
	    "closed: %" PRIu64 " byte%s sent%s, %" PRIu64 " received, %" PRIu64
	    " written out in %.3f s; %s",
	    st->bytes_sent, st->bytes_sent == 1 ? "" : "s", input, st->bytes_received,
	    st->bytes_written, secs < 0 ? 0 : secs, closer_text(st, linger0));
}

/* "send to /run/x.sock (unix)": the name as its address holds it (sockt(1), UNIX SOCKETS). */
static void
relay_format_unix(const char *op, size_t oplen, const struct sockaddr *peer, char *buf, size_t len)
{
	char name[UNIX_TEXT_MAX];

	unix_peer_format(peer, name, sizeof(name));
	if (oplen > 5 && strcmp(op + oplen - 5, " peer") == 0)
		snprintf(buf, len, "%.*s %s (unix)", (int)(oplen - 5), op, name);
	else
		snprintf(buf, len, "%s (%s, unix)", op, name);
}

void
relay_format_failure(const struct relay_stats *st, const struct sockaddr *peer, char *buf,
    size_t len)
{
	const char *op = st->failed_op ? st->failed_op : "relay";
	size_t oplen = strlen(op);
	char addr[ADDR_STRLEN];

	if (peer == NULL || relay_failure_is_local(st->failure)) {
		snprintf(buf, len, "%s", op);
		return;
	}
	if (peer->sa_family == AF_UNIX) {
		relay_format_unix(op, oplen, peer, buf, len);
		return;
	}
	addr_format(peer, addr, sizeof(addr));
	/* "send to peer" becomes "send to ADDR port N (tcp)". */
	if (oplen > 5 && strcmp(op + oplen - 5, " peer") == 0)
		snprintf(buf, len, "%.*s %s port %u (tcp)", (int)(oplen - 5), op, addr,
		    addr_port(peer));
	else
		snprintf(buf, len, "%s (%s port %u, tcp)", op, addr, addr_port(peer));
}
