/* unit.h: the subcommands of sockt-unit that live in unit_formats.c. */
#ifndef SOCKT_UNIT_H
#define SOCKT_UNIT_H

/* Each takes the words after its name, prints the answer, returns the exit status. */
int unit_hexdump(char **argv, int argc);
int unit_icmp_parse(char **argv, int argc);
int unit_icmp_echo(char **argv, int argc);
int unit_icmp_text(char **argv, int argc);
int unit_icmp_brief(char **argv, int argc);
int unit_proc_line(char **argv, int argc);
int unit_netlink(char **argv, int argc);
int unit_rtt_stats(char **argv, int argc);
int unit_scan_line(char **argv, int argc);
int unit_scan_order(char **argv, int argc);
int unit_access(char **argv, int argc);
/* unit_route.c */
int unit_route_reply(char **argv, int argc);
int unit_tcpinfo_line(char **argv, int argc); /* in unit_timing.c */

#endif
