/*
 * disk_order.c: the order libvirt keeps a domain's disks in
 *
 * libvirt inserts each disk it parses (virDomainDiskInsert): before the
 * first disk on the same bus whose target index is higher, else right after
 * the last disk on its bus, else at the end. Done naively that is quadratic
 * in the number of disks; here each bus keeps its disks that have a target
 * in a balanced tree ordered by index (on one bus those stay in index order,
 * since a disk never goes after a higher one), and the whole order is a
 * linked list, so each insertion costs O(log n). As long as a bus's disks
 * come in index order, as they nearly always do, each goes after all the
 * others: the bus just counts them and remembers the last, and makes its
 * tree only when a disk goes before another.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>

#include "conf/conf.h"

typedef struct {
    GSequence *by_index; /* input positions of the bus's disks with a target */
    GArray *in_order;    /* the same while they came in order (by_index NULL) */
    gssize last;         /* input position of the bus's last disk in the order, -1 */
} vd_bus_order;

/* By target index, then by input position: a new disk (a later position)
 * goes after the ones of equal index, before the higher ones. */
static gint
vd_order_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
    const vd_order_key *keys = data;
    gsize i = GPOINTER_TO_SIZE(a) - 1;
    gsize j = GPOINTER_TO_SIZE(b) - 1;

    if (keys[i].index != keys[j].index)
        return keys[i].index < keys[j].index ? -1 : 1;
    return i < j ? -1 : (i > j ? 1 : 0);
}

void
vd_disk_insert_order(const vd_order_key *keys, size_t n, size_t *order)
{
    g_autofree gssize *next = g_new(gssize, n + 1);
    g_autofree gssize *prev = g_new(gssize, n + 1);
    g_autoptr(GArray) buses = g_array_new(FALSE, TRUE, sizeof(vd_bus_order));
    gssize head = -1;
    gssize tail = -1;
    size_t i;
    guint b;

    for (i = 0; i < n; i++) {
        const vd_order_key *k = &keys[i];
        vd_bus_order *bus;
        GSequenceIter *at = NULL;
        gssize before = -1; /* insert before this one, or after bus->last, or at the end */

        if (k->bus >= buses->len) {
            guint old = buses->len;

            g_array_set_size(buses, k->bus + 1);
            for (b = old; b < buses->len; b++)
                g_array_index(buses, vd_bus_order, b).last = -1;
        }
        bus = &g_array_index(buses, vd_bus_order, k->bus);
        if (k->targeted && !bus->by_index) {
            gsize n_in_order = bus->in_order ? bus->in_order->len : 0;

            if (n_in_order == 0 ||
                keys[g_array_index(bus->in_order, gsize, n_in_order - 1)].index <= k->index) {
                /* after every disk of its bus with a target (its position
                 * is the highest), as the search below would find */
                if (!bus->in_order)
                    bus->in_order = g_array_new(FALSE, FALSE, sizeof(gsize));
                g_array_append_val(bus->in_order, i);
            } else {
                /* out of order: the tree from now on */
                bus->by_index = g_sequence_new(NULL);
                for (gsize j = 0; j < n_in_order; j++)
                    g_sequence_append(bus->by_index,
                                      GSIZE_TO_POINTER(g_array_index(bus->in_order, gsize, j) + 1));
                g_clear_pointer(&bus->in_order, g_array_unref);
            }
        }
        if (k->targeted && bus->by_index) {
            /* positions are stored + 1, so that position 0 is not NULL */
            at = g_sequence_search(bus->by_index, GSIZE_TO_POINTER(i + 1), vd_order_cmp,
                                   (gpointer)keys);
            if (!g_sequence_iter_is_end(at))
                before = (gssize)GPOINTER_TO_SIZE(g_sequence_get(at)) - 1;
        }
        if (before >= 0) {
            next[i] = before;
            prev[i] = prev[before];
            if (prev[before] >= 0)
                next[prev[before]] = (gssize)i;
            else
                head = (gssize)i;
            prev[before] = (gssize)i;
        } else if (bus->last >= 0) {
            gssize after = bus->last;

            prev[i] = after;
            next[i] = next[after];
            if (next[after] >= 0)
                prev[next[after]] = (gssize)i;
            else
                tail = (gssize)i;
            next[after] = (gssize)i;
            bus->last = (gssize)i;
        } else {
            prev[i] = tail;
            next[i] = -1;
            if (tail >= 0)
                next[tail] = (gssize)i;
            else
                head = (gssize)i;
            tail = (gssize)i;
            bus->last = (gssize)i;
        }
        if (at)
            g_sequence_insert_before(at, GSIZE_TO_POINTER(i + 1));
    }
    for (b = 0; b < buses->len; b++) {
        vd_bus_order *bus = &g_array_index(buses, vd_bus_order, b);

        if (bus->by_index)
            g_sequence_free(bus->by_index);
        if (bus->in_order)
            g_array_unref(bus->in_order);
    }
    for (i = 0; head >= 0; head = next[head])
        order[i++] = (size_t)head;
}
