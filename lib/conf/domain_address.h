/*
 * domain_address.h: PCI addresses the QEMU driver gives a new domain's devices
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/domain_priv.h"

/*
 * Gives the domain's virtio disks and disk controllers that have no PCI
 * address the one libvirt's QEMU driver picks when the domain is defined:
 * on x86 pc and q35, the ARM and RISC-V virt machines (pcie-root, or
 * virtio-mmio for the virtio devices when one already uses it), ARM
 * vexpress (virtio-mmio) and ppc64 pseries (after its spapr-vio devices). The choice depends on
 * every PCI device of the domain, so all of them are walked in libvirt's order and their slots
 * reserved; only disks and disk controllers are written. Implicit
 * controllers get their address in the controller list, not in the XML;
 * the pcie-root-port / pci-bridge controllers libvirt would add are only
 * counted, not added to the tree.
 *
 * When the domain holds a device whose placement is not modelled (video,
 * graphics, hostdev, shmem, ...), or another machine, nothing is assigned
 * and 0 is returned (a virtio disk that needs an address is refused).
 * Returns -1 on such a refusal and when libvirt refuses the domain.
 */
int vd_domain_assign_pci_addresses(vdisk_domain *dom, vdisk_error **err);

/*
 * Gives a pseries domain's spapr-vio devices the reg libvirt's QEMU driver
 * picks (domain_spapr.c); only the SCSI controllers' <address> is written.
 * -1 when a reg the definition names is taken, as libvirt refuses.
 */
int vd_domain_assign_spapr_vio_addresses(vdisk_domain *dom, vdisk_error **err);

/*
 * Gives the domain's USB disks without an address the USB port libvirt's
 * QEMU driver picks at define time (domain_usb.c). With hubs in the domain,
 * or no free port, nothing is assigned. -1 when two USB controllers with
 * ports share an index, as libvirt refuses.
 */
int vd_domain_assign_usb_addresses(vdisk_domain *dom, vdisk_error **err);

/*
 * Gives @disk, a virtio disk of the running domain @dom (its live XML,
 * every other device addressed) without a PCI address, the one libvirt's
 * QEMU driver picks when it hot-plugs the disk (qemuDomainEnsurePCIAddress):
 * the first free slot of the first hot-pluggable bus that accepts it; no
 * bus is added. Fails naming the disk when none is free ("No more
 * available PCI slots") or the placement is not modelled (machines other
 * than pc and q35, buses with hotplug='off').
 */
int vd_domain_hotplug_pci_address(vdisk_domain *dom, const vdisk_disk *disk, vdisk_error **err);
