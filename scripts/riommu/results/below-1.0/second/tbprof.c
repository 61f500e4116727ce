/* Minimal QEMU TCG plugin: per-translation-block execution counts, dumped as
 * deltas ("segments") every time the TB at trig= (a kernel function entry,
 * e.g. ksys_write) executes. Declares the few plugin API functions it uses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct { const char *target_name; struct { int min, cur; } version; bool system_emulation; } qemu_info_t;
typedef void (*udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*atexit_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, udata_cb_t cb, int flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, atexit_cb_t cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 4;

struct tbi { uint64_t vaddr; uint64_t cnt, last; uint32_t n; uint32_t dirty; };
static uint64_t trig2[8]; static int ntrig2;
static uint64_t trig, kmin = 0xffff000000000000ull;
static FILE *out;
static struct tbi **dirty; static size_t ndirty, capdirty;
static uint64_t seg, user_insns, total_insns;

static void dump(void)
{
	uint64_t kins = 0;
	size_t i;
	for (i = 0; i < ndirty; i++) { struct tbi *t = dirty[i]; kins += (t->cnt - t->last) * t->n; }
	fprintf(out, "SEG %lu kernel_insns %lu user_insns %lu total_insns %lu\n",
		(unsigned long)seg, (unsigned long)kins, (unsigned long)user_insns, (unsigned long)total_insns);
	for (i = 0; i < ndirty; i++) {
		struct tbi *t = dirty[i];
		fprintf(out, "%lx %u %lu\n", (unsigned long)t->vaddr, t->n, (unsigned long)(t->cnt - t->last));
		t->last = t->cnt; t->dirty = 0;
	}
	ndirty = 0; user_insns = 0; seg++;
}

static void exec_cb(unsigned int vcpu, void *ud)
{
	struct tbi *t = ud;
	total_insns += t->n;
	if (t->vaddr < kmin) { user_insns += t->n; return; }
	if (t->vaddr == trig) dump();
	else for (int k = 0; k < ntrig2; k++) if (t->vaddr == trig2[k]) { fprintf(out, "T2 %d\n", k); dump(); break; }
	t->cnt++;
	if (!t->dirty) {
		t->dirty = 1;
		if (ndirty == capdirty) { capdirty = capdirty ? 2 * capdirty : 65536; dirty = realloc(dirty, capdirty * sizeof(*dirty)); }
		dirty[ndirty++] = t;
	}
}

static void trans_cb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct tbi *t = calloc(1, sizeof(*t));
	t->vaddr = qemu_plugin_tb_vaddr(tb);
	t->n = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_cb(tb, exec_cb, 0, t);
}

static void at_exit(qemu_plugin_id_t id, void *p) { dump(); fclose(out); }

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	const char *file = "tbprof.out";
	int i;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "trig=", 5)) trig = strtoull(argv[i] + 5, NULL, 16);
		else if (!strncmp(argv[i], "trig2=", 6) && ntrig2 < 8) trig2[ntrig2++] = strtoull(argv[i] + 6, NULL, 16);
		else if (!strncmp(argv[i], "out=", 4)) file = argv[i] + 4;
		else if (!strncmp(argv[i], "kmin=", 5)) kmin = strtoull(argv[i] + 5, NULL, 16);
	}
	out = fopen(file, "w");
	if (!out) return -1;
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	qemu_plugin_register_vcpu_tb_trans_cb(id, trans_cb);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
