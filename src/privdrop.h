/* privdrop.h: giving up root and every capability once the raw sockets are open. */
#ifndef SOCKT_PRIVDROP_H
#define SOCKT_PRIVDROP_H

/*
 * Sets the group and user ids (real, effective, saved) to the real ones,
 * clears the ambient, permitted, effective and inheritable capabilities,
 * and forbids regaining any (PR_SET_NO_NEW_PRIVS). Returns 0, or -1 with
 * errno and *step naming what failed.
 */
int privdrop_now(const char **step);

#endif
