/* descent/dist.h - data-parallel training over MPI (doc/distributed.md):
 * libdescent-mpi, a library of its own (pkg-config descent-mpi, CMake
 * descent::descent_mpi) so that libdescent links no MPI.
 *
 *     ds_dist_init(&argc, &argv);          // MPI_Init only under mpirun
 *     ds_train_params p = ds_train_default_params();
 *     p.comm = ds_dist_comm();             // the trainer's collectives
 *     ... every rank builds the same model and trainer; the trainer splits
 *     ... each global batch across ranks and sums the gradients here ...
 *     ds_dist_finalize(status);            // MPI_Finalize, or MPI_Abort on failure
 *
 * Every rank holds the full model; rank 0's initial parameters are
 * broadcast; each global mini-batch is split into contiguous shares
 * (ds_iter_set_shard); the per-rank gradients, weighted by share / batch,
 * are summed by one MPI_Allreduce over the contiguous gradient array, so
 * every rank applies the same optimizer step to the same parameters. Only
 * rank 0 prints and writes files.
 *
 * A build without MPI (DESCENT_MPI=OFF, or no MPI found), or a program not
 * started by mpirun, is one rank: rank 0 of size 1, every reduction the
 * identity. The API is the same either way.
 *
 * Failures: MPI errors are returned (MPI_ERRORS_RETURN on the world
 * communicator) as DS_ERR_MPI with MPI's message; a rank that dies is
 * detected by mpirun, which stops the whole job. A front end that fails on
 * one rank must call ds_dist_finalize with its non-zero status, which
 * aborts every rank (MPI_Abort) instead of leaving them waiting forever in
 * the next reduction. The library never aborts on its own. */
#ifndef DESCENT_DIST_H
#define DESCENT_DIST_H

#include "descent/export.h"

#include "descent/error.h"
#include "descent/comm.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Initialises MPI if this build has it and the process was launched by
 * mpirun/mpiexec (OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK set);
 * otherwise a no-op leaving one rank. Thread level: funneled (only the
 * main thread calls MPI; OpenMP threads compute). Call once, first.
 * DS_ERR_UNSUPPORTED in a build without MPI started by mpirun with more
 * than one process (it would run independent copies of the job). */
DS_API ds_status ds_dist_init(int *argc, char ***argv);

/* status 0: MPI_Finalize. Non-zero with more than one rank: MPI_Abort with
 * that status, ending every rank of the job. No-op without MPI. */
DS_API void ds_dist_finalize(int status);

/* This process's rank, 0 .. size - 1 (0 without MPI). */
DS_API int ds_dist_rank(void);
DS_API int ds_dist_size(void); /* >= 1 */

/* x[i] = sum over ranks of x[i], in place, on every rank (one
 * MPI_Allreduce). DS_ERR_MPI on failure. */
DS_API ds_status ds_dist_sum_f32(float *x, size_t n);
DS_API ds_status ds_dist_sum_f64(double *x, size_t n);

/* 1 on every rank if `flag` is non-zero on any rank (a logical-or
 * MPI_Allreduce), so that all ranks take a decision such as "stop after
 * this step" together; the flag itself without MPI. */
DS_API int ds_dist_any(int flag);

/* Copies rank 0's x to every rank. */
DS_API ds_status ds_dist_broadcast_f32(float *x, size_t n);

/* Point-to-point messages of doubles, for work handed out one item at a
 * time: send n doubles to rank dest with tag (>= 0); receive at most n from
 * rank source (-1: any) with any tag, saying who sent it, its tag and how
 * many doubles came (from, tag, count may be NULL). Blocking. One rank
 * alone has no one to talk to: DS_ERR_INVALID. DS_ERR_MPI on failure. */
DS_API ds_status ds_dist_send_f64(const double *x, size_t n, int dest, int tag);
DS_API ds_status ds_dist_recv_f64(double *x, size_t n, int source, int *from, int *tag,
                                  size_t *count);

/* These collectives as the trainer takes them (ds_train_params.comm), with
 * this process's rank and size: call after ds_dist_init. The pointer is to
 * static storage, valid for the life of the process. */
DS_API const ds_comm *ds_dist_comm(void);

#ifdef __cplusplus
}
#endif
#endif
