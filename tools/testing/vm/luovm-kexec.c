// SPDX-License-Identifier: GPL-2.0
/*
 * luovm-kexec - end a guest stage: kexec into the next kernel, or power off.
 *
 *   luovm-kexec load-exec KERNEL CMDLINE   kexec_file_load(2) + reboot(KEXEC)
 *   luovm-kexec load KERNEL CMDLINE        kexec_file_load(2) only: the kexec
 *                                          is then `systemctl kexec`'s
 *   luovm-kexec poweroff                   reboot(RB_POWER_OFF): ACPI S5
 *
 * A static binary with no dependencies, so that PID 1 of the guest can end a
 * stage without kexec-tools.  Output written so far to our terminals is
 * drained first: the host reads the stage's last lines from them.  The
 * "@@LUOVM kexec-jump" line, drained right before reboot(KEXEC), is where
 * benchmarks and tests start the blackout the host sees.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <linux/kexec.h>
#include <linux/reboot.h>

static void drain(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (isatty(fd))
			tcdrain(fd);
	sync();
}

static int load(const char *kernel, const char *cmdline)
{
	int kfd = open(kernel, O_RDONLY | O_CLOEXEC);

	if (kfd < 0) {
		fprintf(stderr, "luovm-kexec: open %s: %s\n", kernel, strerror(errno));
		return 1;
	}
	/* The length passed includes the terminating NUL. */
	if (syscall(SYS_kexec_file_load, kfd, -1, strlen(cmdline) + 1, cmdline,
		    (unsigned long)KEXEC_FILE_NO_INITRAMFS)) {
		fprintf(stderr, "luovm-kexec: kexec_file_load %s: %s\n", kernel,
			strerror(errno));
		close(kfd);
		return 1;
	}
	close(kfd);
	return 0;
}

static int load_exec(const char *kernel, const char *cmdline)
{
	if (load(kernel, cmdline))
		return 1;
	drain();
	/*
	 * The host timestamps this line as the start of the blackout: the
	 * kernel is loaded, the file systems synced, only the reboot is left.
	 */
	printf("@@LUOVM kexec-jump\n");
	fflush(stdout);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_KEXEC, NULL);
	/* Only reached when the kernel refused the kexec (e.g. LUO aborted it). */
	fprintf(stderr, "luovm-kexec: reboot(KEXEC): %s\n", strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "load-exec"))
		return load_exec(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "load"))
		return load(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "poweroff")) {
		drain();
		reboot(RB_POWER_OFF);
		fprintf(stderr, "luovm-kexec: reboot: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "usage: luovm-kexec load-exec|load KERNEL CMDLINE | poweroff\n");
	return 2;
}
