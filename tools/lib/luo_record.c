// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the live-update record (include/uapi/linux/liveupdate_record.h)
 * that the kernel shows in debugfs, for luoblackout and luotop: read and
 * validate the binary form, turn the clock's cycles into ns, cut an update
 * into its phases.
 *
 * The reader accepts later versions of the layout, which only append
 * fields: it steps through the arrays with the sizes in the header and
 * copies the part it knows of each element.  It reads version 1 too,
 * whose updates end before the new kernel's steps: those read as zero, no
 * step stamped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "luo_record.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The names of include/uapi/linux/liveupdate_record.h's lists. */
#define PHASE_NAME_FN(x, phase)	[LUO_MARK_##x] = phase,
#define EVENT_NAME_FN(x, name)	[LUO_REC_##x] = name,
#define STATE_NAME_FN(x, name)		[LUO_REC_STATE_##x] = name,
#define BOOT_NAME_FN(x, phase, ...)	[LUO_BOOT_##x] = phase,
#define BOOT_MARK_FN(x, phase, mark)	[LUO_BOOT_##x] = LUO_MARK_##mark,

/* Version 1's update ended where version 2 appended the boot steps. */
_Static_assert(offsetof(struct luo_record_update, boot_steps) == LUO_RECORD_UPDATE_SIZE_V1,
	       "LUO_RECORD_UPDATE_SIZE_V1 is not where version 2's fields begin");

/* Indexed by the mark that ends the phase: [0] is "". */
static const char *const phase_names[LUO_RECORD_NR_MARKS] = {
	__LUO_RECORD_MARK_MAPPER(PHASE_NAME_FN)
};

static const char *const event_names[LUO_RECORD_NR_EVENTS] = {
	__LUO_RECORD_EVENT_MAPPER(EVENT_NAME_FN)
};

static const char *const state_names[LUO_RECORD_NR_STATES] = {
	__LUO_RECORD_STATE_MAPPER(STATE_NAME_FN)
};

static const char *const boot_names[LUO_RECORD_NR_BOOT] = {
	__LUO_RECORD_BOOT_MAPPER(BOOT_NAME_FN)
};

static const int boot_marks[LUO_RECORD_NR_BOOT] = {
	__LUO_RECORD_BOOT_MAPPER(BOOT_MARK_FN)
};

/* The whole of @fd into a buffer to free, its length in *@len. */
static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *buf = malloc(cap), *p;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return r;
		}
		if (!r)
			break;
		n += r;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* The bytes of an update that version @version defines, as far as we know. */
static size_t update_known(__u32 version)
{
	return version == 1 ? LUO_RECORD_UPDATE_SIZE_V1 : sizeof(struct luo_record_update);
}

/* Whether the header of a @len-byte record makes sense for this reader. */
static int check_header(const struct luo_record_header *h, size_t len)
{
	size_t need;

	if (len < sizeof(*h) || h->magic != LUO_RECORD_MAGIC)
		return -EPROTO;
	/*
	 * Later versions only append fields: each structure is at least as
	 * big as its version defines it (version 1's update is shorter).
	 */
	if (!h->version || h->header_size < sizeof(*h) ||
	    h->update_size < update_known(h->version) ||
	    h->entry_size < sizeof(struct luo_record_entry))
		return -EPROTO;
	if (h->nr_updates > h->max_updates || h->nr_entries > h->max_entries)
		return -EPROTO;
	/* Sizes are 32-bit, counts too: no overflow in 64 bits. */
	need = (size_t)h->header_size + (size_t)h->max_updates * h->update_size +
	       (size_t)h->nr_entries * h->entry_size;
	if (len < need)
		return -EPROTO;
	return 0;
}

int luo_rec_read(const char *path, struct luo_rec *rec)
{
	const struct luo_record_header *h;
	const char *updates, *entries;
	size_t len = 0;
	char *buf = NULL;
	__u32 i;
	int fd, err;

	memset(rec, 0, sizeof(*rec));
	fd = open(path ? path : LUO_RECORD_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = read_all(fd, &buf, &len);
	close(fd);
	if (err)
		return err;
	h = (const void *)buf;
	err = check_header(h, len);
	if (err)
		goto out;

	/* One more element than needed: calloc(0) may return NULL. */
	rec->updates = calloc(h->nr_updates + 1, sizeof(*rec->updates));
	rec->entries = calloc(h->nr_entries + 1, sizeof(*rec->entries));
	if (!rec->updates || !rec->entries) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(&rec->hdr, h, sizeof(rec->hdr));
	updates = buf + h->header_size;
	entries = updates + (size_t)h->max_updates * h->update_size;
	for (i = 0; i < h->nr_updates; i++) {
		struct luo_record_update *u = &rec->updates[i];
		__u32 k;

		/* Version 1: the fields after @t stay zero (calloc). */
		memcpy(u, updates + (size_t)i * h->update_size, update_known(h->version));
		if (u->nr_initcalls > LUO_RECORD_INITCALLS)
			u->nr_initcalls = LUO_RECORD_INITCALLS;
		for (k = 0; k < LUO_RECORD_INITCALLS; k++)
			u->initcalls[k].name[sizeof(u->initcalls[k].name) - 1] = '\0';
	}
	for (i = 0; i < h->nr_entries; i++) {
		struct luo_record_entry *e = &rec->entries[i];

		memcpy(e, entries + (size_t)i * h->entry_size, sizeof(*e));
		e->session[sizeof(e->session) - 1] = '\0';
		e->handler[sizeof(e->handler) - 1] = '\0';
	}
out:
	free(buf);
	if (err)
		luo_rec_free(rec);
	return err;
}

void luo_rec_free(struct luo_rec *rec)
{
	free(rec->updates);
	free(rec->entries);
	rec->updates = NULL;
	rec->entries = NULL;
}

const char *luo_rec_phase_name(int phase)
{
	return phase >= 0 && phase < LUO_NR_PHASES ? phase_names[phase + 1] : NULL;
}

const char *luo_rec_event_name(__u32 type)
{
	if (type < ARRAY_SIZE(event_names) && event_names[type])
		return event_names[type];
	return "?";
}

__u32 luo_rec_khz(const struct luo_record_update *u)
{
	return u->khz ? u->khz : u->next_khz;
}

__u64 luo_rec_ns(const struct luo_record_update *u, __u64 cycles)
{
	__u32 khz = luo_rec_khz(u);

	if (!khz)
		return 0;
	return (__u64)((unsigned __int128)cycles * 1000000 / khz);
}

int luo_rec_reached(const struct luo_record_update *u, int m)
{
	return m >= 0 && m < LUO_RECORD_NR_MARKS && (u->marks & (1U << m));
}

/* The last mark @u reached, or -1. */
static int last_mark(const struct luo_record_update *u)
{
	int m;

	for (m = LUO_RECORD_NR_MARKS - 1; m >= 0; m--)
		if (luo_rec_reached(u, m))
			return m;
	return -1;
}

/* From *@prev to @t, where *@prev moves; 0 when @t goes back (never seen). */
static __u64 advance(__u64 *prev, __u64 t)
{
	__u64 d = t > *prev ? t - *prev : 0;

	if (d)
		*prev = t;
	return d;
}

int luo_rec_phase_cycles(const struct luo_record_update *u,
			 __u64 cycles[LUO_NR_PHASES])
{
	int m, last = last_mark(u);
	__u64 prev;

	memset(cycles, 0, LUO_NR_PHASES * sizeof(*cycles));
	if (!luo_rec_reached(u, LUO_MARK_FREEZE_BEGIN) || last < 1)
		return 0;
	/*
	 * A mark skipped before a later one (no retrieve in an update
	 * without sessions) ends a phase of length 0; a time going back
	 * (never seen) counts as 0 too.
	 */
	prev = u->t[LUO_MARK_FREEZE_BEGIN];
	for (m = 1; m <= last; m++)
		if (luo_rec_reached(u, m))
			cycles[m - 1] = advance(&prev, u->t[m]);
	return last;
}

int luo_rec_phases(const struct luo_record_update *u, __u64 ns[LUO_NR_PHASES])
{
	__u64 cycles[LUO_NR_PHASES];
	int i, n = luo_rec_phase_cycles(u, cycles);

	for (i = 0; i < LUO_NR_PHASES; i++)
		ns[i] = luo_rec_ns(u, cycles[i]);
	return n;
}

__u64 luo_rec_total_ns(const struct luo_record_update *u)
{
	if (!luo_rec_reached(u, LUO_MARK_DONE) ||
	    !luo_rec_reached(u, LUO_MARK_FREEZE_BEGIN) ||
	    u->t[LUO_MARK_DONE] < u->t[LUO_MARK_FREEZE_BEGIN])
		return 0;
	return luo_rec_ns(u, u->t[LUO_MARK_DONE] - u->t[LUO_MARK_FREEZE_BEGIN]);
}

const char *luo_rec_boot_name(int step)
{
	return step >= 0 && step < LUO_RECORD_NR_BOOT ? boot_names[step] : NULL;
}

int luo_rec_boot_mark(int step)
{
	return step >= 0 && step < LUO_RECORD_NR_BOOT ? boot_marks[step] : -1;
}

int luo_rec_boot_stamped(const struct luo_record_update *u, int step)
{
	return step >= 0 && step < LUO_RECORD_NR_BOOT && (u->boot_steps & (1U << step));
}

int luo_rec_boot_cycles(const struct luo_record_update *u,
			__u64 cycles[LUO_RECORD_NR_BOOT])
{
	int s, last = -1;
	__u64 prev;

	memset(cycles, 0, LUO_RECORD_NR_BOOT * sizeof(*cycles));
	if (!luo_rec_reached(u, LUO_MARK_JUMP))
		return 0;
	/* The same cut as the marks' (luo_rec_phase_cycles()). */
	prev = u->t[LUO_MARK_JUMP];
	for (s = 0; s < LUO_RECORD_NR_BOOT; s++) {
		if (!luo_rec_boot_stamped(u, s))
			continue;
		last = s;
		cycles[s] = advance(&prev, u->boot[s]);
	}
	return last + 1;
}

enum luo_record_state luo_rec_state(const struct luo_rec *rec, __u32 i)
{
	const struct luo_record_update *u = &rec->updates[i];

	if (u->result)
		return LUO_REC_STATE_ABORTED;
	if (luo_rec_reached(u, LUO_MARK_DONE))
		return LUO_REC_STATE_DONE;
	if (!luo_rec_reached(u, LUO_MARK_READY))
		return LUO_REC_STATE_INCOMPLETE;
	return i + 1 == rec->hdr.nr_updates ? LUO_REC_STATE_IN_PROGRESS :
	       LUO_REC_STATE_UNFINISHED;
}

const char *luo_rec_state_name(enum luo_record_state s)
{
	return (unsigned int)s < LUO_RECORD_NR_STATES ? state_names[s] : "?";
}
