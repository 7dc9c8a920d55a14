// SPDX-License-Identifier: GPL-2.0
/*
 * luoblackout arm / collect: a blackout measured on any LUO kernel, by
 * LUO itself.  `arm` creates a session of its own and preserves in it a
 * memfd holding the TSC, CLOCK_MONOTONIC and CLOCK_REALTIME of now, the
 * TSC's rate, the kernel and the boot (luoblackout_arm.h); a process of
 * its own then holds the session and writes into the memfd every LUO event
 * it sees (luoblackout.bpf.c, tracepoints or mainline's functions), until
 * the kexec.  In the next kernel `collect` retrieves the session, reads
 * the memfd, finishes the session and shows the blackout from the arm to
 * its retrieve, cut where it can see: the reboot's start (the event), the
 * new kernel's clock start (CLOCK_BOOTTIME back from now).  On our LUO the
 * record has the same instants on the same TSC: collect sets them side by
 * side.
 *
 * The TSC runs on through kexec (x86): one clock for both kernels.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>
#include <bpf/libbpf.h>

#include "luo_dev.h"
#include "luo_mode.h"
#include "luo_record.h"
#include "luo_tools.h"
#include "luoblackout.h"
#include "luoblackout_arm.h"
#include "luoblackout.skel.h"

#define ARM_SIZE	(sizeof(struct luob_arm) + LUOB_ARM_EVENTS * sizeof(struct luob_arm_event))

/* The TSC's rate in kHz, over 200 ms of CLOCK_MONOTONIC from now. */
static __u64 measure_khz(void)
{
	__u64 tsc, mono;

	blackout_tsc_mono(&tsc, &mono);
	return blackout_khz_since(tsc, mono);
}

static __u64 cyc_ns(__u64 cycles, __u64 khz)
{
	return khz ? (__u64)((__int128)cycles * 1000000 / khz) : 0;
}

static void boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	buf[0] = '\0';
	if (f && fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* /dev/liveupdate, or why not in one sentence. */
static int open_luo(void)
{
	int luo = luo_open();

	if (luo == -ENOENT)
		fprintf(stderr, "%s: LUO is not enabled on this kernel (no %s): boot it with liveupdate=1 and kho=on\n",
			TOOL, LUO_DEVICE);
	else if (luo == -EBUSY)
		fprintf(stderr, "%s: another process holds %s, which admits one at a time\n", TOOL,
			LUO_DEVICE);
	else if (luo < 0)
		fprintf(stderr, "%s: cannot open %s: %s\n", TOOL, LUO_DEVICE, strerror(-luo));
	return luo;
}

/* ---- arm ------------------------------------------------------------- */

static volatile sig_atomic_t disarmed;

static void on_signal(int sig)
{
	(void)sig;
	disarmed = 1;
}

struct armed {
	struct luob_arm *hdr;
	struct luob_arm_event *ev;
	const volatile __u64 *lost;	/* the BPF side's count */
};

/* An event from the BPF side, put on the TSC and into the memfd. */
static int on_event(void *ctx, void *data, size_t size)
{
	const struct luob_arm_event *e = data;
	struct armed *a = ctx;
	__u64 tsc, mono, n;

	if (size < sizeof(*e))
		return 0;
	blackout_tsc_mono(&tsc, &mono);
	n = a->hdr->nr_events;
	if (n < a->hdr->max_events) {
		a->ev[n] = *e;
		a->ev[n].tsc = blackout_mono_to_tsc(e->ts_ns, tsc, mono, a->hdr->khz);
	}
	__atomic_store_n(&a->hdr->nr_events, n + 1, __ATOMIC_RELEASE);
	if (a->lost)
		a->hdr->lost = *a->lost;
	return 0;
}

/* The BPF side, when the kernel shows LUO to BPF: the mode, 0 if not. */
static enum luo_mode attach(struct luoblackout **skelp, struct ring_buffer **rbp,
			    struct armed *a)
{
	enum luo_mode mode = luo_mode_probe();
	struct luoblackout *skel;

	if (mode == LUO_MODE_AUTO)
		return 0;
	skel = luoblackout__open();
	if (skel)
		mode = luo_select_mode(TOOL, skel->obj, mode);
	if (!skel || luoblackout__load(skel) || luoblackout__attach(skel)) {
		fprintf(stderr, "%s: LUO's events will not be seen: cannot load the BPF programs (-v says why)\n",
			TOOL);
		luoblackout__destroy(skel);
		return 0;
	}
	*rbp = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, a, NULL);
	if (!*rbp) {
		fprintf(stderr, "%s: LUO's events will not be seen: no ring buffer: %s\n", TOOL,
			strerror(errno));
		luoblackout__destroy(skel);
		return 0;
	}
	a->lost = &skel->bss->lost;
	*skelp = skel;
	return mode;
}

/* The armed process: the session held, the events written, until the kexec. */
static void hold(struct ring_buffer *rb)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int fd = open("/dev/null", O_RDWR);

	setsid();
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (!disarmed) {
		if (!rb)
			pause();
		else if (ring_buffer__poll(rb, 1000) < 0 && errno != EINTR)
			break;
	}
	/* Exiting closes the session: its memfd is no longer preserved. */
	_exit(0);
}

int luoblackout_arm(const char *name)
{
	struct luoblackout *skel = NULL;
	__u64 arm_tsc, arm_mono, arm_real;
	struct ring_buffer *rb = NULL;
	struct armed a = {};
	int luo, sfd, mfd = -1, err;
	struct utsname uts;
	enum luo_mode mode;
	pid_t pid;

	/* The arm is now; then watching: its own session's create is the first event. */
	blackout_tsc_mono(&arm_tsc, &arm_mono);
	arm_real = blackout_clock_ns(CLOCK_REALTIME);
	mode = attach(&skel, &rb, &a);
	luo = open_luo();
	if (luo < 0)
		goto fail;
	sfd = luo_create_session(luo, name);
	/* Sessions live by their own descriptors: the device is free again. */
	close(luo);
	if (sfd == -EEXIST) {
		fprintf(stderr, "%s: already armed: LUO holds a session named %s (an arm before, or one not collected since the last update: luols shows it)\n",
			TOOL, name);
		goto fail;
	}
	if (sfd < 0) {
		fprintf(stderr, "%s: cannot create the session %s: %s\n", TOOL, name, strerror(-sfd));
		goto fail;
	}
	mfd = memfd_create(TOOL, MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, ARM_SIZE)) {
		fprintf(stderr, "%s: cannot make its memfd: %s\n", TOOL, strerror(errno));
		goto fail_session;
	}
	a.hdr = mmap(NULL, ARM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (a.hdr == MAP_FAILED) {
		fprintf(stderr, "%s: cannot map its memfd: %s\n", TOOL, strerror(errno));
		goto fail_session;
	}
	/* Every page now: LUO preserves the pages the memfd has at the preserve. */
	memset(a.hdr, 0, ARM_SIZE);
	a.ev = (struct luob_arm_event *)(a.hdr + 1);
	a.hdr->magic = LUOB_ARM_MAGIC;
	a.hdr->version = LUOB_ARM_VERSION;
	a.hdr->header_size = sizeof(*a.hdr);
	a.hdr->event_size = sizeof(*a.ev);
	a.hdr->max_events = LUOB_ARM_EVENTS;
	a.hdr->mode = mode;
	if (!uname(&uts))
		snprintf(a.hdr->release, sizeof(a.hdr->release), "%s", uts.release);
	boot_id(a.hdr->boot_id, sizeof(a.hdr->boot_id));
	a.hdr->khz = measure_khz();
	a.hdr->tsc = arm_tsc;
	a.hdr->mono_ns = arm_mono;
	a.hdr->real_ns = arm_real;
	err = luo_preserve_fd(sfd, mfd, LUOB_ARM_TOKEN);
	if (err) {
		fprintf(stderr, "%s: cannot preserve its memfd in the session %s: %s\n", TOOL, name,
			strerror(-err));
		goto fail_session;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: cannot fork the armed process: %s\n", TOOL, strerror(errno));
		goto fail_session;
	}
	if (!pid)
		hold(rb);
	a.hdr->pid = pid;
	printf("%s: armed: session %s, held by pid %d (kill it to disarm); LUO events %s; TSC %.3f MHz\n",
	       TOOL, name, pid, mode ? luo_mode_name(mode) : "not seen (no BPF view of LUO here)",
	       a.hdr->khz / 1e3);
	printf("%s: after the live update: luoblackout collect%s%s\n", TOOL,
	       strcmp(name, LUOB_ARM_SESSION) ? " -s " : "",
	       strcmp(name, LUOB_ARM_SESSION) ? name : "");
	fflush(stdout);
	/* The armed process holds the links and the session: leave them be. */
	_exit(0);

fail_session:
	/* Closed unfinished: whatever it preserved is let go. */
	close(sfd);
	if (mfd >= 0)
		close(mfd);
fail:
	ring_buffer__free(rb);
	luoblackout__destroy(skel);
	return 1;
}

/* ---- collect ----------------------------------------------------------- */

/* What collect knows, every instant on the TSC. */
struct collected {
	const struct luob_arm *arm;
	const struct luob_arm_event *ev;
	__u64 nr_ev;			/* in ev[] */
	__u64 retrieve;			/* the session retrieved */
	__u64 clock;			/* the new kernel's clock started */
	__u64 reboot;			/* the last reboot_begin seen, 0: none */
	__u64 khz, khz_now;
	char release[65], boot_id[37];		/* this kernel's */
	char arm_release[65], arm_boot_id[37];	/* the memfd's, NUL-terminated */
	bool record;			/* our LUO's record has the update */
	__u64 rec_freeze, rec_retrieve;	/* its FREEZE_BEGIN, our session's retrieve */
	__u64 rec_number;
};

static void find_record(struct collected *c, const char *path, const char *name)
{
	const struct luo_record_entry *e;
	struct luo_rec rec;
	__u32 i;

	if (luo_rec_read(path, &rec))
		return;
	for (i = 0; rec.hdr.nr_updates && i < rec.hdr.nr_entries; i++) {
		e = &rec.entries[i];
		if (e->type == LUO_REC_FREEZE_BEGIN)
			c->rec_freeze = e->t;
		else if (e->type == LUO_REC_SESSION_RETRIEVE && !e->result &&
			 !strncmp(e->session, name, sizeof(e->session)))
			c->rec_retrieve = e->t;
	}
	c->record = c->rec_freeze && c->rec_retrieve;
	if (c->record)
		c->rec_number = rec.updates[rec.hdr.nr_updates - 1].number;
	luo_rec_free(&rec);
}

/* @ns, which may be negative (estimates crossing), as luo_fmt_ns() writes it. */
static const char *fmt_span(char *buf, size_t len, __s64 ns)
{
	char abs[24];

	luo_fmt_ns(abs, sizeof(abs), ns < 0 ? -(__u64)ns : (__u64)ns);
	snprintf(buf, len, "%s%s", ns < 0 ? "-" : "", abs);
	return buf;
}

/* Signed cycles from @a to @b, in ns. */
static __s64 span(const struct collected *c, __u64 a, __u64 b)
{
	return b >= a ? (__s64)cyc_ns(b - a, c->khz) : -(__s64)cyc_ns(a - b, c->khz);
}

static void print_text(const struct collected *c, const char *name)
{
	char buf[3][32];
	__u64 i;

	printf("luoblackout collect: session %s, armed %.3f s before its retrieve here\n", name,
	       span(c, c->arm->tsc, c->retrieve) / 1e9);
	printf("  armed in     %s (boot %s), LUO events seen: %s\n", c->arm_release,
	       c->arm_boot_id, c->arm->mode ? luo_mode_name(c->arm->mode) : "none");
	printf("  collected in %s (boot %s)\n", c->release, c->boot_id);
	printf("  TSC %.3f MHz measured when armed, %.3f MHz now\n\n", c->khz / 1e3,
	       c->khz_now / 1e3);
	printf("%-8s %-36s %12s\n", "PHASE", "FROM - TO", "DURATION");
	if (c->reboot) {
		printf("%-8s %-36s %12s\n", "armed", "arm - the reboot began",
		       fmt_span(buf[0], sizeof(buf[0]), span(c, c->arm->tsc, c->reboot)));
		printf("%-8s %-36s %12s\n", "reboot", "the reboot - the new kernel's clock",
		       fmt_span(buf[1], sizeof(buf[1]), span(c, c->reboot, c->clock)));
	} else {
		printf("%-8s %-36s %12s\n", "armed", "arm - the new kernel's clock (*)",
		       fmt_span(buf[0], sizeof(buf[0]), span(c, c->arm->tsc, c->clock)));
	}
	printf("%-8s %-36s %12s\n", "boot", "the new kernel's clock - retrieve",
	       fmt_span(buf[2], sizeof(buf[2]), span(c, c->clock, c->retrieve)));
	printf("%-8s %-36s %12s\n", "total", "arm - retrieve",
	       fmt_span(buf[0], sizeof(buf[0]), span(c, c->arm->tsc, c->retrieve)));
	if (c->reboot)
		printf("\nBlackout (the reboot began - retrieve): %s\n",
		       fmt_span(buf[0], sizeof(buf[0]), span(c, c->reboot, c->retrieve)));
	else
		printf("\n(*) no reboot event seen before the kexec: the blackout's start is not known\n");
	if (c->record) {
		printf("The record of update #%llu (same TSC): freeze-begin %+.3f ms from the reboot event, session-retrieve %+.3f ms from collect's\n",
		       (unsigned long long)c->rec_number,
		       c->reboot ? span(c, c->reboot, c->rec_freeze) / 1e6 : 0.0,
		       span(c, c->retrieve, c->rec_retrieve) / 1e6);
		printf("  blackout by the record: %s\n",
		       fmt_span(buf[0], sizeof(buf[0]), span(c, c->rec_freeze, c->rec_retrieve)));
	}
	printf("\nLUO events seen while armed: %llu%s, %llu lost\n",
	       (unsigned long long)c->arm->nr_events,
	       c->arm->nr_events > c->nr_ev ? " (the first ones kept)" : "",
	       (unsigned long long)c->arm->lost);
	for (i = 0; i < c->nr_ev; i++) {
		const struct luob_arm_event *e = &c->ev[i];

		printf("  %+12.6f s  %-16s %-20s %-16s %d\n", span(c, c->arm->tsc, e->tsc) / 1e9,
		       luo_op_name(e->op) ?: "?", e->session[0] ? e->session : "-",
		       e->handler[0] ? e->handler : "-", e->result);
	}
}

static void print_json(const struct collected *c, const char *name)
{
	__u64 i;

	printf("{\"session\": ");
	luo_json_str(stdout, name);
	printf(", \"armed\": {\"release\": ");
	luo_json_str(stdout, c->arm_release);
	printf(", \"boot_id\": ");
	luo_json_str(stdout, c->arm_boot_id);
	printf(", \"tsc\": %llu, \"realtime_ns\": %llu, \"tsc_khz\": %llu, \"mode\": ",
	       (unsigned long long)c->arm->tsc, (unsigned long long)c->arm->real_ns,
	       (unsigned long long)c->arm->khz);
	if (c->arm->mode)
		printf("\"%s\"", luo_mode_name(c->arm->mode));
	else
		printf("null");
	printf("},\n \"collected\": {\"release\": ");
	luo_json_str(stdout, c->release);
	printf(", \"boot_id\": ");
	luo_json_str(stdout, c->boot_id);
	printf(", \"retrieve_tsc\": %llu, \"clock_tsc\": %llu, \"tsc_khz\": %llu},\n",
	       (unsigned long long)c->retrieve, (unsigned long long)c->clock,
	       (unsigned long long)c->khz_now);
	printf(" \"reboot_tsc\": ");
	if (c->reboot)
		printf("%llu", (unsigned long long)c->reboot);
	else
		printf("null");
	printf(", \"total_ns\": %lld, \"blackout_ns\": ", (long long)span(c, c->arm->tsc, c->retrieve));
	if (c->reboot)
		printf("%lld", (long long)span(c, c->reboot, c->retrieve));
	else
		printf("null");
	printf(",\n \"phases\": [");
	if (c->reboot)
		printf("{\"name\": \"armed\", \"ns\": %lld}, {\"name\": \"reboot\", \"ns\": %lld}, ",
		       (long long)span(c, c->arm->tsc, c->reboot),
		       (long long)span(c, c->reboot, c->clock));
	else
		printf("{\"name\": \"armed\", \"ns\": %lld}, ", (long long)span(c, c->arm->tsc, c->clock));
	printf("{\"name\": \"boot\", \"ns\": %lld}],\n \"record\": ",
	       (long long)span(c, c->clock, c->retrieve));
	if (c->record)
		printf("{\"number\": %llu, \"freeze_begin_tsc\": %llu, \"retrieve_tsc\": %llu, \"blackout_ns\": %lld}",
		       (unsigned long long)c->rec_number, (unsigned long long)c->rec_freeze,
		       (unsigned long long)c->rec_retrieve,
		       (long long)span(c, c->rec_freeze, c->rec_retrieve));
	else
		printf("null");
	printf(",\n \"events_seen\": %llu, \"events_lost\": %llu, \"events\": [",
	       (unsigned long long)c->arm->nr_events, (unsigned long long)c->arm->lost);
	for (i = 0; i < c->nr_ev; i++) {
		const struct luob_arm_event *e = &c->ev[i];

		printf("%s\n  {\"tsc\": %llu, \"op\": \"%s\", \"session\": ", i ? "," : "",
		       (unsigned long long)e->tsc, luo_op_name(e->op) ?: "?");
		luo_json_str(stdout, e->session);
		printf(", \"handler\": ");
		luo_json_str(stdout, e->handler);
		printf(", \"token\": %llu, \"result\": %d, \"pid\": %u}",
		       (unsigned long long)e->token, e->result, e->pid);
	}
	printf("]}\n");
}

/* The memfd as arm wrote it, or NULL with a sentence why not. */
static const struct luob_arm *check_arm(const void *map, size_t size)
{
	const struct luob_arm *arm = map;

	if (size < sizeof(*arm) || arm->magic != LUOB_ARM_MAGIC ||
	    arm->version != LUOB_ARM_VERSION || arm->header_size != sizeof(*arm) ||
	    arm->event_size != sizeof(struct luob_arm_event) ||
	    size < sizeof(*arm) + (size_t)arm->max_events * arm->event_size) {
		fprintf(stderr, "%s: the session's memfd is not what luoblackout arm (version %d) writes\n",
			TOOL, LUOB_ARM_VERSION);
		return NULL;
	}
	return arm;
}

int luoblackout_collect(const char *name, const char *record, bool json)
{
	struct collected c = {};
	struct utsname uts;
	int luo, sfd, mfd = -1, err = 1;
	__u64 tsc, boot, i;
	void *map = MAP_FAILED;
	off_t size = 0;

	luo = open_luo();
	if (luo < 0)
		return 1;
	sfd = luo_retrieve_session(luo, name);
	c.retrieve = __rdtsc();
	tsc = __rdtsc();
	boot = blackout_clock_ns(CLOCK_BOOTTIME);
	close(luo);
	if (sfd == -ENOENT) {
		fprintf(stderr, "%s: no session %s was handed over: luoblackout arm did not run before the live update that started this kernel, or its process ended before the kexec\n",
			TOOL, name);
		return 1;
	}
	if (sfd < 0) {
		fprintf(stderr, "%s: cannot retrieve the session %s: %s\n", TOOL, name, strerror(-sfd));
		return 1;
	}
	mfd = luo_retrieve_fd(sfd, LUOB_ARM_TOKEN);
	if (mfd < 0) {
		fprintf(stderr, "%s: cannot retrieve the memfd of session %s: %s\n", TOOL, name,
			strerror(-mfd));
		goto out;
	}
	size = lseek(mfd, 0, SEEK_END);
	if (size > 0)
		map = mmap(NULL, size, PROT_READ, MAP_SHARED, mfd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "%s: cannot read the memfd of session %s: %s\n", TOOL, name,
			size > 0 ? strerror(errno) : "empty");
		goto out;
	}
	c.arm = check_arm(map, size);
	if (!c.arm)
		goto out;
	snprintf(c.arm_release, sizeof(c.arm_release), "%.*s", (int)sizeof(c.arm->release) - 1,
		 c.arm->release);
	snprintf(c.arm_boot_id, sizeof(c.arm_boot_id), "%.*s", (int)sizeof(c.arm->boot_id) - 1,
		 c.arm->boot_id);
	c.ev = (const void *)(c.arm + 1);
	c.nr_ev = c.arm->nr_events < c.arm->max_events ? c.arm->nr_events : c.arm->max_events;
	c.khz = c.arm->khz;
	c.khz_now = measure_khz();
	if (!c.khz)
		c.khz = c.khz_now;
	/* The new kernel's clock started CLOCK_BOOTTIME ago. */
	c.clock = blackout_mono_to_tsc(0, tsc, boot, c.khz);
	for (i = 0; i < c.nr_ev; i++)
		if (c.ev[i].op == LUO_OP_REBOOT_BEGIN)
			c.reboot = c.ev[i].tsc;
	if (!uname(&uts))
		snprintf(c.release, sizeof(c.release), "%s", uts.release);
	boot_id(c.boot_id, sizeof(c.boot_id));
	find_record(&c, record, name);
	if (json)
		print_json(&c, name);
	else
		print_text(&c, name);
	err = 0;
out:
	/* Finished (or, on an error, closed unfinished): nothing stays preserved. */
	if (!err) {
		int ferr = luo_finish(sfd);

		if (ferr) {
			fprintf(stderr, "%s: cannot finish the session %s: %s\n", TOOL, name,
				strerror(-ferr));
			err = 1;
		}
	}
	if (map != MAP_FAILED)
		munmap(map, size);
	if (mfd >= 0)
		close(mfd);
	close(sfd);
	return err;
}
