/* unixsock_hint.c: the hint: lines after a failed call on a Unix socket (sockt(1), UNIX SOCKETS).
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "unixsock.h"
#include "unixsock_proc.h"

/* "drwx------ owned by root:root" (names where the user database has them). */
static void
describe(const struct stat *st, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);
	char mode[16], uid[16], gid[16];

	strmode(st->st_mode, mode);
	mode[strcspn(mode, " ")] = '\0';
	snprintf(uid, sizeof(uid), "%u", (unsigned)st->st_uid);
	snprintf(gid, sizeof(gid), "%u", (unsigned)st->st_gid);
	snprintf(buf, len, "%s owned by %s:%s", mode, pw ? pw->pw_name : uid,
	    gr ? gr->gr_name : gid);
}

static const char *
file_kind(mode_t mode)
{
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "not a socket";
}

/* "you are uid 65534 (nobody), gid 65534, in groups 65534 100" */
static void
hint_user(void)
{
	gid_t groups[32];
	struct passwd *pw = getpwuid(getuid());
	char list[256] = "";
	size_t used = 0;
	int n = getgroups(32, groups);

	for (int i = 0; i < n && used < sizeof(list); i++)
		used +=
		    (size_t)snprintf(list + used, sizeof(list) - used, " %u", (unsigned)groups[i]);
	report_hint("you are uid %u (%s), gid %u, in groups%s", (unsigned)getuid(),
	    pw ? pw->pw_name : "?", (unsigned)getgid(), n > 0 ? list : " (none)");
}

/* A socket file's access: search on each directory, write on the socket (or its directory). */
static void
hint_access(const struct unix_addr *a, int binding)
{
	char path[UNIX_PATH_LIMIT + 1], what[128];
	const char *need = binding ? "binding" : "connecting";
	struct stat st;
	char *slash;

	strlcpy(path, a->sun.sun_path, sizeof(path));
	for (slash = strchr(path + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (access(path, X_OK) == -1 && stat(path, &st) == 0) {
			describe(&st, what, sizeof(what));
			report_hint("the directory %s is %s; %s needs search (x) permission on "
				    "every "
				    "directory of the path",
			    path, what, need);
			hint_user();
			return;
		}
		*slash = '/';
	}
	if (binding && (slash = strrchr(path, '/')) != NULL)
		*(slash == path ? slash + 1 : slash) = '\0';
	else if (binding)
		strlcpy(path, ".", sizeof(path));
	if (stat(path, &st) == 0) {
		describe(&st, what, sizeof(what));
		report_hint("%s%s is %s; %s needs write permission on it",
		    binding ? "the directory " : "the socket ", path, what, need);
	}
	hint_user();
}

static void
hint_missing(const struct unix_addr *a)
{
	char dir[UNIX_PATH_LIMIT + 1], *slash;
	struct stat st;

	strlcpy(dir, a->sun.sun_path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (stat(dir, &st) == -1) {
			report_hint("the directory %s does not exist", dir);
			return;
		}
	}
	report_hint("no socket %s: is the server running, and is this the path it uses?", a->text);
}

static void
hint_refused(const struct unix_addr *a)
{
	struct stat st;

	if (a->abstract)
		report_hint("nothing is bound to the abstract name %s: is the server running? (an "
			    "abstract name goes away with its socket)",
		    a->text);
	else if (lstat(a->sun.sun_path, &st) == 0 && !S_ISSOCK(st.st_mode))
		report_hint("%s is %s, not a socket", a->text, file_kind(st.st_mode));
	else
		report_hint("%s exists but nothing listens on it: a stale socket file left by a "
			    "server that exited (listen -U removes one)",
		    a->text);
}

/* A live socket or another file holds the path or name: never removed, so say who. */
static void
hint_in_use(const struct unix_addr *a)
{
	char process[64];
	struct stat st;
	int pid;

	if (!a->abstract && lstat(a->sun.sun_path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		report_hint("%s is %s, not a socket: it is not removed; choose another path",
		    a->text, file_kind(st.st_mode));
		return;
	}
	if ((pid = unix_proc_addr_holder(a, process, sizeof(process))) > 0)
		report_hint("%s is live: process %d (%s) holds it; it is not removed", a->text, pid,
		    process);
	else
		report_hint("%s is live: a socket is bound to it (sockt state -x lists it); it is "
			    "not removed",
		    a->text);
}

void
unix_hint(int err, const struct unix_addr *a, int socktype, int binding)
{
	switch (err) {
	case ENOENT: hint_missing(a); break;
	case ECONNREFUSED: hint_refused(a); break;
	case EACCES:
	case EPERM: hint_access(a, binding); break;
	case EADDRINUSE: hint_in_use(a); break;
	case EPROTOTYPE:
		report_hint("%s is a socket of another type than %s: try --seqpacket, or "
			    "udp-send -U for a datagram socket",
		    a->text, unix_type_name(socktype));
		break;
	case ETIMEDOUT:
		report_hint("the listener on %s does not accept: its backlog is full", a->text);
		break;
	case ENAMETOOLONG:
		report_hint("a Unix socket address holds %d bytes (sun_path), a path's NUL "
			    "included; give a shorter path (a relative one, from its directory) or "
			    "an @NAME",
		    UNIX_PATH_LIMIT);
		break;
	default: break;
	}
}
