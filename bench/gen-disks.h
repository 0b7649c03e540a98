/*
 * gen-disks.h: generators of distinct, realistic disk XML for the benchmarks
 *
 * A deterministic pseudo-random sequence drives every choice, so the same
 * calls in the same order give the same documents in every run.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BENCH_GEN_DISKS_H
#define BENCH_GEN_DISKS_H

#include <stddef.h>

/* A growable string; starts as {0}, owned by the caller (free(b.s)). */
typedef struct {
    char *s;
    size_t len;
    size_t cap;
} gen_buf;

void gen_buf_add(gen_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A number in [0, n) from the shared deterministic sequence. */
unsigned int gen_rnd(unsigned int n);
const char *gen_pick(const char *const *v, size_t n);
#define GEN_PICK(v) gen_pick((v), sizeof(v) / sizeof((v)[0]))

/* libvirt's disk names: @prefix followed by a..z, aa, ab, ... for @idx. */
void gen_target_name(char *out, size_t size, const char *prefix, unsigned int idx);

/* The next target index per prefix; reset it for every domain. */
typedef struct {
    unsigned int vd;
    unsigned int sd;
} gen_target_counter;

/* One distinct, valid <disk> (file/block/network/volume sources, any bus
 * libvirt's parser accepts); @i makes paths, names and serials unique.
 * The caller frees the result. */
char *gen_disk(unsigned int i, gen_target_counter *tc);

/*
 * One <domain> of @ndisks disks that libvirt's QEMU driver can start as is:
 * only sources it translates into -blockdev (file, block, nbd, rbd, iscsi,
 * http(s)), the machine type its buses need (pc for IDE, q35 for SATA), the
 * controllers they sit on and explicit addresses for every device, as in
 * libvirt's addressed XML. Disks are numbered from @first_disk, which makes
 * them distinct across domains. The caller frees the result.
 */
char *gen_qemu_domain(unsigned int d, unsigned int first_disk, size_t ndisks);

/* The secrets gen_qemu_domain()'s disks refer to: key @k (UUID or usage)
 * for k < GEN_QEMU_NSECRETS, and a value for it. */
#define GEN_QEMU_NSECRETS 12
void gen_qemu_secret(unsigned int k, char *key, size_t key_size, char *value, size_t value_size);

#endif /* BENCH_GEN_DISKS_H */
