/* dist.c - libdescent-mpi, the MPI layer of data-parallel training
 * (contract in descent/dist.h). A separate library so that libdescent
 * itself links no MPI: the trainer takes these collectives through
 * ds_train_params.comm (ds_dist_comm()). Compiled with DS_HAVE_MPI when
 * CMake found MPI and DESCENT_MPI is on; otherwise every function is the
 * one-rank identity. Uses the public API alone.
 *
 * MPI references: MPI 3.1 standard, sections 5.9 (MPI_Allreduce), 5.4
 * (MPI_Bcast), 8.3 (error handlers: MPI_ERRORS_RETURN lets us report the
 * failure and abort the job ourselves), 12.4 (MPI_Init_thread,
 * MPI_THREAD_FUNNELED). Counts are int in MPI 3.1: large arrays go in
 * chunks of at most INT_MAX elements. */
#include "descent/dist.h"
#include "descent/error.h"
#include "descent/comm.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Launched by mpirun/mpiexec? (Open MPI sets OMPI_COMM_WORLD_SIZE; PMIx and
 * PMI launchers, e.g. srun and MPICH's hydra, set PMIX_RANK / PMI_RANK.) */
static int launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

#ifdef DS_HAVE_MPI
#include <mpi.h>

static int inited, rank, size = 1;

static ds_status mpi_fail(int err, const char *what)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(err, msg, &len) != MPI_SUCCESS) len = 0;
    msg[len] = '\0';
    return ds_set_error(DS_ERR_MPI, "rank %d of %d: %s failed: %s", rank, size, what,
                        len ? msg : "unknown MPI error");
}

ds_status ds_dist_init(int *argc, char ***argv)
{
    if (inited || !launched()) return DS_OK;
    int provided, err = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    if (err != MPI_SUCCESS)
        return ds_set_error(DS_ERR_MPI, "MPI_Init_thread failed (code %d)", err);
    inited = 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return DS_OK;
}

void ds_dist_finalize(int status)
{
    if (!inited) return;
    if (status != 0 && size > 1) MPI_Abort(MPI_COMM_WORLD, status);
    MPI_Finalize();
    inited = 0;
}

int ds_dist_rank(void)
{
    return rank;
}

int ds_dist_size(void)
{
    return size;
}

/* One collective per chunk of at most INT_MAX elements (MPI counts are int). */
static ds_status each_chunk(void *x, size_t n, size_t elem, MPI_Datatype type, int reduce)
{
    for (size_t at = 0; at < n;) {
        int k = n - at > INT_MAX ? INT_MAX : (int)(n - at);
        char *p = (char *)x + at * elem;
        int err = reduce ? MPI_Allreduce(MPI_IN_PLACE, p, k, type, MPI_SUM, MPI_COMM_WORLD)
                         : MPI_Bcast(p, k, type, 0, MPI_COMM_WORLD);
        if (err != MPI_SUCCESS) return mpi_fail(err, reduce ? "MPI_Allreduce" : "MPI_Bcast");
        at += (size_t)k;
    }
    return DS_OK;
}

ds_status ds_dist_sum_f32(float *x, size_t n)
{
    return size > 1 ? each_chunk(x, n, sizeof *x, MPI_FLOAT, 1) : DS_OK;
}

ds_status ds_dist_sum_f64(double *x, size_t n)
{
    return size > 1 ? each_chunk(x, n, sizeof *x, MPI_DOUBLE, 1) : DS_OK;
}

ds_status ds_dist_broadcast_f32(float *x, size_t n)
{
    return size > 1 ? each_chunk(x, n, sizeof *x, MPI_FLOAT, 0) : DS_OK;
}

int ds_dist_any(int flag)
{
    int any = flag != 0;
    /* On failure keep the local flag: the failed reduction's rank is about
     * to end the job anyway (dist.h). */
    if (size > 1 &&
        MPI_Allreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD) != MPI_SUCCESS)
        any = flag != 0;
    return any;
}

/* Point-to-point (MPI 3.1 section 3.2): for work handed out one item at a
 * time (`descent compare`'s runs). n fits an int: these are small messages. */
ds_status ds_dist_send_f64(const double *x, size_t n, int dest, int tag)
{
    if (size < 2)
        return ds_set_error(DS_ERR_INVALID, "ds_dist_send_f64: one rank, no one to send to");
    int err = MPI_Send(x, (int)n, MPI_DOUBLE, dest, tag, MPI_COMM_WORLD);
    return err == MPI_SUCCESS ? DS_OK : mpi_fail(err, "MPI_Send");
}

ds_status ds_dist_recv_f64(double *x, size_t n, int source, int *from, int *tag, size_t *count)
{
    if (size < 2) return ds_set_error(DS_ERR_INVALID, "ds_dist_recv_f64: one rank, no one to hear");
    MPI_Status ms;
    int err = MPI_Recv(x, (int)n, MPI_DOUBLE, source < 0 ? MPI_ANY_SOURCE : source, MPI_ANY_TAG,
                       MPI_COMM_WORLD, &ms);
    if (err != MPI_SUCCESS) return mpi_fail(err, "MPI_Recv");
    int k = 0;
    MPI_Get_count(&ms, MPI_DOUBLE, &k);
    if (from) *from = ms.MPI_SOURCE;
    if (tag) *tag = ms.MPI_TAG;
    if (count) *count = (size_t)k;
    return DS_OK;
}

#else /* one rank, no MPI */

/* Started by mpirun with several processes, a build without MPI would run
 * as many independent copies of the job: refuse, saying why. */
ds_status ds_dist_init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *n = getenv("OMPI_COMM_WORLD_SIZE");
    if (launched() && !(n && strcmp(n, "1") == 0))
        return ds_set_error(DS_ERR_UNSUPPORTED,
                            "started by mpirun, but this descent was built without MPI "
                            "(DESCENT_MPI=OFF or MPI not found: apt-get install libopenmpi-dev)");
    return DS_OK;
}

void ds_dist_finalize(int status)
{
    (void)status;
}

int ds_dist_rank(void)
{
    return 0;
}

int ds_dist_size(void)
{
    return 1;
}

ds_status ds_dist_sum_f32(float *x, size_t n)
{
    (void)x, (void)n;
    return DS_OK;
}

ds_status ds_dist_sum_f64(double *x, size_t n)
{
    (void)x, (void)n;
    return DS_OK;
}

ds_status ds_dist_broadcast_f32(float *x, size_t n)
{
    (void)x, (void)n;
    return DS_OK;
}

int ds_dist_any(int flag)
{
    return flag != 0;
}

ds_status ds_dist_send_f64(const double *x, size_t n, int dest, int tag)
{
    (void)x, (void)n, (void)dest, (void)tag;
    return ds_set_error(DS_ERR_INVALID, "ds_dist_send_f64: one rank, no one to send to");
}

ds_status ds_dist_recv_f64(double *x, size_t n, int source, int *from, int *tag, size_t *count)
{
    (void)x, (void)n, (void)source, (void)from, (void)tag, (void)count;
    return ds_set_error(DS_ERR_INVALID, "ds_dist_recv_f64: one rank, no one to hear");
}

#endif

/* The collectives in ds_comm's shape (MPI_COMM_WORLD needs no context). */
static ds_status comm_sum_f32(void *ctx, float *x, size_t n)
{
    (void)ctx;
    return ds_dist_sum_f32(x, n);
}

static ds_status comm_sum_f64(void *ctx, double *x, size_t n)
{
    (void)ctx;
    return ds_dist_sum_f64(x, n);
}

static ds_status comm_broadcast_f32(void *ctx, float *x, size_t n)
{
    (void)ctx;
    return ds_dist_broadcast_f32(x, n);
}

const ds_comm *ds_dist_comm(void)
{
    static ds_comm c;
    c = (ds_comm){.rank = ds_dist_rank(),
                  .size = ds_dist_size(),
                  .sum_f32 = comm_sum_f32,
                  .sum_f64 = comm_sum_f64,
                  .broadcast_f32 = comm_broadcast_f32};
    return &c;
}
