/* privdrop.c: back to the real user with no capabilities, through the system calls themselves. */
#include "config.h"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"

/* capset(2) without libcap: version 3 takes two 32-bit words per set. */
static int
clear_capabilities(void)
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &header, data);
}

static int
failed(const char **step, const char *what)
{
	*step = what;
	return -1;
}

int
privdrop_now(const char **step)
{
	gid_t gid = getgid();
	uid_t uid = getuid();

	/* Groups first: once the user id is dropped, setresgid would be refused. */
	if (getegid() != gid && setresgid(gid, gid, gid) == -1)
		return failed(step, "setresgid");
	if (geteuid() != uid && setresuid(uid, uid, uid) == -1)
		return failed(step, "setresuid");
	/* EINVAL: a kernel without ambient capabilities has none to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL)
		return failed(step, "prctl PR_CAP_AMBIENT");
	if (clear_capabilities() == -1)
		return failed(step, "capset");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return failed(step, "prctl PR_SET_NO_NEW_PRIVS");
	/* A set-user-id binary must not be able to go back. */
	if (uid != 0 && (setuid(0) != -1 || seteuid(0) != -1)) {
		errno = EPERM;
		return failed(step, "regaining root after dropping it");
	}
	return 0;
}
