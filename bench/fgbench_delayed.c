// SPDX-License-Identifier: GPL-2.0
/*
 * fgbench_delayed.ko: the baseline of fgbench's deadline benchmark, for
 * benchmarks only. A deadline kept the way a plain module keeps one: a
 * delayed_work on the system workqueue (as drivers/hv/hv_snapshot.c times
 * out a VSS request), whose delay the timer wheel rounds to its
 * granularity, which grows with the delay.
 *
 * debugfs fgbench_delayed/run: write "MS K": K delayed_works of MS ms,
 * queued at once, each with its deadline read from the clock just before
 * it is queued. Read: one line per run, "MS K DONE LATE_NS...", the
 * lateness of each work that ran, from its deadline to the start of its
 * function (CLOCK_MONOTONIC ns; negative when it ran early: the delay is
 * counted in whole jiffies from the last tick). A run's slots are kept
 * until unload.
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#define FGB_RUNS_MAX	16
#define FGB_K_MAX	64

struct fgb_slot {
	struct delayed_work work;
	u64 deadline_ns;
	s64 late_ns;
	bool done;
};

struct fgb_run {
	unsigned int ms;
	unsigned int k;
	struct fgb_slot slot[FGB_K_MAX];
};

static DEFINE_MUTEX(fgb_lock);	/* fgb_runs, fgb_nr_runs, each slot's result */
static struct fgb_run *fgb_runs[FGB_RUNS_MAX];
static unsigned int fgb_nr_runs;
static struct dentry *fgb_dir;

static void fgb_work_fn(struct work_struct *work)
{
	struct fgb_slot *slot = container_of(to_delayed_work(work),
					     struct fgb_slot, work);
	u64 now = ktime_get_ns();	/* first: the lock may wait */

	mutex_lock(&fgb_lock);
	slot->late_ns = (s64)(now - slot->deadline_ns);
	slot->done = true;
	mutex_unlock(&fgb_lock);
}

static ssize_t fgb_run_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char buf[32];
	unsigned int ms, k, i;
	struct fgb_run *run;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %u", &ms, &k) != 2 || !ms || ms > 600000 ||
	    !k || k > FGB_K_MAX)
		return -EINVAL;
	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	run->ms = ms;
	run->k = k;
	mutex_lock(&fgb_lock);
	if (fgb_nr_runs == FGB_RUNS_MAX) {
		mutex_unlock(&fgb_lock);
		kfree(run);
		return -ENOSPC;
	}
	fgb_runs[fgb_nr_runs++] = run;
	for (i = 0; i < k; i++) {
		struct fgb_slot *slot = &run->slot[i];

		INIT_DELAYED_WORK(&slot->work, fgb_work_fn);
		slot->deadline_ns = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;
		queue_delayed_work(system_wq, &slot->work, msecs_to_jiffies(ms));
	}
	mutex_unlock(&fgb_lock);
	return len;
}

static int fgb_results_show(struct seq_file *m, void *v)
{
	unsigned int r, i, done;

	mutex_lock(&fgb_lock);
	for (r = 0; r < fgb_nr_runs; r++) {
		struct fgb_run *run = fgb_runs[r];

		done = 0;
		for (i = 0; i < run->k; i++)
			done += run->slot[i].done;
		seq_printf(m, "%u %u %u", run->ms, run->k, done);
		for (i = 0; i < run->k; i++)
			if (run->slot[i].done)
				seq_printf(m, " %lld", run->slot[i].late_ns);
		seq_putc(m, '\n');
	}
	mutex_unlock(&fgb_lock);
	return 0;
}

static int fgb_run_open(struct inode *inode, struct file *file)
{
	return single_open(file, fgb_results_show, NULL);
}

static const struct file_operations fgb_run_fops = {
	.owner = THIS_MODULE,
	.open = fgb_run_open,
	.read = seq_read,
	.write = fgb_run_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init fgb_init(void)
{
	fgb_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("run", 0600, fgb_dir, NULL, &fgb_run_fops);
	return 0;
}

static void __exit fgb_exit(void)
{
	unsigned int r, i;

	debugfs_remove_recursive(fgb_dir);	/* no write queues more */
	for (r = 0; r < fgb_nr_runs; r++) {
		for (i = 0; i < fgb_runs[r]->k; i++)
			cancel_delayed_work_sync(&fgb_runs[r]->slot[i].work);
		kfree(fgb_runs[r]);
	}
}

module_init(fgb_init);
module_exit(fgb_exit);
MODULE_DESCRIPTION("freezeguard benchmark baseline: deadlines as delayed_work");
MODULE_LICENSE("GPL");
