/* family_line.c: each family's ports, best RTT and route, for connect -z -v. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "family_line.h"
#include "route.h"
#include "report.h"

static struct family_tally *
tally_of(struct family_lines *fl, int family)
{
	return &fl->f[family == AF_INET6 ? 0 : 1];
}

void
family_lines_init(struct family_lines *fl, const struct scan_target *t, size_t n)
{
	memset(fl, 0, sizeof(*fl));
	fl->f[0].family = AF_INET6;
	fl->f[1].family = AF_INET;
	fl->f[0].best_rtt_usec = fl->f[1].best_rtt_usec = -1;
	for (size_t i = 0; i < n; i++) {
		struct family_tally *f = tally_of(fl, t[i].addr.ss_family);
		if (f->addresses++ == 0)
			memcpy(&f->first, &t[i].addr, t[i].len);
	}
}

void
family_lines_add(struct family_lines *fl, const struct scan_target *t, const struct scan_result *r)
{
	struct family_tally *f = tally_of(fl, t->addr.ss_family);

	f->count[r->state]++;
	/* An answer, open or refused, took one round trip; a filtered port has none. */
	if ((r->state == SCAN_OPEN || r->state == SCAN_CLOSED) && r->rtt_usec >= 0 &&
	    (f->best_rtt_usec < 0 || r->rtt_usec < f->best_rtt_usec))
		f->best_rtt_usec = r->rtt_usec;
}

/* The interface that holds a local address, or "" when none does. */
static void
iface_of(const struct sockaddr *src, char *name, size_t len)
{
	struct ifaddrs *ifs;

	name[0] = '\0';
	if (getifaddrs(&ifs) == -1)
		return;
	for (struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr != NULL && i->ifa_name != NULL &&
		    addr_same_host(i->ifa_addr, src)) {
			snprintf(name, len, "%s", i->ifa_name);
			break;
		}
	}
	freeifaddrs(ifs);
}

void
family_route(const struct sockaddr *dst, socklen_t len, char *buf, size_t buflen)
{
	struct sockaddr_storage dest, src;
	socklen_t slen = sizeof(src);
	char addr[ADDR_STRLEN], dev[IF_NAMESIZE];
	struct route_info ri;
	int fd, err = 0;

	/* The kernel's own answer names the gateway too; the socket's is for a kernel that will not
	 * say. */
	if (route_get(dst, &ri) == 0 && ri.err == 0) {
		route_format(&ri, buf, buflen);
		return;
	}
	memcpy(&dest, dst, len);
	/* Port 0 is refused by connect(2); any port asks for the same route. */
	addr_set_port((struct sockaddr *)&dest, 9);
	if ((fd = socket(dst->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err = errno;
	else if (connect(fd, (struct sockaddr *)&dest, len) == -1 ||
		 getsockname(fd, (struct sockaddr *)&src, &slen) == -1)
		err = errno;
	if (fd != -1)
		close(fd);
	if (err != 0) {
		snprintf(buf, buflen, "no route (%s) [%s]", strerror(err), errno_name(err));
		return;
	}
	iface_of((struct sockaddr *)&src, dev, sizeof(dev));
	snprintf(buf, buflen, "%s%s src %s", dev[0] != '\0' ? "dev " : "", dev,
	    addr_format((struct sockaddr *)&src, addr, sizeof(addr)));
}

static void
say(const struct family_tally *f)
{
	char addr[ADDR_STRLEN], route[ADDR_STRLEN + IF_NAMESIZE + 96], rtt[48] = "no answer";
	char errors[32] = "";
	socklen_t len =
	    f->family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	if (f->best_rtt_usec >= 0)
		snprintf(rtt, sizeof(rtt), "best rtt %.3f ms", (double)f->best_rtt_usec / 1000);
	if (f->count[SCAN_ERROR] > 0)
		snprintf(errors, sizeof(errors), ", %zu error", f->count[SCAN_ERROR]);
	family_route((const struct sockaddr *)&f->first, len, route, sizeof(route));
	report_verbose(1, "%s: %zu address%s (%s%s), %zu open, %zu closed, %zu filtered%s, %s, %s",
	    f->family == AF_INET6 ? "IPv6" : "IPv4", f->addresses, f->addresses == 1 ? "" : "es",
	    addr_format((const struct sockaddr *)&f->first, addr, sizeof(addr)),
	    f->addresses > 1 ? ", ..." : "", f->count[SCAN_OPEN], f->count[SCAN_CLOSED],
	    f->count[SCAN_FILTERED], errors, rtt, route);
}

void
family_lines_say(const struct family_lines *fl)
{
	if (fl->f[0].addresses == 0 || fl->f[1].addresses == 0)
		return;
	say(&fl->f[0]);
	say(&fl->f[1]);
}
