/* errnames-check: compat's errno name table agrees with the C library's strerrorname_np. */
#include "config.h"

#include <stdio.h>
#include <string.h>

const char *compat_strerrorname_np(int);

int
main(void)
{
	int bad = 0, checked = 0;

#ifdef HAVE_STRERRORNAME_NP
	for (int e = 1; e < 200; e++) {
		const char *libc = strerrorname_np(e), *ours = compat_strerrorname_np(e);
		if (libc == NULL && ours == NULL)
			continue;
		checked++;
		if (libc == NULL || ours == NULL || strcmp(libc, ours) != 0) {
			printf("errno %d: libc %s, compat %s\n", e, libc ? libc : "(none)",
			    ours ? ours : "(none)");
			bad++;
		}
	}
#else
	for (int e = 1; e < 200; e++)
		checked += compat_strerrorname_np(e) != NULL;
#endif
	printf("%d names checked, %d differ\n", checked, bad);
	return bad != 0 || checked < 100;
}
