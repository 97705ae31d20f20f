/*
 * dump.h: --dump FILE of listen, connect and send: every byte the relay
 * moves, each way, as blocks of hexdump -C lines (or, with --json, one JSON
 * object a block with the bytes in base64).
 */
#ifndef SOCKT_DUMP_H
#define SOCKT_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"
#include "unixsock.h"

struct dump {
	int fd;
	int own; /* opened here: dump_close closes it */
	int json;
	unsigned next_conn; /* the number the next connection gets, from 1 */
	char op[64 + 4096]; /* "write the dump to FILE", for the error line */
	char *buf; /* one block's text */
};

struct dump_conn;

/* One direction of one connection: the tap's context (pump.h). */
struct dump_dir {
	struct dump_conn *conn;
	int sent; /* 1: to the peer, 0: from it */
	uint64_t offset; /* bytes dumped this way before */
};

struct dump_conn {
	struct dump *d;
	unsigned n;
	char addr[ADDR_STRLEN + UNIX_TEXT_MAX]; /* an address, or a Unix socket's path (-U) */
	unsigned port;
	int has_port; /* not for a Unix socket */
	struct dump_dir dir[2]; /* [0] received, [1] sent */
};

/*
 * Opens path for the dump ("-": stderr), truncating a file that exists, so
 * that a failure shows before anything is sent. Reports its own failure
 * (the caller's status is 4) and returns NULL then.
 */
struct dump *dump_open(const char *path, int json);
void dump_close(struct dump *);
/* A connection to peer, numbered in order; NULL with errno. */
struct dump_conn *dump_conn_new(struct dump *, const struct sockaddr *peer);
void dump_conn_free(struct dump_conn *);
/*
 * The tap of a pump (struct dump_dir * as ctx): dumps len bytes moved that
 * way now. Returns 0, or -1 with errno when the dump could not be written.
 */
int dump_tap(void *dir, const void *data, size_t len);

/* Pure: the header line of a text block, e.g. "# 2026-12-01T03:04:05.123456Z conn 1 ...". */
size_t dump_header(const struct dump_dir *, const char *time, size_t len, char *out, size_t cap);

#endif
