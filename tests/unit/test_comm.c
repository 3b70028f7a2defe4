/* test_comm.c - the trainer's data-parallel hook (ds_train_params.comm,
 * descent/comm.h) without MPI: two trainers in two threads of one process,
 * joined by a ds_comm over shared memory, train exactly as one process
 * does up to float summation order; a bad comm is refused at init. This is
 * the contract libdescent-mpi fulfils over MPI (tests/cli/mpi.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "descent/comm.h"
#include "descent/data.h"
#include "descent/train.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

enum { RANKS = 2, MAX_N = 4096 };

/* Shared memory between the ranks: each posts its array, waits for all,
 * reads the others', waits again before the slots are reused. */
static struct {
    pthread_barrier_t barrier;
    double slot[RANKS][MAX_N];
} shared;

typedef struct rank_ctx {
    int rank;
} rank_ctx;

static void post(int rank, const void *x, size_t n, int f32)
{
    for (size_t i = 0; i < n; i++)
        shared.slot[rank][i] = f32 ? ((const float *)x)[i] : ((const double *)x)[i];
    pthread_barrier_wait(&shared.barrier);
}

/* x[i] = the sum over ranks in rank order (in double: the same on every
 * rank, as an allreduce must be); x holds floats when f32. */
static ds_status sum(void *ctx, void *x, size_t n, int f32)
{
    assert_true(n <= MAX_N);
    post(((rank_ctx *)ctx)->rank, x, n, f32);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (int r = 0; r < RANKS; r++)
            s += shared.slot[r][i];
        if (f32)
            ((float *)x)[i] = (float)s;
        else
            ((double *)x)[i] = s;
    }
    pthread_barrier_wait(&shared.barrier);
    return DS_OK;
}

static ds_status sum_f32(void *ctx, float *x, size_t n)
{
    return sum(ctx, x, n, 1);
}

static ds_status sum_f64(void *ctx, double *x, size_t n)
{
    return sum(ctx, x, n, 0);
}

static ds_status broadcast_f32(void *ctx, float *x, size_t n)
{
    assert_true(n <= MAX_N);
    post(((rank_ctx *)ctx)->rank, x, n, 1);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)shared.slot[0][i];
    pthread_barrier_wait(&shared.barrier);
    return DS_OK;
}

typedef struct run {
    const ds_comm *comm; /* NULL: one process */
    uint64_t init_seed;  /* ranks start from different weights: rank 0's win */
    float params[MAX_N];
    size_t n;
    double loss;
} run;

/* Trains mlp:4-8-3 with adam and L2 for 3 epochs on the same blobs. */
static void *train(void *arg)
{
    run *r = arg;
    ds_dataset *d = NULL;
    assert_int_equal(ds_gen_blobs(60, 4, 3, 1.5, 7, &d), DS_OK);
    ds_model_params mp = ds_model_default_params();
    mp.seed = r->init_seed;
    mp.l2 = 1e-2;
    ds_model *m = ds_model_init("mlp:4-8-3", 0, &mp);
    ds_opt_params op;
    assert_int_equal(ds_opt_parse("adam:lr=0.01", &op), DS_OK);
    ds_train_params p = ds_train_default_params();
    p.epochs = 3, p.batch = 16, p.seed = 5, p.threads = 1, p.comm = r->comm;
    ds_trainer *t = ds_trainer_init(m, &op, d, NULL, &p);
    assert_non_null(t);
    assert_int_equal(ds_trainer_run(t, 0), DS_OK);
    r->loss = ds_trainer_last_epoch(t).train_loss;
    r->n = ds_model_param_count(m);
    memcpy(r->params, ds_model_param_data(m), r->n * sizeof(float));
    ds_trainer_free(t);
    ds_model_free(m);
    ds_dataset_free(d);
    return NULL;
}

static void test_two_ranks_train_as_one(void **state)
{
    (void)state;
    run alone = {.init_seed = 3};
    train(&alone);
    rank_ctx ctx[RANKS];
    ds_comm comm[RANKS];
    run ranks[RANKS];
    pthread_t th[RANKS];
    pthread_barrier_init(&shared.barrier, NULL, RANKS);
    for (int r = 0; r < RANKS; r++) {
        ctx[r].rank = r;
        comm[r] = (ds_comm){.rank = r,
                            .size = RANKS,
                            .ctx = &ctx[r],
                            .sum_f32 = sum_f32,
                            .sum_f64 = sum_f64,
                            .broadcast_f32 = broadcast_f32};
        ranks[r] = (run){.comm = &comm[r], .init_seed = r == 0 ? 3 : 99};
        assert_int_equal(pthread_create(&th[r], NULL, train, &ranks[r]), 0);
    }
    for (int r = 0; r < RANKS; r++)
        pthread_join(th[r], NULL);
    pthread_barrier_destroy(&shared.barrier);
    for (int r = 0; r < RANKS; r++) {
        assert_int_equal(ranks[r].n, alone.n);
        assert_true(fabs(ranks[r].loss - alone.loss) <= 1e-5 * fabs(alone.loss));
        for (size_t i = 0; i < alone.n; i++)
            assert_true(fabsf(ranks[r].params[i] - alone.params[i]) <= 1e-4f);
    }
    /* every rank holds the same parameters bit for bit */
    assert_memory_equal(ranks[0].params, ranks[1].params, alone.n * sizeof(float));
}

static void test_bad_comm_is_refused(void **state)
{
    (void)state;
    ds_dataset *d = NULL;
    assert_int_equal(ds_gen_blobs(20, 2, 2, 1.0, 1, &d), DS_OK);
    ds_model *m = ds_model_init("mlp:2-2", 0, NULL);
    ds_opt_params op;
    assert_int_equal(ds_opt_parse("sgd", &op), DS_OK);
    ds_train_params p = ds_train_default_params();
    ds_comm out_of_range = {.rank = 2,
                            .size = 2,
                            .sum_f32 = sum_f32,
                            .sum_f64 = sum_f64,
                            .broadcast_f32 = broadcast_f32};
    ds_comm no_sum = {.rank = 0, .size = 2, .broadcast_f32 = broadcast_f32};
    p.comm = &out_of_range;
    assert_null(ds_trainer_init(m, &op, d, NULL, &p));
    assert_string_equal(ds_last_error(), "comm: rank 2 of 2 processes is out of range");
    p.comm = &no_sum;
    assert_null(ds_trainer_init(m, &op, d, NULL, &p));
    assert_string_equal(ds_last_error(),
                        "comm: 2 processes need sum_f32, sum_f64 and broadcast_f32");
    ds_model_free(m);
    ds_dataset_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_ranks_train_as_one),
        cmocka_unit_test(test_bad_comm_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
