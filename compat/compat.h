/* compat.h: declarations of the libc functions that compat/ supplies where missing. */
#ifndef SOCKT_COMPAT_H
#define SOCKT_COMPAT_H

#include "config.h"

#ifndef HAVE_STRERRORNAME_NP
const char *strerrorname_np(int);
#endif

#endif
