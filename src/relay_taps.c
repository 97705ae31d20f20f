/*
 * relay_taps.c: --dump and -C on a relay's pumps. The dump sees what is
 * sent when it is sent (after -C) and what is received when it is read; -C
 * rewrites the input on its way to the socket. Either takes the affected
 * pump off splice; a relay with neither is untouched.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "crlf.h"
#include "dump.h"
#include "pump.h"
#include "relay.h"

struct relay_taps {
	struct dump_conn *dc;
	struct crlf crlf;
};

static size_t
to_crlf(void *ctx, const void *in, size_t len, void *out)
{
	return crlf_convert(ctx, in, len, out);
}

/* The dump's connection, named by its peer (0.0.0.0 port 0 if it is already gone). */
static struct dump_conn *
dump_conn_for(struct dump *d, int sock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(sock, (struct sockaddr *)&ss, &len) == -1) {
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = AF_INET;
	}
	return dump_conn_new(d, (struct sockaddr *)&ss);
}

int
relay_taps_start(struct relay_conn *c)
{
	const struct relay_options *o = c->opt;
	struct pump_tap sent = { dump_tap, NULL }, received = { dump_tap, NULL };
	struct pump_transform crlf = { to_crlf, NULL };
	struct relay_taps *t;

	if ((c->taps = t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	crlf.ctx = &t->crlf;
	if (o->dump != NULL) {
		if ((t->dc = dump_conn_for(o->dump, c->sock)) == NULL)
			return -1;
		received.ctx = &t->dc->dir[0];
		sent.ctx = &t->dc->dir[1];
	}
	if (o->echo)
		return o->dump == NULL ? 0 : pump_set_hooks(&c->down, &received, &sent, NULL);
	if (c->up_active && pump_set_hooks(&c->up, NULL, o->dump != NULL ? &sent : NULL,
				o->crlf ? &crlf : NULL) == -1)
		return -1;
	if (c->down_active && o->dump != NULL &&
	    pump_set_hooks(&c->down, &received, NULL, NULL) == -1)
		return -1;
	return 0;
}

void
relay_taps_end(struct relay_conn *c)
{
	if (c->taps == NULL)
		return;
	dump_conn_free(c->taps->dc);
	free(c->taps);
	c->taps = NULL;
}
