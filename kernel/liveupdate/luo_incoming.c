// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: reading and validating the previous kernel's
 * handover.
 */

/**
 * DOC: LUO incoming handover
 *
 * Nothing the previous kernel left is trusted.  luo_incoming_parse() checks
 * the FDT and every compatible string, property size, count, physical
 * address and string before it uses them, and copies what passes into this
 * kernel's own objects:
 *
 * - the blob must be an FDT whose root is compatible with "luo-v1" and has
 *   an 8-byte liveupdate-number, or nothing is taken (one pr_err names what
 *   was found instead);
 * - the session node must be "luo-session-v4" with an 8-byte header
 *   address and an 8-byte block key; the sessions must be a chain of
 *   preserved blocks, page aligned, each of whose &struct luo_block_ser
 *   names the kind and the key, at least one entry and exactly the size
 *   its entries need, no block used twice, or no session is taken;
 * - each session must have a NUL-terminated, non-empty name not used by an
 *   earlier session, a consistent (address, count) pair for its files, a
 *   chain of blocks of files as above that holds exactly that count and
 *   no block of another chain, files with terminated, non-empty handler
 *   names and distinct tokens; a session that fails is dropped and
 *   counted, the others are kept;
 * - FLB entries get the same treatment in their own node.
 *
 * Preserved blocks are reached through &struct luo_in_mem, so that the KUnit
 * test can feed the parser corrupted data without KHO.  A block is taken
 * only after its header was read in place and found to be LUO's: an
 * address that points at another KHO user's block leaves that block alone.
 * Once copied, every block taken is given back, which frees the previous
 * kernel's memory, and so are the file arrays of the sessions that were
 * dropped; the FDT itself stays, readable in KHO's debugfs.
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "luo_internal.h"

struct luo_parse {
	const struct luo_in_mem *mem;
	struct luo_incoming *in;
	/* The block key of the node being read */
	u64 key;
	/* Blocks mapped so far, by page frame: each may be used only once. */
	struct xarray blocks;
};

/*
 * Every complaint names whose handover it is about.  A handover can hold
 * thousands of bad entries: each complaint is rate-limited (the summary
 * that start-up logs counts what was dropped).
 */
#define luo_in_err(p, fmt, ...) \
	pr_err_ratelimited("%s: " fmt, (p)->mem->origin, ##__VA_ARGS__)

/* Whether the header @b says its block is LUO's, of @kind, for @p->key. */
static bool luo_block_ok(const struct luo_parse *p, const struct luo_block_ser *b,
			 u32 kind)
{
	return b->magic == LUO_BLOCK_MAGIC && b->kind == kind && b->key == p->key &&
	       b->size >= sizeof(*b);
}

/*
 * Take the preserved block of @kind at @phys and set *@size to the bytes its
 * header says are in use.  The header is checked in place first: a block
 * that is not LUO's is never taken.  A block is never handed out twice: two
 * arrays at one address are an error of the previous kernel.
 */
static const void *luo_parse_map(struct luo_parse *p, u64 phys, u32 kind,
				 size_t *size)
{
	const struct luo_block_ser *peek;
	size_t mapped;
	void *block;

	*size = 0;
	if (!phys || !PAGE_ALIGNED(phys) || xa_load(&p->blocks, PHYS_PFN(phys)))
		return NULL;
	peek = p->mem->peek(p->mem->ctx, phys, sizeof(*peek));
	if (!peek || !luo_block_ok(p, peek, kind))
		return NULL;
	block = p->mem->map(p->mem->ctx, phys, &mapped);
	if (!block)
		return NULL;
	if (xa_is_err(xa_store(&p->blocks, PHYS_PFN(phys), block, GFP_KERNEL))) {
		p->mem->unmap(p->mem->ctx, block);
		return NULL;
	}
	/* Read once more: what counts is the block as taken. */
	peek = block;
	if (mapped < sizeof(*peek) || !luo_block_ok(p, peek, kind) ||
	    peek->size > mapped)
		return NULL;
	*size = peek->size;
	return block;
}

static void luo_parse_unmap_all(struct luo_parse *p)
{
	unsigned long pfn;
	void *block;

	xa_for_each(&p->blocks, pfn, block)
		p->mem->unmap(p->mem->ctx, block);
	xa_destroy(&p->blocks);
}

/*
 * The entries of the chain of @kind that begins at @phys, copied into one
 * array to kvfree(), their number in *@count; NULL for @phys 0.  Every block
 * must be LUO's, of @kind, for the node's key, hold at least one entry and
 * exactly the bytes its entries need, and be used once: a chain that loops
 * or runs into another one is refused.  ERR_PTR(-EINVAL) for a bad chain,
 * with its blocks taken (to be given back); ERR_PTR(-ENOMEM).
 */
static void *luo_parse_chain(struct luo_parse *p, u64 phys, u32 kind,
			     size_t esize, u64 *count)
{
	const struct luo_block_ser *block;
	u64 next, total = 0;
	void *array, *to;
	size_t size;

	*count = 0;
	for (next = phys; next; next = block->next) {
		block = luo_parse_map(p, next, kind, &size);
		if (!block || !block->count ||
		    block->count > (size - sizeof(*block)) / esize ||
		    size != sizeof(*block) + block->count * esize)
			return ERR_PTR(-EINVAL);
		total += block->count;
	}
	if (!total)
		return NULL;
	array = kvmalloc_array(total, esize, GFP_KERNEL);
	if (!array)
		return ERR_PTR(-ENOMEM);
	to = array;
	for (next = phys; next; next = block->next) {
		block = xa_load(&p->blocks, PHYS_PFN(next));
		memcpy(to, block + 1, block->count * esize);
		to += block->count * esize;
	}
	*count = total;
	return array;
}

/* A string in a fixed array: NUL-terminated inside it and not empty. */
static bool luo_str_ok(const char *s, size_t len)
{
	return s[0] && memchr(s, '\0', len);
}

/* Check a node's compatible; say what was found when it is not @want. */
static int luo_fdt_check_compatible(struct luo_parse *p, const void *fdt, int off,
				    const char *want, const char *what)
{
	const char *found;
	int len;

	found = fdt_getprop(fdt, off, "compatible", &len);
	if (found && len > 0 && strnlen(found, len) < len && !strcmp(found, want))
		return 0;
	if (found && len > 0 && strnlen(found, len) < len)
		luo_in_err(p, "%s is '%s', this kernel reads '%s': ignored\n", what, found, want);
	else
		luo_in_err(p, "%s has no valid compatible, this kernel reads '%s': ignored\n",
			   what, want);
	return -EPROTO;
}

static int luo_fdt_get_u64(const void *fdt, int off, const char *name, u64 *val)
{
	const void *prop;
	int len;

	prop = fdt_getprop(fdt, off, name, &len);
	if (!prop || len != sizeof(*val))
		return -EINVAL;
	memcpy(val, prop, sizeof(*val));
	return 0;
}

static int luo_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Whether @files holds two entries of the same token. */
static int luo_tokens_repeat(const struct luo_file_ser *files, u64 count)
{
	u64 *tokens, i;
	int ret = 0;

	if (count < 2)
		return 0;
	tokens = kvmalloc_array(count, sizeof(*tokens), GFP_KERNEL);
	if (!tokens)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		tokens[i] = files[i].token;
	sort(tokens, count, sizeof(*tokens), luo_cmp_u64, NULL);
	for (i = 1; i < count; i++)
		if (tokens[i] == tokens[i - 1])
			ret = 1;
	kvfree(tokens);
	return ret;
}

static void luo_incoming_free_session(struct luo_session *session)
{
	struct luo_file *lf, *next;

	list_for_each_entry_safe(lf, next, &session->files, list) {
		list_del(&lf->list);
		kfree(lf);
	}
	luo_session_free(session);
}

/* One session; on error it is dropped, and the reason said. */
static int luo_parse_session(struct luo_parse *p, const struct luo_session_ser *ser)
{
	const struct luo_file_set_ser *set = &ser->file_set_ser;
	struct luo_session *session;
	struct luo_file_ser *files;
	u64 i, count;
	int err;

	if (!set->count != !set->files) {
		luo_in_err(p, "session '%s': %llu files at %#llx: inconsistent, dropped\n",
			   ser->name, set->count, set->files);
		return -EINVAL;
	}
	files = luo_parse_chain(p, set->files, LUO_BLOCK_FILES, sizeof(*files), &count);
	if (IS_ERR(files) && PTR_ERR(files) == -ENOMEM)
		return -ENOMEM;
	if (IS_ERR(files) || count != set->count) {
		luo_in_err(p, "session '%s': its %llu files at %#llx are not a chain of LUO's blocks of files, dropped\n",
			   ser->name, set->count, set->files);
		err = -EINVAL;
		goto out;
	}
	err = -EINVAL;
	for (i = 0; i < count; i++) {
		if (!luo_str_ok(files[i].compatible, sizeof(files[i].compatible))) {
			luo_in_err(p, "session '%s': file %llu has no valid handler name, dropped\n",
				   ser->name, i);
			goto out;
		}
	}
	err = luo_tokens_repeat(files, count);
	if (err < 0)
		goto out;
	if (err) {
		luo_in_err(p, "session '%s': two files share a token, dropped\n", ser->name);
		err = -EINVAL;
		goto out;
	}

	err = -ENOMEM;
	session = luo_session_alloc(ser->name);
	if (!session)
		goto out;
	session->incoming = true;
	for (i = 0; i < count; i++) {
		struct luo_file *lf = kzalloc_obj(*lf);

		if (!lf) {
			luo_incoming_free_session(session);
			goto out;
		}
		memcpy(lf->compatible, files[i].compatible, sizeof(lf->compatible));
		lf->serialized_data = files[i].data;
		lf->token = files[i].token;
		luo_file_add(session, lf);
	}
	list_add_tail(&session->list, &p->in->sessions);
	p->in->nr_sessions++;
	p->in->nr_files += session->nr_files;
	err = 0;
out:
	if (!IS_ERR(files))
		kvfree(files);
	return err;
}

struct luo_name_ref {
	const char *name;
	u64 index;
};

static int luo_cmp_name_ref(const void *a, const void *b)
{
	const struct luo_name_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : luo_cmp_u64(&x->index, &y->index);
}

/*
 * Mark in @drop the entries of an array whose leading name (@len bytes) is
 * bad or repeats an earlier entry's name: sessions by name, FLBs by
 * compatible string.  Sorting keeps this O(n log n) for any count.
 */
static int luo_mark_bad_names(struct luo_parse *p, const void *base, size_t stride,
			      size_t len, u64 count, const char *what,
			      unsigned long *drop)
{
	struct luo_name_ref *refs;
	u64 i, n = 0;

	refs = kvmalloc_array(count, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		const char *name = base + i * stride;

		if (!luo_str_ok(name, len)) {
			luo_in_err(p, "%s %llu has no valid name, dropped\n", what, i);
			__set_bit(i, drop);
			continue;
		}
		refs[n].name = name;
		refs[n].index = i;
		n++;
	}
	sort(refs, n, sizeof(*refs), luo_cmp_name_ref, NULL);
	for (i = 1; i < n; i++) {
		if (!strcmp(refs[i].name, refs[i - 1].name)) {
			luo_in_err(p, "%s '%s' appears twice, the later one is dropped\n",
				   what, refs[i].name);
			__set_bit(refs[i].index, drop);
		}
	}
	kvfree(refs);
	return 0;
}

static int luo_parse_sessions(struct luo_parse *p, const void *fdt, int off)
{
	struct luo_session_ser *ser;
	unsigned long *drop;
	u64 phys, count, i;
	int err;

	err = luo_fdt_check_compatible(p, fdt, off, LUO_FDT_SESSION_COMPATIBLE,
				       "the session node");
	if (err)
		return err;
	if (luo_fdt_get_u64(fdt, off, LUO_FDT_SESSION_HEADER, &phys)) {
		luo_in_err(p, "the session node has no valid %s: no sessions taken\n",
			   LUO_FDT_SESSION_HEADER);
		return -EINVAL;
	}
	if (luo_fdt_get_u64(fdt, off, LUO_FDT_BLOCK_KEY, &p->key)) {
		luo_in_err(p, "the session node has no valid %s: no sessions taken\n",
			   LUO_FDT_BLOCK_KEY);
		return -EINVAL;
	}
	ser = luo_parse_chain(p, phys, LUO_BLOCK_SESSIONS, sizeof(*ser), &count);
	if (IS_ERR(ser) && PTR_ERR(ser) == -ENOMEM)
		return -ENOMEM;
	if (IS_ERR_OR_NULL(ser)) {
		luo_in_err(p, "the sessions at %#llx are not a chain of LUO's blocks of sessions: no sessions taken\n",
			   phys);
		return -EINVAL;
	}

	drop = bitmap_zalloc(count, GFP_KERNEL);
	if (!drop) {
		kvfree(ser);
		return -ENOMEM;
	}
	err = luo_mark_bad_names(p, ser, sizeof(*ser), sizeof(ser->name), count,
				 "session", drop);
	for (i = 0; !err && i < count; i++) {
		int ret = test_bit(i, drop) ? 0 : luo_parse_session(p, &ser[i]);

		if (ret == -ENOMEM)
			err = ret;
		else if (ret)
			__set_bit(i, drop);
	}
	/*
	 * A dropped session's files, as far as they are LUO's and nobody
	 * else's, are taken too, so that they are given back with the others.
	 */
	for (i = 0; !err && i < count; i++) {
		if (test_bit(i, drop) && ser[i].file_set_ser.files) {
			void *files = luo_parse_chain(p, ser[i].file_set_ser.files,
						      LUO_BLOCK_FILES,
						      sizeof(struct luo_file_ser), &phys);

			if (!IS_ERR(files))
				kvfree(files);
		}
	}
	if (!err)
		p->in->dropped = count - p->in->nr_sessions;
	bitmap_free(drop);
	kvfree(ser);
	return err;
}

static int luo_parse_flbs(struct luo_parse *p, const void *fdt, int off)
{
	struct luo_flb_ser *ser;
	unsigned long *drop;
	u64 phys, count, i, n;
	int err;

	err = luo_fdt_check_compatible(p, fdt, off, LUO_FDT_FLB_COMPATIBLE,
				       "the FLB node");
	if (err)
		return err;
	if (luo_fdt_get_u64(fdt, off, LUO_FDT_FLB_HEADER, &phys)) {
		luo_in_err(p, "the FLB node has no valid %s: no FLBs taken\n",
			   LUO_FDT_FLB_HEADER);
		return -EINVAL;
	}
	if (luo_fdt_get_u64(fdt, off, LUO_FDT_BLOCK_KEY, &p->key)) {
		luo_in_err(p, "the FLB node has no valid %s: no FLBs taken\n",
			   LUO_FDT_BLOCK_KEY);
		return -EINVAL;
	}
	ser = luo_parse_chain(p, phys, LUO_BLOCK_FLBS, sizeof(*ser), &count);
	if (IS_ERR(ser) && PTR_ERR(ser) == -ENOMEM)
		return -ENOMEM;
	if (IS_ERR_OR_NULL(ser)) {
		luo_in_err(p, "the FLBs at %#llx are not a chain of LUO's blocks of FLBs: no FLBs taken\n",
			   phys);
		return -EINVAL;
	}
	/* Free room (no name, no user) is skipped: the in-use entries only. */
	for (i = 0, n = 0; i < count; i++)
		if (ser[i].compatible[0] || ser[i].count)
			ser[n++] = ser[i];
	count = n;
	p->in->flbs = kvcalloc(count, sizeof(*p->in->flbs), GFP_KERNEL);
	drop = bitmap_zalloc(count, GFP_KERNEL);
	if ((!p->in->flbs || !drop) && count) {
		bitmap_free(drop);
		kvfree(ser);
		return -ENOMEM;
	}
	err = luo_mark_bad_names(p, ser, sizeof(*ser), sizeof(ser->compatible), count,
				 "FLB", drop);
	for (i = 0; !err && i < count; i++) {
		struct luo_in_flb *flb = &p->in->flbs[p->in->nr_flbs];

		if (test_bit(i, drop))
			continue;
		/*
		 * Used by at least one file, and a count this kernel's can
		 * hold.  A count past the files handed over only keeps the
		 * FLB from finishing, as a file that is never finished does.
		 */
		if (!ser[i].count || ser[i].count > LONG_MAX) {
			luo_in_err(p, "FLB '%s' is used by %llu files: malformed, dropped\n",
				   ser[i].compatible, ser[i].count);
			__set_bit(i, drop);
			continue;
		}
		memcpy(flb->compatible, ser[i].compatible, sizeof(flb->compatible));
		flb->data = ser[i].data;
		flb->count = ser[i].count;
		p->in->nr_flbs++;
	}
	if (!err && p->in->nr_flbs != count)
		err = -EINVAL;
	bitmap_free(drop);
	kvfree(ser);
	return err;
}

/* Describe a blob that is not an FDT, e.g. another LUO's "luo-v5" header. */
static void luo_report_not_fdt(struct luo_parse *p, const void *blob, size_t size)
{
	size_t n = min_t(size_t, size, 16), len = strnlen(blob, n);
	const char *s = blob;
	size_t i;

	for (i = 0; i < len && len < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			break;
	if (len && len < n && i == len)
		luo_in_err(p, "the handover is '%s', not an FDT of '%s': incompatible, no sessions taken\n",
			   s, LUO_FDT_COMPATIBLE);
	else
		luo_in_err(p, "the handover (%zu bytes) is not an FDT of '%s': incompatible, no sessions taken\n",
			   size, LUO_FDT_COMPATIBLE);
}

/**
 * luo_incoming_parse - Validate the previous kernel's handover and copy it.
 * @fdt:      The "LUO" blob.
 * @fdt_size: Its size.
 * @mem:      How to reach the blocks it points to.
 * @in:       Filled with what passed validation; luo_incoming_free() it.
 *
 * Return: 0 when everything was valid; -EPROTO when the blob is not a
 * handover this kernel reads (nothing taken); -EINVAL when something was
 * refused (what passed is in @in); -ENOMEM.
 */
int luo_incoming_parse(const void *fdt, size_t fdt_size,
		       const struct luo_in_mem *mem, struct luo_incoming *in)
{
	struct luo_parse p = { .mem = mem, .in = in };
	int off, err, err2 = 0;

	memset(in, 0, sizeof(*in));
	INIT_LIST_HEAD(&in->sessions);
	if (fdt_size < sizeof(struct fdt_header) || fdt_check_header(fdt) ||
	    fdt_totalsize(fdt) > fdt_size) {
		luo_report_not_fdt(&p, fdt, fdt_size);
		return -EPROTO;
	}
	err = luo_fdt_check_compatible(&p, fdt, 0, LUO_FDT_COMPATIBLE, "the handover");
	if (err)
		return err;
	if (luo_fdt_get_u64(fdt, 0, LUO_FDT_LIVEUPDATE_NUM, &in->number)) {
		luo_in_err(&p, "the handover has no valid %s: ignored\n", LUO_FDT_LIVEUPDATE_NUM);
		return -EPROTO;
	}

	xa_init(&p.blocks);
	off = fdt_subnode_offset(fdt, 0, LUO_FDT_SESSION_NODE_NAME);
	if (off >= 0)
		err = luo_parse_sessions(&p, fdt, off);
	else if (off != -FDT_ERR_NOTFOUND)
		err = -EINVAL;
	off = fdt_subnode_offset(fdt, 0, LUO_FDT_FLB_NODE_NAME);
	if (off >= 0)
		err2 = luo_parse_flbs(&p, fdt, off);
	else if (off != -FDT_ERR_NOTFOUND)
		err2 = -EINVAL;
	luo_parse_unmap_all(&p);

	if (err == -ENOMEM) {
		luo_incoming_free(in);
		return -ENOMEM;
	}
	if (err2 == -ENOMEM) {
		/* The FLBs are lost, the sessions need not be. */
		kvfree(in->flbs);
		in->flbs = NULL;
		in->nr_flbs = 0;
	}
	if (err == -EPROTO)
		err = -EINVAL;
	if (!err && (err2 || in->dropped))
		err = -EINVAL;
	return err;
}

/**
 * luo_incoming_free - Free what luo_incoming_parse() left in @in.
 * @in: The parse result; its sessions must not be in use.
 */
void luo_incoming_free(struct luo_incoming *in)
{
	struct luo_session *session, *next;

	list_for_each_entry_safe(session, next, &in->sessions, list) {
		list_del(&session->list);
		luo_incoming_free_session(session);
	}
	kvfree(in->flbs);
	in->flbs = NULL;
	in->nr_sessions = 0;
	in->nr_flbs = 0;
}
