/*
 * domain_ccw.h: CCW addresses the QEMU driver gives a new s390-ccw domain's devices
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "conf/domain_priv.h"

/*
 * Gives the devices of an s390x domain on an s390-ccw machine the CCW
 * addresses libvirt's QEMU driver gives them when the domain is defined
 * (qemuDomainAssignS390Addresses): every device of the domain is walked in
 * libvirt's order, the addresses the definition names are reserved, and
 * each device libvirt puts on the channel subsystem without one (virtio
 * disks, nets, videos, inputs, 9p/virtiofs filesystems, the virtio-serial
 * and SCSI controllers, vhost-scsi and vfio-ccw host devices, the balloon,
 * RNGs, virtio memory, vsock, and any device written with an empty
 * <address type='ccw'/>) gets the next free devno of cssid 0xfe, ssid 0.
 * The addresses are written into the disks and into the controllers the
 * XML holds; the other devices' are only counted.
 *
 * Fails as libvirt fails when two devices name one address or no devno is
 * left, when a device's CCW address is malformed, and when a virtio disk
 * asks for a PCI address (zPCI placement is not modelled). Any other domain
 * is left alone (0).
 */
int vd_domain_assign_ccw_addresses(vdisk_domain *dom, vdisk_error **err);
