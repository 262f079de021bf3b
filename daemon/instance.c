#include "instance.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

const char *instance_runtime_dir(const char *configured, char *buf, size_t len)
{
	const char *env = getenv("RUNTIME_DIRECTORY");

	if (env != NULL && *env != '\0')
		snprintf(buf, len, "%.*s", (int)strcspn(env, ":"), env);
	else
		snprintf(buf, len, "%s", configured);
	return buf;
}

static pid_t read_pid(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	if (n <= 0)
		return 0;
	text[n] = '\0';
	return (pid_t)atol(text);
}

int instance_lock(struct instance *in, const char *dir, pid_t *holder)
{
	char pid[32];
	int n, rc;

	in->fd = -1;
	*holder = 0;
	snprintf(in->path, sizeof(in->path), "%s/%s", dir, INSTANCE_PIDFILE);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	/* The file stays when assistd ends: the lock is what counts, and removing
	 * a locked file lets a third process lock a new one beside it. */
	if ((in->fd = open(in->path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0)
		return -errno;
	if (flock(in->fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		*holder = read_pid(in->fd);
		goto fail;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	errno = 0;
	if (ftruncate(in->fd, 0) < 0 || pwrite(in->fd, pid, (size_t)n, 0) != n) {
		rc = errno != 0 ? -errno : -EIO;
		goto fail;
	}
	return 0;
fail:
	close(in->fd);
	in->fd = -1;
	return rc;
}

void instance_unlock(struct instance *in)
{
	if (in->fd < 0)
		return;
	/* A stale pid left behind is harmless: the lock says who runs. */
	if (ftruncate(in->fd, 0) < 0)
		log_debug("%s: %s", in->path, strerror(errno));
	close(in->fd);
	in->fd = -1;
}
