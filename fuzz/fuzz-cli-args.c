/*
 * fuzz-cli-args.c: the vdisk program's argument handling on arbitrary argv
 *
 * The input is an argument vector: its lines are the arguments after
 * "vdisk". An argument "@DISK" or "@DOMAIN" stands for a file holding a
 * valid disk or domain, "@BAD" for one holding a refused disk. Only the
 * subcommands that need no libvirt run (xml, check, qemu-args, help and
 * the global options): a vector naming another subcommand runs one of
 * those instead.
 * The program must return one of its documented exit statuses, with any
 * output, never crash, leak or hang. Its standard output goes to /dev/null.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vdisk_cli_main(int argc, char **argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

static const char *const offline[] = {"xml", "check", "qemu-args", "help", NULL};

static char files[3][64];

static void
write_file(char *path, const char *text)
{
    int fd;

    strcpy(path, "/tmp/vdisk-fuzz-cli-XXXXXX");
    if ((fd = mkstemp(path)) < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        abort();
    close(fd);
}

static void
setup(void)
{
    int null = open("/dev/null", O_RDWR);

    /* stdin empty ("-" reads it); stderr stays: libFuzzer reports there
     * (run it with -close_fd_mask=2) */
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0)
        abort();
    close(null);
    write_file(files[0], "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                         "<source file='/var/lib/x.qcow2'/><target dev='vda' bus='virtio'/>"
                         "</disk>\n");
    write_file(files[1], "<domain type='qemu'><name>f</name><memory>65536</memory><os>"
                         "<type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                         "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/>"
                         "<readonly/></disk><disk type='file' device='disk'>"
                         "<source file='/a.raw'/><target dev='sda' bus='scsi'/></disk>"
                         "</devices></domain>\n");
    write_file(files[2], "<disk type='file' device='disk'><source file='/x'/>"
                         "<target dev='vda' bus='virtoi'/></disk>\n");
}

static const char *
substitute(const char *arg)
{
    if (strcmp(arg, "@DISK") == 0)
        return files[0];
    if (strcmp(arg, "@DOMAIN") == 0)
        return files[1];
    if (strcmp(arg, "@BAD") == 0)
        return files[2];
    return arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    char *copy = malloc(size + 1);
    char *argv[MAX_ARGS + 2];
    int argc = 1;
    bool runs = false;
    char *p;
    int rc;

    if (!copy)
        abort();
    if (!ready) {
        setup();
        ready = true;
    }
    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[0] = (char *)"vdisk";
    for (p = copy; p && argc <= MAX_ARGS;) {
        char *nl = strchr(p, '\n');

        if (nl)
            *nl = '\0';
        argv[argc++] = (char *)substitute(p);
        p = nl ? nl + 1 : NULL;
    }
    argv[argc] = NULL;
    /* --connect (-c, or any prefix getopt takes for it) would open libvirt */
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--c", 3) == 0 ||
            (argv[i][0] == '-' && argv[i][1] != '-' && strchr(argv[i], 'c')))
            goto out;
    }
    /* the first argument that is no option names the subcommand; one that
     * names another subcommand is replaced by an offline one, chosen by
     * its first byte, so every input runs */
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && strcmp(argv[i], "--") != 0)
            continue;
        for (int k = 0; offline[k]; k++)
            runs |= strcmp(argv[i], offline[k]) == 0;
        if (!runs) {
            argv[i] = (char *)offline[(unsigned char)argv[i][0] % 4];
            runs = true;
        }
        break;
    }
    if (runs) {
        optind = 0; /* glibc: start over */
        rc = vdisk_cli_main(argc, argv);
        fflush(stdout);
        /* the documented exit statuses, 0 to 4 */
        if (rc < 0 || rc > 4)
            abort();
    }
out:
    free(copy);
    return 0;
}
