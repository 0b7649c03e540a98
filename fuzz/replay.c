/*
 * replay.c: runs a fuzz target over saved inputs, without libFuzzer.
 *
 *   fuzz-<target>-replay PATH...
 *
 * Each PATH is a file or a directory whose regular files are all run,
 * each in its own child process so that one crashing input does not hide
 * the next. A crash or an abort() in the target fails the run (every such
 * input is listed at the end); so does a PATH that cannot be read or a
 * directory without inputs. An input that runs longer than
 * $VDISK_FUZZ_REPLAY_TIMEOUT seconds (default 10) fails too: small inputs
 * must not make the library work for minutes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t failed_inputs;

static unsigned int
replay_timeout(void)
{
    const char *env = getenv("VDISK_FUZZ_REPLAY_TIMEOUT");
    long v = env ? strtol(env, NULL, 10) : 0;

    return v > 0 ? (unsigned int)v : 10;
}

static int
run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t len = 0;
    size_t cap = 0;
    int status = 0;
    pid_t pid;

    if (!fp) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        size_t n;

        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 65536;
            if (!(data = realloc(data, cap)))
                abort();
        }
        if ((n = fread(data + len, 1, cap - len, fp)) == 0)
            break;
        len += n;
    }
    if (ferror(fp)) {
        fprintf(stderr, "%s: read error\n", path);
        fclose(fp);
        free(data);
        return -1;
    }
    fclose(fp);
    printf("%s (%zu bytes)\n", path, len);
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) {
        fprintf(stderr, "fork: %s\n", strerror(errno));
        free(data);
        return -1;
    }
    if (pid == 0) {
        alarm(replay_timeout());
        LLVMFuzzerTestOneInput(data, len);
        free(data);
        exit(0);
    }
    free(data);
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            fprintf(stderr, "FAILED: %s: still running after %u seconds\n", path, replay_timeout());
        else if (WIFSIGNALED(status))
            fprintf(stderr, "FAILED: %s: signal %d\n", path, WTERMSIG(status));
        else
            fprintf(stderr, "FAILED: %s: exit status %d\n", path, WEXITSTATUS(status));
        failed_inputs++;
    }
    return 0;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_path(const char *path, size_t *count)
{
    struct stat st;
    struct dirent *ent;
    char **names = NULL;
    size_t n = 0;
    size_t i;
    DIR *dir;
    int rc = 0;

    if (stat(path, &st) < 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return run_file(path);
    }
    if (!(dir = opendir(path))) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((ent = readdir(dir))) {
        if (ent->d_name[0] == '.')
            continue;
        if (!(names = realloc(names, (n + 1) * sizeof(*names))))
            abort();
        if (!(names[n] = malloc(strlen(path) + strlen(ent->d_name) + 2)))
            abort();
        sprintf(names[n++], "%s/%s", path, ent->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof(*names), cmp_names);
    for (i = 0; i < n; i++) {
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            (*count)++;
            if (run_file(names[i]) < 0)
                rc = -1;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int
main(int argc, char **argv)
{
    size_t count = 0;
    int rc = 0;
    int i;

    if (argc < 2) {
        fprintf(stderr, "Usage: %s FILE|DIRECTORY...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        if (run_path(argv[i], &count) < 0)
            rc = 1;
    }
    if (count == 0) {
        fprintf(stderr, "no inputs found\n");
        return 1;
    }
    printf("%zu inputs replayed\n", count);
    if (failed_inputs) {
        fprintf(stderr, "%zu of %zu inputs failed\n", failed_inputs, count);
        return 1;
    }
    return rc;
}
