/*
 * child.c: a program per connection (--exec, --sh-exec). The program gets the
 * socket as stdin and stdout and the addresses in its environment; every other
 * descriptor is close-on-exec. A pipe that closes on exec tells the parent
 * whether the exec worked, so that a failure is sockt's error line with its
 * errno. SIGCHLD comes through a signalfd: the children are reaped in the
 * poll loop, with no handler.
 */
#include "config.h"

#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "child.h"
#include "clock.h"
#include "hub.h"
#include "opts.h"
#include "parse.h"
#include "report.h"

/* After SIGTERM at --max-time, this long before SIGKILL. */
#define CHILD_KILL_GRACE_USEC 1000000

int
child_prog_parse(struct child_prog *p, const char *value, int shell)
{
	static char sh[] = "/bin/sh", dash_c[] = "-c";
	size_t n = 0, words = 0;
	char *save, *w;

	memset(p, 0, sizeof(*p));
	p->text = value;
	p->option = shell ? "--sh-exec" : "--exec";
	p->shell = shell;
	if ((p->buf = strdup(value)) == NULL)
		return -1;
	for (const char *s = value; *s != '\0'; s++)
		words += (*s != ' ' && *s != '\t') && (s == value || s[-1] == ' ' || s[-1] == '\t');
	if (words == 0 || (p->argv = calloc(words + 3, sizeof(*p->argv))) == NULL) {
		child_prog_free(p);
		errno = EINVAL;
		return -1;
	}
	if (shell) {
		p->argv[0] = sh;
		p->argv[1] = dash_c;
		p->argv[2] = p->buf;
		return 0;
	}
	for (w = strtok_r(p->buf, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save))
		p->argv[n++] = w;
	return 0;
}

void
child_prog_free(struct child_prog *p)
{
	free(p->argv);
	free(p->buf);
	p->argv = NULL;
	p->buf = NULL;
}

void
child_option(struct child_prog *p, const struct opt_parser *op, int shell)
{
	if (p->argv != NULL)
		opt_usage_error(op->cmd, "%s and %s: one program per connection", p->option,
		    op->name);
	if (child_prog_parse(p, op->arg, shell) == -1)
		opt_usage_error(op->cmd, "%s needs a program: %s", op->name,
		    errno == EINVAL ? "the value is empty" : strerror(errno));
}

/* Where execvp(3) would find the program: 0, or -1 with errno. */
static int
find_program(const char *name)
{
	const char *path = getenv("PATH");
	char full[4096];
	int err = ENOENT;

	if (strchr(name, '/') != NULL)
		return access(name, X_OK);
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path, *end;; p = end + 1) {
		end = strchrnul(p, ':');
		/* An empty element is the current directory, as execvp(3) takes it. */
		snprintf(full, sizeof(full), "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "",
		    name);
		if (access(full, X_OK) == 0)
			return 0;
		if (errno == EACCES)
			err = EACCES;
		if (*end == '\0')
			break;
	}
	errno = err;
	return -1;
}

static void
report_exec_failure(const struct child_prog *p, int err)
{
	report_errno(err, "%s %s", p->option, p->argv[0]);
	if (err == ENOENT && strchr(p->argv[0], '/') == NULL)
		report_hint("no '%s' in PATH; %s takes PROGRAM [ARGS...] split on blanks, with no "
			    "shell: --sh-exec runs a shell command",
		    p->argv[0], p->option);
	else if (err == ENOENT)
		report_hint("no such file: give the program's path");
	else if (err == EACCES)
		report_hint("'%s' is not executable (chmod +x), or a directory on its way is "
			    "not searchable",
		    p->argv[0]);
}

int
child_prog_check(const struct child_prog *p)
{
	if (find_program(p->argv[0]) == 0)
		return EXIT_OK;
	report_exec_failure(p, errno);
	return EXIT_LOCAL;
}

/* The addresses of the connection, as the program's environment (sockt-listen(1), Programs). */
static void
set_env(int sock)
{
	static const char *const names[2][2] = { { "SOCKT_PEER_ADDR", "NCAT_REMOTE_ADDR" },
		{ "SOCKT_LOCAL_ADDR", "NCAT_LOCAL_ADDR" } };
	struct sockaddr_storage ss, un;
	socklen_t len;
	char text[ADDR_STRLEN], port[8];

	for (int i = 0; i < 2; i++) {
		len = sizeof(ss);
		if ((i == 0 ? getpeername(sock, (struct sockaddr *)&ss, &len)
			    : getsockname(sock, (struct sockaddr *)&ss, &len)) == -1)
			continue;
		addr_unmap((struct sockaddr *)&ss, &un);
		addr_format((struct sockaddr *)&un, text, sizeof(text));
		snprintf(port, sizeof(port), "%u", addr_port((struct sockaddr *)&un));
		for (int j = 0; j < 2; j++) {
			char name[32];
			setenv(names[i][j], text, 1);
			snprintf(name, sizeof(name), "%.*sPORT", (int)strlen(names[i][j]) - 4,
			    names[i][j]);
			setenv(name, port, 1);
		}
	}
	setenv("NCAT_PROTO", "TCP", 1);
}

/* In the child: the socket as stdin and stdout, then the program. Never returns. */
static void
exec_child(const struct child_prog *p, int sock, int errpipe)
{
	sigset_t none;
	int err;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* sockt ignores SIGPIPE, and an ignored signal stays ignored across exec. */
	signal(SIGPIPE, SIG_DFL);
	set_env(sock);
	if (dup2(sock, STDIN_FILENO) == -1 || dup2(sock, STDOUT_FILENO) == -1) {
		err = errno;
	} else {
		if (sock > STDOUT_FILENO)
			close(sock);
		/* Whatever was opened without O_CLOEXEC stays sockt's. */
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		execvp(p->argv[0], p->argv);
		err = errno;
	}
	/* The parent reads the errno and says it; 127 is the shell's "not found". */
	if (write(errpipe, &err, sizeof(err)) != (ssize_t)sizeof(err))
		_exit(126);
	_exit(127);
}

/*
 * Starts the program on sock: its pid, or -1 after the error line (errno
 * kept: an exec failure is the program's, not the connection's).
 */
static pid_t
spawn(const struct child_prog *p, int sock)
{
	int fds[2], err = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		report_errno(errno, "%s: make a pipe", p->option);
		return -1;
	}
	if ((pid = fork()) == 0)
		exec_child(p, sock, fds[1]);
	err = errno;
	close(fds[1]);
	if (pid == -1) {
		report_errno(err, "%s: fork", p->option);
		close(fds[0]);
		errno = err;
		return -1;
	}
	while ((n = read(fds[0], &err, sizeof(err))) == -1 && errno == EINTR)
		;
	close(fds[0]);
	if (n == (ssize_t)sizeof(err)) {
		waitpid(pid, NULL, 0);
		report_exec_failure(p, err);
		errno = err;
		return -1;
	}
	return pid;
}

/* The program as the lines name it: "cat", or "sh" for --sh-exec. */
static const char *
prog_name(const struct child_prog *p)
{
	return p->shell ? "sh" : p->argv[0];
}

/* The -v line (or error line) of a program's end; returns 0 if it exited 0. */
static int
say_end(const struct child_prog *p, const char *who, int wstatus, int64_t usec, int verbose_only)
{
	const char *sig = WIFSIGNALED(wstatus) ? sigabbrev_np(WTERMSIG(wstatus)) : NULL;
	char line[256], d[32];

	/* Milliseconds, as the relay's close summary gives its time. */
	snprintf(d, sizeof(d), "%.3f s", (double)usec / 1e6);
	if (WIFEXITED(wstatus))
		snprintf(line, sizeof(line), "%s: %s exited with status %d after %s", who,
		    prog_name(p), WEXITSTATUS(wstatus), d);
	else
		snprintf(line, sizeof(line), "%s: %s killed by SIG%s after %s", who, prog_name(p),
		    sig != NULL ? sig : "?", d);
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
		report_verbose(1, "%s", line);
	else if (verbose_only)
		report_verbose(1, "%s", line);
	else
		report_error("%s", line);
	return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 ? 0 : -1;
}

/*
 * SIGCHLD, and the SIGINT and SIGTERM that are passed on to the programs,
 * blocked and read from a descriptor to poll: -1 after the error line.
 */
static int
signal_fd(sigset_t *old)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, old);
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		report_errno(errno, "signalfd (SIGCHLD, SIGINT, SIGTERM)");
	return fd;
}

/* Reads the signals that came: the last SIGINT or SIGTERM among them, or 0. */
static int
drain(int fd)
{
	struct signalfd_siginfo si[8];
	ssize_t n;
	int stop = 0;

	while ((n = read(fd, si, sizeof(si))) > 0)
		for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++)
			if (si[i].ssi_signo != SIGCHLD)
				stop = (int)si[i].ssi_signo;
	return stop;
}

/* --max-time: SIGTERM when due, SIGKILL a grace later. Microseconds until the next step. */
static int64_t
enforce_max_time(pid_t pid, int64_t started, int64_t max_time_usec, int *stage, int64_t now)
{
	int64_t due;

	if (max_time_usec <= 0)
		return -1;
	due = started + max_time_usec + (*stage > 0 ? CHILD_KILL_GRACE_USEC : 0);
	if (*stage < 2 && now >= due) {
		kill(pid, *stage == 0 ? SIGTERM : SIGKILL);
		(*stage)++;
		due += CHILD_KILL_GRACE_USEC;
	}
	if (*stage >= 2)
		return -1;
	return due > now ? due - now : 0;
}

int
child_run_one(const struct child_prog *p, int sock, const char *who, int64_t max_time_usec)
{
	int64_t started = clock_now_usec(), wait, kill_at = 0, now;
	struct pollfd pfd;
	sigset_t old;
	int fd, wstatus, stage = 0, stop = 0, sig;
	pid_t pid;

	if ((fd = signal_fd(&old)) == -1)
		return EXIT_LOCAL;
	if ((pid = spawn(p, sock)) == -1) {
		close(fd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return EXIT_LOCAL;
	}
	/* The program holds the connection now: it ends when the program closes it. */
	close(sock);
	report_verbose(1, "%s: started %s (pid %ld)", who, p->text, (long)pid);
	while (waitpid(pid, &wstatus, WNOHANG) == 0) {
		now = clock_now_usec();
		wait = stop ? kill_at - now
			    : enforce_max_time(pid, started, max_time_usec, &stage, now);
		if (stop && wait <= 0) {
			kill(pid, SIGKILL);
			wait = -1;
		}
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		/* SIGINT or SIGTERM: passed on, SIGKILL a grace later, then sockt's own end. */
		if (poll(&pfd, 1, duration_to_poll_ms(wait)) > 0 && (sig = drain(fd)) != 0 &&
		    !stop) {
			kill(pid, sig);
			stop = sig;
			kill_at = now + CHILD_KILL_GRACE_USEC;
		}
	}
	close(fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (stop) {
		say_end(p, who, wstatus, clock_now_usec() - started, 1);
		return 128 + stop;
	}
	if (stage > 0)
		report_error("%s: %s ended after --max-time", who, prog_name(p));
	return say_end(p, who, wstatus, clock_now_usec() - started, 0) == 0 ? EXIT_OK
									    : EXIT_NETWORK;
}

/* One program serving one connection (listen -k --exec). */
struct kid {
	pid_t pid;
	int64_t started;
	int stage; /* --max-time: 1 after SIGTERM, 2 after SIGKILL */
	char who[ADDR_STRLEN + 16];
};

struct serve {
	struct bound *b;
	const struct child_prog *p;
	const struct child_serve_options *o;
	struct kid *kids;
	int n, sigfd, accepted_any;
	int64_t started, accept_resume;
};

/* Reaps every program that has ended; each end is a -v line. */
static void
reap(struct serve *s)
{
	int wstatus, i;
	pid_t pid;

	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		for (i = 0; i < s->n && s->kids[i].pid != pid; i++)
			;
		if (i == s->n)
			continue;
		say_end(s->p, s->kids[i].who, wstatus, clock_now_usec() - s->kids[i].started, 1);
		s->kids[i] = s->kids[--s->n];
	}
}

static void
start_kid(struct serve *s, int sock, const struct sockaddr_storage *ss)
{
	struct kid *k = &s->kids[s->n];
	char addr[ADDR_STRLEN];

	addr_format((const struct sockaddr *)ss, addr, sizeof(addr));
	snprintf(k->who, sizeof(k->who), "%s port %u", addr,
	    addr_port((const struct sockaddr *)ss));
	report_verbose(1, "connection from %s", k->who);
	if (s->o->linger0)
		sock_linger_zero(sock);
	k->pid = spawn(s->p, sock);
	close(sock);
	if (k->pid == -1)
		return;
	k->started = clock_now_usec();
	k->stage = 0;
	s->n++;
}

/* Takes the connections waiting, while there is room for their programs. */
static void
accept_some(struct serve *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int sock;

	while (s->n < s->o->max_conns) {
		if ((sock = hub_accept(s->b, 0, &ss, &len)) == -1) {
			if (errno == ETIMEDOUT)
				return;
			/* Out of descriptors or memory: the rest wait in the backlog a while. */
			report_errno(errno, "accept");
			s->accept_resume = clock_now_usec() + 100000;
			return;
		}
		if (s->o->admit != NULL && !s->o->admit(&ss, s->o->ctx)) {
			sock_linger_zero(sock);
			close(sock);
			continue;
		}
		/* -w waits for a connection served: a refused one is not it. */
		s->accepted_any = 1;
		start_kid(s, sock, &ss);
	}
}

/* The nearest timer: the first connection's -w, a program's --max-time, an accept retry. */
static int64_t
next_wait(struct serve *s, int64_t now)
{
	int64_t wait = -1, w;

	if (!s->accepted_any && s->o->accept_timeout_usec >= 0)
		wait = s->started + s->o->accept_timeout_usec - now;
	if (s->accept_resume > now && (wait < 0 || s->accept_resume - now < wait))
		wait = s->accept_resume - now;
	for (int i = 0; i < s->n; i++) {
		struct kid *k = &s->kids[i];
		w = enforce_max_time(k->pid, k->started, s->o->max_time_usec, &k->stage, now);
		if (w >= 0 && (wait < 0 || w < wait))
			wait = w;
	}
	return wait < 0 ? -1 : wait;
}

/*
 * SIGINT or SIGTERM: passed on to every program, SIGKILL for those still
 * there a grace later; every one reaped, then sockt's status for the signal.
 */
static int
stop_all(struct serve *s, int sig)
{
	int64_t kill_at = clock_now_usec() + CHILD_KILL_GRACE_USEC, left;
	struct pollfd pfd = { .fd = s->sigfd, .events = POLLIN };

	for (int i = 0; i < s->n; i++)
		kill(s->kids[i].pid, sig);
	while (s->n > 0) {
		if ((left = kill_at - clock_now_usec()) <= 0) {
			for (int i = 0; i < s->n; i++)
				kill(s->kids[i].pid, SIGKILL);
			left = -1;
		}
		if (poll(&pfd, 1, duration_to_poll_ms(left)) > 0)
			drain(s->sigfd);
		reap(s);
	}
	return 128 + sig;
}

static int
serve_round(struct serve *s)
{
	int64_t now = clock_now_usec();
	int room = s->n < s->o->max_conns && now >= s->accept_resume;
	struct pollfd pfd[3] = { { .fd = s->sigfd, .events = POLLIN } };
	char d[32];
	int sig;

	for (int i = 0; i < s->b->n; i++)
		pfd[1 + i] = (struct pollfd){ .fd = room ? s->b->fd[i] : -1, .events = POLLIN };
	if (poll(pfd, (nfds_t)(1 + s->b->n), duration_to_poll_ms(next_wait(s, now))) == -1 &&
	    errno != EINTR) {
		report_errno(errno, "poll");
		return EXIT_LOCAL;
	}
	if (pfd[0].revents != 0 && (sig = drain(s->sigfd)) != 0)
		return stop_all(s, sig);
	reap(s);
	if (room && (pfd[1].revents | (s->b->n > 1 ? pfd[2].revents : 0)) != 0)
		accept_some(s);
	if (!s->accepted_any && s->o->accept_timeout_usec >= 0 &&
	    clock_now_usec() - s->started >= s->o->accept_timeout_usec) {
		duration_format(s->o->accept_timeout_usec, d, sizeof(d));
		report_error("no connection within %s", d);
		return EXIT_NETWORK;
	}
	return -1;
}

int
child_serve(struct bound *b, const struct child_prog *p, const struct child_serve_options *o)
{
	struct serve s = { .b = b, .p = p, .o = o, .started = clock_now_usec() };
	sigset_t old;
	int status = -1;

	if ((s.kids = calloc((size_t)o->max_conns, sizeof(*s.kids))) == NULL) {
		report_errno(errno, "set up the connections");
		return EXIT_LOCAL;
	}
	if ((s.sigfd = signal_fd(&old)) == -1)
		status = EXIT_LOCAL;
	while (status == -1)
		status = serve_round(&s);
	if (s.sigfd != -1)
		close(s.sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(s.kids);
	return status;
}
