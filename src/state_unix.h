/* state_unix.h: state -x, the Unix socket table (sockt-state(1)). */
#ifndef SOCKT_STATE_UNIX_H
#define SOCKT_STATE_UNIX_H

/*
 * Lists the Unix sockets (only those bound to path, "/run/x.sock" or
 * "@name", unless NULL), with owners under -v; returns the exit status.
 */
int state_unix_run(const char *path, int no_header);

#endif
