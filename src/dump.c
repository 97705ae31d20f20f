/*
 * dump.c: --dump. Each piece the relay moves becomes a block: a header line
 * (time, connection, peer, direction, offset, length), then hexdump -C
 * lines whose offsets go on from the direction's earlier blocks, then the
 * offset after it. A block is written whole before the relay goes on; a
 * failed write ends the run, so no byte moved is missing from the dump.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dump.h"
#include "hexdump.h"
#include "io.h"
#include "json.h"
#include "report.h"
#include "unixsock.h"

/* Bytes shown in one block: a longer read is cut into several, each with its header. */
#define DUMP_PIECE 65536
#define DUMP_HEADER_MAX (ADDR_STRLEN + UNIX_TEXT_MAX + 160)
#define DUMP_BUF_SIZE (DUMP_HEADER_MAX + HEXDUMP_LINES_MAX(DUMP_PIECE) + 32)

struct dump *
dump_open(const char *path, int json)
{
	struct dump *d;

	if ((d = calloc(1, sizeof(*d))) == NULL || (d->buf = malloc(DUMP_BUF_SIZE)) == NULL) {
		report_errno(errno, "set up the dump");
		dump_close(d);
		return NULL;
	}
	d->json = json;
	d->next_conn = 1;
	if (strcmp(path, "-") == 0) {
		d->fd = STDERR_FILENO;
		snprintf(d->op, sizeof(d->op), "write the dump to stderr");
		return d;
	}
	snprintf(d->op, sizeof(d->op), "write the dump to %s", path);
	if ((d->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) == -1) {
		report_errno(errno, "open the dump file %s", path);
		free(d->buf);
		free(d);
		return NULL;
	}
	d->own = 1;
	return d;
}

void
dump_close(struct dump *d)
{
	if (d == NULL)
		return;
	if (d->own)
		close(d->fd);
	free(d->buf);
	free(d);
}

struct dump_conn *
dump_conn_new(struct dump *d, const struct sockaddr *peer)
{
	struct sockaddr_storage ss;
	struct dump_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->d = d;
	c->n = d->next_conn++;
	for (int i = 0; i < 2; i++)
		c->dir[i] = (struct dump_dir){ .conn = c, .sent = i };
	if (peer->sa_family == AF_UNIX) {
		/* -U: the peer is a path, "@name" or "unnamed", and has no port. */
		unix_peer_format(peer, c->addr, sizeof(c->addr));
		return c;
	}
	c->has_port = 1;
	/* A listener on :: sees IPv4 peers mapped: they are named as IPv4, as -v names them. */
	addr_unmap(peer, &ss);
	addr_format((struct sockaddr *)&ss, c->addr, sizeof(c->addr));
	c->port = addr_port((struct sockaddr *)&ss);
	return c;
}

void
dump_conn_free(struct dump_conn *c)
{
	free(c);
}

/* "2026-12-01T03:04:05.123456Z": the wall clock, UTC, to the microsecond. */
static void
format_time(char *out, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, cap - n, ".%06ldZ", ts.tv_nsec / 1000);
}

size_t
dump_header(const struct dump_dir *dd, const char *time, size_t len, char *out, size_t cap)
{
	const struct dump_conn *c = dd->conn;
	char port[16] = "";
	int n;

	if (c->has_port)
		snprintf(port, sizeof(port), " port %u", c->port);
	n = snprintf(out, cap, "# %s conn %u %s%s %s %s, offset %" PRIu64 ", %zu byte%s\n", time,
	    c->n, c->addr, port, dd->sent ? ">" : "<", dd->sent ? "sent" : "received", dd->offset,
	    len, len == 1 ? "" : "s");
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static int
write_text(struct dump_dir *dd, const char *time, const void *data, size_t len)
{
	char *buf = dd->conn->d->buf;
	size_t used = dump_header(dd, time, len, buf, DUMP_HEADER_MAX);

	used += hexdump_lines(data, len, dd->offset, buf + used);
	used += hexdump_offset_line(dd->offset + len, buf + used);
	return io_write_all(dd->conn->d->fd, buf, used);
}

/* {"time":…,"conn":1,"peer":"127.0.0.1","port":5555,"dir":"sent","offset":0,"len":3,…} */
static int
write_json(struct dump_dir *dd, const char *time, const void *data, size_t len)
{
	struct json j;
	int r;

	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "time", time);
	json_int(&j, "conn", dd->conn->n);
	json_string(&j, "peer", dd->conn->addr);
	if (dd->conn->has_port)
		json_int(&j, "port", dd->conn->port);
	else
		json_null(&j, "port");
	json_string(&j, "dir", dd->sent ? "sent" : "received");
	json_int(&j, "offset", (long long)dd->offset);
	json_int(&j, "len", (long long)len);
	json_base64(&j, "data_base64", data, len);
	json_object_end(&j);
	r = json_write_fd(&j, dd->conn->d->fd);
	json_free(&j);
	return r;
}

int
dump_tap(void *dir, const void *data, size_t len)
{
	struct dump_dir *dd = dir;
	const char *p = data;
	char time[40];
	size_t n;

	format_time(time, sizeof(time));
	for (size_t off = 0; off < len; off += n) {
		n = len - off < DUMP_PIECE ? len - off : DUMP_PIECE;
		if ((dd->conn->d->json ? write_json(dd, time, p + off, n)
				       : write_text(dd, time, p + off, n)) == -1)
			return -1;
		dd->offset += n;
	}
	return 0;
}
